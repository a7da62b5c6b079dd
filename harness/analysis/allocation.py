"""The compute-optimal allocation: a pure `choose(strategy, candidates, probe)` from the candidates'
cells and a difficulty probe to the meta strategy's own cells, a policy selected on one half of the
problems and reported on the other (then swapped).

Candidates are the cells of the run's other non-oracle strategies for the same model (pass@k reads
the reference, so it never competes), exactly as their own curves show them (`harness.analysis.cells`):
each selection strategy at each budget (per-problem expected accuracy; FLOPs = prefill + k x the
problem's mean decode FLOPs) and each search strategy's cells (per-problem verdict and traced FLOPs,
under the run's prefill rule). The probe is the first `probe` samples of the sampled pool; its FLOPs
and tokens are added to every problem's cost. What the probe already paid of a candidate's cost is
the candidate's `probe_shared_*` (set by the cells' builder under the run's rule: a selection
candidate's prompt prefill under `prefix_cache`, nothing under `no_cache`; search candidates keep
theirs, their prompts are not stored: an upper bound of one prefill) and is not charged twice. The
samples axis is the probe's samples plus the chosen candidate's (k samples, or a search cell's whole
solutions). Cells are labelled `compute_optimal`, budget = target index (1 = cheapest), with the
target FLOPs and each candidate's share in their extras. Latency: the probe (its samples in
parallel: the slowest), then the chosen candidate (its own latency, `harness.analysis.query_cost`);
memory bytes likewise add up; eFLOPs = FLOPs + `intensity` x bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.flops import decode_flops, prefill_flops
from core.records import ModelInfo, stable_hash
from harness.analysis.cells import Cells
from harness.analysis.query_cost import cell_bytes
from harness.run.score import ScoredRow
from strategies.compute_optimal import ComputeOptimal, agreement, allocate


@dataclass(frozen=True)
class Probe:
    """The difficulty probe: the first `probe` samples of the sampled pool, per problem (sorted ids)."""

    problem_ids: tuple[str, ...]
    samples: int
    bins: np.ndarray
    """Agreement of the probe's reference-free vote keys (0..samples): the difficulty bin."""
    flops: np.ndarray
    tokens: np.ndarray
    seconds: np.ndarray
    latency: np.ndarray
    """One request of n: the slowest sample."""
    memory: np.ndarray

    @staticmethod
    def build(info: ModelInfo, sampled: dict[str, list[ScoredRow]], samples: int) -> Probe | None:
        """The probe over `sampled`; None when a problem has fewer than `samples` samples."""
        if not sampled or min(len(v) for v in sampled.values()) < samples:
            return None
        ids = sorted(sampled)
        rows = [sampled[pid][:samples] for pid in ids]
        return Probe(
            problem_ids=tuple(ids), samples=samples,
            bins=np.array([agreement([r.vote for r in probe]) for probe in rows]),
            flops=np.array([prefill_flops(info, probe[0].prompt_tokens)
                            + sum(decode_flops(info, r.prompt_tokens, r.completion_tokens) for r in probe)
                            for probe in rows]),
            tokens=np.array([sum(r.completion_tokens for r in probe) for probe in rows], dtype=float),
            seconds=np.array([sum(r.latency_s for r in probe) for probe in rows]),
            latency=np.array([max(r.latency_s for r in probe) for probe in rows]),
            memory=np.array([cell_bytes(info, probe[0].prompt_tokens, [r.completion_tokens for r in probe],
                                        len(probe)) for probe in rows]),
        )


def _stack(candidates: Sequence[Cells], matrix: str) -> np.ndarray:
    return np.concatenate([getattr(c, matrix)() if matrix in ("tokens", "seconds") else getattr(c, matrix)
                           for c in candidates], axis=1)


def choose(strategy: ComputeOptimal, candidates: Sequence[Cells], probe: Probe) -> Cells | None:
    """compute_optimal's cells: per target compute, each problem's chosen candidate cell plus the probe.

    `candidates` are the cells allocated among (on the probe's problems); None when there are none."""
    candidates = [c for c in candidates if c.problem_ids == probe.problem_ids and c.budgets]
    if not candidates:
        return None
    names = [name for c in candidates for name in c.names()]
    acc, flops, tokens, seconds, samples, latency, memory = (_stack(candidates, m) for m in (
        "accuracy", "flops", "tokens", "seconds", "samples", "latency", "memory"))
    shared_flops = np.concatenate([c.probe_shared_flops if c.probe_shared_flops is not None
                                   else np.zeros(c.accuracy.shape) for c in candidates], axis=1)
    shared_bytes = np.concatenate([c.probe_shared_bytes if c.probe_shared_bytes is not None
                                   else np.zeros(c.accuracy.shape) for c in candidates], axis=1)
    flops = flops - shared_flops  # what the probe already paid (the rule was applied building the cells)
    memory = memory - shared_bytes
    ids = probe.problem_ids
    bins = probe.bins
    half = np.array([int(stable_hash({"id": pid}), 16) % 2 for pid in ids])
    means = flops.mean(axis=0)
    grid = np.geomspace(means.min(), means.max(), strategy.targets) if means.min() > 0 else np.unique(means)
    cheapest = int(np.argmin(means))  # for a bin the fitting half never saw
    picks: list[np.ndarray] = []
    targets: list[float] = []
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
        picks.append(chosen)
        targets.append(float(target))
    rows = np.arange(len(ids))

    def picked(matrix: np.ndarray, plus: np.ndarray | float = 0.0) -> np.ndarray:
        return np.stack([matrix[rows, chosen] + plus for chosen in picks], axis=1)

    extras = []
    for target, chosen in zip(targets, picks, strict=True):
        extra = {"target_flops": target}
        for j in sorted(set(chosen.tolist())):
            extra[f"share:{names[j]}"] = float(np.mean(chosen == j))
        extras.append(extra)
    return Cells(
        model=candidates[0].model, problem_ids=ids, labels=(strategy.label,) * len(picks),
        budgets=tuple(range(1, len(picks) + 1)),
        accuracy=picked(acc), samples=picked(samples, float(strategy.probe)), draws=(1.0,) * len(picks),
        unit_tokens=picked(tokens, probe.tokens), unit_seconds=picked(seconds, probe.seconds),
        flops=picked(flops, probe.flops), latency=picked(latency, probe.latency),
        memory=picked(memory, probe.memory), cell_extra=tuple(extras),
    )
