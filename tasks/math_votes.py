"""Reference-free vote keys for competition math: normalised answers clustered by math equivalence.

An answer's key is `tasks.math_equiv.normalize` of it (no reference: an `x = 3` reads as `3`). The
distinct keys of a pool are clustered by `tasks.votes.assign_leaders` with math-verify equivalence
between two answers (each answer parsed once per pool; plain numbers compared as exact fractions,
multiple-choice letters only equal themselves, and two answers with numeric values more than 1e-4
apart are unequal without calling math-verify's symbolic check). The reference is never read. Each
pool is one item of a `TimeLimitedPool` (worker processes, so math-verify's own per-call time limits
work and a pathological answer cannot hang scoring); a pool that overruns `POOL_TIMEOUT_S` keeps its
normalised-string clusters (no merges), which `fallbacks()` counts.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import threading
from fractions import Fraction
from typing import Any

from tasks.isolated import TimeLimitedPool
from tasks.math_equiv import normalize

POOL_TIMEOUT_S = 60.0
PAIR_TIMEOUT_S = 2
NUMERIC_RTOL = 1e-4
"""Numbers further apart than this (relative) skip math-verify: they cannot be equivalent."""
_PLAIN = re.compile(r"^-?\d+(?:\.\d+)?$")
_CHOICE = re.compile(r"^[A-E]$")
_POOL: TimeLimitedPool | None = None
_LOCK = threading.Lock()
_FALLBACKS = [0]


def vote_key(answer: str) -> str:
    return normalize(answer)


def math_leaders(distinct: list[str]) -> list[int]:
    """Leader position of each distinct normalised answer (runs inside a worker)."""
    from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

    from tasks.votes import assign_leaders

    logging.getLogger("math_verify").setLevel(logging.ERROR)
    config = (LatexExtractionConfig(), ExprExtractionConfig())
    parsed: dict[str, Any] = {}

    def parse_once(a: str) -> Any:
        if a not in parsed:
            try:
                parsed[a] = parse(f"${a}$", extraction_config=config, parsing_timeout=PAIR_TIMEOUT_S)
            except Exception:
                parsed[a] = []
        return parsed[a]

    values: dict[str, complex | None] = {}

    def value(a: str) -> complex | None:
        """The answer's numeric value when it is a plain number (a cheap pre-test), else None."""
        if a not in values:
            try:
                values[a] = complex(parse_once(a)[0].evalf()) if parse_once(a) else None
            except Exception:
                values[a] = None
        return values[a]

    def equivalent(a: str, b: str) -> bool:
        if _PLAIN.match(a) and _PLAIN.match(b):
            return Fraction(a) == Fraction(b)
        if _CHOICE.match(a) or _CHOICE.match(b):
            return False  # letters only match letters, and distinct keys differ
        pa, pb = parse_once(a), parse_once(b)
        if not pa or not pb:
            return False
        va, vb = value(a), value(b)
        if va is not None and vb is not None and abs(va - vb) > NUMERIC_RTOL * max(1.0, abs(va), abs(vb)):
            return False  # two numbers this far apart are never equal (math-verify rounds to 6 digits)
        try:
            return bool(verify(pa, pb, timeout_seconds=PAIR_TIMEOUT_S))
        except Exception:
            return False

    return assign_leaders(distinct, equivalent)


def _pool() -> TimeLimitedPool:
    global _POOL
    if _POOL is None:
        _POOL = TimeLimitedPool(math_leaders, workers=max(1, os.cpu_count() or 1))
        atexit.register(_POOL.close)
    return _POOL


def leaders_batch(pools: list[list[str]], timeout_s: float = POOL_TIMEOUT_S) -> list[list[int]]:
    """`math_leaders` of many pools' distinct answers, in parallel; an overrun keeps each its own."""
    todo = [i for i, distinct in enumerate(pools) if len(distinct) > 1]
    out = [list(range(len(distinct))) for distinct in pools]
    if not todo:
        return out
    with _LOCK:
        outcomes = _pool().map([pools[i] for i in todo], timeout_s)
    for i, outcome in zip(todo, outcomes, strict=True):
        if outcome.status == "ok" and outcome.value is not None:
            out[i] = outcome.value
        else:
            _FALLBACKS[0] += 1
    return out


def fallbacks() -> int:
    """Pools whose clustering overran its time limit in this process (they kept string clusters)."""
    return _FALLBACKS[0]
