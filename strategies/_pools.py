"""Which pool a strategy reads, and which store index holds which of a search strategy's cells.

A strategy's `kind` (`strategies._base.Kind`) is the one decision; `is_selection`, `is_search` and
`is_meta` read it (and narrow the type). `PoolKey.of(strategy)` names the pool the strategy's cells
are built from, as scored rows and the planner name it (`greedy`, `sampled`, `search:<label>`; None
for a meta strategy, which reads the others' cells). `CellIndex.of(strategy)` states the contract
of a search pool: its traces' store index i is cell i of `strategy.cells()`, and each cell has one
curve label (`label[variant]`, or `label` for a strategy without variants). The planner sizes a
search pool by it, the analysis reads traces by it, the report's viewer finds a point's traces by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeGuard

from strategies._base import Kind, SelectionStrategy, Strategy
from strategies._search import Cell, SearchStrategy

SEARCH_PREFIX = "search:"


def is_selection(strategy: Strategy) -> TypeGuard[SelectionStrategy]:
    return strategy.kind is Kind.SELECTION


def is_search(strategy: Strategy) -> TypeGuard[SearchStrategy]:
    return strategy.kind is Kind.SEARCH


def is_meta(strategy: Strategy) -> bool:
    return strategy.kind is Kind.META


@dataclass(frozen=True)
class PoolKey:
    """The pool a strategy's cells are built from: `ScoredRow.pool_kind` and `PoolSpec.kind`."""

    kind: str
    """`greedy`, `sampled` (shared by every selection strategy that reads it) or `search:<label>`."""

    @staticmethod
    def search(label: str) -> PoolKey:
        """The trace pool of the search strategy labelled `label` in a sweep."""
        return PoolKey(SEARCH_PREFIX + label)

    @staticmethod
    def of(strategy: Strategy) -> PoolKey | None:
        """The pool `strategy` (named by its sweep label) reads; None for a meta strategy."""
        if is_selection(strategy):
            return PoolKey(strategy.pool)
        if is_search(strategy):
            return PoolKey.search(strategy.label)
        return None

    @property
    def traces(self) -> bool:
        """A search pool (one trace per cell), not a pool of independent samples."""
        return self.kind.startswith(SEARCH_PREFIX)


def cell_label(strategy: str, variant: str) -> str:
    """A search cell's curve label: `strategy[variant]`, or `strategy` when it has no variants."""
    return f"{strategy}[{variant}]" if variant else strategy


@dataclass(frozen=True)
class CellIndex:
    """A search strategy's cells in store order: the trace at store index i is cell i."""

    strategy: str
    """The strategy's label in the sweep."""
    cells: tuple[Cell, ...]
    """(variant, budget) per store index."""
    solutions: tuple[int, ...]
    """Whole solutions each cell's trace writes (its samples axis), per store index."""

    @staticmethod
    def of(strategy: SearchStrategy) -> CellIndex:
        cells = tuple(strategy.cells())
        return CellIndex(strategy.label, cells, tuple(strategy.solutions(v, b) for v, b in cells))

    def __len__(self) -> int:
        return len(self.cells)

    def labels(self) -> list[str]:
        """Each cell's curve label, in store order."""
        return [cell_label(self.strategy, variant) for variant, _ in self.cells]

    def budgets(self) -> list[int]:
        return [budget for _, budget in self.cells]

    def index(self, label: str, budget: int) -> int | None:
        """The store index of the cell with curve label `label` at `budget` (None: not a cell)."""
        for i, (variant, b) in enumerate(self.cells):
            if b == budget and cell_label(self.strategy, variant) == label:
                return i
        return None
