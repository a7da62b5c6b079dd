"""The compute-optimal allocation curve: per-problem results of every candidate, a difficulty probe,
and a policy selected on one half of the problems and reported on the other (then swapped).

Candidates are the cells of the run's other non-oracle strategies for the same model (pass@k reads
the reference, so it never competes): each selection strategy at each budget (per-problem expected
accuracy; FLOPs = prefill + k x the problem's mean decode FLOPs, `selection.selection_flops`, the same
cell as on its own curve) and each search strategy's cells
(per-problem verdict and traced FLOPs, under the run's prefill rule). The probe is the first `probe`
samples of the sampled pool; its FLOPs and tokens are added to every problem's cost. Under the
`prefix_cache` rule a selection candidate's prompt is the probe's prompt, already computed, so its
prefill is not charged twice (search candidates keep theirs: their prompts are not stored, an upper
bound of one prefill); under `no_cache` the probe and the candidate each pay it. The samples axis is
the probe's samples plus the chosen candidate's (k samples, or a search cell's whole solutions).
Points are labelled `compute_optimal`, budget = target index (1 = cheapest), with the target FLOPs
in `extra`. Latency: the probe (its samples in parallel: the slowest), then the chosen candidate (its
own latency, `harness.analysis.query_cost`); memory bytes likewise add up, a selection candidate's
prefill bytes left out under `prefix_cache` as its prefill FLOPs are; eFLOPs = FLOPs + `intensity` x bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from core.accounting import RULES
from core.flops import decode_flops, prefill_flops
from core.records import CurvePoint, ModelInfo, stable_hash
from harness.analysis.memory_traffic import DEFAULT_INTENSITY
from harness.analysis.query_cost import cell_bytes, parallel_seconds, prefill_bytes
from harness.analysis.search import search_matrices
from harness.analysis.selection import PoolData, Pools, accuracy_matrix, selection_flops
from harness.analysis.stats import bootstrap_ci
from strategies import SearchStrategy, SelectionStrategy, Strategy
from strategies.compute_optimal import ComputeOptimal, agreement, allocate


def candidate_matrices(
    info: ModelInfo, pools: Pools, strategies: Sequence[Strategy], labels: list[str], budgets: list[int],
    ids: list[str], rule: str = RULES[0],
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
           np.ndarray]:
    """(names, accuracy, flops, tokens, seconds, samples, prefill the probe shares, latency, memory
    bytes), each [problem, candidate], problems in `ids` order. A selection candidate's bytes leave out
    its prefill under `prefix_cache` (the probe read that prompt)."""
    names: list[str] = []
    lat_cols: list[np.ndarray] = []
    byte_cols: list[np.ndarray] = []
    acc_cols: list[np.ndarray] = []
    flop_cols: list[np.ndarray] = []
    tok_cols: list[np.ndarray] = []
    sec_cols: list[np.ndarray] = []
    sample_cols: list[np.ndarray] = []
    shared_cols: list[np.ndarray] = []
    for s in strategies:
        if s.name not in labels:
            continue
        if isinstance(s, SelectionStrategy):
            by_problem = pools.get((info.name, s.pool))
            if not by_problem or set(by_problem) != set(ids):
                continue
            costs = PoolData.build(info, by_problem).costs
            ks = s.budgets(budgets, min(len(v) for v in by_problem.values()))
            acc = accuracy_matrix(s, by_problem, ks)
            for j, k in enumerate(ks):
                names.append(f"{s.name}@{k}")
                acc_cols.append(acc[:, j])
                flop_cols.append(np.array([selection_flops(c, k) for c in costs]))
                tok_cols.append(np.array([k * c.mean_tokens for c in costs]))
                sec_cols.append(np.array([k * c.mean_seconds for c in costs]))
                sample_cols.append(np.full(len(ids), float(k)))
                shared_cols.append(np.array([c.prefill_flops for c in costs]))
                lat_cols.append(np.array([parallel_seconds(c.latencies, [k])[0] for c in costs]))
                byte_cols.append(np.array([
                    cell_bytes(info, int(c.prompt_tokens), c.completion_tokens, k)
                    - (prefill_bytes(info, int(c.prompt_tokens)) if rule == "prefix_cache" else 0.0)
                    for c in costs]))
        elif isinstance(s, SearchStrategy):
            traces = pools.get((info.name, f"search:{s.name}"))
            if not traces or set(traces) != set(ids):
                continue
            acc, tcosts = search_matrices(s, info, traces, rule)
            for j, (variant, budget) in enumerate(s.cells()):
                names.append(f"{s.name}{'[' + variant + ']' if variant else ''}@{budget}")
                acc_cols.append(acc[:, j])
                flop_cols.append(np.array([row[j].flops for row in tcosts]))
                tok_cols.append(np.array([row[j].tokens for row in tcosts]))
                sec_cols.append(np.array([row[j].seconds for row in tcosts]))
                sample_cols.append(np.full(len(ids), float(s.solutions(variant, budget))))
                shared_cols.append(np.zeros(len(ids)))
                lat_cols.append(np.array([row[j].latency for row in tcosts]))
                byte_cols.append(np.array([row[j].memory_bytes for row in tcosts]))
    if not names:
        empty = np.zeros((len(ids), 0))
        return [], empty, empty, empty, empty, empty, empty, empty, empty
    return (names, np.stack(acc_cols, 1), np.stack(flop_cols, 1), np.stack(tok_cols, 1),
            np.stack(sec_cols, 1), np.stack(sample_cols, 1), np.stack(shared_cols, 1), np.stack(lat_cols, 1),
            np.stack(byte_cols, 1))


def allocation_curve(
    strategy: Strategy, info: ModelInfo, task: str, pools: Pools, strategies: Sequence[Strategy],
    budgets: list[int], resamples: int, seed: int, rule: str = RULES[0],
    intensity: float = DEFAULT_INTENSITY,
) -> list[CurvePoint]:
    assert isinstance(strategy, ComputeOptimal)
    sampled = pools.get((info.name, "sampled"))
    if not sampled or min(len(v) for v in sampled.values()) < strategy.probe:
        return []
    ids = sorted(sampled)
    labels = strategy.candidate_labels(strategies)  # oracles (pass@k) never compete
    names, acc, flops, tokens, seconds, samples, shared, latency, memory = candidate_matrices(
        info, pools, strategies, labels, budgets, ids, rule)
    if not names:
        return []
    if rule == "prefix_cache":  # the probe already computed the prompt a selection candidate reads
        flops = flops - shared
    probe_rows = [sampled[pid][: strategy.probe] for pid in ids]
    bins = np.array([agreement([r.vote for r in rows]) for rows in probe_rows])  # reference-free keys
    probe_flops = np.array([prefill_flops(info, rows[0].prompt_tokens)
                            + sum(decode_flops(info, r.prompt_tokens, r.completion_tokens) for r in rows)
                            for rows in probe_rows])
    probe_tokens = np.array([sum(r.completion_tokens for r in rows) for rows in probe_rows], dtype=float)
    probe_seconds = np.array([sum(r.latency_s for r in rows) for rows in probe_rows])
    probe_latency = np.array([max(r.latency_s for r in rows) for rows in probe_rows])  # one request of n
    probe_bytes = np.array([cell_bytes(info, rows[0].prompt_tokens, [r.completion_tokens for r in rows],
                                       len(rows)) for rows in probe_rows])
    half = np.array([int(stable_hash({"id": pid}), 16) % 2 for pid in ids])
    means = flops.mean(axis=0)
    grid = np.geomspace(means.min(), means.max(), strategy.targets) if means.min() > 0 else np.unique(means)
    cheapest = int(np.argmin(means))  # for a bin the fitting half never saw
    points: list[CurvePoint] = []
    seen: set[tuple[int, ...]] = set()
    for target in grid:
        chosen = np.zeros(len(ids), dtype=int)  # every problem is in one test half, so all are set
        for fit, test in ((0, 1), (1, 0)):
            fit_rows, test_rows = half == fit, half == test
            if not fit_rows.any() or not test_rows.any():
                fit_rows = test_rows = np.ones(len(ids), dtype=bool)  # too few problems to split
            policy = allocate(acc[fit_rows], flops[fit_rows], bins[fit_rows], float(target))
            if policy is None:  # the target is below this half's cheapest allocation: take that one
                policy = {int(b): int(np.argmin(flops[fit_rows & (bins == b)].sum(axis=0)))
                          for b in set(bins[fit_rows].tolist())}
            for i in np.flatnonzero(test_rows):
                chosen[i] = policy.get(int(bins[i]), cheapest)
        key = tuple(chosen.tolist())
        if key in seen:
            continue
        seen.add(key)
        rows = np.arange(len(ids))
        values = acc[rows, chosen]
        low, high = bootstrap_ci(values, resamples=resamples, seed=seed)
        extra: dict[str, Any] = {"target_flops": float(target)}
        for j in sorted(set(key)):
            extra[f"share:{names[j]}"] = float(np.mean(chosen == j))
        moved = float((memory[rows, chosen] + probe_bytes).mean())
        points.append(CurvePoint(
            model=info.name, task=task, strategy=strategy.name, budget=len(points) + 1,
            accuracy=float(values.mean()), ci_low=low, ci_high=high,
            mean_samples=float((samples[rows, chosen] + strategy.probe).mean()),
            mean_tokens=float((tokens[rows, chosen] + probe_tokens).mean()),
            mean_flops=float((flops[rows, chosen] + probe_flops).mean()),
            mean_seconds=float((seconds[rows, chosen] + probe_seconds).mean()),
            n_problems=len(ids), extra={**extra, "memory_bytes": moved},
            mean_latency=float((latency[rows, chosen] + probe_latency).mean()),
            mean_eflops=float((flops[rows, chosen] + probe_flops).mean()) + intensity * moved,
        ))
    return points
