"""Generated tokens/s through the harness vs bare `vllm.LLM`, same prompts and params.

The harness path is the real one: plan shards -> Ray actor replica (render chat template, generate,
build samples) -> driver writes each shard to the store. Two bare arms run in this process on one
engine (thread binding from `harness.engines.cpu_binding`, the best setting measured; its line is
printed): the same-shards loop calls `llm.generate` once per shard (same prompts, params and batch
per call), and "best bare" makes ONE `generate` call with every prompt (the most the engine can do
with this workload), first on the freshly loaded engine (as the harness's replica is) and again
once it is warm. A last arm makes the same one call with every sequence as long as the harness's
sample was (`ignore_eos`): the same token work, so the luck of how many samples stop early (which sets
how full the last steps' batches are, and swings a short run's tokens/s by +-10%) is out of it.
Engine load time is excluded everywhere. Prints the harness's tokens/s and `ratio harness /
same-shards bare` (target >= 0.90) and `ratio harness / best bare` (target >= 0.95), free and with
the same token work.
Run it with `VLLM_CPU_OMP_THREADS_BIND=auto` in the environment to measure vLLM's default binding.

    python bench/engine_overhead.py [--problems 16] [--n 8] [--max-tokens 256] [--shard-size 8]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import tempfile
import time
from pathlib import Path
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--problems", type=int, default=16)
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--shard-size", type=int, default=8)
    args = parser.parse_args()
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "4")
    os.environ["TTC_NO_PROGRESS"] = "1"

    from harness.config import load_sweep_config
    from harness.engines.embedded import resolve_model_path
    from harness.run.execute import run_shards
    from harness.run.plan import make_plan, pool_specs
    from tasks import get_task

    resolved = load_sweep_config([
        f"limit={args.problems}", f"budgets=[{args.n}]", "strategies=[majority]",
        f"max_tokens={args.max_tokens}", f"cluster.shard_size={args.shard_size}",
    ])
    sweep = resolved.sweep
    model = resolved.models[0]
    path = resolve_model_path(model.path)
    task = get_task(resolved.task.name)
    problems = task.load(sweep.data_dir, sweep.limit)
    with tempfile.TemporaryDirectory() as tmp:
        store_root = Path(tmp)
        plan = make_plan(pool_specs(resolved, task), task, problems, store_root, sweep.cluster.shard_size)
        shards = list(plan.shards)

        stats = run_shards(shards, model, path, sweep.engine, sweep.cluster, sweep.seed, store_root)
        harness_rate = stats.tokens / stats.generate_s
        # engine-step seconds inside the replica (each step's wall time is split over its samples)
        stored = [smp for i in {i.pool.hash: i for sh in shards for i in sh.items}.values()
                  for smp in i.pool.store(store_root).read().values()]
        stepped = sum(smp.output.latency_s for smp in stored)
        lengths: dict[str, list[int]] = {}
        for smp in stored:
            lengths.setdefault(smp.problem_id, []).append(smp.output.completion_tokens)
        import ray

        ray.shutdown()

    from harness.engines.vllm_engine import VLLMEngine

    engine = VLLMEngine(path, seed=sweep.seed, dtype=model.dtype, max_model_len=model.max_model_len,
                        cpu_kv_cache_gib=sweep.engine.cpu_kv_cache_gib)
    import vllm

    llm = engine._llm
    tokenizer = llm.get_tokenizer()

    def calls(items: list[Any]) -> tuple[list[str], list[Any]]:
        prompts = [tokenizer.apply_chat_template(i.chat(), tokenize=False, add_generation_prompt=True)
                   for i in items]
        sp = [vllm.SamplingParams(n=len(i.indices), temperature=i.pool.params.temperature,
                                  top_p=i.pool.params.top_p, max_tokens=i.pool.params.max_tokens, logprobs=1)
              for i in items]
        return prompts, sp

    def timed(batches: list[list[Any]]) -> tuple[int, float]:
        with contextlib.suppress(Exception):  # each arm starts with a cold prefix cache
            llm.reset_prefix_cache()
        n_tokens = 0
        start = time.perf_counter()
        for items in batches:
            outs = llm.generate(*calls(items), use_tqdm=False)
            n_tokens += sum(len(o.token_ids) for out in outs for o in out.outputs)
        return n_tokens, time.perf_counter() - start

    every = [[i for shard in shards for i in shard.items]]  # one call, every prompt

    def matched() -> tuple[int, float]:
        """One call, every prompt, each sequence made exactly as long as the harness's sample was
        (ignore_eos, no stop strings): the same token work, so sampling luck (how many sequences
        stop early, and so how full the last steps' batches are) is out of the comparison."""
        prompts, sp = [], []
        for item in every[0]:
            prompt = tokenizer.apply_chat_template(item.chat(), tokenize=False, add_generation_prompt=True)
            for length in lengths[item.problem_id]:
                if length > 0:
                    prompts.append(prompt)
                    sp.append(vllm.SamplingParams(n=1, temperature=item.pool.params.temperature,
                                                  top_p=item.pool.params.top_p, max_tokens=length,
                                                  ignore_eos=True, logprobs=1))
        with contextlib.suppress(Exception):
            llm.reset_prefix_cache()
        start = time.perf_counter()
        outs = llm.generate(prompts, sp, use_tqdm=False)
        return sum(len(o.token_ids) for out in outs for o in out.outputs), time.perf_counter() - start
    # The harness's replica engine is freshly loaded when its first shard arrives, and an engine's
    # first calls are slower (first touch of the KV cache, kernels for new batch shapes): so best
    # bare runs first on this freshly loaded engine (the like-for-like anchor), then the same-shards
    # loop (the same calls the replica makes, without the harness around them), then best bare again
    # on the now warm engine (the most this engine can do).
    best_tokens, best_s = timed(every)
    bare_tokens, bare_s = timed([list(shard.items) for shard in shards])
    warm_tokens, warm_s = timed(every)
    same_tokens, same_s = matched()
    bare_rate, best_rate, warm_rate = bare_tokens / bare_s, best_tokens / best_s, warm_tokens / warm_s
    same_rate = same_tokens / same_s
    binding = engine.cpu_binding
    engine.close()
    del engine
    gc.collect()

    print(f"workload: {args.problems} GSM8K problems x n={args.n}, max_tokens={args.max_tokens}, "
          f"{len(shards)} shards of {args.shard_size} problems")
    print(f"harness (Ray actor + store): {stats.tokens} tokens in {stats.generate_s:.1f} s = "
          f"{harness_rate:.1f} tok/s (engine load {stats.load_s:.1f} s, excluded)")
    print(f"  of which inside the replica's engine steps: {stepped:.1f} s "
          f"({stepped / stats.generate_s:.0%}; the rest is Ray, the driver and the store)")
    print(f"bare vllm.LLM, same shards:  {bare_tokens} tokens in {bare_s:.1f} s = {bare_rate:.1f} tok/s")
    print(f"best bare, fresh engine: {best_tokens} tokens in {best_s:.1f} s = {best_rate:.1f} tok/s")
    print(f"best bare, warm engine:  {warm_tokens} tokens in {warm_s:.1f} s = {warm_rate:.1f} tok/s")
    print(f"best bare, same lengths as the harness's samples (warm): {same_tokens} tokens in {same_s:.1f} s "
          f"= {same_rate:.1f} tok/s")
    print(f"bare arms' {binding.line() if binding else 'engine threads: GPU, no CPU binding'}")
    print(f"harness tokens/s: {harness_rate:.1f}")
    print(f"ratio harness / same-shards bare: {harness_rate / bare_rate:.3f}  (target >= 0.90)")
    print(f"ratio harness / best bare: {harness_rate / best_rate:.3f}  (target >= 0.95; both engines fresh)")
    print(f"ratio harness / best bare on a warm engine: {harness_rate / warm_rate:.3f}")
    print(f"ratio harness / best bare, same token work: {harness_rate / same_rate:.3f}  (target >= 0.95)")


if __name__ == "__main__":
    main()
