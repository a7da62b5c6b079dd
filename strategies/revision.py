"""Sequential revision: the model answers, then revises its own answer for r - 1 more rounds.

Budget r = rounds of generation: round 1 is the first solution; each later round shows the model
its previous answer and asks it to check it and give a corrected final answer. The reported
answer is the last round's (`final: last`) or the most common answer over the r rounds
(`final: majority`, ties to the latest). Budget r's trace is the first r rounds of one run of
max(budgets) rounds, charged the calls of those r rounds only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from core.auxiliary import SearchContext
from strategies._base import STRATEGIES
from strategies._search import Cell, Ledger, SearchStrategy, Trace, sampled

REVISE_PROMPT = (
    "Check your solution above step by step for mistakes. "
    "Then write a corrected solution and give the final answer in the same format."
)


def majority_index(answers: list[str | None]) -> int:
    """Position of the answer to report: the most common non-None answer, ties to the latest;
    the last position when no round has an answer."""
    counts = Counter(a for a in answers if a is not None)
    if not counts:
        return len(answers) - 1
    top = max(counts.values())
    return max(i for i, a in enumerate(answers) if a is not None and counts[a] == top)


@STRATEGIES.register("revision")
class Revision(SearchStrategy):
    name = "revision"
    unit = "rounds"

    def __init__(
        self, budgets: Sequence[int] = (1, 2, 3), final: str = "last", prompt: str = REVISE_PROMPT
    ) -> None:
        super().__init__(budgets)
        if final not in ("last", "majority"):
            raise ValueError(f"revision: final must be last or majority, got {final!r}")
        self.final = final
        self.prompt = prompt

    def run(self, ctx: SearchContext) -> dict[Cell, list[Trace]]:
        engine, chats, base, answer_of = ctx.engine, ctx.chats, ctx.base, ctx.answer_of
        ledger = Ledger(engine, len(chats))
        history = [[dict(m) for m in chat] for chat in chats]
        texts: list[list[str]] = [[] for _ in chats]
        for round_ in range(max(self.budget_list)):
            if round_:
                for h, t in zip(history, texts, strict=True):
                    h += [{"role": "assistant", "content": t[-1]}, {"role": "user", "content": self.prompt}]
            outputs = ledger.generate([(i, engine.render(h), sampled(base, n=1))
                                       for i, h in enumerate(history)])
            for t, [c] in zip(texts, outputs, strict=True):
                t.append(c.text)
        out: dict[Cell, list[Trace]] = {}
        for r in self.budget_list:
            traces = []
            for i, t in enumerate(texts):
                rounds = t[:r]
                pick = len(rounds) - 1
                if self.final == "majority":
                    pick = majority_index([answer_of(i, x) for x in rounds])
                traces.append(Trace(text=rounds[pick], calls=ledger.charged(i)[:r],
                                    info={"rounds": float(r), "picked_round": float(pick + 1)}))
            out[("", r)] = traces
        return out
