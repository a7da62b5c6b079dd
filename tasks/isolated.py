"""Run a function over items in worker processes, each item under a wall-clock limit.

Works from any thread and inside Ray actors (no SIGALRM): the parent waits on pipes, and a worker
that overruns its item's limit is killed and replaced. A worker that raises or dies yields an
`error` outcome; nothing here raises on a bad item. Workers are started with `spawn`, so they share
no state (or threads) with the caller.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Outcome(Generic[R]):
    """What became of one item: `ok` with a value, `timeout`, or `error` with a message."""

    status: str
    value: R | None = None
    message: str = ""


def _serve(fn: Callable[[Any], Any], conn: Connection, warm: Callable[[], Any] | None) -> None:
    if warm is not None:
        warm()  # heavy imports before the first item, whose clock starts when it is sent
    conn.send(("ready", None))
    while True:
        try:
            item = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", fn(item)))
        except Exception as exc:
            conn.send(("error", f"{type(exc).__name__}: {exc}"[:500]))


class _Worker:
    def __init__(self, ctx: Any, fn: Callable[[Any], Any], warm: Callable[[], Any] | None) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(fn, child, warm), daemon=True)
        self.proc.start()
        child.close()
        self.ready = False

    def wait_ready(self, limit_s: float = 120.0) -> None:
        """Block until the worker has started (and warmed up), so start-up is not charged to an item."""
        if not self.ready:
            self.ready = True
            try:
                if self.conn.poll(limit_s):
                    self.conn.recv()
            except (EOFError, OSError):
                pass  # a dead worker: the item sent next reports the error

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class TimeLimitedPool:
    """`workers` processes running `fn`; `map` keeps each item under `timeout_s` seconds.

    `fn` (and `warm`, run once in each worker before its first item, outside any item's limit) must be
    module-level functions (they are pickled into spawned workers).
    """

    def __init__(self, fn: Callable[[Any], Any], workers: int = 2,
                 warm: Callable[[], Any] | None = None) -> None:
        self._fn = fn
        self._warm = warm
        self._ctx = mp.get_context("spawn")
        self._workers = [_Worker(self._ctx, fn, warm) for _ in range(max(1, workers))]

    def __enter__(self) -> TimeLimitedPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for w in self._workers:
            w.kill()
        self._workers = []

    def map(self, items: Sequence[Any], timeout_s: float) -> list[Outcome[Any]]:
        results: list[Outcome[Any] | None] = [None] * len(items)
        todo = deque(range(len(items)))
        busy: dict[int, tuple[int, float]] = {}  # worker slot -> (item index, deadline)
        idle = deque(range(len(self._workers)))
        while todo or busy:
            while todo and idle:
                slot = idle.popleft()
                index = todo.popleft()
                self._workers[slot].wait_ready()
                self._workers[slot].conn.send(items[index])
                busy[slot] = (index, time.monotonic() + timeout_s)
            soonest = min(deadline for _, deadline in busy.values())
            conns = {self._workers[slot].conn: slot for slot in busy}
            ready = wait(list(conns), timeout=max(0.0, soonest - time.monotonic()))
            for slot in [conns[c] for c in conns if c in ready]:
                index, _ = busy.pop(slot)
                try:
                    status, payload = self._workers[slot].conn.recv()
                    ok = status == "ok"
                    results[index] = Outcome("ok", payload) if ok else Outcome("error", None, str(payload))
                except (EOFError, OSError) as exc:  # the worker died (e.g. out of memory)
                    results[index] = Outcome("error", None, f"worker died: {exc!r}")
                    self._replace(slot)
                idle.append(slot)
            now = time.monotonic()
            for slot, (index, deadline) in list(busy.items()):
                if now >= deadline:
                    busy.pop(slot)
                    results[index] = Outcome("timeout", None, f"over {timeout_s} s")
                    self._replace(slot)
                    idle.append(slot)
        return [r if r is not None else Outcome("error", None, "lost") for r in results]

    def _replace(self, slot: int) -> None:
        self._workers[slot].kill()
        self._workers[slot] = _Worker(self._ctx, self._fn, self._warm)
