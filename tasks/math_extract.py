"""Final-answer extraction for competition math (MATH, MATH-500, AIME).

Rules, in order (each has literal tests in tests/tasks/test_math_extract.py):
1. the content of the last `\\boxed{...}` or `\\fbox{...}` (nested braces balanced; `\\boxed 5`
   without braces too);
2. the text after the last "final answer is", "the answer is", "Answer:" (up to the end of that
   line, a trailing period and `$` delimiters removed);
3. fallback: the last `$...$` or `\\(...\\)` math span of the last non-empty line.
Nothing found -> None (status `no_answer`). Input is capped at the last 20,000 characters.
"""

from __future__ import annotations

import re

from tasks.numeric import last_boxed

MAX_CHARS = 20_000
_BARE_BOXED = re.compile(r"\\boxed\s+([^\s$]+)")
_MARKER = re.compile(r"(?:final answer is|the answer is|answer:)\s*:?\s*", re.IGNORECASE)
_INLINE = re.compile(r"\$([^$]{1,300})\$|\\\((.{1,300}?)\\\)")


def _clean(answer: str) -> str:
    answer = answer.strip()
    for _ in range(2):
        answer = answer.strip().rstrip(".").strip()
        if answer.startswith("$") and answer.endswith("$") and len(answer) > 1:
            answer = answer.strip("$")
        if answer.startswith("\\(") and answer.endswith("\\)"):
            answer = answer[2:-2]
        if answer.startswith("\\[") and answer.endswith("\\]"):
            answer = answer[2:-2]
    return answer.strip()


def extract_math_answer(text: str) -> str | None:
    text = text[-MAX_CHARS:]
    boxed = last_boxed(text)
    if boxed is not None and boxed.strip():
        return _clean(boxed)
    bare = list(_BARE_BOXED.finditer(text))
    if bare:
        return _clean(bare[-1].group(1))
    markers = list(_MARKER.finditer(text))
    if markers:
        tail = text[markers[-1].end() :].strip().split("\n", 1)[0]
        tail = _clean(tail)
        if tail:
            return tail
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if lines:
        spans = list(_INLINE.finditer(lines[-1]))
        if spans:
            span = spans[-1]
            return _clean(span.group(1) or span.group(2) or "") or None
    return None
