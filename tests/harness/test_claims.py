"""Claim verdicts on synthetic curves (each verdict reached), and every shipped claim loads and resolves."""

from __future__ import annotations

import pytest

from harness.claims import (
    CONTRADICTED,
    INCONCLUSIVE,
    SUPPORTED,
    Relation,
    claim_names,
    combine,
    diff_ci,
    judge,
    load_claim,
)
from harness.config import ConfigError, load_sweep_config
from harness.records import CurvePoint


def pt(strategy: str, k: int, acc: float, flops: float, half_width: float = 0.05) -> CurvePoint:
    return CurvePoint("m", "t", strategy, k, acc, acc - half_width, acc + half_width, k, 100.0 * k, flops,
                      1.0 * k, 200)


def curve(strategy: str, accs: list[float], unit: float = 1e10, half_width: float = 0.05) -> list[CurvePoint]:
    return [pt(strategy, 2**i, a, unit * 2**i, half_width) for i, a in enumerate(accs)]


def test_beats_each_verdict() -> None:
    b = curve("b", [0.2, 0.3])
    beats = Relation("beats", "a", "b")
    assert judge(beats, {"a": curve("a", [0.5, 0.6]), "b": b}, "flops").verdict == SUPPORTED
    assert judge(beats, {"a": curve("a", [0.05, 0.1]), "b": b}, "flops").verdict == CONTRADICTED
    assert judge(beats, {"a": curve("a", [0.22, 0.31]), "b": b}, "flops").verdict == INCONCLUSIVE


def test_beats_interpolates_a_at_b_cost_and_never_extrapolates() -> None:
    a = curve("a", [0.1, 0.5], unit=1e10)  # a at 1e10 and 2e10
    b = [pt("b", 1, 0.2, 1.5e10)]  # between a's points: a = 0.1 + 0.4 * log(1.5)/log(2) ~ 0.334
    v = judge(Relation("beats", "a", "b"), {"a": a, "b": b}, "flops")
    assert v.comparisons[0].difference == pytest.approx(0.1 + 0.4 * 0.5849625 - 0.2, abs=1e-6)
    far = [pt("b", 1, 0.2, 1e12)]
    v = judge(Relation("beats", "a", "b"), {"a": a, "b": far}, "flops")
    assert v.verdict == INCONCLUSIVE and "no extrapolation" in v.comparisons[0].note


def test_beats_at_a_interpolates_b_at_a_single_point() -> None:
    one = [pt("one", 1, 0.5, 2e10)]
    many = curve("many", [0.1, 0.2, 0.3])  # 1e10, 2e10, 4e10: measured at one's cost
    v = judge(Relation("beats", "one", "many", at="a"), {"one": one, "many": many}, "flops")
    assert v.verdict == SUPPORTED and v.comparisons[0].difference == pytest.approx(0.3)
    v = judge(Relation("beats", "one", "many"), {"one": one, "many": many}, "flops")
    # at B's points, A's single point is measured at only one of them; the others have no number
    assert [c.difference is None for c in v.comparisons] == [True, False, True]


def test_matches_within_delta_at_a_fraction_of_compute() -> None:
    # non-inferiority: supported only when the CI of A - B stays above -delta
    b = curve("b", [0.3, 0.4, 0.5], unit=4e10, half_width=0.01)  # b at 4e10, 8e10, 16e10
    a = curve("a", [0.3, 0.4, 0.5], unit=1e10, half_width=0.01)  # the same accuracy at 1/4 of the compute
    rel = Relation("matches", "a", "b", delta=0.02, ratio=0.25)
    assert judge(rel, {"a": a, "b": b}, "flops").verdict == SUPPORTED
    worse = curve("a", [0.0, 0.05, 0.1], unit=1e10)
    assert judge(rel, {"a": worse, "b": b}, "flops").verdict == CONTRADICTED
    noisy = curve("a", [0.27, 0.37, 0.47], unit=1e10, half_width=0.1)
    assert judge(rel, {"a": noisy, "b": b}, "flops").verdict == INCONCLUSIVE


def test_increasing_each_verdict() -> None:
    rel = Relation("increasing", "a")
    assert judge(rel, {"a": curve("a", [0.1, 0.2, 0.4])}, "samples").verdict == SUPPORTED
    assert judge(rel, {"a": curve("a", [0.5, 0.3, 0.1])}, "samples").verdict == CONTRADICTED
    assert judge(rel, {"a": curve("a", [0.0, 0.0, 0.0], half_width=0.0)}, "samples").verdict == INCONCLUSIVE
    assert judge(rel, {"a": []}, "samples").verdict == INCONCLUSIVE


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
