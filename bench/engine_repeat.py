"""The same `generate` call, repeated on one freshly loaded engine: how much identical work varies
between calls here, and how much slower an engine's first call is.

Every call is 8 GSM8K prompts x n=8 x `--max-tokens` tokens with `ignore_eos` (so every call does
exactly the same token work), the prefix cache reset before each (so none reuses another's
prefill), on the embedded model with the harness's thread binding. Prints tokens/s per call, then
the spread of the calls after the first and the first call's rate against their median. Engine
load time is excluded. `ONEDNN_VERBOSE=profile_create` in the environment makes oneDNN print every
primitive it creates, with its creation time in ms as the last field.

    python bench/engine_repeat.py [--calls 8] [--max-tokens 128]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=128)
    args = parser.parse_args()
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "2")
    import vllm

    from harness.engines.embedded import resolve_model_path
    from harness.engines.vllm_engine import VLLMEngine
    from tasks import get_task

    engine = VLLMEngine(resolve_model_path("embedded:smollm2-135m-instruct"), seed=0, max_model_len=2048,
                        cpu_kv_cache_gib=int(os.environ["VLLM_CPU_KVCACHE_SPACE"]))
    llm = engine._llm
    tokenizer = llm.get_tokenizer()
    task = get_task("gsm8k")
    chats: list[Any] = [task.messages(p) for p in task.load(None, 8)]
    prompts = [str(tokenizer.apply_chat_template(c, tokenize=False, add_generation_prompt=True))
               for c in chats]
    params = vllm.SamplingParams(n=8, temperature=0.8, max_tokens=args.max_tokens, logprobs=1,
                                 ignore_eos=True)
    rates = []
    for i in range(args.calls):
        llm.reset_prefix_cache()
        start = time.perf_counter()
        outs = llm.generate(prompts, params, use_tqdm=False)
        seconds = time.perf_counter() - start
        tokens = sum(len(o.token_ids) for out in outs for o in out.outputs)
        rates.append(tokens / seconds)
        print(f"call {i}: {tokens} tokens in {seconds:.1f} s = {rates[-1]:.1f} tok/s", flush=True)
    binding = engine.binding_line()
    engine.close()
    later = rates[1:]
    print(binding)
    if later:
        print(f"calls 1-{len(rates) - 1}: {min(later):.1f}-{max(later):.1f} tok/s "
              f"(spread {max(later) / min(later) - 1:.0%}), median {statistics.median(later):.1f}")
        print(f"first call / median of the later calls: {rates[0] / statistics.median(later):.3f}")


if __name__ == "__main__":
    main()
