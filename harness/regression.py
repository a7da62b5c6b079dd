"""Regression check: compare a run's curve points with a stored baseline, paired over problems.

For every baseline point (model, strategy, budget) the per-problem values of the run and the
baseline are paired on their common problems; a one-sided paired sign-flip permutation test
(seeded, 10,000 permutations; exact enumeration when there are at most 16 non-zero differences)
asks whether the run is worse. p-values are Holm-corrected across points. A significant drop, or a
baseline point the run lacks, fails the check.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class PointCheck:
    key: str
    baseline: float
    now: float | None
    p_value: float | None
    """Raw one-sided p-value of "now is worse"; None when the point is missing."""
    p_holm: float | None
    failed: bool
    reason: str


def paired_drop_p_value(
    now: np.ndarray, base: np.ndarray, permutations: int = 10_000, seed: int = 0
) -> float:
    """One-sided p-value of mean(now - base) < 0 under random sign flips of the paired differences."""
    d = now - base
    d = d[d != 0]
    if d.size == 0:
        return 1.0
    observed = d.mean()
    if d.size <= 16:  # exact: every sign pattern
        signs = np.array(list(itertools.product((-1.0, 1.0), repeat=d.size)))
    else:
        rng = np.random.default_rng(seed)
        signs = rng.choice((-1.0, 1.0), size=(permutations, d.size))
    means = (signs * np.abs(d)).mean(axis=1)
    return float((np.sum(means <= observed + 1e-12) + (0 if d.size <= 16 else 1))
                 / (len(means) + (0 if d.size <= 16 else 1)))


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


def check(now: dict[str, dict[str, Any]], baseline: dict[str, dict[str, Any]], alpha: float = 0.05,
          seed: int = 0) -> list[PointCheck]:
    raw: list[tuple[str, float, float | None, float | None]] = []
    for key, base in sorted(baseline.items()):
        if key not in now:
            raw.append((key, base["accuracy"], None, None))
            continue
        b, n = base["per_problem"], now[key]["per_problem"]
        common = sorted(set(b) & set(n))
        now_v, base_v = np.array([n[c] for c in common]), np.array([b[c] for c in common])
        p_drop = paired_drop_p_value(now_v, base_v, seed=seed) if common else 1.0
        raw.append((key, base["accuracy"], now[key]["accuracy"], p_drop))
    present = [r[3] for r in raw if r[3] is not None]
    adjusted = iter(holm(present)) if present else iter([])
    out = []
    for key, base_acc, now_acc, p in raw:
        if p is None:
            out.append(PointCheck(key, base_acc, None, None, None, True, "missing in this run"))
            continue
        p_adj = next(adjusted)
        drop = now_acc is not None and now_acc < base_acc and p_adj < alpha
        out.append(PointCheck(key, base_acc, now_acc, p, p_adj, drop,
                              "significant drop" if drop else "ok"))
    return out


def table(checks: list[PointCheck]) -> str:
    lines = [f"{'point':<40} {'baseline':>8} {'now':>8} {'diff':>8} {'p':>8} {'p(Holm)':>8}  verdict"]
    for c in checks:
        now = "—" if c.now is None else f"{c.now:.3f}"
        diff = "—" if c.now is None else f"{c.now - c.baseline:+.3f}"
        p = "—" if c.p_value is None else f"{c.p_value:.4f}"
        ph = "—" if c.p_holm is None else f"{c.p_holm:.4f}"
        lines.append(f"{c.key:<40} {c.baseline:>8.3f} {now:>8} {diff:>8} {p:>8} {ph:>8}  {c.reason}")
    return "\n".join(lines)


def load_baseline(path: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    data = json.loads(Path(path).read_text())
    return data["meta"], data["points"]


def run_values(run_dir: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """(meta, key -> {"accuracy", "per_problem"}) of every curve point of a run (all problems)."""
    from harness.analyze import accuracy_matrix, group_pools
    from harness.analyze_search import cell_label, search_matrices
    from harness.report_run import load_run
    from strategies import SearchStrategy, SelectionStrategy, get_strategy

    data = load_run(run_dir)
    pools = group_pools(data.rows)
    values: dict[str, dict[str, Any]] = {}
    for model in data.infos:
        for s in data.meta["strategies"]:
            strategy = get_strategy(s["name"], s["label"], **s["options"])
            if isinstance(strategy, SearchStrategy):
                traces = pools.get((model, f"search:{strategy.name}"))
                if traces:
                    verdicts, _ = search_matrices(strategy, data.infos[model], traces)
                    ids = sorted(traces)
                    for j, (variant, budget) in enumerate(strategy.cells()):
                        values[f"{model}/{cell_label(strategy.name, variant)}/k={budget}"] = {
                            "accuracy": float(verdicts[:, j].mean()),
                            "per_problem": {pid: float(verdicts[i, j]) for i, pid in enumerate(ids)},
                        }
                continue
            by_problem = pools.get((model, strategy.pool))
            if not by_problem or not isinstance(strategy, SelectionStrategy):
                continue
            ids = sorted(by_problem)
            ks = strategy.budgets(data.meta["budgets"], min(len(v) for v in by_problem.values()))
            acc = accuracy_matrix(strategy, by_problem, ks)
            for j, k in enumerate(ks):
                values[f"{model}/{strategy.name}/k={k}"] = {
                    "accuracy": float(acc[:, j].mean()),
                    "per_problem": {pid: float(acc[i, j]) for i, pid in enumerate(ids)},
                }
    meta = {k: data.meta[k] for k in ("task", "prompt_version", "verifier_version")}
    return meta, values


def write_baseline(path: Path, meta: dict[str, Any], values: dict[str, dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"meta": meta, "points": values}, indent=1, sort_keys=True))
