"""What a reward model costs next to generation, measured side by side in one run.

The embedded model generates n solutions for each of P GSM8K problems; then the outcome judge
(`smollm2_135m_judge`) and the process judge (`smollm2_135m_step_judge`) score every solution, all
three engines in this process on the same CPUs. Prints wall seconds, tokens/s (generated, resp.
read), FLOPs per solution by the harness's accounting, and each reward model's share of the
generation's time and FLOPs. Engine loads are timed separately and excluded.

    python bench/reward_models.py [--problems 8] [--n 4] [--max-tokens 192]
"""

from __future__ import annotations

import argparse
import time

from core.records import SamplingParams


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--problems", type=int, default=8)
    parser.add_argument("--n", type=int, default=4)
    parser.add_argument("--max-tokens", type=int, default=192)
    args = parser.parse_args()

    from core.flops import decode_flops, prefill_flops
    from harness.engines import create_reward_model
    from harness.engines.embedded import resolve_model_path
    from harness.engines.model_info import load_model_info
    from harness.engines.vllm_engine import VLLMEngine
    from harness.schemas import load_reward_model_config
    from strategies._search import split_steps
    from tasks import get_task

    path = resolve_model_path("embedded:smollm2-135m-instruct")
    info = load_model_info("smollm2_135m", path)
    task = get_task("gsm8k")
    problems = task.load(None, args.problems)
    start = time.perf_counter()
    engine = VLLMEngine(path, seed=0, max_model_len=2048, cpu_kv_cache_gib=2)
    print(f"generator load {time.perf_counter() - start:.1f} s")
    prompts = [engine.render(task.messages(p)) for p in problems]
    params = [SamplingParams(temperature=0.8, max_tokens=args.max_tokens, n=args.n)] * len(prompts)
    start = time.perf_counter()
    outputs = engine.generate(prompts, params)
    gen_s = time.perf_counter() - start
    texts = [c.text for out in outputs for c in out]
    questions = [task.messages(p)[-1]["content"] for p in problems for _ in range(args.n)]
    gen_tokens = sum(c.completion_tokens for out in outputs for c in out)
    gen_flops = sum(prefill_flops(info, c.prompt_tokens) / len(out)
                    + decode_flops(info, c.prompt_tokens, c.completion_tokens)
                    for out in outputs for c in out)
    rows = [("generation", gen_s, gen_tokens, gen_flops)]
    for name in ("smollm2_135m_judge", "smollm2_135m_step_judge"):
        start = time.perf_counter()
        rm = create_reward_model(load_reward_model_config(name))
        print(f"{name} load {time.perf_counter() - start:.1f} s")
        steps = [split_steps(t) for t in texts]
        start = time.perf_counter()
        rewards = rm.score(questions, steps)
        rows.append((name, time.perf_counter() - start, sum(r.prompt_tokens for r in rewards),
                     sum(r.flops for r in rewards)))
        rm.close()  # type: ignore[attr-defined]
    engine.close()
    solutions = len(texts)
    print(f"\n{solutions} solutions ({args.problems} problems x n={args.n}, max_tokens={args.max_tokens}); "
          f"mean steps per solution {sum(len(split_steps(t)) for t in texts) / solutions:.1f}")
    header = ("seconds", "tokens", "tok/s", "GFLOPs/sol", "time/gen", "FLOPs/gen")
    print(f"{'':26} " + " ".join(f"{h:>10}" for h in header))
    for name, secs, tokens, flops in rows:
        print(f"{name:26} {secs:10.1f} {tokens:10d} {tokens / secs:10.0f} {flops / solutions / 1e9:10.1f} "
              f"{secs / gen_s:10.3f} {flops / gen_flops:10.2f}")
    print("(tokens: generated for generation, read for reward models)")


if __name__ == "__main__":
    main()
