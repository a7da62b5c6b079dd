"""Coverage fit recovers a known exponentiated power law, and its inverse is an extrapolation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from harness.analysis.scaling_fit import fit_coverage


def test_recovers_known_parameters() -> None:
    a, b = -2.0, -0.5
    ks = [1, 2, 4, 8, 16, 32, 64]
    per_problem = np.tile([math.exp(a * k**b) for k in ks], (50, 1))  # every problem on the curve
    fit = fit_coverage(ks, per_problem, resamples=50)
    assert fit is not None
    assert fit.a == pytest.approx(a, rel=1e-6) and fit.b == pytest.approx(b, rel=1e-6)
    assert fit.coverage(16) == pytest.approx(math.exp(a * 16**b))
    need = fit.samples_for(0.9)
    assert need is not None and math.exp(a * need**b) == pytest.approx(0.9)


def test_uncertainty_and_degenerate_cases() -> None:
    rng = np.random.default_rng(0)
    ks = [1, 2, 4, 8]
    clean = np.array([[math.exp(-1.5 * k**-0.4) for k in ks]] * 40)
    noisy = np.clip(clean + rng.normal(0, 0.05, (40, 4)), 0, 1)
    fit = fit_coverage(ks, noisy, resamples=200)
    assert fit is not None and fit.a_ci[0] <= fit.a <= fit.a_ci[1] and fit.b_ci[0] <= fit.b <= fit.b_ci[1]
    assert fit_coverage(ks, np.zeros((5, 4))) is None
    assert fit_coverage(ks, np.ones((5, 4))) is None


def test_every_decade_of_k_weighs_the_same() -> None:
    # a mixture of problems is no exact power law: a fit dominated by the last decade (k = 1..1024 has
    # 90% of its points above 100) would differ from the fit on powers of two (b -0.378 vs -0.337)
    p = np.geomspace(1e-4, 0.5, 40)

    def coverage(ks: list[int]) -> np.ndarray:
        return 1 - (1 - p[:, None]) ** np.asarray(ks)[None, :]

    linear, log2 = list(range(1, 1025)), [2**i for i in range(11)]
    dense = fit_coverage(linear, coverage(linear), resamples=20)
    sparse = fit_coverage(log2, coverage(log2), resamples=20)
    assert dense is not None and sparse is not None
    assert abs(dense.b - sparse.b) < 0.01 and abs(dense.a - sparse.a) / abs(sparse.a) < 0.03
