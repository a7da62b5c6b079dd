"""Cost per correct answer: the expected cost of one solved problem, and the cheapest way to solve X%.

A curve point spends `cost` per problem (on any budget axis of `harness.analysis.axes`: samples, tokens,
FLOPs, seconds, dollars) and solves a fraction `accuracy` of the problems, so one solved problem costs
cost / accuracy on average (total cost over problems solved). Points with accuracy 0 cost infinity.
Callers pass the points they mean to compare (oracle strategies such as pass@k left out).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from core.records import CurvePoint
from harness.analysis.axes import AXES, axis
from harness.analysis.pareto import frontier


def cost_per_correct(point: CurvePoint, axis_name: str) -> float:
    """cost / accuracy on one axis; inf when the point solves nothing."""
    cost = axis(axis_name)(point)
    return cost / point.accuracy if point.accuracy > 0 else math.inf


def cost_per_correct_all_axes(point: CurvePoint) -> dict[str, float]:
    """axis name -> cost per correct answer, for every budget axis."""
    return {name: cost_per_correct(point, name) for name in AXES}


def cost_per_correct_frontier(points: Sequence[CurvePoint], axis_name: str) -> list[CurvePoint]:
    """Points no other point beats on both: lower-or-equal cost per correct answer and higher accuracy
    (sorted by cost per correct answer; points that solve nothing are left out)."""
    finite = [p for p in points if p.accuracy > 0]
    return frontier(finite, lambda p: cost_per_correct(p, axis_name), lambda p: p.accuracy)


@dataclass(frozen=True)
class CheapestRow:
    """One line of the table "cheapest way to solve X% of problems" on one axis."""

    target: float
    """Fraction of problems to solve."""
    axis: str
    point: CurvePoint | None
    """The cheapest measured point whose accuracy (or CI low, with `confident`) reaches the target;
    None when no point does."""
    cost: float
    """Its cost per problem on `axis` (nan when there is none)."""
    cost_per_correct: float
    """cost / accuracy (nan when there is none)."""
    note: str


def cheapest_to_solve(
    points: Sequence[CurvePoint],
    axis_name: str,
    targets: Sequence[float] = (0.1, 0.25, 0.5, 0.75, 0.9),
    bin: str = "all",
    confident: bool = False,
) -> list[CheapestRow]:
    """Per target X: the measured point of `bin` with the lowest cost whose accuracy is >= X (with
    `confident`: whose 95% CI low is >= X), ties to the higher accuracy. Measured points only: a
    budget between two of them is not a configuration one can run."""
    cost = axis(axis_name)
    pool = [p for p in points if p.bin == bin]
    rows = []
    for target in targets:
        if not 0.0 <= target <= 1.0:
            raise ValueError(f"targets are fractions of problems in [0, 1], got {target}")
        reaching = [p for p in pool if (p.ci_low if confident else p.accuracy) >= target]
        if not reaching:
            best_acc = max((p.ci_low if confident else p.accuracy for p in pool), default=math.nan)
            rows.append(CheapestRow(target, axis_name, None, math.nan, math.nan,
                                    f"no measured point reaches {target:.0%} (best {best_acc:.1%})"))
            continue
        best = min(reaching, key=lambda p: (cost(p), -p.accuracy))
        rows.append(CheapestRow(target, axis_name, best, cost(best), cost_per_correct(best, axis_name),
                                "CI low reaches the target" if confident else "accuracy reaches the target"))
    return rows
