"""per_problem.parquet: the values behind every curve point, checked against the points and against
pass@k enumerated by hand from the scored samples."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from harness.analysis.per_problem import read_per_problem
from harness.report.build import build_report
from harness.rundir import read_scores
from tests.harness.report.test_report import make_run


def test_every_point_has_its_per_problem_values(tmp_path: Path) -> None:
    run = make_run(tmp_path, "r")
    build_report(run)
    values = read_per_problem(run)
    assert values is not None
    points = [p for p in json.loads((run / "metrics.json").read_text())["points"] if p["bin"] == "all"]
    assert {f"{p['model']}/{p['strategy']}/k={p['budget']}" for p in points} == set(values)
    for p in points:
        v = values[f"{p['model']}/{p['strategy']}/k={p['budget']}"]
        assert len(v) == p["n_problems"] == 30
        assert np.mean(list(v.values())) == pytest.approx(p["accuracy"])


def test_pass_at_k_values_match_enumeration_over_k_subsets(tmp_path: Path) -> None:
    run = make_run(tmp_path, "r", seed=3)
    build_report(run)
    values = read_per_problem(run)
    assert values is not None
    rows = [r for r in read_scores(run / "scores.jsonl") if r.pool_kind == "sampled"]
    for pid in ("p0", "p1", "p7"):
        correct = [r.correct for r in sorted(rows, key=lambda r: r.index) if r.problem_id == pid]
        for k in (1, 2, 4):
            subsets = list(itertools.combinations(correct, k))
            assert values[f"m/pass_at_k/k={k}"][pid] == pytest.approx(np.mean([any(s) for s in subsets]))


def test_an_old_run_folder_has_none(tmp_path: Path) -> None:
    assert read_per_problem(make_run(tmp_path, "r")) is None
