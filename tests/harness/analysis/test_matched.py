"""Frontier, interpolation on log-compute, and refusal to extrapolate, on synthetic curves."""

from __future__ import annotations

import math

import pytest

from core.records import CurvePoint
from harness.analysis.matched import at_compute, matched_table
from harness.analysis.pareto import frontier


def pt(strategy: str, k: int, acc: float, flops: float, model: str = "m") -> CurvePoint:
    return CurvePoint(model, "t", strategy, k, acc, acc - 0.1, acc + 0.1, k, 100.0 * k, flops, 1.0 * k, 50)


CURVE = [pt("maj", 1, 0.2, 1e10), pt("maj", 4, 0.4, 4e10), pt("maj", 16, 0.5, 16e10)]


def test_measured_point_is_returned_exactly() -> None:
    v = at_compute(CURVE, "flops", 4e10)
    assert v.note == "measured" and v.accuracy == 0.4
    assert (v.ci_low, v.ci_high) == (CURVE[1].ci_low, CURVE[1].ci_high)


def test_interpolation_is_linear_in_log_compute() -> None:
    v = at_compute(CURVE, "flops", 2e10)  # halfway between 1e10 and 4e10 in log space
    assert v.note == "interpolated"
    assert v.accuracy == pytest.approx(0.3)
    assert v.ci_low == pytest.approx(0.2) and v.ci_high == pytest.approx(0.4)
    t = math.log(8) / math.log(4)  # 8e10 between 4e10 and 16e10
    assert at_compute(CURVE, "flops", 8e10).accuracy == pytest.approx(0.4 + (t - 1) * 0.1)


@pytest.mark.parametrize("at", [5e9, 2e11, 0.0])
def test_no_extrapolation(at: float) -> None:
    v = at_compute(CURVE, "flops", at)
    assert v.accuracy is None and v.ci_low is None and "outside the measured range" in v.note


def test_other_axes() -> None:
    assert at_compute(CURVE, "samples", 2).accuracy == pytest.approx(0.3)
    assert at_compute(CURVE, "tokens", 1600).accuracy == pytest.approx(0.5)
    with pytest.raises(ValueError, match="valid axes"):
        at_compute(CURVE, "watts", 1)


def test_matched_table_one_row_per_arm() -> None:
    other = [pt("pass", 1, 0.3, 1e10, "big"), pt("pass", 2, 0.6, 2e10, "big")]
    rows = matched_table(CURVE + other, "flops", 1.5e10)
    assert [(r.model, r.strategy) for r in rows] == [("big", "pass"), ("m", "maj")]
    assert all(r.accuracy is not None for r in rows)


def test_frontier_keeps_only_undominated_points() -> None:
    points = [pt("a", 1, 0.2, 1.0), pt("b", 1, 0.1, 2.0), pt("c", 1, 0.5, 3.0), pt("d", 1, 0.5, 4.0),
              pt("e", 1, 0.6, 5.0), pt("f", 1, 0.3, 0.5)]
    kept = frontier(points, lambda p: p.mean_flops, lambda p: p.accuracy)
    assert [p.strategy for p in kept] == ["f", "c", "e"]  # a (0.2 at 1.0) is beaten by f (0.3 at 0.5)
