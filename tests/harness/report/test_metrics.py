"""The cheapest-to-solve table of a weak model still names the cheapest way to what it reaches."""

from __future__ import annotations

import pytest

from core.records import CurvePoint
from harness.report.metrics import cheapest_rows, cheapest_targets


def point(strategy: str, budget: int, accuracy: float, flops: float, oracle: bool = False) -> CurvePoint:
    return CurvePoint(model="m", task="t", strategy=strategy, budget=budget, accuracy=accuracy,
                      ci_low=0.0, ci_high=accuracy, mean_samples=float(budget), mean_tokens=10.0 * budget,
                      mean_flops=flops, mean_seconds=float(budget), n_problems=20, oracle=oracle)


def test_a_weak_model_gets_its_best_accuracy_and_half_of_it_as_targets() -> None:
    weak = [point("majority", 1, 0.02, 1e9), point("majority", 4, 0.04, 4e9),
            point("pass_at_k", 4, 0.5, 4e9, oracle=True)]  # an oracle's accuracy is not reachable
    assert cheapest_targets(weak) == pytest.approx([0.02, 0.04, 0.1, 0.25, 0.5, 0.75, 0.9])
    rows = cheapest_rows(weak).to_json()
    flops = {r["solve (fraction)"]: r for r in rows if r["axis"] == "flops"}
    assert flops["0.02"]["model / strategy @ k"] == "m / majority @ 1"
    assert flops["0.02"]["cost per correct"] == pytest.approx(1e9 / 0.02)
    assert flops["0.04"]["model / strategy @ k"] == "m / majority @ 4"
    assert [r["axis"] for r in rows if r["solve (fraction)"] == "0.1"] == ["every"]
    strong = [point("majority", 1, 0.3, 1e9)]
    assert cheapest_targets(strong) == [0.1, 0.25, 0.5, 0.75, 0.9]
