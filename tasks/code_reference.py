"""The canonical solution's outputs on a problem's test inputs: computed once in the sandbox, cached.

The cache is a folder of JSON files (`TTC_CACHE_DIR`, else `~/.cache/ttc`, under `code-reference/`,
mode 0700), one per (task, problem, canonical program, inputs, `VERSION`): a changed solution,
input list or runner gives a new key. Only runs that did not time out are cached: every input
returned a value or raised, or gave an answer too large to read back (`error` "overflow", an input
the verdict then skips: HumanEval+ /130 has 14 such of 125). A run that timed out is recomputed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tasks import typed_values
from tasks.sandbox import Limits, Output, run_on_inputs

VERSION = "3"
"""Bump when the runner or the encoding changes what a reference output is."""
REFERENCE_LIMITS = Limits(wall_s=120.0, cpu_s=120)
_memory: dict[str, Reference] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Reference:
    outputs: list[Output]
    """One per input: `ok` with the value, or `raised` with the exception's type name."""
    seconds: float
    """Wall time of the reference run (sandbox start included)."""


def cache_dir() -> Path:
    root = Path(os.environ.get("TTC_CACHE_DIR") or Path.home() / ".cache" / "ttc")
    folder = root / "code-reference"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _key(task: str, problem_id: str, program: str, entry_point: str, inputs: Sequence[Sequence[Any]]) -> str:
    blob = json.dumps([VERSION, task, problem_id, program, entry_point,
                       [typed_values.encode(list(a)) for a in inputs]])
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def _load(path: Path) -> Reference | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        outputs = [Output("ok", typed_values.decode(o["value"])) if o["status"] == "ok"
                   else Output(str(o["status"]), str(o["value"])) for o in data["outputs"]]
        return Reference(outputs, float(data["seconds"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _store(path: Path, ref: Reference) -> None:
    data = {"seconds": ref.seconds, "outputs": [
        {"status": o.status, "value": typed_values.encode(o.value) if o.status == "ok" else o.value}
        for o in ref.outputs]}
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def reference_outputs(task: str, problem_id: str, program: str, entry_point: str,
                      inputs: Sequence[Sequence[Any]]) -> Reference:
    """The canonical `program`'s outputs on `inputs`, from the cache or from one sandboxed run."""
    key = _key(task, problem_id, program, entry_point, inputs)
    with _lock:
        if key in _memory:
            return _memory[key]
    path = cache_dir() / f"{task}-{re.sub(r'[^A-Za-z0-9]+', '_', problem_id)}-{key}.json"
    ref = _load(path)
    if ref is None or len(ref.outputs) != len(inputs):
        start = time.monotonic()
        outputs = run_on_inputs(program, entry_point, inputs, REFERENCE_LIMITS)
        ref = Reference(outputs, time.monotonic() - start)
        if any(o.status == "timeout" for o in outputs):
            return ref
        _store(path, ref)
    with _lock:
        _memory[key] = ref
    return ref
