"""Best-of-N: the highest-scored of k samples answers; exact expectation over k-subsets.

Sort the pool by score, best first. With no ties, sample at rank r (0-based) is the best of a
uniform k-subset with probability C(n-1-r, k-1)/C(n, k). A group of tied scores at ranks [s, e)
holds the subset's best with probability (C(n-s, k) - C(n-e, k))/C(n, k), and a uniform tie-break
picks each of its members equally, so the group contributes its mean correctness.
"""

from __future__ import annotations

from itertools import groupby
from math import comb

from strategies._base import STRATEGIES, ScoredSample, SelectionStrategy
from strategies.scorers import scorer


def best_of_k(scores: list[float], correct: list[bool], k: int) -> float:
    n = len(scores)
    if not 1 <= k <= n:
        raise ValueError(f"need 1 <= k <= n, got n={n} k={k}")
    order = sorted(range(n), key=lambda i: -scores[i])
    total, start = 0.0, 0
    for _, group in groupby(order, key=lambda i: scores[i]):
        members = list(group)
        end = start + len(members)
        p_best_in_group = (comb(n - start, k) - comb(n - end, k)) / comb(n, k)
        total += p_best_in_group * sum(correct[i] for i in members) / len(members)
        start = end
    return total


@STRATEGIES.register("best_of_n")
class BestOfN(SelectionStrategy):
    name = "best_of_n"
    pool = "sampled"

    def __init__(self, score: str = "mean_logprob") -> None:
        self.score = scorer(score)

    def expected_accuracy(self, samples: list[ScoredSample], k: int) -> float:
        return best_of_k([self.score(s) for s in samples], [s.correct for s in samples], k)
