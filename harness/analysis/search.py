"""Curves of search strategies from their traces: one point per cell (variant, budget).

A trace is one run, so a problem's accuracy at a cell is its verdict (0 or 1); the CI is the seeded
bootstrap over problems, as for every curve. Compute is what the trace's engine calls cost: its
generated tokens, its engine seconds, and FLOPs summed over its calls (each call's prompt prefill
plus decoding its completions), the prefill charged by the run's one rule (`core.accounting`):
under `prefix_cache` a call pays only the prompt tokens earlier calls of the trace had not computed
(its recorded `cached_tokens` are free), under `no_cache` its whole prompt. The total-tokens axis
counts the prompt tokens paid. FLOPs and tokens are also split by role (generator, verifier, reward)
into the point's `extra`. A reward model's calls carry their own FLOPs (its prefill, from its own
architecture, in full); it generates nothing, so its calls count in FLOPs and seconds but not in
generated tokens (`tokens_reward` is what it read). The samples axis counts whole solutions
(`SearchStrategy.solutions`), not engine calls. Latency is the calls' seconds one after another and
eFLOPs adds the generator's memory traffic (`harness.analysis.query_cost`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from core.accounting import RULES
from core.flops import call_flops
from core.records import CurvePoint, ModelInfo
from harness.analysis.memory_traffic import DEFAULT_INTENSITY
from harness.analysis.query_cost import trace_bytes, trace_seconds
from harness.analysis.selection import bin_groups
from harness.analysis.stats import bootstrap_ci
from harness.run.score import ScoredRow
from strategies import SearchStrategy

ROLES = ("generator", "verifier", "reward")


@dataclass(frozen=True)
class TraceCost:
    """What one trace cost, summed over its calls."""

    prompt_tokens: float
    """Prompt tokens paid under the rule."""
    tokens: float
    flops: float
    seconds: float
    tokens_by_role: dict[str, float]
    """Generated tokens by role; for `reward`, the prompt tokens the reward model read."""
    flops_by_role: dict[str, float]
    latency: float = 0.0
    """Modeled wall-clock seconds: the calls one after another, each its slowest completion."""
    memory_bytes: float = 0.0
    """Bytes the generator model's calls moved (`harness.analysis.query_cost.trace_bytes`)."""


def _call_cost(model: ModelInfo, call: dict[str, Any], rule: str) -> tuple[int, float]:
    """(prompt tokens paid, FLOPs) of one stored call under `rule`."""
    p, c, n = int(call["prompt_tokens"]), int(call["completion_tokens"]), int(call["n"])
    cached = int(call.get("cached_tokens", 0)) if rule == "prefix_cache" else 0
    if call.get("flops") is not None:  # another model's work (a reward model, a separate verifier)
        own = call.get("flops_no_cache") if rule == "no_cache" else None
        return p - cached, float(call["flops"] if own is None else own)
    return p - cached, call_flops(model, p, c, n, cached, [int(x) for x in call.get("lengths", ())])


def trace_cost(model: ModelInfo, row: ScoredRow, rule: str = RULES[0]) -> TraceCost:
    tokens = dict.fromkeys(ROLES, 0.0)
    flops = dict.fromkeys(ROLES, 0.0)
    paid = 0
    for call in row.calls:
        role = call["role"]
        prompt, cost = _call_cost(model, call, rule)
        paid += prompt
        generated = prompt if role == "reward" else int(call["completion_tokens"])
        tokens[role] = tokens.get(role, 0.0) + generated
        flops[role] = flops.get(role, 0.0) + cost
    return TraceCost(
        prompt_tokens=float(paid),
        tokens=float(sum(v for r, v in tokens.items() if r != "reward")),
        flops=float(sum(flops.values())),
        seconds=float(sum(float(c["latency_s"]) for c in row.calls)),
        tokens_by_role=tokens,
        flops_by_role=flops,
        latency=trace_seconds(row.calls),
        memory_bytes=trace_bytes(model, row.calls, rule),
    )


def cell_label(strategy: str, variant: str) -> str:
    return f"{strategy}[{variant}]" if variant else strategy


def search_matrices(
    strategy: SearchStrategy, model: ModelInfo, by_problem: dict[str, list[ScoredRow]], rule: str = RULES[0]
) -> tuple[np.ndarray, list[list[TraceCost]]]:
    """[problem, cell] verdicts and costs, problems in sorted id order, cells in `strategy.cells()` order."""
    cells = strategy.cells()
    ids = sorted(by_problem)
    acc = np.zeros((len(ids), len(cells)))
    costs: list[list[TraceCost]] = []
    for i, pid in enumerate(ids):
        rows = {r.index: r for r in by_problem[pid]}
        costs.append([trace_cost(model, rows[j], rule) for j in range(len(cells))])
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
    rule: str = RULES[0],
    intensity: float = DEFAULT_INTENSITY,
) -> list[CurvePoint]:
    ids = sorted(by_problem)
    acc, costs = search_matrices(strategy, model, by_problem, rule)
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
            flops = float(np.mean([c.flops for c in sub]))
            memory = float(np.mean([c.memory_bytes for c in sub]))
            extra["memory_bytes"] = memory
            points.append(CurvePoint(
                model=model.name,
                task=task,
                strategy=cell_label(strategy.name, variant),
                budget=budget,
                accuracy=float(np.mean(values)),
                ci_low=low,
                ci_high=high,
                mean_samples=float(strategy.solutions(variant, budget)),
                mean_tokens=tokens,
                mean_flops=flops,
                mean_seconds=float(np.mean([c.seconds for c in sub])),
                n_problems=len(idx),
                mean_total_tokens=prompt + tokens,
                mean_dollars=(prompt * price_in + tokens * price_out) / 1e6,
                bin=label,
                extra=extra,
                mean_latency=float(np.mean([c.latency for c in sub])),
                mean_eflops=flops + intensity * memory,
            ))
    return points
