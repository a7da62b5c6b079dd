"""Every strategy's curve for every model of a run: cells first (`harness.analysis.cells`), then points.

Per model, each selection and search strategy's cells are built once from the pool it reads
(`strategies.PoolKey`), in the order the run lists the strategies; then each meta strategy
(compute_optimal) chooses among those cells (`harness.analysis.allocation.choose`). Every arm is
charged by the run's one prefill rule (`core.accounting`), applied while the cells are built. Points
come from cells by one function (`cells.cell_points`): on all problems, then per difficulty bin
(a meta strategy's only on all problems).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.accounting import RULES, check_rule
from core.records import CurvePoint, ModelInfo
from harness.analysis.allocation import Probe, choose
from harness.analysis.cells import Cells, cell_points, strategy_cells
from harness.analysis.memory_traffic import DEFAULT_INTENSITY
from harness.analysis.selection import PoolData, Pools, Price, difficulty_bins, group_pools
from harness.run.score import ScoredRow
from strategies import Strategy, is_meta
from strategies.compute_optimal import ComputeOptimal


def model_cells(
    info: ModelInfo, pools: Pools, strategies: Sequence[Strategy], budgets: list[int], rule: str = RULES[0]
) -> dict[str, Cells]:
    """Strategy label -> its cells for `info`'s model, for every selection and search strategy with a pool."""
    built: dict[str, PoolData] = {}
    out: dict[str, Cells] = {}
    for strategy in strategies:
        cells = strategy_cells(strategy, info, pools, budgets, rule, built)
        if cells is not None:
            out[strategy.label] = cells
    return out


def meta_cells(
    strategy: Strategy, info: ModelInfo, pools: Pools, strategies: Sequence[Strategy], cells: dict[str, Cells]
) -> Cells | None:
    """A meta strategy's cells: its choice among the others' `cells` (None: no probe or no candidates)."""
    assert isinstance(strategy, ComputeOptimal)
    probe = Probe.build(info, pools.get((info.name, "sampled")) or {}, strategy.probe)
    if probe is None:
        return None
    labels = strategy.candidate_labels(strategies)  # oracles (pass@k) never compete
    candidates = [cells[s.label] for s in strategies if s.label in labels and s.label in cells]
    return choose(strategy, candidates, probe)


@dataclass(frozen=True)
class Curve:
    """One strategy's cells for one model, with how its points are split and priced."""

    cells: Cells
    bins: dict[str, str] | None
    """Difficulty bins its points are also computed on (None: all problems only)."""
    price: Price | None

    def points(self, task: str, resamples: int, seed: int, intensity: float) -> list[CurvePoint]:
        return cell_points(self.cells, task, self.bins, resamples, seed, self.price, intensity)


def run_curves(
    pools: Pools,
    infos: dict[str, ModelInfo],
    strategies: Sequence[Strategy],
    budgets: list[int],
    prices: dict[str, Price] | None = None,
    metadata: dict[str, dict[str, object]] | None = None,
    prefill_accounting: str = RULES[0],
) -> list[Curve]:
    """Every strategy's cells for every model, in point order: per model, the selection and search
    strategies as the run lists them, then the meta strategies (on all problems only)."""
    check_rule(prefill_accounting)
    curves: list[Curve] = []
    for model_name, info in infos.items():
        bins = difficulty_bins(pools, metadata, model_name) if metadata is not None else None
        price = (prices or {}).get(model_name, Price())
        cells = model_cells(info, pools, strategies, budgets, prefill_accounting)
        curves += [Curve(cells[s.label], bins, price) for s in strategies if s.label in cells]
        for strategy in strategies:
            if is_meta(strategy):
                chosen = meta_cells(strategy, info, pools, strategies, cells)
                if chosen is not None:
                    curves.append(Curve(chosen, None, None))
    return curves


def analyze(
    rows: list[ScoredRow],
    infos: dict[str, ModelInfo],
    task: str,
    strategies: Sequence[Strategy],
    budgets: list[int],
    resamples: int = 1000,
    seed: int = 0,
    prices: dict[str, Price] | None = None,
    metadata: dict[str, dict[str, object]] | None = None,
    prefill_accounting: str = RULES[0],
    intensity: float = DEFAULT_INTENSITY,
    pools: Pools | None = None,
) -> list[CurvePoint]:
    """Every strategy's curve for every model, every arm under the one `prefill_accounting` rule.

    `pools` (`group_pools(rows)`) may be passed when the caller has grouped the rows already;
    `run_curves` gives the cells behind the points."""
    pools = group_pools(rows) if pools is None else pools
    curves = run_curves(pools, infos, strategies, budgets, prices, metadata, prefill_accounting)
    return [p for c in curves for p in c.points(task, resamples, seed, intensity)]
