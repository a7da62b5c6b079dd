"""Greedy decoding: one sample at temperature 0; only budget 1 exists."""

from __future__ import annotations

from strategies._base import STRATEGIES, ScoredSample, SelectionStrategy


@STRATEGIES.register("greedy")
class Greedy(SelectionStrategy):
    name = "greedy"
    pool = "greedy"

    def budgets(self, requested: list[int], pool_size: int) -> list[int]:
        return [1]

    def expected_accuracy(self, samples: list[ScoredSample], k: int) -> float:
        return float(samples[0].correct)
