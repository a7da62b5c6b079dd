"""Curves of adaptive self-consistency from a sampled pool, so it sits on the frontier like any strategy.

Per cap k (the most samples a problem may draw) and problem, `strategies.adaptive.adaptive_vote`
replays seeded orders of the pool; a point's compute is what the samples actually drawn cost: their
generated tokens, decode FLOPs and engine seconds, plus one prefill per problem (the samples are one
request, as `harness.analyze.selection_flops` charges a pool cell under either prefill rule), and
dollars from the price table. `mean_samples` is the expected number drawn; `extra` carries the
resampling errors of accuracy and samples.
"""

from __future__ import annotations

import numpy as np

from harness.analyze import Price, bin_groups
from harness.compute import decode_flops, prefill_flops
from harness.pool_votes import row_votes
from harness.records import CurvePoint, ModelInfo
from harness.score import ScoredRow
from harness.stats import bootstrap_ci
from strategies.adaptive import AdaptiveResult, StopRule, adaptive_vote, mean_over_problems


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
) -> list[CurvePoint]:
    """One adaptive strategy's curve (label `name`) over one sampled pool: on all problems, then per bin."""
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
        }
        results.append(adaptive_vote(votes.keys, votes.correct, rule, caps, costs, resamples, seed))
        prompts.append(rows[0].prompt_tokens)
    points = []
    for label, idx in bin_groups(ids, bins).items():
        prompt = float(np.mean([prompts[i] for i in idx]))
        prefill = float(np.mean([prefill_flops(model, prompts[i]) for i in idx]))
        for j, cap in enumerate(caps):
            per_problem = [results[i][j] for i in idx]
            mean = mean_over_problems(per_problem)
            low, high = bootstrap_ci([r.accuracy for r in per_problem], bootstrap_resamples, seed)
            tokens = mean.costs["tokens"]
            points.append(CurvePoint(
                model=model.name, task=task, strategy=name, budget=cap,
                accuracy=mean.accuracy, ci_low=low, ci_high=high,
                mean_samples=mean.samples, mean_tokens=tokens, mean_flops=prefill + mean.costs["flops"],
                mean_seconds=mean.costs["seconds"], n_problems=len(idx),
                mean_total_tokens=prompt + tokens,
                mean_dollars=(prompt * price.input_per_m + tokens * price.output_per_m) / 1e6,
                bin=label,
                extra={"flops_generator": prefill + mean.costs["flops"], "resample_se": mean.accuracy_se,
                       "samples_se": mean.samples_se},
            ))
    return points
