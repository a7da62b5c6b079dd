"""The hand-labelled extraction cases (tests/tasks/extract_cases.py) judged end to end.

Measured 2026-12-01 on the 177 new cases (162 math, 15 GSM8K): the staged extractor agrees with every
label; the code before it (last box, then a marker, then the last line's inline math; GSM8K without
digit groups or decimal commas) agreed on 94/177. Every case class keeps at least one right and one
wrong answer. Cases are judged in-process (`check_one`, no time limit) so a loaded machine cannot turn
a slow worker start into a `timeout`; the pool and its limit are tested in test_math_equiv.py.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tasks import Problem, get_task
from tasks.math_check import check_one
from tests.tasks.extract_cases import GSM8K_CASES, MATH_CASES


def test_cases_are_many_balanced_and_cover_every_class() -> None:
    assert len(MATH_CASES) + len(GSM8K_CASES) >= 150
    labels = Counter(label for *_, label in MATH_CASES + GSM8K_CASES)
    assert labels[True] >= 50 and labels[False] >= 50
    classes = {c for c, *_ in MATH_CASES}
    assert {"multi_box", "prose", "final_statement", "display", "digit_groups", "dollar_equation",
            "decimal_comma"} <= classes
    for c in classes - {"kept"}:
        assert {label for k, *_, label in MATH_CASES if k == c} == {True, False}, c


def test_math_cases() -> None:
    wrong = []
    for klass, completion, reference, label in MATH_CASES:
        extracted, correct, stage = check_one((completion, reference))
        if correct != label:
            wrong.append((klass, completion, reference, label, extracted, stage))
    assert wrong == []


@pytest.mark.parametrize(("klass", "completion", "reference", "label"), GSM8K_CASES)
def test_gsm8k_cases(klass: str, completion: str, reference: str, label: bool) -> None:
    task = get_task("gsm8k")
    problem = Problem(task="gsm8k", id="x", question="q", reference=reference)
    assert task.verify(problem, completion).correct == label, klass
