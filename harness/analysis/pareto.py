"""Pareto frontier of accuracy vs cost: the points no other point beats at equal or lower cost.

Oracle points (strategies that read the reference, e.g. pass@k) are upper bounds, not deployable
arms: `deployable` drops them before any frontier is drawn or flagged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

P = TypeVar("P")


def frontier(points: Sequence[P], cost: Callable[[P], float], accuracy: Callable[[P], float]) -> list[P]:
    """Points sorted by cost whose accuracy is strictly above every cheaper-or-equal point's."""
    ordered = sorted(points, key=lambda p: (cost(p), -accuracy(p)))
    best = float("-inf")
    kept = []
    for p in ordered:
        if accuracy(p) > best:
            kept.append(p)
            best = accuracy(p)
    return kept


def deployable(points: Sequence[P]) -> list[P]:
    """The points a frontier may hold: every point whose `oracle` attribute is not set."""
    return [p for p in points if not getattr(p, "oracle", False)]
