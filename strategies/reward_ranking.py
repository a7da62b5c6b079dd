"""Best-of-N and weighted majority by a reward model (ORM or PRM) served next to the generator.

The generator (role `generator`) writes S solutions per problem; the configured `reward_model`
(role `reward`) scores each once, split into steps at blank lines. A process model's step scores
aggregate into the solution's score (`aggregate`: last, min or mean); an outcome model's score is
used as is. Cells are (`best`, s) -- the highest-scored of the first s solutions answers (ties: the
earlier one) -- and (`weighted`, s) -- the answer whose solutions' scores sum highest among the first
s (ties: the earlier answer; solutions without an extracted answer get no vote). The S solutions
are one request (n = S, one prompt prefill). Every cell is computed from one run of max S and
charged that request as if it had asked for its first s solutions, and their reward calls.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.auxiliary import AuxModel, SearchContext
from strategies._base import STRATEGIES
from strategies._search import (
    AGGREGATES,
    Call,
    Cell,
    Ledger,
    SearchStrategy,
    Trace,
    aggregate,
    sampled,
    split_steps,
)
from strategies.verification import pick

SELECTIONS = ("best", "weighted")


def weighted_pick(answers: list[str | None], scores: list[float]) -> int:
    """Index of the first solution carrying the answer with the highest summed score; 0 when no
    solution has an answer."""
    totals: dict[str, float] = {}
    first: dict[str, int] = {}
    for i, (a, s) in enumerate(zip(answers, scores, strict=True)):
        if a is None:
            continue
        totals[a] = totals.get(a, 0.0) + s
        first.setdefault(a, i)
    if not totals:
        return 0
    best = max(totals, key=lambda a: (totals[a], -first[a]))
    return first[best]


@STRATEGIES.register("reward_ranking")
class RewardRanking(SearchStrategy):
    name = "reward_ranking"
    unit = "solutions"

    def __init__(
        self,
        budgets: Sequence[int] = (1, 2, 4),
        reward_model: str = "smollm2_135m_judge",
        selections: Sequence[str] = SELECTIONS,
        aggregate: str = "last",
    ) -> None:
        super().__init__(budgets)
        bad = [s for s in selections if s not in SELECTIONS]
        if bad or not selections:
            raise ValueError(f"reward_ranking: selections must be among {', '.join(SELECTIONS)}, "
                             f"got {selections}")
        if aggregate not in AGGREGATES:
            raise ValueError(f"reward_ranking: aggregate must be one of {', '.join(AGGREGATES)}, "
                             f"got {aggregate!r}")
        self.reward_model = reward_model
        """Config name (`configs/reward_model/<name>.yaml`) of the reward model that scores solutions."""
        self.selections = [s for s in SELECTIONS if s in selections]
        self.how = aggregate

    def cells(self) -> list[Cell]:
        return [(sel, s) for sel in self.selections for s in self.budget_list]

    def needs(self) -> tuple[AuxModel, ...]:
        return (AuxModel("reward_model", self.reward_model),)

    def run(self, ctx: SearchContext) -> dict[Cell, list[Trace]]:
        engine, chats, base, answer_of = ctx.engine, ctx.chats, ctx.base, ctx.answer_of
        [need] = self.needs()
        rewarder = ctx.reward_model(need)
        n_s = max(self.budget_list)
        # owner i: problem i's S solutions (ONE request, n = S); owner P + i * S + j: solution j's reward
        ledger = Ledger(engine, len(chats) * (1 + n_s))
        outs = ledger.generate([(i, engine.render(chat), sampled(base, n=n_s))
                                for i, chat in enumerate(chats)])
        slots = [(i, s) for i in range(len(chats)) for s in range(n_s)]
        texts = [outs[i][s].text for i, s in slots]
        rewards = ledger.reward(rewarder, [(len(chats) + o, chats[i][-1]["content"], split_steps(texts[o]))
                                           for o, (i, _) in enumerate(slots)])
        scores = [aggregate(r.step_scores, self.how) if r.step_scores else r.score for r in rewards]
        answers = [answer_of(i, texts[o]) for o, (i, _) in enumerate(slots)]
        out: dict[Cell, list[Trace]] = {}
        for sel in self.selections:
            for s in self.budget_list:
                traces = []
                for i in range(len(chats)):
                    mine = [i * n_s + j for j in range(s)]
                    sc = [scores[o] for o in mine]
                    best = pick(sc) if sel == "best" else weighted_pick([answers[o] for o in mine], sc)
                    [solve] = ledger.charged(i)
                    rewards_of = [c for o in mine for c in ledger.charged(len(chats) + o)]
                    calls: list[Call] = [solve.first(s), *rewards_of]
                    traces.append(Trace(text=texts[mine[best]], calls=tuple(calls),
                                        info={"picked": float(best), "picked_score": sc[best]}))
                out[(sel, s)] = traces
        return out
