"""Per-cell rates from scored rows: counted by hand, and tie / silent rates by enumerating k-subsets."""

from __future__ import annotations

import itertools
from collections import Counter
from fractions import Fraction

import pytest

from harness.analysis.pool_rates import pool_rates
from harness.run.score import ScoredRow


def row(pid: str, index: int, answer: str | None, correct: bool, finish: str = "stop",
        model: str = "m", kind: str = "sampled") -> ScoredRow:
    return ScoredRow(model=model, pool_kind=kind, pool="h", problem_id=pid, index=index, answer=answer,
                     correct=correct, status="ok" if answer else "no_answer", prompt_tokens=10,
                     completion_tokens=5, mean_logprob=-0.5, latency_s=0.1, finish_reason=finish,
                     engine="test", vote=answer, vote_correct=correct)


POOL_A = [("7", True, "stop"), ("7", True, "stop"), ("3", False, "length"), (None, False, "length")]
POOL_B = [("1", False, "stop"), ("2", False, "stop"), (None, False, "length"), ("4", True, "stop")]


def brute(answers: list[str | None], k: int) -> tuple[Fraction, Fraction]:
    """(P(tied top vote), P(no voter)) over all k-subsets."""
    subsets = list(itertools.combinations(answers, k))
    tied = silent = 0
    for s in subsets:
        votes = Counter(a for a in s if a is not None)
        silent += not votes
        tied += bool(votes) and list(votes.values()).count(max(votes.values())) >= 2
    return Fraction(tied, len(subsets)), Fraction(silent, len(subsets))


def test_rates_of_a_pool() -> None:
    rows = [row("a", i, *x) for i, x in enumerate(POOL_A)] + [row("b", i, *x) for i, x in enumerate(POOL_B)]
    rows += [row("a", 0, "7", True, model="g", kind="greedy"),
             row("b", 0, None, False, "length", model="g", kind="greedy")]
    rows += [row("a", 0, "7", True, kind="search:beam")]  # search traces have no rates
    rates = {(r.model, r.pool_kind): r for r in pool_rates(rows, [1, 2, 3, 4, 8])}
    assert set(rates) == {("m", "sampled"), ("g", "greedy")}
    sampled = rates[("m", "sampled")]
    assert (sampled.n_problems, sampled.pool_size) == (2, 4)
    assert sampled.no_answer_rate == pytest.approx((1 / 4 + 1 / 4) / 2)
    assert sampled.truncation_rate == pytest.approx((2 / 4 + 1 / 4) / 2)
    assert set(sampled.tie_rate) == {1, 2, 3, 4}  # k = 8 exceeds the pool
    for k in (1, 2, 3, 4):
        tie_a, silent_a = brute([a for a, _, _ in POOL_A], k)
        tie_b, silent_b = brute([a for a, _, _ in POOL_B], k)
        assert sampled.tie_rate[k] == pytest.approx(float((tie_a + tie_b) / 2), abs=1e-12)
        assert sampled.silent_rate[k] == pytest.approx(float((silent_a + silent_b) / 2), abs=1e-12)
    greedy = rates[("g", "greedy")]
    assert (greedy.no_answer_rate, greedy.truncation_rate) == (0.5, 0.5)
    assert greedy.tie_rate == {1: 0.0} and greedy.silent_rate == {1: 0.5}
