"""The report side of the verifier sensitivity band (the judging side is harness/run/sensitivity.py):
`band_section` re-runs the curve analysis with `correct` replaced by `mv_correct`, tables both accuracies
per curve point, and lists the samples on which the checkers disagree; `stage_section` tables which
extraction stage read each model's answers.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from core.records import CurvePoint
from harness.run.score import ScoredRow


def band_rows(points: list[CurvePoint], alone: list[CurvePoint]) -> list[list[Any]]:
    """[model, strategy, k, harness accuracy, math-verify accuracy, difference] per overall curve point."""
    other = {(p.model, p.strategy, p.budget): p.accuracy for p in alone if p.bin == "all"}
    rows: list[list[Any]] = []
    for p in points:
        key = (p.model, p.strategy, p.budget)
        if p.bin == "all" and key in other:
            rows.append([p.model, p.strategy, p.budget, p.accuracy, other[key], p.accuracy - other[key]])
    return rows


def disagreements(rows: list[ScoredRow]) -> list[ScoredRow]:
    """Samples the two checkers judge differently."""
    return [r for r in rows if r.mv_correct is not None and r.mv_correct != r.correct]


def _word(correct: bool) -> str:
    return "right" if correct else "wrong"


def band_section(rows: list[ScoredRow], points: list[CurvePoint],
                 analyze_rows: Callable[[list[ScoredRow]], list[CurvePoint]],
                 table: Callable[[list[str], list[list[Any]]], str]) -> str | None:
    """HTML of the band: both accuracies per curve point and the disagreeing samples (collapsed);
    None when no row carries a math-verify verdict (code tasks, runs scored before the band existed)."""
    if not rows or any(r.mv_correct is None for r in rows):
        return None
    alone = analyze_rows([replace(r, correct=bool(r.mv_correct)) for r in rows])
    differ = disagreements(rows)
    listing = table(["model", "pool", "problem", "index", "harness answer", "stage", "harness",
                     "math-verify answer", "math-verify"],
                    [[r.model, r.pool_kind, r.problem_id, r.index, str(r.answer), r.extracted_by,
                      _word(r.correct), str(r.mv_answer), _word(bool(r.mv_correct))]
                     for r in differ])
    return (
        "<p class='note'>Every sample is also judged by math-verify alone (its own parser and equivalence, "
        "no harness extraction or normalisation). The gap is how much a headline number depends on the "
        f"checker. The checkers disagree on {len(differ)} of {len(rows)} samples.</p>"
        + table(["model", "strategy", "k", "accuracy (harness)", "accuracy (math-verify alone)",
                 "difference"], band_rows(points, alone))
        + f"<details><summary>{len(differ)} samples on which the checkers disagree</summary>"
        f"{listing}</details>"
    )


def stage_section(rows: list[ScoredRow]) -> str | None:
    """HTML table: per model, the share of samples each extraction stage read and the no-answer rate;
    None when no row records its stage."""
    from tasks.math_extract import STAGES as MATH_STAGES
    from tasks.numeric import STAGES as NUMERIC_STAGES

    if not rows or all(not r.extracted_by for r in rows):
        return None
    seen = {r.extracted_by for r in rows} - {"", "none"}
    stages = [s for s in dict.fromkeys(MATH_STAGES + NUMERIC_STAGES) if s in seen] + sorted(
        seen - set(MATH_STAGES) - set(NUMERIC_STAGES))
    head = "".join(f"<th>{html.escape(s)}</th>" for s in stages)
    body = []
    for model in dict.fromkeys(r.model for r in rows):
        mine = [r for r in rows if r.model == model]
        shares = "".join(f"<td>{sum(r.extracted_by == s for r in mine) / len(mine):.1%}</td>" for s in stages)
        none = sum(r.answer is None for r in mine) / len(mine)
        body.append(f"<tr><td class='l'>{html.escape(model)}</td><td>{len(mine)}</td>{shares}"
                    f"<td>{none:.1%}</td></tr>")
    return ("<p class='note'>Which extraction stage read each sample's answer (docs/verifiers.md); a high "
            "no-answer rate means the model writes answers in a way the extractor does not read.</p>"
            f"<table><thead><tr><th class='l'>model</th><th>samples</th>{head}<th>no answer</th></tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")
