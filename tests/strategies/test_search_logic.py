"""Pure logic of the search and allocation strategies, on literal inputs and against brute force."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest

from core.accounting import PrefixTrie, check_rule
from core.auxiliary import AuxModel, SearchContext
from core.flops import position_flops
from core.records import Completion, ModelInfo, SamplingParams
from harness.analysis.cells import cell_points, search_cells
from harness.analysis.search import trace_cost
from harness.engines.model_info import model_info_from_config
from harness.run.score import ScoredRow
from strategies import SearchStrategy, get_strategy
from strategies._search import Call, Trace, aggregate, split_steps
from strategies.compute_optimal import agreement, allocate
from strategies.revision import majority_index
from strategies.reward_ranking import weighted_pick
from strategies.verification import p_yes, pick
from tests.harness.engines.test_model_info import SMOLLM2_135M


def brute_allocate(acc: np.ndarray, cost: np.ndarray, bins: np.ndarray, target: float) -> float | None:
    labels = sorted(set(bins.tolist()))
    best = None
    for choice in itertools.product(range(acc.shape[1]), repeat=len(labels)):
        cols = np.array([choice[labels.index(b)] for b in bins])
        rows = np.arange(len(bins))
        if cost[rows, cols].mean() <= target + 1e-9:
            total = float(acc[rows, cols].sum())
            best = total if best is None else max(best, total)
    return best


@pytest.mark.parametrize("seed", range(40))
def test_allocate_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    problems, cands = int(rng.integers(3, 12)), int(rng.integers(1, 5))
    acc = rng.random((problems, cands)).round(2)
    cost = rng.integers(1, 10, (problems, cands)).astype(float)
    bins = rng.integers(0, 4, problems)
    target = float(rng.uniform(1, 10))
    policy = allocate(acc, cost, bins, target)
    expected = brute_allocate(acc, cost, bins, target)
    if expected is None:
        assert policy is None
        return
    assert policy is not None
    cols = np.array([policy[int(b)] for b in bins])
    rows = np.arange(problems)
    assert cost[rows, cols].mean() <= target + 1e-9
    assert float(acc[rows, cols].sum()) == pytest.approx(expected)


def test_allocate_literal() -> None:
    # bin 0 is easy (cheap candidate 0 solves it), bin 1 needs the expensive candidate 1
    acc = np.array([[1.0, 1.0], [1.0, 1.0], [0.0, 1.0], [0.0, 1.0]])
    cost = np.array([[1.0, 8.0]] * 4)
    bins = np.array([0, 0, 1, 1])
    assert allocate(acc, cost, bins, 4.5) == {0: 0, 1: 1}
    assert allocate(acc, cost, bins, 1.0) == {0: 0, 1: 0}
    assert allocate(acc, cost, bins, 0.5) is None


def test_agreement_and_majority_index() -> None:
    assert agreement(["3", "3", "4", None]) == 2
    assert agreement([None, None]) == 0
    assert majority_index(["1", "2", "2", "1"]) == 3  # tie between 1 and 2: the latest wins
    assert majority_index(["5", None, "5", "7"]) == 2
    assert majority_index([None, None]) == 1


def test_p_yes_and_pick() -> None:
    lg = math.log
    assert p_yes((("Yes", lg(0.6)), ("No", lg(0.2)), ("Maybe", lg(0.2)))) == pytest.approx(0.75)
    assert p_yes(((" yes", lg(0.3)), ("yes", lg(0.3)), (" No.", lg(0.4)))) == pytest.approx(0.6)
    assert p_yes((("The", -0.1),)) == 0.5
    assert pick([0.2, 0.7, 0.7]) == 1


def test_search_strategy_options_are_checked() -> None:
    with pytest.raises(ValueError, match="answer_tokens"):
        get_strategy("budget_forcing", budgets=[16], answer_tokens=32)
    with pytest.raises(ValueError, match="final"):
        get_strategy("revision", final="best")
    with pytest.raises(ValueError, match="budgets"):
        get_strategy("beam_search", budgets=[0])
    assert get_strategy("verification", budgets=[1, 4], verifications=[2]).cells() == [("V=2", 1), ("V=2", 4)]



def test_reward_selection_helpers() -> None:
    assert weighted_pick(["3", "4", "4", None], [0.9, 0.5, 0.5, 1.0]) == 1  # 4 sums 1.0 > 0.9
    assert weighted_pick(["3", "4"], [0.5, 0.5]) == 0  # tie: the earlier answer
    assert weighted_pick([None, None], [0.2, 0.9]) == 0
    assert split_steps("a\n\nb\n\n\n\nc\n") == ["a", "b", "c"]
    assert split_steps("  ") == ["  "]
    assert aggregate([0.2, 0.9, 0.5], "last") == 0.5 and aggregate([0.2, 0.9, 0.5], "min") == 0.2
    assert aggregate([0.2, 0.9, 0.4], "mean") == pytest.approx(0.5) and aggregate([], "last") == float("-inf")


def test_reward_strategy_options_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown scorer"):
        get_strategy("dvts", scorer="prm")
    with pytest.raises(ValueError, match="go together"):
        get_strategy("beam_search", reward_model="smollm2_135m_step_judge")
    with pytest.raises(ValueError, match="aggregate"):
        get_strategy("reward_ranking", aggregate="max")
    with pytest.raises(ValueError, match="selections"):
        get_strategy("reward_ranking", selections=["best", "vote"])
    beam = get_strategy("beam_search", scorer="reward", reward_model="x")
    assert beam.how == "last"  # type: ignore[attr-defined]
    assert get_strategy("reward_ranking", budgets=[1, 2], selections=["weighted"]).cells() == [
        ("weighted", 1), ("weighted", 2)]
    assert beam.needs() == (AuxModel("reward_model", "x"),) and get_strategy("beam_search").needs() == ()
    assert get_strategy("verification").needs() == ()
    for strategy in (get_strategy("reward_ranking"), get_strategy("verification", verifier_model="x")):
        assert isinstance(strategy, SearchStrategy)
        [need] = strategy.needs()
        ctx = SearchContext(CharEngine(SCRIPT), [[{"role": "user", "content": "Q"}]], SamplingParams(0.8),
                            lambda i, t: None)
        with pytest.raises(RuntimeError, match=f"{need.kind} '{need.config}' was not provided"):
            strategy.run(ctx)


# --- compute charged by the one prefill rule (core.accounting) --------------------------------


class CharEngine:
    """A scripted engine whose tokens are characters: replies come from a fixed script, so the trie of
    processed text counts token positions exactly and a brute-force count of distinct prefixes can
    check the charge. Records every request (prompt, n)."""

    name = "scripted-0"

    def __init__(self, replies: list[tuple[str, str]]) -> None:
        self.replies = replies  # (text, finish_reason), cycled
        self.turn = 0
        self.requests: list[tuple[str, int]] = []

    def render(self, messages: list[dict[str, str]]) -> str:
        return "".join(f"<{m['role']}>{m['content']}</{m['role']}>" for m in messages) + "<assistant>"

    def generate(self, prompts: list[str], params: list[Any]) -> list[list[Completion]]:
        out = []
        for prompt, p in zip(prompts, params, strict=True):
            self.requests.append((prompt, p.n))
            batch = []
            for _ in range(p.n):
                text, finish = self.replies[self.turn % len(self.replies)]
                self.turn += 1
                text = text[: p.max_tokens]
                batch.append(Completion(text=text, finish_reason=finish, prompt_tokens=len(prompt),
                                        completion_tokens=len(text), mean_logprob=-0.5 - 0.01 * self.turn,
                                        sum_logprob=-1.0, latency_s=0.01,
                                        top_logprobs=(("Yes", -0.3), ("No", -1.5))))
            out.append(batch)
        return out


def brute_force_flops(info: ModelInfo, calls: tuple[Call, ...], cache: bool) -> float:
    """Brute force over sets of prefixes: a prompt position (a prefix of the prompt) is computed unless
    an earlier call computed that same prefix (with `cache`); every generated token is computed."""
    def at(context: int) -> float:
        return position_flops(info) + 4 * info.n_layers * info.d_attn * context

    seen: set[str] = set()
    total = 0.0
    for c in calls:
        prompt_prefixes = {c.prompt[:i] for i in range(1, len(c.prompt) + 1)}
        total += sum(at(len(p) - 1) for p in prompt_prefixes - (seen if cache else set()))
        seen |= prompt_prefixes
        for o in c.outputs:
            total += sum(at(len(c.prompt) + j) for j in range(len(o.text)))
            seen |= {(c.prompt + o.text)[:i] for i in range(1, len(c.prompt) + len(o.text) + 1)}
    return total


def row_of(trace: Trace) -> ScoredRow:
    return ScoredRow("m", "search", "h", "p0", 0, None, False, "ok", trace.prompt_tokens,
                     trace.completion_tokens, 0.0, 0.0, "stop", "scripted-0",
                     calls=[c.to_json() for c in trace.calls])


SCRIPT = [("Let me think.", "stop"), ("Add 2 and 3.\n\nIt is 5.", "stop"), ("So 5", "length")]


@pytest.mark.parametrize(("name", "options"), [
    ("budget_forcing", {"budgets": [64, 96], "answer_tokens": 8}),
    ("revision", {"budgets": [1, 3]}),
    ("beam_search", {"budgets": [1, 2], "expansions": 2, "max_steps": 3}),
    ("verification", {"budgets": [1, 3], "verifications": [1, 2], "critique_tokens": 12}),
])
def test_prefix_cache_charge_is_the_distinct_token_positions(name: str, options: dict[str, Any]) -> None:
    info = model_info_from_config("m", "p", SMOLLM2_135M)
    strategy = get_strategy(name, **options)
    assert isinstance(strategy, SearchStrategy)
    chats = [[{"role": "user", "content": "What is 2 + 3?"}]]
    base = SamplingParams(temperature=0.8, max_tokens=40)
    traces = strategy.run(SearchContext(CharEngine(SCRIPT), chats, base, lambda i, t: t[-1:]))
    for cell, [trace] in traces.items():
        cached = trace_cost(info, row_of(trace), "prefix_cache")
        full = trace_cost(info, row_of(trace), "no_cache")
        assert cached.flops == pytest.approx(brute_force_flops(info, trace.calls, True), rel=1e-9), cell
        assert full.flops == pytest.approx(brute_force_flops(info, trace.calls, False), rel=1e-9), cell
        if len(trace.calls) > 1 and name != "verification":
            assert cached.flops < full.flops  # later calls extend earlier text: the cache hits


def test_verification_and_reward_ranking_ask_for_their_solutions_in_one_request() -> None:
    chats = [[{"role": "user", "content": "What is 2 + 3?"}], [{"role": "user", "content": "And 4 + 4?"}]]
    engine = CharEngine(SCRIPT)
    strategy = get_strategy("verification", budgets=[1, 4], verifications=[1], critique_tokens=0)
    assert isinstance(strategy, SearchStrategy)
    traces = strategy.run(SearchContext(engine, chats, SamplingParams(temperature=0.8, max_tokens=40),
                                        lambda i, t: None))
    generator = [(p, n) for p, n in engine.requests if n > 1 or "PROPOSED" not in p]
    assert [n for _, n in generator] == [4, 4]  # one request of n = S per problem
    for s in (1, 4):
        for trace in traces[("V=1", s)]:
            [solve] = [c for c in trace.calls if c.role == "generator"]
            assert solve.n == s and solve.completion_tokens == sum(o.completion_tokens for o in solve.outputs)


def test_search_samples_axis_counts_whole_solutions() -> None:
    info = model_info_from_config("m", "p", SMOLLM2_135M)
    forcing = get_strategy("budget_forcing", budgets=[64], answer_tokens=8, max_waits=2)
    assert isinstance(forcing, SearchStrategy)
    chats = [[{"role": "user", "content": "What is 2 + 3?"}]]
    engine = CharEngine([("Hmm.", "stop")])
    ctx = SearchContext(engine, chats, SamplingParams(temperature=0.8), lambda i, t: None)
    [trace] = forcing.run(ctx)[("", 64)]
    assert trace.info["waits"] == 2 and len(trace.calls) == 4  # 3 thinking calls and the answer
    [point] = cell_points(search_cells(forcing, info, {"p0": [row_of(trace)]}), "gsm8k", None, 10, 0)
    assert point.mean_samples == 1.0  # one solution, however many Waits extended it
    assert get_strategy("verification", budgets=[4]).solutions("V=1", 4) == 4  # type: ignore[attr-defined]


def test_prefix_trie_credits_what_was_computed() -> None:
    trie = PrefixTrie()
    assert trie.cached("abcdef", 3) == 0
    trie.add("abc", 2)
    trie.add("abcXYZ", 5)
    assert trie.cached("abcXYZ-more", 9) == 5  # extends a processed string: its exact tokens
    assert trie.cached("abQQQQQQQQ", 10) == 2  # 2 of 10 characters shared: 2 of 10 tokens
    assert check_rule("no_cache") == "no_cache"
    with pytest.raises(ValueError, match="prefix_cache, no_cache"):
        check_rule("pool_split")
