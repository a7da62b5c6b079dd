"""A budget split between two pools of one problem (two models, or two temperatures): k1 samples from
pool 1 and k2 from pool 2, each drawn without replacement, the two draws independent.

pass@(k1 + k2) = 1 - [C(n1-c1,k1)/C(n1,k1)] [C(n2-c2,k2)/C(n2,k2)] (the chance that both draws miss).
majority@(k1 + k2) is the exact expectation of the correct share of the plurality over the union of the
two draws (ties uniform, None casts no vote; the same key in both pools is the same answer). Each
pool's vote counts follow a multivariate hypergeometric law; the union's counts are their convolution.
Both are computed for every split (k1, k2) up to (K1, K2) at once and tested against enumeration of
every pair of subsets.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import numpy as np

from strategies.estimators import binomial_table
from strategies.vote_ties import Keys, check_correctness


def miss_probabilities(n: int, c: int, k_max: int) -> np.ndarray:
    """[k] = C(n-c,k)/C(n,k) for k = 0..k_max: all k drawn samples are wrong."""
    if not 0 <= c <= n or not 0 <= k_max <= n:
        raise ValueError(f"need 0 <= c <= n and 0 <= k_max <= n, got n={n} c={c} k_max={k_max}")
    binom = binomial_table(n)
    return binom[n - c, : k_max + 1] / binom[n, : k_max + 1]


def pass_at_splits(n1: int, c1: int, n2: int, c2: int, k1_max: int, k2_max: int) -> np.ndarray:
    """[k1, k2] = pass@(k1 + k2) = 1 - miss1(k1) miss2(k2); [0, 0] = 0 (nothing drawn)."""
    return 1.0 - np.outer(miss_probabilities(n1, c1, k1_max), miss_probabilities(n2, c2, k2_max))


def _shift_matrix(row: np.ndarray, size: int) -> np.ndarray:
    """M[s, s + d] = row[d]: `x @ M` convolves x's last axis with `row`, truncated to `size`."""
    out = np.zeros((size, size))
    for d, value in enumerate(row[:size]):
        if value:
            out += value * np.eye(size, k=d)
    return out


def majority_at_splits(keys1: Keys, keys2: Keys, correct: Mapping[str, bool], k1_max: int,
                       k2_max: int) -> np.ndarray:
    """[k1, k2] = P(the plurality of k1 samples of pool 1 plus k2 of pool 2 is correct), exact.

    For each correct key w and each count c it reaches, the other keys are multiplied as bivariate
    generating polynomials sum_{x1 + x2 <= c} C(m1,x1) C(m2,x2) z1^x1 z2^x2, tracking how many sit at
    exactly c (the tie-break gives w a share 1/(ties + 1)); keys that cannot reach c and abstentions
    are free, C(free1, y1) C(free2, y2) (Vandermonde per pool).
    """
    n1, n2 = len(keys1), len(keys2)
    if not (0 <= k1_max <= n1 and 0 <= k2_max <= n2):
        raise ValueError(f"need k1_max <= n1 and k2_max <= n2, got {k1_max} > {n1} or {k2_max} > {n2}")
    check_correctness([*keys1, *keys2], correct)
    b1, b2 = binomial_table(n1), binomial_table(n2)
    count1 = Counter(k for k in keys1 if k is not None)
    count2 = Counter(k for k in keys2 if k is not None)
    classes = sorted(set(count1) | set(count2))
    m1 = {k: count1.get(k, 0) for k in classes}
    m2 = {k: count2.get(k, 0) for k in classes}
    abstain1, abstain2 = n1 - sum(count1.values()), n2 - sum(count2.values())
    r1, r2 = k1_max + 1, k2_max + 1
    total = np.zeros((r1, r2))
    for w in (k for k in classes if correct[k]):
        for c in range(1, min(m1[w] + m2[w], k1_max + k2_max) + 1):
            rivals = [k for k in classes if k != w and m1[k] + m2[k] >= c]
            free1 = abstain1 + sum(m1[k] for k in classes if k != w and m1[k] + m2[k] < c)
            free2 = abstain2 + sum(m2[k] for k in classes if k != w and m1[k] + m2[k] < c)
            dp = np.zeros((len(rivals) + 1, r1, r2))  # dp[t, s1, s2]: t rivals tied at exactly c
            dp[0, 0, 0] = 1.0
            for k in rivals:
                new = np.zeros_like(dp)
                for x1 in range(min(m1[k], c - 1, k1_max) + 1):  # below c: x1 + x2 <= c - 1
                    row = b2[m2[k], : min(m2[k], c - 1 - x1) + 1]
                    new[:, x1:, :] += b1[m1[k], x1] * (dp[:, : r1 - x1, :] @ _shift_matrix(row, r2))
                for x1 in range(max(0, c - m2[k]), min(m1[k], c, k1_max) + 1):  # exactly c: a tie
                    x2 = c - x1
                    if x2 < r2:
                        new[1:, x1:, x2:] += b1[m1[k], x1] * b2[m2[k], x2] * dp[:-1, : r1 - x1, : r2 - x2]
                dp = new
            shares = np.tensordot(1.0 / np.arange(1, len(rivals) + 2), dp, axes=1)  # [s1, s2]
            free = _shift_matrix(b1[free1, :r1], r1).T @ shares @ _shift_matrix(b2[free2, :r2], r2)
            for x1 in range(max(0, c - m2[w]), min(m1[w], c, k1_max) + 1):  # w drawn exactly c times
                x2 = c - x1
                if x2 < r2:
                    total[x1:, x2:] += b1[m1[w], x1] * b2[m2[w], x2] * free[: r1 - x1, : r2 - x2]
    return total / np.outer(b1[n1, :r1], b2[n2, :r2])
