"""Unbiased estimators of k-sample strategies from one pool of n >= k scored samples.

pass@k is Chen et al.'s 1 - C(n-c,k)/C(n,k). majority@k is the exact expectation, over all C(n,k)
subsets of the pool, of "the plurality answer of the subset is correct", with ties broken
uniformly at random and samples without an answer casting no vote. Both are tested against
brute-force enumeration.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from math import comb

import numpy as np

CORRECT = "\x00correct"
"""Vote key shared by every correct sample: all are equivalent to the reference, so to each other."""


def pass_at_k(n: int, c: int, k: int) -> float:
    """Probability that at least one of k samples drawn without replacement from n (c correct) is."""
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"need 0 <= c <= n and 1 <= k <= n, got n={n} c={c} k={k}")
    if n - c < k:
        return 1.0
    # 1 - prod_{i=n-c+1}^{n} (1 - k/i): stable for large n
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def vote_keys(answers: Sequence[str | None], correct: Sequence[bool]) -> list[str | None]:
    """One vote key per sample: CORRECT for correct ones, the answer otherwise, None = no vote."""
    return [CORRECT if ok else a for a, ok in zip(answers, correct, strict=True)]


def majority_at_k(keys: Sequence[str | None], k: int) -> float:
    """Exact E[plurality of a random k-subset is CORRECT], ties uniform, None casts no vote."""
    n = len(keys)
    if not 1 <= k <= n:
        raise ValueError(f"need 1 <= k <= n, got n={n} k={k}")
    counts = Counter(key for key in keys if key is not None)
    n_correct = counts.pop(CORRECT, 0)
    if n_correct == 0:
        return 0.0
    n_abstain = sum(1 for key in keys if key is None)
    others = sorted(counts.values(), reverse=True)
    total = 0.0
    for c in range(1, min(k, n_correct) + 1):
        # classes with fewer than c samples can never reach c: they join the unconstrained group,
        # whose subsets of each size are counted by C(size, x) (Vandermonde).
        rivals = [m for m in others if m >= c]
        free = n_abstain + sum(m for m in others if m < c)
        # dp[s, t]: ways to pick s samples from rivals (each at most c), t of them tied at exactly c
        dp = np.zeros((k + 1, len(rivals) + 1))
        dp[0, 0] = 1.0
        for m in rivals:
            new = np.zeros_like(dp)
            for x in range(0, min(m, c) + 1):
                w = float(comb(m, x))
                if x < c:
                    new[x:, :] += w * dp[: k + 1 - x, :]
                else:
                    new[x:, 1:] += w * dp[: k + 1 - x, :-1]
            dp = new
        rest = k - c
        ways = 0.0
        for s in range(0, rest + 1):
            free_ways = comb(free, rest - s)
            if free_ways:
                ways += free_ways * float(np.sum(dp[s, :] / np.arange(1, len(rivals) + 2)))
        total += comb(n_correct, c) * ways
    return total / comb(n, k)
