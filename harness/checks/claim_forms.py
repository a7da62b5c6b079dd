"""Can a claim's form be judged? Each arm's compute under a stated length model, before any sweep.

A claim states `length_model`: `prompt_tokens` per call, `completion_tokens` per generated
solution (default: the form's `max_tokens`, every sample runs to the cap), and `params` (parameters
of each model and reward model it names). FLOPs are 2 x params per token read or generated (the
attention term is left out: this is a feasibility check, not the measurement). Prompts are charged
by the form's `prefill_accounting`, as the measurement charges them (`core.accounting`): under
`prefix_cache` a call pays only text no earlier call of the problem processed, so a search call that
extends earlier text (a verdict after its critique, a revision round, a beam step) pays only the
instruction it adds (`INSTRUCTION_TOKENS`), and the V verifications of a solution share one prompt;
under `no_cache` every call pays its whole prompt. Reward-model reads are charged in full under both
rules, as the measurement charges them. Checked against the measured FLOPs of the CPU claim runs
(`docs/claims.md`): under `prefix_cache` the model is within 0.9-1.3x of every measured cell, where
charging whole prompts had put verification at 1.7-3.7x and beam search at 4.4-5.8x (and passed a
form whose judged comparisons then had no number). compute_optimal's range is its probe plus the
span of its candidates' cells; a run whose allocation stops buying compute once accuracy stops
rising (a weak model) reaches less, which no length model can foresee.
Under it every arm gets a cost per budget, from the form's resolved sweep config (budgets, strategy
options). `require_overlap` refuses a form in which a judged comparison's compute lies outside the
other arm's range: such a comparison can never have a number, so the relation could never be decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from harness.checks.claims import Claim, Relation
from harness.config import ConfigError, ResolvedSweep, load_sweep_config
from strategies import CellIndex, Strategy, get_strategy, is_meta, is_search, is_selection


@dataclass(frozen=True)
class Cost:
    """What one problem costs at one cell, under the length model."""

    samples: float
    tokens: float
    """Generated tokens."""
    read: float
    """Prompt tokens read (prefills), all models."""
    flops: float

    def on(self, axis_name: str) -> float:
        if axis_name == "samples":
            return self.samples
        if axis_name == "tokens":
            return self.tokens
        if axis_name == "total_tokens":
            return self.tokens + self.read
        if axis_name == "flops":
            return self.flops
        raise ConfigError(f"the length model has no cost on axis {axis_name!r} "
                          "(samples, tokens, total_tokens, flops)")

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.samples + other.samples, self.tokens + other.tokens, self.read + other.read,
                    self.flops + other.flops)


@dataclass(frozen=True)
class LengthModel:
    prompt_tokens: float
    completion_tokens: float
    params: dict[str, float]

    def n(self, model: str) -> float:
        if model not in self.params:
            raise ConfigError(f"length_model.params has no parameter count for {model!r}; it has "
                              f"{', '.join(sorted(self.params)) or 'none'}")
        return float(self.params[model])

    def calls(self, model: str, samples: float, read: float, generated: float) -> Cost:
        return Cost(samples, generated, read, 2.0 * self.n(model) * (read + generated))


@dataclass(frozen=True)
class ArmRange:
    arm: str
    costs: dict[int, float]
    """Budget -> cost on the claim's axis."""

    @property
    def low(self) -> float:
        return min(self.costs.values())

    @property
    def high(self) -> float:
        return max(self.costs.values())

    def covers(self, x: float) -> bool:
        return self.low * (1 - 1e-9) <= x <= self.high * (1 + 1e-9)


def _cells(strategy: Strategy, budgets: list[int]) -> list[tuple[str, int]]:
    """(curve label, budget) of each point the strategy makes in a sweep with `budgets`."""
    if is_search(strategy):
        index = CellIndex.of(strategy)
        return list(zip(index.labels(), index.budgets(), strict=True))
    if is_selection(strategy):
        return [(strategy.label, k) for k in strategy.budgets(budgets, max(budgets))]
    return []


INSTRUCTION_TOKENS = 20.0
"""Under `prefix_cache`: the tokens a search call adds to text already processed (a verdict question
with its chat-turn markers, a revision request)."""


def cell_cost(strategy: Strategy, variant: str, budget: int, model: str, lm: LengthModel,
              cached: bool = True) -> Cost:
    """One problem's cost at one cell of `strategy`; `cached`: prompts charged as under `prefix_cache`
    (else every call pays its whole prompt, as under `no_cache`)."""
    p, c, q = lm.prompt_tokens, lm.completion_tokens, INSTRUCTION_TOKENS
    kind = type(strategy).__name__
    if is_selection(strategy):
        k = 1 if strategy.pool == "greedy" else budget
        return lm.calls(model, k, p, k * c)
    opts: Any = strategy
    if kind == "BudgetForcing":
        return lm.calls(model, 1, p, float(budget))
    if kind == "Verification":
        v = int(variant.split("=")[1])
        critique = float(opts.critique_tokens)
        verifier = opts.verifier_model or model
        # each verification: a critique call reading the problem and the solution, then a verdict call
        # reading that again with the critique and the question (cached: the check prompt is shared by
        # the V critiques and the problem by the S check prompts; a verdict adds its question)
        read = p + budget * c + budget * v * q if cached else 2 * budget * v * (p + c + critique)
        checks = lm.calls(verifier, 0, read, budget * v * (critique + 1))
        return lm.calls(model, budget, p, budget * c) + checks
    if kind == "RewardRanking":  # reward-model reads are charged in full under both rules
        return lm.calls(model, budget, p, budget * c) + lm.calls(opts.reward_model, 0, budget * (p + c), 0)
    if kind == "Revision":  # round r reads the problem and the r - 1 earlier answers
        read = p + (budget - 1) * q if cached else budget * p + c * budget * (budget - 1) / 2
        return lm.calls(model, budget, read, budget * c)
    if kind in ("BeamSearch", "DVTS"):
        steps, width, t = int(opts.max_steps), budget * int(opts.expansions), float(opts.step_tokens)
        # step i reads the problem and the beam's i earlier steps (cached: all of it was processed)
        read = p if cached else sum(width * (p + i * t) for i in range(steps))
        gen = lm.calls(model, width, read, width * steps * t)
        scorer = getattr(opts, "reward_model", None) if getattr(opts, "scorer", "") == "reward" else None
        scored = sum(width * (p + (i + 1) * t) for i in range(steps))  # reward reads: in full
        return gen + (lm.calls(scorer, 0, scored, 0) if scorer else Cost(0, 0, 0, 0))
    raise ConfigError(f"no length model for strategy {strategy.label!r} ({kind})")


def _strategies(resolved: ResolvedSweep) -> list[Strategy]:
    return [get_strategy(s.name, s.label, **s.options) for s in resolved.strategies]


def _meta_costs(strategy: Strategy, others: Sequence[Strategy], budgets: list[int], model: str,
                lm: LengthModel, axis_name: str, cached: bool) -> dict[int, float]:
    """compute_optimal: the probe plus a target between the cheapest and dearest candidate cell."""
    labels = getattr(strategy, "candidates", []) or [s.label for s in others if not is_meta(s)]
    cells = [cell_cost(s, label.partition("[")[2].rstrip("]"), b, model, lm, cached)
             for s in others if s.label in labels and not is_meta(s) for label, b in _cells(s, budgets)]
    if not cells:
        return {}
    probe = int(getattr(strategy, "probe", 0))
    if axis_name == "samples":  # the allocation's points report the probe as their samples
        return {1: float(probe)}
    pad = lm.calls(model, probe, lm.prompt_tokens, probe * lm.completion_tokens).on(axis_name)
    values = [c.on(axis_name) for c in cells]
    return {1: min(values) + pad, int(getattr(strategy, "targets", 2)): max(values) + pad}


def length_model(claim: Claim, resolved: ResolvedSweep) -> LengthModel:
    """The claim's stated length model for a form's resolved sweep (solutions default to max_tokens)."""
    raw = claim.length_model
    if "prompt_tokens" not in raw or "params" not in raw:
        raise ConfigError(f"claim {claim.name}: length_model needs prompt_tokens and params")
    return LengthModel(float(raw["prompt_tokens"]),
                       float(raw.get("completion_tokens") or resolved.sweep.max_tokens),
                       {k: float(v) for k, v in raw["params"].items()})


def arm_ranges(claim: Claim, form: str) -> dict[str, ArmRange]:
    """Each arm's cost per budget on the claim's axis under the claim's length model."""
    f = claim.forms[form]
    resolved = load_sweep_config(f.overrides)
    lm = length_model(claim, resolved)
    budgets = list(resolved.sweep.budgets)
    cached = resolved.sweep.prefill_accounting == "prefix_cache"
    strategies = _strategies(resolved)
    out: dict[str, ArmRange] = {}
    for name, arm in f.arms.items():
        costs: dict[int, float] = {}
        for s in strategies:
            if is_meta(s) and s.label == arm.strategy:
                costs = _meta_costs(s, strategies, budgets, arm.model, lm, claim.axis, cached)
            for label, b in _cells(s, budgets):
                if label == arm.strategy:
                    variant = label.partition("[")[2].rstrip("]")
                    costs[b] = cell_cost(s, variant, b, arm.model, lm, cached).on(claim.axis)
        if not costs:
            names = ", ".join(s.name for s in resolved.strategies)
            raise ConfigError(f"claim {claim.name} ({form}): arm {name} ({arm.strategy}) makes no points "
                              f"in the form's sweep (strategies: {names})")
        out[name] = ArmRange(name, costs)
    return out


def unjudgeable(claim: Claim, form: str) -> list[str]:
    """Every judged comparison that cannot have a number under the length model, with the numbers."""
    ranges = arm_ranges(claim, form)
    problems: list[str] = []
    for r in claim.forms[form].relations:
        problems += _relation_gaps(r, ranges, claim.axis)
    return problems


def _relation_gaps(r: Relation, ranges: dict[str, ArmRange], axis_name: str) -> list[str]:
    a = ranges[r.a]
    if r.type in ("increasing", "fits"):
        judged = [b for b, x in a.costs.items() if r.in_range(b, x)]
        need = 2 if r.type == "increasing" else 3 + r.holdout
        return [] if len(judged) >= need else [
            f"{r.type} {r.a}: {len(judged)} budgets in the judged range ({r.range_text()}), needs {need}"]
    b = ranges[r.b]
    ref, other = (a, b) if r.at == "a" else (b, a)
    ratio = r.ratio if r.type == "matches" else 1.0
    gaps: list[str] = []
    n_judged = 0
    for budget, x in sorted(ref.costs.items()):
        at = x * (1.0 if r.at == "a" else ratio)
        if not r.in_range(budget, at):
            continue
        n_judged += 1
        if not other.covers(at):
            gaps.append(f"{r.type} {r.a} vs {r.b}: at {ref.arm} budget {budget} the comparison needs "
                        f"{other.arm} at {axis_name} {at:.3g}, outside its range "
                        f"[{other.low:.3g}, {other.high:.3g}]")
    if not n_judged:
        gaps.append(f"{r.type} {r.a} vs {r.b}: no {ref.arm} point in the judged range ({r.range_text()}); "
                    f"{ref.arm} spans {axis_name} [{ref.low:.3g}, {ref.high:.3g}]")
    return gaps


def require_overlap(claim: Claim, form: str) -> None:
    gaps = unjudgeable(claim, form)
    if gaps:
        raise ConfigError(f"claim {claim.name} ({form}) cannot be judged under its length model:\n  "
                          + "\n  ".join(gaps))

