"""The verifier sensitivity band and the extraction-stage table (harness/run/sensitivity.py judges,
harness/report/band.py reports)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from harness.analysis.curves import analyze
from harness.report.band import band_rows, disagreements
from harness.report.build import build_report
from harness.run.sensitivity import judge_alone
from harness.rundir import load_run, read_scores, write_scores
from strategies import get_strategy
from tasks import Problem, get_task
from tests.harness.report.test_report import make_run


def test_math_verify_alone_differs_where_the_harness_normalises() -> None:
    task = get_task("math500")
    cases = [("\\boxed{10\\%}", "10", False), ("\\boxed{1 000}", "1000", False), ("\\boxed{5}", "5", True),
             ("x = \\boxed{2} or x = \\boxed{-3}", "2,-3", True), ("I think 3", "4", False)]
    pairs = [(Problem(task="math500", id=f"p{i}", question="q", reference=ref), text)
             for i, (text, ref, _) in enumerate(cases)]
    alone = judge_alone(task, pairs)
    assert alone is not None
    assert [v.correct for v in alone] == [label for *_, label in cases]
    harness = task.verify_batch(pairs)
    assert [v.correct for v in harness] == [True, True, True, True, False]  # the band is their difference


def test_no_band_for_code_tasks() -> None:
    task = get_task("humaneval")
    assert judge_alone(task, [(Problem(task="humaneval", id="x", question="", reference=""), "pass")]) is None


def _with_band(run: Path) -> list:  # type: ignore[type-arg]
    rows = read_scores(run / "scores.jsonl")
    out = []
    for i, r in enumerate(rows):
        flip = r.problem_id in ("p0", "p1")  # math-verify alone disagrees on every sample of two problems
        stage = "boxed" if i % 3 else ("none" if r.answer is None else "final_statement")
        out.append(replace(r, extracted_by=stage, mv_correct=(not r.correct) if flip else r.correct,
                           mv_answer=r.answer))
    write_scores(out, run / "scores.jsonl")
    return out


def test_band_accuracy_per_point_matches_a_direct_count(tmp_path: Path) -> None:
    run = make_run(tmp_path, "band")
    rows = _with_band(run)
    data = load_run(run)
    strategies = [get_strategy("greedy"), get_strategy("pass_at_k")]
    points = analyze(data.rows, data.infos, "math500", strategies, [1, 2], 50, 0)
    alone = analyze([replace(r, correct=bool(r.mv_correct)) for r in data.rows], data.infos, "math500",
                    strategies, [1, 2], 50, 0)
    table = {(m, s, k): (ours, mv) for m, s, k, ours, mv, _ in band_rows(points, alone)}
    greedy = [r for r in rows if r.pool_kind == "greedy"]
    assert table[("m", "greedy", 1)][0] == pytest.approx(sum(r.correct for r in greedy) / 30)
    assert table[("m", "greedy", 1)][1] == pytest.approx(sum(bool(r.mv_correct) for r in greedy) / 30)
    # pass@1 over the 8 sampled: the mean per-problem share of right samples, under each checker
    sampled = [r for r in rows if r.pool_kind == "sampled"]
    assert table[("m", "pass_at_k", 1)][1] == pytest.approx(sum(bool(r.mv_correct) for r in sampled) / 240)
    assert len(disagreements(rows)) == 2 * 9


def test_report_shows_band_and_stage_shares(tmp_path: Path) -> None:
    run = make_run(tmp_path, "rep")
    rows = _with_band(run)
    build_report(run)
    page = (run / "report.html").read_text()
    assert "Verifier sensitivity band" in page and "<details><summary>18 samples on which" in page
    assert "Answer extraction" in page
    shares = Counter(r.extracted_by for r in rows)
    assert f"<td>{shares['boxed'] / len(rows):.1%}</td>" in page
    assert f"<td>{sum(r.answer is None for r in rows) / len(rows):.1%}</td>" in page


def test_runs_without_the_band_report_without_it(tmp_path: Path) -> None:
    run = make_run(tmp_path, "old")
    build_report(run)
    page = (run / "report.html").read_text()
    assert "Verifier sensitivity band" not in page and "Answer extraction" not in page


def test_score_pool_records_stage_and_math_verify_verdict(tmp_path: Path) -> None:
    from core.records import Completion, Sample, SamplingParams
    from harness.config import ModelConfig
    from harness.run.plan import PoolSpec
    from harness.run.score import score_pool

    task = get_task("math500")
    problems = task.load(None, 2)
    spec = PoolSpec("sampled", ModelConfig(name="m", path="p"), "math500", "1",
                    SamplingParams(temperature=0.8, max_tokens=8, n=2))
    texts = [f"\\boxed{{{problems[0].reference}}}", "I give up.",
             "The final answer is $10$. I hope it is correct.", f"\\boxed{{{problems[1].reference}}}"]
    samples = [Sample(p.id, "m", spec.hash, i, Completion(texts[2 * k + i], "stop", 10, 5, -0.1, -0.5, 0.1),
                      "x")
               for k, p in enumerate(problems) for i in range(2)]
    spec.store(tmp_path).append(samples)
    rows = score_pool(spec, task, problems, tmp_path)
    assert [r.extracted_by for r in rows] == ["boxed", "none", "final_statement", "boxed"]
    assert [r.correct for r in rows] == [True, False, problems[1].reference == "10", True]
    assert all(r.mv_correct is not None for r in rows) and rows[1].mv_correct is False
