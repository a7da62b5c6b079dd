"""Strategies: one module per strategy, each registering itself in `STRATEGIES`.

Strategies receive scored pools (selection) or an engine protocol (search); they never import a
backend.
"""

from __future__ import annotations

from core.registry import import_submodules
from strategies._base import STRATEGIES, Kind, ScoredSample, SelectionStrategy, Strategy
from strategies._pools import CellIndex, PoolKey, cell_label, is_meta, is_search, is_selection
from strategies._search import SearchStrategy


def load_all() -> None:
    """Import every module of this package so that their decorators register them (idempotent)."""
    import_submodules(__name__, __path__)


def get_strategy(name: str, label: str | None = None, **options: object) -> Strategy:
    """An instance of the registered strategy `name`, configured by `options`, shown as `label`."""
    load_all()
    return STRATEGIES.get(name)(**options).labelled(label)


def strategy_names() -> list[str]:
    load_all()
    return STRATEGIES.names()


__all__ = ["STRATEGIES", "CellIndex", "Kind", "PoolKey", "ScoredSample", "SearchStrategy",
           "SelectionStrategy", "Strategy", "cell_label", "get_strategy", "is_meta", "is_search",
           "is_selection", "strategy_names"]
