"""Stability of a model across samples, exact from one pool of n scored samples per problem.

Each function reads only (n, c): n samples of one problem, c of them correct, and is the exact
expectation over the C(n, k) k-subsets of the pool (sampling without replacement), like pass@k in
`strategies.estimators`. A benchmark's figure is the mean over problems. Formulas and sources are in
docs/metrics.md; every function is tested against enumeration of subsets with exact fractions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import comb


def _check(n: int, c: int, k: int) -> None:
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"need 0 <= c <= n and 1 <= k <= n, got n={n} c={c} k={k}")


def pass_hat_k(n: int, c: int, k: int) -> float:
    """pass^k: probability that ALL k samples drawn without replacement are correct, C(c,k)/C(n,k).

    Yao et al. 2024 (tau-bench), the reliability counterpart of pass@k; equal to G-Pass@k at tau = 1
    (Liu et al. 2024).
    """
    _check(n, c, k)
    return comb(c, k) / comb(n, k)  # int / int is correctly rounded


def at_least_correct(n: int, c: int, k: int, m: int) -> float:
    """P(at least m of k drawn without replacement are correct): sum_{j>=m} C(c,j) C(n-c,k-j) / C(n,k)."""
    return float(at_least_correct_exact(n, c, k, m))


def threshold_count(k: int, tau: float) -> int:
    """m = max(ceil(tau k), 1), with tau k rounded to 1e-9 first so that 0.28 x 25 is 7, not 8."""
    if not 0.0 <= tau <= 1.0:
        raise ValueError(f"tau must be in [0, 1], got {tau}")
    return max(math.ceil(round(tau * k, 9)), 1)


def g_pass_at_k(n: int, c: int, k: int, tau: float) -> float:
    """G-Pass@k_tau = sum_{j = ceil(tau k)}^{c} C(c,j) C(n-c,k-j) / C(n,k) (Liu et al. 2024, "Are Your
    LLMs Capable of Stable Reasoning?"): at least ceil(tau k) of k samples correct. As in the paper's
    reference code the threshold is at least 1, so tau = 0 gives pass@k and tau = 1 gives pass^k."""
    return at_least_correct(n, c, k, threshold_count(k, tau))


def mg_pass_at_k(n: int, c: int, k: int) -> float:
    """mG-Pass@k = 2 int_{0.5}^{1} G-Pass@k_tau dtau = (2/k) sum_{i = ceil(k/2)+1}^{k} G-Pass@k_{i/k}
    (Liu et al. 2024, eq. for mG-Pass@k and its reference code). mG-Pass@1 = 0: the sum is empty."""
    _check(n, c, k)
    low = math.ceil(k / 2)
    total = sum((at_least_correct_exact(n, c, k, i) for i in range(low + 1, k + 1)), Fraction(0))
    return float(2 * total / k)


def at_least_correct_exact(n: int, c: int, k: int, m: int) -> Fraction:
    """`at_least_correct` as an exact fraction."""
    _check(n, c, k)
    top = sum(comb(c, j) * comb(n - c, k - j) for j in range(max(m, 0), min(c, k) + 1))
    return Fraction(top, comb(n, k))


@dataclass(frozen=True)
class AvgAtN:
    """avg@n over a benchmark: the mean fraction of correct samples, with two standard errors."""

    mean: float
    """(1/P) sum_i c_i / n_i over the P problems."""
    se: float
    """Standard error over problems: stdev_i(c_i/n_i) / sqrt(P) (problems drawn from a population;
    includes the sampling noise). nan when P < 2."""
    se_sampling: float
    """Sampling noise only, problems held fixed: sqrt(sum_i xbar_i (1 - xbar_i) / (n_i - 1)) / P, the
    unbiased estimate of sqrt(Var(mean)) with Var(xbar_i) = p_i (1 - p_i) / n_i. nan if some n_i < 2."""
    n_problems: int


def avg_at_n(pools: Sequence[tuple[int, int]]) -> AvgAtN:
    """avg@n and its standard errors from (n_i, c_i) per problem (Miller 2024, "Adding Error Bars to
    Evals": the clustered SE over questions and the within-question sampling variance)."""
    if not pools:
        raise ValueError("avg@n needs at least one problem")
    for n, c in pools:
        if not 0 <= c <= n or n < 1:
            raise ValueError(f"need 0 <= c <= n and n >= 1, got n={n} c={c}")
    rates = [c / n for n, c in pools]
    p = len(rates)
    mean = sum(rates) / p
    se = math.sqrt(sum((r - mean) ** 2 for r in rates) / (p - 1) / p) if p > 1 else math.nan
    if all(n > 1 for n, _ in pools):
        var = sum(r * (1 - r) / (n - 1) for r, (n, _) in zip(rates, pools, strict=True))
        se_sampling = math.sqrt(var) / p
    else:
        se_sampling = math.nan
    return AvgAtN(mean=mean, se=se, se_sampling=se_sampling, n_problems=p)
