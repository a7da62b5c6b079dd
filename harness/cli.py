"""Command line: `python -m harness <verb> ...`.

  sweep [key=value ...]      run a sweep (Hydra overrides of configs/sweep.yaml)
  report RUN_DIR             rebuild a run folder's metrics, plot and table
  judge --task T --input IN.jsonl --output OUT.jsonl   score completions with a task's verifier
  check RUN_DIR --baseline B.json [--update]            paired regression test against a baseline
  claims [NAME ...] [--form cpu|gpu] [key=value ...]    judge papers' claims at matched compute
  import FILE --task T --model NAME [--model-config C | --params N]   re-verify and store outside generations

Bad input exits with status 2 and one clear message, before any model loads.
"""

from __future__ import annotations

import argparse
import sys

from harness.config import ConfigError
from harness.execute import ShardFailedError
from tasks.data import DataNotFoundError
from tasks.registry import UnknownNameError


def run_check(run_dir: str, baseline: str, alpha: float, update: bool) -> int:
    from pathlib import Path

    from harness.regression import check, load_baseline, run_values, table, write_baseline

    meta, values = run_values(Path(run_dir))
    if update:
        write_baseline(Path(baseline), meta, values)
        print(f"wrote baseline {baseline} ({len(values)} points)")
        return 0
    base_meta, base_values = load_baseline(Path(baseline))
    for name in ("task", "prompt_version", "verifier_version"):
        if base_meta.get(name) != meta.get(name):
            raise ValueError(f"baseline {name} {base_meta.get(name)!r} differs from the run's "
                             f"{meta.get(name)!r}")
    checks = check(values, base_values, alpha=alpha)
    print(table(checks))
    failed = [c for c in checks if c.failed]
    print(f"{len(failed)} of {len(checks)} points failed (alpha={alpha}, Holm-corrected)")
    return 1 if failed else 0


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
    p_check = verbs.add_parser("check", help="compare a run with a baseline (exit 1 on a significant drop)")
    p_check.add_argument("run_dir")
    p_check.add_argument("--baseline", required=True)
    p_check.add_argument("--alpha", type=float, default=0.05)
    p_check.add_argument("--update", action="store_true", help="write the run's values as the baseline")
    p_claims = verbs.add_parser("claims", help="run or reuse each claim's sweep and print its verdict")
    p_claims.add_argument("names", nargs="*", help="claims in configs/claims (default: all)")
    p_claims.add_argument("--form", default="cpu", help="cpu (small, embedded model) or gpu (full size)")
    p_claims.add_argument("--set", dest="overrides", action="append", default=[],
                          help="extra sweep override for every claim, e.g. --set results_dir=/tmp/r")
    p_import = verbs.add_parser("import", help="import a JSONL file of generations as a pool")
    p_import.add_argument("file")
    p_import.add_argument("--task", required=True)
    p_import.add_argument("--model", required=True, help="a configs/model name, or any name with --params")
    p_import.add_argument("--params", type=int, default=None,
                          help="non-embedding parameters (linear-only FLOPs: no LM head, no attention)")
    p_import.add_argument("--model-config", default=None,
                          help="a Hugging Face config.json (FLOPs with the LM head and attention)")
    p_import.add_argument("--kind", default="sampled", choices=["sampled", "greedy"])
    p_import.add_argument("--temperature", type=float, default=None, help="recorded in the pool's identity")
    p_import.add_argument("--results-dir", default="results")
    p_import.add_argument("--data-dir", default=None)
    p_import.add_argument("--name", default=None, help="run name (default import_<model>_<task>)")
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
        elif args.verb == "check":
            return run_check(args.run_dir, args.baseline, args.alpha, args.update)
        elif args.verb == "claims":
            from harness.claims_run import run_claims

            run_claims(args.names, args.form, args.overrides)
        elif args.verb == "import":
            from pathlib import Path

            from harness.importer import import_generations

            import_generations(Path(args.file), args.task, args.model, Path(args.results_dir), args.kind,
                               args.params, args.temperature, args.data_dir, args.name,
                               model_config=Path(args.model_config) if args.model_config else None)
    except (ConfigError, DataNotFoundError, UnknownNameError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ShardFailedError as exc:
        print(f"error: {exc}; finished shards are stored, rerun to resume", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; finished shards are stored, rerun the same command to resume", file=sys.stderr)
        return 130
    return 0
