"""One problem's pool as votes: a key per sample and a verdict per key, what vote metrics read.

The one place that turns scored samples into vote keys for the metrics of `pool_rates` and
`mixed_pools`: today the keys of `strategies.estimators.vote_keys` (all correct answers share one
key); reference-free keys plug in here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from harness.score import ScoredRow
from strategies import ScoredSample
from strategies.estimators import vote_keys
from strategies.vote_ties import correctness_map


@dataclass(frozen=True)
class PoolVotes:
    """Vote keys of one problem's pool, in pool order, and each key's verdict."""

    keys: tuple[str | None, ...]
    """One key per sample; None: no answer (casts no vote)."""
    correct: dict[str, bool]
    """key -> verdict."""


def pool_votes(samples: Sequence[ScoredSample]) -> PoolVotes:
    keys = vote_keys([s.answer for s in samples], [s.correct for s in samples])
    return PoolVotes(tuple(keys), correctness_map(keys, [s.correct for s in samples]))


def row_votes(rows: Sequence[ScoredRow]) -> PoolVotes:
    """`pool_votes` of a problem's scored rows (in pool order)."""
    return pool_votes([ScoredSample(r.answer, r.correct, r.mean_logprob, r.completion_tokens) for r in rows])
