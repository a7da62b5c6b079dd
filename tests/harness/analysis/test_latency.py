"""Latency model: the expected slowest of k against enumeration of every k-subset."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import pytest

from harness.analysis.latency import expected_max_at_ks, parallel_latency, sequential_latency


@pytest.mark.parametrize("seed", range(20))
def test_expected_max_matches_enumeration(seed: int) -> None:
    rng = random.Random(seed)
    values = [rng.randint(1, 9) for _ in range(rng.randint(1, 9))]  # ties included
    ks = list(range(1, len(values) + 1))
    want = []
    for k in ks:
        subsets = list(itertools.combinations(values, k))
        want.append(float(Fraction(sum(max(s) for s in subsets), len(subsets))))
    assert expected_max_at_ks(values, ks) == pytest.approx(want, abs=1e-12)


def test_latency_hand_cases() -> None:
    # tokens 10, 20, 40: k=1 mean 70/3; k=2 pairs max 20, 40, 40 -> 100/3; k=3 -> 40
    assert parallel_latency([10, 20, 40], [1, 2, 3], step_seconds=0.01, prefill_seconds=0.5) == pytest.approx(
        [0.5 + 0.7 / 3, 0.5 + 1.0 / 3, 0.9])
    assert sequential_latency([0.5, 1.25, 2.0]) == 3.75
    with pytest.raises(ValueError):
        expected_max_at_ks([1.0], [2])
