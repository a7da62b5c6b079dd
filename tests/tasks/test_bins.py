"""Task.bins: each task names its own difficulty bins, read from the benchmark's own fields."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tasks import get_task


def raw_rows(relative: str, n: int) -> list[dict[str, object]]:
    path = Path(os.environ.get("TTC_DATA_DIR", "data")) / relative
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for _, line in zip(range(n), f, strict=False)]


def test_math500_bins_are_its_level_and_subject() -> None:
    task = get_task("math500")
    problems = task.load(None, 3)
    for problem, raw in zip(problems, raw_rows("math500/test.jsonl", 3), strict=True):
        bins = task.bins(problem)
        assert list(bins) == ["level", "subject"]
        assert bins["level"] == raw["level"] and bins["subject"] == raw["subject"]
    assert task.bins(problems[0]) == {"level": 2, "subject": "Precalculus"}  # the file's first line


def test_math_bins_read_the_solution_type() -> None:
    task = get_task("math")
    [problem] = task.load(None, 1)
    [raw] = raw_rows("math/test.jsonl", 1)
    assert task.bins(problem) == {"level": int(str(raw["level"]).split()[-1]), "subject": raw["type"]}


def test_tasks_without_difficulty_bins_name_none() -> None:
    for name in ("gsm8k", "aime24", "humaneval"):
        task = get_task(name)
        assert task.bins(task.load(None, 1)[0]) == {}
