"""The sweep config: a typed schema, Hydra composition of `configs/`, and validation.

`load_sweep_config(overrides)` composes `configs/sweep.yaml` with command-line overrides
(`key=value`), resolves the named models, task and strategies from their config folders, and checks
every name and budget before anything heavy happens, and every auxiliary model a strategy needs
(`check_needs`, through `harness.engines.auxiliary.AUX_KINDS`). Errors are `ConfigError`s that list
the valid names. The model, reward-model, engine and cluster records live in `harness.schemas` (the
ones a sweep holds are re-exported here). Configs are inert data: nothing here loads a model or
touches the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

import strategies
from core.accounting import check_rule
from core.auxiliary import AuxModel
from core.registry import unknown_name_message
from harness.analysis.memory_traffic import DEFAULT_ACCELERATOR, accelerator
from harness.engines import engine_names
from harness.engines.auxiliary import AUX_KINDS
from harness.run.placement import check_gpu_share
from harness.schemas import (
    CONFIG_DIR,
    ClusterConfig,
    ConfigError,
    EngineConfig,
    ModelConfig,
    check_placement_strategy,
    group_names,
    load_group_item,
)
from strategies import Strategy


@dataclass
class ModelOverrides:
    """`model.<field>=value` on the command line: replaces that field of every model in the sweep
    (null keeps each model config's own value)."""

    path: str | None = None
    """Only with one model in `models`: e.g. a local folder holding the checkpoint."""
    revision: str | None = None
    dtype: str | None = None
    max_model_len: int | None = None
    trust_remote_code: bool | None = None
    price_input_per_m: float | None = None
    price_output_per_m: float | None = None


DTYPES = ("auto", "bfloat16", "float16", "float32", "half", "float")
WANDB_MODES = ("offline", "online", "disabled")


@dataclass
class TaskConfig:
    name: str = "???"
    """Registered task (`tasks/<module>.py`). Tasks take no options: a variant that changes prompts or
    scoring is its own registered task (HumanEval+ is `humaneval_plus`), so its name, prompt and
    verifier versions enter the pool hash and the run's merge check."""


@dataclass
class StrategyConfig:
    name: str = "???"
    """Registered strategy (`strategies/<name>.py`)."""
    options: dict[str, Any] = field(default_factory=dict)
    """Constructor options, e.g. {score: mean_logprob}."""
    label: str = ""
    """How curves name it: the config file's name (filled in when loaded)."""


@dataclass
class WandbConfig:
    mode: str = "offline"
    """offline (default, no account), online, or disabled."""
    project: str = "ttc-harness"


@dataclass
class BootstrapConfig:
    resamples: int = 1000
    seed: int = 0


@dataclass
class SweepConfig:
    """Everything a sweep needs; every field can be overridden on the command line."""

    name: str = "default"
    models: list[str] = field(default_factory=lambda: ["smollm2_135m"])
    model: ModelOverrides = field(default_factory=ModelOverrides)
    """Fields replaced in every model of `models` (`model.dtype=float32`)."""
    task: TaskConfig = field(default_factory=lambda: TaskConfig(name="gsm8k"))
    strategies: list[str] = field(default_factory=lambda: ["greedy", "majority", "pass_at_k"])
    strategy_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per strategy label, options that replace those of its `configs/strategy/<label>.yaml`."""
    budgets: list[int] = field(default_factory=lambda: [1, 2, 4, 8, 16])
    limit: int | None = 20
    temperature: float = 0.8
    top_p: float = 1.0
    max_tokens: int = 384
    seed: int = 0
    data_dir: str | None = None
    results_dir: str = "results"
    verbose: bool = False
    """Show engine and Ray logs on the terminal (else they go to the run folder's engine.log)."""
    prefill_accounting: str = "prefix_cache"
    """The one prefill rule for every arm (`core.accounting`): prefix_cache (each distinct token
    position of a problem computed once) or no_cache (every engine call pays its whole prompt)."""
    accelerator: str = DEFAULT_ACCELERATOR
    """Hardware whose arithmetic intensity prices memory traffic on the eFLOPs axis
    (`harness.analysis.memory_traffic.ACCELERATORS`: h100, h200, a100, cpu)."""
    engine: EngineConfig = field(default_factory=EngineConfig)
    cluster: ClusterConfig = field(default_factory=ClusterConfig)
    wandb: WandbConfig = field(default_factory=WandbConfig)
    bootstrap: BootstrapConfig = field(default_factory=BootstrapConfig)


@dataclass(frozen=True)
class ResolvedSweep:
    """A validated sweep with its named parts loaded from their config folders."""

    sweep: SweepConfig
    models: tuple[ModelConfig, ...]
    strategies: tuple[StrategyConfig, ...]

    @property
    def task(self) -> TaskConfig:
        return self.sweep.task

    def to_yaml(self) -> str:
        data = OmegaConf.to_container(OmegaConf.structured(self.sweep))
        assert isinstance(data, dict)
        data["resolved"] = {
            "models": [OmegaConf.to_container(OmegaConf.structured(m)) for m in self.models],
            "strategies": [OmegaConf.to_container(OmegaConf.structured(s)) for s in self.strategies],
        }
        return OmegaConf.to_yaml(data)


def register_schemas() -> None:
    """Register the engine and cluster schemas (`defaults: [schema, _self_]` in their YAML files), so
    that every field can be overridden from the command line, listed in the file or not."""
    from hydra.core.config_store import ConfigStore

    store = ConfigStore.instance()
    store.store(group="engine", name="schema", node=EngineConfig)
    store.store(group="cluster", name="schema", node=ClusterConfig)


def compose(overrides: list[str]) -> DictConfig:
    """Hydra-compose `configs/sweep.yaml` with `key=value` overrides."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException, MissingConfigException

    register_schemas()
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base=None):
            return hydra_compose(config_name="sweep", overrides=overrides)
    except MissingConfigException as exc:
        group = next((g for g in ("task", "engine", "cluster", "sweep") if f"'{g}/" in str(exc)), None)
        if group is not None:
            wanted = str(exc).split(f"'{group}/", 1)[1].split("'", 1)[0]
            raise ConfigError(unknown_name_message(group, wanted, group_names(group))) from exc
        raise ConfigError(str(exc)) from exc
    except (HydraException, OmegaConfBaseException) as exc:  # Hydra's messages span lines: keep one
        first = str(exc).strip().splitlines()
        hint = next((line.strip() for line in first[1:] if line.strip().startswith("To append")), "")
        raise ConfigError(f"{first[0].strip()} {hint}".strip() if first else repr(exc)) from exc


def validate_budgets(budgets: list[Any]) -> list[int]:
    bad = [b for b in budgets if isinstance(b, bool) or not isinstance(b, int) or b < 1]
    if bad or not budgets:
        raise ConfigError(f"budgets must be a non-empty list of positive integers, got {budgets}")
    return sorted(set(budgets))


def check_values(sweep: SweepConfig) -> None:
    """Every value whose valid range is known, checked before anything runs."""
    engine, cluster = sweep.engine, sweep.cluster
    if sweep.wandb.mode not in WANDB_MODES:
        raise ConfigError(f"wandb.mode must be one of {', '.join(WANDB_MODES)}, got {sweep.wandb.mode!r}")
    positive = {"max_tokens": sweep.max_tokens, "cluster.replicas": cluster.replicas,
                "cluster.shard_size": cluster.shard_size,
                "engine.tensor_parallel_size": engine.tensor_parallel_size,
                "engine.max_concurrency": engine.max_concurrency,
                "bootstrap.resamples": sweep.bootstrap.resamples}
    for key, value in positive.items():
        if value < 1:
            raise ConfigError(f"{key} must be a positive integer, got {value}")
    if cluster.max_retries < 0:
        raise ConfigError(f"cluster.max_retries must be 0 or more, got {cluster.max_retries}")
    if cluster.num_gpus_per_replica < 0 or cluster.num_cpus_per_replica <= 0:
        raise ConfigError("cluster.num_cpus_per_replica must be > 0 and cluster.num_gpus_per_replica >= 0, "
                          f"got {cluster.num_cpus_per_replica} and {cluster.num_gpus_per_replica}")
    if cluster.placement_timeout_s <= 0:
        raise ConfigError(f"cluster.placement_timeout_s must be > 0, got {cluster.placement_timeout_s}")
    if not 0 < engine.gpu_memory_utilization <= 1:
        raise ConfigError(f"engine.gpu_memory_utilization must be in (0, 1], "
                          f"got {engine.gpu_memory_utilization}")
    if sweep.temperature < 0 or not 0 < sweep.top_p <= 1:
        raise ConfigError(f"temperature must be >= 0 and top_p in (0, 1], "
                          f"got {sweep.temperature} and {sweep.top_p}")
    if sweep.model.dtype is not None and sweep.model.dtype not in DTYPES:
        raise ConfigError(f"model.dtype must be one of {', '.join(DTYPES)}, got {sweep.model.dtype!r}")
    if sweep.model.path is not None and len(sweep.models) != 1:
        raise ConfigError(f"model.path replaces the path of one model; models lists {len(sweep.models)}")


def apply_model_overrides(model: ModelConfig, sweep: SweepConfig) -> ModelConfig:
    """The model config with the sweep's non-null `model.<field>` values in place of its own."""
    from dataclasses import asdict, replace

    changes = {k: v for k, v in asdict(sweep.model).items() if v is not None}
    model = replace(model, **changes)
    if model.dtype not in DTYPES:
        raise ConfigError(f"model {model.name}: dtype must be one of {', '.join(DTYPES)}, "
                          f"got {model.dtype!r}")
    return model


def resolve(cfg: DictConfig) -> ResolvedSweep:
    """Type-check the composed config and load every named part; raise ConfigError on bad input."""
    import strategies
    import tasks

    raw_budgets = OmegaConf.to_container(cfg).get("budgets", [])  # type: ignore[union-attr]
    budgets = validate_budgets(list(raw_budgets or []))
    try:
        typed = OmegaConf.merge(OmegaConf.structured(SweepConfig), cfg)
        sweep = OmegaConf.to_object(typed)
    except OmegaConfBaseException as exc:  # one line: the key and what is wrong with its value
        key = getattr(exc, "full_key", None)
        first = str(exc).splitlines()[0]
        raise ConfigError(f"invalid sweep config: {key + ': ' if key else ''}{first}") from exc
    assert isinstance(sweep, SweepConfig)
    sweep.budgets = budgets
    try:
        check_rule(sweep.prefill_accounting)
        accelerator(sweep.accelerator)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    check_placement_strategy(sweep.cluster.placement_strategy)
    check_values(sweep)
    if sweep.limit is not None and sweep.limit < 1:
        raise ConfigError(f"limit must be a positive integer or null, got {sweep.limit}")
    if not sweep.models or not sweep.strategies:
        raise ConfigError("models and strategies must each name at least one entry")

    models = tuple(apply_model_overrides(load_group_item("model", m, ModelConfig, "model"), sweep)
                   for m in sweep.models)
    task = sweep.task
    if task.name not in tasks.task_names():
        raise ConfigError(unknown_name_message("task", task.name, tasks.task_names()))
    strats = tuple(load_strategy_config(s) for s in sweep.strategies)
    for label, s in zip(sweep.strategies, strats, strict=True):
        s.label = label
        s.options = {**s.options, **dict(sweep.strategy_options.get(label, {}))}
    unknown = set(sweep.strategy_options) - set(strategy_labels())
    if unknown:  # options for known strategies outside this sweep are ignored (presets share them)
        raise ConfigError(f"strategy_options names unknown strategies {sorted(unknown)}; "
                          f"valid: {', '.join(strategy_labels())}")
    instances = []
    for s in strats:
        if s.name not in strategies.strategy_names():
            raise ConfigError(unknown_name_message("strategy", s.name, strategies.strategy_names()))
        try:
            instance = strategies.get_strategy(s.name, s.label, **s.options)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"strategy {s.label}: bad options {dict(s.options)}: {exc}") from exc
        instances.append(instance)
        check_needs(s.label, instance, sweep)
    check_strategies_fit(instances, tasks.get_task(task.name))
    if sweep.engine.name not in engine_names():
        raise ConfigError(unknown_name_message("engine", sweep.engine.name, engine_names()))
    if sweep.engine.name == "openai" and not sweep.engine.base_url:
        raise ConfigError("engine=openai needs engine.base_url, e.g. engine.base_url=http://127.0.0.1:8000/v1")
    return ResolvedSweep(sweep=sweep, models=models, strategies=strats)


def strategy_labels() -> list[str]:
    """Every name `strategies=[...]` accepts: the presets in `configs/strategy/` and every registered
    strategy (a strategy needs no YAML of its own; a preset names one with options)."""
    return sorted(set(group_names("strategy")) | set(strategies.strategy_names()))


def load_strategy_config(label: str) -> StrategyConfig:
    """`configs/strategy/<label>.yaml`, else the registered strategy `label` with its default options,
    else ConfigError listing `strategy_labels()`."""
    if label in group_names("strategy"):
        config = load_group_item("strategy", label, StrategyConfig, "strategy")
        assert isinstance(config, StrategyConfig)
        return config
    if label in strategies.strategy_names():
        return StrategyConfig(name=label)
    raise ConfigError(unknown_name_message("strategy", label, strategy_labels()))


def check_needs(label: str, strategy: Strategy, sweep: SweepConfig) -> None:
    """Every auxiliary model `strategy` needs (`needs()`): a known kind, a config of that kind that
    exists, a generator backend it works with, and room beside the generator on each GPU
    (`harness.run.placement.check_gpu_share`). ConfigError listing the valid names, before any model
    loads."""
    loaded: list[tuple[AuxModel, Any]] = []
    for need in strategy.needs():
        kind = AUX_KINDS.get(need.kind)
        if kind is None:
            raise ConfigError(f"strategy {label}: "
                              + unknown_name_message("auxiliary model kind", need.kind, AUX_KINDS))
        config = kind.load(need.config)
        if kind.backends and sweep.engine.name not in kind.backends:
            raise ConfigError(f"strategy {label}: {need.kind} needs engine={'|'.join(kind.backends)}, "
                              f"not {sweep.engine.name}")
        loaded.append((need, config))
    check_gpu_share(label, loaded, sweep.engine, sweep.cluster)


def check_strategies_fit(instances: list[Any], task: Any) -> None:
    """Voting strategies need reference-free vote keys from the task; compute_optimal never
    allocates to oracle strategies (pass@k). ConfigError otherwise, before any model loads."""
    for instance in instances:
        why = task.voting_unsupported()
        if instance.votes and why:
            raise ConfigError(f"strategy {instance.label} votes, but task {task.name} has no reference-free "
                              f"vote keys: {why}")
        if hasattr(instance, "candidate_labels"):
            try:
                instance.candidate_labels(instances)
            except ValueError as exc:
                raise ConfigError(str(exc)) from exc


def load_sweep_config(overrides: list[str]) -> ResolvedSweep:
    return resolve(compose(overrides))
