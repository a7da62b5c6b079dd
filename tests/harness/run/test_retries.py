"""The driver's fault handling on real Ray: a replica process that dies mid-shard is replaced and its
shard retried (exactly once in the store); a shard that keeps killing its replica stops the run after
`max_retries` with a clear error, keeping what finished. The replicas here are a stand-in engine
(no model), because what is tested is the driver; the real model is killed in test_kill_replica_e2e.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from core.records import Completion, Sample, SamplingParams
from harness.config import ClusterConfig, EngineConfig, ModelConfig
from harness.run.execute import ReplacementLoadError, ShardFailedError, run_shards
from harness.run.plan import PoolSpec, Shard, make_plan
from tasks import get_task

MODEL = ModelConfig(name="stand_in", path="none")


def answers(shard: Shard, model_name: str) -> list[Sample]:
    """A stand-in replica's samples for `shard`: one fixed completion per planned index."""
    return [Sample(i.problem_id, model_name, i.pool.hash, k,
                   Completion(f"answer {k}", "stop", 10, 5, -0.1, -0.5, 0.01), "stand-in")
            for i in shard.items for k in i.indices]


def flaky(marker_dir: Path, dies: str) -> type:
    """A replica class that kills its own process on shard 1: once (`once`), every time (`always`), or
    once with every replica started after that failing to load (`once_then_no_load`)."""

    class Flaky:
        def __init__(self, engine_name: str, engine_kwargs: dict[str, Any], model_name: str) -> None:
            if dies == "once_then_no_load" and (marker_dir / "died-1").exists():
                (marker_dir / "no-load").touch()
                raise RuntimeError("no engine")
            self.model_name = model_name

        def engine_name(self) -> str:
            return "stand-in"

        def run(self, shard: Shard) -> list[Sample]:
            marker = marker_dir / f"died-{shard.number}"
            once = dies in ("once", "once_then_no_load")
            if shard.number == 1 and (dies == "always" or (once and not marker.exists())):
                marker.touch()
                os._exit(1)  # the whole actor process dies, as on an OOM kill or a lost node
            if dies == "once_then_no_load" and marker.exists():  # finish only after the failed load
                deadline = time.time() + 30
                while not (marker_dir / "no-load").exists() and time.time() < deadline:
                    time.sleep(0.05)
                time.sleep(0.5)
            return answers(shard, self.model_name)

    return Flaky


def slow_replacement(marker_dir: Path) -> type:
    """Replica 1 dies on shard 1 once; the replica started in its place takes up to 60 s to load
    (until shard 1 has been run again, by anyone). Each run leaves `ran-<shard>-<pid>`, each replica
    started first `first-<pid>`."""

    class SlowReplacement:
        def __init__(self, engine_name: str, engine_kwargs: dict[str, Any], model_name: str) -> None:
            self.model_name = model_name
            if not (marker_dir / "died-1").exists():
                (marker_dir / f"first-{os.getpid()}").touch()
            else:
                (marker_dir / f"replacement-{os.getpid()}").touch()
                deadline = time.time() + 60
                while not list(marker_dir.glob("ran-1-*")) and time.time() < deadline:
                    time.sleep(0.05)

        def engine_name(self) -> str:
            return "stand-in"

        def run(self, shard: Shard) -> list[Sample]:
            if shard.number == 1 and not (marker_dir / "died-1").exists():
                (marker_dir / "died-1").touch()
                os._exit(1)
            (marker_dir / f"ran-{shard.number}-{os.getpid()}").touch()
            return answers(shard, self.model_name)

    return SlowReplacement


@pytest.fixture(scope="module", autouse=True)
def ray_local() -> Any:
    import ray
    from ray import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers need not import tests/
    yield
    ray.shutdown()


def plan(store: Path) -> list[Shard]:
    task = get_task("gsm8k")
    spec = PoolSpec("sampled", MODEL, "gsm8k", "1", SamplingParams(temperature=0.8, max_tokens=8, n=2))
    return list(make_plan([spec], task, task.load(None, 3), store, shard_size=1).shards)


def stored_lines(store: Path) -> list[str]:
    return [line for p in store.rglob("part-*.jsonl") for line in p.read_text().splitlines()]


def test_dead_replica_is_replaced_and_its_shard_stored_once(tmp_path: Path) -> None:
    shards = plan(tmp_path / "store")
    assert len(shards) == 3
    cluster = ClusterConfig(replicas=2, num_cpus_per_replica=0.5, max_retries=2)
    stats = run_shards(shards, MODEL, "none", EngineConfig(), cluster, 0, tmp_path / "store",
                       replica_cls=flaky(tmp_path, "once"))
    assert (tmp_path / "died-1").exists()  # the fault really happened
    assert stats.samples == 6
    lines = stored_lines(tmp_path / "store")
    assert len(lines) == 6 and len(set(lines)) == 6  # every sample exactly once


def test_a_shard_that_keeps_failing_stops_the_run(tmp_path: Path) -> None:
    shards = plan(tmp_path / "store")
    cluster = ClusterConfig(replicas=1, num_cpus_per_replica=0.5, max_retries=1)
    expected = r"shard 1 of stand_in \(1 problems\) failed 2 times \(max_retries=1\)"
    with pytest.raises(ShardFailedError, match=expected):
        run_shards(shards, MODEL, "none", EngineConfig(), cluster, 0, tmp_path / "store",
                   replica_cls=flaky(tmp_path, "always"))
    # the other shards finished before the run reported the failure
    lines = stored_lines(tmp_path / "store")
    assert "gsm8k/test/1" not in "".join(lines) and len(lines) == len(set(lines)) == 4
    # a rerun of what is missing (here: with a healthy replica) completes the pool
    rest = plan(tmp_path / "store")
    assert "gsm8k/test/1" in {pid for s in rest for pid in s.problem_ids}
    run_shards(rest, MODEL, "none", EngineConfig(), ClusterConfig(replicas=1, num_cpus_per_replica=0.5),
               0, tmp_path / "store", replica_cls=flaky(tmp_path, "never"))
    lines = stored_lines(tmp_path / "store")
    assert len(lines) == 6 and len(set(lines)) == 6


def test_a_dead_replicas_shard_goes_to_a_live_replica_not_to_one_still_loading(tmp_path: Path) -> None:
    """The replacement cannot finish loading before shard 1 has run again: the live replica runs it
    (a driver that handed it to the replacement would wait 60 s and then fail the pid check)."""
    shards = plan(tmp_path / "store")
    cluster = ClusterConfig(replicas=2, num_cpus_per_replica=0.5, max_retries=2)
    stats = run_shards(shards, MODEL, "none", EngineConfig(), cluster, 0, tmp_path / "store",
                       replica_cls=slow_replacement(tmp_path))
    assert stats.samples == 6
    lines = stored_lines(tmp_path / "store")
    assert len(lines) == 6 and len(set(lines)) == 6
    [rerun] = list(tmp_path.glob("ran-1-*"))
    first = {p.name.removeprefix("first-") for p in tmp_path.glob("first-*")}
    assert len(first) == 2 and rerun.name.removeprefix("ran-1-") in first  # the survivor ran it


def test_a_replacement_that_cannot_load_leaves_the_work_to_the_live_replicas(tmp_path: Path) -> None:
    shards = plan(tmp_path / "store")
    cluster = ClusterConfig(replicas=2, num_cpus_per_replica=0.5, max_retries=2)
    stats = run_shards(shards, MODEL, "none", EngineConfig(), cluster, 0, tmp_path / "store",
                       replica_cls=flaky(tmp_path, "once_then_no_load"))
    assert (tmp_path / "died-1").exists() and stats.samples == 6
    lines = stored_lines(tmp_path / "store")
    assert len(lines) == 6 and len(set(lines)) == 6


def test_a_replacement_that_cannot_load_ends_the_run_with_a_clear_error(tmp_path: Path) -> None:
    """With no live replica left, the run cannot go on: a clear error, what finished kept once."""
    shards = plan(tmp_path / "store")
    cluster = ClusterConfig(replicas=1, num_cpus_per_replica=0.5, max_retries=2)
    with pytest.raises(ReplacementLoadError, match="started in place of a dead one could not load"):
        run_shards(shards, MODEL, "none", EngineConfig(), cluster, 0, tmp_path / "store",
                   replica_cls=flaky(tmp_path, "once_then_no_load"))
    lines = stored_lines(tmp_path / "store")
    assert len(lines) == len(set(lines)) < 6  # what finished stays, once
