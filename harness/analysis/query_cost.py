"""Latency and memory traffic of one problem's query, from its stored samples or search trace.

Latency (modeled wall-clock seconds per query) reads the engine seconds every sample records (its
call's measured wall time split over the call's outputs in proportion to their tokens, `Sample.latency_s`):
- k samples of a pool run in parallel and the query ends with the slowest: E[max latency_s of a random
  k-subset of the pool], exact by order statistics (`harness.analysis.latency.expected_max_at_ks`);
- a search trace's calls run one after another: the sum of its calls, each call ending with its slowest
  completion, latency_s x max(lengths) / sum(lengths) (its n completions share its seconds by tokens);
- adaptive sampling draws one sample at a time: the sum of the samples drawn.

Memory bytes (for effective FLOPs, `harness.analysis.memory_traffic`): a k-sample cell is one request of n = k
decoded as a batch of k after one prefill: the weights read once per step for the steps the batch runs,
E[max tokens of a random k-subset] of them (exact, the same order statistics as its latency), and
each sequence its own KV cache; a search call likewise (a batch of its n), its prefill paying the
prompt tokens the prefill rule charges (`cached` ones are free); a call priced by another model (a
reward model) moves no bytes of this model and is charged none. eFLOPs = FLOPs + I x bytes with I
from `harness.analysis.memory_traffic.ACCELERATORS`.
A model whose dtype is not recorded (an import with `--params`, a config without `torch_dtype`) is
priced at 16-bit values (`ASSUMED_DTYPE`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from core.records import ModelInfo
from harness.analysis.latency import expected_max_at_ks, sequential_latency
from harness.analysis.memory_traffic import BYTES_PER_VALUE
from harness.analysis.memory_traffic import batch_decode_bytes as _batch_decode_bytes
from harness.analysis.memory_traffic import cache_bytes as _cache_bytes
from harness.analysis.memory_traffic import decode_bytes as _decode_bytes
from harness.analysis.memory_traffic import prefill_bytes as _prefill_bytes
from harness.analysis.memory_traffic import weight_bytes as _weight_bytes

ASSUMED_DTYPE = "bfloat16"
"""Values of a model whose dtype is unknown."""


def _dtype(info: ModelInfo) -> str:
    known = info.dtype.removeprefix("torch.") in BYTES_PER_VALUE
    return info.dtype if known else ASSUMED_DTYPE


def decode_bytes(info: ModelInfo, prompt_tokens: int, completion_tokens: float, batch: int = 1) -> float:
    """`harness.analysis.memory_traffic.decode_bytes` in the model's dtype (16-bit where it is unknown)."""
    dtype = _dtype(info)
    return _decode_bytes(info, prompt_tokens, completion_tokens, batch, weight_dtype=dtype, kv_dtype=dtype)


def prefill_bytes(info: ModelInfo, prompt_tokens: int) -> float:
    """`harness.analysis.memory_traffic.prefill_bytes` in the model's dtype (16-bit where it is unknown)."""
    dtype = _dtype(info)
    return _prefill_bytes(info, prompt_tokens, weight_dtype=dtype, kv_dtype=dtype)


def parallel_seconds(latencies: Sequence[float], ks: Sequence[int]) -> list[float]:
    """Per k: expected seconds until the slowest of k samples drawn from the pool ends."""
    return expected_max_at_ks(latencies, ks)


def call_seconds(call: Mapping[str, Any]) -> float:
    """One stored call's seconds until its slowest completion ends."""
    seconds = float(call["latency_s"])
    lengths = [int(x) for x in call.get("lengths", ())]
    n = int(call.get("n", 1)) or 1
    if lengths and sum(lengths) > 0:
        return seconds * max(lengths) / sum(lengths)
    return seconds / n if int(call.get("completion_tokens", 0)) > 0 else seconds


def trace_seconds(calls: Sequence[Mapping[str, Any]]) -> float:
    """A search trace's calls one after another."""
    return sequential_latency([call_seconds(c) for c in calls])


def batch_decode_bytes(info: ModelInfo, prompt_tokens: int, lengths: Sequence[float]) -> float:
    """`harness.analysis.memory_traffic.batch_decode_bytes` in the model's dtype (16-bit where it is
    unknown)."""
    dtype = _dtype(info)
    return _batch_decode_bytes(info, prompt_tokens, lengths, weight_dtype=dtype, kv_dtype=dtype)


def cell_bytes(info: ModelInfo, prompt_tokens: int, completion_tokens: Sequence[int], k: int) -> float:
    """Expected bytes of k samples of a pool as one request (a batch of k), exact over k-subsets: one
    prefill, the weights once per step for E[max tokens of k] steps, and k x the pool's mean per-sample
    KV-cache reads (a k-subset's mean is the pool's in expectation)."""
    dtype = _dtype(info)
    steps = expected_max_at_ks(completion_tokens, [k])[0]
    caches = [_cache_bytes(info, prompt_tokens, c, dtype) for c in completion_tokens]
    weights = steps * _weight_bytes(info, dtype)
    return prefill_bytes(info, prompt_tokens) + weights + k * sum(caches) / len(caches)


def call_bytes(info: ModelInfo, call: Mapping[str, Any], rule: str) -> float:
    """Bytes of one stored call of the generator model (0 for another model's call)."""
    if call.get("flops") is not None or call.get("role") == "reward":
        return 0.0
    p, n = int(call["prompt_tokens"]), max(int(call.get("n", 1)), 1)
    cached = int(call.get("cached_tokens", 0)) if rule == "prefix_cache" else 0
    lengths = [int(x) for x in call.get("lengths", ())]
    decoded: Sequence[float] = lengths or [int(call["completion_tokens"]) / n] * n
    prefill = prefill_bytes(info, p - cached) if p > cached else 0.0
    return prefill + batch_decode_bytes(info, p, decoded)


def trace_bytes(info: ModelInfo, calls: Sequence[Mapping[str, Any]], rule: str) -> float:
    return float(sum(call_bytes(info, c, rule) for c in calls))
