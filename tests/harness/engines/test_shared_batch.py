"""Concurrent callers share one engine batch: the second caller's requests decode alongside the first's,
each caller gets exactly its own outputs in order, and step seconds are charged once in total.

The engine here is a stand-in with vLLM's offline API shape (`enqueue` returning internal ids
`<id>-<8 chars>`, `llm_engine.step()` returning finished outputs under the external id): what is
tested is the pumping and the accounting, not vLLM.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from itertools import count

from harness.engines.shared_batch import SharedBatch

STEP_S = 0.005


@dataclass
class Params:
    n: int
    max_tokens: int


@dataclass
class Output:
    request_id: str
    prompt: str
    finished: bool
    steps: int


class StandIn:
    """Every step decodes one token of every unfinished request; a request ends after max_tokens."""

    def __init__(self) -> None:
        self.llm_engine = self
        self.steps = 0
        self._ids = count()
        self._live: dict[str, tuple[str, int, int]] = {}  # id -> (prompt, tokens left, steps taken)
        self.max_live = 0

    def enqueue(self, prompts: list[str], params: list[Params], use_tqdm: bool = False) -> list[str]:
        ids = []
        for prompt, p in zip(prompts, params, strict=True):
            rid = str(next(self._ids))
            self._live[rid] = (prompt, p.max_tokens, 0)
            ids.append(f"{rid}-abcdefgh")
        return ids

    def wait(self) -> None:
        """What a step costs in wall time (the subclass below holds the GIL instead)."""
        time.sleep(STEP_S)

    def step(self) -> list[Output]:
        self.wait()
        self.steps += 1
        self.max_live = max(self.max_live, len(self._live))
        done = []
        for rid, (prompt, left, taken) in list(self._live.items()):
            if left == 1:
                del self._live[rid]
                done.append(Output(rid, prompt, True, taken + 1))
            else:
                self._live[rid] = (prompt, left - 1, taken + 1)
        return done


def test_two_callers_share_the_batch_and_get_their_own_outputs() -> None:
    llm = StandIn()
    batch = SharedBatch(llm)
    results: dict[str, tuple[list[Output], float]] = {}

    def call(name: str, lengths: list[int], delay: float) -> None:
        time.sleep(delay)
        prompts = [f"{name}{i}" for i in range(len(lengths))]
        results[name] = batch.run(prompts, [Params(n=1, max_tokens=t) for t in lengths])

    start = time.perf_counter()
    threads = [threading.Thread(target=call, args=("a", [40, 10, 25], 0.0)),
               threading.Thread(target=call, args=("b", [30, 5], 0.02))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start

    assert [o.prompt for o in results["a"][0]] == ["a0", "a1", "a2"]  # own outputs, in prompt order
    assert [o.prompt for o in results["b"][0]] == ["b0", "b1"]
    assert [o.steps for o in results["a"][0]] == [40, 10, 25]
    # b joined while a was decoding: served in one batch, not one after the other (40 + 30 steps)
    assert llm.max_live == 5
    assert llm.steps < 40 + 30
    charged = results["a"][1] + results["b"][1]
    assert charged <= wall
    assert charged >= llm.steps * STEP_S * 0.99  # every step's seconds charged to someone
    assert results["a"][1] > results["b"][1] > 0


def test_a_lone_caller_is_charged_every_step() -> None:
    llm = StandIn()
    outputs, seconds = SharedBatch(llm).run(["x", "y"], [Params(1, 3), Params(1, 6)])
    assert [o.prompt for o in outputs] == ["x", "y"]
    assert llm.steps == 6
    assert 6 * STEP_S <= seconds < 6 * STEP_S + 0.05


class BusyStandIn(StandIn):
    """Steps that hold the GIL (a busy loop, as a CPU-bound front end does), no sleep."""

    def wait(self) -> None:
        end = time.perf_counter() + 0.0005
        while time.perf_counter() < end:
            pass
        time.sleep(0)


def test_a_newcomer_joins_at_the_next_step_not_after_the_running_call() -> None:
    llm = BusyStandIn()
    batch = SharedBatch(llm)
    finished_at: dict[str, int] = {}

    def call(name: str, tokens: int) -> None:
        batch.run([name], [Params(n=1, max_tokens=tokens)])
        finished_at[name] = llm.steps

    long = threading.Thread(target=call, args=("long", 2000))
    long.start()
    while llm.steps < 20:
        time.sleep(0.001)
    short = threading.Thread(target=call, args=("short", 5))
    short.start()
    short.join()
    long.join()
    assert finished_at["short"] < 1000  # served beside the long call, not after its 2000 steps
