"""Best-of-k and weighted vote on literal pools, against brute-force enumeration of k-subsets."""

from __future__ import annotations

import itertools
import math
import random
from collections import defaultdict
from fractions import Fraction

import pytest

from strategies import ScoredSample, get_strategy
from strategies.best_of_n import best_of_k
from strategies.estimators import CORRECT
from strategies.weighted_majority import weighted_vote_at_ks


def brute_best(scores: list[float], correct: list[bool], k: int) -> Fraction:
    total, subsets = Fraction(0), list(itertools.combinations(range(len(scores)), k))
    for s in subsets:
        top = max(scores[i] for i in s)
        winners = [i for i in s if scores[i] == top]
        total += Fraction(sum(correct[i] for i in winners), len(winners))
    return total / len(subsets)


def brute_weighted(keys: list[str | None], weights: list[float], k: int) -> float:
    total, subsets = 0.0, list(itertools.combinations(range(len(keys)), k))
    for s in subsets:
        votes: dict[str, float] = defaultdict(float)
        for i in s:
            if keys[i] is not None:
                votes[keys[i]] += weights[i]
        if not votes:
            continue
        top = max(votes.values())
        winners = [a for a, v in votes.items() if abs(v - top) < 1e-9]
        total += (CORRECT in winners) / len(winners)
    return total / len(subsets)


@pytest.mark.parametrize("seed", range(30))
def test_best_of_k_matches_enumeration_with_ties(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 9)
    scores = [float(rng.choice([-1, -2, -3, -0.5])) for _ in range(n)]  # many ties
    correct = [rng.random() < 0.5 for _ in range(n)]
    for k in range(1, n + 1):
        expected = float(brute_best(scores, correct, k))
        assert best_of_k(scores, correct, k) == pytest.approx(expected, abs=1e-12)


def test_best_of_n_strategy_uses_the_configured_score() -> None:
    pool = [ScoredSample("1", True, -0.1, 100), ScoredSample("2", False, -2.0, 5)]
    assert get_strategy("best_of_n", score="mean_logprob").expected_accuracy(pool, 2) == 1.0
    assert get_strategy("best_of_n", score="neg_length").expected_accuracy(pool, 2) == 0.0
    assert get_strategy("best_of_n").expected_accuracy(pool, 1) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="valid scorers"):
        get_strategy("best_of_n", score="vibes")


@pytest.mark.parametrize("seed", range(10))
def test_weighted_vote_resampling_is_close_to_enumeration(seed: int) -> None:
    rng = random.Random(100 + seed)
    n = rng.randint(4, 8)
    keys = [rng.choice([CORRECT, "a", "b", None]) for _ in range(n)]
    weights = [rng.uniform(0.1, 1.0) for _ in range(n)]
    ks = list(range(1, n + 1))
    means, ses = weighted_vote_at_ks(keys, [math.log(w) for w in weights], ks, resamples=4000, seed=seed)
    for k, mean, se in zip(ks, means, ses, strict=True):
        exact = brute_weighted(keys, weights, k)
        assert abs(mean - exact) <= max(5 * se, 1e-9), (k, mean, exact, se)
    assert ses[-1] == 0.0 and means[-1] == pytest.approx(brute_weighted(keys, weights, n))


def test_weighted_vote_beats_count_when_weights_say_so() -> None:
    # two confident correct samples against three unconfident wrong ones, all drawn at k = n
    keys = [CORRECT, CORRECT, "x", "x", "x"]
    means, _ = weighted_vote_at_ks(keys, [math.log(w) for w in (0.9, 0.9, 0.2, 0.2, 0.2)], [5])
    assert means == [1.0]


def brute_weighted_log(keys: list[str | None], scores: list[float], correct: set[str], k: int) -> float:
    """Exact mean over k-subsets; key totals sum exp(score) in mpmath (no underflow), ties relative."""
    import mpmath

    total, subsets = 0.0, list(itertools.combinations(range(len(keys)), k))
    for s in subsets:
        votes: dict[str, mpmath.mpf] = defaultdict(lambda: mpmath.mpf(0))
        for i in s:
            if keys[i] is not None:
                votes[keys[i]] += mpmath.exp(scores[i])
        if not votes:
            continue
        top = max(votes.values())
        winners = [a for a, v in votes.items() if v >= top * (1 - mpmath.mpf(10) ** -9)]
        total += sum(a in correct for a in winners) / len(winners)
    return total / len(subsets)


@pytest.mark.parametrize(("low", "high"), [(-60.0, -30.0), (-1200.0, -700.0)])
def test_weighted_vote_with_sum_logprob_scores_matches_enumeration(low: float, high: float) -> None:
    # sequence log-probs of -30..-60 (normal) and -700..-1200 (exp underflows to 0 in float64)
    rng = random.Random(int(-low))
    for _ in range(5):
        n = rng.randint(5, 8)
        answers = [rng.choice(["7", "8", "9", None]) for _ in range(n)]
        tokens = [rng.randint(50, 100) for _ in range(n)]
        scores = [rng.uniform(low, high) for _ in range(n)]
        pool = [ScoredSample(a, a == "7", sc / t, t, a, a == "7")
                for a, sc, t in zip(answers, scores, tokens, strict=True)]
        strategy = get_strategy("weighted_majority", score="sum_logprob", resamples=4000)
        ks = list(range(1, n + 1))
        means, ses = strategy.with_resampling_error(pool, ks)
        for k, mean, se in zip(ks, means, ses, strict=True):
            exact = brute_weighted_log(answers, [s.mean_logprob * s.completion_tokens for s in pool],
                                       {"7"}, k)
            assert abs(mean - exact) <= max(5 * se, 1e-9), (k, mean, exact, se)



def test_a_sample_without_a_score_ranks_last_and_a_pool_without_scores_is_refused() -> None:
    from strategies.scorers import MissingScoreError

    # an empty completion (0 tokens; engines report mean log-prob 0.0 for it) never wins
    pool = [ScoredSample(None, False, 0.0, 0, None), ScoredSample("5", True, -0.7, 30, "5", True)]
    for name in ("mean_logprob", "sum_logprob"):
        assert get_strategy("best_of_n", score=name).expected_accuracy(pool, 2) == 1.0
    unscored = [ScoredSample("5", True, None, 30, "5", True), ScoredSample("6", False, -0.1, 30, "6")]
    for strategy in ("best_of_n", "weighted_majority"):
        with pytest.raises(MissingScoreError, match="have no 'mean_logprob'"):
            get_strategy(strategy, score="sum_logprob").expected_accuracy(unscored, 1)
    assert get_strategy("best_of_n", score="neg_length").expected_accuracy(unscored, 2) == 0.5
