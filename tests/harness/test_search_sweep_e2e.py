"""A search strategy and compute-optimal allocation through the whole sweep (Ray, store, score, report)
on the real embedded model: 4 GSM8K problems, short generations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.config import load_sweep_config
from harness.store import PoolStore
from harness.sweep import SweepResult, run_sweep

pytestmark = pytest.mark.slow


def overrides(results: Path) -> list[str]:
    return ["limit=4", "budgets=[1,2,4]", "max_tokens=48", f"results_dir={results}", "name=search_e2e",
            "wandb.mode=disabled", "strategies=[majority,revision,compute_optimal]",
            "+strategy_options.revision={budgets: [1, 2]}"]


@pytest.fixture(scope="module")
def results_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("results")


@pytest.fixture(scope="module")
def first_run(results_dir: Path) -> SweepResult:
    return run_sweep(load_sweep_config(overrides(results_dir)))


def test_search_cells_are_curve_points_with_their_traced_cost(
    first_run: SweepResult, results_dir: Path
) -> None:
    assert first_run.planned == first_run.generated == 4 * (4 + 2)  # 4 sampled + 2 revision cells
    points = [p for p in json.loads((first_run.run_dir / "metrics.json").read_text())["points"]
              if p["bin"] == "all"]
    revision = {p["budget"]: p for p in points if p["strategy"] == "revision"}
    assert set(revision) == {1, 2}
    # round 2 is charged both rounds: more tokens and FLOPs than round 1, never more than 2 x 48 tokens
    assert 0 < revision[1]["mean_tokens"] <= 48
    assert revision[1]["mean_tokens"] < revision[2]["mean_tokens"] <= 96
    assert revision[1]["mean_flops"] < revision[2]["mean_flops"]
    assert revision[2]["mean_samples"] == 2.0
    # the stored traces hold their calls; their token sums are what the report charged
    spec_dirs = [d for d in (results_dir / "store" / "smollm2_135m" / "gsm8k").iterdir()
                 if json.loads((d / "pool.json").read_text()).get("kind") == "search:revision"]
    assert len(spec_dirs) == 1
    traces = PoolStore(results_dir / "store", "smollm2_135m", "gsm8k", spec_dirs[0].name).read()
    assert len(traces) == 8
    for t in traces.values():
        assert t.role == "search" and len(t.calls) == t.index + 1
        assert t.completion_tokens == sum(c["completion_tokens"] for c in t.calls)
    mean2 = sum(t.completion_tokens for (_, i), t in traces.items() if i == 1) / 4
    assert revision[2]["mean_tokens"] == pytest.approx(mean2)
    # compute-optimal allocation produced points, each charged the probe (4 samples) at least
    optimal = [p for p in points if p["strategy"] == "compute_optimal"]
    majority4 = next(p for p in points if p["strategy"] == "majority" and p["budget"] == 4)
    assert optimal and all(p["mean_tokens"] >= majority4["mean_tokens"] - 1e-9 for p in optimal)
    assert all(0.0 <= p["ci_low"] <= p["accuracy"] <= p["ci_high"] <= 1.0 for p in optimal)


def test_rerun_generates_nothing(first_run: SweepResult, results_dir: Path) -> None:
    again = run_sweep(load_sweep_config(overrides(results_dir)))
    assert again.generated == 0
    a = json.loads((first_run.run_dir / "metrics.json").read_text())["points"]
    b = json.loads((again.run_dir / "metrics.json").read_text())["points"]
    assert a == b
