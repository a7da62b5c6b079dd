"""Reference-free vote keys for code: programs clustered by their behaviour on the prompt's examples.

Each program of a pool runs once in the sandbox (`tasks.sandbox.run_on_inputs`, all example inputs
in one run, the task's own limits) on the inputs read from the PROMPT (`tasks.humaneval_examples`),
never on the hidden tests. Its behaviour is the list of per-input outcomes: the returned value
(type-tagged) or, for a call that raised, the exception's type name (two programs raising the same
exception type on an input behave alike there). Two programs are in one cluster iff, on every input,
both returned values that `tasks.typed_values.equal` finds equal (strict types, float tolerance) or
both raised the same exception type; the clustering is `tasks.votes`' leader clustering of the
distinct behaviours (most frequent first), so a tolerance never chains clusters together.

Outcomes without a behaviour: a program that does not load (syntax error, no such function: every
input `error`) casts no vote (key None, like an answer that could not be extracted); a program that
timed out, crashed the sandbox or returned an untaggable value on some input keeps its vote in a
cluster of its own (such outcomes are not a deterministic behaviour to agree on). A problem whose
prompt has no example inputs keys each sample to its own cluster: no merging, so majority@k there is
the mean correctness of a k-subset's uniformly chosen sample. Keys are `exec:` + a digest of the
behaviour (`exec:solo<i>` for a cluster of one sample `i`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from tasks import typed_values
from tasks.sandbox import Output
from tasks.votes import VoteClusters, cluster_votes

Behaviour = tuple[tuple[str, Any], ...]
"""Per example input: ("ok", value) or ("raised", exception type name)."""


def behaviour(outputs: Sequence[Output]) -> Behaviour | None:
    """The program's behaviour, or None when some outcome is not one (timeout, error, untaggable)."""
    if any(o.status not in ("ok", "raised") for o in outputs):
        return None
    return tuple((o.status, o.value) for o in outputs)


def same(a: Behaviour, b: Behaviour, atol: float) -> bool:
    """Equal exception types, or values equal under the strict typed comparison, on every input."""
    return all(sa == sb and (va == vb if sa == "raised" else typed_values.equal(va, vb, atol))
               for (sa, va), (sb, vb) in zip(a, b, strict=True))


def _digest(b: Behaviour) -> str:
    data = json.dumps([[s, v if s == "raised" else typed_values.encode(v)] for s, v in b], sort_keys=True)
    return "exec:" + hashlib.sha256(data.encode()).hexdigest()[:16]


def code_clusters(outputs: Sequence[Sequence[Output] | None], atol: float = 0.0) -> VoteClusters:
    """Vote keys of one pool from each program's outputs on the example inputs (None: no inputs)."""
    keys: list[str | None] = []
    by_key: dict[str, Behaviour] = {}
    for i, outs in enumerate(outputs):
        if outs is not None and outs and all(o.status == "error" for o in outs):
            keys.append(None)  # did not load: no vote
            continue
        b = None if outs is None else behaviour(outs)
        if b is None:
            keys.append(f"exec:solo{i}")
            continue
        key = _digest(b)
        by_key[key] = b
        keys.append(key)

    def equivalent(x: str, y: str) -> bool:
        return x in by_key and y in by_key and same(by_key[x], by_key[y], atol)

    return cluster_votes(keys, equivalent)
