"""Mixed pools: a per-problem budget split between two pools (two models, or two temperatures of one),
and the best split at each total budget (the sampling-configuration allocation question).

For every split (k1, k2) the benchmark accuracy is the mean over problems of the exact per-problem
value of `strategies.two_pools` (majority over the union, or the oracle pass@(k1 + k2)). A split's cost
is k1 cost1 + k2 cost2 with costi the mean cost of one sample of pool i on any axis (1 for samples).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from harness.analysis.pareto import frontier
from harness.analysis.pool_votes import PoolVotes
from harness.analysis.stats import bootstrap_ci
from strategies.two_pools import majority_at_splits, pass_at_splits

KINDS = ("majority", "pass_at_k")


@dataclass(frozen=True)
class Split:
    """k1 samples of pool 1 and k2 of pool 2 per problem."""

    k1: int
    k2: int
    accuracy: float
    """Mean over problems."""
    ci_low: float
    ci_high: float
    """Seeded bootstrap over problems (95%)."""
    cost: float
    """k1 cost1 + k2 cost2."""


def split_values(pool1: Mapping[str, PoolVotes], pool2: Mapping[str, PoolVotes], k1_max: int, k2_max: int,
                 kind: str = "majority") -> np.ndarray:
    """[problem, k1, k2] exact per-problem values (problems in sorted id order); both pools must
    cover the same problems and agree on the verdict of a key they share."""
    if kind not in KINDS:
        raise ValueError(f"unknown split kind {kind!r}; valid kinds: {', '.join(KINDS)}")
    if set(pool1) != set(pool2):
        raise ValueError(f"the pools cover different problems ({len(set(pool1) ^ set(pool2))} differ)")
    out = np.zeros((len(pool1), k1_max + 1, k2_max + 1))
    for i, pid in enumerate(sorted(pool1)):
        a, b = pool1[pid], pool2[pid]
        for key in set(a.correct) & set(b.correct):
            if a.correct[key] != b.correct[key]:
                raise ValueError(f"problem {pid}: key {key!r} is judged differently by the two pools")
        if kind == "majority":
            out[i] = majority_at_splits(a.keys, b.keys, a.correct | b.correct, k1_max, k2_max)
        else:
            c1 = sum(k is not None and a.correct[k] for k in a.keys)
            c2 = sum(k is not None and b.correct[k] for k in b.keys)
            out[i] = pass_at_splits(len(a.keys), c1, len(b.keys), c2, k1_max, k2_max)
    return out


def _split(values: np.ndarray, k1: int, k2: int, cost1: float, cost2: float, seed: int) -> Split:
    low, high = bootstrap_ci(values[:, k1, k2], seed=seed)
    return Split(k1, k2, float(values[:, k1, k2].mean()), low, high, k1 * cost1 + k2 * cost2)


def best_splits(values: np.ndarray, totals: Sequence[int], cost1: float = 1.0, cost2: float = 1.0,
                seed: int = 0) -> list[Split]:
    """Per total budget K = k1 + k2 (samples), the split with the highest mean accuracy (ties: the
    smaller k1); totals no split can reach are skipped."""
    _, r1, r2 = values.shape
    mean = values.mean(axis=0)
    out = []
    for total in totals:
        k1s = [k1 for k1 in range(r1) if 0 <= total - k1 < r2]
        if total < 1 or not k1s:
            continue
        best = max(k1s, key=lambda k1: (mean[k1, total - k1], -k1))
        out.append(_split(values, best, total - best, cost1, cost2, seed))
    return out


def split_frontier(values: np.ndarray, cost1: float = 1.0, cost2: float = 1.0, seed: int = 0) -> list[Split]:
    """Splits no other split beats at equal or lower cost (`harness.analysis.pareto.frontier`), by cost."""
    _, r1, r2 = values.shape
    mean = values.mean(axis=0)
    cells = [(k1, k2) for k1 in range(r1) for k2 in range(r2) if k1 + k2 > 0]
    kept = frontier(cells, lambda c: c[0] * cost1 + c[1] * cost2, lambda c: float(mean[c]))
    return [_split(values, k1, k2, cost1, cost2, seed) for k1, k2 in kept]
