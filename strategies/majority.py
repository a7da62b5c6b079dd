"""Majority vote (self-consistency): the most frequent answer among k samples, ties at random."""

from __future__ import annotations

from strategies._base import STRATEGIES, ScoredSample, SelectionStrategy
from strategies.estimators import majority_at_k, majority_at_ks, vote_keys


@STRATEGIES.register("majority")
class Majority(SelectionStrategy):
    name = "majority"
    pool = "sampled"

    def expected_accuracy(self, samples: list[ScoredSample], k: int) -> float:
        keys = vote_keys([s.answer for s in samples], [s.correct for s in samples])
        return majority_at_k(keys, k)

    def expected_accuracies(self, samples: list[ScoredSample], ks: list[int]) -> list[float]:
        keys = vote_keys([s.answer for s in samples], [s.correct for s in samples])
        return majority_at_ks(keys, ks)
