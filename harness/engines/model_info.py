"""Architecture facts (`ModelInfo`) from a Hugging Face `config.json`; parameter counts by formula.

Counts follow the decoder-only Llama/Qwen2/Mistral family: per layer q, k, v, o projections
(with q/k/v biases when `attention_bias` or the Qwen2 architecture says so), a gated MLP of three
matrices and two RMSNorm vectors; a final norm; the token embedding; and an output head unless it
is tied to the embedding. "Non-embedding" excludes the embedding and the untied head (Kaplan et al.).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from core.records import ModelInfo
from harness.engines.embedded import resolve_model_path


def _attention_bias(cfg: dict[str, Any]) -> bool:
    if "attention_bias" in cfg:
        return bool(cfg["attention_bias"])
    return cfg.get("model_type") == "qwen2"


def model_info_from_config(name: str, path: str, cfg: dict[str, Any]) -> ModelInfo:
    """Derive parameter counts and shapes from a config dict (literal-testable)."""
    d = int(cfg["hidden_size"])
    n_layers = int(cfg["num_hidden_layers"])
    n_heads = int(cfg["num_attention_heads"])
    n_kv = int(cfg.get("num_key_value_heads") or n_heads)
    head_dim = int(cfg.get("head_dim") or d // n_heads)
    ff = int(cfg["intermediate_size"])
    vocab = int(cfg["vocab_size"])
    tied = bool(cfg.get("tie_word_embeddings", False))

    d_q, d_kv = n_heads * head_dim, n_kv * head_dim
    attn = d * d_q + 2 * d * d_kv + d_q * d
    if _attention_bias(cfg):
        attn += d_q + 2 * d_kv
    per_layer = attn + 3 * d * ff + 2 * d
    nonembedding = n_layers * per_layer + d
    embedding = vocab * d
    total = nonembedding + embedding + (0 if tied else embedding)
    return ModelInfo(
        name=name,
        path=path,
        n_params=total,
        n_params_nonembedding=nonembedding,
        n_layers=n_layers,
        d_model=d,
        n_heads=n_heads,
        n_kv_heads=n_kv,
        d_attn=d_q,
        context_length=int(cfg.get("max_position_embeddings", 0)),
        vocab_size=vocab,
        dtype=str(cfg.get("torch_dtype") or cfg.get("dtype") or "unknown"),
    )


def load_model_info(name: str, path: str, revision: str | None = None) -> ModelInfo:
    """Read `config.json` from a local checkpoint folder, else from the hub via transformers."""
    local = Path(path) / "config.json"
    if local.exists():
        cfg = json.loads(local.read_text())
    else:
        from transformers import AutoConfig

        cfg = AutoConfig.from_pretrained(path, revision=revision).to_dict()
        cfg = cfg.get("text_config", cfg) if "hidden_size" not in cfg else cfg
    return model_info_from_config(name, path, cfg)


def model_info_cache(store_root: Path, name: str) -> Path:
    """Where `cached_model_info` keeps a model's facts: beside its pools."""
    return store_root / name / "model_info.json"


def cached_model_info(store_root: Path, name: str, path: str, revision: str | None) -> ModelInfo:
    """Model facts, cached beside the model's pools so that a rerun needs no checkpoint or network."""
    cached = model_info_cache(store_root, name)
    if cached.exists():
        return ModelInfo(**json.loads(cached.read_text()))
    info = load_model_info(name, resolve_model_path(path), revision)
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(asdict(info), indent=2))
    return info
