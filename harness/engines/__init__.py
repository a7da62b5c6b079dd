"""Inference backends behind one protocol; `create_engine` builds one by its config name.

Backends import their heavy libraries lazily, inside the replica that runs them. Auxiliary models
(reward models, separate verifiers) are served through the table in `harness.engines.auxiliary`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.engine import Engine, Message, Reward, RewardModel
from harness.engines.embedded import resolve_model_path
from harness.engines.reward_vllm import VLLMRewardModel
from harness.schemas import ModelConfig, RewardModelConfig

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


def model_kwargs(model: ModelConfig, model_path: str) -> dict[str, Any]:
    """The engine arguments that come from the model config (vLLM engines)."""
    return {"model_path": model_path, "dtype": model.dtype, "max_model_len": model.max_model_len,
            "revision": model.revision, "trust_remote_code": model.trust_remote_code}


def create_reward_model(config: RewardModelConfig, cpu_threads: float | None = None,
                        cpu_slot: int = 0) -> VLLMRewardModel:
    """Start `config`'s vLLM pooling engine (`harness.schemas.load_reward_model_config(name)` reads
    it), on CPU bound to `cpu_threads` cores, slice `cpu_slot`, as the replica's generator."""
    return VLLMRewardModel(config, resolve_model_path(config.path), cpu_threads, cpu_slot)


__all__ = ["Engine", "Message", "Reward", "RewardModel", "create_engine", "create_reward_model",
           "engine_names", "model_kwargs"]
