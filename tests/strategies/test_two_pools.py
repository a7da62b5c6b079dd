"""Budget splits between two pools against enumeration of every pair of subsets, with exact fractions."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from fractions import Fraction

import pytest

from strategies.estimators import CORRECT, majority_at_ks
from strategies.two_pools import majority_at_splits, pass_at_splits


def brute(keys1: list[str | None], keys2: list[str | None], correct: dict[str, bool], k1: int,
          k2: int) -> tuple[Fraction, Fraction]:
    """(pass@(k1+k2), majority@(k1+k2)) averaged over every (k1-subset, k2-subset) pair."""
    passed = voted = Fraction(0)
    pairs = list(itertools.product(itertools.combinations(keys1, k1), itertools.combinations(keys2, k2)))
    for s1, s2 in pairs:
        drawn = [k for k in (*s1, *s2) if k is not None]
        passed += any(correct[k] for k in drawn)
        votes = Counter(drawn)
        if votes:
            top = max(votes.values())
            tied = [k for k, v in votes.items() if v == top]
            voted += Fraction(sum(correct[k] for k in tied), len(tied))
    return passed / len(pairs), voted / len(pairs)


def random_pools(rng: random.Random) -> tuple[list[str | None], list[str | None], dict[str, bool]]:
    alphabet = ["a", "b", "c", "d"][: rng.randint(1, 4)]
    correct = {k: rng.random() < 0.4 for k in alphabet}
    keys1 = [rng.choice([*alphabet, None]) for _ in range(rng.randint(0, 6))]
    keys2 = [rng.choice([*alphabet[1:], None]) for _ in range(rng.randint(0, 6))]  # "a" only in pool 1
    return keys1, keys2, correct


@pytest.mark.parametrize("seed", range(40))
def test_splits_match_enumeration(seed: int) -> None:
    rng = random.Random(seed)
    keys1, keys2, correct = random_pools(rng)
    n1, n2 = len(keys1), len(keys2)
    c1 = sum(k is not None and correct[k] for k in keys1)
    c2 = sum(k is not None and correct[k] for k in keys2)
    passed = pass_at_splits(n1, c1, n2, c2, n1, n2)
    voted = majority_at_splits(keys1, keys2, correct, n1, n2)
    assert passed.shape == voted.shape == (n1 + 1, n2 + 1)
    for k1 in range(n1 + 1):
        for k2 in range(n2 + 1):
            if k1 + k2 == 0:
                continue
            want_pass, want_vote = brute(keys1, keys2, correct, k1, k2)
            assert passed[k1, k2] == pytest.approx(float(want_pass), abs=1e-12), (k1, k2)
            assert voted[k1, k2] == pytest.approx(float(want_vote), abs=1e-12), (k1, k2)


def test_one_pool_alone_is_majority_at_k() -> None:
    rng = random.Random(9)
    keys = [rng.choice([CORRECT, CORRECT, "a", "b", None]) for _ in range(12)]
    correct = {CORRECT: True, "a": False, "b": False}
    voted = majority_at_splits(keys, [], correct, 12, 0)
    ks = list(range(1, 13))
    assert list(voted[1:, 0]) == pytest.approx(majority_at_ks(keys, ks), abs=1e-12)


def test_several_correct_keys_share_ties() -> None:
    # reference-free keys: "1/2" and "0.5" are distinct keys, both correct; one of each -> tie with "3"
    correct = {"1/2": True, "0.5": True, "3": False}
    voted = majority_at_splits(["1/2", "3"], ["0.5"], correct, 2, 1)
    assert voted[2, 1] == pytest.approx(2 / 3)
    assert voted[1, 0] == pytest.approx(1 / 2)
    assert voted[0, 1] == pytest.approx(1.0)


def test_bad_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="k1_max"):
        majority_at_splits(["a"], ["a"], {"a": True}, 2, 1)
    with pytest.raises(ValueError, match="verdict"):
        majority_at_splits(["a"], ["b"], {"a": True}, 1, 1)
    with pytest.raises(ValueError):
        pass_at_splits(3, 4, 3, 1, 1, 1)
