"""Votes as keys: the plurality's correct share, and how often a plurality vote is tied, exact over k-subsets.

A pool is a list of vote keys, one per sample (None: no answer, casts no vote), plus a correctness
map key -> verdict, so several distinct keys may be correct (reference-free keys do not merge
equivalent answers). The plurality winner is drawn uniformly among the keys with the top count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np

from strategies.estimators import binomial_table

Keys = Sequence[str | None]
"""One vote key per sample of a pool; None casts no vote."""


def check_correctness(keys: Keys, correct: Mapping[str, bool]) -> None:
    """Every key that votes must have a verdict in `correct`."""
    missing = sorted({k for k in keys if k is not None and k not in correct})
    if missing:
        raise ValueError(f"vote keys without a verdict in the correctness map: {missing[:5]}")


def correctness_map(keys: Keys, verdicts: Sequence[bool]) -> dict[str, bool]:
    """key -> verdict from per-sample verdicts; a key judged both ways is an error."""
    out: dict[str, bool] = {}
    for key, ok in zip(keys, verdicts, strict=True):
        if key is None:
            continue
        if out.setdefault(key, ok) != ok:
            raise ValueError(f"vote key {key!r} is judged both correct and wrong")
    return out


def plurality_share(counts: Mapping[str, int], correct: Mapping[str, bool]) -> float:
    """P(the uniformly tie-broken plurality key is correct) = |top keys that are correct| / |top keys|;
    0 when nobody voted."""
    top = max(counts.values(), default=0)
    if top == 0:
        return 0.0
    tied = [key for key, v in counts.items() if v == top]
    return sum(correct[key] for key in tied) / len(tied)


def tie_rate_at_ks(keys: Keys, ks: Sequence[int]) -> list[float]:
    """P(the top vote count of a random k-subset is shared by two or more keys), exact, per k.

    Subsets where nobody votes are not ties. For each top count c the rivals that can reach c are
    multiplied as generating polynomials sum_{x<=c} C(m,x) z^x, tracking how many sit at exactly c
    (0, 1, 2+); keys with fewer than c samples and the abstentions are free (Vandermonde).
    """
    n = len(keys)
    for k in ks:
        if not 1 <= k <= n:
            raise ValueError(f"need 1 <= k <= n, got n={n} k={k}")
    if not ks:
        return []
    k_max = max(ks)
    counts = sorted(Counter(k for k in keys if k is not None).values(), reverse=True)
    n_abstain = n - sum(counts)
    binom = binomial_table(n)
    ties = dict.fromkeys(ks, 0.0)
    rows = k_max + 1
    for c in range(1, k_max // 2 + 1):
        rivals = [m for m in counts if m >= c]
        if len(rivals) < 2:
            break  # counts are sorted: larger c has even fewer rivals
        free = n_abstain + sum(m for m in counts if m < c)
        dp = np.zeros((rows, 3))  # dp[s, t]: ways to draw s samples, t (capped at 2) keys at exactly c
        dp[0, 0] = 1.0
        for m in rivals:
            below = binom[m, : min(c - 1, rows - 1) + 1]
            new = np.zeros_like(dp)
            for t in range(3):
                new[:, t] = np.convolve(dp[:, t], below)[:rows]
            if c < rows:
                at = binom[m, c]
                new[c:, 1] += at * dp[: rows - c, 0]
                new[c:, 2] += at * (dp[: rows - c, 1] + dp[: rows - c, 2])
            dp = new
        free_row = binom[free, :rows]
        for k in ks:
            if k >= 2 * c:
                ties[k] += float(free_row[k::-1] @ dp[: k + 1, 2])
    return [ties[k] / binom[n, k] for k in ks]
