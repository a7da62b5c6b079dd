"""Weighted majority vote: each vote key's weight is the sum of exp(score) of its samples.

Samples vote with their reference-free keys (`ScoredSample.vote`); the winning key is judged by its
cluster's representative. Scores are log-domain (log-prob scorers: a per-token or sequence
log-probability), so each subset is computed in log space: its key totals are sum exp(score - the
subset's max score), which never underflow (sum_logprob scores of -30 to -1000 are normal). Ties
use a relative tolerance only (1e-9 of the top total) and only keys with a vote in the subset can
tie. No closed form over k-subsets exists, so the value at k is the mean over a fixed, seeded set of
resamples (prefixes of random permutations of the pool), and `resample_se` reports the standard
error of that mean. At k = n it is exact (one subset). A pool whose voting samples lack the score
(e.g. an import without log-probs) is refused.
"""

from __future__ import annotations

import math

import numpy as np

from strategies._base import STRATEGIES, ScoredSample, SelectionStrategy
from strategies.estimators import CORRECT, permutations, vote_keys
from strategies.scorers import require_scores, scorer

TIE_RTOL = 1e-9
"""Keys whose total is within this fraction of the subset's top total tie."""


def weighted_vote_at_ks(
    keys: list[str | None], scores: list[float], ks: list[int], resamples: int = 256, seed: int = 0,
    correct: set[str] | frozenset[str] = frozenset({CORRECT}),
) -> tuple[list[float], list[float]]:
    """(expected accuracy, standard error) per k; `scores` are log-weights, `correct` the correct keys."""
    n = len(keys)
    classes = sorted({k for k in keys if k is not None})
    good = np.array([c in correct for c in classes], dtype=bool)
    if not good.any():
        return [0.0] * len(ks), [0.0] * len(ks)
    cid = np.array([classes.index(k) if k is not None else -1 for k in keys])
    s = np.asarray(scores, dtype=float)
    perms = permutations(n, resamples, seed)  # each row: a random order of the pool
    means, ses = [], []
    for k in ks:
        perms_k = perms[:1, :k] if k == n else perms[:, :k]
        rows_n = perms_k.shape[0]
        ids, ss = cid[perms_k], s[perms_k]
        voting = ids >= 0
        voted = np.where(voting, ss, -np.inf)
        top = voted.max(axis=1, keepdims=True)  # the subset's max score among its voters
        w = np.exp(voted - np.where(np.isfinite(top), top, 0.0))  # non-voters: exp(-inf) = 0
        totals = np.zeros((rows_n, len(classes)))
        present = np.zeros((rows_n, len(classes)), dtype=bool)
        rows = np.repeat(np.arange(rows_n)[:, None], k, axis=1)
        np.add.at(totals, (rows[voting], ids[voting]), w[voting])
        present[rows[voting], ids[voting]] = True
        best = totals.max(axis=1, keepdims=True)
        tied = present & (totals >= best * (1.0 - TIE_RTOL)) & (best > 0)
        share = (tied & good).sum(axis=1) / np.maximum(tied.sum(axis=1), 1)
        means.append(float(share.mean()))
        ses.append(0.0 if k == n else float(share.std(ddof=1) / math.sqrt(len(share))))
    return means, ses


@STRATEGIES.register("weighted_majority")
class WeightedMajority(SelectionStrategy):
    name = "weighted_majority"
    pool = "sampled"
    votes = True

    def __init__(self, score: str = "mean_logprob", resamples: int = 256, seed: int = 0) -> None:
        self.score_name = score
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
        require_scores(self.label, self.score_name, [s for s in samples if s.vote is not None])
        keys, correct = vote_keys([s.vote for s in samples], [s.vote_correct for s in samples])
        scores = [self.score(s) for s in samples]
        return weighted_vote_at_ks(keys, scores, ks, self.resamples, self.seed, correct)
