"""Verify every sample of a sweep's pools and write one scored row per sample.

Rows carry what analysis needs (answer, verdict, tokens, seconds, log-prob), so a run folder is
self-contained: `report` recomputes curves from `scores.jsonl` alone. Only indices below the pool's
planned size are used, so a store that grew for a larger sweep gives the same result.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness.planner import PoolSpec
from harness.records import Sample
from harness.sensitivity import AloneVerdict, judge_alone
from tasks import Problem, Task


@dataclass(frozen=True)
class ScoredRow:
    """One verified sample (a line of `scores.jsonl`)."""

    model: str
    pool_kind: str
    pool: str
    problem_id: str
    index: int
    answer: str | None
    correct: bool
    status: str
    prompt_tokens: int
    completion_tokens: int
    mean_logprob: float
    latency_s: float
    finish_reason: str
    engine: str
    calls: list[dict[str, Any]] = field(default_factory=list)
    """Search traces: the engine calls charged (role, prompt_tokens, completion_tokens, n, latency_s)."""
    info: dict[str, float] = field(default_factory=dict)
    """Search traces: strategy facts (waits, steps, rounds, ...)."""
    extracted_by: str = ""
    """Extraction stage that read `answer` (`Verdict.extracted_by`); empty for code tasks and old runs."""
    mv_correct: bool | None = None
    """Verdict of math-verify alone (harness/sensitivity.py); None where the task has no band."""
    mv_answer: str | None = None
    """What math-verify alone extracted."""


class IncompletePoolError(RuntimeError):
    """A pool is missing samples that analysis needs (generation failed or was interrupted)."""


def score_pool(spec: PoolSpec, task: Task, problems: list[Problem], store_root: Path) -> list[ScoredRow]:
    have = spec.store(store_root).read()
    pairs: list[tuple[Problem, Sample]] = []
    for problem in problems:
        keys = [(problem.id, i) for i in range(spec.params.n)]
        pairs.extend((problem, have[key]) for key in keys if key in have)
    missing = len(problems) * spec.params.n - len(pairs)
    if missing:
        raise IncompletePoolError(
            f"pool {spec.kind} of {spec.model.name} lacks {missing} samples; rerun the sweep to fill them"
        )
    verdicts = task.verify_batch([(p, s.text) for p, s in pairs])
    alone = judge_alone(task, [(p, s.text) for p, s in pairs])
    bands: list[AloneVerdict | None] = list(alone) if alone is not None else [None] * len(pairs)
    rows: list[ScoredRow] = []
    for (problem, s), v, mv in zip(pairs, verdicts, bands, strict=True):
        rows.append(
            ScoredRow(
                model=spec.model.name,
                pool_kind=spec.kind,
                pool=spec.hash,
                problem_id=problem.id,
                index=s.index,
                answer=v.extracted,
                correct=v.correct,
                status=v.status,
                prompt_tokens=s.prompt_tokens,
                completion_tokens=s.completion_tokens,
                mean_logprob=s.mean_logprob,
                latency_s=s.latency_s,
                finish_reason=s.finish_reason,
                engine=s.engine,
                calls=s.calls,
                info=s.info,
                extracted_by=v.extracted_by,
                mv_correct=None if mv is None else mv.correct,
                mv_answer=None if mv is None else mv.answer,
            )
        )
    return rows


def write_scores(rows: list[ScoredRow], path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")


def read_scores(path: Path) -> list[ScoredRow]:
    with path.open("r", encoding="utf-8") as f:
        return [ScoredRow(**json.loads(line)) for line in f if line.strip()]
