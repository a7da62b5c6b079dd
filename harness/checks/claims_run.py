"""`python -m harness claims [NAME ...] [--form cpu|gpu]`: run (or reuse) each claim's sweep and judge it.

Every named claim is loaded and its form checked for overlapping arms (`claim_forms`) before any
sweep runs. Each form's sweep is an ordinary sweep (its pools are reused from the store, so a rerun
generates nothing); the arms' curves are read from its `metrics.json` and their per-problem values
from `per_problem.parquet` (paired CIs with the run's bootstrap settings). Writes
`<results>/claims/<name>/<form>/verdict.json`, `verdict.md` (every comparison, judged or not, with
its paired CI and the independent one beside it) and `arms.png/.svg`, and prints the verdict text.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from core.records import CurvePoint
from harness.analysis.per_problem import read_per_problem
from harness.checks.claim_forms import require_overlap
from harness.checks.claims import (
    Claim,
    ClaimVerdict,
    Measured,
    claim_dir,
    claim_names,
    combine,
    decide,
    load_claim,
)
from harness.config import ConfigError, load_sweep_config
from harness.rundir import read_meta, read_points


def arm_curves(claim: Claim, form: str, points: list[CurvePoint]) -> dict[str, list[CurvePoint]]:
    arms = claim.forms[form].arms
    return {name: [p for p in points
                   if p.bin == "all" and p.model == arm.model and p.strategy == arm.strategy]
            for name, arm in arms.items()}


def _ci(low: float | None, high: float | None) -> str:
    return "" if low is None or high is None else f"[{low:+.3f}, {high:+.3f}]"


def describe(claim: Claim, form: str, verdicts: list[ClaimVerdict], overall: str) -> str:
    lines = [f"# {claim.name} ({form}): {overall.upper()}", "", f"Claim: {claim.statement}",
             f"Source: {claim.source}", f"Axis: {claim.axis}", ""]
    for relation, verdict in zip(claim.forms[form].relations, verdicts, strict=True):
        arms = relation.a + (f" vs {relation.b}" if relation.b else "")
        extra = {"matches": f" (margin {relation.delta}, at {relation.ratio:g} x B's compute)",
                 "fits": f" (tolerance {relation.delta}, {relation.holdout} held out)",
                 "increasing": f" (rule {relation.rule})"}.get(relation.type, "")
        lines.append(f"- {relation.type}{extra}: {arms}, judged at {relation.range_text()} -> "
                     f"**{verdict.verdict}** ({verdict.reason})")
        if relation.note:
            lines.append(f"  - encoding: {relation.note}")
        for c in verdict.comparisons:
            diff = ("no number" if c.difference is None else
                    f"{c.difference:+.3f} {_ci(c.ci_low, c.ci_high)}")
            if c.independent_ci is not None and "paired" in c.note:
                diff += f" (independent CIs: {_ci(*c.independent_ci)})"
            lines.append(f"  - {c.where}: {diff} -> {c.verdict}" + (f" ({c.note})" if c.note else ""))
    return "\n".join(lines) + "\n"


def run_claim(name: str, form: str, extra_overrides: list[str]) -> tuple[str, Path]:
    from harness.report.write import plot_curves
    from harness.sweep import run_sweep

    claim = load_claim(name)
    if form not in claim.forms:
        raise ConfigError(f"claim {name} has no form {form!r}; forms: {', '.join(claim.forms)}")
    require_overlap(claim, form)
    resolved = load_sweep_config([*claim.forms[form].overrides, *extra_overrides])
    result = run_sweep(resolved)
    points = read_points(result.run_dir)
    curves = arm_curves(claim, form, points)
    boot = read_meta(result.run_dir).get("bootstrap", {})
    measured = Measured(curves, read_per_problem(result.run_dir), int(boot.get("resamples", 1000)),
                        int(boot.get("seed", 0)))
    relations = claim.forms[form].relations
    verdicts = [decide(r, measured, claim.axis) for r in relations]
    overall = combine([v.verdict for v in verdicts])
    out = claim_dir(Path(resolved.sweep.results_dir), name) / form
    out.mkdir(parents=True, exist_ok=True)
    arm_points = [p for c in curves.values() for p in c]
    if arm_points:
        plot_curves(arm_points, out / "arms", f"{name}: {claim.statement}", claim.axis, show_frontier=False)
    (out / "verdict.json").write_text(json.dumps({
        "claim": name, "form": form, "verdict": overall, "statement": claim.statement, "source": claim.source,
        "axis": claim.axis, "run_dir": str(result.run_dir),
        "relations": [{"relation": asdict(r), "verdict": v.verdict, "reason": v.reason,
                       "comparisons": [asdict(c) for c in v.comparisons]}
                      for r, v in zip(relations, verdicts, strict=True)],
    }, indent=2))
    text = describe(claim, form, verdicts, overall)
    (out / "verdict.md").write_text(text)
    print(text)
    return overall, out


def run_claims(names: list[str], form: str, extra_overrides: list[str]) -> dict[str, str]:
    names = names or claim_names()
    for name in names:
        claim = load_claim(name)  # every name, file and form checked before any sweep runs
        if form in claim.forms:
            require_overlap(claim, form)
    results = {name: run_claim(name, form, extra_overrides)[0] for name in names}
    print("\n".join(f"{verdict:>12}  {name}" for name, verdict in results.items()))
    return results
