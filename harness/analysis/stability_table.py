"""Stability of every sampled pool of a run: avg@n with its errors, and pass@k, pass^k, G-Pass@k_tau and
mG-Pass@k per k, each the mean over problems of the exact per-problem value (`strategies.stability`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from harness.analysis.selection import group_pools
from harness.run.score import ScoredRow
from strategies.estimators import pass_at_k
from strategies.stability import AvgAtN, avg_at_n, g_pass_at_k, mg_pass_at_k, pass_hat_k

TAUS = (0.25, 0.5, 0.75, 1.0)
"""Default G-Pass thresholds (those of the paper's tables)."""


@dataclass(frozen=True)
class StabilityAtK:
    """Means over problems at one k."""

    pass_at_k: float
    pass_hat_k: float
    g_pass: dict[float, float] = field(default_factory=dict)
    """tau -> G-Pass@k_tau."""
    mg_pass: float = 0.0


@dataclass(frozen=True)
class PoolStability:
    model: str
    pool_kind: str
    avg: AvgAtN
    by_k: dict[int, StabilityAtK] = field(default_factory=dict)
    """k -> figures, for every requested k <= the smallest pool."""


def stability(rows: Iterable[ScoredRow], ks: Sequence[int],
              taus: Sequence[float] = TAUS) -> list[PoolStability]:
    """One entry per (model, pool kind) of `rows` (search traces skipped)."""
    out = []
    for (model, kind), by_problem in sorted(group_pools(rows).items()):
        if kind.startswith("search:"):
            continue
        counts = [(len(p), sum(r.correct for r in p)) for p in (by_problem[i] for i in sorted(by_problem))]
        size = min(n for n, _ in counts)
        by_k = {}
        for k in (k for k in ks if 1 <= k <= size):
            by_k[k] = StabilityAtK(
                pass_at_k=float(np.mean([pass_at_k(n, c, k) for n, c in counts])),
                pass_hat_k=float(np.mean([pass_hat_k(n, c, k) for n, c in counts])),
                g_pass={t: float(np.mean([g_pass_at_k(n, c, k, t) for n, c in counts])) for t in taus},
                mg_pass=float(np.mean([mg_pass_at_k(n, c, k) for n, c in counts])),
            )
        out.append(PoolStability(model, kind, avg_at_n(counts), by_k))
    return out
