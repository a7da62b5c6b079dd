"""Weighted majority vote: each answer's votes are weighted by a sample score turned positive.

Weight = exp(score - max score of the pool) (for log-prob scorers, a per-token or sequence probability
relative to the pool's most likely sample). No closed form
over k-subsets exists, so the value at k is the mean over a fixed, seeded set of resamples (prefixes
of random permutations of the pool), and `resample_se` reports the standard error of that mean.
At k = n it is exact (one subset). Ties between top answers are split uniformly.
"""

from __future__ import annotations

import math

import numpy as np

from strategies._base import STRATEGIES, ScoredSample, SelectionStrategy
from strategies.estimators import vote_keys
from strategies.scorers import scorer


def weighted_vote_at_ks(
    keys: list[str | None], weights: list[float], ks: list[int], resamples: int = 256, seed: int = 0
) -> tuple[list[float], list[float]]:
    """(expected accuracy, standard error) per k; keys use the CORRECT marker for correct answers."""
    from strategies.estimators import CORRECT

    n = len(keys)
    classes = sorted({k for k in keys if k is not None})
    if CORRECT not in classes:
        return [0.0] * len(ks), [0.0] * len(ks)
    cid = np.array([classes.index(k) if k is not None else -1 for k in keys])
    w = np.asarray(weights, dtype=float)
    correct_id = classes.index(CORRECT)
    rng = np.random.default_rng(seed)
    perms = np.argsort(rng.random((resamples, n)), axis=1)  # each row: a random order of the pool
    means, ses = [], []
    for k in ks:
        perms_k = perms[:1, :k] if k == n else perms[:, :k]
        totals = np.zeros((perms_k.shape[0], len(classes)))
        ids, ws = cid[perms_k], w[perms_k]
        voting = ids >= 0
        rows = np.repeat(np.arange(perms_k.shape[0])[:, None], k, axis=1)
        np.add.at(totals, (rows[voting], ids[voting]), ws[voting])
        best = totals.max(axis=1, keepdims=True)
        tied = np.isclose(totals, best) & (best > 0)
        share = np.where(tied[:, correct_id], 1.0 / np.maximum(tied.sum(axis=1), 1), 0.0)
        means.append(float(share.mean()))
        ses.append(0.0 if k == n else float(share.std(ddof=1) / math.sqrt(len(share))))
    return means, ses


@STRATEGIES.register("weighted_majority")
class WeightedMajority(SelectionStrategy):
    name = "weighted_majority"
    pool = "sampled"

    def __init__(self, score: str = "mean_logprob", resamples: int = 256, seed: int = 0) -> None:
        self.score = scorer(score)
        self.resamples = resamples
        self.seed = seed

    def expected_accuracy(self, samples: list[ScoredSample], k: int) -> float:
        return self.expected_accuracies(samples, [k])[0]

    def expected_accuracies(self, samples: list[ScoredSample], ks: list[int]) -> list[float]:
        return self.with_resampling_error(samples, ks)[0]

    def with_resampling_error(
        self, samples: list[ScoredSample], ks: list[int]
    ) -> tuple[list[float], list[float]]:
        keys = vote_keys([s.answer for s in samples], [s.correct for s in samples])
        scores = [self.score(s) for s in samples]
        top = max(scores)
        weights = [math.exp(x - top) for x in scores]  # relative weights; no underflow
        return weighted_vote_at_ks(keys, weights, ks, self.resamples, self.seed)
