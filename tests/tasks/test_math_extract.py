"""Each extraction rule of tasks/math_extract.py on literal completions."""

from __future__ import annotations

import pytest

from tasks.math_extract import Extraction, extract_math_answer


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


@pytest.mark.parametrize(
    ("text", "answer", "stage"),
    [
        ("\\boxed{4}. The final answer is $5$. I hope it is correct.", "5", "final_statement"),
        ("The final answer is $\\boxed{5}$.", "5", "boxed"),
        ("the answer is 3, wait: \\boxed{4}", "4", "boxed"),
        ("$x = \\boxed{2}$ or $x = \\boxed{-3}$", "2, -3", "boxed"),
        ("Long reasoning \\boxed{1}, then more words here \\boxed{2}", "2", "boxed"),
        ("So\n\\[\n\\frac{1}{2}\n\\]", "\\frac{1}{2}", "display_math"),
        ("So $$7$$ and then 8 more.", "8", "last_sentence"),
        ("We get $x$.\nThus $y = 9$.", "y = 9", "inline_math"),
        ("It costs $\\$1,\\!000$.", "\\$1,\\!000", "inline_math"),
        ("so the total is 1,000.99 €", "1,000.99", "last_sentence"),
        ("costs $1,000.99", "$1,000.99", "last_sentence"),
        ("We may check our answer: $3 + 4 = 7$, so it is right. \\boxed{7} is it", "7", "boxed"),
        ("no digits here at all", None, "none"),
        # a marker followed by prose is no statement: the earlier box stands
        ("\\boxed{5}\n\nThe answer is obtained by adding 2 and 3.", "5", "boxed"),
        ("We may check our answer: $17 \\cdot 44 = 748$.\n\\boxed{44} is it", "44", "boxed"),
        ("\\boxed{4}\nWe may check our answer: $17 \\cdot 44 = 748$, our answer is correct.", "4", "boxed"),
        ("so \\boxed{no solution}", "no solution", "boxed"),
    ],
)
def test_stages(text: str, answer: str | None, stage: str) -> None:
    from tasks.math_extract import extract

    assert extract(text) == Extraction(answer, stage)


def test_pathological_inputs_end_fast() -> None:
    import time

    from tasks.math_extract import extract

    for text in ["\\boxed{" * 5000, "$" * 20_000, "\\(" * 10_000, "\\[" * 10_000, "1 " * 10_000,
                 "The final answer is " * 2000, "\\boxed{1}, " * 3000, "{" * 20_000 + "\\boxed{2}"]:
        start = time.perf_counter()
        extract(text)
        assert time.perf_counter() - start < 1.0, text[:20]


def test_verdicts_carry_the_stage() -> None:
    from tasks.math_check import check_math

    verdicts = check_math([("\\boxed{3}", "3"), ("The answer is 4.", "4"), ("nothing", "4")])
    assert [(v.correct, v.status, v.extracted_by) for v in verdicts] == [
        (True, "ok", "boxed"), (True, "ok", "final_statement"), (False, "no_answer", "none")]
