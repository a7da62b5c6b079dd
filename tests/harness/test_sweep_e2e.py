"""End to end on the real embedded model through real vLLM and Ray: 3 GSM8K problems, budgets [1, 2].

One sweep runs once per session (model load ~1 min on 2 cores); a second sweep must generate
nothing and reproduce the metrics; a killed writer's torn line is regenerated, not duplicated.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.config import load_sweep_config
from harness.store import PoolStore
from harness.sweep import SweepResult, run_sweep

pytestmark = pytest.mark.slow


def overrides(results: Path) -> list[str]:
    return [
        "limit=3",
        "budgets=[1,2]",
        "max_tokens=160",
        f"results_dir={results}",
        "name=e2e",
        "wandb.mode=offline",
    ]


@pytest.fixture(scope="module")
def results_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("results")


@pytest.fixture(scope="module")
def first_run(results_dir: Path) -> SweepResult:
    return run_sweep(load_sweep_config(overrides(results_dir)))


def test_first_sweep_writes_every_file(first_run: SweepResult) -> None:
    run = first_run.run_dir
    # 3 problems x (1 greedy + 2 sampled)
    assert first_run.generated == first_run.planned == 9
    for name in ("config.yaml", "run.json", "problems.jsonl", "metrics.json", "metrics.parquet", "pareto.png",
                 "pareto.svg", "curves_majority.png", "report.html", "scores.jsonl", "models.json"):
        assert (run / name).stat().st_size > 0, name
    assert (run / "pareto.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "limit: 3" in (run / "config.yaml").read_text()
    metrics = json.loads((run / "metrics.json").read_text())
    assert {p["bin"] for p in metrics["points"]} - {"all"}, "difficulty bins missing"
    metrics["points"] = [p for p in metrics["points"] if p["bin"] == "all"]
    cells = {(p["strategy"], p["budget"]) for p in metrics["points"]}
    assert cells == {("greedy", 1), ("majority", 1), ("majority", 2), ("pass_at_k", 1), ("pass_at_k", 2)}
    for p in metrics["points"]:
        assert p["n_problems"] == 3
        assert 0.0 <= p["ci_low"] <= p["accuracy"] <= p["ci_high"] <= 1.0
        assert p["mean_tokens"] > 0 and p["mean_flops"] > 0 and p["mean_seconds"] > 0
        # FLOPs include 2N per generated token for N = 106M non-embedding parameters
        assert p["mean_flops"] > 2 * 106_203_456 * p["mean_tokens"]
    pass1 = next(p for p in metrics["points"] if p["strategy"] == "pass_at_k" and p["budget"] == 1)
    pass2 = next(p for p in metrics["points"] if p["strategy"] == "pass_at_k" and p["budget"] == 2)
    assert pass2["accuracy"] >= pass1["accuracy"]
    assert pass2["mean_flops"] > pass1["mean_flops"]
    assert metrics["meta"]["engines"][0].startswith("vllm-")
    assert any(run.glob("wandb/offline-run-*")), "wandb offline run missing"
    html = (run / "report.html").read_text()
    assert html.count("data:image/png;base64,") >= 3 and "smollm2_135m" in html and "vllm" in html


def test_samples_record_engine_facts(first_run: SweepResult, results_dir: Path) -> None:
    rows = [json.loads(line) for line in (first_run.run_dir / "scores.jsonl").read_text().splitlines()]
    assert len(rows) == 9
    assert {r["problem_id"] for r in rows} == {"gsm8k/test/0", "gsm8k/test/1", "gsm8k/test/2"}
    for r in rows:
        assert r["prompt_tokens"] > 20 and 0 < r["completion_tokens"] <= 160
        assert r["finish_reason"] in ("stop", "length")
        assert r["mean_logprob"] < 0
        assert r["status"] in ("ok", "no_answer")


def test_second_sweep_generates_nothing_and_reproduces_metrics(
    first_run: SweepResult, results_dir: Path
) -> None:
    again = run_sweep(load_sweep_config(overrides(results_dir)))
    assert again.generated == 0
    first = json.loads((first_run.run_dir / "metrics.json").read_text())
    second = json.loads((again.run_dir / "metrics.json").read_text())
    assert first["points"] == second["points"]
    assert first["meta"].pop("runs") != second["meta"].pop("runs")  # only where it came from differs
    assert first["meta"] == second["meta"]


def test_torn_line_is_regenerated_exactly_once(first_run: SweepResult, results_dir: Path) -> None:
    pool_dirs = [p for p in (results_dir / "store" / "smollm2_135m" / "gsm8k").iterdir()
                 if json.loads((p / "pool.json").read_text())["kind"] == "sampled"]
    (pool_dir,) = pool_dirs
    shard = sorted(pool_dir.glob("part-*.jsonl"))[0]
    lines = shard.read_text().splitlines(keepends=True)
    # simulate a writer killed mid-line: the last sample is torn
    shard.write_text("".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])
    store = PoolStore(results_dir / "store", "smollm2_135m", "gsm8k", pool_dir.name)
    assert len(store.read()) == 5
    again = run_sweep(load_sweep_config([*overrides(results_dir), "strategies=[pass_at_k]"]))
    assert again.generated == 1
    samples = store.read()
    assert len(samples) == 6
    keys = [(json.loads(line)["problem_id"], json.loads(line)["index"])
            for p in pool_dir.glob("part-*.jsonl") for line in p.read_text().splitlines()
            if line.endswith("}")]
    assert len(keys) == len(set(keys)) == 6
