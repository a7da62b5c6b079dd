"""`python -m harness claims [NAME ...] [--form cpu|gpu]`: run (or reuse) each claim's sweep and judge it.

Each form's sweep is an ordinary sweep (its pools are reused from the store, so a rerun generates
nothing); the arms' curves are read from its `metrics.json`. Writes
`<results>/claims/<name>/<form>/verdict.json`, `verdict.md` and `arms.png/.svg` (the arms on the
claim's axis), and prints one verdict line per relation with the CIs that decided it.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from harness.claims import Claim, Verdict, claim_dir, claim_names, combine, judge, load_claim
from harness.config import ConfigError, load_sweep_config
from harness.records import CurvePoint


def read_points(run_dir: Path) -> list[CurvePoint]:
    rows = json.loads((run_dir / "metrics.json").read_text())["points"]
    return [CurvePoint(**{k: v for k, v in r.items() if k != "on_frontier"}) for r in rows]


def arm_curves(claim: Claim, form: str, points: list[CurvePoint]) -> dict[str, list[CurvePoint]]:
    arms = claim.forms[form].arms
    return {name: [p for p in points
                   if p.bin == "all" and p.model == arm.model and p.strategy == arm.strategy]
            for name, arm in arms.items()}


def describe(claim: Claim, form: str, verdicts: list[Verdict], overall: str) -> str:
    lines = [f"# {claim.name} ({form}): {overall.upper()}", "", f"Claim: {claim.statement}",
             f"Source: {claim.source}", f"Axis: {claim.axis}", ""]
    for relation, verdict in zip(claim.relations, verdicts, strict=True):
        arms = relation.a + (f" vs {relation.b}" if relation.b else "")
        extra = f" (delta {relation.delta}, ratio {relation.ratio})" if relation.type == "matches" else ""
        lines.append(f"- {relation.type}{extra}: {arms} -> **{verdict.verdict}**")
        for c in verdict.comparisons:
            diff = ("no number" if c.difference is None else
                    f"A-B {c.difference:+.3f} [{c.ci_low:+.3f}, {c.ci_high:+.3f}]")
            lines.append(f"  - {c.where}: {diff} -> {c.verdict}" + (f" ({c.note})" if c.note else ""))
    return "\n".join(lines) + "\n"


def run_claim(name: str, form: str, extra_overrides: list[str]) -> tuple[str, Path]:
    from harness.report import plot_curves
    from harness.sweep import run_sweep

    claim = load_claim(name)
    if form not in claim.forms:
        raise ConfigError(f"claim {name} has no form {form!r}; forms: {', '.join(claim.forms)}")
    resolved = load_sweep_config([*claim.forms[form].overrides, *extra_overrides])
    result = run_sweep(resolved)
    points = read_points(result.run_dir)
    curves = arm_curves(claim, form, points)
    verdicts = [judge(r, curves, claim.axis) for r in claim.relations]
    overall = combine([v.verdict for v in verdicts])
    out = claim_dir(Path(resolved.sweep.results_dir), name) / form
    out.mkdir(parents=True, exist_ok=True)
    arm_points = [p for c in curves.values() for p in c]
    if arm_points:
        plot_curves(arm_points, out / "arms", f"{name}: {claim.statement}", claim.axis, show_frontier=False)
    (out / "verdict.json").write_text(json.dumps({
        "claim": name, "form": form, "verdict": overall, "statement": claim.statement, "source": claim.source,
        "axis": claim.axis, "run_dir": str(result.run_dir),
        "relations": [{"relation": asdict(r), "verdict": v.verdict,
                       "comparisons": [asdict(c) for c in v.comparisons]}
                      for r, v in zip(claim.relations, verdicts, strict=True)],
    }, indent=2))
    text = describe(claim, form, verdicts, overall)
    (out / "verdict.md").write_text(text)
    print(text)
    return overall, out


def run_claims(names: list[str], form: str, extra_overrides: list[str]) -> dict[str, str]:
    names = names or claim_names()
    for name in names:
        load_claim(name)  # every name and file checked before any sweep runs
    results = {name: run_claim(name, form, extra_overrides)[0] for name in names}
    print("\n".join(f"{verdict:>12}  {name}" for name, verdict in results.items()))
    return results
