"""Scores of a sample that need no extra model: confidence from the generator's own log-probs.

`mean_logprob` (self-certainty of the tokens), `sum_logprob` (sequence log-likelihood) and
`neg_length` (shorter is better). Higher is better for every scorer. A sample without a log-prob
(nothing generated, so no mean exists; or an import that carried none) has NO score: the log-prob
scorers give it -inf (it ranks last, never first as a 0.0 would), and `require_scores` refuses a
pool whose samples lack the field a strategy ranks by.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from strategies._base import ScoredSample

NO_SCORE = float("-inf")


def _logprob(s: ScoredSample) -> float | None:
    return None if s.mean_logprob is None or s.completion_tokens <= 0 else s.mean_logprob


SCORERS: dict[str, Callable[[ScoredSample], float]] = {
    "mean_logprob": lambda s: NO_SCORE if (lp := _logprob(s)) is None else lp,
    "sum_logprob": lambda s: NO_SCORE if (lp := _logprob(s)) is None else lp * s.completion_tokens,
    "neg_length": lambda s: -float(s.completion_tokens),
}
NEEDS_LOGPROB = ("mean_logprob", "sum_logprob")


class MissingScoreError(ValueError):
    """A pool without the score a strategy ranks by (names the missing field)."""


def scorer(name: str) -> Callable[[ScoredSample], float]:
    if name not in SCORERS:
        raise ValueError(f"unknown scorer '{name}'; valid scorers: {', '.join(SCORERS)}")
    return SCORERS[name]


def require_scores(strategy: str, score: str, samples: Sequence[ScoredSample]) -> None:
    """Refuse a pool in which a sample that generated tokens has no `mean_logprob` (an empty
    completion has none and simply ranks last)."""
    if score not in NEEDS_LOGPROB:
        return
    missing = sum(1 for s in samples if s.mean_logprob is None and s.completion_tokens > 0)
    if missing:
        raise MissingScoreError(
            f"{strategy} ranks by {score}, but {missing} of {len(samples)} samples have no "
            f"'mean_logprob' (generations imported without log-probs?); use a scorer that needs none "
            f"(neg_length) or majority")
