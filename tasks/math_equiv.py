"""Equivalence of math answers, built on math-verify (sympy underneath) after light normalisation.

`normalize` rewrites what math-verify reads differently from graders: thousands separators
("1,000" would parse as a tuple), text units (`\\text{ cm}`), degrees, `\\%`, `\\dfrac`, mixed numbers
(`2\\frac{1}{2}` = 5/2), `x = 3` when the reference is a bare value, and multiple-choice letters.
Digit groups written with thin spaces, `\\,`, `,\\!` or spaces (`1 000`, `11,\\! 111,\\! 100`) are
joined. A reference that is an equation (`2x+4y-3=0`) keeps its structure: the prediction must be an
equation too, equal up to a nonzero factor; only when the reference is a bare value is a prediction's
`y =` prefix (or the chain `3 + 4 = 7`) read as its right-hand side. Decimal commas: a prediction
`1,22` (one comma, then a group that is not three digits) is read both ways, as the list `1, 22` and
as `1.22`, and is right if either reading equals the reference; `1,220` is always one thousand two
hundred and twenty. References are read in their benchmark's convention (`,` separates list items).
`equivalent(pred, ref)` never raises: anything unparseable is "not equivalent". It carries no time
limit of its own (math-verify's is SIGALRM-based, which fails in threads): callers run it in a
`TimeLimitedPool` (see `check_math`).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from tasks.numeric import join_digit_groups

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


_DECIMAL_COMMA = re.compile(r"^[-+]?\d+,(?:\d{1,2}|\d{4,})$")


def normalize(answer: str, reference_is_equation: bool = False) -> str:
    a = join_digit_groups(answer.strip().rstrip(".").strip())
    a = re.sub(r"^\\?\$\s*(?=[-\d.])", "", a).replace("€", "").replace("\\euro", "").strip()
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


def _readings(pred: str, ref_eq: bool) -> list[str]:
    """The prediction, plus the right-hand side of `3 + 4 = 7` (bare-value reference) and the decimal
    reading of `1,22`."""
    out = [pred]
    if not ref_eq and "=" in pred and ("," not in pred or pred.count("=") == 1):  # not "x = 1, y = 2"
        out.append(pred.rsplit("=", 1)[1].strip())
    if _DECIMAL_COMMA.match(pred):
        out.append(pred.replace(",", "."))
    return [r for r in out if r]


def _proportional_equations(gold: Any, target: Any) -> bool:
    """Two sympy equations with the same solution set up to a nonzero factor (`y = 2x` vs `2x - y = 0`)."""
    import sympy

    if not (isinstance(gold, sympy.Eq) and isinstance(target, sympy.Eq)):
        return False
    g, t = gold.lhs - gold.rhs, target.lhs - target.rhs
    if g == 0 or t == 0:
        return False
    ratio = sympy.simplify(g / t)
    return bool(ratio.is_number and ratio != 0)


def equivalent(pred: str | None, ref: str) -> bool:
    """Whether a predicted answer equals the reference (both LaTeX-ish strings)."""
    if pred is None or not pred.strip():
        return False
    try:
        from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

        ref_eq = "=" in ref
        r = normalize(ref, ref_eq)
        global _CONFIG
        if _CONFIG is None:  # built once: math-verify caches its regexes per config object
            _CONFIG = (LatexExtractionConfig(), ExprExtractionConfig())
        gold = None
        for p in (normalize(reading, ref_eq) for reading in _readings(pred.strip(), ref_eq)):
            if p == r:
                return True
            if _CHOICE.match(r) or _CHOICE.match(p):
                continue  # letters only match letters, and they did not
            if gold is None:
                gold = parse(f"${r}$", extraction_config=_CONFIG, parsing_timeout=None)
            target = parse(f"${p}$", extraction_config=_CONFIG, parsing_timeout=None)
            if not gold or not target:
                continue
            if verify(gold, target, timeout_seconds=None):
                return True
            if ref_eq and _proportional_equations(gold[0], target[0]):
                return True
        return False
    except Exception:
        return False
