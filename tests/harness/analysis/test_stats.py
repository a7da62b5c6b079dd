"""The 95% bootstrap CI covers the true accuracy 93-97% of the time over many synthetic datasets."""

from __future__ import annotations

import numpy as np

from harness.analysis.stats import bootstrap_ci


def test_bootstrap_ci_coverage_by_simulation() -> None:
    rng = np.random.default_rng(12345)
    trials, n_problems, truth = 2000, 100, 0.37
    covered = 0
    for trial in range(trials):
        # per-problem expected accuracies, like majority@k values: a mix of 0/1 and fractions
        p_problem = rng.beta(0.8, 1.2, size=n_problems)
        p_problem *= truth / 0.4  # mean of Beta(0.8, 1.2) is 0.4 -> population mean = truth
        values = (rng.random(n_problems) < p_problem).astype(float)
        low, high = bootstrap_ci(values, resamples=1000, seed=trial)
        covered += low <= truth <= high
    coverage = covered / trials
    print(f"\nbootstrap 95% CI coverage over {trials} datasets: {coverage:.3f}")
    assert 0.93 <= coverage <= 0.97


def test_ci_is_seeded_and_ordered() -> None:
    values = [1.0, 0.0, 0.5, 1.0, 0.25]
    assert bootstrap_ci(values, seed=3) == bootstrap_ci(values, seed=3)
    low, high = bootstrap_ci(values)
    assert low <= float(np.mean(values)) <= high
    assert bootstrap_ci([1.0] * 10) == (1.0, 1.0)
