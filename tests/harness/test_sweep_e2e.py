"""End to end on the real embedded model through real vLLM and Ray: 3 GSM8K problems, budgets [1, 2],
selection strategies plus search strategies (revision; reward_ranking with the embedded model read
as an outcome reward model, loaded next to the generator in the replica; verification with
`verifier_model` naming the generator's own config, which the replica binds to the engine it has)
and compute-optimal allocation.

The sweeps run once per session (tests/harness/conftest.py; model load ~1 min on 2 cores): a second
sweep must generate nothing and reproduce the metrics; a killed writer's torn line is regenerated,
not duplicated, by the resumed sweep whose terminal `test_progress.py` reads.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.run.store import PoolStore
from harness.sweep import SweepResult
from tests.harness.real_sweeps import LIMIT, MODEL, TASK, E2ESweeps, ResumedSweep, stored_keys

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def results_dir(e2e_sweep: E2ESweeps) -> Path:
    return e2e_sweep.results_dir


@pytest.fixture(scope="module")
def first_run(e2e_sweep: E2ESweeps) -> SweepResult:
    return e2e_sweep.first


def test_first_sweep_writes_every_file(first_run: SweepResult) -> None:
    run = first_run.run_dir
    # 3 problems x (1 greedy + 2 sampled + 2 revision cells + 2 reward_ranking cells + 1 verification)
    assert first_run.generated == first_run.planned == 24
    for name in ("config.yaml", "run.json", "problems.jsonl", "metrics.json", "metrics.parquet", "pareto.png",
                 "pareto.svg", "curves_majority.png", "report.html", "scores.jsonl", "models.json"):
        assert (run / name).stat().st_size > 0, name
    assert (run / "pareto.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "limit: 3" in (run / "config.yaml").read_text()
    metrics = json.loads((run / "metrics.json").read_text())
    assert {p["bin"] for p in metrics["points"]} - {"all"}, "difficulty bins missing"
    metrics["points"] = [p for p in metrics["points"] if p["bin"] == "all"]
    cells = {(p["strategy"], p["budget"]) for p in metrics["points"]}
    assert cells - {c for c in cells if c[0] == "compute_optimal"} == {
        ("greedy", 1), ("majority", 1), ("majority", 2), ("pass_at_k", 1), ("pass_at_k", 2), ("revision", 1),
        ("revision", 2), ("reward_ranking[best]", 1), ("reward_ranking[best]", 2), ("verification[V=1]", 1)}
    for p in metrics["points"]:
        assert p["n_problems"] == 3
        assert 0.0 <= p["ci_low"] <= p["accuracy"] <= p["ci_high"] <= 1.0
        assert p["mean_tokens"] > 0 and p["mean_flops"] > 0 and p["mean_seconds"] > 0
        # FLOPs include 2N per generated token for N = 106M non-embedding parameters
        assert p["mean_flops"] > 2 * 106_203_456 * p["mean_tokens"]
        # a query waits at most for all its engine seconds; every decode reads the weights at least once
        assert 0 < p["mean_latency"] <= p["mean_seconds"] * (1 + 1e-9) and p["mean_eflops"] > p["mean_flops"]
    pass1 = next(p for p in metrics["points"] if p["strategy"] == "pass_at_k" and p["budget"] == 1)
    pass2 = next(p for p in metrics["points"] if p["strategy"] == "pass_at_k" and p["budget"] == 2)
    assert pass2["accuracy"] >= pass1["accuracy"]
    assert pass2["mean_flops"] > pass1["mean_flops"]
    assert metrics["meta"]["engines"][0].startswith("vllm-")
    assert any(run.glob("wandb/offline-run-*")), "wandb offline run missing"
    html = (run / "report.html").read_text()
    assert html.count("data:image/png;base64,") >= 3 and "smollm2_135m" in html and "vllm" in html
    from harness.report.viewer import read_embedded

    viewer = read_embedded(html)  # every sample and trace with its stored completion
    shown = [s for pool in viewer["samples"].values() for by in pool.values() for s in by]
    assert len(shown) == len((run / "scores.jsonl").read_text().splitlines())
    assert all(s["text"] is not None for s in shown)
    assert {c["pool"] for c in viewer["cells"]} >= {"smollm2_135m|search:revision", "smollm2_135m|sampled"}


def test_samples_record_engine_facts(first_run: SweepResult, results_dir: Path) -> None:
    rows = [json.loads(line) for line in (first_run.run_dir / "scores.jsonl").read_text().splitlines()]
    assert len(rows) == 24
    rows = [r for r in rows if not r["pool_kind"].startswith("search:")]
    assert len(rows) == 9
    assert {r["problem_id"] for r in rows} == {"gsm8k/test/0", "gsm8k/test/1", "gsm8k/test/2"}
    for r in rows:
        assert r["prompt_tokens"] > 20 and 0 < r["completion_tokens"] <= 160
        assert r["finish_reason"] in ("stop", "length")
        assert r["mean_logprob"] < 0
        assert r["status"] in ("ok", "no_answer")


def test_second_sweep_generates_nothing_and_reproduces_metrics(e2e_sweep: E2ESweeps) -> None:
    first_run, again = e2e_sweep.first, e2e_sweep.again
    assert again.generated == 0
    first = json.loads((first_run.run_dir / "metrics.json").read_text())
    second = json.loads((again.run_dir / "metrics.json").read_text())
    assert first["points"] == second["points"]
    assert first["meta"].pop("runs") != second["meta"].pop("runs")  # only where it came from differs
    assert first["meta"] == second["meta"]


def test_torn_line_is_regenerated_exactly_once(resumed_sweep: ResumedSweep) -> None:
    """The resumed sweep grows the sampled pool from 2 to 6 samples a problem on a store whose last
    line was torn: the torn sample comes back once, beside the 3 x 4 new ones, and nothing twice."""
    run = resumed_sweep
    assert run.returncode == 0, "\n".join(t for _, t in run.lines[-30:])
    assert run.readable_before == LIMIT * 2 - 1
    assert f"generated {1 + LIMIT * 4} new samples" in [t for _, t in run.lines][-1]
    samples = PoolStore(run.results_dir / "store", MODEL, TASK, run.pool_dir.name).read()
    assert len(samples) == LIMIT * 6 and run.torn in samples
    keys = stored_keys(run.pool_dir)
    assert len(keys) == len(set(keys)) == LIMIT * 6


def test_search_cells_are_curve_points_with_their_traced_cost(
    first_run: SweepResult, results_dir: Path
) -> None:
    points = [p for p in json.loads((first_run.run_dir / "metrics.json").read_text())["points"]
              if p["bin"] == "all"]
    revision = {p["budget"]: p for p in points if p["strategy"] == "revision"}
    assert set(revision) == {1, 2}
    # round 2 is charged both rounds: more tokens and FLOPs than round 1, never more than 2 x 160 tokens
    assert 0 < revision[1]["mean_tokens"] <= 160
    assert revision[1]["mean_tokens"] < revision[2]["mean_tokens"] <= 320
    assert revision[1]["mean_flops"] < revision[2]["mean_flops"]
    assert revision[2]["mean_samples"] == 2.0
    # the stored traces hold their calls; their token sums are what the report charged
    spec_dirs = [d for d in (results_dir / "store" / "smollm2_135m" / "gsm8k").iterdir()
                 if json.loads((d / "pool.json").read_text()).get("kind") == "search:revision"]
    assert len(spec_dirs) == 1
    traces = PoolStore(results_dir / "store", "smollm2_135m", "gsm8k", spec_dirs[0].name).read()
    assert len(traces) == 6
    for t in traces.values():
        assert t.role == "search" and len(t.calls) == t.index + 1
        assert t.output.completion_tokens == sum(c["completion_tokens"] for c in t.calls)
    mean2 = sum(t.output.completion_tokens for (_, i), t in traces.items() if i == 1) / 3
    assert revision[2]["mean_tokens"] == pytest.approx(mean2)
    # reward_ranking: s solutions and s reward-model calls, the latter costed by the reward model
    ranked = {p["budget"]: p for p in points if p["strategy"] == "reward_ranking[best]"}
    assert ranked[1]["extra"]["flops_reward"] > 0 and ranked[1]["extra"]["tokens_reward"] > 0
    assert ranked[2]["extra"]["flops_reward"] > ranked[1]["extra"]["flops_reward"]
    assert ranked[2]["mean_samples"] == 2.0
    assert ranked[1]["mean_flops"] == pytest.approx(ranked[1]["extra"]["flops_generator"]
                                                    + ranked[1]["extra"]["flops_reward"])
    # verification through the bound verifier: one verdict token per solution, charged its FLOPs
    verified = next(p for p in points if p["strategy"] == "verification[V=1]")
    assert verified["extra"]["tokens_verifier"] == 1.0 and verified["extra"]["flops_verifier"] > 0
    # compute-optimal allocation produced points, each charged the probe (2 samples) at least
    optimal = [p for p in points if p["strategy"] == "compute_optimal"]
    majority2 = next(p for p in points if p["strategy"] == "majority" and p["budget"] == 2)
    assert optimal and all(p["mean_tokens"] >= majority2["mean_tokens"] - 1e-9 for p in optimal)
    assert all(0.0 <= p["ci_low"] <= p["accuracy"] <= p["ci_high"] <= 1.0 for p in optimal)
