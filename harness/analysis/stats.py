"""Uncertainty of accuracies: seeded percentile bootstrap over problems, paired across arms.

Every CI draws its resamples from `bootstrap_indices(n, resamples, seed)`: two arms measured on the
same n problems with the same seed see the same resampled problem sets, so a difference's CI
(`paired_bootstrap_ci`) uses exactly the resamples of the curves' CIs. `record_values()` lets the
report keep the per-problem values behind each curve point without the analysis knowing about it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

_recorders: list[list[np.ndarray[Any, Any]]] = []


@contextmanager
def record_values() -> Iterator[list[np.ndarray[Any, Any]]]:
    """Collect a copy of the values of every `bootstrap_ci` call made inside the block, in call order."""
    seen: list[np.ndarray[Any, Any]] = []
    _recorders.append(seen)
    try:
        yield seen
    finally:
        _recorders.remove(seen)


def bootstrap_indices(n: int, resamples: int = 1000, seed: int = 0) -> Iterator[np.ndarray[Any, Any]]:
    """Chunks of resampled problem indices, [chunk, n] each, `resamples` rows in all (seeded)."""
    rng = np.random.default_rng(seed)
    chunk = max(1, 2_000_000 // max(n, 1))  # bound memory: idx is chunk x n
    for start in range(0, resamples, chunk):
        yield rng.integers(0, n, size=(min(resamples, start + chunk) - start, n))


def bootstrap_means(
    values: np.ndarray[Any, Any], resamples: int = 1000, seed: int = 0
) -> np.ndarray[Any, Any]:
    """Resampled means of `values` ([problem] -> [resample]; [problem, j] -> [resample, j])."""
    x = np.asarray(values, dtype=float)
    return np.concatenate([x[idx].mean(axis=1) for idx in bootstrap_indices(x.shape[0], resamples, seed)])


def bootstrap_ci(
    values: Sequence[float] | np.ndarray[Any, Any], resamples: int = 1000, seed: int = 0, level: float = 0.95
) -> tuple[float, float]:
    """Percentile CI of the mean of per-problem values, resampling problems with replacement."""
    x = np.asarray(values, dtype=float)
    for seen in _recorders:
        seen.append(x.copy())
    if x.size == 0:
        return (float("nan"), float("nan"))
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(bootstrap_means(x, resamples, seed), [alpha, 1.0 - alpha])
    return (float(low), float(high))


def paired_bootstrap_ci(
    a: Sequence[float] | np.ndarray[Any, Any], b: Sequence[float] | np.ndarray[Any, Any],
    resamples: int = 1000, seed: int = 0, level: float = 0.95,
) -> tuple[float, float, float]:
    """(mean(a - b), low, high): one bootstrap over problems applied to both arms (same problem order).

    The mean is linear, so resampling both arms with the same indices is resampling their difference.
    """
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"paired arms need the same problems: {x.shape} vs {y.shape}")
    d = x - y
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(bootstrap_means(d, resamples, seed), [alpha, 1.0 - alpha])
    return float(d.mean()), float(low), float(high)
