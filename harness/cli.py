"""Command line: `python -m harness <verb> ...`.

  sweep [key=value ...]      run a sweep (Hydra overrides of configs/sweep.yaml)
  report RUN_DIR             rebuild a run folder's metrics, plot and table
  judge --task T --input IN.jsonl --output OUT.jsonl   score completions with a task's verifier

Bad input exits with status 2 and one clear message, before any model loads.
"""

from __future__ import annotations

import argparse
import sys

from harness.config import ConfigError
from tasks.data import DataNotFoundError
from tasks.registry import UnknownNameError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = parser.add_subparsers(dest="verb", required=True)
    p_sweep = verbs.add_parser("sweep", help="run a model x strategy x budget grid")
    p_sweep.add_argument("overrides", nargs="*", help="Hydra overrides, e.g. limit=5 'budgets=[1,4]'")
    p_report = verbs.add_parser("report", help="rebuild the report of run folders (several merge)")
    p_report.add_argument("run_dirs", nargs="+")
    p_report.add_argument("--out", default=None, help="output folder (default: the first run folder)")
    p_report.add_argument("--wandb", default="disabled", choices=["offline", "online", "disabled"])
    for name in ("samples", "tokens", "total-tokens", "flops", "seconds", "dollars"):
        p_report.add_argument(f"--at-{name}", type=float, default=None,
                              help=f"each arm's accuracy at this {name} per problem (interpolated)")
    p_judge = verbs.add_parser("judge", help="score a JSONL file of completions")
    p_judge.add_argument("--task", required=True)
    p_judge.add_argument("--input", required=True)
    p_judge.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    try:
        if args.verb == "sweep":
            from harness.sweep import sweep_from_overrides

            sweep_from_overrides(args.overrides)
        elif args.verb == "report":
            from pathlib import Path

            from harness.report_run import build_report

            at = next(((name.replace("-", "_"), v) for name in
                       ("samples", "tokens", "total-tokens", "flops", "seconds", "dollars")
                       if (v := getattr(args, f"at_{name.replace('-', '_')}")) is not None), None)
            out = Path(args.out) if args.out else None
            build_report([Path(d) for d in args.run_dirs], out, wandb_mode=args.wandb, at=at)
        elif args.verb == "judge":
            from pathlib import Path

            from harness.judge import judge_file

            correct, total = judge_file(args.task, Path(args.input), Path(args.output))
            print(f"{correct}/{total} correct; wrote {args.output}")
    except (ConfigError, DataNotFoundError, UnknownNameError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
