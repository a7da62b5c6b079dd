"""Majority vote (self-consistency): the most frequent answer among k samples, ties at random.

Samples vote with their reference-free keys (`ScoredSample.vote`: equivalent answers share one, the
reference never consulted); the winning key is judged by its cluster's representative.
"""

from __future__ import annotations

from strategies._base import STRATEGIES, ScoredSample, SelectionStrategy
from strategies.estimators import majority_at_ks, vote_keys


@STRATEGIES.register("majority")
class Majority(SelectionStrategy):
    name = "majority"
    pool = "sampled"
    votes = True

    def expected_accuracy(self, samples: list[ScoredSample], k: int) -> float:
        return self.expected_accuracies(samples, [k])[0]

    def expected_accuracies(self, samples: list[ScoredSample], ks: list[int]) -> list[float]:
        keys, correct = vote_keys([s.vote for s in samples], [s.vote_correct for s in samples])
        return majority_at_ks(keys, ks, correct)
