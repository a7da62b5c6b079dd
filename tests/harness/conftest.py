"""The real sweeps several slow harness tests read, each run ONCE per session (every run loads the
embedded model in a Ray replica, ~1 minute on 2 cores):

- `e2e_sweep`: the end-to-end sweep (3 GSM8K problems, selection, search and allocation strategies)
  and, right after it, the same sweep again, which must generate nothing (`test_sweep_e2e.py`).
- `resumed_sweep`: then a writer killed mid-line is simulated (the sampled pool's last stored line
  is torn) and `python -m harness sweep` runs in a terminal-like subprocess with progress on,
  growing that pool from 2 to 6 samples a problem: it must regenerate the torn sample exactly once
  (`test_sweep_e2e.py`) and talk to its user while it generates (`test_progress.py`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from harness.config import load_sweep_config
from harness.run.store import PoolStore
from harness.sweep import run_sweep
from tests.harness.real_sweeps import (
    LIMIT,
    MAX_TOKENS,
    MODEL,
    ROOT,
    TASK,
    E2ESweeps,
    ResumedSweep,
    e2e_overrides,
    sampled_pool_dir,
)


@pytest.fixture(scope="session")
def e2e_sweep(tmp_path_factory: pytest.TempPathFactory) -> E2ESweeps:
    results = tmp_path_factory.mktemp("results")
    first = run_sweep(load_sweep_config(e2e_overrides(results)))
    again = run_sweep(load_sweep_config(e2e_overrides(results)))
    return E2ESweeps(results, first, again)


@pytest.fixture(scope="session")
def resumed_sweep(e2e_sweep: E2ESweeps) -> ResumedSweep:
    results = e2e_sweep.results_dir
    pool_dir = sampled_pool_dir(results)
    shard = sorted(pool_dir.glob("part-*.jsonl"))[0]
    lines = shard.read_text().splitlines(keepends=True)
    torn = json.loads(lines[-1])
    # simulate a writer killed mid-line: the last sample is torn
    shard.write_text("".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])
    readable = len(PoolStore(results / "store", MODEL, TASK, pool_dir.name).read())
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    env.pop("TTC_NO_PROGRESS", None)
    cmd = [sys.executable, "-m", "harness", "sweep", f"limit={LIMIT}", "budgets=[1,6]",
           f"max_tokens={MAX_TOKENS}", "strategies=[majority,pass_at_k]", "wandb.mode=disabled",
           f"results_dir={results}", "name=talk"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            cwd=results)
    assert proc.stdout is not None
    printed: list[tuple[float, str]] = []
    for text in proc.stdout:
        printed.append((time.perf_counter(), text.rstrip("\n")))
    return ResumedSweep(results, pool_dir, (torn["problem_id"], torn["index"]), readable,
                        proc.wait(timeout=900), printed)
