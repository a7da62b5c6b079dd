"""Coverage scaling fit: c(k) ~ exp(a k^b), the exponentiated power law of repeated sampling.

Fitted by weighted least squares on log(-log c) = log(-a) + b log k over the pass@k points with 0 <
c < 1, each point weighted by the stretch of log k it stands for (half the log-distance to its
neighbours), so every decade of k weighs the same whatever the grid: on k = 1..1024 the last decade
would otherwise hold 90% of the points. Uncertainty from a seeded bootstrap over problems.
`samples_for(target)` inverts the fit and is an extrapolation (say so wherever it is shown).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CoverageFit:
    a: float
    b: float
    a_ci: tuple[float, float]
    b_ci: tuple[float, float]
    n_points: int

    def coverage(self, k: float) -> float:
        return math.exp(self.a * k**self.b)

    def samples_for(self, target: float) -> float | None:
        """Extrapolated samples for coverage `target` (None when the fit never reaches it)."""
        if not 0 < target < 1 or self.a >= 0 or self.b >= 0:
            return None
        return float((math.log(target) / self.a) ** (1.0 / self.b))


def log_grid_weights(x: np.ndarray) -> np.ndarray:
    """Weight of each point of increasing log k: half the distance to its neighbours (trapezoid),
    the end points counting their one neighbour twice; equal weights for one or two points."""
    if len(x) < 3:
        return np.ones(len(x))
    gaps = np.diff(x)
    w = np.empty(len(x))
    w[1:-1] = (gaps[:-1] + gaps[1:]) / 2
    w[0], w[-1] = gaps[0], gaps[-1]
    return w / w.sum()


def fit_points(ks: np.ndarray, cov: np.ndarray) -> tuple[float, float] | None:
    """(a, b) of c(k) = exp(a k^b) by least squares on the points with 0 < c < 1 (None if under 2)."""
    keep = (cov > 0) & (cov < 1)
    if keep.sum() < 2:
        return None
    x, y = np.log(ks[keep]), np.log(-np.log(cov[keep]))
    b, intercept = np.polyfit(x, y, 1, w=np.sqrt(log_grid_weights(x)))
    return -math.exp(intercept), float(b)


def fit_coverage(
    ks: list[int], per_problem: np.ndarray, resamples: int = 1000, seed: int = 0
) -> CoverageFit | None:
    """`per_problem[i, j]` = pass@ks[j] of problem i. None when fewer than 2 usable points."""
    k = np.asarray(ks, dtype=float)
    point = fit_points(k, per_problem.mean(axis=0))
    if point is None:
        return None
    rng = np.random.default_rng(seed)
    boot = []
    n = per_problem.shape[0]
    for _ in range(resamples):
        fit = fit_points(k, per_problem[rng.integers(0, n, n)].mean(axis=0))
        if fit is not None:
            boot.append(fit)
    arr = np.asarray(boot) if boot else np.asarray([point])
    a_ci = (float(np.quantile(arr[:, 0], 0.025)), float(np.quantile(arr[:, 0], 0.975)))
    b_ci = (float(np.quantile(arr[:, 1], 0.025)), float(np.quantile(arr[:, 1], 0.975)))
    mean = per_problem.mean(axis=0)
    return CoverageFit(point[0], point[1], a_ci, b_ci, int(((mean > 0) & (mean < 1)).sum()))
