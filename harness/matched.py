"""Matched-compute queries: an arm's accuracy at a given compute, by interpolation on log-compute.

Between two measured points accuracy (and each CI bound) is interpolated linearly in log(compute);
at a measured point it is that point. Outside the measured range there is no number: the answer
says so. An arm is one (model, strategy) curve.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass

from harness.axes import axis
from harness.records import CurvePoint


@dataclass(frozen=True)
class MatchedValue:
    model: str
    strategy: str
    axis: str
    at: float
    accuracy: float | None
    """None when `at` is outside the measured range."""
    ci_low: float | None
    ci_high: float | None
    measured_range: tuple[float, float]
    note: str
    """`measured`, `interpolated`, or why there is no number."""


def arms(points: list[CurvePoint], bin: str = "all") -> dict[tuple[str, str], list[CurvePoint]]:
    grouped: dict[tuple[str, str], list[CurvePoint]] = defaultdict(list)
    for p in points:
        if p.bin == bin:
            grouped[(p.model, p.strategy)].append(p)
    return dict(grouped)


def at_compute(curve: list[CurvePoint], axis_name: str, at: float) -> MatchedValue:
    cost = axis(axis_name)
    pts = sorted(curve, key=cost)
    lo, hi = cost(pts[0]), cost(pts[-1])
    head = (pts[0].model, pts[0].strategy, axis_name, at)
    if not lo <= at <= hi or at <= 0:
        return MatchedValue(*head, None, None, None, (lo, hi),
                            f"outside the measured range [{lo:.3g}, {hi:.3g}]: no extrapolation")
    for p in pts:
        if math.isclose(cost(p), at, rel_tol=1e-9):
            return MatchedValue(*head, p.accuracy, p.ci_low, p.ci_high, (lo, hi), "measured")
    for left, right in itertools.pairwise(pts):
        x0, x1 = cost(left), cost(right)
        if x0 <= at <= x1 and x0 > 0:
            t = (math.log(at) - math.log(x0)) / (math.log(x1) - math.log(x0)) if x1 > x0 else 0.0

            def mix(a: float, b: float, t: float = t) -> float:
                return a + t * (b - a)

            return MatchedValue(*head, mix(left.accuracy, right.accuracy), mix(left.ci_low, right.ci_low),
                                mix(left.ci_high, right.ci_high), (lo, hi), "interpolated")
    return MatchedValue(*head, None, None, None, (lo, hi), "no bracketing points")


def matched_table(points: list[CurvePoint], axis_name: str, at: float) -> list[MatchedValue]:
    return [at_compute(curve, axis_name, at) for _, curve in sorted(arms(points).items())]
