"""Generated tokens/s through the harness vs a bare `vllm.LLM` loop, same prompts and params.

The harness path is the real one: plan shards -> Ray actor replica (render chat template, generate,
build samples) -> driver writes each shard to the store. The bare loop calls `llm.generate` on the
same shards (same prompts, same sampling params, same batch per call) in this process. Engine load
time is excluded from both. Prints both rates and their ratio (target >= 0.90).

    python bench/engine_overhead.py [--problems 16] [--n 8] [--max-tokens 256]
"""

from __future__ import annotations

import argparse
import gc
import os
import tempfile
import time
from pathlib import Path


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
    from harness.embedded import resolve_model_path
    from harness.execute import run_shards
    from harness.planner import make_plan, pool_specs
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
        import ray

        ray.shutdown()

    from harness.engines.vllm_engine import VLLMEngine

    engine = VLLMEngine(path, seed=sweep.seed, dtype=model.dtype, max_model_len=model.max_model_len,
                        cpu_kv_cache_gib=sweep.engine.cpu_kv_cache_gib)
    import vllm

    llm = engine._llm
    tokenizer = llm.get_tokenizer()
    bare_tokens = 0
    start = time.perf_counter()
    for shard in shards:  # the same calls the replica makes, without the harness around them
        prompts = [tokenizer.apply_chat_template(i.chat(), tokenize=False, add_generation_prompt=True)
                   for i in shard.items]
        sp = [vllm.SamplingParams(n=len(i.indices), temperature=i.pool.params.temperature,
                                  top_p=i.pool.params.top_p, max_tokens=i.pool.params.max_tokens, logprobs=1)
                  for i in shard.items]
        outs = llm.generate(prompts, sp, use_tqdm=False)
        bare_tokens += sum(len(o.token_ids) for out in outs for o in out.outputs)
    bare_s = time.perf_counter() - start
    bare_rate = bare_tokens / bare_s
    del engine, llm
    gc.collect()

    print(f"workload: {args.problems} GSM8K problems x n={args.n}, max_tokens={args.max_tokens}, "
          f"{len(shards)} shards of {args.shard_size} problems")
    print(f"harness (Ray actor + store): {stats.tokens} tokens in {stats.generate_s:.1f} s = "
          f"{harness_rate:.1f} tok/s (engine load {stats.load_s:.1f} s, excluded)")
    print(f"bare vllm.LLM loop:          {bare_tokens} tokens in {bare_s:.1f} s = {bare_rate:.1f} tok/s")
    print(f"ratio harness / bare: {harness_rate / bare_rate:.3f}  (target >= 0.90)")


if __name__ == "__main__":
    main()
