"""Per-problem values behind each curve point: `per_problem.parquet` beside `metrics.json`.

One row per (model, strategy, budget, problem) of the `all` bin: the problem's value whose mean over
problems is the point's accuracy. The values are the ones the point's bootstrap CI resampled: a
strategy's cells (`harness.analysis.cells.Cells.values`), and for adaptive voting, which has no cells,
the arrays taken with `stats.record_values()` while its curve is built (`attach_ids`), so paired
comparisons (claims, `check`) reuse the curves' numbers instead of recomputing them. Problems are in
sorted id order, as in the analysis.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from core.records import CurvePoint

FILE = "per_problem.parquet"

PerProblem = dict[str, dict[str, float]]
"""point key -> problem id -> value."""


def point_key(model: str, strategy: str, budget: int) -> str:
    """The name of a curve point in baselines and per-problem tables: `model/strategy/k=budget`."""
    return f"{model}/{strategy}/k={budget}"


def attach_ids(
    points: list[CurvePoint], recorded: list[np.ndarray[Any, Any]], ids_by_model: dict[str, list[list[str]]]
) -> PerProblem:
    """Pair each `all`-bin point with its recorded values and its problems' ids.

    `recorded` holds the arrays in the order the points were built (the analysis computes each
    point's CI just before making it); a point takes the next array that reproduces its problem count
    and accuracy. A point whose model has no single id list of that length is left out.
    """
    out: PerProblem = {}
    pending = iter(recorded)
    for p in points:
        # the next recorded array that reproduces this point (skips any CI computed without a point)
        values = next((v for v in pending if v.size == p.n_problems and v.size
                       and np.isclose(v.mean(), p.accuracy)), None)
        if values is None:
            return out
        if p.bin != "all":
            continue
        fitting = {tuple(ids) for ids in ids_by_model.get(p.model, []) if len(ids) == values.size}
        if len(fitting) == 1:
            (ids,) = fitting
            out[point_key(p.model, p.strategy, p.budget)] = dict(zip(ids, map(float, values), strict=True))
    return out


def write_per_problem(run_dir: Path, values: PerProblem) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [{"point": key, "problem_id": pid, "value": v}
            for key, by_problem in sorted(values.items()) for pid, v in by_problem.items()]
    schema = pa.schema([("point", pa.string()), ("problem_id", pa.string()), ("value", pa.float64())])
    path = Path(run_dir) / FILE
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
    return path


def read_per_problem(run_dir: Path) -> PerProblem | None:
    """The run's per-problem values, or None for a run folder written before they were kept."""
    path = Path(run_dir) / FILE
    if not path.exists():
        return None
    import pyarrow.parquet as pq

    table = pq.read_table(path).to_pydict()
    out: PerProblem = {}
    for key, pid, v in zip(table["point"], table["problem_id"], table["value"], strict=True):
        out.setdefault(key, {})[pid] = float(v)
    return out


def model_id_lists(rows: Iterable[Any]) -> dict[str, list[list[str]]]:
    """model -> the sorted problem ids of each of its pools (from scored rows)."""
    pools: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        pools.setdefault((r.model, r.pool_kind), set()).add(r.problem_id)
    out: dict[str, list[list[str]]] = {}
    for (model, _), ids in pools.items():
        out.setdefault(model, []).append(sorted(ids))
    return out
