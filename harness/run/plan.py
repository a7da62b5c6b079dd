"""Turn a sweep into the smallest set of generation work: one pool per (model, pool kind).

Selection strategies at every budget share ONE sampled pool of N = max(budgets) samples per
problem (model, task, prompt version and sampling params name it); greedy is its own pool of one
sample at temperature 0. Each search strategy has its own pool of traces, one per cell
(variant, budget), named by the strategy and its options as well; a problem missing any cell is
rerun whole (the store keeps the first copy of a cell). Against the store, only missing
(problem, index) pairs become work, cut into deterministic shards of problems so any replica can
redo any shard.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.records import SamplingParams, stable_hash
from harness.config import ModelConfig, ResolvedSweep, StrategyConfig
from harness.run.store import PoolStore
from strategies import CellIndex, PoolKey, get_strategy, is_search
from tasks import Message, Problem, Task


@dataclass(frozen=True)
class PoolSpec:
    """One pool: what is sampled, for which model and task, and how many per problem."""

    kind: str
    """`greedy`, `sampled` or `search:<label>` (`strategies.PoolKey`)."""
    model: ModelConfig
    task: str
    prompt_version: str
    params: SamplingParams
    strategy: StrategyConfig | None = None
    """Search pools only (kind `search:<label>`): the strategy whose traces the pool holds; its
    indices are the strategy's cells, so n = number of cells."""

    def identity(self) -> dict[str, Any]:
        """The fields that define the pool's content (n excluded: a pool can grow)."""
        ident = {
            "model": self.model.name,
            "model_path": self.model.path,
            "revision": self.model.revision,
            "task": self.task,
            "prompt_version": self.prompt_version,
            "params": self.params.key(),
        }
        if self.strategy is not None:
            ident["strategy"] = {"name": self.strategy.name, "options": dict(self.strategy.options)}
        return ident

    @property
    def hash(self) -> str:
        return stable_hash(self.identity())

    def store(self, root: Path) -> PoolStore:
        return PoolStore(root, self.model.name, self.task, self.hash)


@dataclass(frozen=True)
class WorkItem:
    """Samples still missing for one problem of one pool."""

    pool: PoolSpec
    problem_id: str
    messages: tuple[tuple[tuple[str, str], ...], ...]
    """Chat messages as nested tuples (hashable, picklable): ((("role", r), ("content", c)), ...)."""
    indices: tuple[int, ...]
    """Pool indices to fill, ascending."""
    problem: Problem | None = None
    """Search items only: the problem (a strategy that votes inside needs its answers checked)."""

    def chat(self) -> list[Message]:
        return [dict(m) for m in self.messages]


@dataclass(frozen=True)
class Shard:
    """A unit of work a replica takes: some problems, with what every pool of one model lacks for them.

    Pools of one model share shards so that one engine call batches greedy and sampled work.
    """

    model: ModelConfig
    number: int
    items: tuple[WorkItem, ...]

    @property
    def n_samples(self) -> int:
        return sum(len(i.indices) for i in self.items)

    @property
    def problem_ids(self) -> set[str]:
        return {i.problem_id for i in self.items}


@dataclass(frozen=True)
class Plan:
    pools: tuple[PoolSpec, ...]
    shards: tuple[Shard, ...]

    def shards_for(self, model: str) -> list[Shard]:
        return [s for s in self.shards if s.model.name == model]

    @property
    def n_missing(self) -> int:
        return sum(s.n_samples for s in self.shards)


def pool_specs(resolved: ResolvedSweep, task: Task) -> list[PoolSpec]:
    """The pools the sweep's strategies read, per model (greedy and/or sampled)."""
    sweep = resolved.sweep
    built = {s.label: get_strategy(s.name, s.label, **s.options) for s in resolved.strategies}
    kinds = {key.kind for key in map(PoolKey.of, built.values()) if key is not None}
    specs = []
    for model in resolved.models:
        if "greedy" in kinds:
            params = SamplingParams(temperature=0.0, top_p=1.0, max_tokens=sweep.max_tokens, n=1)
            specs.append(PoolSpec("greedy", model, task.name, task.prompt_version, params))
        if "sampled" in kinds:
            params = SamplingParams(
                temperature=sweep.temperature,
                top_p=sweep.top_p,
                max_tokens=sweep.max_tokens,
                n=max(sweep.budgets),
            )
            specs.append(PoolSpec("sampled", model, task.name, task.prompt_version, params))
        for s in resolved.strategies:
            strategy = built[s.label]
            if is_search(strategy):  # one trace per cell: store index i is cell i
                params = SamplingParams(temperature=sweep.temperature, top_p=sweep.top_p,
                                        max_tokens=sweep.max_tokens, n=len(CellIndex.of(strategy)))
                specs.append(PoolSpec(PoolKey.search(s.label).kind, model, task.name, task.prompt_version,
                                      params, s))
    return specs


def make_plan(
    specs: list[PoolSpec], task: Task, problems: list[Problem], store_root: Path, shard_size: int
) -> Plan:
    shards: list[Shard] = []
    models = list(dict.fromkeys(s.model.name for s in specs))
    for model in models:
        model_specs = [s for s in specs if s.model.name == model]
        have = {s.hash: s.store(store_root).read() for s in model_specs}
        pending: list[list[WorkItem]] = []  # per problem, its items across pools
        for problem in problems:
            messages = tuple(tuple(sorted(m.items())) for m in task.messages(problem))
            items = []
            for spec in model_specs:
                missing = tuple(i for i in range(spec.params.n) if (problem.id, i) not in have[spec.hash])
                if missing:
                    search = spec.strategy is not None
                    items.append(WorkItem(spec, problem.id, messages, missing, problem if search else None))
            if items:
                pending.append(items)
        for start in range(0, len(pending), shard_size):
            chunk = tuple(item for items in pending[start : start + shard_size] for item in items)
            shards.append(Shard(model_specs[0].model, len(shards), chunk))
    return Plan(pools=tuple(specs), shards=tuple(shards))
