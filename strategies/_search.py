"""The search-strategy contract: a strategy that drives the engine itself, several calls per problem.

A search strategy gets the engine protocol (`render` + `generate`, never a backend), the chat of
every problem of a shard, and returns one `Trace` per problem for each of its cells. A cell is
(variant, budget): the budget is in the strategy's own unit (thinking tokens, rounds, beam width,
solutions), the variant names a second axis where there is one (e.g. `V=2` verifications per
solution). Strategies whose smaller budgets are prefixes of larger ones (revision rounds,
S x V verification) compute every cell from one run.

Every engine call goes through a `Ledger`, which charges it to the problem that asked for it with
the tokens the engine reported, so a trace's cost is exactly what the engine did for it. A `Trace`
prices its calls by the one prefill rule (`core.accounting`): each call records how many of its
prompt tokens earlier calls of the same trace (same model) had already computed (`cached_tokens`),
so analysis charges either rule from the same record. A strategy declares the auxiliary models it
needs (`needs()`: `AuxModel(kind, config)`, from its own options) and `run` receives them in its
`SearchContext` (`core.auxiliary`): a reward model's calls go through `Ledger.reward` and are charged
to the `reward` role with the reward model's FLOPs; a separate verifier model's calls carry that
model's FLOPs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from core.accounting import PrefixTrie
from core.auxiliary import SearchContext
from core.engine import Engine, Reward, RewardModel
from core.flops import call_flops
from core.records import Completion, ModelInfo, SamplingParams
from strategies._base import Kind, Strategy

Cell = tuple[str, int]
"""(variant, budget); variant is "" for one-axis strategies."""


@dataclass(frozen=True)
class Call:
    """One prompt sent to the engine on behalf of one problem (its n completions together)."""

    role: str
    """generator | verifier | reward"""
    prompt_tokens: int
    """Prompt length as the engine counted it (prefilled once for the n completions)."""
    completion_tokens: int
    """Tokens generated over the n completions."""
    n: int
    """Completions returned."""
    latency_s: float
    """Engine seconds attributed to these completions."""
    flops: float | None = None
    """Set when another model did the work (a reward model's prefill, a separate verifier's call): its
    FLOPs, from its own size, under the `prefix_cache` rule. None: the generator model's FLOPs,
    computed from the tokens at analysis."""
    cached_tokens: int = 0
    """Prompt tokens that earlier calls of the same trace to the same model had already computed
    (an ideal prefix cache's hit; set by `Trace`, 0 for reward calls)."""
    flops_no_cache: float | None = None
    """With `flops`: the same call's FLOPs when it pays its whole prompt (`no_cache`)."""
    lengths: tuple[int, ...] = ()
    """Tokens of each completion, in order (each is decoded at its own contexts)."""
    prompt: str = field(default="", repr=False, compare=False)
    """The prompt text (in memory only, for the prefix trie; never stored)."""
    outputs: tuple[Completion, ...] = field(default=(), repr=False, compare=False)
    """The completions (in memory only)."""
    info: ModelInfo | None = field(default=None, repr=False, compare=False)
    """Another model's architecture, to price its call (in memory only)."""

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.compare}

    def first(self, s: int) -> Call:
        """The same request as if it had asked for its first `s` completions only (n = s)."""
        kept = self.outputs[:s]
        generated = sum(c.completion_tokens for c in kept)
        lengths = self.lengths[:s]
        return replace(self, n=len(kept), completion_tokens=generated, outputs=kept, lengths=lengths,
                       latency_s=sum(c.latency_s for c in kept),
                       flops=None if self.info is None else call_flops(self.info, self.prompt_tokens,
                                                                       generated, len(kept), 0, lengths))


def price(calls: Sequence[Call]) -> tuple[Call, ...]:
    """`calls` in order, each with the prompt tokens earlier ones computed for its model (a trie per
    model over every prompt and prompt + completion), and another model's FLOPs under both rules."""
    tries: dict[str, PrefixTrie] = {}
    out = []
    for call in calls:
        if call.role == "reward":  # a reward model's read is priced by that model, in full
            out.append(call)
            continue
        trie = tries.setdefault(call.info.name if call.info else "", PrefixTrie())
        cached = trie.cached(call.prompt, call.prompt_tokens)
        trie.add(call.prompt, call.prompt_tokens)
        for c in call.outputs:
            trie.add(call.prompt + c.text, call.prompt_tokens + c.completion_tokens)
        if call.info is not None:
            args = (call.info, call.prompt_tokens, call.completion_tokens, call.n)
            call = replace(call, flops=call_flops(*args, cached, call.lengths),
                           flops_no_cache=call_flops(*args, 0, call.lengths))
        out.append(replace(call, cached_tokens=cached))
    return tuple(out)


@dataclass(frozen=True)
class Trace:
    """What a search strategy produced for one problem at one cell."""

    text: str
    """The final completion the task's verifier scores."""
    calls: tuple[Call, ...]
    """Every engine call charged to this cell (shared earlier calls included)."""
    info: dict[str, float] = field(default_factory=dict)
    """Strategy facts: waits, steps, rounds, ..."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "calls", price(self.calls))

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
        self,
        requests: list[tuple[int, str, SamplingParams]],
        role: str = "generator",
        engine: Engine | None = None,
        info: ModelInfo | None = None,
    ) -> list[list[Completion]]:
        """One engine call for every (problem, prompt, params); returns completions per request.

        `engine` sends the call to another model (a separate verifier); its calls then carry FLOPs
        from that model's `info`, by the same formula analysis uses for the generator's calls."""
        if not requests:
            return []
        outputs = (engine or self.engine).generate([r[1] for r in requests], [r[2] for r in requests])
        self.engine_calls += 1
        for (owner, text, _), completions in zip(requests, outputs, strict=True):
            prompt = completions[0].prompt_tokens if completions else 0
            generated = sum(c.completion_tokens for c in completions)
            self.calls[owner].append(
                Call(
                    role=role,
                    prompt_tokens=prompt,
                    completion_tokens=generated,
                    n=len(completions),
                    latency_s=sum(c.latency_s for c in completions),
                    flops=None if info is None else call_flops(info, prompt, generated, len(completions)),
                    lengths=tuple(c.completion_tokens for c in completions),
                    prompt=text,
                    outputs=tuple(completions),
                    info=info,
                )
            )
        return outputs

    def reward(self, rewarder: RewardModel, requests: list[tuple[int, str, list[str]]]) -> list[Reward]:
        """One reward-model call for every (owner, problem text, solution steps)."""
        if not requests:
            return []
        rewards = rewarder.score([r[1] for r in requests], [r[2] for r in requests])
        self.engine_calls += 1
        for (owner, _, _), r in zip(requests, rewards, strict=True):
            self.calls[owner].append(Call(role="reward", prompt_tokens=r.prompt_tokens, completion_tokens=0,
                                          n=1, latency_s=r.latency_s, flops=r.flops))
        return rewards

    def charged(self, owner: int) -> tuple[Call, ...]:
        return tuple(self.calls[owner])


class SearchStrategy(Strategy, ABC):
    """Runs its own engine calls; subclasses set `name` and `unit`, implement `cells` and `run`, and
    override `needs` when they use auxiliary models."""

    kind = Kind.SEARCH
    unit: str = "tokens"
    """What a budget counts: tokens, rounds, beams, solutions."""

    def __init__(self, budgets: Sequence[int]) -> None:
        if not budgets or any(int(b) < 1 for b in budgets):
            raise ValueError(f"{type(self).__name__}: budgets must be positive integers, got {budgets}")
        self.budget_list = sorted({int(b) for b in budgets})

    def solutions(self, variant: str, budget: int) -> int:
        """Whole solutions a cell's trace writes (its `samples` axis): the budget, for strategies whose
        unit counts solutions (rounds, beams, subtrees, solutions); budget forcing overrides it."""
        return budget

    def cells(self) -> list[Cell]:
        """Every (variant, budget) this strategy reports, in a fixed order (a trace's store index)."""
        return [("", b) for b in self.budget_list]

    @abstractmethod
    def run(self, ctx: SearchContext) -> dict[Cell, list[Trace]]:
        """One trace per problem of `ctx.chats` for every cell; `ctx.base` carries the sweep's
        temperature and top_p, `ctx.models` what `needs()` declared."""


STEP_END = "\n\n"
"""Steps of a solution are separated by blank lines (beam search's unit, a PRM's step)."""


def split_steps(text: str) -> list[str]:
    """A solution's non-empty steps, in order (the whole text is one step when it has no blank line)."""
    steps = [s.strip("\n") for s in text.split(STEP_END)]
    return [s for s in steps if s.strip()] or [text]


def aggregate(scores: Sequence[float], how: str) -> float:
    """One score from step scores: last, min or mean (-inf for none)."""
    if not scores:
        return float("-inf")
    if how == "last":
        return scores[-1]
    if how == "min":
        return min(scores)
    return sum(scores) / len(scores)


AGGREGATES = ("last", "min", "mean")


def sampled(base: SamplingParams, **changes: Any) -> SamplingParams:
    """`base` with some fields changed (temperature, max_tokens, stop, n, top_logprobs)."""
    return replace(base, **changes)
