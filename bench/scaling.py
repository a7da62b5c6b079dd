"""Scale-out figures, measured side by side in one run.

1. Throughput of the real embedded model with 1 replica (2 CPUs) and 2 replicas (1 CPU each) on the
   same shards (engine load excluded), and their ratio.
2. The driver's own overhead per 10,000 samples: planning, queueing and writing, with a stand-in
   replica that returns synthetic samples at once (so the driver is all that is timed), as a share
   of the time the real engine takes to generate 10,000 samples at the rate measured in (1).
   Target < 2%.
3. The driver's peak memory (RSS) while streaming a synthetic 100,000-sample run through Ray and the
   store. Target <= 1 GiB.

    python bench/scaling.py [--problems 16] [--n 8] [--max-tokens 64] [--shard-size 4] [--skip-engine]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from core.records import Completion, Sample


class StandIn:
    """A replica with no model: returns synthetic samples (~600 characters each) immediately."""

    def __init__(self, engine_name: str, engine_kwargs: dict[str, Any], model_name: str) -> None:
        self.model_name = model_name

    def engine_name(self) -> str:
        return "stand-in"

    def run(self, shard: Any) -> list[Sample]:
        text = "Step one. " * 60
        return [Sample(i.problem_id, self.model_name, i.pool.hash, k,
                       Completion(text, "stop", 120, 150, -0.3, -45.0, 0.01), "stand-in")
                for i in shard.items for k in i.indices]


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def synthetic_shards(n_problems: int, n: int, shard_size: int, store: Path) -> list[Any]:
    from core.records import SamplingParams
    from harness.config import ModelConfig
    from harness.run.plan import PoolSpec, Shard, WorkItem

    spec = PoolSpec("sampled", ModelConfig(name="stand_in", path="none"), "synthetic", "1",
                    SamplingParams(temperature=0.8, max_tokens=256, n=n))
    messages = ((("content", "What is 2 + 2? " * 20), ("role", "user")),)
    shards = []
    for start in range(0, n_problems, shard_size):
        items = tuple(WorkItem(spec, f"p{i}", messages, tuple(range(n)))
                      for i in range(start, min(start + shard_size, n_problems)))
        shards.append(Shard(spec.model, len(shards), items))
    return shards


def driver_run(shards: list[Any], store: Path, replicas: int) -> float:
    from harness.config import ClusterConfig, EngineConfig
    from harness.run.execute import run_shards

    start = time.perf_counter()
    run_shards(shards, shards[0].model, "none", EngineConfig(), ClusterConfig(replicas=replicas,
               num_cpus_per_replica=0.5), 0, store, replica_cls=StandIn)
    return time.perf_counter() - start


def engine_rates(problems: int, n: int, max_tokens: int, shard_size: int) -> dict[int, tuple[float, float]]:
    """(tokens/s, samples/s) with 1 replica x 2 CPUs and 2 replicas x 1 CPU on the same shards."""
    from harness.config import load_sweep_config
    from harness.engines.embedded import resolve_model_path
    from harness.run.execute import run_shards
    from harness.run.plan import make_plan, pool_specs
    from tasks import get_task

    resolved = load_sweep_config([f"limit={problems}", f"budgets=[{n}]", "strategies=[pass_at_k]",
                                  f"max_tokens={max_tokens}", f"cluster.shard_size={shard_size}"])
    sweep = resolved.sweep
    task = get_task("gsm8k")
    model = resolved.models[0]
    path = resolve_model_path(model.path)
    rates = {}
    for replicas, cpus in ((1, 2.0), (2, 1.0)):
        store = Path(tempfile.mkdtemp(prefix="scaling-"))
        specs = pool_specs(resolved, task)
        shards = list(make_plan(specs, task, task.load(sweep.data_dir, problems), store, shard_size).shards)
        cluster = replace(sweep.cluster, replicas=replicas, num_cpus_per_replica=cpus)
        engine = replace(sweep.engine, cpu_kv_cache_gib=2)
        stats = run_shards(shards, model, path, engine, cluster, 0, store)
        rates[replicas] = (stats.tokens / stats.generate_s, stats.samples / stats.generate_s)
        print(f"  {replicas} replica(s) x {cpus:g} CPU: {stats.samples} samples, {stats.tokens} tokens in "
              f"{stats.generate_s:.1f} s = {rates[replicas][0]:.1f} tok/s (load {stats.load_s:.1f} s)")
        shutil.rmtree(store, ignore_errors=True)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--problems", type=int, default=16)
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--shard-size", type=int, default=4)
    parser.add_argument("--skip-engine", action="store_true", help="driver figures only (no model)")
    args = parser.parse_args()
    os.environ["TTC_NO_PROGRESS"] = "1"
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "2")
    import ray

    from harness.config import ClusterConfig
    from harness.run.execute import init_ray

    init_ray(ClusterConfig())
    print(f"driver RSS after imports and Ray start: {peak_rss_gib():.2f} GiB")

    tokens_per_s = samples_per_s = None
    if not args.skip_engine:
        print("1. real engine throughput")
        rates = engine_rates(args.problems, args.n, args.max_tokens, args.shard_size)
        print(f"  ratio 2 replicas / 1 replica: {rates[2][0] / rates[1][0]:.2f}")
        tokens_per_s, samples_per_s = rates[1]

    print("2. driver overhead per 10,000 samples (stand-in replica)")
    from core.records import SamplingParams
    from harness.config import ModelConfig
    from harness.run.plan import PoolSpec, make_plan
    from tasks import get_task

    root = Path(tempfile.mkdtemp(prefix="driver-"))
    task = get_task("gsm8k")
    problems = task.load(None, 1250)
    spec = PoolSpec("sampled", ModelConfig(name="stand_in", path="none"), "gsm8k", "1",
                    SamplingParams(temperature=0.8, max_tokens=256, n=8))
    t0 = time.perf_counter()
    shards = list(make_plan([spec], task, problems, root / "store", 8).shards)  # 1,250 x 8 = 10,000
    plan_s = time.perf_counter() - t0
    run_s = driver_run(shards, root / "store", replicas=2)
    driver_s = plan_s + run_s
    print(f"  10,000 samples: planning {plan_s:.2f} s, queueing + writing {run_s:.2f} s")
    if samples_per_s:
        generate_s = 10_000 / samples_per_s
        share = 100 * driver_s / generate_s
        print(f"  the engine here generates 10,000 such samples (<= {args.max_tokens} tokens) in "
              f"{generate_s:.0f} s ({tokens_per_s:.1f} tok/s): driver share {share:.2f}% (target < 2%)")
    shutil.rmtree(root, ignore_errors=True)

    print("3. driver peak memory streaming 100,000 samples")
    root = Path(tempfile.mkdtemp(prefix="driver-"))
    shards = synthetic_shards(12_500, 8, 64, root)
    run_s = driver_run(shards, root / "store", replicas=2)
    stored = sum(1 for p in (root / "store").rglob("part-*.jsonl") for _ in p.open())
    print(f"  {stored} samples stored in {run_s:.1f} s; driver peak RSS {peak_rss_gib():.2f} GiB "
          "(target <= 1)")
    shutil.rmtree(root, ignore_errors=True)
    ray.shutdown()


if __name__ == "__main__":
    main()
