"""One `vllm.LLM` fed by several callers at once: concurrent `run` calls share the running batch.

A replica runs two shards at a time (two threads); both feed this one engine, so the next shard's
requests join the batch while the current shard drains, and shard size trades only fault
granularity, never throughput. A caller posts its requests to an inbox and waits; whichever caller
holds the step lock admits every posted request into the engine before each step (so a newcomer
never waits for another caller's run to end) and hands each finished output to the call that owns
it. A step's wall seconds are split over the calls with requests in it, in proportion to their
unfinished sequences, so the engine's seconds are charged once, never twice.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Call:
    prompts: list[str]
    params: list[Any]
    pending: int
    """Sequences of this call not yet finished (a prompt with n completions counts n)."""
    ids: list[str] = field(default_factory=list)
    """vLLM's external request ids, in prompt order (set at admission)."""
    outputs: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    """Engine seconds charged to this call so far."""
    done: threading.Event = field(default_factory=threading.Event)


class SharedBatch:
    def __init__(self, llm: Any) -> None:
        self._llm = llm
        self._step_lock = threading.Lock()
        self._inbox_lock = threading.Lock()
        self._inbox: list[_Call] = []
        self._owner: dict[str, tuple[_Call, int]] = {}
        """External request id -> (its call, its number of sequences)."""
        self._running: list[_Call] = []

    def run(self, prompts: list[str], params: list[Any]) -> tuple[list[Any], float]:
        """vLLM's RequestOutputs for `prompts` (in order) and the engine seconds charged to them."""
        call = _Call(list(prompts), list(params), pending=sum(p.n for p in params))
        with self._inbox_lock:
            self._inbox.append(call)
        while not call.done.is_set():
            if self._step_lock.acquire(timeout=0.01):  # else another caller is stepping for us too
                try:
                    if not call.done.is_set():
                        self._admit()
                        self._step()
                finally:
                    self._step_lock.release()
        return [call.outputs[rid] for rid in call.ids], call.seconds

    def _admit(self) -> None:
        with self._inbox_lock:
            calls, self._inbox = self._inbox, []
        for call in calls:
            internal = self._llm.enqueue(call.prompts, call.params, use_tqdm=False)
            # vLLM returns internal ids `<external>-<8 random chars>`; outputs carry the external one
            call.ids = [rid.rsplit("-", 1)[0] for rid in internal]
            for rid, p in zip(call.ids, call.params, strict=True):
                self._owner[rid] = (call, p.n)
            self._running.append(call)
            if call.pending == 0:
                self._finish(call)

    def _finish(self, call: _Call) -> None:
        self._running.remove(call)
        call.done.set()

    def _step(self) -> None:
        if not self._running:
            return
        start = time.perf_counter()
        outputs = self._llm.llm_engine.step()
        elapsed = time.perf_counter() - start
        weight = sum(c.pending for c in self._running) or 1
        for c in self._running:
            c.seconds += elapsed * c.pending / weight
        for out in outputs:
            if not out.finished:
                continue
            if out.request_id not in self._owner:
                raise RuntimeError(f"vLLM returned request {out.request_id!r} that no caller enqueued")
            owner, n = self._owner.pop(out.request_id)
            owner.outputs[out.request_id] = out
            owner.pending -= n
            if owner.pending == 0:
                self._finish(owner)
