"""Replicas of tensor_parallel_size > 1 GPUs in placement groups, on real Ray with declared GPUs.

This machine has no GPU, so Ray is started with 4 logical GPUs: scheduling, placement groups and
child-task capture are Ray's real ones; the replica is a stand-in that, like vLLM's Ray executor,
looks up its current placement group and starts one child task on a GPU bundle of it. What vLLM
does inside the group on real GPUs is not exercised here.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from core.records import Completion, Sample, SamplingParams
from harness.config import ClusterConfig, EngineConfig, ModelConfig
from harness.run.execute import engine_kwargs, run_shards
from harness.run.placement import PlacementError, bundles, replicas_that_fit
from harness.run.plan import PoolSpec, Shard, make_plan
from tasks import get_task

MODEL = ModelConfig(name="stand_in", path="none")
TP2 = EngineConfig(tensor_parallel_size=2)


def probe(marker_dir: Path) -> type:
    """A replica that reports its placement group and runs a GPU child task in bundle 1 (as vLLM's
    Ray executor starts a worker per bundle); it dies once on shard 1 to test replacement, and then
    holds its shards until the replacement has started (and written where it runs), so the run
    cannot end before the replacement is placed."""

    class Probe:
        def __init__(self, engine_name: str, engine_kwargs: dict[str, Any], model_name: str) -> None:
            import ray

            self.model_name = model_name
            self.kwargs = engine_kwargs
            group = ray.util.get_current_placement_group()
            self.group = group.id.hex() if group is not None else None
            self.bundles = group.bundle_specs if group is not None else None

            @ray.remote(num_gpus=1, num_cpus=1)
            def worker() -> tuple[str | None, list[str]]:
                g = ray.util.get_current_placement_group()
                return (g.id.hex() if g is not None else None, [str(x) for x in ray.get_gpu_ids()])

            options: dict[str, Any] = {}
            if group is not None:
                from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

                options["scheduling_strategy"] = PlacementGroupSchedulingStrategy(group, 1)
            self.worker = ray.get(worker.options(**options).remote(), timeout=60)
            if (marker_dir / "died").exists():  # the replacement says where it runs
                (marker_dir / "replacement.json").write_text(json.dumps({"group": self.group}))

        def engine_name(self) -> str:
            return "stand-in"

        def run(self, shard: Shard) -> list[Sample]:
            marker = marker_dir / "died"
            if shard.number == 1 and not marker.exists():
                marker.touch()
                os._exit(1)
            deadline = time.time() + 60  # after the death, no shard ends before the replacement is up
            up = marker_dir / "replacement.json"
            while marker.exists() and not up.exists() and time.time() < deadline:
                time.sleep(0.05)
            fact = json.dumps({"group": self.group, "bundles": self.bundles, "worker": self.worker,
                               "backend": self.kwargs.get("distributed_executor_backend"),
                               "pid": os.getpid()})
            return [Sample(i.problem_id, self.model_name, i.pool.hash, k,
                           Completion(fact, "stop", 10, 5, -0.1, -0.5, 0.01), "stand-in")
                    for i in shard.items for k in i.indices]

    return Probe


@pytest.fixture(scope="module", autouse=True)
def ray_with_gpus() -> Any:
    import ray
    from ray import cloudpickle

    ray.shutdown()
    ray.init(num_cpus=4, num_gpus=4, include_dashboard=False, object_store_memory=256 * 1024**2)
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield
    ray.shutdown()


def plan(store: Path, problems: int) -> list[Shard]:
    task = get_task("gsm8k")
    spec = PoolSpec("sampled", MODEL, "gsm8k", "1", SamplingParams(temperature=0.8, max_tokens=8, n=1))
    return list(make_plan([spec], task, task.load(None, problems), store, shard_size=1).shards)


def facts(store: Path) -> list[dict[str, Any]]:
    return [json.loads(json.loads(line)["text"]) for p in store.rglob("part-*.jsonl")
            for line in p.read_text().splitlines()]


def test_each_replica_gets_its_own_group_of_tp_gpu_bundles(tmp_path: Path) -> None:
    import ray

    shards = plan(tmp_path / "store", 4)
    cluster = ClusterConfig(replicas=3, num_cpus_per_replica=0.5, num_gpus_per_replica=1, max_retries=2)
    stats = run_shards(shards, MODEL, "none", TP2, cluster, 0, tmp_path / "store",
                       replica_cls=probe(tmp_path))
    assert stats.samples == 4 and (tmp_path / "died").exists()
    seen = facts(tmp_path / "store")
    assert len(seen) == 4  # (any live replica may run them all: which ones did is not asserted)
    groups = {f["group"] for f in seen}
    replacement = json.loads((tmp_path / "replacement.json").read_text())["group"]
    # 4 GPUs hold 2 replicas of 2 (3 were asked for); the dead replica's replacement runs in the
    # same group: only 2 groups were ever made. Any live replica may run the dead one's shards, so
    # which processes stored samples varies.
    assert len(groups | {replacement}) == 2 and None not in groups | {replacement}
    for f in seen:
        assert f["bundles"] == [{"GPU": 1.0, "CPU": 0.5}, {"GPU": 1.0, "CPU": 1.0}]
        assert f["worker"][0] == f["group"] and len(f["worker"][1]) == 1  # child task captured, one GPU
        assert f["backend"] == "ray"
    table = ray.util.placement_group_table()
    assert set(table) == groups | {replacement}  # no group made for the replacement
    assert all(table[g]["state"] == "REMOVED" for g in groups)  # released at the end


def test_plain_replicas_and_capacity_errors() -> None:
    cluster = ClusterConfig(num_gpus_per_replica=1, num_cpus_per_replica=4)
    assert bundles(EngineConfig(tensor_parallel_size=3), cluster) == [
        {"GPU": 1.0, "CPU": 4.0}, {"GPU": 1.0, "CPU": 1.0}, {"GPU": 1.0, "CPU": 1.0}]
    assert replicas_that_fit(5, TP2, cluster, gpus=7) == 3
    assert replicas_that_fit(5, EngineConfig(), cluster, gpus=0) == 5  # tp 1: plain actors
    assert replicas_that_fit(5, TP2, ClusterConfig(num_gpus_per_replica=0), gpus=0) == 5  # CPU cluster
    with pytest.raises(PlacementError, match="tensor_parallel_size=8 needs 8 GPUs per replica; the Ray "
                                             "cluster has 4"):
        replicas_that_fit(1, EngineConfig(tensor_parallel_size=8), cluster, gpus=4)
    kwargs = engine_kwargs(MODEL, "none", TP2, 0, ClusterConfig())
    assert kwargs["distributed_executor_backend"] is None  # CPU cluster: vLLM's own default
    assert engine_kwargs(MODEL, "none", EngineConfig(distributed_executor_backend="mp"), 0, cluster)[
        "distributed_executor_backend"] == "mp"


def test_too_few_gpus_fails_before_any_replica_starts(tmp_path: Path) -> None:
    shards = plan(tmp_path / "store", 1)
    cluster = ClusterConfig(replicas=1, num_cpus_per_replica=0.5, num_gpus_per_replica=1)
    with pytest.raises(PlacementError, match="needs 8 GPUs"):
        run_shards(shards, MODEL, "none", EngineConfig(tensor_parallel_size=8), cluster, 0,
                   tmp_path / "store", replica_cls=probe(tmp_path))
    assert not list((tmp_path / "store").rglob("part-*.jsonl"))
