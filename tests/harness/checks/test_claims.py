"""Claim verdicts on synthetic curves (each verdict reached, and what decided it), paired CIs by
simulation, and every shipped claim form loads, resolves and can be judged."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from core.records import CurvePoint
from harness.analysis.per_problem import PerProblem, point_key
from harness.analysis.stats import bootstrap_ci, bootstrap_indices, paired_bootstrap_ci
from harness.checks.claim_forms import require_overlap, unjudgeable
from harness.checks.claims import (
    CONTRADICTED,
    INCONCLUSIVE,
    NOT_JUDGED,
    RULES,
    SUPPORTED,
    Claim,
    Form,
    Measured,
    Relation,
    claim_names,
    combine,
    decide,
    diff_ci,
    load_claim,
    validate_relation,
)
from harness.config import ConfigError, load_sweep_config


def pt(strategy: str, k: int, acc: float, flops: float, half_width: float = 0.05) -> CurvePoint:
    return CurvePoint("m", "t", strategy, k, acc, acc - half_width, acc + half_width, k, 100.0 * k, flops,
                      1.0 * k, 200)


def curve(strategy: str, accs: list[float], unit: float = 1e10, half_width: float = 0.05) -> list[CurvePoint]:
    return [pt(strategy, 2**i, a, unit * 2**i, half_width) for i, a in enumerate(accs)]


def test_beats_each_verdict() -> None:
    b = curve("b", [0.2, 0.3])
    beats = Relation("beats", "a", "b")
    assert decide(beats, {"a": curve("a", [0.5, 0.6]), "b": b}, "flops").verdict == SUPPORTED
    assert decide(beats, {"a": curve("a", [0.05, 0.1]), "b": b}, "flops").verdict == CONTRADICTED
    assert decide(beats, {"a": curve("a", [0.22, 0.31]), "b": b}, "flops").verdict == INCONCLUSIVE


def test_beats_interpolates_a_at_b_cost_and_never_extrapolates() -> None:
    a = curve("a", [0.1, 0.5], unit=1e10)  # a at 1e10 and 2e10
    b = [pt("b", 1, 0.2, 1.5e10)]  # between a's points: a = 0.1 + 0.4 * log(1.5)/log(2) ~ 0.334
    v = decide(Relation("beats", "a", "b"), {"a": a, "b": b}, "flops")
    assert v.comparisons[0].difference == pytest.approx(0.1 + 0.4 * 0.5849625 - 0.2, abs=1e-6)
    far = [pt("b", 1, 0.2, 1e12)]
    v = decide(Relation("beats", "a", "b"), {"a": a, "b": far}, "flops")
    assert v.verdict == INCONCLUSIVE and "no extrapolation" in v.comparisons[0].note


def test_beats_at_a_interpolates_b_at_a_single_point() -> None:
    one = [pt("one", 1, 0.5, 2e10)]
    many = curve("many", [0.1, 0.2, 0.3])  # 1e10, 2e10, 4e10: measured at one's cost
    v = decide(Relation("beats", "one", "many", at="a"), {"one": one, "many": many}, "flops")
    assert v.verdict == SUPPORTED and v.comparisons[0].difference == pytest.approx(0.3)
    v = decide(Relation("beats", "one", "many"), {"one": one, "many": many}, "flops")
    # at B's points, A's single point is measured at only one of them; the others have no number
    assert [c.difference is None for c in v.comparisons] == [True, False, True]


def test_matches_within_delta_at_a_fraction_of_compute() -> None:
    # non-inferiority: supported only when the CI of A - B stays above -delta
    b = curve("b", [0.3, 0.4, 0.5], unit=4e10, half_width=0.01)  # b at 4e10, 8e10, 16e10
    a = curve("a", [0.3, 0.4, 0.5], unit=1e10, half_width=0.01)  # the same accuracy at 1/4 of the compute
    rel = Relation("matches", "a", "b", delta=0.02, ratio=0.25)
    assert decide(rel, {"a": a, "b": b}, "flops").verdict == SUPPORTED
    worse = curve("a", [0.0, 0.05, 0.1], unit=1e10)
    assert decide(rel, {"a": worse, "b": b}, "flops").verdict == CONTRADICTED
    noisy = curve("a", [0.27, 0.37, 0.47], unit=1e10, half_width=0.1)
    assert decide(rel, {"a": noisy, "b": b}, "flops").verdict == INCONCLUSIVE


def test_increasing_each_verdict() -> None:
    rel = Relation("increasing", "a")
    assert decide(rel, {"a": curve("a", [0.1, 0.2, 0.4])}, "samples").verdict == SUPPORTED
    assert decide(rel, {"a": curve("a", [0.5, 0.3, 0.1])}, "samples").verdict == CONTRADICTED
    assert decide(rel, {"a": curve("a", [0.0, 0.0, 0.0], half_width=0.0)}, "samples").verdict == INCONCLUSIVE
    assert decide(rel, {"a": []}, "samples").verdict == INCONCLUSIVE


def test_diff_ci_and_combine() -> None:
    d, lo, hi = diff_ci((0.5, 0.4, 0.6), (0.3, 0.2, 0.4))
    assert d == pytest.approx(0.2) and hi - d == pytest.approx(d - lo)
    assert hi - lo == pytest.approx(2 * 1.96 * (0.2 / 3.92) * 2**0.5)
    assert combine([SUPPORTED, SUPPORTED]) == SUPPORTED
    assert combine([SUPPORTED, INCONCLUSIVE]) == INCONCLUSIVE
    assert combine([SUPPORTED, CONTRADICTED]) == CONTRADICTED
    assert combine([]) == INCONCLUSIVE


@pytest.mark.parametrize("name", claim_names())
def test_every_shipped_claim_resolves_in_both_forms(name: str) -> None:
    claim = load_claim(name)
    assert set(claim.forms) == {"cpu", "gpu"} and claim.source and claim.relations
    for form in claim.forms.values():
        resolved = load_sweep_config(form.overrides)
        assert {a.model for a in form.arms.values()} <= {m.name for m in resolved.models}
        labels = {s.label for s in resolved.strategies}
        assert {a.strategy.split("[")[0] for a in form.arms.values()} <= labels


def test_claims_cover_the_literature() -> None:
    assert len(claim_names()) >= 5
    with pytest.raises(ConfigError, match="Valid claim names"):
        load_claim("no_such_claim")


# --- verdict rules that say what they used ------------------------------------------------------


def test_one_of_four_measured_is_inconclusive_and_says_what_is_missing() -> None:
    # B at 4 budgets; A measured only around B's first cost (far better there): 1 of 4 has a number
    b = curve("b", [0.2, 0.25, 0.3, 0.35], unit=1e10)
    a = [pt("a", 1, 0.9, 0.9e10, 0.02), pt("a", 2, 0.9, 1.1e10, 0.02)]
    v = decide(Relation("beats", "a", "b"), {"a": a, "b": b}, "flops")
    assert [c.difference is not None for c in v.comparisons] == [True, False, False, False]
    assert v.comparisons[0].verdict == SUPPORTED
    assert v.verdict == INCONCLUSIVE
    assert "a not measured at b budget 2" in v.reason and "a not measured at b budget 8" in v.reason


def test_a_declared_range_limits_what_is_judged_and_lists_the_rest() -> None:
    b = curve("b", [0.2, 0.25, 0.3, 0.35], unit=1e10)
    a = [pt("a", 1, 0.9, 0.9e10, 0.02), pt("a", 2, 0.9, 1.1e10, 0.02)]
    v = decide(Relation("beats", "a", "b", budgets=(1,)), {"a": a, "b": b}, "flops")
    assert v.verdict == SUPPORTED and len(v.comparisons) == 4
    assert [c.verdict for c in v.comparisons] == [SUPPORTED, NOT_JUDGED, NOT_JUDGED, NOT_JUDGED]
    v = decide(Relation("beats", "a", "b", max_cost=2.5e10), {"a": a, "b": b}, "flops")
    assert v.verdict == INCONCLUSIVE and "b budget 2" in v.reason  # 2e10 is judged and not measured
    # a contradiction stands even when other judged comparisons have no number
    worse = [pt("a", 1, 0.0, 0.9e10, 0.01), pt("a", 2, 0.0, 1.1e10, 0.01)]
    assert decide(Relation("beats", "a", "b"), {"a": worse, "b": b}, "flops").verdict == CONTRADICTED


def per_problem_arm(strategy: str, accs: list[float], n: int = 200, budgets: list[int] | None = None,
                    seed: int = 0) -> tuple[list[CurvePoint], PerProblem]:
    """Points with 0/1 per-problem values whose means are `accs` (problem i solved iff u_i < acc)."""
    u = np.random.default_rng(seed).permutation((np.arange(n) + 0.5) / n)
    points, values = [], {}
    for i, acc in enumerate(accs):
        k = (budgets or [2**j for j in range(len(accs))])[i]
        v = (u < acc).astype(float)
        lo, hi = bootstrap_ci(v)
        points.append(CurvePoint("m", "t", strategy, k, float(v.mean()), lo, hi, k, 100.0 * k, 1e10 * k,
                                 1.0 * k, n))
        values[point_key("m", strategy, k)] = {f"p{j:03d}": float(x) for j, x in enumerate(v)}
    return points, values


def test_rise_and_collapse_is_not_supported() -> None:
    # 0.10 -> 0.60 -> 0.15 -> 0.30: the end points rise, the middle collapses
    points, values = per_problem_arm("a", [0.10, 0.60, 0.15, 0.30], seed=1)
    for rule in RULES:
        rel = Relation("increasing", "a", rule=rule)
        unpaired = decide(rel, {"a": points}, "samples")
        paired = decide(rel, Measured({"a": points}, values), "samples")
        assert unpaired.verdict == CONTRADICTED and paired.verdict == CONTRADICTED
        assert "budget 4 vs 2" in paired.reason
    steady, steady_values = per_problem_arm("a", [0.10, 0.20, 0.35, 0.50])
    for rule in RULES:
        v = decide(Relation("increasing", "a", rule=rule), Measured({"a": steady}, steady_values), "samples")
        assert v.verdict == SUPPORTED


def coverage_arm(law: Callable[[int], float], n: int = 400) -> tuple[list[CurvePoint], PerProblem]:
    ks = [1, 2, 4, 8, 16, 32, 64]
    return per_problem_arm("pass_at_k", [law(k) for k in ks], n=n, budgets=ks)


def test_fits_supports_a_power_law_and_not_a_curve_that_saturates() -> None:
    rel = Relation("fits", "cov", delta=0.05, holdout=2)
    law, law_values = coverage_arm(lambda k: math.exp(-1.5 * k**-0.5))
    v = decide(rel, Measured({"cov": law}, law_values), "samples")
    assert v.verdict == SUPPORTED, v.reason
    # coverage that stops at 0.5 (half the problems are never solved) is no power law in k
    flat, flat_values = coverage_arm(lambda k: 0.5 * (1 - 0.5**k))
    v = decide(rel, Measured({"cov": flat}, flat_values), "samples")
    assert v.verdict == CONTRADICTED and "held-out budget 64" in v.reason
    # without per-problem values there is no CI for the fit: no verdict
    assert decide(rel, {"cov": law}, "samples").verdict == INCONCLUSIVE


def test_matches_and_fits_need_a_stated_margin() -> None:
    with pytest.raises(ConfigError, match="non-inferiority margin"):
        validate_relation(Path("c.yaml"), Relation("matches", "a", "b", ratio=0.25))
    with pytest.raises(ConfigError, match="tolerance"):
        validate_relation(Path("c.yaml"), Relation("fits", "a"))


# --- paired CIs ------------------------------------------------------------------------------------


def test_paired_ci_decides_more_often_than_independent_with_coverage_kept() -> None:
    """A true +4-point gap on 200 problems, the arms measured on the same problems (vectorised)."""
    rng = np.random.default_rng(0)
    sims, n, gap, resamples = 2000, 200, 0.04, 1000
    b = (rng.random((sims, n)) < 0.4).astype(float)
    u = rng.random((sims, n))
    a = np.where(b == 1, (u >= 0.15).astype(float), (u < 1 / 6).astype(float))  # +0.10 - 0.06 = +0.04
    # the resamples every CI uses (seed 0), as counts per problem: means = values @ counts.T / n
    idx = np.concatenate(list(bootstrap_indices(n, resamples, 0)))
    counts = np.stack([np.bincount(row, minlength=n) for row in idx]).T.astype(float)
    q = [0.025, 0.975]
    paired = np.quantile((a - b) @ counts / n, q, axis=1)
    lo_a, hi_a = np.quantile(a @ counts / n, q, axis=1)
    lo_b, hi_b = np.quantile(b @ counts / n, q, axis=1)
    d = (a - b).mean(axis=1)
    half = 1.96 * np.hypot((hi_a - lo_a) / 3.92, (hi_b - lo_b) / 3.92)
    independent = np.stack([d - half, d + half])
    # the vectorised CIs are the library's
    for s in (0, 1):
        assert paired_bootstrap_ci(a[s], b[s], resamples, 0)[1:] == pytest.approx(tuple(paired[:, s]))
        ia, ib = (a[s].mean(), *bootstrap_ci(a[s])), (b[s].mean(), *bootstrap_ci(b[s]))
        assert diff_ci(ia, ib)[1:] == pytest.approx(tuple(independent[:, s]))
    decided_paired, decided_independent = np.mean(paired[0] > 0), np.mean(independent[0] > 0)
    coverage = np.mean((paired[0] <= gap) & (gap <= paired[1]))
    assert decided_paired > 2 * decided_independent and decided_paired > 0.2
    assert 0.93 <= coverage <= 0.97


def test_pairwise_differences_are_paired_interpolations() -> None:
    # A between two measured points: per-problem values interpolated with the mean's weight
    a_pts, a_vals = per_problem_arm("a", [0.3, 0.5], seed=2)  # flops 1e10, 2e10
    b_pts, b_vals = per_problem_arm("b", [0.2], seed=2)
    b_pts = [CurvePoint(**{**b_pts[0].__dict__, "mean_flops": 1.5e10})]
    v = decide(Relation("beats", "a", "b"), Measured({"a": a_pts, "b": b_pts}, {**a_vals, **b_vals}), "flops")
    c = v.comparisons[0]
    t = math.log(1.5) / math.log(2)
    assert c.difference == pytest.approx(0.3 + t * 0.2 - 0.2, abs=1e-9)
    assert "paired over 200 problems" in c.note and c.independent_ci is not None
    assert c.ci_high - c.ci_low < c.independent_ci[1] - c.independent_ci[0]


# --- forms that can be judged ----------------------------------------------------------------------


@pytest.mark.parametrize("name", claim_names())
def test_every_shipped_claim_form_has_overlapping_arm_ranges(name: str) -> None:
    claim = load_claim(name)
    for form in claim.forms:
        assert unjudgeable(claim, form) == [], form


def test_a_form_whose_arms_cannot_overlap_is_refused_with_the_numbers() -> None:
    # the Snell CPU form as it shipped: budgets 1..8, so a quarter of best_of_n@8 is below compute_optimal
    claim = load_claim("compute_optimal_vs_best_of_n")
    old = Form([o for o in claim.forms["cpu"].overrides if not o.startswith("budgets=")],
               claim.forms["cpu"].arms,
               [Relation("matches", "optimal", "best_of_n", delta=0.05, ratio=0.25)])
    shipped_then = Claim(claim.name, claim.statement, claim.source, claim.axis, old.relations, {"cpu": old},
                         claim.length_model)
    gaps = unjudgeable(shipped_then, "cpu")
    assert len(gaps) == 4 and "at best_of_n budget 8" in gaps[-1] and "outside its range" in gaps[-1]
    with pytest.raises(ConfigError, match="cannot be judged"):
        require_overlap(shipped_then, "cpu")


def test_verdict_text_lists_every_comparison_measured_or_not() -> None:
    from harness.checks.claims_run import describe

    claim = load_claim("self_consistency_vs_verification")
    sc, sc_values = per_problem_arm("majority", [0.3, 0.35, 0.4, 0.45, 0.5, 0.55])  # flops 1e10 .. 32e10
    v1, v1_values = per_problem_arm("verification[V=1]", [0.2, 0.25, 0.3, 0.3], seed=1)
    v2, v2_values = per_problem_arm("verification[V=2]", [0.2, 0.25, 0.3, 0.3], seed=2)
    m = Measured({"self_consistency": sc, "verify_1": v1, "verify_2": v2},
                 {**sc_values, **v1_values, **v2_values})
    relations = claim.forms["cpu"].relations
    verdicts = [decide(r, m, claim.axis) for r in relations]
    text = describe(claim, "cpu", verdicts, combine([v.verdict for v in verdicts]))
    assert text.count("  - at ") == sum(len(v.comparisons) for v in verdicts) == 4 + 4 + 6
    assert "not judged" in text and "independent CIs: [" in text and "paired over 200 problems" in text
    assert "judged at budgets [1, 2]" in text and "margin 0.03, at 8 x B's compute" in text
