"""The one table of auxiliary-model kinds: how each is configured, loaded and sized.

A search strategy declares what it needs as `AuxModel(kind, config)` (`core.auxiliary`). For each
kind, `AUX_KINDS` says how to read its config (a ConfigError listing the valid names), which
generator backends it works with, how a replica loads it beside its generator (the model and the
`ModelInfo` that prices its calls), and the share of each GPU it takes. Config validation
(`harness.config.check_needs`), the GPU-share check (`harness.run.placement.check_gpu_share`) and
replica loading (`harness.run.execute.Replica`) read this table and nothing else, so a new kind of
auxiliary model is one entry here (plus the strategy that needs it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from core.engine import Engine
from core.records import ModelInfo
from harness.engines import create_engine, create_reward_model, model_kwargs
from harness.engines.embedded import resolve_model_path
from harness.engines.model_info import load_model_info
from harness.schemas import ModelConfig, RewardModelConfig, load_group_item, load_reward_model_config


@dataclass(frozen=True)
class Host:
    """What a replica offers an auxiliary model: its generator and how that was started."""

    engine: Engine
    """The replica's generator engine (a verifier of the same weights and settings reuses it)."""
    backend: str
    """The generator's backend name (`vllm`, `openai`)."""
    kwargs: Mapping[str, Any]
    """The generator engine's arguments (cores on CPU: `cpu_threads`, `cpu_slot`)."""


@dataclass(frozen=True)
class AuxKind:
    """How the harness serves one kind of auxiliary model."""

    noun: str
    """What messages call it, e.g. `reward model`."""
    load: Callable[[str], Any]
    """Config name -> its config (ConfigError listing the valid names)."""
    create: Callable[[Any, Host], tuple[object, ModelInfo]]
    """(config, host) -> the loaded model and the architecture that prices its calls."""
    gpu_share: Callable[[Any, float], float]
    """(config, the generator's engine.gpu_memory_utilization) -> the share of each GPU it takes."""
    max_gpu_share: float
    """The generator's share plus this model's may not exceed this (checked before anything loads)."""
    backends: tuple[str, ...] = ()
    """Generator backends it works with (empty: any)."""


def _reward_model(config: RewardModelConfig, host: Host) -> tuple[object, ModelInfo]:
    """vLLM's pooling runner, on CPU bound to the replica's cores like its generator."""
    model = create_reward_model(config, host.kwargs.get("cpu_threads"), host.kwargs.get("cpu_slot", 0))
    return model, model.info


def _verifier_model(config: ModelConfig, host: Host) -> tuple[object, ModelInfo]:
    """A second generation engine of the same backend and settings, for another model (the
    generator's own engine when the config names the same weights and settings)."""
    if host.backend != "vllm":
        raise ValueError(f"verifier_model needs engine=vllm, not {host.backend}")
    path = resolve_model_path(config.path)
    kwargs = {**host.kwargs, **model_kwargs(config, path)}
    engine = host.engine if kwargs == dict(host.kwargs) else create_engine(host.backend, **kwargs)
    return engine, load_model_info(config.name, path, config.revision)


AUX_KINDS: dict[str, AuxKind] = {
    "reward_model": AuxKind(
        noun="reward model",
        load=load_reward_model_config,
        create=_reward_model,
        gpu_share=lambda config, generator: float(config.gpu_memory_utilization),
        max_gpu_share=0.95,
    ),
    "verifier_model": AuxKind(
        noun="verifier model",
        load=lambda name: load_group_item("model", name, ModelConfig, "model"),
        create=_verifier_model,
        gpu_share=lambda config, generator: generator,  # a second engine with the generator's settings
        max_gpu_share=0.9,
        backends=("vllm",),
    ),
}
"""Auxiliary-model kind -> how it is configured, loaded and sized."""
