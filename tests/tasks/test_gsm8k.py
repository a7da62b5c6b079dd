"""GSM8K answer extraction and scoring on literal model outputs."""

from __future__ import annotations

import pytest

from tasks import Problem, get_task
from tasks.gsm8k import reference_answer

CASES = [
    # (completion, expected canonical answer or None)
    ("The answer is 1,234.", "1234"),
    ("The answer is 1,234", "1234"),
    ("She makes $18 every day.", "18"),
    ("So she makes **18** dollars.", "18"),
    ("**Answer: 18**", "18"),
    ("\\boxed{18}", "18"),
    ("Therefore the total is $\\boxed{18}$.", "18"),
    ("\\boxed{\\$18}", "18"),
    ("\\boxed{18 \\text{ eggs}}", "18"),
    ("\\boxed{1{,}000}", "1000"),
    ("\\boxed{\\frac{1}{2}}", "1/2"),
    ("The answer is $\\dfrac{3}{4}$.", "3/4"),
    ("She has 18 eggs.", "18"),
    ("18 eggs.", "18"),
    ("The answer is 18. I hope this helps you understand!", "18"),
    ("The answer is 18. She had 3 baskets left over.", "18"),
    ("The temperature dropped to -5 degrees.", "-5"),
    ("The answer is -12.", "-12"),
    ("The answer is −7.", "-7"),
    ("It costs 3.50 dollars.", "7/2"),
    ("The answer is 0.5", "1/2"),
    ("The answer is 1/2.", "1/2"),
    ("The answer is 18.0", "18"),
    ("#### 72", "72"),
    ("Step 1: 48/2 = 24.\nStep 2: 48 + 24 = 72.\n#### 72", "72"),
    ("Natalia sold 48 clips in April and 24 in May, 72 altogether.", "72"),
    ("Final answer: 42", "42"),
    ("final answer = 42 apples", "42"),
    ("The result is 1,000,000.", "1000000"),
    ("She paid $1,200.50 in total.", "2401/2"),
    ("We get 5 + 7 = 12, so the answer is 12 cookies.", "12"),
    ("I cannot solve this problem.", None),
    ("", None),
    ("The answer is \\boxed{}", None),
    ("50% of the class passed, so the answer is 50%.", "50"),
    ("The answer is 12,34 apples", "12"),  # "12,34" is no thousands group: the first number wins
    ("Answer: .5", "1/2"),
    ("There are 3 cats and 4 dogs. Answer: 7", "7"),
    ("x = 9\n\nThe answer is: 9", "9"),
    ("He ran 10 km in 2 hours, so 5 km/h. **5**", "5"),
    ("\\boxed{12} and later \\boxed{15}", "15"),
    ("The answer is \\boxed{-3}.", "-3"),
    ("Total: 2,500 + 500 = 3,000. The answer is 3,000.", "3000"),
]


@pytest.mark.parametrize(("completion", "expected"), CASES)
def test_extraction(completion: str, expected: str | None) -> None:
    task = get_task("gsm8k")
    problem = Problem(task="gsm8k", id="x", question="q", reference=expected or "999999")
    verdict = task.verify(problem, completion)
    assert verdict.extracted == expected
    if expected is None:
        assert verdict.status == "no_answer" and not verdict.correct
    else:
        assert verdict.status == "ok" and verdict.correct


@pytest.mark.parametrize(
    ("completion", "reference", "correct"),
    [
        ("The answer is 1,000.", "1000", True),
        ("The answer is 18.0", "18", True),
        ("The answer is 0.5", "1/2", True),
        ("The answer is 17", "18", False),
        ("The answer is 18.01", "18", False),
    ],
)
def test_numeric_equality(completion: str, reference: str, correct: bool) -> None:
    task = get_task("gsm8k")
    problem = Problem(task="gsm8k", id="x", question="q", reference=reference)
    assert task.verify(problem, completion).correct is correct


@pytest.mark.parametrize(
    "garbage",
    ["x" * 10_000, "{" * 5000, "\\boxed{" * 2000, "1," * 5000, "$" * 10_000, "\x00\x01\x02" * 3000],
)
def test_garbage_is_scored_wrong_quickly(garbage: str) -> None:
    import time

    task = get_task("gsm8k")
    problem = Problem(task="gsm8k", id="x", question="q", reference="18")
    start = time.perf_counter()
    verdict = task.verify(problem, garbage)
    assert not verdict.correct
    assert time.perf_counter() - start < 2.0


def test_reference_answers_of_the_whole_test_split(gsm8k_problems_all: list[Problem]) -> None:
    assert len(gsm8k_problems_all) == 1319
    task = get_task("gsm8k")
    # every gold solution's own final line is judged correct against its reference
    from tasks.data import load_records
    from tasks.gsm8k import SOURCE

    rows = load_records(SOURCE, None)
    for problem, row in zip(gsm8k_problems_all, rows, strict=True):
        assert task.verify(problem, row["answer"]).correct, row["answer"][-60:]


def test_reference_answer_parsing() -> None:
    assert reference_answer("blah\n#### 1,000") == "1000"
    assert reference_answer("#### -3") == "-3"
    with pytest.raises(ValueError):
        reference_answer("no marker here")
