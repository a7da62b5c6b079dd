"""Step-level beam search and DVTS (diverse verifier tree search) with a step scorer.

A step is text up to a blank line (the engine stops at "\\n\\n"). Budget N:

- `beam_search`: N beams. Step 1 expands the prompt N times with M continuations each; every later
  step expands each live beam with M continuations; the N best candidates by score stay live.
- `dvts`: N independent subtrees. Each subtree expands its one live beam with M continuations per
  step and keeps its best; subtrees never compete, which keeps them diverse.

A candidate that ends its turn (end-of-sequence, not a blank line) is finished; search ends when no
beam is live or after `max_steps` steps, and the finished (else live) beam with the best score
answers. The step scorer (`scorer`) is the step's self-certainty (mean token log-prob, the default)
or, with `scorer: reward`, the configured `reward_model`: a process reward model scores each
candidate's latest step in the context of its earlier ones, an outcome model the partial solution.
A beam's score aggregates its step scores (`aggregate`: mean by default for self-certainty, last
for a reward model). Every step is ONE batched engine call for all problems (plus, with a reward
model, one batched reward call); each live beam is one request of n = M, so a problem's charged
calls are exactly the engines' work for it, and the engine's prefix cache shares the beams' common
prefixes. Reward calls are charged to the `reward` role.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.auxiliary import AuxModel, SearchContext
from strategies._base import STRATEGIES
from strategies._search import (
    AGGREGATES,
    STEP_END,
    Cell,
    Ledger,
    SearchStrategy,
    Trace,
    aggregate,
    sampled,
)
from strategies.scorers import NO_SCORE

STEP_SCORERS = ("self_certainty", "reward")  # how a beam's steps are scored (strategies.scorers: samples)


@dataclass(frozen=True)
class Beam:
    steps: tuple[str, ...]
    scores: tuple[float, ...]
    finished: bool
    group: int
    """Subtree (DVTS) the beam belongs to; 0 for beam search."""
    how: str = "mean"
    """How step scores aggregate into the beam's score."""

    @property
    def score(self) -> float:
        return aggregate(self.scores, self.how)

    @property
    def text(self) -> str:
        return STEP_END.join(self.steps)


@STRATEGIES.register("beam_search")
class BeamSearch(SearchStrategy):
    name = "beam_search"
    unit = "beams"
    diverse = False

    def __init__(
        self,
        budgets: Sequence[int] = (1, 2, 4),
        expansions: int = 2,
        max_steps: int = 6,
        step_tokens: int = 96,
        scorer: str = "self_certainty",
        reward_model: str | None = None,
        aggregate: str | None = None,
    ) -> None:
        super().__init__(budgets)
        if expansions < 1 or max_steps < 1 or step_tokens < 1:
            raise ValueError(f"{self.name}: expansions, max_steps and step_tokens must be >= 1")
        if scorer not in STEP_SCORERS:
            raise ValueError(f"{self.name}: unknown scorer {scorer!r}; "
                             f"valid scorers: {', '.join(STEP_SCORERS)}")
        if (scorer == "reward") != (reward_model is not None):
            raise ValueError(f"{self.name}: scorer 'reward' and reward_model go together "
                             f"(got scorer={scorer!r}, reward_model={reward_model!r})")
        how = aggregate or ("last" if scorer == "reward" else "mean")
        if how not in AGGREGATES:
            raise ValueError(f"{self.name}: aggregate must be one of {', '.join(AGGREGATES)}, got {how!r}")
        self.expansions = expansions
        self.max_steps = max_steps
        self.step_tokens = step_tokens
        self.scorer = scorer
        self.reward_model = reward_model
        """Config name (`configs/reward_model/<name>.yaml`) of the step scorer with `scorer: reward`."""
        self.how = how

    def needs(self) -> tuple[AuxModel, ...]:
        return () if self.reward_model is None else (AuxModel("reward_model", self.reward_model),)

    def _keep(self, candidates: list[Beam], width: int) -> list[Beam]:
        """Survivors of one step: the `width` best overall, or each subtree's best (DVTS)."""
        ranked = sorted(candidates, key=lambda b: -b.score)
        if not self.diverse:
            return ranked[:width]
        best: dict[int, Beam] = {}
        for b in ranked:
            best.setdefault(b.group, b)
        return list(best.values())

    def run(self, ctx: SearchContext) -> dict[Cell, list[Trace]]:
        engine, chats, base = ctx.engine, ctx.chats, ctx.base
        prompts = [engine.render(chat) for chat in chats]
        owners = [(n, p) for n in self.budget_list for p in range(len(chats))]
        ledger = Ledger(engine, len(owners))
        live: list[list[Beam]] = [[Beam((), (), False, g, self.how) for g in range(n)] for n, _ in owners]
        done: list[list[Beam]] = [[] for _ in owners]
        steps = [0] * len(owners)
        params = sampled(base, n=self.expansions, max_tokens=self.step_tokens, stop=(STEP_END,))
        for _ in range(self.max_steps):
            requests = [
                (o, prompts[owners[o][1]] + "".join(s + STEP_END for s in beam.steps), params)
                for o in range(len(owners)) for beam in live[o]
            ]
            if not requests:
                break
            outputs = iter(ledger.generate(requests))
            candidates: list[list[Beam]] = [[] for _ in owners]
            for o in range(len(owners)):
                if not live[o]:
                    continue
                steps[o] += 1
                for beam in live[o]:
                    for c in next(outputs):
                        ended = c.finish_reason == "stop" and c.stop_reason is None
                        step = c.text.strip("\n")
                        score = NO_SCORE if c.mean_logprob is None else c.mean_logprob  # no log-probs: last
                        candidates[o].append(
                            Beam((*beam.steps, step), (*beam.scores, score), ended, beam.group, self.how))
            if self.scorer == "reward":
                candidates = self._rescore(ctx, ledger, owners, candidates)
            for o, (width, _) in enumerate(owners):
                if not candidates[o]:
                    continue
                kept = self._keep(candidates[o], width - (0 if self.diverse else len(done[o])))
                done[o] += [b for b in kept if b.finished]
                live[o] = [b for b in kept if not b.finished]
        out: dict[Cell, list[Trace]] = {}
        for o, (width, _) in enumerate(owners):
            pool = done[o] or live[o]
            best = max(pool, key=lambda b: b.score)
            out.setdefault(("", width), []).append(Trace(
                text=best.text, calls=ledger.charged(o),
                info={"steps": float(steps[o]), "finished": float(len(done[o])), "score": best.score},
            ))
        return out

    def _rescore(self, ctx: SearchContext, ledger: Ledger, owners: list[tuple[int, int]],
                 candidates: list[list[Beam]]) -> list[list[Beam]]:
        """Replace each candidate's latest step score by the reward model's (one batched call)."""
        [need] = self.needs()
        rewarder, chats = ctx.reward_model(need), ctx.chats
        flat = [(o, b) for o in range(len(owners)) for b in candidates[o]]
        rewards = ledger.reward(rewarder, [(o, chats[owners[o][1]][-1]["content"], list(b.steps))
                                           for o, b in flat])
        out: list[list[Beam]] = [[] for _ in owners]
        for (o, b), r in zip(flat, rewards, strict=True):
            step_score = r.step_scores[-1] if r.step_scores else r.score
            out[o].append(Beam(b.steps, (*b.scores[:-1], step_score), b.finished, b.group, b.how))
        return out


@STRATEGIES.register("dvts")
class DVTS(BeamSearch):
    name = "dvts"
    unit = "subtrees"
    diverse = True
