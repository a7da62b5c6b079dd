"""Per-cell rates of a scored pool: how often samples give no answer or hit the length limit, and how
often a k-sample plurality vote is tied or has no voter at all (exact over k-subsets).

Rates are means over problems of the per-problem figure, so every problem weighs the same, as
accuracy does. The no-answer and truncation rates of k samples equal the pool's per-sample rates
(linearity of expectation); the tie and silent rates depend on k.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from math import comb

import numpy as np

from harness.analysis.pool_votes import row_votes
from harness.analysis.selection import group_pools
from harness.run.score import ScoredRow
from strategies.vote_ties import tie_rate_at_ks


@dataclass(frozen=True)
class PoolRates:
    """Rates of one (model, pool kind) over its problems."""

    model: str
    pool_kind: str
    n_problems: int
    pool_size: int
    """Smallest pool over problems (the largest k with a value)."""
    no_answer_rate: float
    """Fraction of samples with no extracted answer."""
    truncation_rate: float
    """Fraction of samples that stopped at the token limit (finish_reason == "length")."""
    tie_rate: dict[int, float] = field(default_factory=dict)
    """k -> P(the top vote count of k samples is shared by two or more answers)."""
    silent_rate: dict[int, float] = field(default_factory=dict)
    """k -> P(none of k samples has an answer) = C(a, k) / C(n, k), a = samples without one."""


def pool_rates(rows: Iterable[ScoredRow], ks: Sequence[int]) -> list[PoolRates]:
    """Rates of every (model, pool kind) in `rows`, at each k <= its pool size (search traces skipped)."""
    out = []
    for (model, kind), by_problem in sorted(group_pools(rows).items()):
        if kind.startswith("search:"):
            continue
        pools = [by_problem[pid] for pid in sorted(by_problem)]
        size = min(len(p) for p in pools)
        usable = [k for k in ks if 1 <= k <= size]
        ties = np.zeros(len(usable))
        silent = np.zeros(len(usable))
        for pool in pools:
            votes = row_votes(pool)
            ties += tie_rate_at_ks(votes.keys, usable)
            abstain = sum(key is None for key in votes.keys)
            silent += [comb(abstain, k) / comb(len(pool), k) for k in usable]
        out.append(PoolRates(
            model=model, pool_kind=kind, n_problems=len(pools), pool_size=size,
            no_answer_rate=_mean_rate(pools, lambda r: r.answer is None),
            truncation_rate=_mean_rate(pools, lambda r: r.finish_reason == "length"),
            tie_rate={k: float(v) / len(pools) for k, v in zip(usable, ties, strict=True)},
            silent_rate={k: float(v) / len(pools) for k, v in zip(usable, silent, strict=True)},
        ))
    return out


def _mean_rate(pools: list[list[ScoredRow]], event: Callable[[ScoredRow], bool]) -> float:
    """Mean over problems of the fraction of a problem's samples where `event` holds."""
    return float(np.mean([np.mean([event(r) for r in pool]) for pool in pools]))
