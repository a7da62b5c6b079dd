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

from core.records import CurvePoint
from harness.analysis.axes import axis


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


@dataclass(frozen=True)
class Bracket:
    """Where `at` falls on a curve: between `left` and `right`, weight `t` on `right` (log-compute)."""

    left: CurvePoint
    right: CurvePoint
    t: float

    def mix(self, a: float, b: float) -> float:
        return a + self.t * (b - a)


def bracket(curve: list[CurvePoint], axis_name: str, at: float) -> Bracket | str:
    """The two measured points around `at` and the interpolation weight, or why there are none.

    Per-problem values interpolated with the same weight average to the interpolated accuracy.
    """
    cost = axis(axis_name)
    pts = sorted(curve, key=cost)
    lo, hi = cost(pts[0]), cost(pts[-1])
    if not lo <= at <= hi or at <= 0:
        return f"outside the measured range [{lo:.3g}, {hi:.3g}]: no extrapolation"
    for p in pts:
        if math.isclose(cost(p), at, rel_tol=1e-9):
            return Bracket(p, p, 0.0)
    for left, right in itertools.pairwise(pts):
        x0, x1 = cost(left), cost(right)
        if x0 <= at <= x1 and x0 > 0:
            t = (math.log(at) - math.log(x0)) / (math.log(x1) - math.log(x0)) if x1 > x0 else 0.0
            return Bracket(left, right, t)
    return "no bracketing points"


def at_compute(curve: list[CurvePoint], axis_name: str, at: float) -> MatchedValue:
    cost = axis(axis_name)
    pts = sorted(curve, key=cost)
    lo, hi = cost(pts[0]), cost(pts[-1])
    head = (pts[0].model, pts[0].strategy, axis_name, at)
    found = bracket(curve, axis_name, at)
    if isinstance(found, str):
        return MatchedValue(*head, None, None, None, (lo, hi), found)
    if found.left is found.right:
        p = found.left
        return MatchedValue(*head, p.accuracy, p.ci_low, p.ci_high, (lo, hi), "measured")
    left, right = found.left, found.right
    return MatchedValue(*head, found.mix(left.accuracy, right.accuracy), found.mix(left.ci_low, right.ci_low),
                        found.mix(left.ci_high, right.ci_high), (lo, hi), "interpolated")


def matched_table(points: list[CurvePoint], axis_name: str, at: float) -> list[MatchedValue]:
    return [at_compute(curve, axis_name, at) for _, curve in sorted(arms(points).items())]
