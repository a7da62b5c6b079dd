"""Memory traffic of decoding and the "effective FLOPs" axis, where FLOPs understate the cost of long
generations (Kinetics, Sadhukhan et al. 2025: eFLOPs = FLOPs + I x bytes moved).

Per decode step a batch reads the weights once and each sequence still decoding reads its own KV
cache at its context t: 2 n_layer t n_kv_heads head_dim bytes_per_value (keys and values). A batch
(one request of n) runs until its longest sequence ends, so sequences of lengths L_1..L_B after a
prompt of p move (`batch_decode_bytes`)
    max_i(L_i) W + kv sum_i (L_i p + L_i (L_i - 1) / 2),  kv = 2 n_layer n_kv_heads head_dim bytes/value.
`decode_bytes` is one sequence's charge when the weights are split evenly over a batch of B that
stays full (L W / B + kv (L p / s + L (L - 1) / 2), with s = B when the batch's sequences share the
prompt's cache and read it once per step, a shared-prefix attention kernel, else s = 1); at B = 1 it
is a sample decoded alone. The prefill reads the weights once and writes the prompt's cache:
W + kv p. I is the accelerator's arithmetic intensity, peak FLOP/s over memory bytes/s, from
`ACCELERATORS` (or any value the caller gives).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.records import ModelInfo

BYTES_PER_VALUE = {"float32": 4, "float": 4, "bfloat16": 2, "float16": 2, "half": 2, "fp8": 1, "float8": 1,
                   "int8": 1}


@dataclass(frozen=True)
class Accelerator:
    """Peak dense throughput and memory bandwidth of one device."""

    name: str
    peak_flops: float
    """Dense 16-bit FLOP/s (no sparsity)."""
    bandwidth: float
    """Memory bytes/s."""

    @property
    def intensity(self) -> float:
        """FLOPs the device can do in the time it moves one byte: peak_flops / bandwidth."""
        return self.peak_flops / self.bandwidth


ACCELERATORS = {
    a.name: a
    for a in (
        Accelerator("h100", 989.4e12, 3.35e12),  # H100 SXM: BF16 dense, HBM3
        Accelerator("h200", 989.4e12, 4.8e12),  # H200 SXM: same compute, HBM3e
        Accelerator("a100", 312e12, 2.039e12),  # A100 SXM 80 GB: BF16 dense, HBM2e
        # a rough server CPU (AVX-512 FMA on ~16 cores, 8-channel DDR5); override for a real machine
        Accelerator("cpu", 1.0e12, 1.0e11),
    )
}


DEFAULT_ACCELERATOR = "cpu"
"""The sweep config's default `accelerator` (the embedded model runs on CPU)."""
DEFAULT_INTENSITY = ACCELERATORS[DEFAULT_ACCELERATOR].intensity


def accelerator(name: str) -> Accelerator:
    if name not in ACCELERATORS:
        valid = ", ".join(sorted(ACCELERATORS))
        raise ValueError(f"unknown accelerator '{name}'; valid accelerators: {valid}")
    return ACCELERATORS[name]


def bytes_per_value(dtype: str) -> int:
    """Bytes of one weight or cache value of `dtype` (`torch.` prefix allowed)."""
    key = dtype.removeprefix("torch.")
    if key not in BYTES_PER_VALUE:
        raise ValueError(f"unknown dtype '{dtype}'; valid dtypes: {', '.join(sorted(BYTES_PER_VALUE))}")
    return BYTES_PER_VALUE[key]


def kv_bytes_per_token(info: ModelInfo, kv_dtype: str | None = None) -> float:
    """2 n_layer n_kv_heads head_dim bytes_per_value: the keys and values one token adds to the cache
    (0 for a model recorded without attention shapes, e.g. an import with `--params`: linear-only)."""
    head_dim = info.d_attn // info.n_heads if info.n_heads else 0
    return 2.0 * info.n_layers * info.n_kv_heads * head_dim * bytes_per_value(kv_dtype or info.dtype)


def weight_bytes(info: ModelInfo, weight_dtype: str | None = None) -> float:
    """All parameters (the tied embedding is the LM head's matrix, read every step)."""
    return float(info.n_params) * bytes_per_value(weight_dtype or info.dtype)


def decode_bytes(info: ModelInfo, prompt_tokens: int, completion_tokens: float, batch: int = 1,
                 shared_prompt: bool = False, weight_dtype: str | None = None,
                 kv_dtype: str | None = None) -> float:
    """Bytes charged to one sample of `completion_tokens` decoded in a batch of `batch` sequences."""
    if batch < 1 or prompt_tokens < 0 or completion_tokens < 0:
        raise ValueError(f"need batch >= 1 and token counts >= 0, got {batch}, {prompt_tokens}, "
                         f"{completion_tokens}")
    prompt_share = prompt_tokens / batch if shared_prompt else float(prompt_tokens)
    return (completion_tokens * weight_bytes(info, weight_dtype) / batch
            + cache_bytes(info, prompt_share, completion_tokens, kv_dtype))


def cache_bytes(info: ModelInfo, prompt_tokens: float, completion_tokens: float,
                kv_dtype: str | None = None) -> float:
    """KV-cache bytes one sequence reads over its decode steps: at step i its context is the prompt
    and i earlier tokens, kv (L p + L (L - 1) / 2) in all."""
    length = completion_tokens
    return kv_bytes_per_token(info, kv_dtype) * (length * prompt_tokens + length * (length - 1) / 2)


def batch_decode_bytes(info: ModelInfo, prompt_tokens: int, lengths: Sequence[float],
                       weight_dtype: str | None = None, kv_dtype: str | None = None) -> float:
    """Bytes of decoding `lengths` as one batch after one prompt: the weights once per step for the
    max(lengths) steps the batch runs, and each sequence's own cache every step it decodes."""
    if not lengths:
        return 0.0
    weights = max(lengths) * weight_bytes(info, weight_dtype)
    return weights + sum(cache_bytes(info, prompt_tokens, n, kv_dtype) for n in lengths)


def prefill_bytes(info: ModelInfo, prompt_tokens: int, weight_dtype: str | None = None,
                  kv_dtype: str | None = None) -> float:
    """Weights read once and the prompt's cache written once."""
    return weight_bytes(info, weight_dtype) + kv_bytes_per_token(info, kv_dtype) * prompt_tokens


def effective_flops(flops: float, bytes_moved: float, intensity: float) -> float:
    """eFLOPs = FLOPs + I x bytes (Kinetics, Sadhukhan et al. 2025)."""
    return flops + intensity * bytes_moved
