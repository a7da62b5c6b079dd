"""Compute-optimal allocation by difficulty (Snell et al., 2024): per difficulty bin, the strategy
and budget with the best accuracy at a target average compute.

Difficulty is estimated by a cheap probe that never looks at the reference: the agreement of the
first `probe` samples of the sampled pool (the size of their plurality answer, 0 when none has an
answer), so problems fall in bins 0..probe. `allocate` picks one candidate (a strategy's cell) per
bin maximising total accuracy subject to mean cost <= target: an exact multiple-choice knapsack
over bins, solved by merging each bin's options into a Pareto frontier of (cost, accuracy).
The harness selects on one half of the problems and reports on the other half (and swaps), so a
curve point is never fitted to the problems it is measured on; the probe's cost is charged.
Oracle strategies (pass@k: they read the reference) are never candidates: `candidates: []` means
every non-oracle strategy of the run, and listing an oracle is an error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from strategies._base import STRATEGIES, Kind, Strategy


def agreement(answers: Sequence[str | None]) -> int:
    """Size of the plurality answer among the probe samples (0 when none has an answer)."""
    counts = Counter(a for a in answers if a is not None)
    return max(counts.values()) if counts else 0


def allocate(acc: np.ndarray, cost: np.ndarray, bins: np.ndarray, target: float) -> dict[int, int] | None:
    """bin -> candidate column maximising sum(acc) with sum(cost) <= target x problems.

    `acc` and `cost` are [problem, candidate]; None when even the cheapest choice per bin exceeds
    the target. Ties in accuracy go to the cheaper allocation."""
    limit = target * len(bins) + 1e-9
    frontier: list[tuple[float, float, dict[int, int]]] = [(0.0, 0.0, {})]  # (cost, acc, choice)
    for b in sorted(set(bins.tolist())):
        rows = bins == b
        bin_cost, bin_acc = cost[rows].sum(axis=0), acc[rows].sum(axis=0)
        merged = [(c + float(bin_cost[j]), a + float(bin_acc[j]), {**choice, b: j})
                  for c, a, choice in frontier for j in range(acc.shape[1])]
        merged = [m for m in merged if m[0] <= limit]
        merged.sort(key=lambda m: (m[0], -m[1]))
        frontier = []
        for m in merged:  # keep (cost, acc) pairs no other pair dominates
            if not frontier or m[1] > frontier[-1][1] + 1e-12:
                frontier.append(m)
        if not frontier:
            return None
    return max(frontier, key=lambda m: (m[1], -m[0]))[2]


@STRATEGIES.register("compute_optimal")
class ComputeOptimal(Strategy):
    name = "compute_optimal"
    kind = Kind.META

    def __init__(self, probe: int = 4, candidates: Sequence[str] = (), compare: str = "best_of_n",
                 targets: int = 8) -> None:
        if probe < 1 or targets < 1:
            raise ValueError("compute_optimal: probe and targets must be >= 1")
        self.probe = probe
        self.candidates = list(candidates)
        """Strategy labels to allocate among (empty: every other non-oracle strategy of the run)."""
        oracles = [c for c in self.candidates if c in STRATEGIES.names() and STRATEGIES.get(c).oracle]
        if oracles:
            raise ValueError(oracle_message(oracles))
        self.compare = compare
        """Label of the strategy its plot is drawn against."""
        self.targets = targets
        """Target compute levels: a geometric grid over the candidates' mean costs."""

    def candidate_labels(self, others: Sequence[Strategy]) -> list[str]:
        """The labels allocated among: `candidates`, or every non-oracle, non-meta strategy of `others`.

        Raises ValueError when `candidates` lists an oracle (a strategy that reads the reference)."""
        oracles = [s.label for s in others if s.oracle and s.label in self.candidates]
        if oracles:
            raise ValueError(oracle_message(oracles))
        return self.candidates or [s.label for s in others if s.kind is not Kind.META and not s.oracle]


def oracle_message(labels: Sequence[str]) -> str:
    return (f"compute_optimal: candidates {sorted(labels)} read the reference (oracle strategies: an upper "
            f"bound needing a perfect verifier) and cannot be allocated; remove them, or use "
            f"candidates: [] (every non-oracle strategy of the sweep)")
