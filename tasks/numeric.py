"""Numeric answer extraction and equality for word problems (GSM8K-style answers).

`extract(text)` finds the final numeric answer in what a model wrote and names the stage that found
it (`STAGES`), trying, in order: the last "answer is / Answer: / ####" marker when no box follows it
(`final_statement`), the last `\\boxed{...}` (`boxed`), the last bolded number (`bold`), and finally
the last number in the text (`last_number`). `parse_number` turns "1,234", "$18", "-3.5", "1/2",
"50%", "1 000", "1\\,000", "1,\\!000" into an exact `Fraction`; equality is exact on fractions
(1,000 == 1000; 18.0 == 18; 0.5 == 1/2). A decimal comma ("12,34": one comma, then one or two digits)
has two readings, 12 (the first number) and 12.34; `Reading.values` holds both and the answer is
right if either equals the reference. All patterns are linear-time, so 10,000 characters of noise
cost microseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from tasks.latex_spans import boxes, last_boxed

# A number: optional sign, digits with optional thousands groups (commas in groups of 3), optional
# decimals or a leading-dot decimal, optionally "/ b" for a simple fraction, optionally "%".
_NUMBER_RE = re.compile(
    r"(?<![\w.])([-+−]?)\$?\s?((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?:\s*/\s*(\d+))?(%?)"
    r"(?:,(\d{1,2})(?![\d,]))?"
)
_GROUP_SEP = re.compile(r"(?<=\d)(?:,\\!\s*|\\,|\\!|\\ |~|\u2009|\u202f|\u00a0)(?=\d{3}(?!\d))")
_SPACE_GROUPS = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d,]|\.\d)")
STAGES = ("final_statement", "boxed", "bold", "last_number")
"""GSM8K extraction stages, in the order they are tried; `none` when none found a number."""


@dataclass(frozen=True)
class Reading:
    """The number read from a completion: its readings (the first is the usual one) and the stage."""

    values: tuple[Fraction, ...]
    stage: str


def join_digit_groups(text: str) -> str:
    """Digit groups written with thin spaces, `\\,`, `,\\!` or plain spaces joined: `1\\,000` -> `1000`,
    `11,\\! 111` -> `11,111`, `1 000` -> `1000`."""
    text = _GROUP_SEP.sub(lambda m: "," if m.group(0).startswith(",") else "", text)
    return _SPACE_GROUPS.sub(lambda m: m.group(0).replace(" ", ""), text)


_MARKERS = re.compile(
    r"(?:answer\s*(?:is|=|:)|answer\s*would\s*be|####|final\s*answer\s*[:=]?|result\s*is)",
    re.IGNORECASE,
)
_BOLD_RE = re.compile(r"\*\*([^*]{1,80})\*\*")
_FRAC_RE = re.compile(r"\\[dt]?frac\s*\{\s*(-?\d+)\s*\}\s*\{\s*(\d+)\s*\}")


def _plain(fragment: str) -> str:
    """LaTeX number spellings to plain ones: \\frac{1}{2} -> 1/2, {,} -> ",", \\$ -> $."""
    fragment = join_digit_groups(_FRAC_RE.sub(r"\1/\2", fragment))
    return fragment.replace("{,}", ",").replace("\\$", "$").replace("\\%", "%")


def _readings(m: re.Match[str]) -> tuple[Fraction, ...]:
    sign, body, denom, _percent, comma = m.groups()  # "50%" answers "what percent" questions as 50
    try:
        value = Fraction(body.replace(",", ""))
        if denom is not None:
            if int(denom) == 0:
                return ()
            value /= int(denom)
    except (ValueError, ZeroDivisionError):
        return ()
    out = [value]
    if comma is not None and denom is None and "." not in body and "," not in body:
        out.append(value + Fraction(int(comma), 10 ** len(comma)))
    return tuple(-v if sign in ("-", "−") else v for v in out)


def parse_number(fragment: str) -> Fraction | None:
    """The first number in `fragment` as an exact fraction (its usual reading), or None."""
    m = _NUMBER_RE.search(_plain(fragment))
    values = _readings(m) if m else ()
    return values[0] if values else None


def _first(fragment: str) -> tuple[Fraction, ...]:
    m = _NUMBER_RE.search(fragment)
    return _readings(m) if m else ()


def _last(fragment: str) -> tuple[Fraction, ...]:
    matches = list(_NUMBER_RE.finditer(fragment))
    return _readings(matches[-1]) if matches else ()


def extract(text: str) -> Reading:
    """The final numeric answer in a completion and the stage that found it (stage `none`: no number)."""
    text = _plain(text)
    found = [b for b in boxes(text) if text[b.end - 1] == "}"]
    markers = list(_MARKERS.finditer(text))
    if markers and not (found and found[-1].end > markers[-1].end()):
        # the first number after the last marker: "The answer is 18. (2 x 9 = 18)"
        values = _first(text[markers[-1].end() :][:200])
        if values:
            return Reading(values, "final_statement")
    if found:
        values = _last(found[-1].content)
        if values:
            return Reading(values, "boxed")
    if markers:
        values = _first(text[markers[-1].end() :][:200])
        if values:
            return Reading(values, "final_statement")
    bolds = [b for b in _BOLD_RE.findall(text) if _NUMBER_RE.search(b)]
    if bolds:
        return Reading(_last(bolds[-1]), "bold")
    values = _last(text)
    return Reading(values, "last_number" if values else "none")


def extract_number(text: str) -> Fraction | None:
    """The usual reading of the final numeric answer in a completion, or None when there is none."""
    values = extract(text).values
    return values[0] if values else None


def canonical(value: Fraction) -> str:
    """A stable string for a number: "18", "-7/2"."""
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


__all__ = ["STAGES", "Reading", "canonical", "extract", "extract_number", "join_digit_groups", "last_boxed",
           "parse_number"]
