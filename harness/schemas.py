"""The config records the harness's wings read, and reading one item of a config group.

`load_group_item(group, name, schema, kind)` reads `configs/<group>/<name>.yaml` into its typed
schema, or raises `ConfigError` listing the valid names. The records here are what an engine, a
reward model and a replica's placement are configured by (`ModelConfig`, `RewardModelConfig`,
`EngineConfig`, `ClusterConfig`); `harness.config` composes them into a sweep.
Inert data: nothing here composes a sweep, loads a model or touches the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from core.registry import unknown_name_message

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
"""The config groups: `configs/<group>/<name>.yaml`."""


PLACEMENT_STRATEGIES = ("PACK", "STRICT_PACK", "SPREAD", "STRICT_SPREAD")


class ConfigError(ValueError):
    """A sweep config that cannot run: unknown names, bad budgets, wrong types."""


def check_placement_strategy(strategy: str) -> None:
    if strategy not in PLACEMENT_STRATEGIES:
        raise ConfigError(f"cluster.placement_strategy must be one of {', '.join(PLACEMENT_STRATEGIES)}, "
                          f"got {strategy!r}")


@dataclass
class ModelConfig:
    """One model: where its weights are and how the engine should load it."""

    name: str = "???"
    path: str = "???"
    """Hub id, local folder, or `embedded:<name>` for a model shipped in a Python package."""
    revision: str | None = None
    dtype: str = "bfloat16"
    max_model_len: int = 2048
    trust_remote_code: bool = False
    price_input_per_m: float = 0.0
    """Dollars per million prompt tokens (0 for local models)."""
    price_output_per_m: float = 0.0
    """Dollars per million generated tokens."""


@dataclass
class RewardModelConfig:
    """A reward model served by vLLM's pooling runner (`configs/reward_model/<name>.yaml`)."""

    name: str = "???"
    path: str = "???"
    """Hub id, local folder, or `embedded:<name>`."""
    kind: str = "outcome"
    """outcome (one score per solution) or process (one score per step)."""
    revision: str | None = None
    dtype: str = "bfloat16"
    max_model_len: int = 4096
    trust_remote_code: bool = False
    hf_overrides: dict[str, Any] = field(default_factory=dict)
    """Passed to vLLM, e.g. to read a generator's yes/no logits as a classifier head."""
    query: str | None = None
    """Outcome models: a user turn appended after the solution (for yes/no judges); null: none."""
    step_tag: str = "\n\n"
    """Process models: text after each step; the step's score is read at its tag's last token."""
    label: int = -1
    """Which output column is the 'good' score (after the model's activation)."""
    cpu_kv_cache_gib: int = 1
    gpu_memory_utilization: float = 0.3
    """Share of the GPU the reward model takes (the generator in the same replica takes its own)."""


@dataclass
class EngineConfig:
    """Inference backend and its knobs (see README for what each does on GPU and CPU)."""

    name: str = "vllm"
    cpu_kv_cache_gib: int = 4
    """VLLM_CPU_KVCACHE_SPACE on CPU-only machines (otherwise vLLM grabs most of memory)."""
    tensor_parallel_size: int = 1
    gpu_memory_utilization: float = 0.9
    enable_prefix_caching: bool = True
    max_num_seqs: int | None = None
    quantization: str | None = None
    distributed_executor_backend: str | None = None
    """vLLM's executor for tensor_parallel_size > 1: null picks `ray` inside a placement group (the
    harness makes one per replica on GPUs), else vLLM's default (`mp` on one node)."""
    compile: bool = False
    """torch.compile the model (vLLM's default on GPU). On CPU it costs minutes of warmup."""
    base_url: str | None = None
    """openai engine: the server's API root, e.g. http://127.0.0.1:8000/v1."""
    served_model: str | None = None
    """openai engine: the model name the server knows (default: the model config's resolved path)."""
    api_key_env: str = "OPENAI_API_KEY"
    """openai engine: environment variable holding the API key (never stored in results)."""
    max_concurrency: int = 32
    """openai engine: requests in flight per replica."""
    supports_n: bool = True
    """openai engine: the server returns n choices per request (else one request per completion)."""


@dataclass
class ClusterConfig:
    """Where replicas run: local Ray by default, or `address` of an existing cluster."""

    name: str = "local"
    address: str | None = None
    replicas: int = 1
    num_cpus_per_replica: float = 2
    """Ray CPUs per replica; on CPU-only machines also the cores its engine threads are bound to
    (replica i takes the i-th slice of the cores available, `harness.engines.cpu_binding`)."""
    num_gpus_per_replica: float = 0
    shard_size: int = 8
    """Problems per shard (the unit a replica takes and the driver writes). A replica runs two shards
    at once on one engine, so this sets how much a killed replica loses, not the throughput."""
    max_retries: int = 2
    """Times a shard is retried on a fresh replica after its replica died; then the sweep fails."""
    placement_strategy: str = "PACK"
    """Placement group strategy for replicas of tensor_parallel_size > 1 GPUs: PACK (one node when it
    can), STRICT_PACK (one node always), SPREAD or STRICT_SPREAD."""
    placement_timeout_s: float = 600.0
    """How long to wait for a replica's placement group before failing (see `ray status`)."""


def group_names(group: str) -> list[str]:
    return sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))


def load_group_item(group: str, name: str, schema: type, kind: str) -> Any:
    """Load `configs/<group>/<name>.yaml` into `schema`, or fail listing the valid names."""
    path = CONFIG_DIR / group / f"{name}.yaml"
    if not path.exists():
        raise ConfigError(unknown_name_message(kind, name, group_names(group)))
    try:
        merged = OmegaConf.merge(OmegaConf.structured(schema), OmegaConf.load(path))
        return OmegaConf.to_object(merged)
    except OmegaConfBaseException as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def load_reward_model_config(name: str) -> RewardModelConfig:
    """`configs/reward_model/<name>.yaml`, or ConfigError listing the valid names."""
    config = load_group_item("reward_model", name, RewardModelConfig, "reward model")
    assert isinstance(config, RewardModelConfig)
    if config.kind not in ("outcome", "process"):
        raise ConfigError(f"reward model {name}: kind must be outcome or process, got {config.kind!r}")
    return config
