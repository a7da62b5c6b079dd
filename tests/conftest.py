"""Shared fixtures: benchmark data from TTC_DATA_DIR (default ../shared/data beside the repo)."""

from __future__ import annotations

import os
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
