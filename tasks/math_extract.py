"""Final-answer extraction for competition math (MATH, MATH-500, AIME): which part of a completion
is the answer, and which stage found it.

Stages, in the order a careful grader reads (each has literal tests in tests/tasks/test_math_extract.py
and labelled cases in tests/tasks/extract_cases.py); the first stage whose candidate is usable wins:
1. `final_statement`: the text after the last "final answer is" / "the answer is" / "Answer:" (at a
   line start) when no
   box follows it: its math span, else its first sentence (". I hope it is correct.", a trailing
   sentence, a full stop inside `\\(..\\)` and `$` delimiters removed);
2. `boxed`: the last `\\boxed{}` / `\\fbox{}` (nested braces balanced; bare `\\boxed 5`) together with
   the boxes just before it when only connectives separate them (`\\boxed{1}, \\boxed{2}`,
   `x = \\boxed{2} or x = \\boxed{-3}`), joined with ", ";
3. `display_math`: the last `\\[..\\]` or `$$..$$` (may span lines) when only a short, number-free
   remark follows it;
4. `inline_math`: the last `$..$` / `\\(..\\)` span of the last non-empty line (`\\$` does not delimit);
5. `last_sentence`: a number (digit groups, currency, decimal comma kept for the judge) in the last
   sentence, the first after its last "is / = / costs ...", else its last number.
Nothing usable -> stage `none`, answer None (status `no_answer`). Input is capped at the last 20,000
characters; every scan is linear, so pathological input ends in milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasks.latex_spans import Span, boxes, display_spans, inline_spans

MAX_CHARS = 20_000
STAGES = ("final_statement", "boxed", "display_math", "inline_math", "last_sentence")
"""Stage names, in the order they are tried; `none` when no stage found an answer."""

_MARKER = re.compile(
    r"(?:(?:final|the)\s+answer\s*(?:\*\*)?\s*(?:is|:|=)|(?:^|\n)[ \t#*]*answer\s*(?:\*\*)?\s*:)"
    r"\s*(?:\*\*)?\s*:?"
    r"|\*\*\s*final\s+answer\s*:?\s*\*\*",
    re.IGNORECASE,
)
# What may separate boxes that form one answer: commas, "and", "or", `x =`, `\quad`, `$`, `\text{ and }`.
_CONNECTIVE = re.compile(
    r"^(?:\s|[,;&$]|\\[(),;! ]|\\q?quad|\\text\{[^{}]{0,12}\}|\band\b|\bor\b|[a-zA-Z](?:_\{?\w+\}?)?\s*=)*$"
)
_LHS = re.compile(r"^\s*[a-zA-Z](?:_\{?\w+\}?)?\s*=\s*(?P<rhs>[^=]+)$")
_SENTENCE_END = re.compile(r"\.(?=\s|$)|\n")
_DIGIT_SEP = r"(?:,\\!\s?|,|\u2009|\u202f|\u00a0|\\,|\\!|\{,\}| )"
_NUMBER = re.compile(
    r"(?<![\w.])[-−]?\\?\$?\s?(?:\d{1,3}(?:" + _DIGIT_SEP + r"\d{3})+|\d+)(?:[.,]\d+)?(?!\w)(?:\s?\\?%)?"
)
_VERB = re.compile(r"\b(?:is|are|was|were|equals?|be|costs?|makes?|gives?|gets?|totals?|of)\b|=")
_PROSE = re.compile(r"(?<![\\a-zA-Z])[a-zA-Z]{2,}\s+[a-zA-Z]{2,}\b")  # two words in a row
_NOT_ANSWERS = {"correct", "incorrect", "right", "wrong", "below", "above", "as follows", "follows", "not"}
_WRAPPERS = (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"), ("**", "**"))


@dataclass(frozen=True)
class Extraction:
    """The answer read from a completion and the stage that read it."""

    answer: str | None
    """Extracted answer text (LaTeX-ish), None when no stage found one."""
    stage: str
    """One of `STAGES`, or `none`."""


def _clean(answer: str) -> str:
    """Drop delimiters, bold marks and trailing full stops/commas: `$5.$` -> `5`, `\\(x.\\)` -> `x`."""
    answer = answer.strip()
    for _ in range(3):
        answer = answer.strip().rstrip(".,;:").strip()
        for left, right in _WRAPPERS:
            if answer.startswith(left) and answer.endswith(right) and len(answer) >= len(left) + len(right):
                answer = answer[len(left) : len(answer) - len(right)]
                break
    return answer.strip()


def usable(candidate: str | None, prose_ok: bool = False) -> bool:
    """A candidate worth judging: non-empty, braces balanced, and (unless boxed: `prose_ok`) not prose."""
    if not candidate or not candidate.strip() or len(candidate) > 2000:
        return False
    if candidate.count("{") != candidate.count("}") or not any(c.isalnum() for c in candidate):
        return False
    if prose_ok:
        return True
    plain = re.sub(r"\\(?:text|mathrm|textbf|mbox)\s*\{[^{}]*\}", "", candidate)
    return not _PROSE.search(plain)


def _box_group(text: str, found: list[Span]) -> str:
    """The last box and the boxes just before it that only connectives separate from it."""
    group = [found[-1]]
    for prev in reversed(found[:-1]):
        gap = text[prev.end : group[0].start]
        if len(gap) > 40 or not _CONNECTIVE.match(gap):
            break
        group.insert(0, prev)
    parts = [_clean(s.content) for s in group]
    if len(parts) == 1:
        return parts[0]
    return ", ".join(m.group("rhs").strip() if (m := _LHS.match(p)) else p for p in parts)


def boxed_answer(text: str) -> str | None:
    """The `boxed` stage alone: the last box group of `text` (the MATH reference of a gold solution)."""
    found = boxes(text[-MAX_CHARS:])
    return _box_group(text[-MAX_CHARS:], found) if found else None


def _statement(tail: str) -> str | None:
    """The answer in the text after a final-answer marker."""
    tail = tail.lstrip(" \t*:")
    if not tail.strip():
        return None
    if tail.startswith("\n"):  # "Final Answer:\n$$ 5 $$": the next non-empty line
        tail = tail.strip()
    for spans in (display_spans(tail[:2000]), inline_spans(tail[:2000])):
        if spans and spans[0].start == 0:
            return _clean(spans[0].content)
    end = _SENTENCE_END.search(tail)
    sentence = _clean(tail[: end.start()] if end else tail[:300])
    if usable(sentence) and sentence.lower() not in _NOT_ANSWERS:
        return sentence
    number = _NUMBER.match(sentence)  # "12 apples in all": a leading number only
    return number.group(0).strip() if number else None


def _last_sentence(text: str) -> str | None:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return None
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", lines[-1].strip()) if any(c.isdigit() for c in s)]
    if not sentences:
        return None
    sentence = sentences[-1]
    verbs = list(_VERB.finditer(sentence))
    after = _NUMBER.search(sentence, verbs[-1].end()) if verbs else None
    numbers = list(_NUMBER.finditer(sentence))
    chosen = after or (numbers[-1] if numbers else None)
    return chosen.group(0).strip() if chosen else None


def extract(text: str) -> Extraction:
    """The answer of a completion and the stage that found it (see the module docstring)."""
    text = text[-MAX_CHARS:]
    found = boxes(text)
    markers = list(_MARKER.finditer(text))
    if markers and not (found and found[-1].end > markers[-1].end()):
        answer = _statement(text[markers[-1].end() :])
        if usable(answer):
            return Extraction(answer, "final_statement")
    if found:
        answer = _box_group(text, found)
        if usable(answer, prose_ok=True):
            return Extraction(answer, "boxed")
    displays = display_spans(text)
    if displays:
        after = text[displays[-1].end :].strip()
        if len(after) <= 120 and not any(c.isdigit() or c == "$" for c in after):
            answer = _clean(displays[-1].content)
            if usable(answer):
                return Extraction(answer, "display_math")
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if lines:
        spans = [s for s in inline_spans(lines[-1]) if usable(_clean(s.content))]
        if spans:
            return Extraction(_clean(spans[-1].content), "inline_math")
    answer = _last_sentence(text)
    if usable(answer):
        return Extraction(answer, "last_sentence")
    return Extraction(None, "none")


def extract_math_answer(text: str) -> str | None:
    """Just the answer of `extract(text)`."""
    return extract(text).answer
