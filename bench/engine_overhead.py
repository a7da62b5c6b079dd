"""Generated tokens/s through the harness vs bare `vllm.LLM`, same prompts and params, in rounds.

The harness path is the real one: plan shards -> Ray actor replica (render chat template, generate,
build samples) -> driver writes each shard to the store. The bare arms run in this process on one
engine (thread binding from `harness.engines.cpu_binding`, the best setting measured; its line is
printed): "best bare" makes ONE `generate` call with every prompt (the most the engine can do with
this workload), first on the freshly loaded engine (as the harness's replica is: an engine's first
calls are slower), then the same-shards loop calls `llm.generate` once per shard (same prompts,
params and batch per call), then best bare again on the now warm engine.

Identical calls on one engine vary by +-10% here (a shared 2-core machine), so a single pair of
figures cannot tell 0.95 from 0.85: the bench runs `--rounds` rounds, each a fresh harness run and a
fresh bare engine (the order of the two alternates), and prints every round's ratios and their
median. Engine load time is excluded everywhere. Prints the harness's tokens/s and
`ratio harness / same-shards bare` (target >= 0.90) and `ratio harness / best bare` (target >= 0.95).
Run it with `VLLM_CPU_OMP_THREADS_BIND=auto` in the environment to measure vLLM's default binding.

    python bench/engine_overhead.py [--problems 16] [--n 8] [--max-tokens 256] [--shard-size 8] [--rounds 3]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class HarnessArm:
    tokens: int
    generate_s: float
    load_s: float
    stepped_s: float
    """Engine-step seconds inside the replica (each step's wall time is split over its samples)."""

    @property
    def rate(self) -> float:
        return self.tokens / self.generate_s


def plan_shards(resolved: Any, problems: list[Any], store_root: Path) -> list[Any]:
    """The harness's shards for this workload on an empty store."""
    from harness.run.plan import make_plan, pool_specs
    from tasks import get_task

    task = get_task(resolved.task.name)
    size = resolved.sweep.cluster.shard_size
    plan = make_plan(pool_specs(resolved, task), task, problems, store_root, size)
    return list(plan.shards)


def harness_arm(resolved: Any, problems: list[Any]) -> tuple[HarnessArm, list[Any]]:
    """One run of the real harness path on a fresh store and a fresh replica; also its shards."""
    import ray

    from harness.engines.embedded import resolve_model_path
    from harness.run.execute import run_shards

    sweep, model = resolved.sweep, resolved.models[0]
    with tempfile.TemporaryDirectory() as tmp:
        store_root = Path(tmp)
        shards = plan_shards(resolved, problems, store_root)
        stats = run_shards(shards, model, resolve_model_path(model.path), sweep.engine, sweep.cluster,
                           sweep.seed, store_root)
        stored = [smp for i in {i.pool.hash: i for sh in shards for i in sh.items}.values()
                  for smp in i.pool.store(store_root).read().values()]
        ray.shutdown()  # its processes leave the cores before the bare engine starts
    stepped = sum(smp.output.latency_s for smp in stored)
    return HarnessArm(stats.tokens, stats.generate_s, stats.load_s, stepped), shards


@dataclass(frozen=True)
class BareArms:
    best: float
    """tok/s of one call with every prompt, on a freshly loaded engine."""
    same_shards: float
    warm: float
    """tok/s of one call with every prompt, once the engine is warm."""
    binding: str


def bare_arms(resolved: Any, shards: list[Any]) -> BareArms:
    """The bare arms on one freshly loaded in-process engine, closed at the end."""
    import vllm

    from harness.engines.embedded import resolve_model_path
    from harness.engines.vllm_engine import VLLMEngine

    sweep, model = resolved.sweep, resolved.models[0]
    engine = VLLMEngine(resolve_model_path(model.path), seed=sweep.seed, dtype=model.dtype,
                        max_model_len=model.max_model_len, cpu_kv_cache_gib=sweep.engine.cpu_kv_cache_gib)
    llm = engine._llm
    tokenizer = llm.get_tokenizer()

    def calls(items: list[Any]) -> tuple[list[str], list[Any]]:
        prompts = [str(tokenizer.apply_chat_template(i.chat(), tokenize=False, add_generation_prompt=True))
                   for i in items]
        sp = [vllm.SamplingParams(n=len(i.indices), temperature=i.pool.params.temperature,
                                  top_p=i.pool.params.top_p, max_tokens=i.pool.params.max_tokens, logprobs=1)
              for i in items]
        return prompts, sp

    def timed(batches: list[list[Any]]) -> float:
        with contextlib.suppress(Exception):  # each arm starts with a cold prefix cache
            llm.reset_prefix_cache()
        n_tokens = 0
        start = time.perf_counter()
        for items in batches:
            outs = llm.generate(*calls(items), use_tqdm=False)
            n_tokens += sum(len(o.token_ids) for out in outs for o in out.outputs)
        return n_tokens / (time.perf_counter() - start)

    every = [[i for shard in shards for i in shard.items]]  # one call, every prompt
    best = timed(every)  # first, on the fresh engine: the like-for-like anchor
    same = timed([list(shard.items) for shard in shards])
    warm = timed(every)
    binding = engine.binding_line()
    engine.close()
    del engine
    gc.collect()
    return BareArms(best, same, warm, binding)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--problems", type=int, default=16)
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--shard-size", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "4")
    os.environ["TTC_NO_PROGRESS"] = "1"

    from harness.config import load_sweep_config
    from tasks import get_task

    resolved = load_sweep_config([
        f"limit={args.problems}", f"budgets=[{args.n}]", "strategies=[majority]",
        f"max_tokens={args.max_tokens}", f"cluster.shard_size={args.shard_size}",
    ])
    problems = get_task(resolved.task.name).load(resolved.sweep.data_dir, resolved.sweep.limit)
    rounds: list[tuple[HarnessArm, BareArms]] = []
    for r in range(args.rounds):
        if r % 2 == 0:  # the order alternates, so a drift of the machine hits both arms alike
            harness, shards = harness_arm(resolved, problems)
            bare = bare_arms(resolved, shards)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                bare = bare_arms(resolved, plan_shards(resolved, problems, Path(tmp)))
            harness, shards = harness_arm(resolved, problems)
        rounds.append((harness, bare))
        print(f"round {r + 1} ({'harness first' if r % 2 == 0 else 'bare first'}): harness "
              f"{harness.tokens} tokens in {harness.generate_s:.1f} s = {harness.rate:.1f} tok/s "
              f"(engine load {harness.load_s:.1f} s, excluded; "
              f"{harness.stepped_s / harness.generate_s:.0%} inside the replica's engine steps); "
              f"bare: best {bare.best:.1f}, same shards {bare.same_shards:.1f}, "
              f"warm {bare.warm:.1f} tok/s; ratios harness / best bare {harness.rate / bare.best:.3f}, "
              f"/ same shards {harness.rate / bare.same_shards:.3f}, / warm {harness.rate / bare.warm:.3f}",
              flush=True)

    def med(values: list[float]) -> str:
        return f"{statistics.median(values):.3f}  (rounds: {', '.join(f'{v:.3f}' for v in values)})"

    print(f"workload: {args.problems} GSM8K problems x n={args.n}, max_tokens={args.max_tokens}, "
          f"{len(shards)} shards of {args.shard_size} problems, {args.rounds} rounds")
    print(f"bare arms' {rounds[-1][1].binding}")
    print(f"harness tokens/s: {statistics.median(h.rate for h, _ in rounds):.1f} (median)")
    print(f"ratio harness / same-shards bare: {med([h.rate / b.same_shards for h, b in rounds])}  "
          "(target >= 0.90)")
    print(f"ratio harness / best bare: {med([h.rate / b.best for h, b in rounds])}  "
          "(target >= 0.95; both engines fresh)")
    print(f"ratio harness / best bare on a warm engine: {med([h.rate / b.warm for h, b in rounds])}")


if __name__ == "__main__":
    main()
