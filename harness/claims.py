"""Claims about test-time compute as config, and their verdicts at matched compute.

A claim (`configs/claims/<name>.yaml`) names arms (a model and a strategy's curve), a compute axis,
and relations between arms; each form (`cpu`: small, on the embedded model; `gpu`: full size) says
which sweep produces the arms. Relations, each judged at every point of the reference arm:

- `beats` (A beats B at B's cost): A's accuracy interpolated at B's compute minus B's accuracy
  (`at: a`: at A's cost, B interpolated there);
- `matches` (A matches B within `delta` at <= `ratio` x B's compute): A at ratio x B's compute;
- `increasing` (accuracy rises with budget): the arm's largest budget minus its smallest.

Each comparison's difference gets a 95% CI by combining the two points' bootstrap CIs as
independent normals (conservative: arms measured on the same problems are positively correlated).
A comparison is supported when its CI clears the bar (> 0; >= -delta for `matches`), contradicted
when it lies wholly on the wrong side, inconclusive otherwise (also when A was not measured at the
compute needed: there is no extrapolation). A relation is supported when every comparison is,
contradicted when any is, else inconclusive; a claim likewise over its relations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from harness.axes import axis
from harness.config import CONFIG_DIR, ConfigError
from harness.matched import at_compute
from harness.records import CurvePoint
from tasks.registry import unknown_name_message

SUPPORTED, CONTRADICTED, INCONCLUSIVE = "supported", "contradicted", "inconclusive"
RELATIONS = ("beats", "matches", "increasing")


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
    ratio: float = 1.0
    at: str = "b"
    """`b`: judged at each of B's points (A interpolated there); `a`: at each of A's points (B
    interpolated), for an A with one point such as one greedy sample of a larger model."""


@dataclass(frozen=True)
class Form:
    overrides: list[str]
    arms: dict[str, Arm]


@dataclass(frozen=True)
class Claim:
    name: str
    statement: str
    source: str
    axis: str
    relations: list[Relation]
    forms: dict[str, Form]


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


@dataclass(frozen=True)
class Verdict:
    verdict: str
    comparisons: list[Comparison] = field(default_factory=list)


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


def _point(p: CurvePoint) -> tuple[float, float, float]:
    return p.accuracy, p.ci_low, p.ci_high


def judge(relation: Relation, curves: dict[str, list[CurvePoint]], axis_name: str) -> Verdict:
    """The verdict of one relation on the arms' curves (points on all problems, any order)."""
    a = sorted(curves.get(relation.a, []), key=lambda p: p.budget)
    if not a:
        return Verdict(INCONCLUSIVE, [Comparison(relation.type, "", None, None, None, INCONCLUSIVE,
                                                 f"arm {relation.a} has no points")])
    if relation.type == "increasing":
        if len(a) < 2:
            return Verdict(INCONCLUSIVE, [Comparison("increasing", "", None, None, None, INCONCLUSIVE,
                                                     "needs two budgets")])
        d, lo, hi = diff_ci(_point(a[-1]), _point(a[0]))
        v = SUPPORTED if lo > 0 else CONTRADICTED if hi < 0 else INCONCLUSIVE
        return Verdict(v, [Comparison("increasing", f"budget {a[-1].budget} vs {a[0].budget}", d, lo, hi, v)])
    b = sorted(curves.get(relation.b, []), key=lambda p: p.budget)
    if not b:
        return Verdict(INCONCLUSIVE, [Comparison(relation.type, "", None, None, None, INCONCLUSIVE,
                                                 f"arm {relation.b} has no points")])
    cost = axis(axis_name)
    ratio = relation.ratio if relation.type == "matches" else 1.0
    bar = -relation.delta if relation.type == "matches" else 0.0
    at_a = relation.at == "a"
    comparisons = []
    for ref in a if at_a else b:
        at = cost(ref) if at_a else ratio * cost(ref)
        name = relation.a if at_a else relation.b
        scale = "" if at_a else f" x {ratio:g}"
        where = f"at {name} budget {ref.budget}{scale} ({axis_name} {at:.3g})"
        other = at_compute(b if at_a else a, axis_name, at)
        if other.accuracy is None or other.ci_low is None or other.ci_high is None:
            comparisons.append(Comparison(relation.type, where, None, None, None, INCONCLUSIVE, other.note))
            continue
        va = (other.accuracy, other.ci_low, other.ci_high)
        d, lo, hi = diff_ci(_point(ref), va) if at_a else diff_ci(va, _point(ref))
        v = SUPPORTED if (lo >= bar if relation.type == "matches" else lo > bar) else (
            CONTRADICTED if hi < bar else INCONCLUSIVE)
        comparisons.append(Comparison(relation.type, where, d, lo, hi, v, other.note))
    measured = [c.verdict for c in comparisons if c.difference is not None]
    return Verdict(combine(measured) if measured else INCONCLUSIVE, comparisons)


def claim_names() -> list[str]:
    return sorted(p.stem for p in (CONFIG_DIR / "claims").glob("*.yaml"))


def load_claim(name: str) -> Claim:
    path = CONFIG_DIR / "claims" / f"{name}.yaml"
    if not path.exists():
        raise ConfigError(unknown_name_message("claim", name, claim_names()))
    raw: Any = OmegaConf.to_container(OmegaConf.load(path))
    try:
        relations = [Relation(**r) for r in raw["relations"]]
        forms = {k: Form(list(v.get("overrides", [])), {a: Arm(**arm) for a, arm in v["arms"].items()})
                 for k, v in raw["forms"].items()}
        claim = Claim(name, raw["statement"], raw.get("source", ""), raw.get("axis", "flops"), relations,
                      forms)
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: malformed claim ({exc})") from exc
    for r in claim.relations:
        if r.type not in RELATIONS:
            raise ConfigError(f"{path}: relation {r.type!r}; valid: {', '.join(RELATIONS)}")
        if r.at not in ("a", "b") or (r.at == "a" and r.ratio != 1.0):
            raise ConfigError(f"{path}: relation at must be a or b (ratio only with at: b)")
        for form, f in claim.forms.items():
            for arm in (r.a, r.b) if r.b else (r.a,):
                if arm not in f.arms:
                    raise ConfigError(f"{path}: form {form} lacks arm {arm!r}")
    axis(claim.axis)  # raises on an unknown axis
    return claim


def claim_dir(results: Path, name: str) -> Path:
    return results / "claims" / name
