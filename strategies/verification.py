"""Generative verification: S solutions, V verifications of each, the best-verified solution answers.

The generator (role `generator`) writes S solutions. For each, the verifier (role `verifier`: the
same model, or the model named by `verifier_model`, with its own chat template and FLOPs) writes V
critiques of up to `critique_tokens` tokens at the sweep's temperature, and after each
critique is asked "Is the solution correct? Answer Yes or No."; the verification's score is
P(yes) = p(Yes) / (p(Yes) + p(No)) from the log-probs of its first answer token (0.5 when neither
is among the reported alternatives). A solution's score is the mean over its V verifications; the
highest-scored solution answers (ties: the earlier one).

Cells are (`V=v`, S): the grid of every S in `solutions` x every V in `verifications`, computed
from one run of max S x max V. The S solutions are one request (n = S, one prompt prefill); each
critique and verdict is one request, so cell (v, s) is charged that request as if it had asked for
its first s solutions, and the requests of their first v verifications.
With `critique_tokens: 0` a verification is the verdict token alone (V > 1 then repeats it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from core.auxiliary import AuxModel, SearchContext
from core.engine import Message
from core.records import Completion
from strategies._base import STRATEGIES
from strategies._search import Call, Cell, Ledger, SearchStrategy, Trace, sampled

CHECK_PROMPT = (
    "Here is a problem and a proposed solution.\n\nPROBLEM:\n{problem}\n\nPROPOSED SOLUTION:\n{solution}\n\n"
    "Check the proposed solution step by step. Is its final answer correct?"
)
VERDICT_PROMPT = "Is the proposed solution correct? Answer Yes or No."


def p_yes(alternatives: tuple[tuple[str, float], ...]) -> float:
    """P(yes) from first-token alternatives: Yes mass over Yes + No mass (0.5 when neither shows)."""
    yes = sum(math.exp(lp) for tok, lp in alternatives if tok.strip().lower().strip(".,!") == "yes")
    no = sum(math.exp(lp) for tok, lp in alternatives if tok.strip().lower().strip(".,!") == "no")
    return yes / (yes + no) if yes + no > 0 else 0.5


def pick(scores: list[float]) -> int:
    """Index of the best score, the earliest among ties."""
    return max(range(len(scores)), key=lambda i: (scores[i], -i))


@STRATEGIES.register("verification")
class Verification(SearchStrategy):
    name = "verification"
    unit = "solutions"

    def __init__(
        self,
        budgets: Sequence[int] = (1, 2, 4),
        verifications: Sequence[int] = (1, 2),
        critique_tokens: int = 96,
        top_logprobs: int = 20,
        verifier_model: str | None = None,
    ) -> None:
        super().__init__(budgets)
        if not verifications or any(int(v) < 1 for v in verifications):
            raise ValueError(f"verification: verifications must be positive integers, got {verifications}")
        self.verifications = sorted({int(v) for v in verifications})
        self.critique_tokens = critique_tokens
        self.top_logprobs = top_logprobs
        self.verifier_model = verifier_model
        """Config name (`configs/model/<name>.yaml`) of a separate verifier model; None: the generator's."""

    def needs(self) -> tuple[AuxModel, ...]:
        return () if self.verifier_model is None else (AuxModel("verifier_model", self.verifier_model),)

    def cells(self) -> list[Cell]:
        return [(f"V={v}", s) for v in self.verifications for s in self.budget_list]

    def _verdict_chat(self, check: list[Message], critique: str) -> list[Message]:
        """The verdict question: after the critique, or straight after the solution when there is none."""
        if self.critique_tokens > 0:
            return [*check, {"role": "assistant", "content": critique},
                    {"role": "user", "content": VERDICT_PROMPT}]
        return [{"role": "user", "content": check[0]["content"] + "\n" + VERDICT_PROMPT}]

    def run(self, ctx: SearchContext) -> dict[Cell, list[Trace]]:
        engine, chats, base = ctx.engine, ctx.chats, ctx.base
        n_s, n_v = max(self.budget_list), max(self.verifications)
        verifier, info = ctx.generator(self.needs()[0] if self.needs() else None)
        # owner = (problem, solution, verification) slot; the S solutions are ONE request (n = S): (i, -1, -1)
        slots = [(i, -1, -1) for i in range(len(chats))]
        slots += [(i, s, v) for i in range(len(chats)) for s in range(n_s) for v in range(n_v)]
        owner = {slot: o for o, slot in enumerate(slots)}
        ledger = Ledger(engine, len(slots))
        solutions = ledger.generate([(owner[(i, -1, -1)], engine.render(chats[i]), sampled(base, n=n_s))
                                     for i in range(len(chats))])
        text = {(i, s): solutions[i][s].text for i in range(len(chats)) for s in range(n_s)}
        keys = [(i, s, v) for i in range(len(chats)) for s in range(n_s) for v in range(n_v)]
        check = {k: [{"role": "user", "content": CHECK_PROMPT.format(
            problem=chats[k[0]][-1]["content"], solution=text[k[:2]])}] for k in keys}
        critiques: dict[tuple[int, int, int], str] = {k: "" for k in keys}
        if self.critique_tokens > 0:
            outs = ledger.generate([(owner[k], verifier.render(check[k]),
                                     sampled(base, n=1, max_tokens=self.critique_tokens, stop=()))
                                    for k in keys], role="verifier", engine=verifier, info=info)
            critiques = {k: o[0].text for k, o in zip(keys, outs, strict=True)}
        verdict_params = sampled(base, n=1, temperature=0.0, max_tokens=1, stop=(),
                                 top_logprobs=self.top_logprobs)
        verdicts: list[list[Completion]] = ledger.generate(
            [(owner[k], verifier.render(self._verdict_chat(check[k], critiques[k])), verdict_params)
             for k in keys],
            role="verifier", engine=verifier, info=info)
        score = {k: p_yes(o[0].top_logprobs) for k, o in zip(keys, verdicts, strict=True)}
        out: dict[Cell, list[Trace]] = {}
        for v in self.verifications:
            for s in self.budget_list:
                traces = []
                for i in range(len(chats)):
                    means = [sum(score[(i, j, u)] for u in range(v)) / v for j in range(s)]
                    best = pick(means)
                    [solve] = ledger.charged(owner[(i, -1, -1)])
                    calls: list[Call] = [solve.first(s)]
                    for j in range(s):
                        for u in range(v):
                            calls += ledger.charged(owner[(i, j, u)])
                    traces.append(Trace(text=text[(i, best)], calls=tuple(calls),
                                        info={"picked": float(best), "picked_score": means[best],
                                              "verifications": float(v)}))
                out[(f"V={v}", s)] = traces
        return out
