"""pass@k (coverage): an oracle picks any correct sample among k; unbiased estimator from n.

It reads the reference, so it is flagged `oracle`: an upper bound that needs a perfect verifier.
"""

from __future__ import annotations

from strategies._base import STRATEGIES, ScoredSample, SelectionStrategy
from strategies.estimators import pass_at_k


@STRATEGIES.register("pass_at_k")
class PassAtK(SelectionStrategy):
    name = "pass_at_k"
    pool = "sampled"
    oracle = True

    def expected_accuracy(self, samples: list[ScoredSample], k: int) -> float:
        return pass_at_k(len(samples), sum(s.correct for s in samples), k)
