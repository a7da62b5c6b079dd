"""A first report with a visible shape: fitted y-axes for low curves, and one line naming a model that
sits at the floor of its task (in the terminal summary and at the top of report.html)."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

from core.records import CurvePoint
from harness.analysis.floor import floor_notes, y_limits
from harness.report.build import build_report
from tests.harness.report.test_report import make_run


def point(strategy: str, budget: int, acc: float, low: float, high: float) -> CurvePoint:
    return CurvePoint("m", "gsm8k", strategy, budget, acc, low, high, budget, 100.0 * budget, 1e9 * budget,
                      1.0, 20)


def test_floor_line_names_the_coverage_and_whether_it_is_noise() -> None:
    low = [point("pass_at_k", 16, 0.05, 0.0, 0.15), point("pass_at_k", 1, 0.01, 0.0, 0.05),
           point("majority", 16, 0.0, 0.0, 0.0), point("majority", 1, 0.01, 0.0, 0.05)]
    assert floor_notes(low, "gsm8k") == [
        "pass@16 = 0.05: m rarely solves gsm8k; differences between strategies are within noise"]
    apart = [point("pass_at_k", 16, 0.10, 0.06, 0.14), point("majority", 16, 0.01, 0.0, 0.02)]
    assert "beyond their CIs" in floor_notes(apart, "gsm8k")[0]
    assert floor_notes([point("pass_at_k", 16, 0.4, 0.3, 0.5)], "gsm8k") == []


def test_y_axis_fits_low_curves_and_keeps_full_range_otherwise() -> None:
    lo, hi = y_limits([point("majority", 1, 0.03, 0.0, 0.08), point("majority", 4, 0.05, 0.01, 0.12)])
    assert lo < 0.0 + 1e-9 and 0.12 < hi < 0.2
    wide = [point("majority", 1, 0.2, 0.1, 0.3), point("pass_at_k", 8, 0.8, 0.7, 0.9)]
    assert y_limits(wide) == (-0.02, 1.02)


@pytest.mark.parametrize(("p_correct", "at_floor"), [(0.003, True), (0.5, False)])
def test_report_and_summary_open_with_the_floor_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     p_correct: float, at_floor: bool) -> None:
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text in the SVG
    try:
        run = make_run(tmp_path, "a", task="gsm8k", p_correct=p_correct)
        build_report(run)
    finally:
        matplotlib.rcParams["svg.fonttype"] = "path"
    out = capsys.readouterr().out
    html = (run / "report.html").read_text()
    svg = (run / "pareto.svg").read_text()
    if at_floor:
        first = out.splitlines()[0]
        assert first.startswith("pass@8 = 0.0") and "m rarely solves gsm8k" in first
        assert "rarely solves gsm8k" in html.split("<img", 1)[0]  # above the plots
        assert "y-axis fitted to the data" in svg
    else:
        assert "rarely solves" not in out and "rarely solves" not in html
        assert "y-axis fitted" not in svg
