"""Pure logic of the search and allocation strategies, on literal inputs and against brute force."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from strategies import get_strategy
from strategies._search import aggregate, split_steps
from strategies.compute_optimal import agreement, allocate
from strategies.revision import majority_index
from strategies.reward_ranking import weighted_pick
from strategies.verification import p_yes, pick


def brute_allocate(acc: np.ndarray, cost: np.ndarray, bins: np.ndarray, target: float) -> float | None:
    labels = sorted(set(bins.tolist()))
    best = None
    for choice in itertools.product(range(acc.shape[1]), repeat=len(labels)):
        cols = np.array([choice[labels.index(b)] for b in bins])
        rows = np.arange(len(bins))
        if cost[rows, cols].mean() <= target + 1e-9:
            total = float(acc[rows, cols].sum())
            best = total if best is None else max(best, total)
    return best


@pytest.mark.parametrize("seed", range(40))
def test_allocate_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    problems, cands = int(rng.integers(3, 12)), int(rng.integers(1, 5))
    acc = rng.random((problems, cands)).round(2)
    cost = rng.integers(1, 10, (problems, cands)).astype(float)
    bins = rng.integers(0, 4, problems)
    target = float(rng.uniform(1, 10))
    policy = allocate(acc, cost, bins, target)
    expected = brute_allocate(acc, cost, bins, target)
    if expected is None:
        assert policy is None
        return
    assert policy is not None
    cols = np.array([policy[int(b)] for b in bins])
    rows = np.arange(problems)
    assert cost[rows, cols].mean() <= target + 1e-9
    assert float(acc[rows, cols].sum()) == pytest.approx(expected)


def test_allocate_literal() -> None:
    # bin 0 is easy (cheap candidate 0 solves it), bin 1 needs the expensive candidate 1
    acc = np.array([[1.0, 1.0], [1.0, 1.0], [0.0, 1.0], [0.0, 1.0]])
    cost = np.array([[1.0, 8.0]] * 4)
    bins = np.array([0, 0, 1, 1])
    assert allocate(acc, cost, bins, 4.5) == {0: 0, 1: 1}
    assert allocate(acc, cost, bins, 1.0) == {0: 0, 1: 0}
    assert allocate(acc, cost, bins, 0.5) is None


def test_agreement_and_majority_index() -> None:
    assert agreement(["3", "3", "4", None]) == 2
    assert agreement([None, None]) == 0
    assert majority_index(["1", "2", "2", "1"]) == 3  # tie between 1 and 2: the latest wins
    assert majority_index(["5", None, "5", "7"]) == 2
    assert majority_index([None, None]) == 1


def test_p_yes_and_pick() -> None:
    lg = math.log
    assert p_yes((("Yes", lg(0.6)), ("No", lg(0.2)), ("Maybe", lg(0.2)))) == pytest.approx(0.75)
    assert p_yes(((" yes", lg(0.3)), ("yes", lg(0.3)), (" No.", lg(0.4)))) == pytest.approx(0.6)
    assert p_yes((("The", -0.1),)) == 0.5
    assert pick([0.2, 0.7, 0.7]) == 1


def test_search_strategy_options_are_checked() -> None:
    with pytest.raises(ValueError, match="answer_tokens"):
        get_strategy("budget_forcing", budgets=[16], answer_tokens=32)
    with pytest.raises(ValueError, match="final"):
        get_strategy("revision", final="best")
    with pytest.raises(ValueError, match="budgets"):
        get_strategy("beam_search", budgets=[0])
    assert get_strategy("verification", budgets=[1, 4], verifications=[2]).cells() == [("V=2", 1), ("V=2", 4)]



def test_reward_selection_helpers() -> None:
    assert weighted_pick(["3", "4", "4", None], [0.9, 0.5, 0.5, 1.0]) == 1  # 4 sums 1.0 > 0.9
    assert weighted_pick(["3", "4"], [0.5, 0.5]) == 0  # tie: the earlier answer
    assert weighted_pick([None, None], [0.2, 0.9]) == 0
    assert split_steps("a\n\nb\n\n\n\nc\n") == ["a", "b", "c"]
    assert split_steps("  ") == ["  "]
    assert aggregate([0.2, 0.9, 0.5], "last") == 0.5 and aggregate([0.2, 0.9, 0.5], "min") == 0.2
    assert aggregate([0.2, 0.9, 0.4], "mean") == pytest.approx(0.5) and aggregate([], "last") == float("-inf")


def test_reward_strategy_options_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown scorer"):
        get_strategy("dvts", scorer="prm")
    with pytest.raises(ValueError, match="go together"):
        get_strategy("beam_search", reward_model="smollm2_135m_step_judge")
    with pytest.raises(ValueError, match="aggregate"):
        get_strategy("reward_ranking", aggregate="max")
    with pytest.raises(ValueError, match="selections"):
        get_strategy("reward_ranking", selections=["best", "vote"])
    beam = get_strategy("beam_search", scorer="reward", reward_model="x")
    assert beam.how == "last"  # type: ignore[attr-defined]
    assert get_strategy("reward_ranking", budgets=[1, 2], selections=["weighted"]).cells() == [
        ("weighted", 1), ("weighted", 2)]
    with pytest.raises(RuntimeError, match="not bound"):
        get_strategy("reward_ranking").bound_rewarder()  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError, match="verifier_model 'x' was not bound"):
        get_strategy("verification", verifier_model="x").verifier_engine(None)  # type: ignore[attr-defined]
