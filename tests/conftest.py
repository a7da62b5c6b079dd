"""Shared fixtures: benchmark data from TTC_DATA_DIR (default ../shared/data beside the repo), and ONE
real vLLM engine of the embedded model for every in-process real-engine test of the session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

if "TTC_DATA_DIR" not in os.environ:
    default = ROOT.parent / "shared" / "data"
    if default.exists():
        os.environ["TTC_DATA_DIR"] = str(default)
os.environ.setdefault("TTC_NO_PROGRESS", "1")
os.environ.setdefault("WANDB_SILENT", "true")


@pytest.fixture(scope="session")
def gsm8k_problems_all():  # type: ignore[no-untyped-def]
    from tasks import get_task

    return get_task("gsm8k").load(None, None)


@pytest.fixture(scope="session")
def real_engine() -> Iterator[object]:
    """The embedded model on real vLLM, started once per session (bound to every available core)."""
    from harness.engines.embedded import resolve_model_path
    from harness.engines.vllm_engine import VLLMEngine

    engine = VLLMEngine(resolve_model_path("embedded:smollm2-135m-instruct"), seed=0, max_model_len=2048,
                        cpu_kv_cache_gib=2)
    yield engine
    engine.close()
