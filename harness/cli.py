"""Command line: `python -m harness <verb> ...`.

  sweep [key=value ...]      run a sweep (Hydra overrides of configs/sweep.yaml)
  report RUN_DIR [RUN_DIR ...] [--out DIR]             rebuild a report (several runs merge into --out,
                                                       by default into the first RUN_DIR); --at-<axis> X
                                                       (samples, tokens, total-tokens, flops, seconds,
                                                       dollars, latency, eflops): each arm and the best at X
  judge --task T --input IN.jsonl --output OUT.jsonl   score completions with a task's verifier
  check RUN_DIR --baseline B.json [--update]            paired regression test against a baseline
  claims [NAME ...] [--form cpu|gpu] [--set key=value]  judge papers' claims at matched compute
  import FILE --task T --model NAME [--model-config C | --params N] [--strategies S ...]
                                                        re-verify and store outside generations

Bad input (unknown names, a missing or unreadable input file or run folder) exits with status 2 and
one `error:` line, before any model loads.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.registry import UnknownNameError
from harness.analysis.axes import AXES
from harness.analysis.memory_traffic import ACCELERATORS
from harness.config import ConfigError
from harness.run.execute import ShardFailedError
from harness.run.placement import PlacementError
from harness.rundir import REQUIRED
from tasks.data import DataNotFoundError


def run_check(run_dir: str, baseline: str, alpha: float, update: bool) -> int:
    from harness.checks.regression import (
        check,
        keep_failable,
        load_baseline,
        run_values,
        table,
        write_baseline,
    )
    from harness.checks.regression_power import baseline_power, describe

    meta, values = run_values(Path(run_dir))
    if update:
        kept, dropped = keep_failable(values, alpha)
        for line in dropped:
            print(f"left out (cannot fail): {line}")
        if not kept:
            raise ValueError(f"no point of {run_dir} could fail a check; baseline {baseline} not written")
        write_baseline(Path(baseline), meta, kept)
        print(f"wrote baseline {baseline} ({len(kept)} points)")
        print(describe(baseline_power(kept, alpha=alpha), baseline_power(kept, drop=0.0, alpha=alpha)))
        return 0
    base_meta, base_values = load_baseline(Path(baseline))
    for name in ("task", "prompt_version", "verifier_version"):
        if base_meta.get(name) != meta.get(name):
            raise ValueError(f"baseline {name} {base_meta.get(name)!r} differs from the run's "
                             f"{meta.get(name)!r}")
    checks = check(values, base_values, alpha=alpha)
    print(table(checks))
    print(describe(baseline_power(base_values, alpha=alpha)))
    failed = [c for c in checks if c.failed]
    print(f"{len(failed)} of {len(checks)} points failed (alpha={alpha}, Holm-corrected)")
    return 1 if failed else 0


class InputError(ValueError):
    """A verb's input file or run folder is missing or unreadable."""


def require_file(path: str, what: str) -> None:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{what} {path}: " + ("is a folder, not a file" if p.is_dir() else "no such file"))
    try:
        with p.open("rb") as f:
            f.read(1)
    except OSError as exc:
        raise InputError(f"{what} {path}: cannot read it ({exc.strerror})") from exc


def require_run_dir(path: str) -> None:
    """A run folder written by `sweep` or `import` (it holds run.json and scores.jsonl)."""
    p = Path(path)
    if not p.is_dir():
        raise InputError(f"run folder {path}: no such folder (a run folder is results/<name>/<timestamp>, "
                         f"e.g. $(cat results/default/LATEST))")
    for name in REQUIRED:
        if not (p / name).is_file():
            raise InputError(f"run folder {path}: no {name} in it (not a folder written by sweep or import)")
        require_file(str(p / name), "run file")


def require_inputs(args: argparse.Namespace) -> None:
    """Every input a verb reads exists and is readable, checked before any work starts."""
    if args.verb == "report":
        for d in args.run_dirs:
            require_run_dir(d)
    elif args.verb == "check":
        require_run_dir(args.run_dir)
        if not args.update:
            require_file(args.baseline, "baseline")
    elif args.verb == "judge":
        require_file(args.input, "input")
    elif args.verb == "import":
        require_file(args.file, "generations file")


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
    for name, (label, _) in AXES.items():
        p_report.add_argument(f"--at-{name.replace('_', '-')}", type=float, default=None,
                              help=f"each arm's accuracy at this {label} (interpolated), and the best")
    p_report.add_argument("--accelerator", default=None, choices=sorted(ACCELERATORS),
                          help="hardware pricing memory traffic on the eFLOPs axis (default: the run's)")
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
    p_import.add_argument("--strategies", nargs="+", default=None,
                          help="selection strategies (configs/strategy names) to report, e.g. majority "
                               "weighted_majority (default: majority pass_at_k, best_of_n with log-probs)")
    args = parser.parse_args(argv)
    try:
        require_inputs(args)
        if args.verb == "sweep":
            from harness.sweep import sweep_from_overrides

            sweep_from_overrides(args.overrides)
        elif args.verb == "report":
            from harness.report.build import build_report

            at = next(((name, v) for name in AXES if (v := getattr(args, f"at_{name}")) is not None), None)
            out = Path(args.out) if args.out else None
            build_report([Path(d) for d in args.run_dirs], out, wandb_mode=args.wandb, at=at,
                         accelerator_name=args.accelerator)
        elif args.verb == "judge":
            from harness.judge import judge_file

            correct, total = judge_file(args.task, Path(args.input), Path(args.output))
            print(f"{correct}/{total} correct; wrote {args.output}")
        elif args.verb == "check":
            return run_check(args.run_dir, args.baseline, args.alpha, args.update)
        elif args.verb == "claims":
            from harness.checks.claims_run import run_claims

            run_claims(args.names, args.form, args.overrides)
        elif args.verb == "import":
            from harness.importer import import_generations

            import_generations(Path(args.file), args.task, args.model, Path(args.results_dir), args.kind,
                               args.params, args.temperature, args.data_dir, args.name,
                               tuple(args.strategies) if args.strategies else None,
                               model_config=Path(args.model_config) if args.model_config else None)
    except (ConfigError, DataNotFoundError, UnknownNameError, PlacementError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:  # an input read later on
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except ShardFailedError as exc:
        print(f"error: {exc}; finished shards are stored, rerun to resume", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; finished shards are stored, rerun the same command to resume", file=sys.stderr)
        return 130
    return 0
