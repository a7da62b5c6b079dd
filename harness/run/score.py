"""Verify every sample of a sweep's pools and write one scored row per sample.

Rows carry what analysis needs (answer, verdict, tokens, seconds, log-prob, reference-free vote key),
so a run folder is self-contained: `report` recomputes curves from `scores.jsonl` alone (written and
read by `harness.rundir`). Vote keys
come from the task (`Task.vote_clusters_batch`: equivalent answers of a pool share a key, the
reference never consulted); `vote_correct` is the verdict of the cluster's representative. Only
indices below the pool's planned size are used, so a store that grew for a larger sweep gives the same result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.records import Sample
from harness.run.plan import PoolSpec
from harness.run.sensitivity import AloneVerdict, judge_alone
from tasks import Problem, Task, Verdict


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
    mean_logprob: float | None
    """None: no score (no tokens were generated, or an import without log-probs)."""
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
    """Verdict of math-verify alone (harness/run/sensitivity.py); None where the task has no band."""
    mv_answer: str | None = None
    """What math-verify alone extracted."""
    vote: str | None = None
    """Reference-free vote key (the representative answer of the sample's cluster); None: no vote."""
    vote_correct: bool = False
    """Whether the representative of the sample's vote cluster is correct."""


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
    verdicts = task.verify_batch([(p, s.output.text) for p, s in pairs])
    alone = judge_alone(task, [(p, s.output.text) for p, s in pairs])
    bands: list[AloneVerdict | None] = list(alone) if alone is not None else [None] * len(pairs)
    votes = vote_columns(task, pairs, verdicts, spec.kind.startswith("search"))
    rows: list[ScoredRow] = []
    for (problem, s), v, mv, (vote, vote_ok) in zip(pairs, verdicts, bands, votes, strict=True):
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
                prompt_tokens=s.output.prompt_tokens,
                completion_tokens=s.output.completion_tokens,
                # a sample with no generated tokens has no score
                mean_logprob=s.output.mean_logprob if s.output.completion_tokens > 0 else None,
                latency_s=s.output.latency_s,
                finish_reason=s.output.finish_reason,
                engine=s.engine,
                calls=s.calls,
                info=s.info,
                extracted_by=v.extracted_by,
                mv_correct=None if mv is None else mv.correct,
                mv_answer=None if mv is None else mv.answer,
                vote=vote,
                vote_correct=vote_ok,
            )
        )
    return rows


def vote_columns(
    task: Task, pairs: list[tuple[Problem, Sample]], verdicts: list[Verdict], search: bool
) -> list[tuple[str | None, bool]]:
    """(vote key, vote_correct) per pair; pairs come grouped by problem. Search traces (one per
    cell, not a pool of samples) are keyed by their own answer."""
    if search:
        return [(v.extracted, v.correct) for v in verdicts]
    groups: dict[str, list[int]] = {}
    for i, (problem, _) in enumerate(pairs):
        groups.setdefault(problem.id, []).append(i)
    order = list(groups.values())
    clusters = task.vote_clusters_batch([(pairs[idx[0]][0], [pairs[i][1].output.text for i in idx],
                                          [verdicts[i] for i in idx]) for idx in order])
    out: list[tuple[str | None, bool]] = [(None, False)] * len(pairs)
    for idx, c in zip(order, clusters, strict=True):
        judged = {key: verdicts[idx[j]].correct for key, j in c.representatives}
        for i, key in zip(idx, c.keys, strict=True):
            out[i] = (key, key is not None and judged[key])
    return out
