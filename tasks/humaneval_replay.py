"""HumanEval's own `check`, run where no model code is: on a candidate's recorded answers.

Where `check` tests more than literal input -> output (random inputs, properties such as
`poly(xs, candidate(xs)) ~ 0`), its code cannot be judged differentially and, run together with the
candidate, its "ran to the end" signal is the candidate's to forge. Instead, three runs:
1. `recorded_calls` (trusted, once per problem): `check` runs on a recording wrapper around the
   canonical solution and returns the arguments of every `candidate(...)` call, in order.
2. The candidate runs on those arguments in `tasks.sandbox.run_on_inputs` (plain values back).
3. `replay_passes` (trusted): `check` runs again, the prompt's helpers and the canonical solution
   defined, but each `candidate(...)` call answers with the candidate's recorded value (and fails
   when called with other arguments than recorded). Only this run's return value, `True`, passes.
Both trusted runs seed `random` with 0 first, so a `check` that draws random inputs draws the same
ones twice. The candidate's code is in neither trusted run: only plain values it returned are.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from tasks.sandbox import Limits, run_on_inputs

RECORD = '''

def __ttc_record():
    import copy, random
    random.seed(0)
    calls = []
    def recording(*args):
        calls.append(copy.deepcopy(list(args)))
        return {entry}(*args)
    check(recording)
    return calls
'''

REPLAY = '''

def __ttc_replay(calls, answers):
    import random
    random.seed(0)
    pending = list(zip(calls, answers))
    def replaying(*args):
        expected_args, answer = pending.pop(0)
        if list(args) != expected_args:
            raise AssertionError("check called the candidate on other arguments than recorded")
        return answer
    check(replaying)
    return not pending
'''

RECORD_LIMITS = Limits(wall_s=60.0, cpu_s=60)


@cache
def recorded_calls(program: str, test: str, entry_point: str) -> list[list[Any]]:
    """The arguments `check` (in `test`) passes to the canonical `program`'s `entry_point`."""
    source = f"{program}\n\n{test}\n{RECORD.format(entry=entry_point)}"
    (out,) = run_on_inputs(source, "__ttc_record", [[]], RECORD_LIMITS)
    if out.status != "ok" or type(out.value) is not list:
        raise RuntimeError(f"recording {entry_point}'s check calls failed: {out.status} {out.value}")
    return [list(args) for args in out.value]


def replay_passes(program: str, test: str, calls: list[list[Any]], answers: list[Any],
                  limits: Limits) -> bool:
    """Whether `check` passes when its `candidate` answers `answers` (one per recorded call)."""
    source = f"{program}\n\n{test}\n{REPLAY}"
    (out,) = run_on_inputs(source, "__ttc_replay", [[calls, answers]], limits)
    return out.status == "ok" and out.value is True
