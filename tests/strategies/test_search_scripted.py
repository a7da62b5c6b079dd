"""Every search strategy's `run()` against the scripted engine: control flow, budget rule and charges.

The scripted engine (`harness.engines.scripted`) answers from a script with one token per character,
so each expected trace, call and token count below is worked out by hand from the strategy's
documented algorithm, and the charges are compared with the totals the engine itself reported.
Real-engine runs of the same strategies stay in test_search_real.py (slow).
"""

from __future__ import annotations

import math
from itertools import count

import pytest

from core.auxiliary import AuxModel, SearchContext
from core.records import SamplingParams
from harness.engines.scripted import Reply, ScriptedEngine, ScriptedRewardModel, render
from strategies import SearchStrategy, get_strategy
from strategies._search import STEP_END, Cell, Trace
from strategies.verification import VERDICT_PROMPT

BASE = SamplingParams(temperature=0.8, max_tokens=50)
CHATS = [[{"role": "user", "content": "Q0"}], [{"role": "user", "content": "Q1"}]]


def last_word(i: int, text: str) -> str | None:
    words = text.split()
    return words[-1] if words and words[0] == "answer" else None


def run(engine: ScriptedEngine, name: str, chats: list[list[dict[str, str]]] = CHATS,
        rewarder: ScriptedRewardModel | None = None, **options: object) -> dict[Cell, list[Trace]]:
    strategy = get_strategy(name, **options)
    assert isinstance(strategy, SearchStrategy)
    models = {need: rewarder for need in strategy.needs()} if rewarder is not None else {}
    traces = strategy.run(SearchContext(engine, chats, BASE, last_word, models))
    assert list(traces) == strategy.cells() or set(traces) == set(strategy.cells())
    assert all(len(ts) == len(chats) for ts in traces.values())
    return traces


def charged(traces: list[Trace]) -> tuple[int, int]:
    return sum(t.prompt_tokens for t in traces), sum(t.completion_tokens for t in traces)


def test_scripted_engine_rules() -> None:
    engine = ScriptedEngine(lambda prompt, p, k: Reply(f"ab{k}</s>cd", mean_logprob=-0.5,
                                                       top_logprobs=(("Yes", -0.1),)))
    [[a, b], [c]] = engine.generate(["xyz", "q"], [SamplingParams(0.5, max_tokens=9, stop=("</s>",), n=2),
                                                   SamplingParams(0.0, max_tokens=2, top_logprobs=5)])
    assert (a.text, b.text, a.finish_reason, a.stop_reason) == ("ab0", "ab1", "stop", "</s>")
    assert (a.prompt_tokens, a.completion_tokens, a.sum_logprob, a.top_logprobs) == (3, 3, -1.5, ())
    assert (c.text, c.finish_reason, c.stop_reason) == ("ab", "length", None)
    assert c.top_logprobs == (("Yes", -0.1),)
    assert (engine.prompt_tokens, engine.completion_tokens) == (4, 8)
    assert render(CHATS[0]) == "<|user|>\nQ0\n<|assistant|>\n"


def test_budget_forcing_waits_then_forces_the_answer_within_budget() -> None:
    prefix = "\n</think>\n\nFinal answer: \\boxed{"

    def script(prompt: str, p: SamplingParams, k: int) -> Reply:
        return Reply("42}") if prompt.endswith(prefix) else Reply("abcde</think>")

    engine = ScriptedEngine(script)
    traces = run(engine, "budget_forcing", budgets=[18, 200], max_waits=2, answer_tokens=10,
                 think_prompt=False)
    opened = [render(chat) + "<think>\n" for chat in CHATS]
    # budget 200 (thinking cap 190): three thinking calls of 5 tokens, two Waits, then the answer
    for t in traces[("", 200)]:
        assert t.text == "abcde\nWait,abcde\nWait,abcde" + prefix + "42}"
        assert t.info == {"waits": 2.0, "thinking_tokens": 15.0, "answer_tokens": 3.0}
        assert len(t.calls) == 4 and t.completion_tokens == 18
    # budget 18 (cap 8): 5 tokens, a Wait, then the 3 tokens left run out ("length"): no second Wait
    for t in traces[("", 18)]:
        assert t.text == "abcde\nWait,abc" + prefix + "42}"
        assert t.info == {"waits": 1.0, "thinking_tokens": 8.0, "answer_tokens": 3.0}
        assert len(t.calls) == 3 and t.completion_tokens == 11 <= 18
    # one batched call per round for every (budget, problem) still thinking, then one for the answers
    assert [[p.max_tokens for p in ps] for _, ps in engine.calls] == [
        [8, 8, 190, 190], [3, 3, 185, 185], [180, 180], [10, 10, 10, 10]]
    assert engine.calls[1][0][0] == opened[0] + "abcde\nWait,"
    assert engine.calls[3][0][0] == opened[0] + "abcde\nWait,abc" + prefix
    assert all(p.stop == ("</think>",) for _, ps in engine.calls[:3] for p in ps)
    everything = [t for ts in traces.values() for t in ts]  # independent runs: together, all the engine did
    assert charged(everything) == (engine.prompt_tokens, engine.completion_tokens)


def test_revision_rounds_prefixes_and_majority() -> None:
    replies = {("Q0", 1): "answer 3", ("Q0", 2): "answer 5", ("Q0", 3): "answer 5",
               ("Q1", 1): "answer 7", ("Q1", 2): "no idea", ("Q1", 3): "answer 7"}

    def script(prompt: str, p: SamplingParams, k: int) -> Reply:
        problem = "Q0" if "Q0" in prompt else "Q1"
        return Reply(replies[(problem, prompt.count("<|assistant|>"))])  # round r shows r - 1 answers

    engine = ScriptedEngine(script)
    traces = run(engine, "revision", budgets=[1, 2, 3], final="majority")
    assert [t.text for t in traces[("", 1)]] == ["answer 3", "answer 7"]
    assert [t.text for t in traces[("", 2)]] == ["answer 5", "answer 7"]  # Q0: 3 vs 5 tie -> the latest
    assert [t.info["picked_round"] for t in traces[("", 2)]] == [2.0, 1.0]
    assert [t.info["picked_round"] for t in traces[("", 3)]] == [3.0, 3.0]
    assert len(engine.calls) == 3 and all(len(prompts) == 2 for prompts, _ in engine.calls)
    second = engine.calls[1][0][0]
    assert "answer 3" in second and "Check your solution" in second
    for r in (1, 2, 3):
        for t, longest in zip(traces[("", r)], traces[("", 3)], strict=True):
            assert t.calls == longest.calls[:r]  # budget r is charged its first r rounds only
    assert charged(traces[("", 3)]) == (engine.prompt_tokens, engine.completion_tokens)
    last = run(ScriptedEngine(script), "revision", budgets=[2], final="last")
    assert [t.text for t in last[("", 2)]] == ["answer 5", "no idea"]


def serial_steps(logprobs: dict[int, float], ends: set[int]) -> ScriptedEngine:
    """Reply j (in request order) is step `s<j>` with mean log-prob logprobs[j]; j in `ends` ends the turn."""
    serial = count()

    def script(prompt: str, p: SamplingParams, k: int) -> Reply:
        j = next(serial)
        return Reply(f"s{j}" + ("" if j in ends else STEP_END + "more"), mean_logprob=logprobs[j])

    return ScriptedEngine(script)


def test_beam_search_keeps_the_best_and_finishes() -> None:
    lp = {0: -0.5, 1: -0.1, 2: -0.3, 3: -0.9, 4: -0.1, 5: -0.7, 6: -0.2, 7: -0.8, 8: -0.05, 9: -0.3}
    engine = serial_steps(lp, ends={4, 9})
    [t] = run(engine, "beam_search", chats=CHATS[:1], budgets=[2], expansions=2, max_steps=3,
              step_tokens=20)[("", 2)]
    root = render(CHATS[0])
    # step 1: 2 copies x 2 -> s1, s2 survive; step 2: s1s4 ends (score -0.1), s2s6 (-0.25) stays live;
    # step 3: one slot left, s2s6s8 beats s2s6s9; the finished s1s4 answers
    assert engine.calls[0][0] == [root, root]
    assert engine.calls[1][0] == [root + "s1" + STEP_END, root + "s2" + STEP_END]
    assert engine.calls[2][0] == [root + "s2" + STEP_END + "s6" + STEP_END]
    assert t.text == "s1" + STEP_END + "s4"
    assert t.info == {"steps": 3.0, "finished": 1.0, "score": pytest.approx(-0.1)}
    assert [c.n for c in t.calls] == [2] * 5 and all(p.max_tokens == 20 for _, ps in engine.calls for p in ps)
    assert charged([t]) == (engine.prompt_tokens, engine.completion_tokens)


def test_dvts_keeps_one_beam_per_subtree() -> None:
    lp = {0: -0.2, 1: -0.1, 2: -0.3, 3: -0.9, 4: -0.1, 5: -0.5, 6: -0.1, 7: -0.9}
    engine = serial_steps(lp, ends=set())
    [t] = run(engine, "dvts", chats=CHATS[:1], budgets=[2], expansions=2, max_steps=2,
              step_tokens=20)[("", 2)]
    root = render(CHATS[0])
    # beam search would keep s1 and s0 (both of subtree 0); DVTS keeps each subtree's best: s1 and s2
    assert engine.calls[1][0] == [root + "s1" + STEP_END, root + "s2" + STEP_END]
    assert t.text == "s1" + STEP_END + "s4"  # -0.1 beats subtree 1's s2s6 at -0.2
    assert t.info["steps"] == 2.0 and t.info["finished"] == 0.0
    assert len(t.calls) == 4 and charged([t]) == (engine.prompt_tokens, engine.completion_tokens)


def test_beam_search_with_a_process_reward_ranks_by_the_reward() -> None:
    lp = {0: -0.1, 1: -0.9}  # self-certainty prefers s0; the PRM prefers s1
    engine = serial_steps(lp, ends=set())
    prm = ScriptedRewardModel(lambda problem, steps: tuple(0.8 if s == "s1" else 0.3 for s in steps),
                              kind="process")
    [t] = run(engine, "beam_search", chats=CHATS[:1], rewarder=prm, budgets=[1], expansions=2, max_steps=1,
              step_tokens=20, scorer="reward", reward_model="scripted_judge")[("", 1)]
    assert t.text == "s1" and t.info["score"] == 0.8
    assert prm.calls == [2]  # both candidates in one reward call
    rewards = [c for c in t.calls if c.role == "reward"]
    assert len(rewards) == 2 and sum(c.flops or 0.0 for c in rewards) == prm.flops
    assert charged([t]) == (engine.prompt_tokens + prm.prompt_tokens, engine.completion_tokens)


def verdict(p: float) -> Reply:
    return Reply("Yes", top_logprobs=(("Yes", math.log(p)), ("No", math.log(1 - p))))


def test_verification_picks_the_best_verified_solution_per_cell() -> None:
    solutions, critiques = count(), count()
    p_of = {"c0": 0.2, "c1": 0.9, "c2": 0.5, "c3": 0.5}  # critique j of (solution, verification) in order

    def script(prompt: str, p: SamplingParams, k: int) -> Reply:
        if VERDICT_PROMPT in prompt:
            return verdict(next(v for c, v in p_of.items() if f"\n{c}\n" in prompt))
        if "PROPOSED SOLUTION" in prompt:
            return Reply(f"c{next(critiques)}")
        return Reply("answer " + "AB"[next(solutions)])

    engine = ScriptedEngine(script)
    traces = run(engine, "verification", chats=CHATS[:1], budgets=[1, 2], verifications=[1, 2],
                 critique_tokens=5)
    # V=1: A scores 0.2, B 0.5 -> B; V=2: A (0.2 + 0.9) / 2 = 0.55 beats B's 0.5 -> A
    expect = {("V=1", 1): ("A", 0.2), ("V=1", 2): ("B", 0.5),
              ("V=2", 1): ("A", 0.55), ("V=2", 2): ("A", 0.55)}
    for cell, (letter, score) in expect.items():
        [t] = traces[cell]
        assert t.text == f"answer {letter}" and t.info["picked_score"] == pytest.approx(score)
        v, s = int(cell[0][2:]), cell[1]
        # a critique and a verdict per verification
        assert sum(c.n for c in t.calls if c.role == "verifier") == 2 * s * v
    verdicts = [p for _, ps in engine.calls for p in ps if p.top_logprobs]
    assert len(verdicts) == 4 and all(p.max_tokens == 1 and p.temperature == 0.0 for p in verdicts)
    assert charged(traces[("V=2", 2)]) == (engine.prompt_tokens, engine.completion_tokens)
    assert charged(traces[("V=1", 1)])[0] < charged(traces[("V=2", 1)])[0] < charged(traces[("V=2", 2)])[0]


def test_reward_ranking_best_and_weighted() -> None:
    texts = iter(["answer 4", "first answer 5", "second answer 5"])
    engine = ScriptedEngine(lambda prompt, p, k: Reply(next(texts)))
    score = {"answer 4": 0.9, "first answer 5": 0.5, "second answer 5": 0.6}
    orm = ScriptedRewardModel(lambda problem, steps: (score[steps[-1]],))

    def answers(i: int, text: str) -> str | None:
        return text.split()[-1]

    strategy = get_strategy("reward_ranking", budgets=[1, 3], reward_model="scripted_judge")
    assert isinstance(strategy, SearchStrategy)
    assert strategy.needs() == (AuxModel("reward_model", "scripted_judge"),)
    traces = strategy.run(SearchContext(engine, CHATS[:1], BASE, answers, {strategy.needs()[0]: orm}))
    assert traces[("best", 3)][0].text == "answer 4"  # the highest single score
    assert traces[("weighted", 3)][0].text == "first answer 5"  # 5 sums 1.1 > 0.9; its first solution
    assert traces[("best", 1)][0].text == traces[("weighted", 1)][0].text == "answer 4"
    for (_, s), [t] in traces.items():
        assert [c.role for c in t.calls].count("reward") == s
    best3 = traces[("best", 3)][0]
    assert sum(c.flops or 0.0 for c in best3.calls if c.role == "reward") == orm.flops
    assert charged([best3]) == (engine.prompt_tokens + orm.prompt_tokens, engine.completion_tokens)
