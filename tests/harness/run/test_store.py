"""Store: append, resume keys, torn-line recovery, first copy wins."""

from __future__ import annotations

import json
from pathlib import Path

from core.records import Completion, Sample
from harness.run.store import PoolStore


def sample(pid: str, index: int, text: str = "t") -> Sample:
    return Sample(pid, "m", "pool", index, Completion(text, "stop", 10, 5, -0.5, -2.5, 0.1), "vllm-test")


def test_append_and_read_back(tmp_path: Path) -> None:
    store = PoolStore(tmp_path, "m", "gsm8k", "pool")
    assert store.read() == {}
    assert store.append([sample("p1", 0), sample("p1", 1), sample("p2", 0)]) == 3
    got = store.read()
    assert sorted(got) == [("p1", 0), ("p1", 1), ("p2", 0)]
    assert got[("p1", 1)] == sample("p1", 1)


def test_torn_last_line_is_ignored_and_rerun_appends_cleanly(tmp_path: Path) -> None:
    first = PoolStore(tmp_path, "m", "gsm8k", "pool")
    first.append([sample("p1", 0), sample("p1", 1)])
    # a killed writer leaves half a line at the end of its shard
    with first.shard_path.open("a") as f:
        f.write(json.dumps(sample("p1", 2).to_json())[:40])
    got = first.read()
    assert sorted(got) == [("p1", 0), ("p1", 1)]
    # the next run writes its own shard: nothing is glued to the torn fragment
    second = PoolStore(tmp_path, "m", "gsm8k", "pool")
    second.append([sample("p1", 2)])
    assert sorted(second.read()) == [("p1", 0), ("p1", 1), ("p1", 2)]


def test_duplicates_keep_first_copy(tmp_path: Path) -> None:
    a = PoolStore(tmp_path, "m", "gsm8k", "pool")
    a.append([sample("p1", 0, "first")])
    b = PoolStore(tmp_path, "m", "gsm8k", "pool")
    b.append([sample("p1", 0, "second")])
    got = PoolStore(tmp_path, "m", "gsm8k", "pool").read()
    assert len(got) == 1
    assert got[("p1", 0)].output.text in ("first", "second")
    # deterministic: shards are read in sorted order
    assert got == PoolStore(tmp_path, "m", "gsm8k", "pool").read()


def test_spec_mismatch_is_refused(tmp_path: Path) -> None:
    import pytest

    store = PoolStore(tmp_path, "m", "gsm8k", "pool")
    store.write_spec({"a": 1})
    store.write_spec({"a": 1})
    with pytest.raises(RuntimeError):
        store.write_spec({"a": 2})
