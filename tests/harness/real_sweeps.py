"""The real sweeps that several slow harness tests share (`tests/harness/conftest.py` runs each
once per session): their overrides, what they return, and how to read their sampled pool."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from harness.sweep import SweepResult

ROOT = Path(__file__).resolve().parents[2]
MODEL, TASK = "smollm2_135m", "gsm8k"
LIMIT, MAX_TOKENS = 3, 160


def e2e_overrides(results: Path) -> list[str]:
    return [
        f"limit={LIMIT}",
        "budgets=[1,2]",
        f"max_tokens={MAX_TOKENS}",
        f"results_dir={results}",
        "name=e2e",
        "wandb.mode=offline",
        "strategies=[greedy,majority,pass_at_k,revision,reward_ranking,verification,compute_optimal]",
        "+strategy_options.revision={budgets: [1, 2]}",
        "+strategy_options.reward_ranking={budgets: [1, 2], selections: [best]}",
        "+strategy_options.verification={budgets: [1], verifications: [1], critique_tokens: 0, "
        "verifier_model: smollm2_135m}",
        "+strategy_options.compute_optimal={probe: 2}",
    ]


@dataclass(frozen=True)
class E2ESweeps:
    results_dir: Path
    first: SweepResult
    again: SweepResult
    """The same sweep rerun on the first one's store, before anything else touches it."""


def sampled_pool_dir(results: Path) -> Path:
    (pool_dir,) = [p for p in (results / "store" / MODEL / TASK).iterdir()
                   if json.loads((p / "pool.json").read_text())["kind"] == "sampled"]
    return pool_dir


def stored_keys(pool_dir: Path) -> list[tuple[str, int]]:
    """(problem_id, index) of every complete line in the pool's shard files, duplicates kept."""
    return [(json.loads(line)["problem_id"], json.loads(line)["index"])
            for p in sorted(pool_dir.glob("part-*.jsonl")) for line in p.read_text().splitlines()
            if line.endswith("}")]


@dataclass(frozen=True)
class ResumedSweep:
    results_dir: Path
    pool_dir: Path
    torn: tuple[str, int]
    """The sample whose stored line was torn."""
    readable_before: int
    """Samples the store could read after the tear, before the resumed sweep."""
    returncode: int
    lines: list[tuple[float, str]]
    """(perf_counter when read, text) of every line the sweep printed."""
