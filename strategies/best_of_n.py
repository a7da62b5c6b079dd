"""Best-of-N: the highest-scored of k samples answers; exact expectation over k-subsets.

Sort the pool by score, best first. With no ties, sample at rank r (0-based) is the best of a
uniform k-subset with probability C(n-1-r, k-1)/C(n, k). A group of tied scores at ranks [s, e)
holds the subset's best with probability (C(n-s, k) - C(n-e, k))/C(n, k), and a uniform tie-break
picks each of its members equally, so the group contributes its mean correctness. A sample without
a score (an empty completion) ranks last; a pool whose samples lack the score is refused.
"""

from __future__ import annotations

import math
from itertools import groupby

import numpy as np

from strategies._base import STRATEGIES, ScoredSample, SelectionStrategy
from strategies.scorers import require_scores, scorer


def best_of_k(scores: list[float], correct: list[bool], k: int) -> float:
    return best_of_ks(scores, correct, [k])[0]


def best_of_ks(scores: list[float], correct: list[bool], ks: list[int]) -> list[float]:
    """best-of-k for several k; binomial ratios in log space (relative error ~1e-12)."""
    n = len(scores)
    for k in ks:
        if not 1 <= k <= n:
            raise ValueError(f"need 1 <= k <= n, got n={n} k={k}")
    order = sorted(range(n), key=lambda i: -scores[i])
    starts, means = [], []
    start = 0
    for _, group in groupby(order, key=lambda i: scores[i]):
        members = list(group)
        starts.append(start)
        means.append(sum(correct[i] for i in members) / len(members))
        start += len(members)
    s = np.array([*starts, n], dtype=float)
    mean = np.array(means)
    lgam = np.array([math.lgamma(i + 1) for i in range(n + 1)])  # log(i!)

    def log_comb_ratio(a: np.ndarray, k: int) -> np.ndarray:
        """log(C(a, k) / C(n, k)), -inf where a < k."""
        a_int = a.astype(int)
        out = np.full(a.shape, -np.inf)
        ok = a_int >= k
        out[ok] = lgam[a_int[ok]] - lgam[a_int[ok] - k] - lgam[n] + lgam[n - k]
        return out

    results = []
    for k in ks:
        tail = np.exp(log_comb_ratio(n - s, k))  # P(all k drawn from ranks >= s)
        results.append(float(np.sum((tail[:-1] - tail[1:]) * mean)))
    return results


@STRATEGIES.register("best_of_n")
class BestOfN(SelectionStrategy):
    name = "best_of_n"
    pool = "sampled"

    def __init__(self, score: str = "mean_logprob") -> None:
        self.score_name = score
        self.score = scorer(score)

    def expected_accuracy(self, samples: list[ScoredSample], k: int) -> float:
        return self.expected_accuracies(samples, [k])[0]

    def expected_accuracies(self, samples: list[ScoredSample], ks: list[int]) -> list[float]:
        require_scores(self.label, self.score_name, samples)
        return best_of_ks([self.score(s) for s in samples], [s.correct for s in samples], ks)
