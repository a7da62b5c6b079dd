"""Curves of adaptive self-consistency from a sampled pool, so it sits on the frontier like any strategy.

Per cap k (the most samples a problem may draw) and problem, `strategies.adaptive.adaptive_vote`
replays seeded orders of the pool; a point's compute is what the samples actually drawn cost: their
generated tokens, decode FLOPs and engine seconds, plus the prompt's prefill under the run's prefill
rule (`core.accounting`): the samples are drawn one request at a time, so under `prefix_cache`
the prompt is computed once per problem (later requests find it cached) and under `no_cache` every
request drawn pays it (E[samples drawn] prefills, prompt tokens and dollars alike), and dollars from
the price table. `mean_samples` is the expected number drawn; `extra` carries the
resampling errors of accuracy and samples. Samples are drawn one at a time, so the latency is the sum
of the drawn samples' engine seconds, and each decodes alone (a batch of 1) for its memory traffic
(`harness.analysis.memory_traffic`; eFLOPs = FLOPs + `intensity` x bytes).
"""

from __future__ import annotations

import numpy as np

from core.accounting import RULES, check_rule
from core.flops import decode_flops, prefill_flops
from core.records import CurvePoint, ModelInfo
from harness.analysis.memory_traffic import DEFAULT_INTENSITY
from harness.analysis.pool_votes import row_votes
from harness.analysis.query_cost import decode_bytes, prefill_bytes
from harness.analysis.selection import Pools, Price, bin_groups, group_pools
from harness.analysis.stats import bootstrap_ci
from harness.run.score import ScoredRow
from strategies.adaptive import AdaptiveResult, BetaRule, StopRule, adaptive_vote, mean_over_problems


def adaptive_curve(
    name: str,
    rule: StopRule,
    model: ModelInfo,
    task: str,
    by_problem: dict[str, list[ScoredRow]],
    caps: list[int],
    resamples: int = 256,
    seed: int = 0,
    price: Price | None = None,
    bins: dict[str, str] | None = None,
    bootstrap_resamples: int = 1000,
    intensity: float = DEFAULT_INTENSITY,
    prefill_accounting: str = RULES[0],
) -> list[CurvePoint]:
    """One adaptive strategy's curve (label `name`) over one sampled pool: on all problems, then per bin."""
    check_rule(prefill_accounting)
    price = price or Price()
    ids = sorted(by_problem)
    size = min(len(by_problem[p]) for p in ids)
    caps = [k for k in caps if 1 <= k <= size]
    results: list[list[AdaptiveResult]] = []  # [problem][cap]
    prompts = []
    for pid in ids:
        rows = by_problem[pid]
        votes = row_votes(rows)
        costs = {
            "tokens": [float(r.completion_tokens) for r in rows],
            "flops": [decode_flops(model, r.prompt_tokens, r.completion_tokens) for r in rows],
            "seconds": [r.latency_s for r in rows],
            "bytes": [decode_bytes(model, r.prompt_tokens, r.completion_tokens) for r in rows],
        }
        results.append(adaptive_vote(votes.keys, votes.correct, rule, caps, costs, resamples, seed))
        prompts.append(rows[0].prompt_tokens)
    points = []
    for label, idx in bin_groups(ids, bins).items():
        for j, cap in enumerate(caps):
            per_problem = [results[i][j] for i in idx]
            # prefills paid per problem: one (prefix_cache), or one per request drawn (no_cache)
            paid = [r.samples if prefill_accounting == "no_cache" else 1.0 for r in per_problem]
            pairs = list(zip(idx, paid, strict=True))
            prompt = float(np.mean([prompts[i] * m for i, m in pairs]))
            prefill = float(np.mean([prefill_flops(model, prompts[i]) * m for i, m in pairs]))
            prefill_memory = float(np.mean([prefill_bytes(model, prompts[i]) * m for i, m in pairs]))
            mean = mean_over_problems(per_problem)
            low, high = bootstrap_ci([r.accuracy for r in per_problem], bootstrap_resamples, seed)
            tokens = mean.costs["tokens"]
            flops = prefill + mean.costs["flops"]
            memory = prefill_memory + mean.costs["bytes"]
            points.append(CurvePoint(
                model=model.name, task=task, strategy=name, budget=cap,
                accuracy=mean.accuracy, ci_low=low, ci_high=high,
                mean_samples=mean.samples, mean_tokens=tokens, mean_flops=flops,
                mean_seconds=mean.costs["seconds"], n_problems=len(idx),
                mean_total_tokens=prompt + tokens,
                mean_dollars=(prompt * price.input_per_m + tokens * price.output_per_m) / 1e6,
                bin=label,
                extra={"flops_generator": flops, "resample_se": mean.accuracy_se,
                       "samples_se": mean.samples_se, "memory_bytes": memory},
                mean_latency=mean.costs["seconds"],
                mean_eflops=flops + intensity * memory,
            ))
    return points


ADAPTIVE_LABEL = "adaptive_majority"
"""The report's adaptive curve: majority vote with Adaptive-Consistency's Beta stopping rule."""
ADAPTIVE_RULE = BetaRule(0.95)
"""Stop once P(p1 > p2 | v1, v2) >= 0.95 (the threshold of Aggarwal et al. 2023)."""


def earliest_stop(rule: StopRule, most: int) -> int | None:
    """The fewest samples after which `rule` can stop (a unanimous vote), None if not within `most`."""
    return next((t for t in range(1, most + 1) if rule.should_stop(t, 0)), None)


def adaptive_majority_curves(
    rows: list[ScoredRow],
    infos: dict[str, ModelInfo],
    task: str,
    strategy_names: list[str],
    budgets: list[int],
    prices: dict[str, Price] | None = None,
    bins_by_model: dict[str, dict[str, str]] | None = None,
    seed: int = 0,
    bootstrap_resamples: int = 1000,
    intensity: float = DEFAULT_INTENSITY,
    prefill_accounting: str = RULES[0],
    pools: Pools | None = None,
) -> list[CurvePoint]:
    """`adaptive_majority` for every model with a sampled pool, when the run evaluates `majority`
    (the same pool and votes, samples drawn only until the vote is decided). Caps: the budgets above
    the rule's earliest stop (4 samples for the Beta rule at 0.95); at or below it the walk always
    draws the cap, which is majority@cap itself (only with resampling noise), so it is not repeated.
    `pools` (`group_pools(rows)`) may be passed when the caller has grouped the rows already."""
    earliest = earliest_stop(ADAPTIVE_RULE, max(budgets, default=0))
    caps = [k for k in budgets if earliest is not None and k > earliest]
    if "majority" not in strategy_names or not caps:
        return []
    pools = group_pools(rows) if pools is None else pools
    points: list[CurvePoint] = []
    for name, info in infos.items():
        by_problem = pools.get((name, "sampled"))
        if not by_problem:
            continue
        points += adaptive_curve(ADAPTIVE_LABEL, ADAPTIVE_RULE, info, task, by_problem, caps, seed=seed,
                                 price=(prices or {}).get(name), bins=(bins_by_model or {}).get(name),
                                 bootstrap_resamples=bootstrap_resamples, intensity=intensity,
                                 prefill_accounting=prefill_accounting)
    return points
