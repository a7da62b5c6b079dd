"""One problem's pool as votes: a key per sample and a verdict per key, what vote metrics read.

The one place that turns scored samples into vote keys for the metrics of `pool_rates` and
`mixed_pools`: the reference-free cluster keys of `strategies.estimators.vote_keys` (samples whose
answers the task judges equivalent share a key; a key is correct when its representative is).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from harness.analysis.selection import scored_samples
from harness.run.score import ScoredRow
from strategies import ScoredSample
from strategies.estimators import vote_keys


@dataclass(frozen=True)
class PoolVotes:
    """Vote keys of one problem's pool, in pool order, and each key's verdict."""

    keys: tuple[str | None, ...]
    """One key per sample; None: no answer (casts no vote)."""
    correct: dict[str, bool]
    """key -> verdict."""


def pool_votes(samples: Sequence[ScoredSample]) -> PoolVotes:
    keys, correct = vote_keys([s.vote for s in samples], [s.vote_correct for s in samples])
    return PoolVotes(tuple(keys), {k: k in correct for k in keys if k is not None})


def row_votes(rows: Sequence[ScoredRow]) -> PoolVotes:
    """`pool_votes` of a problem's scored rows (in pool order)."""
    return pool_votes(scored_samples(list(rows)))
