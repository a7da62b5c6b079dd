"""pass^k, G-Pass@k, mG-Pass@k and avg@n against enumeration of every k-subset with exact fractions."""

from __future__ import annotations

import itertools
import math
import random
import statistics
from fractions import Fraction

import pytest

from strategies.estimators import pass_at_k
from strategies.stability import avg_at_n, g_pass_at_k, mg_pass_at_k, pass_hat_k


def subsets_correct(n: int, c: int, k: int) -> list[int]:
    """Number of correct samples in each k-subset of a pool whose first c samples are correct."""
    return [sum(i < c for i in s) for s in itertools.combinations(range(n), k)]


def brute_at_least(n: int, c: int, k: int, m: int) -> Fraction:
    counts = subsets_correct(n, c, k)
    return Fraction(sum(x >= m for x in counts), len(counts))


POOLS = [(n, c) for n in range(1, 9) for c in range(n + 1)]


@pytest.mark.parametrize(("n", "c"), POOLS)
def test_pass_hat_k_is_all_k_correct(n: int, c: int) -> None:
    for k in range(1, n + 1):
        assert pass_hat_k(n, c, k) == pytest.approx(float(brute_at_least(n, c, k, k)), abs=1e-15)


@pytest.mark.parametrize(("n", "c"), POOLS)
def test_g_pass_matches_enumeration(n: int, c: int) -> None:
    for k in range(1, n + 1):
        for tau in (0.0, 0.25, 0.3, 0.5, 0.7, 0.75, 1.0):
            # threshold by exact rational arithmetic, independent of the float rounding in the module
            m = max(math.ceil(Fraction(str(tau)) * k), 1)
            assert g_pass_at_k(n, c, k, tau) == pytest.approx(float(brute_at_least(n, c, k, m)), abs=1e-15)


def test_g_pass_threshold_is_exact_where_tau_k_is_an_integer() -> None:
    # 0.28 x 25 is 7.000000000000001 in floating point; the threshold is 7, not 8
    assert 0.28 * 25 > 7
    want = brute_at_least(26, 7, 25, 7)
    assert want == Fraction(19, 26) and brute_at_least(26, 7, 25, 8) == 0
    assert g_pass_at_k(26, 7, 25, 0.28) == pytest.approx(float(want), abs=1e-15)


def test_g_pass_ends_are_pass_at_k_and_pass_hat_k() -> None:
    for n, c in POOLS:
        for k in range(1, n + 1):
            assert g_pass_at_k(n, c, k, 0.0) == pytest.approx(pass_at_k(n, c, k), abs=1e-12)
            assert g_pass_at_k(n, c, k, 1.0) == pytest.approx(pass_hat_k(n, c, k), abs=1e-15)


@pytest.mark.parametrize(("n", "c"), POOLS)
def test_mg_pass_is_the_mean_over_thresholds_above_half(n: int, c: int) -> None:
    for k in range(1, n + 1):
        counts = subsets_correct(n, c, k)
        # (2/k) sum_{i = ceil(k/2)+1}^{k} P(X >= i), with P taken over the enumerated subsets
        grid = range(math.ceil(Fraction(k, 2)) + 1, k + 1)
        expected = Fraction(2, k) * sum((Fraction(sum(x >= i for x in counts), len(counts)) for i in grid),
                                        Fraction(0))
        assert mg_pass_at_k(n, c, k) == pytest.approx(float(expected), abs=1e-15)


def test_mg_pass_hand_cases() -> None:
    # k = 4: thresholds i = 3, 4; pool all correct -> (2/4)(1 + 1) = 1
    assert mg_pass_at_k(6, 6, 4) == 1.0
    # k = 1: empty grid, 0 by the paper's definition
    assert mg_pass_at_k(5, 5, 1) == 0.0
    # n = k = 2, c = 1: i = 2 only, P(both correct) = 0 -> 0; c = 2 -> (2/2) * 1
    assert mg_pass_at_k(2, 1, 2) == 0.0
    assert mg_pass_at_k(2, 2, 2) == 1.0


def test_bad_input_is_rejected() -> None:
    with pytest.raises(ValueError):
        pass_hat_k(3, 4, 1)
    with pytest.raises(ValueError):
        g_pass_at_k(3, 1, 4, 0.5)
    with pytest.raises(ValueError):
        g_pass_at_k(3, 1, 2, 1.5)
    with pytest.raises(ValueError):
        avg_at_n([])


def test_avg_at_n_and_its_standard_errors() -> None:
    rng = random.Random(3)
    pools = [(n, rng.randint(0, n)) for n in (rng.randint(2, 9) for _ in range(30))]
    got = avg_at_n(pools)
    rates = [c / n for n, c in pools]
    assert got.mean == pytest.approx(statistics.fmean(rates))
    assert got.se == pytest.approx(statistics.stdev(rates) / math.sqrt(len(rates)))
    assert got.n_problems == 30


@pytest.mark.parametrize("n", [2, 3, 5])
def test_avg_at_n_sampling_variance_is_unbiased(n: int) -> None:
    # E over Binomial(n, p) draws of the estimated Var(xbar) equals the true p (1 - p) / n, exactly
    for p in (Fraction(1, 3), Fraction(1, 2), Fraction(4, 5)):
        expected = Fraction(0)
        for c in range(n + 1):
            prob = math.comb(n, c) * p**c * (1 - p) ** (n - c)
            var = Fraction(avg_at_n([(n, c)]).se_sampling ** 2).limit_denominator(10**6)
            expected += prob * var
        assert float(expected) == pytest.approx(float(p * (1 - p) / n), abs=1e-9)
    assert math.isnan(avg_at_n([(1, 1), (3, 2)]).se_sampling)
    assert math.isnan(avg_at_n([(3, 2)]).se)
