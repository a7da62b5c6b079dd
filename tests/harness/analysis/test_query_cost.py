"""Latency and eFLOPs of curve points, against independent counts: enumeration of k-subsets for the
slowest of k parallel samples, and a token-by-token count of the bytes a decode moves."""

from __future__ import annotations

from itertools import combinations
from statistics import mean

import pytest

from core.records import ModelInfo
from harness.analysis.adaptive import adaptive_curve
from harness.analysis.cells import cell_points, search_cells, selection_cells
from harness.analysis.curves import meta_cells, model_cells
from harness.analysis.memory_traffic import ACCELERATORS, kv_bytes_per_token, weight_bytes
from harness.analysis.query_cost import call_seconds, trace_seconds
from harness.engines.model_info import model_info_from_config
from harness.run.score import ScoredRow
from strategies import get_strategy
from strategies.adaptive import MarginRule
from tests.harness.engines.test_model_info import SMOLLM2_135M

INFO = model_info_from_config("m", "p", SMOLLM2_135M)
PROMPT = 12
POOLS = {  # problem -> (completion tokens, engine seconds) per sample
    "a": ([5, 9, 2, 7], [0.5, 0.9, 0.2, 0.7]),
    "b": ([3, 3, 8, 1], [0.3, 0.35, 0.8, 0.1]),
}


def rows() -> dict[str, list[ScoredRow]]:
    out = {}
    for pid, (tokens, seconds) in POOLS.items():
        out[pid] = [ScoredRow("m", "sampled", "h", pid, j, "7" if j % 2 else "3", j % 2 == 1, "ok", PROMPT, t,
                              -0.5, s, "stop", "vllm-x", vote="7" if j % 2 else "3", vote_correct=j % 2 == 1)
                    for j, (t, s) in enumerate(zip(tokens, seconds, strict=True))]
    return out


def counted_bytes(info: ModelInfo, prompt: int, lengths: list[int], batch: int) -> float:
    """Step by step, `lengths` decoded as one batch: the prefill reads the weights once and writes the
    prompt's cache; then every step the batch runs (until its longest sequence ends) reads the weights
    once, and each sequence still decoding reads its own KV cache at its context."""
    assert batch == len(lengths)
    w, kv = weight_bytes(info), kv_bytes_per_token(info)
    total = w + kv * prompt
    for step in range(max(lengths, default=0)):
        total += w
        total += sum(kv * (prompt + step) for length in lengths if step < length)
    return total


def test_a_batch_reads_the_weights_once_per_step_until_its_longest_sequence_ends() -> None:
    # hand case: lengths 1 and 9 in one batch run 9 steps, so 9 weight reads (not (1 + 9) / 2 = 5)
    w, kv = weight_bytes(INFO), kv_bytes_per_token(INFO)
    assert counted_bytes(INFO, 10, [1, 9], 2) == w + kv * 10 + 9 * w + kv * (10 + 9 * 10 + 36)
    strategy = get_strategy("majority")
    pool = {"p": [ScoredRow("m", "sampled", "h", "p", j, "7", True, "ok", 10, t, -0.5, 0.1, "stop", "vllm-x",
                            vote="7", vote_correct=True) for j, t in enumerate([1, 9])]}
    [point] = [p for p in cell_points(selection_cells(strategy, INFO, pool, [2]), "t", resamples=10)
               if p.bin == "all"]
    assert point.extra["memory_bytes"] == pytest.approx(counted_bytes(INFO, 10, [1, 9], 2))


def test_pool_cells_wait_for_the_slowest_sample_and_pay_their_memory_traffic() -> None:
    intensity = ACCELERATORS["h100"].intensity
    cells = selection_cells(get_strategy("majority"), INFO, rows(), [1, 2, 4])
    points = cell_points(cells, "t", resamples=50, intensity=intensity)
    for p in points:
        k = p.budget
        slowest = mean(mean(max(c) for c in combinations(s, k)) for _, s in POOLS.values())
        assert p.mean_latency == pytest.approx(slowest)
        # bytes: the mean over k-subsets of one prefill and the subset decoded as a batch of k
        moved = mean(mean(counted_bytes(INFO, PROMPT, list(c), k) for c in combinations(t, k))
                     for t, _ in POOLS.values())
        assert p.extra["memory_bytes"] == pytest.approx(moved)
        assert p.mean_eflops == pytest.approx(p.mean_flops + intensity * moved)
    one = next(p for p in points if p.budget == 1)
    assert one.mean_latency == pytest.approx(one.mean_seconds)  # one sample: its own seconds
    four = next(p for p in points if p.budget == 4)
    assert four.mean_latency == pytest.approx((0.9 + 0.8) / 2)  # the whole pool in parallel: its slowest
    assert four.mean_latency < four.mean_seconds  # not the sum


def test_search_traces_add_their_calls_and_each_call_waits_for_its_longest_completion() -> None:
    generate = {"role": "generator", "prompt_tokens": 10, "completion_tokens": 40, "n": 2, "latency_s": 4.0,
                "lengths": [10, 30]}
    revise = {"role": "generator", "prompt_tokens": 50, "completion_tokens": 6, "n": 1, "latency_s": 0.6,
              "lengths": [6], "cached_tokens": 50}
    reward = {"role": "reward", "prompt_tokens": 60, "completion_tokens": 0, "n": 1, "latency_s": 0.5,
              "flops": 1e9}
    assert call_seconds(generate) == pytest.approx(3.0)  # 4 s shared by tokens: the 30-token one took 3 s
    assert trace_seconds([generate, revise, reward]) == pytest.approx(3.0 + 0.6 + 0.5)
    strategy = get_strategy("revision", budgets=[1])
    trace = {"p": [ScoredRow("m", "search:revision", "h", "p", 0, "7", True, "ok", 10, 46, -0.5, 5.1, "stop",
                             "vllm-x", calls=[generate, revise, reward])]}
    [point] = [p for p in cell_points(search_cells(strategy, INFO, trace), "t", None, 50, 0, intensity=2.0)
               if p.bin == "all"]
    assert point.mean_latency == pytest.approx(4.1)
    # the first call's prefill and its two completions as a batch of 2; the revision's prompt was
    # cached (no prefill), its decode a batch of 1; the reward model's call moves none of these bytes
    w, kv = weight_bytes(INFO), kv_bytes_per_token(INFO)
    moved = counted_bytes(INFO, 10, [10, 30], 2) + counted_bytes(INFO, 50, [6], 1) - (w + kv * 50)
    assert point.extra["memory_bytes"] == pytest.approx(moved)
    assert point.mean_eflops == pytest.approx(point.mean_flops + 2.0 * moved)


def test_adaptive_sampling_draws_one_at_a_time() -> None:
    # a rule that never fires draws every sample up to the cap: at the cap n, the whole pool, in turn
    [point] = [p for p in adaptive_curve("adaptive", MarginRule(100), INFO, "t", rows(), [4], resamples=16,
                                         intensity=3.0) if p.bin == "all"]
    assert point.mean_latency == pytest.approx(mean(sum(s) for _, s in POOLS.values()))
    prefill = counted_bytes(INFO, PROMPT, [], 0)
    moved = mean(prefill + sum(counted_bytes(INFO, PROMPT, [n], 1) - prefill for n in t)
                 for t, _ in POOLS.values())
    assert point.extra["memory_bytes"] == pytest.approx(moved)
    assert point.mean_eflops == pytest.approx(point.mean_flops + 3.0 * moved)


def test_compute_optimal_waits_for_its_probe_then_its_chosen_arm() -> None:
    sampled = rows()
    greedy = {pid: [ScoredRow("m", "greedy", "g", pid, 0, "7", True, "ok", PROMPT, 6, -0.5, 0.3, "stop",
                              "vllm-x", vote="7", vote_correct=True)] for pid in POOLS}
    pools = {("m", "sampled"): sampled, ("m", "greedy"): greedy}
    strategies = [get_strategy("greedy"), get_strategy("compute_optimal", candidates=["greedy"], probe=2)]
    chosen = meta_cells(strategies[1], INFO, pools, strategies, model_cells(INFO, pools, strategies, [1]))
    assert chosen is not None
    [point] = cell_points(chosen, "t", None, 50, 0, intensity=5.0)
    # the probe's 2 samples in parallel (the slower of the two), then greedy's one sample
    assert point.mean_latency == pytest.approx(mean(max(s[:2]) + 0.3 for _, s in POOLS.values()))
    # the probe as a batch of 2 after its prefill, then greedy's decode (its prompt already computed)
    w, kv = weight_bytes(INFO), kv_bytes_per_token(INFO)
    decode_only = counted_bytes(INFO, PROMPT, [6], 1) - (w + kv * PROMPT)
    moved = mean(counted_bytes(INFO, PROMPT, t[:2], 2) + decode_only for t, _ in POOLS.values())
    assert point.extra["memory_bytes"] == pytest.approx(moved)
    assert point.mean_eflops == pytest.approx(point.mean_flops + 5.0 * moved)
