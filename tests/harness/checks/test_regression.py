"""Regression check: flags an injected drop, not two runs of the same config; Holm; exact p-values;
refuses baselines that cannot fail and runs on other problems; simulated power."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from harness.checks.regression import (
    BaselineCannotFailError,
    check,
    holm,
    informative_needed,
    keep_failable,
    load_baseline,
    paired_drop_p_value,
    permutations_for,
)
from harness.checks.regression_power import baseline_power
from strategies.estimators import pass_at_k


def values(per_problem: np.ndarray) -> dict[str, float | dict[str, float]]:
    return {"accuracy": float(per_problem.mean()),
            "per_problem": {f"p{i}": float(v) for i, v in enumerate(per_problem)}}


def run(rng: np.random.Generator, difficulty: np.ndarray, drop: float = 0.0) -> dict[str, dict]:
    """A run of 3 points whose per-problem correctness is Bernoulli(difficulty - drop)."""
    p = np.clip(difficulty - drop, 0, 1)
    return {f"m/s/k={k}": values((rng.random(difficulty.size) < p).astype(float)) for k in (1, 2, 4)}


def test_flags_an_injected_ten_point_drop_on_200_problems() -> None:
    rng = np.random.default_rng(0)
    difficulty = rng.random(200)
    baseline = run(rng, difficulty)
    worse = {k: values(np.array([max(0.0, v - 0.1) for v in p["per_problem"].values()]))
             for k, p in baseline.items()}
    checks = check(worse, baseline)
    assert all(c.failed and c.reason == "significant drop" for c in checks)


def test_does_not_flag_two_runs_of_the_same_config() -> None:
    flagged = 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        difficulty = rng.random(200)
        flagged += any(c.failed for c in check(run(rng, difficulty), run(rng, difficulty)))
    assert flagged <= 4  # Holm keeps the family-wise false-alarm rate under alpha = 0.05


def test_missing_point_fails() -> None:
    rng = np.random.default_rng(1)
    baseline = run(rng, rng.random(50))
    now = dict(baseline)
    now.pop("m/s/k=4")
    checks = {c.key: c for c in check(now, baseline)}
    assert checks["m/s/k=4"].failed and checks["m/s/k=4"].reason == "missing in this run"
    assert not checks["m/s/k=1"].failed


def test_improvement_is_never_a_failure() -> None:
    rng = np.random.default_rng(2)
    difficulty = rng.random(200)
    assert not any(c.failed for c in check(run(rng, difficulty, drop=-0.2), run(rng, difficulty)))


def test_exact_p_value_by_enumeration() -> None:
    now, base = np.array([0.0, 1.0, 0.0, 0.5, 1.0]), np.array([1.0, 1.0, 1.0, 0.0, 0.0])
    d = (now - base)[now != base]
    means = [np.mean(np.array(s) * np.abs(d)) for s in itertools.product((-1, 1), repeat=d.size)]
    expected = np.mean([m <= d.mean() + 1e-12 for m in means])
    assert paired_drop_p_value(now, base) == pytest.approx(expected)
    assert paired_drop_p_value(base, base) == 1.0


def test_holm() -> None:
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5]) == [0.5]


def test_check_cli_round_trip(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import json

    from harness.checks import regression_power
    from harness.cli import main
    from tests.harness.report.test_report import make_run

    # the exit codes are checked here, the power figure in the two power tests: each `check` still
    # simulates and prints its power, from 20 simulated pairs instead of 200
    full = regression_power.baseline_power
    monkeypatch.setattr(regression_power, "baseline_power",
                        lambda *args, **kwargs: full(*args, **{**kwargs, "simulations": 20}))
    run = make_run(tmp_path, "r")
    baseline = tmp_path / "baseline.json"
    assert main(["check", str(run), "--baseline", str(baseline), "--update"]) == 0
    assert main(["check", str(run), "--baseline", str(baseline)]) == 0  # the same run never fails
    data = json.loads(baseline.read_text())
    for point in data["points"].values():  # a baseline 10 points higher on every problem
        point["per_problem"] = {k: min(1.0, v + 0.1) for k, v in point["per_problem"].items()}
        point["accuracy"] = sum(point["per_problem"].values()) / len(point["per_problem"])
    baseline.write_text(json.dumps(data))
    assert main(["check", str(run), "--baseline", str(baseline)]) == 1
    data["meta"]["verifier_version"] = "2"
    baseline.write_text(json.dumps(data))
    assert main(["check", str(run), "--baseline", str(baseline)]) == 2


def test_disjoint_or_partly_missing_problems_fail_with_the_list() -> None:
    rng = np.random.default_rng(3)
    baseline = run(rng, rng.random(60))
    disjoint = {k: {"accuracy": v["accuracy"], "per_problem": {f"q{i}": x for i, x in enumerate(
        v["per_problem"].values())}} for k, v in baseline.items()}
    checks = check(disjoint, baseline)
    assert all(c.failed and "60 of 60 baseline problems missing" in c.reason for c in checks)
    partial = {k: {"accuracy": v["accuracy"], "per_problem": {p: x for p, x in v["per_problem"].items()
                                                              if p not in ("p3", "p7")}}
               for k, v in baseline.items()}
    checks = check(partial, baseline)
    assert all(c.failed and "2 of 60" in c.reason and "p3, p7" in c.reason for c in checks)


def test_a_baseline_that_cannot_fail_is_refused() -> None:
    # the baseline make regress shipped before: 10 problems, at most one with a non-zero value per point
    weak = {f"m/{s}/k={k}": values(np.array([0.0, 0.25 if k == 1 else 1.0] + [0.0] * 8))
            for s in ("majority", "pass_at_k") for k in (1, 4)}
    with pytest.raises(BaselineCannotFailError, match="cannot fail: 1 informative problems, needs 7"):
        check({k: values(np.zeros(10)) for k in weak}, weak)
    assert informative_needed(4, 0.05) == 7 and 2.0**-7 < 0.05 / 4 <= 2.0**-6
    kept, dropped = keep_failable({**weak, "m/ok/k=1": values(np.array([1.0] * 8 + [0.0] * 2))}, 0.05)
    assert list(kept) == ["m/ok/k=1"] and len(dropped) == 4


def test_permutations_resolve_holms_smallest_threshold() -> None:
    # 40 problems all worse: the true p is 2^-40; 1000 points put Holm's first threshold at 5e-5,
    # below the 1e-4 floor of 10,000 random sign flips
    now, base = np.zeros(40), np.linspace(0.2, 1.0, 40)
    p = paired_drop_p_value(now, base, permutations_for(1000, 0.05))
    assert p < 0.05 / 1000
    assert paired_drop_p_value(now, base, 10_000) > 0.05 / 1000


def test_effect_sizes_come_with_a_paired_ci() -> None:
    rng = np.random.default_rng(4)
    difficulty = rng.random(200)
    baseline = run(rng, difficulty)
    worse = {k: values(np.array([max(0.0, v - 0.1) for v in p["per_problem"].values()]))
             for k, p in baseline.items()}
    for c in check(worse, baseline):
        assert c.diff_ci is not None and c.diff_ci[0] <= c.now - c.baseline <= c.diff_ci[1]  # type: ignore[operator]
        assert c.diff_ci[1] < 0


def test_simulated_power_rises_with_the_drop_and_false_alarms_stay_rare() -> None:
    rng = np.random.default_rng(5)
    c = rng.binomial(8, rng.beta(0.3, 1.5, 150))  # 150 problems, pool of 8 samples
    baseline = {f"m/pass_at_k/k={k}": values(np.array([pass_at_k(8, int(x), k) for x in c])) for k in (1, 8)}
    none = baseline_power(baseline, drop=0.0, simulations=100)
    small = baseline_power(baseline, drop=0.02, simulations=100)
    big = baseline_power(baseline, drop=0.15, simulations=100)
    assert none is not None and small is not None and big is not None
    assert none.power <= 0.1 and small.power < big.power and big.power >= 0.95
    assert big.target == "m/pass_at_k/k=8"


SHIPPED = Path(__file__).resolve().parents[3] / "results" / "baselines" / "smollm2_135m_gsm8k.json"


def test_an_all_zero_run_fails_against_the_shipped_baseline() -> None:
    _, baseline = load_baseline(SHIPPED)
    zero = {k: {"accuracy": 0.0, "per_problem": dict.fromkeys(v["per_problem"], 0.0)}
            for k, v in baseline.items()}
    checks = check(zero, baseline)
    assert all(c.failed and c.reason == "significant drop" for c in checks)


def test_the_shipped_baseline_detects_a_ten_point_drop_with_power_080() -> None:
    _, baseline = load_baseline(SHIPPED)
    power = baseline_power(baseline, drop=0.10, simulations=200)
    assert power is not None and power.power >= 0.8, power
