"""Cost of reference-free vote keys on MATH-500: pools of 256 answers per problem, each drawn from a
zipf-weighted set of distinct answers (equivalent spellings of a few values, plus junk), clustered by
`Task.vote_clusters_batch` (normalise, then math equivalence between DISTINCT answers only).

Prints the distinct answers per pool, the equivalence tests made, and seconds per pool.

    python bench/vote_clusters.py [--problems 20] [--samples 256] [--distinct 40]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def spellings(value: int, rng: np.random.Generator) -> list[str]:
    """Equivalent spellings of value/7 and of value."""
    return [f"\\frac{{{value}}}{{7}}", f"{value}/7", f"\\dfrac{{{2 * value}}}{{14}}", str(value),
            f"{value}.0", f"x = {value}", f"\\frac{{{value * 3}}}{{3}}", f"{value}\\sqrt{{2}}"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--problems", type=int, default=20)
    parser.add_argument("--samples", type=int, default=256)
    parser.add_argument("--distinct", type=int, default=40)
    args = parser.parse_args()

    from tasks import Verdict, get_task
    from tasks.math_votes import fallbacks
    from tasks.votes import distinct_in_order

    task = get_task("math500")
    problems = task.load(None, args.problems)
    rng = np.random.default_rng(0)
    pools = []
    for p in problems:
        values = rng.choice(200, 6, replace=False)
        options = [s for v in values for s in spellings(int(v), rng)][: args.distinct]
        picks = (rng.zipf(1.5, args.samples) - 1) % len(options)
        verdicts = [Verdict(options[i], False, "ok") for i in picks]
        pools.append((p, [""] * args.samples, verdicts))
    distinct = [len(distinct_in_order([task.vote_key(v.extracted or "") for v in pool[2]])) for pool in pools]
    task.vote_clusters_batch(pools[:1])  # start the workers
    start = time.perf_counter()
    clusters = task.vote_clusters_batch(pools)
    elapsed = time.perf_counter() - start
    n_clusters = [len(c.representatives) for c in clusters]
    tests = sum(d * c for d, c in zip(distinct, n_clusters, strict=True))  # upper bound
    print(f"{args.problems} pools x {args.samples} samples: {np.mean(distinct):.1f} distinct answers, "
          f"{np.mean(n_clusters):.1f} clusters per pool (<= {tests} equivalence tests in all)")
    print(f"clustering: {elapsed:.2f} s ({elapsed / args.problems * 1000:.0f} ms per pool); "
          f"pools over the time limit: {fallbacks()}")


if __name__ == "__main__":
    main()
