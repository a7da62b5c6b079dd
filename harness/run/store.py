"""Append-only sample store: `<root>/<model>/<task>/<pool-hash>/` holds `pool.json` and shards.

Each writer run appends to its own shard file `part-<run-id>.jsonl`, flushing and fsyncing every
batch. Reading ignores a torn (unparseable) line, which only a killed writer leaves, and keeps the
first copy of a (problem_id, index) key, so a rerun can neither lose nor duplicate a sample.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from core.records import Sample


class PoolStore:
    """The samples of one pool on disk."""

    def __init__(self, root: Path, model: str, task: str, pool_hash: str) -> None:
        self.dir = Path(root) / model / task / pool_hash
        self._run_id = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"

    @property
    def shard_path(self) -> Path:
        return self.dir / f"part-{self._run_id}.jsonl"

    def write_spec(self, spec: dict[str, Any]) -> None:
        """Record what the pool is (written once; a hash collision with another spec is an error)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self.dir / "pool.json"
        if path.exists():
            existing = json.loads(path.read_text())
            if existing != spec:
                raise RuntimeError(f"pool {self.dir} holds another spec: {existing} != {spec}")
            return
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(spec, indent=2, sort_keys=True))
        os.replace(tmp, path)

    def read(self) -> dict[tuple[str, int], Sample]:
        """All intact samples, first copy per (problem_id, index); torn lines are skipped."""
        found: dict[tuple[str, int], Sample] = {}
        if not self.dir.exists():
            return found
        for shard in sorted(self.dir.glob("part-*.jsonl")):
            with shard.open("r", encoding="utf-8") as f:
                for line in f:
                    try:
                        sample = Sample.from_json(json.loads(line))
                    except (json.JSONDecodeError, TypeError):
                        continue  # torn last line of a killed writer
                    found.setdefault((sample.problem_id, sample.index), sample)
        return found

    def append(self, samples: Iterable[Sample]) -> int:
        """Append a batch durably; returns how many lines were written."""
        lines = [json.dumps(s.to_json(), ensure_ascii=False) + "\n" for s in samples]
        if not lines:
            return 0
        self.dir.mkdir(parents=True, exist_ok=True)
        with self.shard_path.open("a", encoding="utf-8") as f:
            f.write("".join(lines))
            f.flush()
            os.fsync(f.fileno())
        return len(lines)
