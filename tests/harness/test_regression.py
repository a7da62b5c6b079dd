"""Regression check: flags an injected drop, not two runs of the same config; Holm; exact p-values."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from harness.regression import check, holm, paired_drop_p_value


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


def test_check_cli_round_trip(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from harness.cli import main
    from tests.harness.test_report import make_run

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
