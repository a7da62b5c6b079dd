"""Scored pools as selection strategies see them: rows grouped by pool, per-problem costs, estimators.

For budget k, a problem's accuracy is the strategy's expectation over k-subsets of its pool, and its
compute is what those k samples cost run as one request of n = k: k x the pool's mean generated
tokens and engine seconds, k x the mean decode FLOPs, the prompt's prefill once, and dollars from the
model's price table. That is the charge under either prefill rule (`core.accounting`: a request's
k completions share its prompt). `harness.analysis.cells` turns these into a strategy's cells.
Difficulty bins (MATH level and subject, else pass-rate quintiles) split every curve.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from core.flops import decode_flops, prefill_flops
from core.records import ModelInfo
from harness.run.score import ScoredRow
from strategies import ScoredSample, SelectionStrategy

Pools = dict[tuple[str, str], dict[str, list[ScoredRow]]]
"""(model, pool_kind) -> problem_id -> rows ordered by index."""


@dataclass(frozen=True)
class Price:
    """Dollars per million tokens."""

    input_per_m: float = 0.0
    output_per_m: float = 0.0


@dataclass(frozen=True)
class ProblemCost:
    """Per-problem compute facts of one pool, computed once and scaled by k."""

    prompt_tokens: float
    prefill_flops: float
    mean_tokens: float
    mean_decode_flops: float
    mean_seconds: float
    latencies: tuple[float, ...] = ()
    """Each sample's engine seconds, in pool order (the latency axis reads their order statistics)."""
    completion_tokens: tuple[int, ...] = ()
    """Each sample's generated tokens, in pool order (memory traffic)."""


@dataclass(frozen=True)
class PoolData:
    """One pool's samples as strategies see them and its per-problem costs (problems in id order)."""

    samples: dict[str, list[ScoredSample]]
    costs: list[ProblemCost]

    @staticmethod
    def build(model: ModelInfo, by_problem: dict[str, list[ScoredRow]]) -> PoolData:
        return PoolData(
            samples={pid: scored_samples(rows) for pid, rows in by_problem.items()},
            costs=[_cost(model, by_problem[pid]) for pid in sorted(by_problem)],
        )


def selection_flops(cost: ProblemCost, k: int) -> float:
    """FLOPs of k samples of one problem as one request (n = k): the prompt once, k mean decodes."""
    return cost.prefill_flops + k * cost.mean_decode_flops


def group_pools(rows: Iterable[ScoredRow]) -> Pools:
    pools: Pools = defaultdict(lambda: defaultdict(list))
    for row in rows:
        pools[(row.model, row.pool_kind)][row.problem_id].append(row)
    for by_problem in pools.values():
        for problem_rows in by_problem.values():
            problem_rows.sort(key=lambda r: r.index)
    return pools


def scored_samples(rows: list[ScoredRow]) -> list[ScoredSample]:
    return [ScoredSample(r.answer, r.correct, r.mean_logprob, r.completion_tokens, r.vote, r.vote_correct)
            for r in rows]


def _cost(model: ModelInfo, rows: list[ScoredRow]) -> ProblemCost:
    prompt = rows[0].prompt_tokens
    return ProblemCost(
        prompt_tokens=float(prompt),
        prefill_flops=prefill_flops(model, prompt),
        mean_tokens=float(np.mean([r.completion_tokens for r in rows])),
        mean_decode_flops=float(
            np.mean([decode_flops(model, r.prompt_tokens, r.completion_tokens) for r in rows])
        ),
        mean_seconds=float(np.mean([r.latency_s for r in rows])),
        latencies=tuple(float(r.latency_s) for r in rows),
        completion_tokens=tuple(int(r.completion_tokens) for r in rows),
    )


def accuracy_matrix(
    strategy: SelectionStrategy, by_problem: dict[str, list[ScoredRow]], ks: list[int]
) -> np.ndarray:
    """[problem, k] expected accuracy, problems in sorted id order."""
    return accuracy_and_error(strategy, by_problem, ks)[0]


def accuracy_and_error(
    strategy: SelectionStrategy,
    by_problem: dict[str, list[ScoredRow]],
    ks: list[int],
    samples: dict[str, list[ScoredSample]] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """[problem, k] expected accuracy and its resampling standard error (0 where exact)."""
    acc = np.empty((len(by_problem), len(ks)))
    err = np.empty((len(by_problem), len(ks)))
    for i, pid in enumerate(sorted(by_problem)):
        pool = samples[pid] if samples is not None else scored_samples(by_problem[pid])
        acc[i, :], err[i, :] = strategy.with_resampling_error(pool, ks)
    return acc, err


def bin_groups(problem_ids: list[str], bins: dict[str, str] | None) -> dict[str, list[int]]:
    """Bin label -> positions in `problem_ids`: `all`, then each "|"-separated label of `bins`."""
    groups: dict[str, list[int]] = {"all": list(range(len(problem_ids)))}
    for i, pid in enumerate(problem_ids):
        for part in ((bins or {}).get(pid) or "").split("|"):
            if part:
                groups.setdefault(part, []).append(i)
    return groups


def difficulty_bins(
    pools: Pools, metadata: dict[str, dict[str, object]], model: str
) -> dict[str, str]:
    """problem_id -> "|"-joined bin labels: `name=value` of the task's bins (`Task.bins`, the
    non-id fields of a `problems.jsonl` line, unknown ones null) where any problem has one, else the
    quintile of the sampled pool's pass rate (1 = hardest); falls back to the greedy pool."""
    named = {pid: "|".join(f"{k}={v}" for k, v in meta.items() if k != "id" and v is not None and v != "")
             for pid, meta in metadata.items()}
    if any(named.values()):
        return named
    bins: dict[str, str] = {}
    by_problem = pools.get((model, "sampled")) or pools.get((model, "greedy")) or {}
    rates = sorted((float(np.mean([r.correct for r in rows])), pid) for pid, rows in by_problem.items())
    for rank, (_, pid) in enumerate(rates):
        bins[pid] = f"quintile={1 + (5 * rank) // max(1, len(rates))}"
    return bins
