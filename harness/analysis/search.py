"""What one search trace cost: the cost side of a search strategy's cells (`harness.analysis.cells`).

A trace is one run of one cell (variant, budget), so a problem's accuracy at a cell is its verdict
(0 or 1). Compute is what the trace's engine calls cost: its
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

from core.accounting import RULES
from core.flops import call_flops
from core.records import ModelInfo
from harness.analysis.query_cost import trace_bytes, trace_seconds
from harness.run.score import ScoredRow

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
