"""Equivalence of math answers, built on math-verify (sympy underneath) after light normalisation.

`normalize` rewrites what math-verify reads differently from graders: thousands separators
("1,000" would parse as a tuple), text units (`\\text{ cm}`), degrees, `\\%`, `\\dfrac`, mixed numbers
(`2\\frac{1}{2}` = 5/2), `x = 3` when the reference is a bare value, and multiple-choice letters.
`equivalent(pred, ref)` never raises: anything unparseable is "not equivalent". It carries no time
limit of its own (math-verify's is SIGALRM-based, which fails in threads): callers run it in a
`TimeLimitedPool` (see `judge_math`).
"""

from __future__ import annotations

import logging
import re
from typing import Any

logging.getLogger("math_verify").setLevel(logging.ERROR)  # it warns that we time-limit it ourselves

_TEXT = re.compile(r"\\(?:text|textbf|mathrm|mbox)\s*\{([^{}]*)\}")
_UNITS = re.compile(
    r"\s*(?:\\,|\\ |\s)*(?:cm|m|km|mm|inches|inch|feet|foot|ft|units?|square units|sq units|degrees?|"
    r"meters?|cents?|dollars?|hours?|minutes?|seconds?|days?|miles?|mph|pounds?|ounces?|grams?|kg|"
    r"cm\^2|m\^2|cm\^3)\s*$"
)
_THOUSANDS = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_MIXED = re.compile(r"^(-?)(\d+)\s*\\[dt]?frac\{(\d+)\}\{(\d+)\}$")
_CHOICE = re.compile(r"^\(?([A-E])\)?$")
_LHS = re.compile(r"^[a-zA-Z](?:_\w+)?\s*=\s*(.+)$")
_E_NOTATION = re.compile(r"^(-?\d+(?:\.\d+)?)[eE]([+-]?\d+)$")


def normalize(answer: str, reference_is_equation: bool = False) -> str:
    a = answer.strip().rstrip(".").strip()
    for old, new in (("\\dfrac", "\\frac"), ("\\tfrac", "\\frac"), ("\\left", ""), ("\\right", "")):
        a = a.replace(old, new)
    a = a.replace("^\\circ", "").replace("^{\\circ}", "").replace("\\circ", "").replace("°", "")
    a = a.replace("\\%", "").replace("%", "").replace("\\$", "").replace("\\!", "")
    a = _TEXT.sub(lambda m: m.group(1), a)
    a = _UNITS.sub("", a).strip()
    a = a.replace("{,}", ",")
    if _THOUSANDS.match(a):
        a = a.replace(",", "")
    a = _E_NOTATION.sub(r"\1\\times 10^{\2}", a)
    mixed = _MIXED.match(a)
    if mixed:
        sign, whole, num, den = mixed.groups()
        a = f"{sign}\\frac{{{int(whole) * int(den) + int(num)}}}{{{den}}}"
    choice = _CHOICE.match(a)
    if choice:
        a = choice.group(1)
    if not reference_is_equation:
        lhs = _LHS.match(a)
        if lhs and "," not in a:
            a = lhs.group(1).strip()
    return a.strip()


_CONFIG: Any = None


def equivalent(pred: str | None, ref: str) -> bool:
    """Whether a predicted answer equals the reference (both LaTeX-ish strings)."""
    if pred is None or not pred.strip():
        return False
    try:
        from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

        ref_eq = bool(_LHS.match(ref.strip()))
        p, r = normalize(pred, ref_eq), normalize(ref, ref_eq)
        if p == r:
            return True
        if _CHOICE.match(r) or _CHOICE.match(p):
            return False  # letters only match letters, and they did not
        global _CONFIG
        if _CONFIG is None:  # built once: math-verify caches its regexes per config object
            _CONFIG = (LatexExtractionConfig(), ExprExtractionConfig())
        gold = parse(f"${r}$", extraction_config=_CONFIG, parsing_timeout=None)
        target = parse(f"${p}$", extraction_config=_CONFIG, parsing_timeout=None)
        if not gold or not target:
            return False
        return bool(verify(gold, target, timeout_seconds=None))
    except Exception:
        return False
