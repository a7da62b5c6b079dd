"""Every selection estimator on a 3-problem pool of 10,000 samples at k in {1, 10, 100, 1000, 10000},
against exact rational references computed here with integer combinatorics (never the code under test).

Each pool has a correct class, one large wrong class, a tail of distinct wrong answers (singletons,
each its own vote key) and samples without an answer. The majority reference counts k-subsets by
(correct drawn c, large wrong drawn w): for c >= 2 the singletons cannot reach c, so they draw with
the abstentions; for c = 1 every drawn singleton ties, so that case is counted by singletons drawn.
"""

from __future__ import annotations

import random
import time
from fractions import Fraction
from math import comb

import pytest

from strategies import ScoredSample, get_strategy

N = 10_000
KS = [1, 10, 100, 1000, 10_000]
POOLS = {  # (correct, large wrong, singletons, no answer)
    "correct_leads": (4000, 2500, 1500, 2000),
    "wrong_leads": (2000, 3000, 3000, 2000),
    "exact_tie": (3500, 3500, 1000, 2000),
}


def binomials(n: int, upto: int) -> list[int]:
    """[C(n, 0), ..., C(n, upto)] by the exact recurrence."""
    out = [1]
    for j in range(upto):
        out.append(out[-1] * (n - j) // (j + 1))
    return out


def exact_majority(nc: int, nw: int, ns: int, na: int, k: int) -> Fraction:
    n, free = nc + nw + ns + na, ns + na
    bc, bw, bf = binomials(nc, min(nc, k)), binomials(nw, min(nw, k)), binomials(free, min(free, k))
    total = Fraction(0)
    for c in range(max(2, k - nw - free), min(nc, k) + 1):
        acc2 = 0  # twice the weighted count, so the half share of a tie stays an integer
        for w in range(max(0, k - c - free), min(nw, c, k - c) + 1):
            acc2 += bw[w] * bf[k - c - w] * (2 if w < c else 1)
        total += Fraction(bc[c] * acc2, 2)
    if k - 1 <= nw + free:  # c = 1: singletons drawn tie with the correct answer
        bs, ba = binomials(ns, min(ns, k)), binomials(na, min(na, k))
        for w in (0, 1):
            for s in range(0, min(ns, k - 1 - w) + 1):
                a = k - 1 - w - s
                if 0 <= a <= na and w <= nw:
                    total += Fraction(nc * (nw if w else 1) * bs[s] * ba[a], 1 + s + w)
    return total / comb(n, k)


def exact_pass(n: int, c: int, k: int) -> Fraction:
    return 1 - Fraction(comb(n - c, k), comb(n, k))


def exact_best(correct_by_rank: list[bool], k: int) -> Fraction:
    """Distinct scores, best first: rank r is the subset's best with probability C(n-1-r, k-1)/C(n,k)."""
    n = len(correct_by_rank)
    numerator, ways = 0, comb(n - 1, k - 1)  # ways = C(n-1-r, k-1), updated downwards in r
    for r, ok in enumerate(correct_by_rank):
        if ok:
            numerator += ways
        m = n - 1 - r  # C(m-1, k-1) = C(m, k-1) (m-k+1) / m
        ways = ways * (m - k + 1) // m if m > 0 else 0
    return Fraction(numerator, comb(n, k))


def pool(name: str) -> list[ScoredSample]:
    nc, nw, ns, na = POOLS[name]
    rng = random.Random(name)
    kinds = ["c"] * nc + ["w"] * nw + [f"s{i}" for i in range(ns)] + [None] * na
    rng.shuffle(kinds)
    scores = rng.sample(range(10 * N), N)  # distinct
    return [ScoredSample(None if kind is None else str(kind), kind == "c", -s / N, 100, kind, kind == "c")
            for kind, s in zip(kinds, scores, strict=True)]


@pytest.mark.parametrize("name", sorted(POOLS))
def test_estimators_at_ten_thousand_samples_equal_exact_references(name: str) -> None:
    samples = pool(name)
    nc, nw, ns, na = POOLS[name]
    start = time.perf_counter()
    majority = get_strategy("majority").expected_accuracies(samples, KS)
    coverage = get_strategy("pass_at_k").expected_accuracies(samples, KS)
    best = get_strategy("best_of_n", score="mean_logprob").expected_accuracies(samples, KS)
    elapsed = time.perf_counter() - start
    by_rank = [s.correct for s in sorted(samples, key=lambda s: -(s.mean_logprob or 0.0))]
    for j, k in enumerate(KS):
        assert majority[j] == pytest.approx(float(exact_majority(nc, nw, ns, na, k)), abs=1e-9), k
        assert coverage[j] == pytest.approx(float(exact_pass(N, nc, k)), abs=1e-9), k
        assert best[j] == pytest.approx(float(exact_best(by_rank, k)), abs=1e-9), k
    assert elapsed < 20, f"estimators took {elapsed:.1f} s at n = 10,000"


def test_weighted_vote_at_ten_thousand_samples() -> None:
    samples = pool("correct_leads")
    strategy = get_strategy("weighted_majority", score="mean_logprob")
    means, ses = strategy.with_resampling_error(samples, [1, N])
    voters = [s for s in samples if s.vote is not None]
    assert abs(means[0] - sum(s.vote_correct for s in voters) / N) <= 5 * ses[0]
    totals: dict[str, float] = {}
    for s in voters:  # k = n is one subset: the key with the largest summed exp(score) wins
        totals[str(s.vote)] = totals.get(str(s.vote), 0.0) + pow(2.718281828459045, s.mean_logprob or 0.0)
    assert ses[1] == 0.0 and means[1] == float(max(totals, key=lambda v: totals[v]) == "c")
