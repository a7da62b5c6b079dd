"""Budget forcing (s1): think up to a token budget, extend early stops with "Wait", then force the answer.

For budget B (generated tokens in all), thinking may use B - answer_tokens tokens. The model thinks
after an opened `<think>` tag (plain instruct models are asked to through the prompt). When it stops
thinking early (closes the tag or ends its turn) and fewer than `max_waits` Waits were appended, the
harness appends "Wait" and lets it continue; otherwise, or when the thinking budget is spent, the
harness closes the thinking and forces the final answer with `answer_prefix` and at most
`answer_tokens` tokens. So a trace never generates more than B tokens. Each budget is its own run;
all budgets and problems share each batched engine call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.auxiliary import SearchContext
from core.engine import Engine, Message
from strategies._base import STRATEGIES
from strategies._search import Cell, Ledger, SearchStrategy, Trace, sampled

THINK_PROMPT = (
    "\n\nFirst think step by step inside <think> and </think> tags. "
    "After </think>, give the final answer."
)


@dataclass
class _Run:
    """One (budget, problem) run in progress."""

    prefix: str
    cap: int
    thought: str = ""
    used: int = 0
    waits: int = 0
    thinking: bool = True


@STRATEGIES.register("budget_forcing")
class BudgetForcing(SearchStrategy):
    name = "budget_forcing"
    unit = "tokens"

    def __init__(
        self,
        budgets: Sequence[int] = (128, 256, 512),
        max_waits: int = 2,
        answer_tokens: int = 32,
        wait: str = "Wait,",
        think_prompt: bool = True,
        open_think: str = "<think>\n",
        close_think: str = "</think>",
        answer_prefix: str = "\n</think>\n\nFinal answer: \\boxed{",
    ) -> None:
        super().__init__(budgets)
        if min(self.budget_list) <= answer_tokens:
            raise ValueError(f"budget_forcing: every budget must exceed answer_tokens={answer_tokens}")
        if max_waits < 0:
            raise ValueError("budget_forcing: max_waits must be >= 0")
        self.max_waits = max_waits
        self.answer_tokens = answer_tokens
        self.wait = wait
        self.think_prompt = think_prompt
        self.open_think = open_think
        self.close_think = close_think
        self.answer_prefix = answer_prefix

    def solutions(self, variant: str, budget: int) -> int:
        """One solution per trace, however many Waits extended its thinking."""
        return 1

    def _prompt(self, engine: Engine, chat: list[Message]) -> str:
        messages = [dict(m) for m in chat]
        if self.think_prompt:
            messages[-1]["content"] += THINK_PROMPT
        return engine.render(messages) + self.open_think

    def run(self, ctx: SearchContext) -> dict[Cell, list[Trace]]:
        engine, chats, base = ctx.engine, ctx.chats, ctx.base
        prompts = [self._prompt(engine, chat) for chat in chats]
        runs = [_Run(p, b - self.answer_tokens) for b in self.budget_list for p in prompts]
        ledger = Ledger(engine, len(runs))
        while True:
            active = [i for i, r in enumerate(runs) if r.thinking]
            if not active:
                break
            requests = [
                (i, runs[i].prefix + runs[i].thought,
                 sampled(base, n=1, max_tokens=runs[i].cap - runs[i].used, stop=(self.close_think,)))
                for i in active
            ]
            for i, [c] in zip(active, ledger.generate(requests), strict=True):
                r = runs[i]
                r.thought += c.text
                r.used += c.completion_tokens
                if c.finish_reason == "length" or r.used >= r.cap or r.waits >= self.max_waits:
                    r.thinking = False
                else:  # stopped early: closed the tag or ended its turn
                    r.thought += "\n" + self.wait
                    r.waits += 1
        answer = sampled(base, n=1, max_tokens=self.answer_tokens, stop=())
        answers = ledger.generate([(i, r.prefix + r.thought + self.answer_prefix, answer)
                                   for i, r in enumerate(runs)])
        out: dict[Cell, list[Trace]] = {}
        n = len(chats)
        for j, budget in enumerate(self.budget_list):
            traces = []
            for p in range(n):
                i = j * n + p
                r, [a] = runs[i], answers[i]
                traces.append(Trace(
                    text=r.thought + self.answer_prefix + a.text,
                    calls=ledger.charged(i),
                    info={"waits": float(r.waits), "thinking_tokens": float(r.used),
                          "answer_tokens": float(a.completion_tokens)},
                ))
            out[("", budget)] = traces
        return out
