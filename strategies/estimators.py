"""Unbiased estimators of k-sample strategies from one pool of n >= k scored samples.

pass@k is Chen et al.'s 1 - C(n-c,k)/C(n,k). majority@k is the exact expectation, over all C(n,k)
subsets of the pool, of "the plurality answer of the subset is correct", with ties broken
uniformly at random and samples without an answer casting no vote. Both are tested against
brute-force enumeration.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
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
    return majority_at_ks(keys, [k])[0]


@lru_cache(maxsize=8)
def binomial_table(n: int) -> np.ndarray:
    """table[m, x] = C(m, x) as floats for 0 <= x <= m <= n (exact up to float rounding)."""
    table = np.zeros((n + 1, n + 1))
    for m in range(n + 1):
        table[m, : m + 1] = [float(comb(m, x)) for x in range(m + 1)]
    return table


def majority_at_ks(keys: Sequence[str | None], ks: Sequence[int]) -> list[float]:
    """majority@k for several k at once (the vote-count tables are shared across k)."""
    n = len(keys)
    for k in ks:
        if not 1 <= k <= n:
            raise ValueError(f"need 1 <= k <= n, got n={n} k={k}")
    counts = Counter(key for key in keys if key is not None)
    n_correct = counts.pop(CORRECT, 0)
    if n_correct == 0 or not ks:
        return [0.0 for _ in ks]
    k_max = max(ks)
    n_abstain = sum(1 for key in keys if key is None)
    others = sorted(counts.values(), reverse=True)
    totals = dict.fromkeys(ks, 0.0)
    binom = binomial_table(n)
    for c in range(1, min(k_max, n_correct) + 1):
        # classes with fewer than c samples can never reach c: they join the unconstrained group,
        # whose subsets of each size are counted by C(size, x) (Vandermonde).
        rivals = [m for m in others if m >= c]
        free = n_abstain + sum(m for m in others if m < c)
        rows = k_max - c + 1  # rival samples drawn: 0 .. k_max - c
        # dp[s, t]: ways to pick s samples from rivals (each at most c), t of them tied at exactly c
        dp = np.zeros((rows, len(rivals) + 1))
        dp[0, 0] = 1.0
        for done, m in enumerate(rivals):
            # this rival contributes x < c samples (weight C(m, x)) or exactly c (a tie)
            below = binom[m, : min(m, c - 1, rows - 1) + 1]
            new = np.zeros_like(dp)
            for t in range(done + 1):  # at most `done` earlier rivals can be tied
                new[:, t] += np.convolve(dp[:, t], below)[:rows]
                if c < rows:
                    new[c:, t + 1] += binom[m, c] * dp[: rows - c, t]
            dp = new
        # win[s]: sum over ties t of ways / (t + 1), the uniform tie-break share of the correct answer
        win = dp @ (1.0 / np.arange(1, len(rivals) + 2))
        free_row = binom[free, :rows]  # C(free, j)
        for k in ks:
            if k < c:
                continue
            rest = k - c
            # sum_s C(free, rest - s) * win[s]
            totals[k] += binom[n_correct, c] * float(free_row[rest::-1] @ win[: rest + 1])
    return [totals[k] / binom[n, k] for k in ks]
