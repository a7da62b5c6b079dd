"""The report's mixed-pools table: two sampled pools (two models merged by `report RUN1 RUN2`) against an
independent enumeration of every pair of subsets; a run with one sampled pool gets only a note."""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from harness.cli import main
from harness.run.score import ScoredRow
from harness.rundir import read_scores, write_scores
from tests.harness.report.test_report import make_run


def complementary_run(root: Path, name: str, model: str, strong_first_half: bool, seed: int) -> Path:
    """A run whose sampled pool is right 70% of the time on one half of the problems and 10% on the
    other, so that a split between two such models beats either model alone."""
    run = make_run(root, name, model=model, seed=seed)
    rng = random.Random(seed)
    rows = []
    for r in read_scores(run / "scores.jsonl"):
        if r.index >= 6:  # pools of 6: K = 8 must split, and the enumeration stays small
            continue
        strong = (int(r.problem_id[1:]) < 15) == strong_first_half
        ok = rng.random() < (0.7 if strong else 0.1)
        answer = "7" if ok else rng.choice(["1", "2", "2", None])
        rows.append(ScoredRow(r.model, r.pool_kind, r.pool, r.problem_id, r.index, answer, ok, r.status,
                              r.prompt_tokens, r.completion_tokens, r.mean_logprob, r.latency_s,
                              r.finish_reason, r.engine, vote=answer, vote_correct=ok))
    write_scores(rows, run / "scores.jsonl")
    return run


def enumerate_splits(keys1: list[str | None], keys2: list[str | None], k1: int,
                     k2: int) -> tuple[float, float]:
    """(pass@(k1+k2), majority@(k1+k2)) of one problem over every (k1-subset, k2-subset) pair by index;
    "7" is the one correct answer, ties split uniformly, None casts no vote."""
    passed = voted = 0.0
    pairs = 0
    for s1 in itertools.combinations(range(len(keys1)), k1):
        for s2 in itertools.combinations(range(len(keys2)), k2):
            drawn = [k for k in [keys1[i] for i in s1] + [keys2[i] for i in s2] if k is not None]
            pairs += 1
            passed += "7" in drawn
            votes = Counter(drawn)
            if votes:
                top = max(votes.values())
                tied = [k for k, v in votes.items() if v == top]
                voted += ("7" in tied) / len(tied)
    return passed / pairs, voted / pairs


def feasible(total: int, size: int = 6) -> range:
    """k1 of the splits of `total` between two pools of `size`."""
    return range(max(0, total - size), min(size, total) + 1)


def test_two_models_get_the_best_split_of_each_total_budget(tmp_path: Path) -> None:
    a = complementary_run(tmp_path, "a", "left", True, seed=3)
    b = complementary_run(tmp_path, "b", "right", False, seed=4)
    out = tmp_path / "merged"
    assert main(["report", str(a), str(b), "--out", str(out)]) == 0
    table = json.loads((out / "metrics.json").read_text())["tables"]["mixed_pools"]
    keys: dict[str, dict[str, list[str | None]]] = {"left": {}, "right": {}}
    for run in (a, b):
        for r in sorted(read_scores(run / "scores.jsonl"), key=lambda r: r.index):
            if r.pool_kind == "sampled":
                keys[r.model].setdefault(r.problem_id, []).append(r.vote)
    problems = sorted(keys["left"])
    assert {(r["metric"], r["total K"]) for r in table} == {(m, k) for m in ("majority", "pass_at_k")
                                                          for k in (1, 2, 4, 8)}
    per_problem = {(p, k1, total): enumerate_splits(keys["left"][p], keys["right"][p], k1, total - k1)
                   for total in (1, 2, 4, 8) for k1 in feasible(total) for p in problems}
    interior = 0
    for row in table:
        assert row["pools (1 + 2)"] == "left + right" and row["problems"] == 30
        total, which = row["total K"], 1 if row["metric"] == "majority" else 0
        mean = {k1: float(np.mean([per_problem[p, k1, total][which] for p in problems]))
                for k1 in feasible(total)}
        best = max(mean.values())
        assert row["best k1"] + row["best k2"] == total
        assert row["accuracy"] == pytest.approx(best, abs=1e-9)
        assert mean[row["best k1"]] == pytest.approx(best, abs=1e-9)
        if total <= 6:
            assert row["pool 1 alone (K, 0)"] == pytest.approx(mean[total], abs=1e-9)
            assert row["pool 2 alone (0, K)"] == pytest.approx(mean[0], abs=1e-9)
        else:  # 8 samples: more than either pool holds
            assert row["pool 1 alone (K, 0)"] is None and row["pool 2 alone (0, K)"] is None
            assert row["every split k1+k2: accuracy"].startswith("2+6: ")
        assert row["CI low"] <= row["accuracy"] <= row["CI high"]
        interior += 0 < row["best k1"] < total
    assert interior >= 4  # complementary pools: a split beats both pure pools at several budgets
    assert "Mixed pools: the best split" in (out / "report.html").read_text()


def test_one_sampled_pool_gets_a_note_and_no_rows(tmp_path: Path) -> None:
    run = make_run(tmp_path, "one")
    assert main(["report", str(run)]) == 0
    assert json.loads((run / "metrics.json").read_text())["tables"]["mixed_pools"] == []
    assert "No mixed pools: the run has 1 sampled pool(s)" in (run / "report.html").read_text()
