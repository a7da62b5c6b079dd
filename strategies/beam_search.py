"""Step-level beam search and DVTS (diverse verifier tree search) with a step scorer.

A step is text up to a blank line (the engine stops at "\\n\\n"). Budget N:

- `beam_search`: N beams. Step 1 expands the prompt N times with M continuations each; every later
  step expands each live beam with M continuations; the N best candidates by score stay live.
- `dvts`: N independent subtrees. Each subtree expands its one live beam with M continuations per
  step and keeps its best; subtrees never compete, which keeps them diverse.

A candidate that ends its turn (end-of-sequence, not a blank line) is finished; search ends when no
beam is live or after `max_steps` steps, and the finished (else live) beam with the best score
answers. The step scorer is the step's self-certainty (mean token log-prob), and a beam's score is
the mean over its steps. Every step is ONE batched engine call for all problems; each live beam is
one request of n = M, so a problem's charged calls are exactly the engine's work for it, and the
engine's prefix cache shares the beams' common prefixes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from harness.engines.protocol import Engine, Message
from harness.records import SamplingParams
from strategies._base import STRATEGIES
from strategies._search import AnswerOf, Cell, Ledger, SearchStrategy, Trace, sampled

STEP_END = "\n\n"


@dataclass(frozen=True)
class Beam:
    steps: tuple[str, ...]
    scores: tuple[float, ...]
    finished: bool
    group: int
    """Subtree (DVTS) the beam belongs to; 0 for beam search."""

    @property
    def score(self) -> float:
        return sum(self.scores) / len(self.scores) if self.scores else float("-inf")

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
    ) -> None:
        super().__init__(budgets)
        if expansions < 1 or max_steps < 1 or step_tokens < 1:
            raise ValueError(f"{self.name}: expansions, max_steps and step_tokens must be >= 1")
        self.expansions = expansions
        self.max_steps = max_steps
        self.step_tokens = step_tokens

    def _keep(self, candidates: list[Beam], width: int) -> list[Beam]:
        """Survivors of one step: the `width` best overall, or each subtree's best (DVTS)."""
        ranked = sorted(candidates, key=lambda b: -b.score)
        if not self.diverse:
            return ranked[:width]
        best: dict[int, Beam] = {}
        for b in ranked:
            best.setdefault(b.group, b)
        return list(best.values())

    def run(
        self, engine: Engine, chats: list[list[Message]], base: SamplingParams, answer_of: AnswerOf
    ) -> dict[Cell, list[Trace]]:
        prompts = [engine.render(chat) for chat in chats]
        owners = [(n, p) for n in self.budget_list for p in range(len(chats))]
        ledger = Ledger(engine, len(owners))
        live: list[list[Beam]] = [[Beam((), (), False, g) for g in range(n)] for n, _ in owners]
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
            for o, (width, _) in enumerate(owners):
                if not live[o]:
                    continue
                steps[o] += 1
                candidates = []
                for beam in live[o]:
                    for c in next(outputs):
                        ended = c.finish_reason == "stop" and c.stop_reason is None
                        candidates.append(Beam((*beam.steps, c.text.strip("\n")),
                                               (*beam.scores, c.mean_logprob), ended, beam.group))
                kept = self._keep(candidates, width - (0 if self.diverse else len(done[o])))
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


@STRATEGIES.register("dvts")
class DVTS(BeamSearch):
    name = "dvts"
    unit = "subtrees"
    diverse = True
