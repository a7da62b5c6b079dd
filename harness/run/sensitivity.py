"""Verifier sensitivity band: every math sample is also judged by math-verify alone, and the report
shows how much each curve point depends on the checker.

"math-verify alone" is its own extraction (`parse(completion)` with its default LaTeX + expression
configs and priorities) and its own equivalence (`verify`), with none of the harness's extraction stages
or normalisation; the reference is parsed as `$reference$`. Each judgement runs in a `TimeLimitedPool`
worker under the same 5 s limit as the harness judge (a timeout is scored wrong). Tasks without an
answer string (code) get no band: `judge_alone` returns None and their rows keep `mv_correct = None`.
The report side is harness/report/band.py.
"""

from __future__ import annotations

import atexit
import os
import threading
from dataclasses import dataclass

from tasks import Problem, Task
from tasks.isolated import TimeLimitedPool

TIMEOUT_S = 5.0
_POOL: TimeLimitedPool | None = None
_LOCK = threading.Lock()


@dataclass(frozen=True)
class AloneVerdict:
    """math-verify's own reading of one completion."""

    answer: str | None
    """The string math-verify extracted (its second parse result), None when it found nothing."""
    correct: bool


def alone_one(item: tuple[str, str]) -> tuple[str | None, bool]:
    """(completion, reference) -> (math-verify's extracted string, its verdict). Runs inside a worker."""
    import logging

    from math_verify import parse, verify

    logging.getLogger("math_verify").setLevel(logging.ERROR)
    completion, reference = item
    target = parse(completion, parsing_timeout=None)
    if not target:
        return None, False
    gold = parse(f"${reference}$", parsing_timeout=None)
    answer = str(target[-1]) if target else None
    return answer, bool(gold) and bool(verify(gold, target, timeout_seconds=None))


def _warm() -> None:
    alone_one(("$\\frac{1}{2}$", "0.5"))


def _pool() -> TimeLimitedPool:
    global _POOL
    if _POOL is None:
        _POOL = TimeLimitedPool(alone_one, workers=max(1, os.cpu_count() or 1), warm=_warm)
        atexit.register(_POOL.close)
    return _POOL


def applies(task: Task) -> bool:
    """Whether the task's reference is an answer string math-verify can read (math tasks, GSM8K)."""
    from tasks._math_base import MathTask
    from tasks.gsm8k import GSM8K

    return isinstance(task, MathTask | GSM8K)


def judge_alone(task: Task, pairs: list[tuple[Problem, str]],
                timeout_s: float = TIMEOUT_S) -> list[AloneVerdict] | None:
    """math-verify's verdict on each (problem, completion); None for tasks without a band."""
    if not applies(task):
        return None
    if not pairs:
        return []
    with _LOCK:
        outcomes = _pool().map([(c, p.reference) for p, c in pairs], timeout_s)
    return [AloneVerdict(o.value[0], bool(o.value[1])) if o.status == "ok" and o.value is not None
            else AloneVerdict(None, False) for o in outcomes]
