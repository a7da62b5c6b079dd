"""Numeric answer extraction and equality for word problems (GSM8K-style answers).

`extract_number(text)` finds the final numeric answer in what a model wrote, trying, in order:
the last `\\boxed{...}`, the last "answer is / Answer: / ####" marker, the last bolded number, and
finally the last number in the text. `parse_number` turns "1,234", "$18", "-3.5", "1/2", "50%"
into an exact `Fraction`; equality is exact on fractions (1,000 == 1000; 18.0 == 18; 0.5 == 1/2).
All patterns are linear-time, so 10,000 characters of noise cost microseconds.
"""

from __future__ import annotations

import re
from fractions import Fraction

# A number: optional sign, digits with optional thousands groups (commas in groups of 3), optional
# decimals or a leading-dot decimal, optionally "/ b" for a simple fraction, optionally "%".
_NUMBER_RE = re.compile(
    r"(?<![\w.])([-+−]?)\$?\s?((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?:\s*/\s*(\d+))?(%?)"
)
_MARKERS = re.compile(
    r"(?:answer\s*(?:is|=|:)|answer\s*would\s*be|####|final\s*answer\s*[:=]?|result\s*is)",
    re.IGNORECASE,
)
_BOLD_RE = re.compile(r"\*\*([^*]{1,80})\*\*")
_FRAC_RE = re.compile(r"\\[dt]?frac\s*\{\s*(-?\d+)\s*\}\s*\{\s*(\d+)\s*\}")


def _plain(fragment: str) -> str:
    """LaTeX number spellings to plain ones: \\frac{1}{2} -> 1/2, {,} -> ",", \\$ -> $."""
    fragment = _FRAC_RE.sub(r"\1/\2", fragment)
    return fragment.replace("{,}", ",").replace("\\$", "$").replace("\\%", "%")


def last_boxed(text: str) -> str | None:
    """Content of the last `\\boxed{...}` or `\\fbox{...}`, nested braces balanced; None if absent."""
    starts = [m.end() for m in re.finditer(r"\\(?:boxed|fbox)\s*\{", text)]
    for start in reversed(starts):
        depth = 1
        for i in range(start, len(text)):
            ch = text[i]
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    return text[start:i]
        # unbalanced: try an earlier box
    return None


def parse_number(fragment: str) -> Fraction | None:
    """The first number in `fragment` as an exact fraction, or None."""
    m = _NUMBER_RE.search(_plain(fragment))
    if m is None:
        return None
    sign, body, denom, percent = m.groups()
    try:
        value = Fraction(body.replace(",", ""))
        if denom is not None:
            if int(denom) == 0:
                return None
            value /= int(denom)
    except (ValueError, ZeroDivisionError):
        return None
    if sign in ("-", "−"):
        value = -value
    del percent  # "50%" answers "what percent" questions as 50
    return value


def _last_number(fragment: str) -> Fraction | None:
    matches = list(_NUMBER_RE.finditer(fragment))
    return parse_number(matches[-1].group(0)) if matches else None


def extract_number(text: str) -> Fraction | None:
    """The final numeric answer in a completion, or None when there is none."""
    boxed = last_boxed(text)
    if boxed is not None:
        value = _last_number(_plain(boxed))
        if value is not None:
            return value
    markers = list(_MARKERS.finditer(text))
    if markers:
        tail = text[markers[-1].end() :]
        # the first number after the last marker: "The answer is 18. (2 x 9 = 18)"
        value = parse_number(tail[:200])
        if value is not None:
            return value
    bolds = [b for b in _BOLD_RE.findall(text) if _NUMBER_RE.search(b)]
    if bolds:
        return _last_number(bolds[-1])
    return _last_number(text)


def canonical(value: Fraction) -> str:
    """A stable string for a number: "18", "-7/2"."""
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


__all__ = ["canonical", "extract_number", "last_boxed", "parse_number"]
