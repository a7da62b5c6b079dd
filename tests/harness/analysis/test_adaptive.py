"""Adaptive curves against the fixed-budget majority curve of `harness.analysis.cells` (a rule that
never fires is majority at the cap) and against hand-counted costs of a rule that stops early."""

from __future__ import annotations

import random

import pytest

from core.flops import decode_flops, prefill_flops
from core.records import ModelInfo
from harness.analysis.adaptive import adaptive_curve
from harness.analysis.cells import cell_points, selection_cells
from harness.analysis.selection import Price
from harness.run.score import ScoredRow
from strategies.adaptive import BetaRule, MarginRule
from strategies.majority import Majority

MODEL = ModelInfo(name="m", path="-", n_params=10**6, n_params_nonembedding=8 * 10**5, n_layers=4, d_model=64,
                  n_heads=4, n_kv_heads=2, d_attn=64, context_length=2048, vocab_size=1000, dtype="float32")


def row(pid: str, index: int, answer: str | None, correct: bool, tokens: int, prompt: int,
        seconds: float) -> ScoredRow:
    return ScoredRow(model="m", pool_kind="sampled", pool="h", problem_id=pid, index=index, answer=answer,
                     correct=correct, status="ok", prompt_tokens=prompt, completion_tokens=tokens,
                     mean_logprob=-0.3, latency_s=seconds, finish_reason="stop", engine="test",
                     vote=answer, vote_correct=correct)


def pools(seed: int = 0) -> dict[str, list[ScoredRow]]:
    rng = random.Random(seed)
    out = {}
    for p in range(6):
        tokens, prompt, seconds = rng.randint(20, 80), rng.randint(30, 60), rng.uniform(0.1, 1.0)
        answers = [rng.choice(["42", "41", "40", None]) for _ in range(8)]
        out[f"p{p}"] = [row(f"p{p}", i, a, a == "42", tokens, prompt, seconds) for i, a in enumerate(answers)]
    return out


def test_a_rule_that_never_fires_is_the_majority_curve() -> None:
    by_problem = pools()
    price = Price(input_per_m=1.0, output_per_m=4.0)
    fixed = cell_points(selection_cells(Majority(), MODEL, by_problem, [1, 2, 4, 8]), "t", price=price)
    adaptive = adaptive_curve("never", MarginRule(99), MODEL, "t", by_problem, [1, 2, 4, 8], resamples=2000,
                              price=price)
    assert [p.budget for p in adaptive] == [1, 2, 4, 8]
    for a, f in zip(adaptive, fixed, strict=True):
        assert (a.mean_samples, a.n_problems, a.bin) == (f.mean_samples, f.n_problems, f.bin)
        for field in ("mean_tokens", "mean_flops", "mean_seconds", "mean_total_tokens", "mean_dollars"):
            assert getattr(a, field) == pytest.approx(getattr(f, field), rel=1e-12), field
        assert abs(a.accuracy - f.accuracy) <= 4 * a.extra["resample_se"] + 1e-12
        assert a.ci_low <= a.accuracy <= a.ci_high


def test_early_stop_charges_only_the_samples_drawn() -> None:
    # one problem, 8 identical correct answers of 50 tokens after a 40-token prompt: the Beta rule
    # (0.95) stops after 4 samples, the margin-2 rule after 2
    by_problem = {"p": [row("p", i, "7", True, 50, 40, 0.5) for i in range(8)]}
    (beta,) = adaptive_curve("ac", BetaRule(), MODEL, "t", by_problem, [8])
    assert (beta.accuracy, beta.mean_samples, beta.mean_tokens, beta.mean_seconds) == (1.0, 4.0, 200.0, 2.0)
    assert beta.mean_flops == pytest.approx(prefill_flops(MODEL, 40) + 4 * decode_flops(MODEL, 40, 50))
    (margin,) = adaptive_curve("esc", MarginRule(2), MODEL, "t", by_problem, [8, 16])  # 16 > pool: dropped
    assert (margin.budget, margin.mean_samples, margin.mean_total_tokens) == (8, 2.0, 140.0)


def test_no_cache_pays_the_prompt_once_per_sample_drawn() -> None:
    # samples are drawn one request at a time: under no_cache each request pays its whole prompt
    # (core.accounting), under prefix_cache only the first does. Hand case: 8 identical answers of
    # 50 tokens after a 40-token prompt, the Beta rule stops after 4 draws, so no_cache pays 4 prefills.
    by_problem = {"p": [row("p", i, "7", True, 50, 40, 0.5) for i in range(8)]}
    price = Price(input_per_m=1.0, output_per_m=4.0)
    (cached,) = adaptive_curve("ac", BetaRule(), MODEL, "t", by_problem, [8], price=price)
    (uncached,) = adaptive_curve("ac", BetaRule(), MODEL, "t", by_problem, [8], price=price,
                                 prefill_accounting="no_cache")
    assert cached.mean_flops == pytest.approx(prefill_flops(MODEL, 40) + 4 * decode_flops(MODEL, 40, 50))
    four = 4 * prefill_flops(MODEL, 40) + 4 * decode_flops(MODEL, 40, 50)
    assert uncached.mean_flops == pytest.approx(four)
    assert (cached.mean_total_tokens, uncached.mean_total_tokens) == (40 + 200, 4 * 40 + 200)
    assert uncached.mean_dollars == pytest.approx((4 * 40 * 1.0 + 200 * 4.0) / 1e6)
    assert uncached.extra["memory_bytes"] > cached.extra["memory_bytes"]
    assert (uncached.mean_tokens, uncached.mean_samples) == (cached.mean_tokens, cached.mean_samples)


def test_no_cache_prefills_follow_each_problems_expected_draws() -> None:
    # a never-firing rule draws the cap: no_cache adds (cap - 1) prefills of each problem's prompt
    by_problem = pools(3)
    (pc,) = [p for p in adaptive_curve("never", MarginRule(99), MODEL, "t", by_problem, [4])
             if p.bin == "all"]
    (nc,) = [p for p in adaptive_curve("never", MarginRule(99), MODEL, "t", by_problem, [4],
                                       prefill_accounting="no_cache") if p.bin == "all"]
    prompts = [rows[0].prompt_tokens for rows in by_problem.values()]
    extra = 3 * sum(prefill_flops(MODEL, p) for p in prompts) / len(prompts)
    assert nc.mean_flops == pytest.approx(pc.mean_flops + extra, rel=1e-12)
    assert nc.mean_total_tokens == pytest.approx(pc.mean_total_tokens + 3 * sum(prompts) / len(prompts))


def test_unknown_prefill_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="prefix_cache, no_cache"):
        adaptive_curve("ac", BetaRule(), MODEL, "t", pools(), [8], prefill_accounting="per_call")
