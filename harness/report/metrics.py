"""The report's tables of stored-pool metrics (docs/metrics.md): stability, per-pool rates, cost per
correct answer, the cheapest way to solve X% of problems, and mixed pools.

Stability and rates are per (model, pool) at each budget k of the run (`harness.analysis.stability_table`,
`harness.analysis.pool_rates`); cost per correct answer is per deployable `all`-bin point on every budget axis
(`harness.analysis.cost_per_correct`), and the cheapest-to-solve table reads the same points per axis. Each
table is a list of rows (for metrics.json) and an HTML table. Mixed pools pair every two sampled pools
of the run (two models, or two temperatures run under two model names and merged by `report RUN1 RUN2`)
on their common problems: the best split of each total budget K of the run, counted in samples
(`harness.analysis.mixed_pools`); a run with fewer than two sampled pools gets no rows, only a note
saying why.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from core.records import CurvePoint
from harness.analysis.axes import AXES
from harness.analysis.cost_per_correct import cheapest_to_solve, cost_per_correct_all_axes
from harness.analysis.mixed_pools import KINDS, best_splits, split_values
from harness.analysis.pareto import deployable
from harness.analysis.pool_rates import pool_rates
from harness.analysis.pool_votes import PoolVotes, row_votes
from harness.analysis.selection import group_pools
from harness.analysis.stability_table import stability
from harness.run.score import ScoredRow

TARGETS = (0.1, 0.25, 0.5, 0.75, 0.9)
"""Fractions of problems of the cheapest-to-solve table."""

HtmlTable = Callable[[list[str], list[list[Any]]], str]


@dataclass(frozen=True)
class Table:
    """One report table: what metrics.json keeps and what report.html shows."""

    key: str
    """Name under `tables` in metrics.json."""
    title: str
    headers: list[str]
    rows: list[list[Any]]
    note: str = ""

    def to_json(self) -> list[dict[str, Any]]:
        return [dict(zip(self.headers, (_plain(v) for v in row), strict=True)) for row in self.rows]


def _plain(v: Any) -> Any:
    """JSON-safe: non-finite floats become None."""
    return None if isinstance(v, float) and not math.isfinite(v) else v


def stability_rows(rows: Sequence[ScoredRow], ks: Sequence[int]) -> Table:
    out = []
    for st in stability(rows, ks):
        for k, at in st.by_k.items():
            out.append([st.model, st.pool_kind, k, at.pass_at_k, at.pass_hat_k, at.g_pass[0.5],
                        at.g_pass[0.75], at.g_pass[1.0], at.mg_pass, st.avg.mean, st.avg.se,
                        st.avg.se_sampling])
    return Table("stability", "Stability across samples (exact from each pool)",
                 ["model", "pool", "k", "pass@k", "pass^k", "G-Pass@k 0.5", "G-Pass@k 0.75", "G-Pass@k 1.0",
                  "mG-Pass@k", "avg@n", "avg@n SE", "avg@n sampling SE"], out,
                 "pass^k: all k correct; G-Pass@k_tau: at least ceil(tau k) of k correct; mG-Pass@k: "
                 "its mean over tau in (0.5, 1]; avg@n: mean fraction of correct samples, SE over problems "
                 "and from sampling alone (docs/metrics.md).")


def rate_rows(rows: Sequence[ScoredRow], ks: Sequence[int]) -> Table:
    out = []
    for r in pool_rates(rows, ks):
        for k in r.tie_rate:
            out.append([r.model, r.pool_kind, k, r.no_answer_rate, r.truncation_rate, r.tie_rate[k],
                        r.silent_rate[k], r.n_problems])
    return Table("rates", "Per-pool rates", ["model", "pool", "k", "no-answer rate", "truncation rate",
                                             "majority tie rate", "no-voter rate", "problems"], out,
                 "No-answer: samples with no extracted answer; truncation: finish_reason = length; tie rate: "
                 "P(the top vote count of k samples is shared), exact over k-subsets.")


def cost_per_correct_rows(points: Sequence[CurvePoint]) -> Table:
    names = list(AXES)
    out = []
    for p in deployable([p for p in points if p.bin == "all"]):
        per = cost_per_correct_all_axes(p)
        out.append([p.model, p.strategy, p.budget, p.accuracy, *(per[n] for n in names)])
    return Table("cost_per_correct", "Cost per correct answer",
                 ["model", "strategy", "k", "accuracy", *names], out,
                 "Expected cost of one solved problem: cost per problem / accuracy (inf: solves none).")


def cheapest_targets(points: Sequence[CurvePoint], targets: Sequence[float] = TARGETS) -> list[float]:
    """`targets`, and where the best deployable `all`-bin accuracy is below the smallest of them, that best
    accuracy and its half too (so a weak model's table still names the cheapest way to what it reaches)."""
    best = max((p.accuracy for p in deployable(points) if p.bin == "all"), default=0.0)
    extra = [best / 2, best] if 0 < best < min(targets, default=1.0) else []
    return sorted({*extra, *targets})


def cheapest_rows(points: Sequence[CurvePoint], targets: Sequence[float] = TARGETS) -> Table:
    """Per target and axis the cheapest point; a target no point reaches is one row (axis `every`)."""
    out: list[list[Any]] = []
    pool = deployable(points)
    for target in cheapest_targets(pool, targets):
        rows = [row for name in AXES for row in cheapest_to_solve(pool, name, [target])]
        if all(row.point is None for row in rows):
            out.append([f"{target:.3g}", "every", "—", math.nan, math.nan, math.nan, rows[0].note])
            continue
        for row in rows:
            assert row.point is not None  # every axis sees the same points: one reaches it, all do
            where = f"{row.point.model} / {row.point.strategy} @ {row.point.budget}"
            out.append([f"{target:.3g}", row.axis, where, row.cost, row.cost_per_correct, row.point.accuracy,
                        row.note])
    return Table("cheapest", "Cheapest way to solve X% of problems",
                 ["solve (fraction)", "axis", "model / strategy @ k", "cost per problem", "cost per correct",
                  "accuracy", "note"], out,
                 "Per target and axis, the measured deployable point with the lowest cost whose accuracy "
                 "reaches the target (oracle strategies left out); for a model below 10% also its best "
                 "accuracy and half of it.")


MIXED_HEADERS = ["pools (1 + 2)", "metric", "total K", "best k1", "best k2", "accuracy", "CI low",
                 "CI high", "pool 1 alone (K, 0)", "pool 2 alone (0, K)", "tokens per problem",
                 "every split k1+k2: accuracy", "problems"]


def mixed_pool_rows(rows: Sequence[ScoredRow], ks: Sequence[int], seed: int = 0) -> Table:
    """Per pair of sampled pools, metric (majority over the union, oracle pass@(k1 + k2)) and total K of
    `ks`: the best split, its bootstrap CI, both pure pools at K (nan where K exceeds the pool), the
    split's generated tokens (k1 t1 + k2 t2, ti the mean completion tokens of one sample of pool i) and
    every split's accuracy."""
    pools = group_pools(rows)
    models = sorted(m for m, kind in pools if kind == "sampled")
    title = "Mixed pools: the best split of K samples between two sampled pools"
    note = ("Per total budget K = k1 + k2 (counted in samples; the pools' per-sample costs differ when the "
            "models do, see tokens per problem), the split with the highest mean accuracy over the common "
            "problems, exact per problem (docs/metrics.md); majority votes over the union of both draws.")
    if len(models) < 2:
        return Table("mixed_pools", title, MIXED_HEADERS, [],
                     f"No mixed pools: the run has {len(models)} sampled pool(s) and a split needs two "
                     "(merge runs of two models, or of two temperatures under two model names: "
                     "report RUN1 RUN2).")
    votes: dict[str, dict[str, PoolVotes]] = {}
    tokens: dict[str, float] = {}
    for m in models:
        by_problem = pools[(m, "sampled")]
        votes[m] = {pid: row_votes(p) for pid, p in by_problem.items()}
        tokens[m] = float(sum(r.completion_tokens for p in by_problem.values() for r in p)
                          / sum(len(p) for p in by_problem.values()))
    out: list[list[Any]] = []
    for a, b in combinations(models, 2):
        common = sorted(set(votes[a]) & set(votes[b]))
        if not common:
            continue
        one, two = {p: votes[a][p] for p in common}, {p: votes[b][p] for p in common}
        top = max(ks, default=0)  # no split beyond the run's largest budget is read
        n1 = min(top, *(len(v.keys) for v in one.values()))
        n2 = min(top, *(len(v.keys) for v in two.values()))
        for kind in KINDS:
            values = split_values(one, two, n1, n2, kind)
            mean = values.mean(axis=0)
            for split in best_splits(values, ks, tokens[a], tokens[b], seed):
                total = split.k1 + split.k2
                each = "; ".join(f"{k1}+{total - k1}: {mean[k1, total - k1]:.3f}"
                                 for k1 in range(max(0, total - n2), min(n1, total) + 1))
                alone1 = float(mean[total, 0]) if total <= n1 else math.nan
                alone2 = float(mean[0, total]) if total <= n2 else math.nan
                out.append([f"{a} + {b}", kind, total, split.k1, split.k2, split.accuracy, split.ci_low,
                            split.ci_high, alone1, alone2, split.cost, each, len(common)])
    return Table("mixed_pools", title, MIXED_HEADERS, out, note)


def metric_tables(rows: Sequence[ScoredRow], points: Sequence[CurvePoint], ks: Sequence[int],
                  seed: int = 0) -> list[Table]:
    return [stability_rows(rows, ks), rate_rows(rows, ks), cost_per_correct_rows(points),
            cheapest_rows(points), mixed_pool_rows(rows, ks, seed)]


def html_sections(tables: Sequence[Table], html_table: HtmlTable) -> list[tuple[str, str]]:
    import html

    return [(t.title, (f"<p class='note'>{html.escape(t.note)}</p>" if t.note else "")
             + (html_table(t.headers, t.rows) if t.rows else "")) for t in tables]
