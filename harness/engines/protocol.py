"""The engine protocol: turn chat messages into prompts and prompts into completions.

The engine knows nothing about tasks, pools or strategies. `generate` takes one SamplingParams
per prompt (its `n` is how many completions that prompt gets) and returns, per prompt, its
completions in order. Strategies depend on this protocol only, never on a backend.
"""

from __future__ import annotations

from typing import Protocol

from harness.records import Completion, SamplingParams

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
