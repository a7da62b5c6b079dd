"""The run folder: the one module that knows its file names and their formats.

`<results_dir>/<name>/<timestamp>/` holds `config.yaml` (the resolved config, text), `run.json` (the
run's meta: task, prompt and verifier versions, budgets, strategies, prices, bootstrap, ...),
`models.json` (model name -> `ModelInfo`), `problems.jsonl` (one line per problem: its id and its
difficulty bins, `Task.bins`), `scores.jsonl` (one `ScoredRow` per sample) and, once reported,
`metrics.json` (curve points and tables); `<results_dir>/<name>/LATEST` holds the newest run folder's
path. Everything else reads and writes a run folder through these functions (docs/run_folder.md).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from core.records import CurvePoint, ModelInfo
from harness.run.score import ScoredRow
from tasks import Problem, Task

CONFIG = "config.yaml"
META = "run.json"
MODELS = "models.json"
PROBLEMS = "problems.jsonl"
SCORES = "scores.jsonl"
METRICS = "metrics.json"
LATEST = "LATEST"
REQUIRED = (META, SCORES)
"""What makes a folder a run folder (`report` and `check` refuse one without them)."""

PROBLEM_COLUMNS = ("level", "subject")
"""Bin columns every `problems.jsonl` line has carried since the first runs (null where the task has
no such bin), kept so that the file stays byte-identical; a task's other bins follow them."""


@dataclass
class RunData:
    """What a run folder holds, read back (several folders merge into one, `harness.report.build`)."""

    meta: dict[str, Any]
    infos: dict[str, ModelInfo]
    rows: list[ScoredRow]
    problems: dict[str, dict[str, Any]]
    """problem id -> its `problems.jsonl` line (`id` and bins, a bin null where unknown)."""
    config_yaml: str


def new_run_dir(results_dir: Path, name: str) -> Path:
    """A run folder path `<results_dir>/<name>/<timestamp>/` that does not exist yet (not created)."""
    run_dir = results_dir / name / time.strftime("%Y%m%d-%H%M%S")
    while run_dir.exists():
        run_dir = run_dir.with_name(run_dir.name + "x")
    return run_dir


def problem_row(task: Task, problem: Problem) -> dict[str, Any]:
    """One `problems.jsonl` line: `{"id", "level", "subject", ...the task's other bins}`."""
    return {"id": problem.id, **dict.fromkeys(PROBLEM_COLUMNS), **task.bins(problem)}


def write_run(
    run_dir: Path, config_yaml: str, meta: dict[str, Any], infos: dict[str, ModelInfo], task: Task,
    problems: list[Problem], rows: list[ScoredRow],
) -> None:
    """The run's data files (everything but the report) in `run_dir`, created if needed."""
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / CONFIG).write_text(config_yaml)
    (run_dir / MODELS).write_text(json.dumps({k: asdict(v) for k, v in infos.items()}, indent=2))
    (run_dir / META).write_text(json.dumps(meta, indent=2))
    with (run_dir / PROBLEMS).open("w", encoding="utf-8") as f:
        for p in problems:
            f.write(json.dumps(problem_row(task, p)) + "\n")
    write_scores(rows, run_dir / SCORES)


def mark_latest(results_dir: Path, name: str, run_dir: Path) -> None:
    """`<results_dir>/<name>/LATEST` names `run_dir`."""
    (results_dir / name / LATEST).write_text(str(run_dir.resolve()) + "\n")


def load_run(run_dir: Path) -> RunData:
    run_dir = Path(run_dir)
    infos = {k: ModelInfo(**v) for k, v in json.loads((run_dir / MODELS).read_text()).items()}
    problems = {}
    for line in (run_dir / PROBLEMS).read_text().splitlines():
        row = json.loads(line)
        problems[row["id"]] = row
    return RunData(read_meta(run_dir), infos, read_scores(run_dir / SCORES), problems,
                   (run_dir / CONFIG).read_text())


def read_meta(run_dir: Path) -> dict[str, Any]:
    """`run.json`."""
    meta: dict[str, Any] = json.loads((Path(run_dir) / META).read_text())
    return meta


def read_points(run_dir: Path) -> list[CurvePoint]:
    """The curve points of a reported run (`metrics.json`)."""
    rows = json.loads((Path(run_dir) / METRICS).read_text())["points"]
    return [CurvePoint(**{k: v for k, v in r.items() if k != "on_frontier"}) for r in rows]


def write_scores(rows: list[ScoredRow], path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")


def read_scores(path: Path) -> list[ScoredRow]:
    with path.open("r", encoding="utf-8") as f:
        raw = [json.loads(line) for line in f if line.strip()]
    rows = [ScoredRow(**r) for r in raw]
    return legacy_votes(rows) if raw and "vote" not in raw[0] else rows


def legacy_votes(rows: list[ScoredRow]) -> list[ScoredRow]:
    """Rows of a `scores.jsonl` written before vote keys: keyed by their raw answer, each cluster
    judged by its first sample (reference-free, without equivalence merges)."""
    first: dict[tuple[str, str, str, str], bool] = {}
    for r in sorted(rows, key=lambda r: r.index):
        if r.answer is not None:
            first.setdefault((r.model, r.pool_kind, r.problem_id, r.answer), r.correct)
    return [replace(r, vote=r.answer, vote_correct=r.answer is not None
                    and first[(r.model, r.pool_kind, r.problem_id, r.answer)]) for r in rows]
