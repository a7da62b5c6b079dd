"""pass@k and majority@k against brute-force enumeration of every k-subset of random pools."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from fractions import Fraction
from math import comb

import pytest

from strategies.estimators import CORRECT, majority_at_k, pass_at_k, vote_keys


def brute_pass(correct: list[bool], k: int) -> float:
    subsets = list(itertools.combinations(range(len(correct)), k))
    return sum(any(correct[i] for i in s) for s in subsets) / len(subsets)


def brute_majority(keys: list[str | None], k: int) -> Fraction:
    """Exact: average over subsets of P(a uniformly random top-voted answer is CORRECT)."""
    total = Fraction(0)
    subsets = list(itertools.combinations(range(len(keys)), k))
    for s in subsets:
        votes = Counter(keys[i] for i in s if keys[i] is not None)
        if not votes:
            continue
        top = max(votes.values())
        winners = [a for a, v in votes.items() if v == top]
        total += Fraction(int(CORRECT in winners), len(winners))
    return total / len(subsets)


def random_pool(rng: random.Random, n: int) -> list[str | None]:
    alphabet = [CORRECT, "a", "b", "c", None][: rng.randint(2, 5)]
    return [rng.choice(alphabet) for _ in range(n)]


@pytest.mark.parametrize("seed", range(40))
def test_majority_matches_enumeration(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 10)
    keys = random_pool(rng, n)
    for k in range(1, n + 1):
        assert majority_at_k(keys, k) == pytest.approx(float(brute_majority(keys, k)), abs=1e-12)


def test_majority_ties_are_split_uniformly() -> None:
    # 2 correct vs 2 "a": at k=4 the tie is broken at random -> 1/2
    keys = [CORRECT, CORRECT, "a", "a"]
    assert majority_at_k(keys, 4) == pytest.approx(0.5)
    # three-way tie at k=3 over three distinct answers -> 1/3
    assert majority_at_k([CORRECT, "a", "b"], 3) == pytest.approx(1 / 3)


def test_majority_abstentions_cast_no_vote() -> None:
    # one correct answer among abstentions always wins when drawn
    keys = [CORRECT, None, None, None]
    assert majority_at_k(keys, 2) == pytest.approx(brute_pass([True, False, False, False], 2))
    assert majority_at_k([None, None], 1) == 0.0


def test_majority_at_1_is_fraction_correct() -> None:
    keys = [CORRECT, "a", CORRECT, None, "b"]
    assert majority_at_k(keys, 1) == pytest.approx(2 / 5)


def test_majority_large_pool_is_a_probability() -> None:
    rng = random.Random(7)
    keys = [rng.choice([CORRECT, CORRECT, "a", "b", None]) for _ in range(64)]
    values = [majority_at_k(keys, k) for k in (1, 8, 32, 64)]
    assert all(0.0 <= v <= 1.0 for v in values)
    assert values[-1] in (0.0, 0.5, 1.0, pytest.approx(1 / 3))  # k = n is one subset


@pytest.mark.parametrize("seed", range(40))
def test_pass_at_k_matches_enumeration(seed: int) -> None:
    rng = random.Random(1000 + seed)
    n = rng.randint(1, 12)
    correct = [rng.random() < 0.4 for _ in range(n)]
    for k in range(1, n + 1):
        assert pass_at_k(n, sum(correct), k) == pytest.approx(brute_pass(correct, k), abs=1e-12)


def test_pass_at_k_closed_form_and_bounds() -> None:
    assert pass_at_k(10, 0, 5) == 0.0
    assert pass_at_k(10, 10, 1) == 1.0
    assert pass_at_k(10, 3, 1) == pytest.approx(0.3)
    assert pass_at_k(200, 20, 10) == pytest.approx(1 - comb(180, 10) / comb(200, 10))
    with pytest.raises(ValueError):
        pass_at_k(5, 6, 1)
    with pytest.raises(ValueError):
        pass_at_k(5, 1, 6)


def test_vote_keys_never_merge_by_correctness() -> None:
    # two correct answers the task did not cluster stay two keys (the reference merges nothing);
    # each is correct because its own representative is
    keys, correct = vote_keys(["1/2", "0.5", "3", None], [True, True, False, False])
    assert keys == ["1/2", "0.5", "3", None] and correct == {"1/2", "0.5"}
    # so two correct minorities lose to a wrong plurality at k = n: the old keys merged them into 2 votes
    votes, ok = ["1/2", "0.5", "3", "3", "3"], [True, True, False, False, False]
    keys, correct = vote_keys(votes, ok)
    assert majority_at_k(keys, 5, correct) == 0.0
    # a 2-2 tie of two correct keys: the winner is correct either way
    assert majority_at_k(["1/2", "1/2", "0.5", "0.5", "3"], 5, {"1/2", "0.5"}) == 1.0


@pytest.mark.parametrize("seed", range(10))
def test_majority_at_many_k_equals_one_at_a_time(seed: int) -> None:
    from strategies.estimators import majority_at_ks

    rng = random.Random(500 + seed)
    keys = random_pool(rng, rng.randint(3, 9))
    ks = list(range(1, len(keys) + 1))
    assert majority_at_ks(keys, ks) == pytest.approx(
        [float(brute_majority(keys, k)) for k in ks], abs=1e-12)


def brute_majority_keys(keys: list[str | None], correct: set[str], k: int) -> Fraction:
    """Exact share of correct keys among the subset's top-voted keys, averaged over k-subsets."""
    total = Fraction(0)
    subsets = list(itertools.combinations(range(len(keys)), k))
    for s in subsets:
        votes = Counter(keys[i] for i in s if keys[i] is not None)
        if votes:
            top = max(votes.values())
            winners = [a for a, v in votes.items() if v == top]
            total += Fraction(sum(a in correct for a in winners), len(winners))
    return total / len(subsets)


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("counts_max_n", [0, 1000])  # 0: the probability-space path of large pools
def test_majority_both_paths_match_enumeration(seed: int, counts_max_n: int) -> None:
    from strategies.estimators import majority_at_ks

    rng = random.Random(900 + seed)
    n = rng.randint(1, 11)
    keys = [rng.choice(["x", "y", "a", "b", "s" + str(i), None]) for i in range(n)]
    correct = {"x", "y"} if seed % 2 else {"x"}
    ks = list(range(1, n + 1))
    assert majority_at_ks(keys, ks, correct, counts_max_n=counts_max_n) == pytest.approx(
        [float(brute_majority_keys(keys, correct, k)) for k in ks], abs=1e-12)
