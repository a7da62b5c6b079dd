"""The search-strategy contract: a strategy that drives the engine itself, several calls per problem.

A search strategy gets the engine protocol (`render` + `generate`, never a backend), the chat of
every problem of a shard, and returns one `Trace` per problem for each of its cells. A cell is
(variant, budget): the budget is in the strategy's own unit (thinking tokens, rounds, beam width,
solutions), the variant names a second axis where there is one (e.g. `V=2` verifications per
solution). Strategies whose smaller budgets are prefixes of larger ones (revision rounds,
S x V verification) compute every cell from one run.

Every engine call goes through a `Ledger`, which charges it to the problem that asked for it with
the tokens the engine reported, so a trace's cost is exactly what the engine did for it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from harness.engines.protocol import Engine, Message
from harness.records import Completion, SamplingParams
from strategies._base import Strategy

Cell = tuple[str, int]
"""(variant, budget); variant is "" for one-axis strategies."""

AnswerOf = Callable[[int, str], str | None]
"""(problem position in the batch, text) -> canonical answer or None (for votes inside a strategy)."""


@dataclass(frozen=True)
class Call:
    """One prompt sent to the engine on behalf of one problem (its n completions together)."""

    role: str
    """generator | verifier"""
    prompt_tokens: int
    """Prompt length as the engine counted it (prefilled once for the n completions)."""
    completion_tokens: int
    """Tokens generated over the n completions."""
    n: int
    """Completions returned."""
    latency_s: float
    """Engine seconds attributed to these completions."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Trace:
    """What a search strategy produced for one problem at one cell."""

    text: str
    """The final completion the task's verifier scores."""
    calls: tuple[Call, ...]
    """Every engine call charged to this cell (shared earlier calls included)."""
    info: dict[str, float] = field(default_factory=dict)
    """Strategy facts: waits, steps, rounds, ..."""

    @property
    def completion_tokens(self) -> int:
        return sum(c.completion_tokens for c in self.calls)

    @property
    def prompt_tokens(self) -> int:
        return sum(c.prompt_tokens for c in self.calls)


class Ledger:
    """Sends batched requests to the engine and charges each to the owner it serves.

    An owner is one independent run: a problem, or a (budget, problem) pair when every budget is a
    separate run; all owners' requests of one step go to the engine in one batched call.
    """

    def __init__(self, engine: Engine, n_owners: int) -> None:
        self.engine = engine
        self.calls: list[list[Call]] = [[] for _ in range(n_owners)]
        self.engine_calls = 0
        """`generate` calls made (one per batched step, whatever the number of prompts)."""

    def generate(
        self, requests: list[tuple[int, str, SamplingParams]], role: str = "generator"
    ) -> list[list[Completion]]:
        """One engine call for every (problem, prompt, params); returns completions per request."""
        if not requests:
            return []
        outputs = self.engine.generate([r[1] for r in requests], [r[2] for r in requests])
        self.engine_calls += 1
        for (owner, _, _), completions in zip(requests, outputs, strict=True):
            self.calls[owner].append(
                Call(
                    role=role,
                    prompt_tokens=completions[0].prompt_tokens if completions else 0,
                    completion_tokens=sum(c.completion_tokens for c in completions),
                    n=len(completions),
                    latency_s=sum(c.latency_s for c in completions),
                )
            )
        return outputs

    def charged(self, owner: int) -> tuple[Call, ...]:
        return tuple(self.calls[owner])


class SearchStrategy(Strategy, ABC):
    """Runs its own engine calls; subclasses set `name` and `unit` and implement `cells` and `run`."""

    name: str = ""
    pool: str = "search"
    unit: str = "tokens"
    """What a budget counts: tokens, rounds, beams, solutions."""

    def __init__(self, budgets: Sequence[int]) -> None:
        if not budgets or any(int(b) < 1 for b in budgets):
            raise ValueError(f"{type(self).__name__}: budgets must be positive integers, got {budgets}")
        self.budget_list = sorted({int(b) for b in budgets})

    def cells(self) -> list[Cell]:
        """Every (variant, budget) this strategy reports, in a fixed order (a trace's store index)."""
        return [("", b) for b in self.budget_list]

    @abstractmethod
    def run(
        self, engine: Engine, chats: list[list[Message]], base: SamplingParams, answer_of: AnswerOf
    ) -> dict[Cell, list[Trace]]:
        """One trace per problem for every cell; `base` carries the sweep's temperature and top_p."""


def sampled(base: SamplingParams, **changes: Any) -> SamplingParams:
    """`base` with some fields changed (temperature, max_tokens, stop, n, top_logprobs)."""
    return replace(base, **changes)
