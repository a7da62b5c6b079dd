"""Cost per correct answer and the "cheapest way to solve X%" table on hand-computed curve points."""

from __future__ import annotations

import math
import random

import pytest

from core.records import CurvePoint
from harness.analysis.cost_per_correct import (
    cheapest_to_solve,
    cost_per_correct,
    cost_per_correct_all_axes,
    cost_per_correct_frontier,
)


def point(strategy: str, budget: int, accuracy: float, flops: float, dollars: float = 0.0,
          ci_low: float | None = None, bin: str = "all") -> CurvePoint:
    return CurvePoint(model="m", task="t", strategy=strategy, budget=budget, accuracy=accuracy,
                      ci_low=accuracy - 0.1 if ci_low is None else ci_low, ci_high=accuracy + 0.1,
                      mean_samples=float(budget), mean_tokens=100.0 * budget, mean_flops=flops,
                      mean_seconds=2.0 * budget, n_problems=50, mean_total_tokens=100.0 * budget + 40,
                      mean_dollars=dollars, bin=bin, mean_latency=3.0 * budget, mean_eflops=2 * flops)


def test_cost_per_correct_is_cost_over_accuracy_on_every_axis() -> None:
    p = point("majority", 4, 0.5, flops=8e9, dollars=0.002)
    per_axis = cost_per_correct_all_axes(p)
    # 4 samples / 0.5 = 8 samples per solved problem; 400 tokens / 0.5 = 800; ...
    assert per_axis == {"samples": 8.0, "tokens": 800.0, "total_tokens": 880.0, "flops": 1.6e10,
                        "seconds": 16.0, "dollars": 0.004, "latency": 24.0, "eflops": 3.2e10}
    assert cost_per_correct(point("greedy", 1, 0.0, flops=1e9), "flops") == math.inf
    with pytest.raises(ValueError, match="valid axes"):
        cost_per_correct(p, "joules")


def test_frontier_of_cost_per_correct() -> None:
    a = point("greedy", 1, 0.20, flops=1.0)  # 5.0 per correct
    b = point("majority", 4, 0.50, flops=4.0)  # 8.0
    c = point("majority", 8, 0.55, flops=8.0)  # 14.5
    d = point("best_of_n", 4, 0.40, flops=4.0)  # 10.0: dearer than b per correct and less accurate
    e = point("majority", 16, 0.0, flops=16.0)  # solves nothing
    assert cost_per_correct_frontier([d, c, e, b, a], "flops") == [a, b, c]


def test_cheapest_to_solve_table() -> None:
    pts = [point("greedy", 1, 0.20, flops=1.0), point("majority", 4, 0.50, flops=4.0),
           point("best_of_n", 2, 0.50, flops=2.5), point("majority", 8, 0.62, flops=8.0),
           point("majority", 8, 0.95, flops=0.5, bin="level=1")]  # another bin: ignored
    rows = cheapest_to_solve(pts, "flops", targets=[0.1, 0.5, 0.6, 0.9])
    assert [(r.point.strategy, r.point.budget) if r.point else None for r in rows] == [
        ("greedy", 1), ("best_of_n", 2), ("majority", 8), None]
    assert rows[1].cost == 2.5 and rows[1].cost_per_correct == pytest.approx(5.0)
    assert "no measured point reaches 90%" in rows[3].note and math.isnan(rows[3].cost)
    # with confidence the CI low must reach the target: 0.50 - 0.1 < 0.5
    confident = cheapest_to_solve(pts, "flops", targets=[0.5], confident=True)
    assert confident[0].point is not None and confident[0].point.accuracy == 0.62
    with pytest.raises(ValueError):
        cheapest_to_solve(pts, "flops", targets=[50])


@pytest.mark.parametrize("seed", range(20))
def test_cheapest_point_is_never_beaten(seed: int) -> None:
    rng = random.Random(seed)
    pts = [point("s", i, rng.random(), flops=rng.choice([1.0, 2.0, 3.0, 5.0])) for i in range(12)]
    for row in cheapest_to_solve(pts, "flops", targets=[0.2, 0.5, 0.8]):
        reaching = [p for p in pts if p.accuracy >= row.target]
        if row.point is None:
            assert not reaching
            continue
        assert row.point.accuracy >= row.target
        assert all(p.mean_flops > row.cost or (p.mean_flops == row.cost and p.accuracy <= row.point.accuracy)
                   for p in reaching)
