"""Progress a person can read: the plan line, the per-model progress line fed by replica counters, and
(slow, the real model through vLLM and Ray) a sweep whose terminal shows a plan, then a line that moves
at least every 5 s while the first shard is still generating, with the engine's logs in engine.log."""

from __future__ import annotations

import io
import itertools
import re
from pathlib import Path

import pytest

from harness.run import progress
from harness.run.progress import ModelProgress, Throughput, estimate, plan_line
from tests.harness.real_sweeps import LIMIT, ResumedSweep


def test_plan_line_counts_and_estimates_from_the_last_run() -> None:
    history = {"m": Throughput(samples=100, tokens=20_000, generate_s=400.0, load_s=30.0)}
    # 50 samples x 200 tokens at 50 tok/s = 200 s, plus 30 s of engine load
    assert estimate({"m": 50}, history) == "about 3m50s (from the last run's tokens/s)"
    assert estimate({"m": 0}, history) == "nothing to generate"
    assert "first run of m" in estimate({"m": 5}, {"m": None})
    assert plan_line(20, 2, 340, 100, "x") == \
        "plan: 20 problems, 2 pools, 340 samples: 100 to generate, 240 already stored; x"


def test_throughput_round_trips_beside_the_pools(tmp_path: Path) -> None:
    assert progress.read_throughput(tmp_path, "m") is None
    progress.write_throughput(tmp_path, "m", Throughput(10, 2000, 40.0, 5.0))
    assert progress.read_throughput(tmp_path, "m") == Throughput(10, 2000, 40.0, 5.0)


def test_line_moves_with_replica_counters_before_a_shard_finishes(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(progress.time, "perf_counter", lambda: clock[0])
    out = io.StringIO()
    bar = ModelProgress("m", total=40, max_tokens=100, history=None, out=out)
    clock[0] = 110.0
    bar.replica_report("replica-0", 0, 500)  # tokens flowing, no request finished yet
    bar.show()
    assert out.getvalue().splitlines()[-1] == "m: 0/40 samples, 500 tokens, 50.0 tok/s, ETA at most 1m10s"
    clock[0] = 112.0
    bar.replica_report("replica-0", 10, 900)
    bar.show()  # within INTERVAL_S of the last line: nothing new
    assert len(out.getvalue().splitlines()) == 1
    clock[0] = 115.0
    bar.shard_done(10, 1000)  # 100 tokens a sample measured: 3000 left at 1000/15 tok/s = 45 s
    assert out.getvalue().splitlines()[-1] == "m: 10/40 samples, 1,000 tokens, 66.7 tok/s, ETA 45s"
    bar.shard_done(30, 3000)
    assert out.getvalue().splitlines()[-1].endswith("done in 15s")


def test_search_pools_count_samples_from_shards_only() -> None:
    bar = ModelProgress("m", total=4, max_tokens=10, history=None, out=io.StringIO(), live_samples=False)
    bar.replica_report("r", 50, 700)  # 50 engine requests made by 1 trace
    assert bar.done() == (0, 700)


@pytest.mark.slow
def test_a_real_sweep_talks_to_its_user(resumed_sweep: ResumedSweep) -> None:
    """`python -m harness sweep` in a subprocess (tests/harness/conftest.py): it resumes the session's
    end-to-end store (5 of 6 samples readable after a torn line) and grows the pool to 3 x 6."""
    lines = resumed_sweep.lines
    assert resumed_sweep.returncode == 0, "\n".join(t for _, t in lines[-30:])
    texts = [t for _, t in lines]
    total = 1 + LIMIT * 4
    assert texts[0].startswith(f"plan: {LIMIT} problems, 1 pools, {LIMIT * 6} samples: {total} to generate, "
                               f"{LIMIT * 2 - 1} already stored;")
    moving = [(at, t) for at, t in lines if re.match(rf"smollm2_135m: \d+/{total} samples", t)]
    assert moving and moving[-1][1].startswith(f"smollm2_135m: {total}/{total} samples")
    # the line moves while the one shard (3 problems) is generating: tokens before any sample is written
    assert any(re.match(rf"smollm2_135m: \d+/{total} samples, [1-9][\d,]* tokens", t)
               and not t.startswith(f"smollm2_135m: {total}/{total}") for _, t in moving), texts
    gaps = [b - a for (a, _), (b, _) in itertools.pairwise(moving)]
    assert max(gaps, default=0.0) < 5.0 + 1.5, gaps
    noisy = [t for t in texts if "INFO" in t or "WARNING" in t or "(Replica" in t]
    assert not noisy, noisy
    run = Path((resumed_sweep.results_dir / "talk" / "LATEST").read_text().strip())
    assert "vllm" in (run / "engine.log").read_text().lower()
