"""Inference backends behind one protocol; `create_engine` builds one by its config name.

Backends import their heavy libraries lazily, inside the replica that runs them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.engine import Engine, Message, Reward, RewardModel

EngineFactory = Callable[..., Engine]


def _vllm(**kwargs: Any) -> Engine:
    from harness.engines.vllm_engine import VLLMEngine

    return VLLMEngine(**kwargs)


def _openai(**kwargs: Any) -> Engine:
    from harness.engines.openai_engine import OpenAIEngine

    return OpenAIEngine(**kwargs)


_FACTORIES: dict[str, EngineFactory] = {"vllm": _vllm, "openai": _openai}


def engine_names() -> list[str]:
    return sorted(_FACTORIES)


def create_engine(name: str, **kwargs: Any) -> Engine:
    return _FACTORIES[name](**kwargs)


def create_reward_model(name: str, cpu_threads: float | None = None, cpu_slot: int = 0) -> RewardModel:
    """Load `configs/reward_model/<name>.yaml` and start its vLLM pooling engine (on CPU bound to
    `cpu_threads` cores, slice `cpu_slot`, as the replica's generator)."""
    from harness.config import load_reward_model_config
    from harness.engines.embedded import resolve_model_path
    from harness.engines.reward_vllm import VLLMRewardModel

    config = load_reward_model_config(name)
    return VLLMRewardModel(config, resolve_model_path(config.path), cpu_threads, cpu_slot)


__all__ = ["Engine", "Message", "Reward", "RewardModel", "create_engine", "create_reward_model",
           "engine_names"]
