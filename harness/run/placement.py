"""Where one replica runs on Ray: plain actor resources, or a placement group for tensor parallelism.

- `tensor_parallel_size == 1` (or a CPU-only cluster): the replica actor asks for
  `num_cpus_per_replica` CPUs and `num_gpus_per_replica` GPUs.
- `tensor_parallel_size = t > 1` on GPUs: the replica gets its own placement group of t bundles of
  one GPU each (bundle 0 also holds the actor's CPUs), with `cluster.placement_strategy` (PACK keeps
  a replica on one node when it can; STRICT_PACK insists; SPREAD spreads). The actor itself takes no
  GPU; it runs in bundle 0 and captures child tasks, so vLLM's Ray executor finds the group
  (`ray.util.get_current_placement_group()`) and starts one worker per GPU bundle, possibly across
  nodes. A replica that dies is replaced inside the same group; groups are removed at the end.

Before any group is made, the cluster's GPUs are counted: fewer than t is an error that says so;
fewer than replicas x t lowers the number of replicas (and says so), instead of waiting forever.
Before anything loads, `check_gpu_share` checks that the auxiliary models a strategy needs fit on
each GPU beside the generator, by each kind's resource estimate (`harness.engines.auxiliary`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from core.auxiliary import AuxModel
from harness.engines.auxiliary import AUX_KINDS
from harness.schemas import ClusterConfig, ConfigError, EngineConfig, check_placement_strategy


class PlacementError(RuntimeError):
    """The cluster cannot hold even one replica, or a placement group never became ready."""


def uses_placement_group(engine: EngineConfig, cluster: ClusterConfig) -> bool:
    return engine.tensor_parallel_size > 1 and cluster.num_gpus_per_replica > 0


def check_gpu_share(label: str, needs: Sequence[tuple[AuxModel, Any]], engine: EngineConfig,
                    cluster: ClusterConfig) -> None:
    """On GPUs, strategy `label`'s auxiliary models (each need with its loaded config) load on every
    replica GPU beside the generator: the generator's share plus theirs must stay within the tightest
    of their kinds' limits. ConfigError otherwise (CPU-only clusters: nothing to check)."""
    if cluster.num_gpus_per_replica <= 0 or not needs:
        return
    mine = engine.gpu_memory_utilization
    shares = [(need, AUX_KINDS[need.kind], AUX_KINDS[need.kind].gpu_share(config, mine))
              for need, config in needs]
    total = mine + sum(share for _, _, share in shares)
    limit = min(kind.max_gpu_share for _, kind, _ in shares)
    if total > limit:
        what = " and ".join(f"{kind.noun} {need.config}" for need, kind, _ in shares)
        theirs = " + ".join(f"the {kind.noun}'s ({share})" for _, kind, share in shares)
        raise ConfigError(
            f"strategy {label} loads {what} next to the generator on each GPU: "
            f"engine.gpu_memory_utilization ({mine}) + {theirs} = {total:.2f} > {limit}; lower "
            f"engine.gpu_memory_utilization")


def bundles(engine: EngineConfig, cluster: ClusterConfig) -> list[dict[str, float]]:
    """One GPU per tensor-parallel rank; the actor's CPUs ride in bundle 0."""
    first = {"GPU": 1.0, "CPU": float(cluster.num_cpus_per_replica)}
    return [first] + [{"GPU": 1.0, "CPU": 1.0} for _ in range(engine.tensor_parallel_size - 1)]


def replicas_that_fit(wanted: int, engine: EngineConfig, cluster: ClusterConfig, gpus: float) -> int:
    """How many replicas of `tensor_parallel_size` GPUs the cluster's `gpus` can hold (at most `wanted`)."""
    if not uses_placement_group(engine, cluster):
        return wanted
    t = engine.tensor_parallel_size
    fit = int(gpus // t)
    if fit < 1:
        raise PlacementError(f"tensor_parallel_size={t} needs {t} GPUs per replica; the Ray cluster has "
                             f"{gpus:g} GPUs")
    return min(wanted, fit)


@dataclass
class Placement:
    """Actor options for replicas, and the placement groups made for them."""

    engine: EngineConfig
    cluster: ClusterConfig
    env: dict[str, str]
    groups: list[Any] = field(default_factory=list)

    def new_group(self, timeout_s: float) -> Any:
        """A ready placement group for one replica (PlacementError if not ready in `timeout_s`)."""
        import ray
        from ray.util.placement_group import placement_group

        strategy = self.cluster.placement_strategy
        check_placement_strategy(strategy)
        group = placement_group(bundles(self.engine, self.cluster), strategy=strategy)
        self.groups.append(group)
        ready, _ = ray.wait([group.ready()], timeout=timeout_s)
        if not ready:
            raise PlacementError(
                f"placement group of {self.engine.tensor_parallel_size} GPU bundles "
                f"({self.cluster.placement_strategy}) not ready after {timeout_s:g}s; see `ray status`")
        return group

    def options(self, group: Any | None) -> dict[str, Any]:
        """`actor.options(...)` for a replica, inside `group` when there is one."""
        opts: dict[str, Any] = {"runtime_env": {"env_vars": self.env}}
        if group is None:
            opts["num_cpus"] = self.cluster.num_cpus_per_replica
            opts["num_gpus"] = self.cluster.num_gpus_per_replica * self.engine.tensor_parallel_size
            return opts
        from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

        opts["num_cpus"] = self.cluster.num_cpus_per_replica
        opts["num_gpus"] = 0
        opts["scheduling_strategy"] = PlacementGroupSchedulingStrategy(
            placement_group=group, placement_group_bundle_index=0, placement_group_capture_child_tasks=True)
        return opts

    def release(self) -> None:
        from ray.util.placement_group import remove_placement_group

        for group in self.groups:
            remove_placement_group(group)
        self.groups.clear()
