"""Modeled wall-clock latency per query: parallel samples wait for the slowest, sequential calls add up.

k samples decoded in parallel finish when the longest does, so a k-sample strategy's latency is
prefill + step_seconds x E[max completion tokens of k], the expectation exact over k-subsets of the
pool by order statistics: with x_(1) <= ... <= x_(n) sorted,
    E[max of a random k-subset] = sum_{j=k}^{n} x_(j) C(j-1, k-1) / C(n, k)
(x_(j) is the maximum of exactly the C(j-1, k-1) subsets made of it and k-1 smaller ones). Sequential
strategies (revision, budget forcing, beam steps) wait for each call in turn: the sum of their calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import comb


def expected_max_at_ks(values: Sequence[float], ks: Sequence[int]) -> list[float]:
    """E[max of a uniformly random k-subset of `values`] per k, exact."""
    n = len(values)
    for k in ks:
        if not 1 <= k <= n:
            raise ValueError(f"need 1 <= k <= n, got n={n} k={k}")
    ordered = sorted(values)
    return [sum(x * comb(j - 1, k - 1) for j, x in enumerate(ordered, start=1) if j >= k) / comb(n, k)
            for k in ks]


def parallel_latency(completion_tokens: Sequence[int], ks: Sequence[int], step_seconds: float,
                     prefill_seconds: float = 0.0) -> list[float]:
    """Seconds until the slowest of k parallel samples ends: prefill + step_seconds x E[max tokens]."""
    return [prefill_seconds + step_seconds * m for m in expected_max_at_ks(completion_tokens, ks)]


def sequential_latency(call_seconds: Sequence[float]) -> float:
    """Seconds of calls made one after another (each waits for the previous)."""
    return float(sum(call_seconds))
