"""Locate `\\boxed{...}` / `\\fbox{...}` groups and `$...$`, `$$...$$`, `\\(...\\)`, `\\[...\\]` math spans.

All scanners are linear in the input (one pass, one brace stack), so megabytes of unbalanced braces or
thousands of `\\boxed{` cost milliseconds. An escaped dollar `\\$` never opens or closes a span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BOX_START = re.compile(r"\\(?:boxed|fbox)\s*\{")
_BARE_BOX = re.compile(r"\\boxed\s+([^\s${}\\]+)")
_PAREN = re.compile(r"\\\((.{1,1000}?)\\\)", re.DOTALL)
_BRACKET = re.compile(r"\\\[(.{1,2000}?)\\\]", re.DOTALL)


@dataclass(frozen=True)
class Span:
    """A piece of the text: `content` sits between `start` and `end` (the delimiters included)."""

    start: int
    end: int
    content: str


def _closing_braces(text: str) -> dict[int, int]:
    """Position of every `{` that is closed -> position of its `}`; one pass, escaped braces kept."""
    stack: list[int] = []
    close: dict[int, int] = {}
    for i, ch in enumerate(text):
        if ch == "{":
            stack.append(i)
        elif ch == "}" and stack:
            close[stack.pop()] = i
    return close


def boxes(text: str) -> list[Span]:
    """Every balanced `\\boxed{...}` / `\\fbox{...}` and bare `\\boxed 5`, in order; nested boxes inside
    a box are part of its content, not boxes of their own."""
    found: list[Span] = []
    starts = list(_BOX_START.finditer(text))
    if starts:
        close = _closing_braces(text)
        for m in starts:
            brace = m.end() - 1
            end = close.get(brace)
            if end is not None and not (found and m.start() < found[-1].end):
                found.append(Span(m.start(), end + 1, text[brace + 1 : end]))
    for m in _BARE_BOX.finditer(text):
        if not any(s.start <= m.start() < s.end for s in found):
            found.append(Span(m.start(), m.end(), m.group(1)))
    return sorted(found, key=lambda s: s.start)


def last_boxed(text: str) -> str | None:
    """Content of the last balanced `\\boxed{...}` or `\\fbox{...}`; None if there is none."""
    braced = [s for s in boxes(text) if text[s.end - 1] == "}"]
    return braced[-1].content if braced else None


def dollar_spans(text: str) -> list[Span]:
    """`$$...$$` and `$...$` spans (display first), skipping `\\$`; a lone `$` opens nothing."""
    spans: list[Span] = []
    i, n = 0, len(text)
    while i < n:
        j = text.find("$", i)
        if j < 0:
            break
        if j > 0 and text[j - 1] == "\\":
            i = j + 1
            continue
        delim = "$$" if text.startswith("$$", j) else "$"
        k = j + len(delim)
        while True:
            k = text.find(delim, k)
            if k < 0 or text[k - 1] != "\\":
                break
            k += 1
        if k < 0:
            break
        spans.append(Span(j, k + len(delim), text[j + len(delim) : k]))
        i = k + len(delim)
    return spans


def display_spans(text: str) -> list[Span]:
    """`\\[...\\]` and `$$...$$` spans, in order."""
    found = [Span(m.start(), m.end(), m.group(1)) for m in _BRACKET.finditer(text)]
    found += [s for s in dollar_spans(text) if text.startswith("$$", s.start)]
    return sorted(found, key=lambda s: s.start)


def inline_spans(text: str) -> list[Span]:
    """`$...$` and `\\(...\\)` spans, in order."""
    found = [Span(m.start(), m.end(), m.group(1)) for m in _PAREN.finditer(text)]
    found += [s for s in dollar_spans(text) if not text.startswith("$$", s.start)]
    return sorted(found, key=lambda s: s.start)
