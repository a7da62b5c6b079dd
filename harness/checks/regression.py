"""Regression check: compare a run's curve points with a stored baseline, paired over problems.

For every baseline point (model, strategy, budget) the per-problem values of the run and the
baseline are paired on the baseline's problems; a one-sided paired sign-flip test asks whether the
run is worse (exact enumeration up to `EXACT_MAX` non-zero differences, else seeded random sign
flips, as many as it takes to resolve p-values well below Holm's smallest threshold). p-values
are Holm-corrected across points. A significant drop, a baseline point the run lacks, or baseline
problems the run lacks, fail the check; each point's effect is shown with a paired bootstrap CI.

A baseline must be able to fail: a total drop on a point (every problem to 0) reaches at best
p = 2^-N for N informative problems (non-zero baseline values), so a point needs N >= M with
2^-M < alpha / points. `baseline_power` simulates how often the check catches a given drop.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from harness.analysis.per_problem import read_per_problem
from harness.analysis.stats import paired_bootstrap_ci
from harness.rundir import read_meta

EXACT_MAX = 16


class BaselineCannotFailError(ValueError):
    """A baseline whose points could not reach significance even if the run scored 0 everywhere."""


@dataclass(frozen=True)
class PointCheck:
    key: str
    baseline: float
    now: float | None
    """The run's accuracy on the baseline's problems; None when the point or a problem is missing."""
    p_value: float | None
    """Raw one-sided p-value of "now is worse"; None when the point is missing."""
    p_holm: float | None
    failed: bool
    reason: str
    diff_ci: tuple[float, float] | None = None
    """Paired bootstrap 95% CI of now - baseline over the baseline's problems."""


def permutations_for(n_points: int, alpha: float) -> int:
    """Random sign flips enough that the p-value floor 1/(R+1) is 1/100 of Holm's smallest threshold."""
    return max(10_000, math.ceil(100 * n_points / alpha))


def paired_drop_p_value(
    now: np.ndarray, base: np.ndarray, permutations: int = 10_000, seed: int = 0
) -> float:
    """One-sided p-value of mean(now - base) < 0 under random sign flips of the paired differences."""
    d = now - base
    d = d[d != 0]
    if d.size == 0:
        return 1.0
    observed = d.mean()
    if d.size <= EXACT_MAX:  # exact: every sign pattern
        signs = np.array(list(itertools.product((-1.0, 1.0), repeat=d.size)))
        means = (signs * np.abs(d)).mean(axis=1)
        return float(np.sum(means <= observed + 1e-12) / len(means))
    rng = np.random.default_rng(seed)
    hits = 0
    for start in range(0, permutations, 20_000):  # bounded memory
        signs = rng.choice((-1.0, 1.0), size=(min(permutations, start + 20_000) - start, d.size))
        hits += int(np.sum((signs * np.abs(d)).mean(axis=1) <= observed + 1e-12))
    return float((hits + 1) / (permutations + 1))


def holm(p_values: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (same order as given)."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def informative_needed(n_points: int, alpha: float) -> int:
    """M: the fewest informative problems whose total drop (p = 2^-M) clears Holm's alpha / points."""
    return math.floor(math.log2(n_points / alpha)) + 1


def weak_points(baseline: dict[str, dict[str, Any]], alpha: float) -> list[tuple[str, int, int]]:
    """(key, N informative, M needed) of each point that cannot fail even on a total drop."""
    need = informative_needed(len(baseline), alpha)
    out = []
    for key, base in sorted(baseline.items()):
        n = sum(1 for v in base["per_problem"].values() if v != 0)
        if n < need:
            out.append((key, n, need))
    return out


def require_can_fail(baseline: dict[str, dict[str, Any]], alpha: float) -> None:
    weak = weak_points(baseline, alpha)
    if weak:
        lines = [f"  {key}: this baseline cannot fail: {n} informative problems, needs {m}"
                 for key, n, m in weak]
        raise BaselineCannotFailError(
            f"{len(weak)} of {len(baseline)} baseline points cannot detect a drop (a run scoring 0 on "
            f"every problem would pass them at alpha={alpha}, Holm over {len(baseline)} points):\n"
            + "\n".join(lines) + "\nregenerate the baseline with more problems or a larger k "
            "(`check --update` keeps only points that can fail)")


def check(now: dict[str, dict[str, Any]], baseline: dict[str, dict[str, Any]], alpha: float = 0.05,
          seed: int = 0) -> list[PointCheck]:
    """Each baseline point against the run; `BaselineCannotFailError` for a baseline that cannot fail."""
    require_can_fail(baseline, alpha)
    permutations = permutations_for(len(baseline), alpha)
    raw: list[tuple[str, float, float | None, float | None, str, tuple[float, float] | None]] = []
    for key, base in sorted(baseline.items()):
        if key not in now:
            raw.append((key, base["accuracy"], None, None, "missing in this run", None))
            continue
        b, n = base["per_problem"], now[key]["per_problem"]
        missing = sorted(set(b) - set(n))
        if missing:
            shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
            raw.append((key, base["accuracy"], None, None,
                        f"{len(missing)} of {len(b)} baseline problems missing in this run: {shown}", None))
            continue
        ids = sorted(b)
        now_v, base_v = np.array([n[c] for c in ids]), np.array([b[c] for c in ids])
        p_drop = paired_drop_p_value(now_v, base_v, permutations, seed=seed)
        _, lo, hi = paired_bootstrap_ci(now_v, base_v, seed=seed)
        raw.append((key, float(base_v.mean()), float(now_v.mean()), p_drop, "", (lo, hi)))
    present = [r[3] for r in raw if r[3] is not None]
    adjusted = iter(holm(present)) if present else iter([])
    out = []
    for key, base_acc, now_acc, p, why, ci in raw:
        if p is None:
            out.append(PointCheck(key, base_acc, None, None, None, True, why))
            continue
        p_adj = next(adjusted)
        drop = now_acc is not None and now_acc < base_acc and p_adj < alpha
        out.append(PointCheck(key, base_acc, now_acc, p, p_adj, drop,
                              "significant drop" if drop else "ok", ci))
    return out


def table(checks: list[PointCheck]) -> str:
    lines = [f"{'point':<40} {'baseline':>8} {'now':>8} {'diff [95% paired CI]':>26} {'p':>8} {'p(Holm)':>8}"
             "  verdict"]
    for c in checks:
        now = "—" if c.now is None else f"{c.now:.3f}"
        diff = "—" if c.now is None else f"{c.now - c.baseline:+.3f}"
        if c.diff_ci is not None:
            diff += f" [{c.diff_ci[0]:+.3f}, {c.diff_ci[1]:+.3f}]"
        p = "—" if c.p_value is None else f"{c.p_value:.4f}"
        ph = "—" if c.p_holm is None else f"{c.p_holm:.4f}"
        lines.append(f"{c.key:<40} {c.baseline:>8.3f} {now:>8} {diff:>26} {p:>8} {ph:>8}  {c.reason}")
    return "\n".join(lines)


def load_baseline(path: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    data = json.loads(Path(path).read_text())
    return data["meta"], data["points"]


def run_values(run_dir: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """(meta, key -> {"accuracy", "per_problem"}) of every curve point of a run (all problems).

    Read from the run's `per_problem.parquet`; a run folder written before it existed gets its report
    rebuilt first.
    """
    run_dir = Path(run_dir)
    values = read_per_problem(run_dir)
    if values is None:
        from harness.report.build import build_report

        build_report(run_dir, wandb_mode="disabled")
        values = read_per_problem(run_dir) or {}
    meta = read_meta(run_dir)
    out = {key: {"accuracy": float(np.mean(list(v.values()))), "per_problem": v} for key, v in values.items()}
    return {k: meta[k] for k in ("task", "prompt_version", "verifier_version")}, out


def keep_failable(
    values: dict[str, dict[str, Any]], alpha: float
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The points that can fail (dropping the weakest until every kept point can), and the dropped ones."""
    kept = dict(values)
    dropped: list[str] = []
    while kept:
        weak = weak_points(kept, alpha)
        if not weak:
            break
        for key, n, m in weak:
            del kept[key]
            dropped.append(f"{key} ({n} informative problems, needs {m})")
    return kept, dropped


def write_baseline(path: Path, meta: dict[str, Any], values: dict[str, dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"meta": meta, "points": values}, indent=1, sort_keys=True))

