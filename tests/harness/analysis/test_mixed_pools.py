"""Budget splits between two pools over a benchmark: per-problem values against enumeration, best
splits and the frontier on hand-computed pools."""

from __future__ import annotations

import random

import pytest

from harness.analysis.mixed_pools import best_splits, split_frontier, split_values
from harness.analysis.pool_votes import PoolVotes
from tests.strategies.test_two_pools import brute


def votes(keys: list[str | None], correct: dict[str, bool]) -> PoolVotes:
    return PoolVotes(tuple(keys), {k: v for k, v in correct.items() if k in keys})


def test_values_per_problem_match_enumeration() -> None:
    rng = random.Random(4)
    pool1, pool2 = {}, {}
    for pid in ("p2", "p1", "p3"):
        correct = {"a": True, "b": False, "c": rng.random() < 0.5}
        pool1[pid] = votes([rng.choice(["a", "b", "c", None]) for _ in range(4)], correct)
        pool2[pid] = votes([rng.choice(["b", "c", "a"]) for _ in range(3)], correct)
    for kind, which in (("majority", 1), ("pass_at_k", 0)):
        values = split_values(pool1, pool2, 4, 3, kind=kind)
        for i, pid in enumerate(sorted(pool1)):
            merged = pool1[pid].correct | pool2[pid].correct
            for k1 in range(5):
                for k2 in range(4):
                    if k1 + k2:
                        want = brute(list(pool1[pid].keys), list(pool2[pid].keys), merged, k1, k2)[which]
                        assert values[i, k1, k2] == pytest.approx(float(want), abs=1e-12)


def test_best_split_and_frontier_by_hand() -> None:
    # pass@k, one problem: pool 1 n=4 c=2, pool 2 n=4 c=1
    # miss1 = 1, 1/2, 1/6 ; miss2 = 1, 3/4, 1/2 for k = 0, 1, 2
    verdicts = {"r": True, "w": False}
    pool1 = {"p": votes(["r", "r", "w", "w"], verdicts)}
    pool2 = {"p": votes(["r", "w", "w", "w"], verdicts)}
    values = split_values(pool1, pool2, 2, 2, kind="pass_at_k")
    assert values[0, 2, 0] == pytest.approx(5 / 6)
    assert values[0, 1, 1] == pytest.approx(1 - 1 / 2 * 3 / 4)
    assert values[0, 0, 2] == pytest.approx(1 / 2)
    splits = best_splits(values, [1, 2, 3, 4, 9], cost1=10.0, cost2=1.0)
    # K=1: (1,0) 1/2 vs (0,1) 1/4; K=2: (2,0) 5/6; K=3: (2,1) 1 - 1/6*3/4 = 7/8 vs (1,2) 3/4; K=4: (2,2)
    assert [(s.k1, s.k2) for s in splits] == [(1, 0), (2, 0), (2, 1), (2, 2)]
    assert splits[2].accuracy == pytest.approx(7 / 8) and splits[2].cost == 21.0
    # by cost: (0,1)=1 -> 1/4, (0,2)=2 -> 1/2, (1,0)=10 -> 1/2 (not better), (1,1)=11 -> 5/8, (1,2)=12 -> 3/4,
    # (2,0)=20 -> 5/6, (2,1)=21 -> 7/8, (2,2)=22 -> 1 - 1/12 = 11/12
    front = split_frontier(values, cost1=10.0, cost2=1.0)
    assert [(s.k1, s.k2) for s in front] == [(0, 1), (0, 2), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2)]


def test_bad_input_is_rejected() -> None:
    a = {"p": votes(["x"], {"x": True})}
    with pytest.raises(ValueError, match="valid kinds"):
        split_values(a, a, 1, 1, kind="weighted")
    with pytest.raises(ValueError, match="different problems"):
        split_values(a, {"q": votes(["x"], {"x": True})}, 1, 1)
    with pytest.raises(ValueError, match="judged differently"):
        split_values(a, {"p": votes(["x"], {"x": False})}, 1, 1)
