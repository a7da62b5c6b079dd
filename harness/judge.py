"""`python -m harness judge`: score a JSONL file of completions with a task's verifier.

Math tasks read `{"id", "completion", "reference"}` per line (reference = the answer string);
tasks whose reference lives in the benchmark (`Task.reference_in_benchmark`: code tasks) read
`{"id": task_id, "completion"}` and take tests from the benchmark. Each output
line repeats the input fields and adds `extracted`, `correct`, `status` and `extracted_by`. Every line is
validated before any judging; a malformed line is an error naming its line number, and the output
file appears only complete (written to a temporary file, then renamed).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tasks import Problem, Task, get_task


class JudgeInputError(ValueError):
    """A malformed input line (the message names the line number)."""


def json_objects(path: Path, error: type[ValueError]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) of every non-blank line; `error` names the line of bad JSON or a non-object."""
    with path.open("r", encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise error(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
            if not isinstance(row, dict):
                raise error(f"{path}:{number}: expected a JSON object")
            yield number, row


def _read_lines(path: Path, required: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = []
    for number, row in json_objects(path, JudgeInputError):
        missing = [k for k in required if not isinstance(row.get(k), str)]
        if missing:
            raise JudgeInputError(f"{path}:{number}: missing or non-string field(s) {missing}")
        rows.append(row)
    return rows


def _problems(task: Task, rows: list[dict[str, Any]], path: Path) -> list[Problem]:
    if not task.reference_in_benchmark:
        return [Problem(task=task.name, id=r["id"], question="", reference=r["reference"]) for r in rows]
    known = {p.id: p for p in task.load(None, None)}
    problems = []
    for number, row in enumerate(rows, start=1):
        if row["id"] not in known:
            raise JudgeInputError(f"{path}: entry {number}: unknown {task.name} id {row['id']!r}")
        problems.append(known[row["id"]])
    return problems


def judge_file(task_name: str, input_path: Path, output_path: Path) -> tuple[int, int]:
    """Judge every line; returns (correct, total)."""
    task = get_task(task_name)
    required = ("id", "completion") if task.reference_in_benchmark else ("id", "completion", "reference")
    rows = _read_lines(input_path, required)
    problems = _problems(task, rows, input_path)
    verdicts = task.verify_batch([(p, r["completion"]) for p, r in zip(problems, rows, strict=True)])
    tmp = output_path.with_name(output_path.name + f".tmp-{os.getpid()}")
    with tmp.open("w", encoding="utf-8") as f:
        for row, v in zip(rows, verdicts, strict=True):
            out = dict(row, extracted=v.extracted, correct=v.correct, status=v.status,
                       extracted_by=v.extracted_by)
            f.write(json.dumps(out, ensure_ascii=False) + "\n")
    os.replace(tmp, output_path)
    return sum(v.correct for v in verdicts), len(verdicts)
