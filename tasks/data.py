"""Benchmark files: read from a local data folder (`TTC_DATA_DIR` or `data_dir=`), else the hub.

An explicit data folder must hold the file (no silent hub fallback); with none set, the Hugging Face
hub is tried, and a failure names both places and how to set `TTC_DATA_DIR`.
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class DataNotFoundError(FileNotFoundError):
    """Benchmark data is neither in the data folder nor reachable on the hub."""


@dataclass(frozen=True)
class DataSource:
    """Where one benchmark split lives, locally and on the hub."""

    local_path: str
    """Path under the data folder, e.g. `gsm8k/test.jsonl` (`.gz` is read transparently)."""
    hub_id: str
    """Hub dataset id, e.g. `openai/gsm8k`."""
    hub_split: str = "test"
    hub_config: str | None = None


def resolve_data_dir(data_dir: str | None) -> Path | None:
    """The configured data folder: the argument, else `TTC_DATA_DIR`, else None (use the hub)."""
    chosen = data_dir or os.environ.get("TTC_DATA_DIR")
    return Path(chosen).expanduser() if chosen else None


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_records(source: DataSource, data_dir: str | None, limit: int | None = None) -> list[dict[str, Any]]:
    """The first `limit` records of a split (all when None), with the file's own field names."""
    rows = _load_all(source, data_dir)
    return rows[:limit] if limit is not None else rows


def _load_all(source: DataSource, data_dir: str | None) -> list[dict[str, Any]]:
    folder = resolve_data_dir(data_dir)
    if folder is not None:
        path = folder / source.local_path
        if path.exists():
            return read_jsonl(path)
        raise DataNotFoundError(
            f"benchmark file not found: {path} (data folder {folder} from data_dir= or "
            f"TTC_DATA_DIR). Point TTC_DATA_DIR at a folder holding {source.local_path}, "
            f"or unset it (under make: `make sweep TTC_DATA_DIR=`) to download {source.hub_id} from "
            f"the Hugging Face hub."
        )
    try:
        import datasets

        kwargs = {"name": source.hub_config} if source.hub_config else {}
        ds = datasets.load_dataset(source.hub_id, split=source.hub_split, **kwargs)
        return [dict(row) for row in ds]
    except Exception as exc:
        raise DataNotFoundError(
            f"benchmark data not found: no data folder is set (TTC_DATA_DIR / data_dir=) and the "
            f"hub dataset {source.hub_id} could not be loaded ({type(exc).__name__}: {exc}). "
            f"Set TTC_DATA_DIR to a folder holding {source.local_path}."
        ) from exc
