"""Each extraction rule of tasks/math_extract.py on literal completions."""

from __future__ import annotations

import pytest

from tasks.math_extract import extract_math_answer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # rule 1: last \boxed / \fbox, nested braces
        ("so the answer is $\\boxed{\\frac{1}{2}}$.", "\\frac{1}{2}"),
        ("\\boxed{1} then \\boxed{2}", "2"),
        ("\\fbox{42}", "42"),
        ("\\boxed{\\left(3, \\frac{\\pi}{2}\\right)}", "\\left(3, \\frac{\\pi}{2}\\right)"),
        ("\\boxed{ 7 }", "7"),
        ("\\boxed{\\{1,2\\}}", "\\{1,2\\}"),
        ("\\boxed{{a}^{2}}", "{a}^{2}"),
        ("\\boxed 5", "5"),
        ("unbalanced \\boxed{3 and then \\boxed{4}", "4"),
        # rule 2: "final answer is" / "the answer is" / "Answer:"
        ("The final answer is $12$.", "12"),
        ("Thus the answer is \\frac{3}{4}.\nDone.", "\\frac{3}{4}"),
        ("Answer: (2, 3)", "(2, 3)"),
        ("answer: \\(x^2\\)", "x^2"),
        # rule 3: last inline math span of the last line
        ("We compute.\nSo we get $x = 5$.", "x = 5"),
        ("Therefore \\(\\sqrt{2}\\)", "\\sqrt{2}"),
        # nothing
        ("I am not sure.", None),
        ("", None),
        ("\\boxed{}", None),
    ],
)
def test_rules(text: str, expected: str | None) -> None:
    assert extract_math_answer(text) == expected


def test_long_input_is_capped_and_fast() -> None:
    import time

    start = time.perf_counter()
    assert extract_math_answer("x" * 1_000_000 + "\\boxed{9}") == "9"
    assert extract_math_answer("{" * 100_000) is None
    assert time.perf_counter() - start < 2.0
