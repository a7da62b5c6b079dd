"""Check math completions against reference answers (extract, then test equivalence), each under a
wall-clock limit.

Extraction and equivalence run in a shared `TimeLimitedPool` of worker processes (sized to the
cores, created on first use), so a pathological answer (`10^{10^{10^{10}}}`, megabytes of braces)
costs at most `timeout_s` and yields status `timeout` or `error`, scored wrong; nothing raises.
"""

from __future__ import annotations

import atexit
import os
import threading

from tasks._base import Verdict
from tasks.isolated import TimeLimitedPool
from tasks.math_equiv import equivalent
from tasks.math_extract import extract

DEFAULT_TIMEOUT_S = 5.0
_POOL: TimeLimitedPool | None = None
_LOCK = threading.Lock()


def check_one(item: tuple[str, str]) -> tuple[str | None, bool, str]:
    """(completion, reference) -> (extracted answer, correct, extraction stage). Runs inside a worker."""
    completion, reference = item
    found = extract(completion)
    if found.answer is None:
        return None, False, found.stage
    return found.answer, equivalent(found.answer, reference), found.stage


def warm_up() -> None:
    """Import math-verify and sympy in a fresh worker (seconds) before it is given an item."""
    check_one(("\\boxed{\\frac{1}{2}}", "0.5"))


def _pool() -> TimeLimitedPool:
    global _POOL
    if _POOL is None:
        _POOL = TimeLimitedPool(check_one, workers=max(1, os.cpu_count() or 1), warm=warm_up)
        atexit.register(_POOL.close)
    return _POOL


def check_math(items: list[tuple[str, str]], timeout_s: float = DEFAULT_TIMEOUT_S) -> list[Verdict]:
    """Verdicts for (completion, reference) pairs, in order."""
    if not items:
        return []
    with _LOCK:  # one caller at a time drives the shared pool
        outcomes = _pool().map(items, timeout_s)
    verdicts = []
    for outcome in outcomes:
        if outcome.status == "ok" and outcome.value is not None:
            extracted, correct, stage = outcome.value
            status = "ok" if extracted is not None else "no_answer"
            verdicts.append(Verdict(extracted=extracted, correct=bool(correct), status=status,
                                    extracted_by=stage))
        else:
            verdicts.append(Verdict(extracted=None, correct=False, status=outcome.status))
    return verdicts
