"""Scores of a sample that need no extra model: confidence from the generator's own log-probs.

`mean_logprob` (self-certainty of the tokens), `sum_logprob` (sequence log-likelihood) and
`neg_length` (shorter is better). Higher is better for every scorer.
"""

from __future__ import annotations

from collections.abc import Callable

from strategies._base import ScoredSample

SCORERS: dict[str, Callable[[ScoredSample], float]] = {
    "mean_logprob": lambda s: s.mean_logprob,
    "sum_logprob": lambda s: s.mean_logprob * s.completion_tokens,
    "neg_length": lambda s: -float(s.completion_tokens),
}


def scorer(name: str) -> Callable[[ScoredSample], float]:
    if name not in SCORERS:
        raise ValueError(f"unknown scorer '{name}'; valid scorers: {', '.join(SCORERS)}")
    return SCORERS[name]
