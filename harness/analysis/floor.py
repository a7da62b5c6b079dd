"""Reading a first report: when a model sits at the floor of a task, say so in one line, and fit the
plots' y-axis to the data so low curves keep a visible shape.

A model is at the floor when its best accuracy anywhere on the grid (pass@k at the largest k when the
sweep has it, the strongest any strategy can do) is at most `FLOOR`. The line then says whether the
strategies' differences are within noise: true when, at every budget, the 95% CIs of all strategies
overlap.
"""

from __future__ import annotations

from itertools import combinations

from core.records import CurvePoint

FLOOR = 0.10
"""Best accuracy at or below which a model 'rarely solves' a task."""


def _best(points: list[CurvePoint]) -> tuple[str, float]:
    """('pass@16', 0.05): the largest-k pass@k point when there is one, else the best point."""
    coverage = [p for p in points if p.strategy == "pass_at_k"]
    if coverage:
        top = max(coverage, key=lambda p: p.budget)
        return f"pass@{top.budget}", top.accuracy
    top = max(points, key=lambda p: p.accuracy)
    return f"best accuracy ({top.strategy}@{top.budget})", top.accuracy


def _within_noise(points: list[CurvePoint]) -> bool:
    by_budget: dict[int, list[CurvePoint]] = {}
    for p in points:
        by_budget.setdefault(p.budget, []).append(p)
    return all(a.ci_low <= b.ci_high and b.ci_low <= a.ci_high
               for same in by_budget.values() for a, b in combinations(same, 2))


def floor_notes(points: list[CurvePoint], task: str) -> list[str]:
    """One line per model at the floor of `task` (none when every model is above it)."""
    notes = []
    overall = [p for p in points if p.bin == "all"]
    for model in dict.fromkeys(p.model for p in overall):
        mine = [p for p in overall if p.model == model]
        label, value = _best(mine)
        if value > FLOOR:
            continue
        tail = ("differences between strategies are within noise" if _within_noise(mine) else
                "some strategies differ beyond their CIs, but on very few solved problems")
        notes.append(f"{label} = {value:.2f}: {model} rarely solves {task}; {tail}")
    return notes


def y_limits(points: list[CurvePoint]) -> tuple[float, float]:
    """The y-range of a plot: [0, 1] when the curves and CI bands span most of it, else their own range
    with a margin (never below 0 or above 1)."""
    if not points:
        return -0.02, 1.02
    low = min(p.ci_low for p in points)
    high = max(p.ci_high for p in points)
    if high - low >= 0.6:
        return -0.02, 1.02
    margin = max(0.1 * (high - low), 0.02)
    return max(low - margin, -0.005), min(high + margin, 1.005)
