"""The driver's fault handling on real Ray: a replica process that dies mid-shard is replaced and its
shard retried (exactly once in the store); a shard that keeps killing its replica stops the run after
`max_retries` with a clear error, keeping what finished. The replicas here are a stand-in engine
(no model), because what is tested is the driver; the real model is killed in test_kill_replica_e2e.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from core.records import Completion, Sample, SamplingParams
from harness.config import ClusterConfig, EngineConfig, ModelConfig
from harness.run.execute import ShardFailedError, run_shards
from harness.run.plan import PoolSpec, Shard, make_plan
from tasks import get_task

MODEL = ModelConfig(name="stand_in", path="none")


def flaky(marker_dir: Path, dies: str) -> type:
    """A replica class that kills its own process on shard 1: once (`once`) or every time (`always`)."""

    class Flaky:
        def __init__(self, engine_name: str, engine_kwargs: dict[str, Any], model_name: str) -> None:
            self.model_name = model_name

        def engine_name(self) -> str:
            return "stand-in"

        def run(self, shard: Shard) -> list[Sample]:
            marker = marker_dir / f"died-{shard.number}"
            if shard.number == 1 and (dies == "always" or (dies == "once" and not marker.exists())):
                marker.touch()
                os._exit(1)  # the whole actor process dies, as on an OOM kill or a lost node
            return [Sample(i.problem_id, self.model_name, i.pool.hash, k,
                           Completion(f"answer {k}", "stop", 10, 5, -0.1, -0.5, 0.01), "stand-in")
                    for i in shard.items for k in i.indices]

    return Flaky


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
