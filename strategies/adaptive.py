"""Adaptive (early-stopping) self-consistency evaluated on a stored pool by seeded permutations.

Sampling one at a time and stopping when the vote is decided is replayed on the pool: each of R
seeded random orders of the pool is walked sample by sample; after each sample a stopping rule reads
the top two vote counts (v1 >= v2; None casts no vote) and the walk stops at the first sample where it
fires, or at the cap k. The answer is the plurality of the samples drawn (ties uniform). Per cap k the
result is the mean over orders of accuracy, samples drawn and each per-sample cost summed over the
samples drawn (tokens, FLOPs, seconds), each with its resampling standard error std / sqrt(R).

Rules: `MarginRule` (stop once the leader is `margin` votes ahead) and `BetaRule`, the stopping
criterion of Adaptive-Consistency (Aggarwal et al. 2023, "Let's Sample Step by Step"): stop when
P(p1 > p2 | v1, v2) = P(x > 1/2), x ~ Beta(v1 + 1, v2 + 1), reaches a threshold (0.95 in the paper).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from math import comb
from typing import Protocol

import numpy as np

from strategies.estimators import permutations
from strategies.vote_ties import Keys, check_correctness


class StopRule(Protocol):
    """Decides from the top two vote counts whether sampling stops (hashable: a frozen dataclass)."""

    def should_stop(self, top: int, second: int) -> bool:
        """True: stop after the sample that made the counts (top >= second >= 0, top >= 1)."""
        ...

    def __hash__(self) -> int: ...


@lru_cache(maxsize=4096)
def beta_confidence(top: int, second: int) -> float:
    """P(x > 1/2) for x ~ Beta(top + 1, second + 1): the posterior probability that the leading answer
    is more likely than the runner-up under a uniform prior (Aggarwal et al. 2023). For integer
    counts it equals P(Binomial(top + second + 1, 1/2) <= top) = sum_{j<=top} C(a+b+1, j) / 2^(a+b+1)."""
    total = top + second + 1
    return sum(comb(total, j) for j in range(top + 1)) / 2**total


@dataclass(frozen=True)
class BetaRule:
    """Adaptive-Consistency's Beta stopping criterion: stop when beta_confidence(v1, v2) >= threshold."""

    threshold: float = 0.95

    def should_stop(self, top: int, second: int) -> bool:
        return beta_confidence(top, second) >= self.threshold


@dataclass(frozen=True)
class MarginRule:
    """Stop once the leading answer has `margin` more votes than the runner-up."""

    margin: int = 2

    def should_stop(self, top: int, second: int) -> bool:
        return top - second >= self.margin


@dataclass(frozen=True)
class AdaptiveResult:
    """One problem (or a benchmark mean) of adaptive voting at one cap."""

    cap: int
    """Most samples the walk may draw."""
    accuracy: float
    accuracy_se: float
    samples: float
    """Expected samples drawn."""
    samples_se: float
    costs: dict[str, float] = field(default_factory=dict)
    """Expected per-sample cost summed over the samples drawn, per cost name (e.g. tokens)."""
    costs_se: dict[str, float] = field(default_factory=dict)


def adaptive_vote(
    keys: Keys,
    correct: Mapping[str, bool],
    rule: StopRule,
    caps: Sequence[int],
    costs: Mapping[str, Sequence[float]] | None = None,
    resamples: int = 256,
    seed: int = 0,
) -> list[AdaptiveResult]:
    """Adaptive voting on one problem's pool at each cap k <= n (see the module docstring)."""
    n = len(keys)
    for k in caps:
        if not 1 <= k <= n:
            raise ValueError(f"need 1 <= cap <= n, got n={n} cap={k}")
    check_correctness(keys, correct)
    costs = dict(costs or {})
    for name, values in costs.items():
        if len(values) != n:
            raise ValueError(f"cost {name!r} has {len(values)} values for a pool of {n}")
    classes = sorted({k for k in keys if k is not None})
    cid = np.array([classes.index(k) if k is not None else -1 for k in keys], dtype=np.int64)
    is_correct = np.array([correct[c] for c in classes] + [False, False], dtype=float)  # 2 padding columns
    perms = permutations(n, resamples, seed)
    ids = cid[perms]  # [R, n] class of each drawn sample
    width = len(classes) + 2  # padding columns keep top-2 defined with fewer than two classes
    onehot = np.zeros((resamples, n, width), dtype=np.int32)
    rows, steps = np.nonzero(ids >= 0)
    onehot[rows, steps, ids[rows, steps]] = 1
    counts = np.cumsum(onehot, axis=1)  # [R, t, class]: votes after t + 1 samples
    ordered = np.sort(counts, axis=2)
    top, second = ordered[:, :, -1], ordered[:, :, -2]
    fires = _fire_table(rule, n)[top, second]  # [R, n]
    cum_costs = {name: np.cumsum(np.asarray(v, dtype=float)[perms], axis=1) for name, v in costs.items()}
    out = []
    for k in caps:
        fired = fires[:, :k]
        stop = np.where(fired.any(axis=1), fired.argmax(axis=1), k - 1)  # index of the last sample drawn
        final = counts[np.arange(resamples), stop]  # [R, class]
        best = final.max(axis=1, keepdims=True)
        tied = (final == best) & (best > 0)
        share = (tied * is_correct).sum(axis=1) / np.maximum(tied.sum(axis=1), 1)
        drawn = stop + 1.0
        spent = {name: c[np.arange(resamples), stop] for name, c in cum_costs.items()}
        out.append(AdaptiveResult(
            cap=k,
            accuracy=float(share.mean()), accuracy_se=_se(share),
            samples=float(drawn.mean()), samples_se=_se(drawn),
            costs={name: float(v.mean()) for name, v in spent.items()},
            costs_se={name: _se(v) for name, v in spent.items()},
        ))
    return out


@lru_cache(maxsize=64)
def _fire_table(rule: StopRule, n: int) -> np.ndarray:
    """[v1, v2] -> does `rule` stop (v1 >= 1, v1 >= v2), shared by every pool of size n."""
    return np.array([[v1 >= 1 and v1 >= v2 and rule.should_stop(v1, v2) for v2 in range(n + 1)]
                     for v1 in range(n + 1)])


def _se(values: np.ndarray) -> float:
    return float(values.std(ddof=1) / math.sqrt(len(values))) if len(values) > 1 else 0.0


def mean_over_problems(per_problem: Sequence[AdaptiveResult]) -> AdaptiveResult:
    """Benchmark mean of one cap's per-problem results; errors combine as sqrt(sum se^2) / P."""
    if not per_problem:
        raise ValueError("no problems")
    p = len(per_problem)

    def combine(ses: list[float]) -> float:
        return math.sqrt(sum(s * s for s in ses)) / p

    names = list(per_problem[0].costs)
    return AdaptiveResult(
        cap=per_problem[0].cap,
        accuracy=sum(r.accuracy for r in per_problem) / p,
        accuracy_se=combine([r.accuracy_se for r in per_problem]),
        samples=sum(r.samples for r in per_problem) / p,
        samples_se=combine([r.samples_se for r in per_problem]),
        costs={m: sum(r.costs[m] for r in per_problem) / p for m in names},
        costs_se={m: combine([r.costs_se[m] for r in per_problem]) for m in names},
    )
