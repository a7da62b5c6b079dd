"""Curves of search strategies from their traces: one point per cell (variant, budget).

A trace is one run, so a problem's accuracy at a cell is its verdict (0 or 1); the CI is the seeded
bootstrap over problems, as for every curve. Compute is what the trace's engine calls cost: its
generated tokens, its engine seconds, and FLOPs summed over its calls (each call's prompt prefill
plus decoding its completions). Prefills are charged in full on every call, with no credit for the
engine's prefix cache: an upper bound on FLOPs (the tokens axes are exact). FLOPs and tokens are
also split by role (generator, verifier, reward) into the point's `extra`. A reward model's calls
carry their own FLOPs (its prefill, from its own architecture); it generates nothing, so its calls
count in FLOPs and seconds but not in generated tokens (`tokens_reward` is what it read).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from harness.analyze import bin_groups
from harness.compute import call_flops
from harness.records import CurvePoint, ModelInfo
from harness.score import ScoredRow
from harness.stats import bootstrap_ci
from strategies import SearchStrategy

ROLES = ("generator", "verifier", "reward")


@dataclass(frozen=True)
class TraceCost:
    """What one trace cost, summed over its calls."""

    prompt_tokens: float
    tokens: float
    flops: float
    seconds: float
    generator_samples: float
    """Generator completions (the `samples` axis)."""
    tokens_by_role: dict[str, float]
    """Generated tokens by role; for `reward`, the prompt tokens the reward model read."""
    flops_by_role: dict[str, float]


def trace_cost(model: ModelInfo, row: ScoredRow) -> TraceCost:
    tokens = dict.fromkeys(ROLES, 0.0)
    flops = dict.fromkeys(ROLES, 0.0)
    samples = 0.0
    for call in row.calls:
        role, n = call["role"], int(call["n"])
        p, c = int(call["prompt_tokens"]), int(call["completion_tokens"])
        # another model's work (a reward model, a separate verifier) carries FLOPs by its own size
        cost = float(call["flops"]) if call.get("flops") is not None else call_flops(model, p, c, n)
        tokens[role] = tokens.get(role, 0.0) + (p if role == "reward" else c)
        flops[role] = flops.get(role, 0.0) + cost
        if role == "generator":
            samples += n
    return TraceCost(
        prompt_tokens=float(sum(int(c["prompt_tokens"]) for c in row.calls)),
        tokens=float(sum(v for r, v in tokens.items() if r != "reward")),
        flops=float(sum(flops.values())),
        seconds=float(sum(float(c["latency_s"]) for c in row.calls)),
        generator_samples=samples,
        tokens_by_role=tokens,
        flops_by_role=flops,
    )


def cell_label(strategy: str, variant: str) -> str:
    return f"{strategy}[{variant}]" if variant else strategy


def search_matrices(
    strategy: SearchStrategy, model: ModelInfo, by_problem: dict[str, list[ScoredRow]]
) -> tuple[np.ndarray, list[list[TraceCost]]]:
    """[problem, cell] verdicts and costs, problems in sorted id order, cells in `strategy.cells()` order."""
    cells = strategy.cells()
    ids = sorted(by_problem)
    acc = np.zeros((len(ids), len(cells)))
    costs: list[list[TraceCost]] = []
    for i, pid in enumerate(ids):
        rows = {r.index: r for r in by_problem[pid]}
        costs.append([trace_cost(model, rows[j]) for j in range(len(cells))])
        acc[i, :] = [float(rows[j].correct) for j in range(len(cells))]
    return acc, costs


def search_curve(
    strategy: SearchStrategy,
    model: ModelInfo,
    task: str,
    by_problem: dict[str, list[ScoredRow]],
    resamples: int,
    seed: int,
    price_in: float,
    price_out: float,
    bins: dict[str, str] | None,
) -> list[CurvePoint]:
    ids = sorted(by_problem)
    acc, costs = search_matrices(strategy, model, by_problem)
    groups = bin_groups(ids, bins)
    points = []
    for label, idx in groups.items():
        for j, (variant, budget) in enumerate(strategy.cells()):
            sub = [costs[i][j] for i in idx]
            values = acc[idx, j]
            low, high = bootstrap_ci(values, resamples=resamples, seed=seed)
            tokens = float(np.mean([c.tokens for c in sub]))
            prompt = float(np.mean([c.prompt_tokens for c in sub]))
            extra = {f"flops_{r}": float(np.mean([c.flops_by_role.get(r, 0.0) for c in sub])) for r in ROLES}
            extra.update({f"tokens_{r}": float(np.mean([c.tokens_by_role.get(r, 0.0) for c in sub]))
                          for r in ROLES})
            points.append(CurvePoint(
                model=model.name,
                task=task,
                strategy=cell_label(strategy.name, variant),
                budget=budget,
                accuracy=float(np.mean(values)),
                ci_low=low,
                ci_high=high,
                mean_samples=float(np.mean([c.generator_samples for c in sub])),
                mean_tokens=tokens,
                mean_flops=float(np.mean([c.flops for c in sub])),
                mean_seconds=float(np.mean([c.seconds for c in sub])),
                n_problems=len(idx),
                mean_total_tokens=prompt + tokens,
                mean_dollars=(prompt * price_in + tokens * price_out) / 1e6,
                bin=label,
                extra=extra,
            ))
    return points
