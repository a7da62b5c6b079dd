"""Adaptive self-consistency against a direct simulation and against the exact expectation over all orders."""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from collections.abc import Callable
from fractions import Fraction

import numpy as np
import pytest

from strategies.adaptive import (
    BetaRule,
    MarginRule,
    StopRule,
    adaptive_vote,
    beta_confidence,
    mean_over_problems,
    permutations,
)
from strategies.estimators import CORRECT, majority_at_k


def beta_tail_exact(a: int, b: int) -> Fraction:
    """int_{1/2}^{1} x^a (1-x)^b dx / int_0^1 x^a (1-x)^b dx, by expanding (1-x)^b and integrating."""
    def integral(lo: Fraction) -> Fraction:
        return sum((Fraction((-1) ** j * math.comb(b, j), a + j + 1) * (1 - lo ** (a + j + 1))
                    for j in range(b + 1)), Fraction(0))
    return integral(Fraction(1, 2)) / integral(Fraction(0))


def test_beta_confidence_is_the_beta_posterior_tail() -> None:
    for a in range(0, 9):
        for b in range(0, a + 1):
            assert beta_confidence(a, b) == pytest.approx(float(beta_tail_exact(a, b)), abs=1e-14)
    # Adaptive-Consistency with threshold 0.95 stops after 4 unanimous votes (1 - 2^-5 = 0.969)
    assert [BetaRule().should_stop(v, 0) for v in range(1, 6)] == [False, False, False, True, True]


@pytest.mark.parametrize("threshold", [0.75, 0.875, 31 / 32, 0.95, 0.955, 0.99])
def test_beta_rule_stops_at_the_threshold_inclusive(threshold: float) -> None:
    rule = BetaRule(threshold)
    for a in range(1, 16):
        for b in range(0, a + 1):
            assert rule.should_stop(a, b) == (float(beta_tail_exact(a, b)) >= threshold), (a, b)


def simulate(keys: list[str | None], correct: dict[str, bool], order: list[int], cap: int,
             stop: Callable[[int, int], bool], costs: list[float]) -> tuple[Fraction, int, float]:
    """Walk one order by hand: (correct share of the plurality, samples drawn, cost drawn)."""
    votes: Counter[str] = Counter()
    drawn = 0
    for i in order[:cap]:
        drawn += 1
        key = keys[i]
        if key is not None:
            votes[key] += 1
        top2 = [*sorted(votes.values(), reverse=True), 0, 0][:2]
        if top2[0] >= 1 and stop(top2[0], top2[1]):
            break
    spent = sum(costs[i] for i in order[:drawn])
    if not votes:
        return Fraction(0), drawn, spent
    best = max(votes.values())
    tied = [k for k, v in votes.items() if v == best]
    return Fraction(sum(correct[k] for k in tied), len(tied)), drawn, spent


def random_problem(rng: random.Random, n: int) -> tuple[list[str | None], dict[str, bool]]:
    alphabet = ["a", "b", "c", None][: rng.randint(1, 4)]
    keys = [rng.choice(alphabet) for _ in range(n)]
    correct = {k: rng.random() < 0.5 for k in alphabet if k is not None}
    return keys, correct


RULES = [
    ("beta", BetaRule(0.95), lambda a, b: float(beta_tail_exact(a, b)) >= 0.95),
    ("beta80", BetaRule(0.8), lambda a, b: float(beta_tail_exact(a, b)) >= 0.8),
    ("margin2", MarginRule(2), lambda a, b: a - b >= 2),
    ("margin3", MarginRule(3), lambda a, b: a - b >= 3),
]


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(("name", "rule", "by_hand"), RULES)
def test_matches_a_direct_simulation_on_the_same_orders(seed: int, name: str, rule: StopRule,
                                                        by_hand: Callable[[int, int], bool]) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 12)
    keys, correct = random_problem(rng, n)
    tokens = [float(rng.randint(5, 50)) for _ in range(n)]
    caps = list(range(1, n + 1))
    got = adaptive_vote(keys, correct, rule, caps, {"tokens": tokens}, resamples=64, seed=seed)
    orders = permutations(n, 64, seed).tolist()
    for cap, result in zip(caps, got, strict=True):
        walks = [simulate(keys, correct, order, cap, by_hand, tokens) for order in orders]
        assert result.accuracy == pytest.approx(float(sum(w[0] for w in walks) / len(walks)), abs=1e-12)
        assert result.samples == pytest.approx(np.mean([w[1] for w in walks]), abs=1e-12)
        assert result.costs["tokens"] == pytest.approx(np.mean([w[2] for w in walks]), abs=1e-9)
        spread = np.std([float(w[0]) for w in walks], ddof=1)
        assert result.accuracy_se == pytest.approx(spread / math.sqrt(64), abs=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_estimate_is_within_its_error_of_the_exact_expectation_over_all_orders(seed: int) -> None:
    rng = random.Random(100 + seed)
    n = 6
    keys, correct = random_problem(rng, n)
    tokens = [float(rng.randint(5, 50)) for _ in range(n)]
    orders = list(itertools.permutations(range(n)))
    for cap in (2, 4, 6):
        walks = [simulate(keys, correct, list(o), cap, lambda a, b: a - b >= 2, tokens) for o in orders]
        exact_acc = float(sum(w[0] for w in walks) / len(walks))
        exact_samples = float(np.mean([w[1] for w in walks]))
        (got,) = adaptive_vote(keys, correct, MarginRule(2), [cap], {"tokens": tokens}, resamples=4000,
                               seed=seed)
        assert abs(got.accuracy - exact_acc) <= 4 * got.accuracy_se + 1e-12
        assert abs(got.samples - exact_samples) <= 4 * got.samples_se + 1e-12


def test_a_rule_that_never_fires_is_majority_at_the_cap() -> None:
    rng = random.Random(5)
    keys = [rng.choice([CORRECT, CORRECT, "a", "b", None]) for _ in range(10)]
    correct = {CORRECT: True, "a": False, "b": False}
    results = adaptive_vote(keys, correct, MarginRule(11), [1, 3, 5, 10], resamples=3000, seed=1)
    for r in results:
        assert r.samples == r.cap and r.samples_se == 0.0
        assert abs(r.accuracy - majority_at_k(keys, r.cap)) <= 4 * r.accuracy_se + 1e-12


def test_hand_cases() -> None:
    same = ["x"] * 8
    (beta,) = adaptive_vote(same, {"x": True}, BetaRule(), [8], {"tokens": [10.0] * 8})
    assert (beta.accuracy, beta.samples, beta.costs["tokens"]) == (1.0, 4.0, 40.0)
    (margin,) = adaptive_vote(same, {"x": False}, MarginRule(2), [8])
    assert (margin.accuracy, margin.samples) == (0.0, 2.0)
    # nobody answers: no vote ever leads, the walk runs to the cap and scores 0
    (silent,) = adaptive_vote([None] * 5, {}, BetaRule(), [5])
    assert (silent.accuracy, silent.samples) == (0.0, 5.0)
    with pytest.raises(ValueError, match="verdict"):
        adaptive_vote(["x", "y"], {"x": True}, BetaRule(), [2])
    with pytest.raises(ValueError, match="cap"):
        adaptive_vote(["x"], {"x": True}, BetaRule(), [2])


def test_mean_over_problems_combines_errors() -> None:
    a = adaptive_vote(["x", "y", "x"], {"x": True, "y": False}, MarginRule(2), [3], {"t": [1.0, 2.0, 3.0]})[0]
    b = adaptive_vote(["y", "y", "x"], {"x": True, "y": False}, MarginRule(2), [3], {"t": [1.0, 2.0, 3.0]})[0]
    mean = mean_over_problems([a, b])
    assert mean.accuracy == pytest.approx((a.accuracy + b.accuracy) / 2)
    assert mean.accuracy_se == pytest.approx(math.hypot(a.accuracy_se, b.accuracy_se) / 2)
    assert mean.costs["t"] == pytest.approx((a.costs["t"] + b.costs["t"]) / 2)
