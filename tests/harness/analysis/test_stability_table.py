"""A run's stability table: per-pool means over problems of subset enumerations."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest

from harness.analysis.stability_table import stability
from harness.run.score import ScoredRow
from tests.strategies.test_stability import brute_at_least


def mean(values: list[Fraction]) -> float:
    return float(sum(values, Fraction(0)) / len(values))


def row(pid: str, index: int, correct: bool, kind: str = "sampled") -> ScoredRow:
    return ScoredRow(model="m", pool_kind=kind, pool="h", problem_id=pid, index=index,
                     answer="1" if correct else "2", correct=correct, status="ok", prompt_tokens=10,
                     completion_tokens=5, mean_logprob=-0.5, latency_s=0.1, finish_reason="stop", engine="t",
                     vote="1" if correct else "2", vote_correct=correct)


def test_stability_table_is_the_mean_of_enumerations() -> None:
    rng = random.Random(2)
    pools = {f"p{i}": [rng.random() < 0.5 for _ in range(6)] for i in range(5)}
    rows = [row(pid, j, ok) for pid, oks in pools.items() for j, ok in enumerate(oks)]
    rows += [row("p0", 0, True, kind="greedy"), row("p0", 0, True, kind="search:beam")]
    table = {t.pool_kind: t for t in stability(rows, [1, 2, 4, 6, 7], taus=(0.5, 1.0))}
    assert set(table) == {"sampled", "greedy"}
    sampled = table["sampled"]
    assert set(sampled.by_k) == {1, 2, 4, 6}
    counts = [(6, sum(oks)) for oks in pools.values()]
    assert sampled.avg.mean == pytest.approx(sum(c for _, c in counts) / 30)
    for k, at in sampled.by_k.items():
        grid = range(math.ceil(k / 2) + 1, k + 1)
        mg = [Fraction(2, k) * sum((brute_at_least(n, c, k, i) for i in grid), Fraction(0))
              for n, c in counts]
        half = max(1, math.ceil(k / 2))
        for got, m in ((at.pass_at_k, 1), (at.pass_hat_k, k), (at.g_pass[0.5], half)):
            assert got == pytest.approx(mean([brute_at_least(n, c, k, m) for n, c in counts]), abs=1e-12)
        assert at.mg_pass == pytest.approx(mean(mg), abs=1e-12)
    assert table["greedy"].by_k[1].pass_hat_k == 1.0
