"""The engine protocol: turn chat messages into prompts and prompts into completions.

The engine knows nothing about tasks, pools or strategies. `generate` takes one SamplingParams
per prompt (its `n` is how many completions that prompt gets) and returns, per prompt, its
completions in order. Strategies depend on this protocol only, never on a backend.

`RewardModel` is the protocol of a second, scoring-only model (vLLM's pooling runner): it returns
a `Reward` per (problem, solution steps), with the tokens and FLOPs it spent, so strategies can
charge it to the `reward` role.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from core.records import Completion, SamplingParams

Message = dict[str, str]


class Engine(Protocol):
    @property
    def name(self) -> str:
        """Backend and version, e.g. `vllm-0.32.0`."""
        ...

    def render(self, messages: list[Message]) -> str:
        """Apply the model's chat template (with the generation prompt)."""
        ...

    def generate(self, prompts: list[str], params: list[SamplingParams]) -> list[list[Completion]]:
        """Completions for each prompt; `params[i].n` of them for prompt i."""
        ...


@dataclass(frozen=True)
class Reward:
    """A reward model's judgement of one (problem, solution steps)."""

    score: float
    """Outcome models: the solution's score. Process models: the last step's score (the PRM judges
    the whole prefix up to each step). Higher is better."""
    step_scores: tuple[float, ...]
    """Process models: one score per step, in order; outcome models: empty."""
    prompt_tokens: int
    """Tokens the reward model encoded (one prefill, nothing generated)."""
    flops: float
    """FLOPs of that prefill, from the reward model's own architecture."""
    latency_s: float
    """Engine seconds attributed to this request."""


class RewardModel(Protocol):
    """A scorer served by a second model: an outcome (ORM) or process (PRM) reward model."""

    @property
    def name(self) -> str:
        """The reward model's config name."""
        ...

    @property
    def kind(self) -> str:
        """`outcome` or `process`."""
        ...

    def score(self, problems: list[str], steps: list[list[str]]) -> list[Reward]:
        """One Reward per (problem text, solution split into steps)."""
        ...
