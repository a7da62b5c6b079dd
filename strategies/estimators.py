"""Unbiased estimators of k-sample strategies from one pool of n >= k scored samples.

pass@k is Chen et al.'s 1 - C(n-c,k)/C(n,k). majority@k is the exact expectation, over all C(n,k)
subsets of the pool, of "the plurality vote key of the subset is a correct one", with ties broken
uniformly at random and samples without a key casting no vote. Vote keys are reference-free (see
`tasks.votes`): a key is correct when its cluster's representative is, so several keys can be.

Pools of up to 1,000 samples count subsets exactly (binomial rows computed when needed, one per
class size; the counts stay below 1.8e308). Larger pools are computed in probability space, never
with binomial counts (which overflow floats at n >= 1030): for each correct key t (n_t samples), its
count c in a random k-subset is hypergeometric; given c, the other k - c draws are taken class by
class (each class's count hypergeometric given the draws left), a rival above c ends the path (t
loses) and a rival at exactly c adds a tie. Only rivals of at least c samples can reach c; smaller
classes join the unconstrained rest. Windows of the hypergeometric outside mean +- sqrt(20 d (1 -
(d-1)/N)) are skipped: by Serfling's inequality their mass is below 2 exp(-40) = 8.5e-18 each.
Memory is O(n) per problem (a log-factorial table and the state vectors). Both estimators are tested
against brute-force enumeration and, at n = 10,000, against exact integer combinatorics.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Sequence
from functools import lru_cache
from math import comb

import numpy as np

CORRECT = "\x00correct"
"""A vote key that `majority_at_ks` treats as correct by default (for literal test pools)."""
SERFLING = 20.0
"""Half-window^2 / (d (1 - (d-1)/N)) of the hypergeometric windows kept (tail < 2 exp(-2 SERFLING))."""


def pass_at_k(n: int, c: int, k: int) -> float:
    """Probability that at least one of k samples drawn without replacement from n (c correct) is."""
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"need 0 <= c <= n and 1 <= k <= n, got n={n} c={c} k={k}")
    if n - c < k:
        return 1.0
    # 1 - prod_{i=n-c+1}^{n} (1 - k/i): stable for large n
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def permutations(n: int, resamples: int, seed: int) -> np.ndarray:
    """[resamples, n] seeded random orders of a pool (row r: one resample's order); the prefixes of
    these rows are the seeded k-subsets of weighted majority and the walks of adaptive voting."""
    rng = np.random.default_rng(seed)
    return np.argsort(rng.random((resamples, n)), axis=1)


def vote_keys(votes: Sequence[str | None], vote_correct: Sequence[bool]) -> tuple[list[str | None], set[str]]:
    """(one vote key per sample, the set of correct keys): keys are the samples' reference-free
    cluster keys, None = no vote; a key is correct when its cluster's representative is."""
    keys = list(votes)
    return keys, {v for v, ok in zip(keys, vote_correct, strict=True) if ok and v is not None}


def majority_at_k(keys: Sequence[str | None], k: int, correct: Collection[str] = (CORRECT,)) -> float:
    """Exact E[the plurality key of a random k-subset is correct], ties uniform, None casts no vote."""
    return majority_at_ks(keys, [k], correct)[0]


def _log_factorials(n: int) -> np.ndarray:
    """log(i!) for 0 <= i <= n. A running sum: its rounding drifts smoothly, so the differences the
    hypergeometric takes are closer (4.7e-12 at n = 10,000) than with independent lgamma values."""
    return np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, n + 1, dtype=float)))])


def _window(draws: np.ndarray, good: int, pool: int) -> tuple[np.ndarray, np.ndarray]:
    """[lo, hi] of the hypergeometric count (good of pool, `draws` drawn) worth keeping."""
    mean = draws * good / max(pool, 1)
    half = np.sqrt(SERFLING * draws * np.clip(1.0 - (draws - 1) / max(pool, 1), 0.0, 1.0)) + 1.0
    lo = np.maximum(np.maximum(0, draws - (pool - good)), np.floor(mean - half)).astype(int)
    hi = np.minimum(np.minimum(good, draws), np.ceil(mean + half)).astype(int)
    return lo, hi


def _log_hyp(lf: np.ndarray, x: np.ndarray, good: int, pool: int, draws: np.ndarray) -> np.ndarray:
    """log P(X = x), X ~ Hypergeometric(pool, good, draws), for feasible x."""
    return (lf[good] - lf[x] - lf[good - x] + lf[pool - good] - lf[draws - x] - lf[pool - good - draws + x]
            - lf[pool] + lf[draws] + lf[pool - draws])


def _step(p: np.ndarray, lo: int, c: int, m: int, left: int, lf: np.ndarray,
          singles: bool) -> tuple[np.ndarray, int] | None:
    """Draw one rival class of m samples (or, `singles`, a group of m one-sample classes at c = 1,
    every one drawn a tie) out of `left`, from the state p[d - lo, t]; None when no path survives."""
    ds = np.arange(lo, lo + p.shape[0])
    x_lo, x_hi = _window(ds, m, left)
    if not singles:
        x_hi = np.minimum(x_hi, c)  # more than c: the rival beats the target, the path ends
    width = int((x_hi - x_lo).max()) + 1
    if width <= 0:
        return None
    x = x_lo[:, None] + np.arange(width)[None, :]
    ok = x <= x_hi[:, None]
    xs = np.where(ok, x, x_lo[:, None])
    pmf = np.where(ok, np.exp(_log_hyp(lf, xs, m, left, np.broadcast_to(ds[:, None], xs.shape))), 0.0)
    ties = xs if singles else (xs == c).astype(int)
    cols = p.shape[1] + int(ties.max())
    new_lo = int((ds[:, None] - np.where(ok, xs, -(10**9))).min())
    new_hi = int((ds[:, None] - np.where(ok, xs, 10**9)).max())
    flat = np.where(ok, (ds[:, None] - xs - new_lo) * cols + ties, 0)  # weight 0 where not ok
    index = flat[:, :, None] + np.arange(p.shape[1])[None, None, :]
    weights = pmf[:, :, None] * p[:, None, :]
    new = np.bincount(index.ravel(), weights=weights.ravel(), minlength=(new_hi - new_lo + 1) * cols)
    new = new.reshape(-1, cols)
    keep = np.flatnonzero(new.sum(axis=1) > 1e-300)
    if keep.size == 0:
        return None
    return new[keep[0] : keep[-1] + 1], new_lo + int(keep[0])


def _share_given(c: int, rest: int, pool: int, rivals: list[int], lf: np.ndarray) -> float:
    """E[1{every rival <= c} / (1 + rivals at c)] when `rest` samples are drawn from `pool` others,
    among them the classes `rivals` (each of at least c samples). At c = 1 the one-sample classes
    are drawn as one group (each drawn one ties), after the others."""
    lo, p, left = rest, np.ones((1, 1)), pool  # state: draws left d = lo + row, ties = column
    singles = sum(1 for m in rivals if m == 1) if c == 1 else 0
    steps = [(m, False) for m in rivals if not (c == 1 and m == 1)] + ([(singles, True)] if singles else [])
    for m, group in steps:
        out = _step(p, lo, c, m, left, lf, group)
        if out is None:
            return 0.0
        p, lo = out
        left -= m
    return float((p / np.arange(1, p.shape[1] + 1)).sum())


def _target_share(n_t: int, others: list[int], n: int, k: int, lf: np.ndarray) -> float:
    """E[share of the win of one key with n_t samples] over k-subsets; `others`: the other keys' sizes."""
    pool = n - n_t
    c_lo, c_hi = _window(np.array([k]), n_t, n)
    total = 0.0
    by_size = sorted(others, reverse=True)
    for c in range(max(1, int(c_lo[0])), int(c_hi[0]) + 1):
        p_c = math.exp(float(_log_hyp(lf, np.array([c]), n_t, n, np.array([k]))[0]))
        if p_c < 1e-300:
            continue
        rivals = [m for m in by_size if m >= c]
        total += p_c * _share_given(c, k - c, pool, rivals, lf)
    return total


COUNTS_MAX_N = 1000
"""Pools up to this size use exact subset counts in floats (fast, shared across k; counts stay below
C(1029, 514) < 1.8e308); larger pools the hypergeometric path above."""


@lru_cache(maxsize=64)
def _binom_row(m: int) -> np.ndarray:
    """[C(m, 0), ..., C(m, m)] as floats (one row, computed when first needed)."""
    return np.array([float(comb(m, x)) for x in range(m + 1)])


def _row(m: int, length: int) -> np.ndarray:
    """C(m, x) for x < length, zero past m."""
    out = np.zeros(length)
    row = _binom_row(m)[:length]
    out[: len(row)] = row
    return out


def binomial_table(n: int) -> np.ndarray:
    """table[m, x] = C(m, x) as floats for 0 <= x <= m <= n: (n+1)^2 floats, for the metrics that
    need every row (tie rates, two-pool splits) on pools up to COUNTS_MAX_N samples."""
    if n > COUNTS_MAX_N:
        raise ValueError(f"binomial_table: pools of up to {COUNTS_MAX_N} samples (floats), got {n}")
    return np.stack([_row(m, n + 1) for m in range(n + 1)])


def _target_counts(n_t: int, others: list[int], n: int, ks: Sequence[int]) -> list[float]:
    """Per k, E[share of the win of one key with n_t samples] by counting subsets (n <= COUNTS_MAX_N)."""
    k_max = max(ks)
    n_abstain = n - n_t - sum(others)
    others = sorted(others, reverse=True)
    totals = dict.fromkeys(ks, 0.0)
    for c in range(1, min(k_max, n_t) + 1):
        # classes with fewer than c samples can never reach c: they join the unconstrained group,
        # whose subsets of each size are counted by C(size, x) (Vandermonde).
        rivals = [m for m in others if m >= c]
        free = n_abstain + sum(m for m in others if m < c)
        rows = k_max - c + 1  # rival samples drawn: 0 .. k_max - c
        # dp[s, t]: ways to pick s samples from rivals (each at most c), t of them tied at exactly c
        dp = np.zeros((rows, len(rivals) + 1))
        dp[0, 0] = 1.0
        for done, m in enumerate(rivals):
            # this rival contributes x < c samples (weight C(m, x)) or exactly c (a tie)
            below = _row(m, min(m, c - 1, rows - 1) + 1)
            tie = float(comb(m, c))
            new = np.zeros_like(dp)
            for t in range(done + 1):  # at most `done` earlier rivals can be tied
                new[:, t] += np.convolve(dp[:, t], below)[:rows]
                if c < rows:
                    new[c:, t + 1] += tie * dp[: rows - c, t]
            dp = new
        # win[s]: sum over ties t of ways / (t + 1), the uniform tie-break share of the target
        win = dp @ (1.0 / np.arange(1, len(rivals) + 2))
        free_row = _row(free, rows)  # C(free, j)
        for k in ks:
            if k < c:
                continue
            rest = k - c
            # sum_s C(free, rest - s) * win[s]
            totals[k] += float(comb(n_t, c)) * float(free_row[rest::-1] @ win[: rest + 1])
    return [totals[k] / float(comb(n, k)) for k in ks]


def majority_at_ks(keys: Sequence[str | None], ks: Sequence[int], correct: Collection[str] = (CORRECT,),
                   counts_max_n: int = COUNTS_MAX_N) -> list[float]:
    """majority@k for several k: the sum, over correct keys, of each one's expected share of the win.
    Pools of at most `counts_max_n` samples count subsets exactly; larger ones use probabilities."""
    n = len(keys)
    for k in ks:
        if not 1 <= k <= n:
            raise ValueError(f"need 1 <= k <= n, got n={n} k={k}")
    counts = Counter(key for key in keys if key is not None)
    targets = [key for key in counts if key in set(correct)]
    if not targets or not ks:
        return [0.0 for _ in ks]
    values = np.zeros(len(ks))
    lf = _log_factorials(n) if n > counts_max_n else None
    for key in targets:
        others = [m for other, m in counts.items() if other != key]
        if lf is None:
            values += _target_counts(counts[key], others, n, ks)
        else:
            values += [_target_share(counts[key], others, n, k, lf) for k in ks]
    return [min(1.0, float(v)) for v in values]
