"""`Cells` against independent computations: every k-subset of a pool enumerated (selection), traces
counted call by call and token position by token position (search), a choice worked out by hand
(meta), and the one answer to "which kind of strategy is this?"."""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations
from statistics import mean

import numpy as np
import pytest

from core.records import ModelInfo
from harness.analysis.allocation import Probe, choose
from harness.analysis.cells import Cells, cell_points, search_cells, selection_cells
from harness.run.score import ScoredRow
from strategies import (
    STRATEGIES,
    CellIndex,
    Kind,
    PoolKey,
    SearchStrategy,
    SelectionStrategy,
    get_strategy,
    is_meta,
    is_search,
    is_selection,
    load_all,
)
from strategies.compute_optimal import ComputeOptimal
from tests.harness.analysis.test_query_cost import counted_bytes

INFO = ModelInfo(name="m", path="-", n_params=10**6, n_params_nonembedding=8 * 10**5, n_layers=4, d_model=64,
                 n_heads=4, n_kv_heads=2, d_attn=64, context_length=2048, vocab_size=1000, dtype="float32")
PROMPT = 12
POOL = {  # problem -> per sample (answer, completion tokens, engine seconds); "7" is right, "3" wrong
    "a": [("7", 5, 0.5), ("3", 9, 0.9), ("7", 2, 0.2), ("3", 7, 0.7), ("3", 4, 0.3)],
    "b": [("3", 3, 0.3), ("7", 3, 0.35), ("7", 8, 0.8), ("7", 1, 0.1), ("3", 6, 0.6)],
}
Subset = tuple[tuple[str, int, float], ...]


def at(context: int) -> float:
    """FLOPs of one token position with `context` earlier positions (docs/compute.md), written out."""
    return 2.0 * INFO.n_params_nonembedding + 2.0 * INFO.d_model * INFO.vocab_size \
        + 4.0 * INFO.n_layers * context * INFO.d_attn


def positions(start: int, count: int) -> float:
    return sum(at(t) for t in range(start, start + count))


def pool_rows() -> dict[str, list[ScoredRow]]:
    return {pid: [ScoredRow("m", "sampled", "h", pid, j, a, a == "7", "ok", PROMPT, t, -0.5, s, "stop", "x",
                            vote=a, vote_correct=a == "7") for j, (a, t, s) in enumerate(samples)]
            for pid, samples in POOL.items()}


def majority_right(subset: Subset) -> float:
    return float(sum(a == "7" for a, _, _ in subset) * 2 > len(subset))  # odd k, two answers: no ties


def any_right(subset: Subset) -> float:
    return float(any(a == "7" for a, _, _ in subset))


@pytest.mark.parametrize(("name", "right"), [("majority", majority_right), ("pass_at_k", any_right)])
@pytest.mark.parametrize("rule", ["prefix_cache", "no_cache"])
def test_selection_cells_are_the_mean_over_every_k_subset(name: str, right: Callable[[Subset], float],
                                                          rule: str) -> None:
    strategy = get_strategy(name)
    assert isinstance(strategy, SelectionStrategy)
    ks = [1, 3, 5]
    cells = selection_cells(strategy, INFO, pool_rows(), ks, rule=rule)
    assert cells.problem_ids == ("a", "b") and cells.budgets == (1, 3, 5) and cells.labels == (name,) * 3
    assert cells.oracle == (name == "pass_at_k")
    for i, pid in enumerate(cells.problem_ids):
        for j, k in enumerate(ks):
            subsets = list(combinations(POOL[pid], k))
            assert cells.accuracy[i, j] == pytest.approx(mean(right(s) for s in subsets))
            # one request of n = k: the prompt once, then each sample's tokens after it
            flops = positions(0, PROMPT) + mean(sum(positions(PROMPT, t) for _, t, _ in s) for s in subsets)
            assert cells.flops[i, j] == pytest.approx(flops, rel=1e-12)
            assert cells.tokens()[i, j] == pytest.approx(mean(sum(t for _, t, _ in s) for s in subsets))
            assert cells.seconds()[i, j] == pytest.approx(mean(sum(x for _, _, x in s) for s in subsets))
            assert cells.latency[i, j] == pytest.approx(mean(max(x for _, _, x in s) for s in subsets))
            assert cells.memory[i, j] == pytest.approx(
                mean(counted_bytes(INFO, PROMPT, [t for _, t, _ in s], k) for s in subsets))
            assert cells.samples[i, j] == k
            assert cells.prompt_tokens is not None and cells.prompt_tokens[i, j] == PROMPT
            # what a probe that read the same prompt already paid: its prefill, under prefix_cache only
            assert cells.probe_shared_flops is not None
            shared = positions(0, PROMPT) if rule == "prefix_cache" else 0.0
            assert cells.probe_shared_flops[i, j] == pytest.approx(shared)
    points = cell_points(cells, "t", {"a": "level=1", "b": "level=2"}, resamples=20)
    assert [(p.bin, p.budget) for p in points] == [(b, k) for b in ("all", "level=1", "level=2") for k in ks]
    for p in points:
        rows = [i for i, pid in enumerate(cells.problem_ids) if p.bin in ("all", f"level={i + 1}")]
        j = ks.index(p.budget)
        assert p.n_problems == len(rows)
        assert p.accuracy == pytest.approx(float(np.mean(cells.accuracy[rows, j])))
        assert p.mean_tokens == pytest.approx(float(np.mean(cells.tokens()[rows, j])))
        assert p.mean_total_tokens == pytest.approx(PROMPT + p.mean_tokens)
        flops = float(np.mean(cells.flops[rows, j]))
        assert p.mean_flops == p.extra["flops_generator"] == pytest.approx(flops)


GENERATE = {"role": "generator", "prompt_tokens": 10, "completion_tokens": 4, "n": 1, "latency_s": 0.4,
            "lengths": [4]}
REVISE = {"role": "generator", "prompt_tokens": 16, "completion_tokens": 3, "n": 1, "latency_s": 0.3,
          "lengths": [3], "cached_tokens": 14}
REWARD = {"role": "reward", "prompt_tokens": 20, "completion_tokens": 0, "n": 1, "latency_s": 0.5,
          "flops": 1e9, "flops_no_cache": 2e9}


def trace(pid: str, index: int, correct: bool, calls: list[dict[str, object]]) -> ScoredRow:
    return ScoredRow("m", "search:revision", "h", pid, index, "7" if correct else "3", correct, "ok", 10, 7,
                     -0.5, 1.0, "search", "x", calls=calls)


def test_search_cells_read_trace_i_as_cell_i_and_charge_every_call_by_hand() -> None:
    strategy = get_strategy("revision", "rev", budgets=[1, 2])
    assert isinstance(strategy, SearchStrategy)
    index = CellIndex.of(strategy)
    assert (len(index), index.labels(), index.budgets()) == (2, ["rev", "rev"], [1, 2])
    assert (index.index("rev", 2), index.index("rev", 3)) == (1, None)
    # rows arrive out of store order: store index 1 (budget 2) first
    traces = {"p": [trace("p", 1, True, [GENERATE, REVISE, REWARD]), trace("p", 0, False, [GENERATE])],
              "q": [trace("q", 0, True, [GENERATE]), trace("q", 1, False, [GENERATE, REVISE])]}
    for rule in ("prefix_cache", "no_cache"):
        cells = search_cells(strategy, INFO, traces, rule)
        cached = rule == "prefix_cache"
        assert cells.problem_ids == ("p", "q") and cells.budgets == (1, 2)
        assert cells.accuracy.tolist() == [[0.0, 1.0], [1.0, 0.0]]
        # what `check` and claims pair on: each cell's per-problem values under its point's key
        assert cells.values() == {"m/rev/k=1": {"p": 0.0, "q": 1.0}, "m/rev/k=2": {"p": 1.0, "q": 0.0}}
        assert cells.samples.tolist() == [[1.0, 2.0], [1.0, 2.0]]  # revision rounds are whole solutions
        one = positions(0, 10) + positions(10, 4)
        revise = positions(14 if cached else 0, 16 - (14 if cached else 0)) + positions(16, 3)
        assert cells.flops[1, 0] == pytest.approx(one, rel=1e-12)
        assert cells.flops[1, 1] == pytest.approx(one + revise, rel=1e-12)
        reward = 1e9 if cached else 2e9  # another model's work: its own recorded FLOPs under each rule
        assert cells.flops[0, 1] == pytest.approx(one + revise + reward, rel=1e-12)
        assert cells.by_role["flops_reward"][0, 1] == reward and cells.by_role["flops_reward"][1, 1] == 0
        assert cells.by_role["flops_generator"][0, 1] == pytest.approx(one + revise, rel=1e-12)
        assert cells.tokens()[0, 1] == 4 + 3  # generated tokens; the reward model generates none
        assert cells.by_role["tokens_reward"][0, 1] == 20  # what it read
        assert cells.prompt_tokens is not None
        assert cells.prompt_tokens[0, 1] == (10 + 2 + 20 if cached else 10 + 16 + 20)
        assert cells.seconds()[0, 1] == pytest.approx(0.4 + 0.3 + 0.5)
        assert cells.latency[0, 1] == pytest.approx(0.4 + 0.3 + 0.5)  # calls one after another
        [p1, p2] = [p for p in cell_points(cells, "t", None, 20, 0) if p.bin == "all"]
        assert (p1.strategy, p1.budget, p1.accuracy, p2.accuracy) == ("rev", 1, 0.5, 0.5)
        assert p2.mean_flops == pytest.approx((2 * (one + revise) + reward) / 2, rel=1e-12)


def hand_cells(label: str, accuracy: list[float], flops: list[float], k: int) -> Cells:
    """Two problems, one cell: what a candidate scored and cost, written by hand."""
    def col(values: list[float]) -> np.ndarray:
        return np.array(values, dtype=float).reshape(-1, 1)

    return Cells(model="m", problem_ids=("a", "b"), labels=(label,), budgets=(k,), accuracy=col(accuracy),
                 samples=col([float(k)] * 2), draws=(float(k),), unit_tokens=col([10.0, 20.0]),
                 unit_seconds=col([1.0, 2.0]), flops=col(flops), latency=col([1.0, 1.0]),
                 memory=col([5.0, 5.0]), probe_shared_flops=col([3.0, 3.0]),
                 probe_shared_bytes=col([1.0, 1.0]))


def test_meta_cells_are_a_pure_choice_among_the_candidates_cells() -> None:
    cheap = hand_cells("cheap", [0.0, 0.0], [10.0, 10.0], 1)
    dear = hand_cells("dear", [1.0, 1.0], [1000.0, 1000.0], 4)
    probe = Probe(problem_ids=("a", "b"), samples=2, bins=np.array([1, 1]), flops=np.array([7.0, 7.0]),
                  tokens=np.array([2.0, 2.0]), seconds=np.array([0.5, 0.5]), latency=np.array([0.25, 0.25]),
                  memory=np.array([4.0, 4.0]))
    chosen = choose(ComputeOptimal(probe=2, targets=2), [cheap, dear], probe)
    assert chosen is not None
    # targets: the cheapest and dearest mean cost after the probe's share (7 and 997): all cheap, all dear
    assert chosen.budgets == (1, 2) and chosen.accuracy.tolist() == [[0.0, 1.0], [0.0, 1.0]]
    assert chosen.flops.tolist() == [[10 - 3 + 7, 1000 - 3 + 7]] * 2
    assert chosen.samples.tolist() == [[1 + 2, 4 + 2]] * 2
    assert chosen.tokens().tolist() == [[10 + 2, 4 * 10 + 2], [20 + 2, 4 * 20 + 2]]
    assert chosen.memory.tolist() == [[5 - 1 + 4, 5 - 1 + 4]] * 2
    assert chosen.latency.tolist() == [[1.25, 1.25]] * 2
    assert [dict(e) for e in chosen.cell_extra] == [{"target_flops": 7.0, "share:cheap@1": 1.0},
                                                     {"target_flops": 997.0, "share:dear@4": 1.0}]
    assert choose(ComputeOptimal(), [], probe) is None


def test_every_strategy_declares_one_kind_and_its_pool() -> None:
    load_all()
    kinds = {}
    for name in STRATEGIES.names():
        cls = STRATEGIES.get(name)
        kinds[name] = cls.kind
        assert (cls.kind is Kind.SELECTION) == issubclass(cls, SelectionStrategy), name
        assert (cls.kind is Kind.SEARCH) == issubclass(cls, SearchStrategy), name
    assert kinds["compute_optimal"] is Kind.META and kinds["budget_forcing"] is Kind.SEARCH
    greedy, co = get_strategy("greedy"), get_strategy("compute_optimal")
    forcing = get_strategy("budget_forcing", "bf")
    assert is_selection(greedy) and is_meta(co) and is_search(forcing)
    assert not hasattr(co, "pool") and not hasattr(forcing, "pool")  # no type code posing as a pool name
    assert [PoolKey.of(s) for s in (greedy, get_strategy("majority"), co, forcing)] == [
        PoolKey("greedy"), PoolKey("sampled"), None, PoolKey("search:bf")]
    assert PoolKey.search("bf").traces and not PoolKey("sampled").traces
