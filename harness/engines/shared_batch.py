"""One `vllm.LLM` fed by several callers at once: concurrent `run` calls share the running batch.

A replica runs two shards at a time (two threads); both feed this one engine, so the next shard's
requests join the batch while the current shard drains, and shard size trades only fault
granularity, never throughput. Each caller enqueues its requests, then steps the engine (one caller
at a time, under a lock) until its own requests have finished; every finished output goes to the
caller that owns it. A step's wall seconds are split over the callers with requests in it, in
proportion to their unfinished sequences, so the engine's seconds are charged once, never twice.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any


@dataclass
class _Call:
    pending: int
    """Sequences of this call not yet finished (a prompt with n completions counts n)."""
    seconds: float = 0.0
    """Engine seconds charged to this call so far."""


class SharedBatch:
    def __init__(self, llm: Any) -> None:
        self._llm = llm
        self._lock = threading.Lock()
        self._owner: dict[str, tuple[_Call, int]] = {}
        """External request id -> (its call, its number of sequences)."""
        self._finished: dict[str, Any] = {}
        self._calls: list[_Call] = []

    def run(self, prompts: list[str], params: list[Any]) -> tuple[list[Any], float]:
        """vLLM's RequestOutputs for `prompts` (in order) and the engine seconds charged to them."""
        call = _Call(pending=sum(p.n for p in params))
        with self._lock:
            internal = self._llm.enqueue(prompts, params, use_tqdm=False)
            # vLLM returns internal ids `<external>-<8 random chars>`; outputs carry the external one
            ids = [rid.rsplit("-", 1)[0] for rid in internal]
            for rid, p in zip(ids, params, strict=True):
                self._owner[rid] = (call, p.n)
            self._calls.append(call)
        while True:
            with self._lock:
                if all(rid in self._finished for rid in ids):
                    self._calls.remove(call)
                    return [self._finished.pop(rid) for rid in ids], call.seconds
                self._step()

    def _step(self) -> None:
        start = time.perf_counter()
        outputs = self._llm.llm_engine.step()
        elapsed = time.perf_counter() - start
        weight = sum(c.pending for c in self._calls) or 1
        for c in self._calls:
            c.seconds += elapsed * c.pending / weight
        for out in outputs:
            if not out.finished:
                continue
            if out.request_id not in self._owner:
                raise RuntimeError(f"vLLM returned request {out.request_id!r} that no caller enqueued")
            owner, n = self._owner.pop(out.request_id)
            owner.pending -= n
            self._finished[out.request_id] = out
