"""Power of a regression baseline: how often `check` catches a given accuracy drop, by simulation.

The model (stated wherever the figure is printed): for each model's `pass_at_k` points, problem i
has per-sample success rate p_i = c_i / n (n = the pool, the largest k; c_i from its smallest-k
point). A regression multiplies every p_i by (1 - r), r set so the expected accuracy of the model's
most accurate pass@k point falls by `drop`. Each simulation draws a baseline, c_i ~ Binomial(n, p_i),
and a run, c_i' ~ Binomial(n, p_i (1 - r)) (both carry sampling noise, so a rerun with no drop is as
likely to gain as to lose), and evaluates every pass@k point with the unbiased estimator; the other
baseline points keep their stored values in both (p = 1, which only makes Holm stricter). The whole
`check` runs on each pair; power is the fraction that fail. `drop=0` gives the false-alarm rate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from harness.checks.regression import BaselineCannotFailError, check
from strategies.estimators import pass_at_k

KEY = re.compile(r"^(?P<model>.+)/pass_at_k/k=(?P<k>\d+)$")


@dataclass(frozen=True)
class Power:
    drop: float
    power: float
    """Fraction of simulated runs the check failed."""
    target: str
    """The point whose expected accuracy falls by `drop`."""
    simulations: int
    informative: int
    """Problems with a non-zero value at `target`."""


def _pools(baseline: dict[str, dict[str, Any]]) -> dict[str, dict[int, str]]:
    """model -> k -> key of its pass_at_k points."""
    out: dict[str, dict[int, str]] = {}
    for key in baseline:
        m = KEY.match(key)
        if m:
            out.setdefault(m["model"], {})[int(m["k"])] = key
    return out


def _counts(values: np.ndarray, n: int, k: int) -> np.ndarray:
    """c per problem: the count whose pass@k estimate is nearest the stored value (exact at k=1)."""
    table = np.array([pass_at_k(n, c, k) for c in range(n + 1)])
    return np.abs(values[:, None] - table[None, :]).argmin(axis=1)


def _rate_factor(p: np.ndarray, k: int, target: float) -> float:
    """1 - r with mean(1 - (1 - p (1 - r))^k) = target, by bisection (expected pass@k is monotone)."""
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if np.mean(1 - (1 - p * mid) ** k) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _fails(run: dict[str, dict[str, Any]], base: dict[str, dict[str, Any]], alpha: float, seed: int) -> bool:
    try:
        return any(c.failed for c in check(run, base, alpha=alpha, seed=seed))
    except BaselineCannotFailError:  # a simulated baseline too weak to fail catches nothing
        return False


def baseline_power(baseline: dict[str, dict[str, Any]], drop: float = 0.10, alpha: float = 0.05,
                   simulations: int = 200, seed: int = 0) -> Power | None:
    """The simulated power of `check` against this baseline (None without pass@k points to simulate)."""
    pools = _pools(baseline)
    if not pools:
        return None
    rng = np.random.default_rng(seed)
    # the model and point the drop is defined on: its most accurate pass@k point
    model, k_top = max(((m, max(ks)) for m, ks in pools.items()), key=lambda mk: baseline[pools[mk[0]][mk[1]]]
                       ["accuracy"])
    runs: list[dict[str, dict[str, Any]]] = [{} for _ in range(simulations)]
    bases: list[dict[str, dict[str, Any]]] = [{} for _ in range(simulations)]
    for m, ks in pools.items():
        n = max(ks)
        k_min = min(ks)
        ids = sorted(baseline[ks[k_min]]["per_problem"])
        p = _counts(np.array([baseline[ks[k_min]]["per_problem"][i] for i in ids]), n, k_min) / n
        factor = 1.0
        if m == model and drop > 0:
            factor = _rate_factor(p, k_top, float(np.mean(1 - (1 - p) ** k_top)) - drop)
        drawn_base = rng.binomial(n, p, size=(simulations, len(ids)))
        drawn_now = rng.binomial(n, np.clip(p * factor, 0, 1), size=(simulations, len(ids)))
        for k, key in ks.items():
            table = np.array([pass_at_k(n, cc, k) for cc in range(n + 1)])
            for sims, drawn in ((runs, drawn_now), (bases, drawn_base)):
                for run, row in zip(sims, table[drawn], strict=True):
                    run[key] = {"accuracy": float(row.mean()),
                                "per_problem": dict(zip(ids, map(float, row), strict=True))}
    for sims in (runs, bases):
        for run in sims:
            for key, base in baseline.items():
                run.setdefault(key, base)
    pairs = enumerate(zip(runs, bases, strict=True))
    failed = [_fails(run, base, alpha, seed + i) for i, (run, base) in pairs]
    top_key = pools[model][k_top]
    informative = sum(1 for v in baseline[top_key]["per_problem"].values() if v != 0)
    return Power(drop, float(np.mean(failed)), top_key, simulations, informative)


def describe(power: Power | None, false_alarm: Power | None = None) -> str:
    if power is None:
        return "power: not simulated (the baseline has no pass_at_k points)"
    text = (f"power to detect a {100 * power.drop:.0f}-point drop at {power.target}: {power.power:.2f} "
            f"({power.simulations} simulated baseline and rerun pairs, per-sample success rates scaled "
            f"down, binomial sampling noise in both; {power.informative} informative problems)")
    if false_alarm is not None:
        text += f"; false alarms with no drop: {false_alarm.power:.2f}"
    return text
