"""The claim length model (`harness.checks.claim_forms.cell_cost`) against the prompts the harness charges.

A search strategy runs on the scripted engine (one token per character) with replies of fixed
length; the prompt tokens its trace is charged under prefix caching (`strategies._search.price`: a
trie over the text each call processed) are an independent count of what the length model
estimates for the same lengths. A long problem and long replies keep the chat templates' own
characters small beside them; the model must land within 15%, and charging whole prompts (the
`no_cache` reading) must not (it is several times too high for these strategies).
"""

from __future__ import annotations

from itertools import count

import pytest

from core.auxiliary import SearchContext
from core.records import SamplingParams
from harness.checks.claim_forms import LengthModel, cell_cost
from harness.engines.scripted import Reply, ScriptedEngine, render
from strategies import SearchStrategy, get_strategy
from strategies._search import Trace
from strategies.verification import VERDICT_PROMPT

PROBLEM = "q" * 3000
CHAT = [{"role": "user", "content": PROBLEM}]
SOLUTION, CRITIQUE = 1500, 600
BASE = SamplingParams(temperature=0.8, max_tokens=SOLUTION)


def unique(serial: count[int], length: int) -> str:
    """A reply of `length` characters that differs from every other from its first character."""
    return f"{next(serial):05d}".ljust(length, "x")


def read(trace: Trace) -> int:
    """Prompt tokens the trace pays under prefix caching (each call's prompt minus its cached part)."""
    return sum(c.prompt_tokens - c.cached_tokens for c in trace.calls)


def traced(name: str, engine: ScriptedEngine, cell: tuple[str, int], **options: object) -> Trace:
    strategy = get_strategy(name, **options)
    assert isinstance(strategy, SearchStrategy)
    [trace] = strategy.run(SearchContext(engine, [CHAT], BASE, lambda i, text: None))[cell]
    return trace


def model_reads(name: str, variant: str, budget: int, cached: bool, **options: object) -> float:
    lm = LengthModel(float(len(render(CHAT))), float(SOLUTION), {"m": 1.0})
    return cell_cost(get_strategy(name, **options), variant, budget, "m", lm, cached).read


def test_verification_reads_match_the_priced_trace() -> None:
    serial = count()

    def script(prompt: str, p: SamplingParams, k: int) -> Reply:
        if VERDICT_PROMPT in prompt:
            return Reply("Yes", top_logprobs=(("Yes", -0.1),))
        return Reply(unique(serial, CRITIQUE if "PROPOSED SOLUTION" in prompt else SOLUTION))

    options = {"budgets": [4], "verifications": [2], "critique_tokens": CRITIQUE}
    charged = read(traced("verification", ScriptedEngine(script), ("V=2", 4), **options))
    assert model_reads("verification", "V=2", 4, True, **options) == pytest.approx(charged, rel=0.15)
    assert model_reads("verification", "V=2", 4, False, **options) > 3 * charged


def test_revision_reads_match_the_priced_trace() -> None:
    serial = count()
    engine = ScriptedEngine(lambda prompt, p, k: Reply(unique(serial, SOLUTION)))
    charged = read(traced("revision", engine, ("", 3), budgets=[3]))
    assert model_reads("revision", "", 3, True, budgets=[3]) == pytest.approx(charged, rel=0.15)
    assert model_reads("revision", "", 3, False, budgets=[3]) > 3 * charged
