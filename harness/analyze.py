"""Curves from scored pools: each selection strategy at each budget, with compute and a 95% CI.

For budget k, a problem's accuracy is the strategy's expectation over k-subsets of its pool, and its
compute is the expectation of what those k samples cost: k x the pool's mean generated tokens,
one shared prefill plus k x the mean decode FLOPs, and k x the mean engine seconds. Accuracy CIs
come from a seeded bootstrap over problems.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from harness.compute import decode_flops, prefill_flops
from harness.records import CurvePoint, ModelInfo
from harness.score import ScoredRow
from harness.stats import bootstrap_ci
from strategies import ScoredSample, SelectionStrategy

Pools = dict[tuple[str, str], dict[str, list[ScoredRow]]]
"""(model, pool_kind) -> problem_id -> rows ordered by index."""


def group_pools(rows: Iterable[ScoredRow]) -> Pools:
    pools: Pools = defaultdict(lambda: defaultdict(list))
    for row in rows:
        pools[(row.model, row.pool_kind)][row.problem_id].append(row)
    for by_problem in pools.values():
        for problem_rows in by_problem.values():
            problem_rows.sort(key=lambda r: r.index)
    return pools


def _scored(rows: list[ScoredRow]) -> list[ScoredSample]:
    return [ScoredSample(r.answer, r.correct, r.mean_logprob, r.completion_tokens) for r in rows]


def curve(
    strategy: SelectionStrategy,
    model: ModelInfo,
    task: str,
    by_problem: dict[str, list[ScoredRow]],
    budgets: list[int],
    resamples: int = 1000,
    seed: int = 0,
) -> list[CurvePoint]:
    """One strategy's curve for one model over one pool."""
    problem_ids = sorted(by_problem)
    pool_size = min(len(by_problem[p]) for p in problem_ids)
    points = []
    for k in strategy.budgets(budgets, pool_size):
        acc, toks, flops, secs = [], [], [], []
        for pid in problem_ids:
            rows = by_problem[pid]
            acc.append(strategy.expected_accuracy(_scored(rows), k))
            toks.append(k * float(np.mean([r.completion_tokens for r in rows])))
            decode = np.mean([decode_flops(model, r.prompt_tokens, r.completion_tokens) for r in rows])
            flops.append(prefill_flops(model, rows[0].prompt_tokens) + k * float(decode))
            secs.append(k * float(np.mean([r.latency_s for r in rows])))
        low, high = bootstrap_ci(acc, resamples=resamples, seed=seed)
        points.append(
            CurvePoint(
                model=model.name,
                task=task,
                strategy=strategy.name,
                budget=k,
                accuracy=float(np.mean(acc)),
                ci_low=low,
                ci_high=high,
                mean_samples=float(k),
                mean_tokens=float(np.mean(toks)),
                mean_flops=float(np.mean(flops)),
                mean_seconds=float(np.mean(secs)),
                n_problems=len(problem_ids),
            )
        )
    return points


def analyze(
    rows: list[ScoredRow],
    infos: dict[str, ModelInfo],
    task: str,
    strategies: list[SelectionStrategy],
    budgets: list[int],
    resamples: int = 1000,
    seed: int = 0,
) -> list[CurvePoint]:
    pools = group_pools(rows)
    points: list[CurvePoint] = []
    for model_name, info in infos.items():
        for strategy in strategies:
            by_problem = pools.get((model_name, strategy.pool))
            if by_problem:
                points.extend(curve(strategy, info, task, by_problem, budgets, resamples, seed))
    return points
