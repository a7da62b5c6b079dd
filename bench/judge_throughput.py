"""Judging throughput: the 5000 MATH gold solutions and the 164 canonical HumanEval programs.

Prints answers/s of the harness's math judge (extraction + normalisation + math-verify in a
time-limited worker pool sized to the cores) next to math-verify used alone in one process on the
same inputs, answers/s per core on the 500 MATH-500 gold solutions (one process, no pool: the
judge's own cost; target >= 100), and programs/s of the HumanEval sandbox. Targets: 5000 MATH <= 60 s;
164 HumanEval <= 30 s.

    python bench/judge_throughput.py [--limit N]
"""

from __future__ import annotations

import argparse
import contextlib
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=None, help="first N MATH problems (default all)")
    args = parser.parse_args()

    from math_verify import parse, verify

    from tasks import get_task
    from tasks.data import load_records
    from tasks.math import SOURCE
    from tasks.math500 import SOURCE as MATH500
    from tasks.math_check import check_math, check_one

    task = get_task("math")
    problems = task.load(None, args.limit)
    rows = load_records(SOURCE, None)[: len(problems)]
    items = [(row["solution"], p.reference) for row, p in zip(rows, problems, strict=True)]

    check_math(items[:4])  # start the worker pool outside the timing
    start = time.perf_counter()
    verdicts = check_math(items)
    ours_s = time.perf_counter() - start
    ours_ok = sum(v.correct for v in verdicts)

    start = time.perf_counter()
    alone_ok = 0
    for solution, reference in items:
        with contextlib.suppress(Exception):
            alone_ok += bool(verify(parse(f"${reference}$"), parse(solution)))
    alone_s = time.perf_counter() - start

    # A gold box equals its reference after normalisation, which short-cuts sympy. Prefixing the
    # reference with \displaystyle keeps its value but not its text, forcing the math-verify path.
    forced = [(solution, "\\displaystyle " + reference) for solution, reference in items]
    start = time.perf_counter()
    forced_ok = sum(v.correct for v in check_math(forced))
    forced_s = time.perf_counter() - start

    m500 = get_task("math500").load(None, None)
    m500_rows = load_records(MATH500, None)
    m500_items = [(row["solution"], p.reference) for row, p in zip(m500_rows, m500, strict=True)]
    check_one(m500_items[0])  # imports outside the timing
    start = time.perf_counter()
    m500_ok = sum(bool(check_one(item)[1]) for item in m500_items)
    m500_s = time.perf_counter() - start

    he = get_task("humaneval")
    he_problems = he.load(None, None)
    for p in he_problems:  # reference outputs and wall limits outside the timing (cached per problem)
        he.limits(p)
    start = time.perf_counter()
    passed = sum(he.verify(p, p.metadata["canonical_solution"]).correct for p in he_problems)
    he_s = time.perf_counter() - start

    n = len(items)
    print(f"MATH gold, harness judge: {ours_ok}/{n} correct in {ours_s:.1f} s = {n / ours_s:.0f} answers/s")
    print(f"MATH gold, math-verify alone (1 process): {alone_ok}/{n} in {alone_s:.1f} s = "
          f"{n / alone_s:.0f} answers/s")
    print(f"ratio harness / math-verify alone (answers/s): {alone_s / ours_s:.2f}")
    print(f"MATH gold forced through math-verify (\\displaystyle reference): {forced_ok}/{n} correct in "
          f"{forced_s:.1f} s = {n / forced_s:.0f} answers/s")
    print(f"MATH-500 gold, one process: {m500_ok}/{len(m500_items)} correct in {m500_s:.2f} s = "
          f"{len(m500_items) / m500_s:.0f} answers/s per core")
    from tasks.boundary import description

    print(f"HumanEval canonical: {passed}/{len(he_problems)} passed in {he_s:.1f} s = "
          f"{len(he_problems) / he_s:.1f} programs/s, sandbox {description()}")


if __name__ == "__main__":
    main()
