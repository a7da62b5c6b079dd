"""Cost and coverage of behaviour-based vote keys on HumanEval.

Prints how many of the 164 prompts yield example inputs (`HumanEval.example_inputs`, read from the
prompt only), then times `HumanEval.vote_clusters_batch` on pools of `--samples` distinct programs
per problem: a third the canonical solution (re-spelled by a trailing comment, so no two programs
are the same text), a third `return None`, a third raising; one sandbox run per program.

    python bench/code_vote_clusters.py [--problems 5] [--samples 16]
"""

from __future__ import annotations

import argparse
import time

from tasks import Verdict, get_task


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--problems", type=int, default=5)
    parser.add_argument("--samples", type=int, default=16)
    args = parser.parse_args()
    task = get_task("humaneval")
    problems = task.load(None, None)
    found = [p for p in problems if task.example_inputs(p)]
    print(f"prompts with example inputs: {len(found)}/{len(problems)} "
          f"({sum(len(task.example_inputs(p)) for p in found)} inputs)")
    chosen = found[:max(1, args.problems)]
    for p in chosen:
        task.limits(p)  # the judging limits (reference run): computed when the pool was judged
    pools = []
    for p in chosen:
        bodies = [p.metadata["canonical_solution"], "    return None\n", "    raise ValueError\n"]
        completions = [f"{bodies[i % 3]}    # {i}\n" for i in range(args.samples)]
        pools.append((p, completions, [Verdict(None, False, "fail")] * args.samples))
    start = time.perf_counter()
    clusters = task.vote_clusters_batch(pools)
    seconds = time.perf_counter() - start
    sizes = [len(c.representatives) for c in clusters]
    print(f"{len(pools)} pools of {args.samples} programs: {seconds / len(pools):.2f} s per pool "
          f"({seconds:.2f} s in all), clusters per pool {sizes}")


if __name__ == "__main__":
    main()
