"""Claims about test-time compute as config, and their verdicts at matched compute.

A claim (`configs/claims/<name>.yaml`) names arms (a model and a strategy's curve), a compute axis,
and relations between arms; each form (`cpu`: small, on the embedded model; `gpu`: full size) says
which sweep produces the arms. Relations:

- `beats` (A beats B at B's cost): at each B point, A's accuracy interpolated at B's compute minus
  B's (`at: a`: at each A point, B interpolated there);
- `matches` (A is non-inferior to B within the margin `delta` at `ratio` x B's compute);
- `increasing` (accuracy rises with budget): `rule: slope` (default) judges the slope of accuracy on
  log(budget) and every consecutive pair may not fall; `rule: pairs` needs every consecutive pair to rise;
- `fits` (coverage follows c(k) = exp(a k^b)): fitted on all but the `holdout` largest budgets; the
  exponent must be negative and each held-out point within `delta` of the fit's prediction.

Where a relation is judged is declared (`budgets`: the reference arm's budgets; `min_cost` /
`max_cost`: the compute of the comparison on the claim's axis); every comparison is listed, judged
or not. Differences and their 95% CIs are paired: per-problem values are interpolated with the
weights of the mean and one seeded bootstrap over problems (the curves' own resamples) is applied
to both arms. Without per-problem values the two points' CIs are combined as independent normals
(the note says so). A comparison is supported when its CI clears the bar (> 0; > -delta for
`matches`), contradicted when it lies wholly on the wrong side, else inconclusive. A relation is
contradicted when any judged comparison is, supported only when every judged comparison has a
number and is supported, otherwise inconclusive, with the reason (e.g. "A not measured at ...").
A claim combines its relations the same way.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from omegaconf import OmegaConf

from core.records import CurvePoint
from core.registry import unknown_name_message
from harness.analysis.axes import axis
from harness.analysis.matched import bracket
from harness.analysis.per_problem import PerProblem, point_key
from harness.analysis.scaling_fit import fit_points
from harness.analysis.stats import bootstrap_ci, bootstrap_means, paired_bootstrap_ci
from harness.config import CONFIG_DIR, ConfigError

SUPPORTED, CONTRADICTED, INCONCLUSIVE, NOT_JUDGED = "supported", "contradicted", "inconclusive", "not judged"
RELATIONS = ("beats", "matches", "increasing", "fits")
RULES = ("slope", "pairs")


@dataclass(frozen=True)
class Arm:
    model: str
    strategy: str
    """Curve label as in metrics.json (e.g. `pass_at_k`, `verification[V=1]`)."""


@dataclass(frozen=True)
class Relation:
    type: str
    a: str
    b: str = ""
    delta: float = 0.0
    """`matches`: the non-inferiority margin (required); `fits`: the tolerance on held-out points."""
    ratio: float = 1.0
    at: str = "b"
    """`b`: judged at each of B's points (A interpolated there); `a`: at each of A's points (B
    interpolated), for an A with one point such as one greedy sample of a larger model."""
    budgets: tuple[int, ...] | None = None
    """Judged only at these budgets of the reference arm (B, or A for `at: a` and one-arm relations)."""
    min_cost: float | None = None
    """Judged only where the comparison's compute (claim axis) is at least this."""
    max_cost: float | None = None
    """Judged only where the comparison's compute (claim axis) is at most this."""
    rule: str = "slope"
    """`increasing`: `slope` or `pairs`."""
    holdout: int = 2
    """`fits`: how many of the largest budgets are held out of the fit."""
    note: str = ""
    """Why the relation is encoded this way (the paper's wording, the margin's origin)."""

    def in_range(self, budget: int, cost: float) -> bool:
        return ((self.budgets is None or budget in self.budgets)
                and (self.min_cost is None or cost >= self.min_cost * (1 - 1e-9))
                and (self.max_cost is None or cost <= self.max_cost * (1 + 1e-9)))

    def range_text(self) -> str:
        parts = ([f"budgets {list(self.budgets)}"] if self.budgets is not None else []) + (
            [f"cost >= {self.min_cost:.3g}"] if self.min_cost is not None else []) + (
            [f"cost <= {self.max_cost:.3g}"] if self.max_cost is not None else [])
        return ", ".join(parts) or "every point"


@dataclass(frozen=True)
class Form:
    overrides: list[str]
    arms: dict[str, Arm]
    relations: list[Relation] = field(default_factory=list)
    """The claim's relations with this form's judged ranges (`budgets: {cpu: [...], gpu: [...]}`)."""


@dataclass(frozen=True)
class Claim:
    name: str
    statement: str
    source: str
    axis: str
    relations: list[Relation]
    """As declared; ranges given per form are resolved in each `Form.relations`."""
    forms: dict[str, Form]
    length_model: dict[str, Any] = field(default_factory=dict)
    """What `claim_forms` assumes about lengths and model sizes to check that arms can overlap."""


@dataclass(frozen=True)
class Comparison:
    relation: str
    where: str
    """What was compared, e.g. `at B budget 4 (flops 1.2e12)`."""
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    verdict: str
    note: str = ""
    independent_ci: tuple[float, float] | None = None
    """The CI the two points' own CIs give as independent normals (shown beside a paired CI)."""


@dataclass(frozen=True)
class ClaimVerdict:
    """What a claim's relation came to on the measured curves (a sample's verdict is `tasks.Verdict`)."""

    verdict: str
    comparisons: list[Comparison] = field(default_factory=list)
    reason: str = ""
    """What decided the verdict (which comparisons, or what was missing)."""


@dataclass(frozen=True)
class Measured:
    """The inputs of a judgement: the arms' curves, their per-problem values, the bootstrap."""

    curves: dict[str, list[CurvePoint]]
    per_problem: PerProblem | None = None
    resamples: int = 1000
    seed: int = 0

    def values(self, p: CurvePoint) -> dict[str, float] | None:
        return (self.per_problem or {}).get(point_key(p.model, p.strategy, p.budget))


def diff_ci(a: tuple[float, float, float], b: tuple[float, float, float]) -> tuple[float, float, float]:
    """(A - B, low, high) from two (accuracy, ci_low, ci_high) with independent normal errors."""
    se = math.hypot((a[2] - a[1]) / 3.92, (b[2] - b[1]) / 3.92)
    d = a[0] - b[0]
    return d, d - 1.96 * se, d + 1.96 * se


def combine(verdicts: list[str]) -> str:
    if not verdicts:
        return INCONCLUSIVE
    if CONTRADICTED in verdicts:
        return CONTRADICTED
    return SUPPORTED if all(v == SUPPORTED for v in verdicts) else INCONCLUSIVE


def _decide(lo: float, hi: float, bar: float) -> str:
    return SUPPORTED if lo > bar else CONTRADICTED if hi < bar else INCONCLUSIVE


def _mixed(m: Measured, left: CurvePoint, right: CurvePoint, t: float) -> dict[str, float] | None:
    """Per-problem values interpolated with weight t on `right` (None when either lacks them)."""
    vl, vr = m.values(left), m.values(right)
    if vl is None or vr is None or set(vl) != set(vr):
        return None
    return {pid: vl[pid] + t * (vr[pid] - vl[pid]) for pid in vl}


@dataclass(frozen=True)
class Difference:
    value: float
    low: float
    high: float
    how: str
    independent: tuple[float, float]


def _difference(m: Measured, a: dict[str, float] | None, b: dict[str, float] | None,
                a_point: tuple[float, float, float], b_point: tuple[float, float, float]) -> Difference:
    """A - B with its CI: paired over problems when both have values on the same problems."""
    d, lo, hi = diff_ci(a_point, b_point)
    if a is not None and b is not None and set(a) == set(b):
        ids = sorted(a)
        dp, plo, phi = paired_bootstrap_ci([a[i] for i in ids], [b[i] for i in ids], m.resamples, m.seed)
        return Difference(dp, plo, phi, f"paired over {len(ids)} problems", (lo, hi))
    return Difference(d, lo, hi, "independent CIs (no paired per-problem values)", (lo, hi))


def _summarise(relation: Relation, comparisons: list[Comparison], what: str) -> ClaimVerdict:
    """The relation's verdict from its comparisons: every judged one needs a number."""
    judged = [c for c in comparisons if c.verdict != NOT_JUDGED]
    if not judged:
        return ClaimVerdict(INCONCLUSIVE, comparisons,
                       f"no comparison in the judged range ({relation.range_text()})")
    bad = [c for c in judged if c.verdict == CONTRADICTED]
    if bad:
        return ClaimVerdict(CONTRADICTED, comparisons, "contradicted " + "; ".join(c.where for c in bad))
    missing = [c for c in judged if c.difference is None]
    if missing:
        return ClaimVerdict(INCONCLUSIVE, comparisons,
                       "; ".join(f"{what} not measured {c.where}" for c in missing))
    if all(c.verdict == SUPPORTED for c in judged):
        return ClaimVerdict(SUPPORTED, comparisons, f"all {len(judged)} judged comparisons supported")
    return ClaimVerdict(INCONCLUSIVE, comparisons, f"{sum(c.verdict == INCONCLUSIVE for c in judged)} of "
                   f"{len(judged)} judged comparisons undecided")


def _no_points(relation: Relation, arm: str) -> ClaimVerdict:
    c = Comparison(relation.type, "", None, None, None, INCONCLUSIVE, f"arm {arm} has no points")
    return ClaimVerdict(INCONCLUSIVE, [c], f"arm {arm} has no points")


def _point(p: CurvePoint) -> tuple[float, float, float]:
    return p.accuracy, p.ci_low, p.ci_high


def _decide_pairwise(relation: Relation, m: Measured, axis_name: str) -> ClaimVerdict:
    """`beats` and `matches`: one comparison per point of the reference arm."""
    a = sorted(m.curves.get(relation.a, []), key=lambda p: p.budget)
    b = sorted(m.curves.get(relation.b, []), key=lambda p: p.budget)
    if not a or not b:
        return _no_points(relation, relation.a if not a else relation.b)
    cost = axis(axis_name)
    ratio = relation.ratio if relation.type == "matches" else 1.0
    bar = -relation.delta if relation.type == "matches" else 0.0
    at_a = relation.at == "a"
    ref_name, other_name = (relation.a, relation.b) if at_a else (relation.b, relation.a)
    comparisons = []
    for ref in a if at_a else b:
        at = cost(ref) if at_a else ratio * cost(ref)
        scale = "" if at_a or ratio == 1.0 else f" x {ratio:g}"
        where = f"at {ref_name} budget {ref.budget}{scale} ({axis_name} {at:.3g})"
        judged = relation.in_range(ref.budget, at)
        outside = "" if judged else "; outside the judged range"
        found = bracket(b if at_a else a, axis_name, at)
        if isinstance(found, str):
            comparisons.append(Comparison(relation.type, where, None, None, None,
                                          INCONCLUSIVE if judged else NOT_JUDGED,
                                          f"{other_name}: {found}{outside}"))
            continue
        left, right = found.left, found.right
        o_point = (found.mix(left.accuracy, right.accuracy), found.mix(left.ci_low, right.ci_low),
                   found.mix(left.ci_high, right.ci_high))
        o_values = _mixed(m, found.left, found.right, found.t)
        r_values = m.values(ref)
        diff = (_difference(m, r_values, o_values, _point(ref), o_point) if at_a
                else _difference(m, o_values, r_values, o_point, _point(ref)))
        v = _decide(diff.low, diff.high, bar) if judged else NOT_JUDGED
        interp = "measured" if found.left is found.right else "interpolated"
        comparisons.append(Comparison(relation.type, where, diff.value, diff.low, diff.high, v,
                                      f"{other_name} {interp}; {diff.how}{outside}", diff.independent))
    return _summarise(relation, comparisons, other_name)


def _matrix(m: Measured, points: list[CurvePoint]) -> np.ndarray | None:
    """[problem, point] per-problem values on a common problem set, or None."""
    vals = [m.values(p) for p in points]
    if any(v is None for v in vals):
        return None
    ids = sorted(vals[0] or {})
    if any(set(v or {}) != set(ids) for v in vals):
        return None
    return np.array([[(v or {})[i] for v in vals] for i in ids])


def _in_range(relation: Relation, m: Measured, axis_name: str) -> tuple[list[CurvePoint], list[Comparison]]:
    """A's points inside the relation's judged range (by budget), and a NOT_JUDGED comparison for each
    point outside it."""
    cost = axis(axis_name)
    pts = sorted(m.curves.get(relation.a, []), key=lambda p: p.budget)
    judged = [p for p in pts if relation.in_range(p.budget, cost(p))]
    return judged, [Comparison(relation.type, f"budget {p.budget}", None, None, None, NOT_JUDGED,
                               "outside the judged range") for p in pts if p not in judged]


def _decide_increasing(relation: Relation, m: Measured, axis_name: str) -> ClaimVerdict:
    if not m.curves.get(relation.a):
        return _no_points(relation, relation.a)
    judged, comparisons = _in_range(relation, m, axis_name)
    if len(judged) < 2:
        return ClaimVerdict(INCONCLUSIVE, comparisons,
                       f"needs two budgets in the judged range ({relation.range_text()})")
    for left, right in itertools.pairwise(judged):
        diff = _difference(m, m.values(right), m.values(left), _point(right), _point(left))
        comparisons.append(Comparison("increasing", f"budget {right.budget} vs {left.budget}", diff.value,
                                      diff.low, diff.high, _decide(diff.low, diff.high, 0.0), diff.how,
                                      diff.independent))
    pairs = [c for c in comparisons if c.verdict != NOT_JUDGED]
    if relation.rule == "pairs":
        return _summarise(relation, comparisons, relation.a)
    x = np.log([p.budget for p in judged])
    w = (x - x.mean()) / np.sum((x - x.mean()) ** 2)  # slope = sum_j w_j y_j
    mat = _matrix(m, judged)
    if mat is not None:
        per_problem_slope = mat @ w
        slope = float(per_problem_slope.mean())
        lo, hi = bootstrap_ci(per_problem_slope, m.resamples, m.seed)
        how = f"paired over {mat.shape[0]} problems"
    else:
        slope = float(np.dot(w, [p.accuracy for p in judged]))
        se = math.sqrt(sum((wj * (p.ci_high - p.ci_low) / 3.92) ** 2
                           for wj, p in zip(w, judged, strict=True)))
        lo, hi, how = slope - 1.96 * se, slope + 1.96 * se, "independent CIs (no paired per-problem values)"
    slope_verdict = _decide(lo, hi, 0.0)
    comparisons.append(Comparison("increasing", f"slope per log(budget) over {[p.budget for p in judged]}",
                                  slope, lo, hi, slope_verdict, how))
    falls = [c for c in pairs if c.verdict == CONTRADICTED]
    if falls:
        return ClaimVerdict(CONTRADICTED, comparisons, "accuracy falls " + "; ".join(c.where for c in falls))
    if slope_verdict == SUPPORTED:
        return ClaimVerdict(SUPPORTED, comparisons,
                       "the log-budget slope's CI is above 0 and no consecutive pair falls")
    return ClaimVerdict(slope_verdict, comparisons,
                   f"the log-budget slope's CI is {'below' if hi < 0 else 'across'} 0")


def _decide_fits(relation: Relation, m: Measured, axis_name: str) -> ClaimVerdict:
    if not m.curves.get(relation.a):
        return _no_points(relation, relation.a)
    judged, comparisons = _in_range(relation, m, axis_name)
    fit_pts, held = judged[:-relation.holdout], judged[-relation.holdout:]
    if len(fit_pts) < 3 or not held:
        return ClaimVerdict(INCONCLUSIVE, comparisons, f"needs at least 3 fitted and 1 held-out budget, has "
                       f"{len(fit_pts)} and {len(held)} in the judged range")
    mat = _matrix(m, judged)
    if mat is None:
        return ClaimVerdict(INCONCLUSIVE, comparisons,
                       "the fit's CI needs per-problem values (per_problem.parquet)")
    k_fit = np.array([p.budget for p in fit_pts], dtype=float)
    k_held = np.array([p.budget for p in held], dtype=float)
    nf = len(fit_pts)
    point = fit_points(k_fit, mat[:, :nf].mean(axis=0))
    if point is None:
        return ClaimVerdict(INCONCLUSIVE, comparisons, "no fit: coverage is 0 or 1 at the fitted budgets")
    boot_b, boot_res = [], []
    for means in bootstrap_means(mat, m.resamples, m.seed):
        fit = fit_points(k_fit, means[:nf])
        if fit is not None:
            boot_b.append(fit[1])
            boot_res.append(means[nf:] - np.exp(fit[0] * k_held ** fit[1]))
    b_lo, b_hi = np.quantile(boot_b, [0.025, 0.975])
    # a coverage that rises needs b < 0 (a k^b -> 0 from below)
    comparisons.append(Comparison("fits", f"exponent b over budgets {[p.budget for p in fit_pts]}", point[1],
                                  float(b_lo), float(b_hi), _decide(-float(b_hi), -float(b_lo), 0.0),
                                  f"a = {point[0]:.3g}; supported when the CI of b is below 0"))
    res = np.asarray(boot_res)
    measured = mat[:, nf:].mean(axis=0)
    for j, p in enumerate(held):
        predicted = math.exp(point[0] * p.budget ** point[1])
        lo, hi = np.quantile(res[:, j], [0.025, 0.975])
        inside = lo > -relation.delta and hi < relation.delta
        outside = lo > relation.delta or hi < -relation.delta
        comparisons.append(Comparison(
            "fits", f"held-out budget {p.budget}", float(measured[j] - predicted), float(lo), float(hi),
            SUPPORTED if inside else CONTRADICTED if outside else INCONCLUSIVE,
            f"measured {measured[j]:.3f} vs predicted {predicted:.3f}; tolerance {relation.delta:g}"))
    return _summarise(relation, comparisons, relation.a)


def decide(relation: Relation, curves: dict[str, list[CurvePoint]] | Measured,
           axis_name: str) -> ClaimVerdict:
    """The verdict of one relation on the arms' curves (points on all problems, any order)."""
    m = curves if isinstance(curves, Measured) else Measured(curves)
    if relation.type == "increasing":
        return _decide_increasing(relation, m, axis_name)
    if relation.type == "fits":
        return _decide_fits(relation, m, axis_name)
    return _decide_pairwise(relation, m, axis_name)


def claim_names() -> list[str]:
    return sorted(p.stem for p in (CONFIG_DIR / "claims").glob("*.yaml"))


RANGES = ("budgets", "min_cost", "max_cost")


def _relation(raw: dict[str, Any], form: str | None) -> Relation:
    """A relation with its judged range for `form` (a range may be one value or a mapping form -> value)."""
    raw = {k: (v.get(form) if isinstance(v, dict) else v) if k in RANGES else v for k, v in raw.items()}
    if raw.get("budgets") is not None:
        raw["budgets"] = tuple(int(b) for b in raw["budgets"])
    return Relation(**raw)


def validate_relation(path: Path, r: Relation) -> None:
    if r.type not in RELATIONS:
        raise ConfigError(f"{path}: relation {r.type!r}; valid: {', '.join(RELATIONS)}")
    if r.at not in ("a", "b") or (r.at == "a" and r.ratio != 1.0):
        raise ConfigError(f"{path}: relation at must be a or b (ratio only with at: b)")
    if r.type in ("matches", "fits") and r.delta <= 0:
        what = "a non-inferiority margin" if r.type == "matches" else "a tolerance on held-out points"
        raise ConfigError(f"{path}: {r.type} {r.a} needs delta > 0 ({what}, stated in the claim)")
    if r.type in ("beats", "matches") and not r.b:
        raise ConfigError(f"{path}: {r.type} needs arms a and b")
    if r.rule not in RULES:
        raise ConfigError(f"{path}: rule {r.rule!r}; valid: {', '.join(RULES)}")
    if r.holdout < 1:
        raise ConfigError(f"{path}: holdout must be >= 1")


def load_claim(name: str) -> Claim:
    """The claim `name`, validated (`claim_forms.require_overlap` checks that its forms can be judged)."""
    path = CONFIG_DIR / "claims" / f"{name}.yaml"
    if not path.exists():
        raise ConfigError(unknown_name_message("claim", name, claim_names()))
    raw: Any = OmegaConf.to_container(OmegaConf.load(path))
    try:
        relations = [_relation(r, None) for r in raw["relations"]]
        forms = {k: Form(list(v.get("overrides", [])), {a: Arm(**arm) for a, arm in v["arms"].items()},
                         [_relation(r, k) for r in raw["relations"]])
                 for k, v in raw["forms"].items()}
        claim = Claim(name, raw["statement"], raw.get("source", ""), raw.get("axis", "flops"), relations,
                      forms, dict(raw.get("length_model") or {}))
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: malformed claim ({exc})") from exc
    for form, f in claim.forms.items():
        for r in f.relations:
            validate_relation(path, r)
            for arm in (r.a, r.b) if r.b else (r.a,):
                if arm not in f.arms:
                    raise ConfigError(f"{path}: form {form} lacks arm {arm!r}")
    axis(claim.axis)  # raises on an unknown axis
    return claim


def claim_dir(results: Path, name: str) -> Path:
    return results / "claims" / name
