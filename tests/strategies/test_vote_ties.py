"""Tie rate of plurality votes and the plurality's correct share, against enumeration of k-subsets."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from fractions import Fraction

import pytest

from strategies.vote_ties import check_correctness, correctness_map, plurality_share, tie_rate_at_ks


def brute_tie(keys: list[str | None], k: int) -> Fraction:
    subsets = list(itertools.combinations(keys, k))
    tied = 0
    for s in subsets:
        votes = Counter(x for x in s if x is not None)
        if votes and sum(v == max(votes.values()) for v in votes.values()) >= 2:
            tied += 1
    return Fraction(tied, len(subsets))


@pytest.mark.parametrize("seed", range(40))
def test_tie_rate_matches_enumeration(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 11)
    alphabet = ["a", "b", "c", "d", None][: rng.randint(1, 5)]
    keys = [rng.choice(alphabet) for _ in range(n)]
    ks = list(range(1, n + 1))
    assert tie_rate_at_ks(keys, ks) == pytest.approx([float(brute_tie(keys, k)) for k in ks], abs=1e-12)


def test_tie_rate_hand_cases() -> None:
    assert tie_rate_at_ks(["a", "b"], [1, 2]) == [0.0, 1.0]
    assert tie_rate_at_ks(["a", "a", "a"], [1, 2, 3]) == [0.0, 0.0, 0.0]
    # a a b b, k = 2: {a,b} pairs are ties: 4 of 6
    assert tie_rate_at_ks(["a", "a", "b", "b"], [2]) == pytest.approx([4 / 6])
    # abstentions are no votes: {a, None} has one voter, no tie
    assert tie_rate_at_ks(["a", None, None], [2]) == [0.0]
    with pytest.raises(ValueError):
        tie_rate_at_ks(["a"], [2])


def test_plurality_share_splits_ties_among_correct_keys() -> None:
    correct = {"1/2": True, "0.5": True, "3": False}
    assert plurality_share({"1/2": 2, "0.5": 2, "3": 2}, correct) == pytest.approx(2 / 3)
    assert plurality_share({"3": 2, "0.5": 1}, correct) == 0.0
    assert plurality_share({}, correct) == 0.0


def test_correctness_map_checks_consistency() -> None:
    assert correctness_map(["a", None, "b", "a"], [True, False, False, True]) == {"a": True, "b": False}
    with pytest.raises(ValueError, match="both"):
        correctness_map(["a", "a"], [True, False])
    with pytest.raises(ValueError, match="without a verdict"):
        check_correctness(["a", "z"], {"a": True})
