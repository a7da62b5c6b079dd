"""One strategy's per-problem cell matrix for one model, built in one place for every kind of strategy,
and the one function that turns cells into curve points.

A cell is one point of a strategy's curve: a selection strategy at budget k, a search strategy's
(variant, budget), one target of a meta strategy. `Cells` holds, per problem x cell, the accuracy
and what the cell cost (FLOPs, tokens, seconds, latency, memory bytes, FLOPs and tokens by role),
with the problems in sorted id order. Built from
- a selection strategy: its estimators over the pool (`selection_cells`). k samples are charged as
  one request of n = k: the prompt's prefill once, k x the pool's mean decode FLOPs, tokens and
  seconds (`harness.analysis.selection`);
- a search strategy: its traces, trace i being cell i (`strategies.CellIndex`), each charged what
  its calls cost (`search_cells`, `harness.analysis.search.trace_cost`);
- a meta strategy: a pure choice among the other strategies' cells (`harness.analysis.allocation.choose`).

The compute accounting rule (`core.accounting`) is applied here, while cells are built, and
nowhere after: a search trace's prompts are charged by it, and `probe_shared_flops` /
`probe_shared_bytes` hold what a difficulty probe of the same prompt already paid under it (the
selection cell's prefill under `prefix_cache`, nothing otherwise), which a meta strategy subtracts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.accounting import RULES, check_rule
from core.records import CurvePoint, ModelInfo
from harness.analysis.memory_traffic import DEFAULT_INTENSITY
from harness.analysis.per_problem import point_key
from harness.analysis.query_cost import cell_bytes, parallel_seconds, prefill_bytes
from harness.analysis.search import ROLES, trace_cost
from harness.analysis.selection import PoolData, Pools, Price, accuracy_and_error, bin_groups, selection_flops
from harness.analysis.stats import bootstrap_ci
from harness.run.score import ScoredRow
from strategies import (
    CellIndex,
    PoolKey,
    SearchStrategy,
    SelectionStrategy,
    Strategy,
    is_search,
    is_selection,
)

Matrix = np.ndarray
"""[problem, cell] float64."""


@dataclass(frozen=True)
class Cells:
    """One strategy's cells for one model: per problem (sorted ids) x cell, what it scored and cost."""

    model: str
    problem_ids: tuple[str, ...]
    labels: tuple[str, ...]
    """Each cell's curve label (`strategy`, or `strategy[variant]` for a search variant)."""
    budgets: tuple[int, ...]
    """Each cell's budget in the strategy's unit (a meta strategy: its target index, 1 = cheapest)."""
    accuracy: Matrix
    """Expected accuracy (selection), the verdict (search), the chosen candidate's (meta)."""
    samples: Matrix
    """Whole solutions charged (k; a search cell's `solutions`; a meta cell adds its probe's)."""
    draws: tuple[float, ...]
    """Per cell, how many times `unit_tokens` and `unit_seconds` are charged: k for a selection cell
    (k samples of the pool's mean cost), 1 for the others (their units are already totals)."""
    unit_tokens: Matrix
    """Generated tokens per draw."""
    unit_seconds: Matrix
    """Engine seconds per draw."""
    flops: Matrix
    latency: Matrix
    """Modeled wall-clock seconds (`harness.analysis.query_cost`)."""
    memory: Matrix
    """Bytes moved (the eFLOPs axis)."""
    prompt_tokens: Matrix | None = None
    """Prompt tokens paid (the total-tokens and dollars axes); None: not known (a meta strategy)."""
    by_role: Mapping[str, Matrix] = field(default_factory=dict)
    """Extras by role (`flops_generator`, `tokens_verifier`, ...): each point shows their mean."""
    resample_se: Matrix | None = None
    """Resampling standard error of `accuracy` (selection strategies; 0 where exact)."""
    probe_shared_flops: Matrix | None = None
    """FLOPs a difficulty probe of the same prompt already paid under the run's rule (None: none)."""
    probe_shared_bytes: Matrix | None = None
    """Bytes likewise."""
    cell_extra: tuple[Mapping[str, float], ...] = ()
    """Per cell, figures of the cell itself (a meta strategy's target FLOPs and candidate shares)."""
    oracle: bool = False
    """The strategy reads the reference (pass@k)."""

    def tokens(self) -> Matrix:
        """Generated tokens per problem and cell."""
        return self.unit_tokens * np.array(self.draws)

    def seconds(self) -> Matrix:
        """Engine seconds per problem and cell."""
        return self.unit_seconds * np.array(self.draws)

    def values(self) -> dict[str, dict[str, float]]:
        """Each cell's per-problem accuracy, keyed as baselines and `per_problem.parquet` key points
        (`model/label/k=budget`): the values the `all`-bin point's CI resamples."""
        return {point_key(self.model, label, budget):
                dict(zip(self.problem_ids, map(float, self.accuracy[:, j]), strict=True))
                for j, (label, budget) in enumerate(zip(self.labels, self.budgets, strict=True))}

    def names(self) -> list[str]:
        """`label@budget` of each cell (the name a meta strategy's shares use)."""
        return [f"{label}@{budget}" for label, budget in zip(self.labels, self.budgets, strict=True)]


def _columns(values: list[list[float]]) -> Matrix:
    """[problem][cell] lists -> a [problem, cell] matrix (shape kept when there are no cells)."""
    return np.array(values, dtype=float).reshape(len(values), -1)


def selection_cells(
    strategy: SelectionStrategy, model: ModelInfo, by_problem: dict[str, list[ScoredRow]], budgets: list[int],
    pool: PoolData | None = None, rule: str = RULES[0],
) -> Cells:
    """A selection strategy's cells over one pool: every requested k the pool (and strategy) allows.

    `pool` (built once per pool by `PoolData.build`) is shared by the strategies that read the pool."""
    check_rule(rule)
    pool = pool or PoolData.build(model, by_problem)
    ids = sorted(by_problem)
    ks = strategy.budgets(budgets, min(len(by_problem[p]) for p in ids))
    acc, err = accuracy_and_error(strategy, by_problem, ks, pool.samples)
    costs = pool.costs
    shared = rule == "prefix_cache"  # the probe computed this prompt: its prefill is not paid again
    flops = _columns([[selection_flops(c, k) for k in ks] for c in costs])
    return Cells(
        model=model.name, problem_ids=tuple(ids), labels=(strategy.label,) * len(ks), budgets=tuple(ks),
        accuracy=acc, resample_se=err, oracle=strategy.oracle,
        samples=_columns([[float(k) for k in ks] for _ in costs]),
        draws=tuple(float(k) for k in ks),
        unit_tokens=_columns([[c.mean_tokens] * len(ks) for c in costs]),
        unit_seconds=_columns([[c.mean_seconds] * len(ks) for c in costs]),
        flops=flops,
        prompt_tokens=_columns([[c.prompt_tokens] * len(ks) for c in costs]),
        latency=_columns([parallel_seconds(c.latencies, ks) for c in costs]),
        memory=_columns([[cell_bytes(model, int(c.prompt_tokens), c.completion_tokens, k) for k in ks]
                         for c in costs]),
        by_role={"flops_generator": flops},  # every FLOP of a selection cell is the generator's
        probe_shared_flops=_columns([[c.prefill_flops if shared else 0.0] * len(ks) for c in costs]),
        probe_shared_bytes=_columns([[prefill_bytes(model, int(c.prompt_tokens)) if shared else 0.0] * len(ks)
                                     for c in costs]),
    )


def search_cells(
    strategy: SearchStrategy, model: ModelInfo, traces: dict[str, list[ScoredRow]], rule: str = RULES[0]
) -> Cells:
    """A search strategy's cells from its traces: store index i is cell i (`CellIndex`); a problem's
    accuracy at a cell is its trace's verdict, its cost what the trace's calls cost under `rule`."""
    check_rule(rule)
    index = CellIndex.of(strategy)
    ids = sorted(traces)
    acc: list[list[float]] = []
    costs = []
    for pid in ids:
        rows = {r.index: r for r in traces[pid]}
        costs.append([trace_cost(model, rows[j], rule) for j in range(len(index))])
        acc.append([float(rows[j].correct) for j in range(len(index))])

    def each(value: Any) -> Matrix:
        return _columns([[float(value(c)) for c in row] for row in costs])

    by_role = {f"flops_{r}": each(lambda c, r=r: c.flops_by_role.get(r, 0.0)) for r in ROLES}
    by_role.update({f"tokens_{r}": each(lambda c, r=r: c.tokens_by_role.get(r, 0.0)) for r in ROLES})
    return Cells(
        model=model.name, problem_ids=tuple(ids), labels=tuple(index.labels()),
        budgets=tuple(index.budgets()), accuracy=_columns(acc), oracle=strategy.oracle,
        samples=_columns([[float(s) for s in index.solutions] for _ in ids]),
        draws=(1.0,) * len(index),
        unit_tokens=each(lambda c: c.tokens), unit_seconds=each(lambda c: c.seconds),
        flops=each(lambda c: c.flops),
        prompt_tokens=each(lambda c: c.prompt_tokens), latency=each(lambda c: c.latency),
        memory=each(lambda c: c.memory_bytes), by_role=by_role,
    )


def strategy_cells(
    strategy: Strategy, model: ModelInfo, pools: Pools, budgets: list[int], rule: str = RULES[0],
    built: dict[str, PoolData] | None = None,
) -> Cells | None:
    """The cells of a selection or search strategy over the pool it reads (`PoolKey.of`); None when the
    run has no such pool for `model`, or for a meta strategy (`allocation.choose` builds those).
    `built` caches each pool's `PoolData` across the strategies that share it."""
    key = PoolKey.of(strategy)
    by_problem = pools.get((model.name, key.kind)) if key is not None else None
    if not by_problem or key is None:
        return None
    if is_search(strategy):
        return search_cells(strategy, model, by_problem, rule)
    if is_selection(strategy):
        built = {} if built is None else built
        if key.kind not in built:
            built[key.kind] = PoolData.build(model, by_problem)
        return selection_cells(strategy, model, by_problem, budgets, built[key.kind], rule)
    return None


def cell_points(
    cells: Cells,
    task: str,
    bins: dict[str, str] | None = None,
    resamples: int = 1000,
    seed: int = 0,
    price: Price | None = None,
    intensity: float = DEFAULT_INTENSITY,
) -> list[CurvePoint]:
    """The curve points of `cells`: on all problems, then on each difficulty bin, cell by cell.

    A point's figures are the means over the bin's problems; its CI is the seeded bootstrap over them;
    eFLOPs = FLOPs + `intensity` x bytes."""
    price = price or Price()
    points = []
    for label, idx in bin_groups(list(cells.problem_ids), bins).items():
        for j, budget in enumerate(cells.budgets):
            values = cells.accuracy[idx, j]
            low, high = bootstrap_ci(values, resamples=resamples, seed=seed)
            tokens = cells.draws[j] * float(np.mean(cells.unit_tokens[idx, j]))
            flops = float(np.mean(cells.flops[idx, j]))
            memory = float(cells.memory[idx, j].mean())
            extra: dict[str, float] = dict(cells.cell_extra[j]) if cells.cell_extra else {}
            extra.update({name: float(np.mean(m[idx, j])) for name, m in cells.by_role.items()})
            if cells.resample_se is not None:  # standard error of the mean accuracy from resampling
                extra["resample_se"] = float(np.sqrt(np.sum(cells.resample_se[idx, j] ** 2)) / len(idx))
            extra["memory_bytes"] = memory
            total = dollars = 0.0
            if cells.prompt_tokens is not None:
                prompt = float(np.mean(cells.prompt_tokens[idx, j]))
                total = prompt + tokens
                dollars = (prompt * price.input_per_m + tokens * price.output_per_m) / 1e6
            points.append(CurvePoint(
                model=cells.model,
                task=task,
                strategy=cells.labels[j],
                budget=budget,
                accuracy=float(np.mean(values)),
                ci_low=low,
                ci_high=high,
                mean_samples=float(np.mean(cells.samples[idx, j])),
                mean_tokens=tokens,
                mean_flops=flops,
                mean_seconds=cells.draws[j] * float(np.mean(cells.unit_seconds[idx, j])),
                n_problems=len(idx),
                mean_total_tokens=total,
                mean_dollars=dollars,
                bin=label,
                oracle=cells.oracle,
                extra=extra,
                mean_latency=float(cells.latency[idx, j].mean()),
                mean_eflops=flops + intensity * memory,
            ))
    return points
