"""Gold round trip: every reference solution is judged correct against its own reference answer,
and an empty completion against none. (GSM8K's 1319 are in test_gsm8k.py.)"""

from __future__ import annotations

import pytest

from tasks import get_task
from tasks.data import load_records
from tasks.math_check import check_math


def test_math500_gold_solutions() -> None:
    from tasks.math500 import SOURCE

    task = get_task("math500")
    problems = task.load(None, None)
    rows = load_records(SOURCE, None)
    assert len(problems) == 500
    verdicts = check_math([(r["solution"], p.reference) for r, p in zip(rows, problems, strict=True)])
    wrong = [p.id for p, v in zip(problems, verdicts, strict=True) if not v.correct]
    assert wrong == []
    assert not any(v.correct for v in check_math([("", p.reference) for p in problems]))


@pytest.mark.slow
def test_math_full_gold_solutions() -> None:
    from tasks.math import SOURCE

    task = get_task("math")
    problems = task.load(None, None)
    rows = load_records(SOURCE, None)
    assert len(problems) == 5000
    verdicts = check_math([(r["solution"], p.reference) for r, p in zip(rows, problems, strict=True)])
    assert [p.id for p, v in zip(problems, verdicts, strict=True) if not v.correct] == []
    levels = {p.metadata["level"] for p in problems}
    assert levels <= {1, 2, 3, 4, 5, None} and len({p.metadata["subject"] for p in problems}) == 7


@pytest.mark.parametrize("name", ["aime24", "aime25"])
def test_aime_gold_answers(name: str) -> None:
    task = get_task(name)
    problems = task.load(None, None)
    assert len(problems) == 30
    for p in problems:
        assert 0 <= int(p.reference) <= 999
        padded = f"The answer is $\\boxed{{{int(p.reference):03d}}}$."
        assert task.verify(p, padded).correct, (p.id, p.reference)
        assert not task.verify(p, f"\\boxed{{{int(p.reference) + 1}}}").correct
        assert not task.verify(p, "").correct


def test_aime24_solutions_reach_their_answer() -> None:
    task = get_task("aime24")
    problems = task.load(None, None)
    from tasks.aime import AIME24

    rows = load_records(AIME24.source, None)
    boxed = [r["solution"] for r in rows if "\\boxed" in r["solution"]]
    assert boxed, "AIME 2024 solutions carry \\boxed answers"
    for row, p in zip(rows, problems, strict=True):
        if "\\boxed" in row["solution"]:
            assert task.verify(p, row["solution"]).correct, p.id


@pytest.mark.parametrize("name", ["humaneval", "humaneval_plus"])
def test_humaneval_canonical_solutions_pass_and_empty_fails(name: str) -> None:
    task = get_task(name)
    problems = task.load(None, None if name == "humaneval" else 40)
    verdicts = task.verify_batch([(p, p.metadata["canonical_solution"]) for p in problems])
    assert [p.id for p, v in zip(problems, verdicts, strict=True) if not v.correct] == []
    assert not any(v.correct for v in task.verify_batch([(p, "") for p in problems]))
