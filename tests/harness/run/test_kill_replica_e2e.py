"""Kill one of two real replicas (SIGKILL to its Ray actor process) in the middle of a sweep of the real
embedded model: the sweep finishes, exit 0, and the store holds every planned sample exactly once (the
live replica takes the dead one's shards while a replacement loads)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def replica_pids() -> list[int]:
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=True).stdout
    return [int(line.split()[0]) for line in out.splitlines()[1:] if "ray::Replica" in line]


def stored(results: Path) -> list[dict[str, object]]:
    return [json.loads(line) for p in (results / "store").rglob("part-*.jsonl")
            for line in p.read_text().splitlines() if line.strip()]


def test_killing_a_replica_mid_sweep_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    results = tmp_path / "results"
    before = set(replica_pids())
    cmd = [sys.executable, "-m", "harness", "sweep", "limit=8", "budgets=[1,3]", "max_tokens=32",
           "strategies=[pass_at_k]", "cluster.replicas=2", "cluster.num_cpus_per_replica=1",
           "cluster.shard_size=1", "engine.cpu_kv_cache_gib=1", f"results_dir={results}", "name=kill",
           "wandb.mode=disabled"]
    env = dict(os.environ, TTC_NO_PROGRESS="1")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    killed = None
    deadline = time.time() + 600
    while time.time() < deadline and proc.poll() is None:
        if stored(results):  # both engines loaded, shards under way: kill one replica now
            mine = [p for p in replica_pids() if p not in before]
            if mine:
                killed = mine[0]
                os.kill(killed, signal.SIGKILL)
                break
        time.sleep(0.2)
    out, _ = proc.communicate(timeout=900)
    assert killed is not None, "the sweep ended before a replica could be killed:\n" + out[-3000:]
    assert proc.returncode == 0, out[-3000:]
    assert "replica died" in out
    rows = stored(results)
    keys = [(r["problem_id"], r["index"]) for r in rows]
    assert len(keys) == len(set(keys)) == 8 * 3  # every planned sample, none twice
    assert "generated 24 new samples" in out
