"""Build the report of one or more run folders from what they hold.

A run folder (`harness.rundir`) has `config.yaml`, `run.json` (task, prompt and verifier versions, budgets,
strategies, prices), `models.json`, `problems.jsonl` and `scores.jsonl`. Several runs merge into
one frontier when their task, prompt version and verifier version agree; otherwise the merge is
refused naming the field that differs. Writes `metrics.json`, `metrics.parquet`, `pareto.png/.svg`
(and `pareto_latency`, `pareto_eflops`), `curves_<strategy>.png/.svg` (`adaptive_majority` in
`curves_majority`), `report.html` (with the stored-pool metric tables and the per-sample viewer),
prints the summary, and logs to wandb.
"""

from __future__ import annotations

import html
import re
import time
from pathlib import Path
from typing import Any

from core.accounting import DESCRIPTIONS, rule_of
from core.records import CurvePoint
from harness.analysis.adaptive import ADAPTIVE_LABEL, adaptive_majority_curves
from harness.analysis.curves import analyze, run_curves
from harness.analysis.floor import floor_notes
from harness.analysis.matched import MatchedValue, matched_table
from harness.analysis.memory_traffic import DEFAULT_ACCELERATOR, accelerator
from harness.analysis.per_problem import PerProblem, attach_ids, model_id_lists, write_per_problem
from harness.analysis.scaling_fit import fit_coverage
from harness.analysis.selection import Pools, Price, accuracy_matrix, difficulty_bins, group_pools
from harness.analysis.stats import record_values
from harness.engines.hardware import hardware, versions
from harness.report.band import band_section, stage_section
from harness.report.html import html_table, write_html
from harness.report.metrics import html_sections, metric_tables
from harness.report.tracking import log_run
from harness.report.viewer import store_texts, viewer_data
from harness.report.write import plot_curves, summary_table, write_metrics
from harness.rundir import RunData, load_run
from strategies import CellIndex, PoolKey, Strategy, get_strategy, is_meta, is_search, is_selection

MERGE_FIELDS = ("task", "prompt_version", "verifier_version")


class RunMismatchError(ValueError):
    """Runs that cannot share one frontier."""


def merge_runs(runs: list[RunData]) -> RunData:
    first = runs[0]
    for other in runs[1:]:
        for name in MERGE_FIELDS:
            if other.meta[name] != first.meta[name]:
                raise RunMismatchError(
                    f"cannot merge runs: {name} differs ({first.meta[name]!r} vs {other.meta[name]!r})"
                )
    meta = dict(first.meta)
    meta["budgets"] = sorted({b for r in runs for b in r.meta["budgets"]})
    meta["strategies"] = list({s["label"]: s for r in runs for s in r.meta["strategies"]}.values())
    meta["prices"] = {k: v for r in runs for k, v in r.meta.get("prices", {}).items()}
    meta["name"] = "+".join(dict.fromkeys(r.meta["name"] for r in runs))
    seen: set[tuple[str, str, str, int]] = set()
    pool_of: dict[tuple[str, str], str] = {}
    rows = []
    for r in runs:
        for row in r.rows:
            held = pool_of.setdefault((row.model, row.pool_kind), row.pool)
            if held != row.pool:  # analysis keys pools by (model, kind): a second one would be dropped
                raise RunMismatchError(
                    f"cannot merge runs: {row.model}'s {row.pool_kind} pool differs between them "
                    f"({held} vs {row.pool}: another temperature, top_p or max_tokens); give one of the "
                    "models another name (a copy of its configs/model file) to compare them")
            key = (row.model, row.pool_kind, row.problem_id, row.index)
            if key not in seen:
                seen.add(key)
                rows.append(row)
    return RunData(meta, {k: v for r in runs for k, v in r.infos.items()}, rows,
                   {k: v for r in runs for k, v in r.problems.items()},
                   "\n---\n".join(r.config_yaml for r in runs))


def coverage_fits(data: RunData, resamples: int, seed: int, pools: Pools | None = None) -> list[list[Any]]:
    """Rows of the coverage scaling fit for each model with a sampled pool."""
    pools = group_pools(data.rows) if pools is None else pools
    strategy = get_strategy("pass_at_k")
    assert is_selection(strategy)
    out: list[list[Any]] = []
    for model in data.infos:
        by_problem = pools.get((model, "sampled"))
        if not by_problem:
            continue
        n = min(len(v) for v in by_problem.values())
        ks = list(range(1, n + 1))
        fit = fit_coverage(ks, accuracy_matrix(strategy, by_problem, ks), resamples=resamples, seed=seed)
        if fit is None:
            out.append([model, "no fit (coverage is 0 or 1 at every k)", "", "", ""])
            continue
        need = fit.samples_for(0.9)
        out.append([model, f"{fit.a:.3f} [{fit.a_ci[0]:.3f}, {fit.a_ci[1]:.3f}]",
                    f"{fit.b:.3f} [{fit.b_ci[0]:.3f}, {fit.b_ci[1]:.3f}]", fit.n_points,
                    "never (fit saturates below)" if need is None else f"{need:.3g} (extrapolation)"])
    return out


def matched_rows(values: list[MatchedValue]) -> list[list[Any]]:
    return [[v.model, v.strategy, v.axis, v.at, "—" if v.accuracy is None else f"{v.accuracy:.3f}",
             "—" if v.ci_low is None else f"[{v.ci_low:.3f}, {v.ci_high:.3f}]", v.note] for v in values]


def best_at(values: list[MatchedValue], oracles: set[str]) -> MatchedValue | None:
    """The deployable arm with the highest accuracy at the matched compute (None: no arm has a number)."""
    have = [v for v in values if v.accuracy is not None and v.strategy not in oracles]
    return max(have, key=lambda v: v.accuracy or 0.0, default=None)


def cell_pools(strategies: list[Strategy]) -> tuple[dict[str, str], dict[tuple[str, int], int]]:
    """Curve label -> pool kind it reads (`PoolKey`), and each search cell's (label, budget) -> trace
    index (`CellIndex`)."""
    pool_of = {ADAPTIVE_LABEL: "sampled"}
    traces: dict[tuple[str, int], int] = {}
    for s in strategies:
        key = PoolKey.of(s)
        if key is None:
            continue
        pool_of[s.label] = key.kind
        if is_search(s):
            index = CellIndex.of(s)
            for j, (label, budget) in enumerate(zip(index.labels(), index.budgets(), strict=True)):
                traces[(label, budget)] = j
    return pool_of, traces


def sample_viewer(dirs: list[Path], data: RunData, points: list[CurvePoint], per_problem: PerProblem,
                  strategies: list[Strategy]) -> dict[str, Any]:
    pool_of, traces = cell_pools(strategies)
    texts = store_texts(dirs, data.meta["task"], data.rows)
    return viewer_data(points, data.rows, per_problem, pool_of, traces, texts, data.problems)


def build_report(
    run_dirs: list[Path] | Path,
    out_dir: Path | None = None,
    wandb_mode: str | None = None,
    wandb_project: str = "ttc-harness",
    at: tuple[str, float] | None = None,
    accelerator_name: str | None = None,
) -> list[CurvePoint]:
    """`accelerator_name` prices memory traffic on the eFLOPs axis (default: the run's `accelerator`,
    else cpu)."""
    dirs = [Path(run_dirs)] if isinstance(run_dirs, str | Path) else [Path(d) for d in run_dirs]
    data = merge_runs([load_run(d) for d in dirs])
    out = Path(out_dir) if out_dir else dirs[0]
    out.mkdir(parents=True, exist_ok=True)
    meta = data.meta
    resamples, seed = int(meta["bootstrap"]["resamples"]), int(meta["bootstrap"]["seed"])
    prices = {k: Price(**v) for k, v in meta.get("prices", {}).items()}
    strategies = [get_strategy(s["name"], s["label"], **s["options"]) for s in meta["strategies"]]
    accounting = rule_of(meta)
    hw = accelerator(accelerator_name or meta.get("accelerator", DEFAULT_ACCELERATOR))
    budgets = [int(b) for b in meta["budgets"]]
    pools = group_pools(data.rows)  # once per report: the curves, adaptive voting and the fits read it
    curves = run_curves(pools, data.infos, strategies, budgets, prices, data.problems, accounting)
    points = [p for c in curves for p in c.points(meta["task"], resamples, seed, hw.intensity)]
    per_problem: PerProblem = {k: v for c in curves for k, v in c.cells.values().items()}
    with record_values() as recorded:  # adaptive voting has no cells: the values behind its CIs
        adaptive = adaptive_majority_curves(
            data.rows, data.infos, meta["task"], [s.label for s in strategies], budgets, prices,
            {m: difficulty_bins(pools, data.problems, m) for m in data.infos}, seed, resamples, hw.intensity,
            accounting, pools)
    points += adaptive
    per_problem.update(attach_ids(adaptive, recorded, model_id_lists(data.rows)))
    write_per_problem(out, per_problem)
    tables = metric_tables(data.rows, points, budgets, seed)
    summary = {k: meta[k] for k in ("name", "task", "prompt_version", "verifier_version", "bootstrap")}
    write_metrics(points, out, {**summary, "runs": [str(d) for d in dirs], "n_samples": len(data.rows),
                                "engines": sorted({r.engine for r in data.rows}),
                                "models": {k: v.path for k, v in data.infos.items()},
                                "accelerator": {"name": hw.name, "intensity": hw.intensity}},
                  {t.key: t.to_json() for t in tables})
    title = f"{meta['task']}: accuracy vs compute ({meta['name']})"
    plots = plot_curves(points, out / "pareto", title)
    plots += plot_curves(points, out / "pareto_latency",
                         f"{meta['task']}: accuracy vs latency ({meta['name']})", axis_name="latency",
                         suffixes=(".png",))
    plots += plot_curves(points, out / "pareto_eflops", f"{meta['task']}: accuracy vs effective FLOPs ("
                         f"{meta['name']}, I = {hw.intensity:.3g} FLOPs/byte, {hw.name})", axis_name="eflops",
                         suffixes=(".png",))
    family_of = {ADAPTIVE_LABEL: "majority"}  # adaptive voting beside the fixed-k vote it stops early
    for strategy in dict.fromkeys(family_of.get(p.strategy, p.strategy) for p in points):
        family = [p for p in points if family_of.get(p.strategy, p.strategy) == strategy]
        stem = re.sub(r"[^\w.-]+", "_", strategy).strip("_")  # verification[V=1] -> verification_V_1
        plots += plot_curves(family, out / f"curves_{stem}", f"{meta['task']}: {strategy}",
                             show_frontier=False)
    for s in strategies:
        compare = getattr(s, "compare", None)
        if is_meta(s) and compare:
            pair = [p for p in points if p.strategy in (s.label, compare)]
            if any(p.strategy == s.label for p in pair):
                plots += plot_curves(pair, out / f"curves_{s.label}_vs_{compare}",
                                     f"{meta['task']}: {s.label} vs {compare}", show_frontier=False)
    sections = []
    fits = coverage_fits(data, min(resamples, 200), seed, pools)
    if fits:
        sections.append(("Coverage scaling fit c(k) ~ exp(a k^b)", html_table(
            ["model", "a [95% CI]", "b [95% CI]", "points", "samples for 90% coverage"], fits)))
    if at is not None:
        values = matched_table(points, *at)
        sections.append((f"Matched compute: {at[0]} = {at[1]:.3g}", html_table(
            ["model", "strategy", "axis", "at", "accuracy", "95% CI", "note"], matched_rows(values))))
        print(f"\nat {at[0]} = {at[1]:.3g}:")
        for v in values:
            acc = "no number" if v.accuracy is None else f"{v.accuracy:.3f} [{v.ci_low:.3f}, {v.ci_high:.3f}]"
            print(f"  {v.model} / {v.strategy}: {acc} ({v.note})")
        best = best_at(values, {p.strategy for p in points if p.oracle})
        line = ("no deployable arm reaches it" if best is None else
                f"{best.model} / {best.strategy}: {best.accuracy:.3f} ({best.note})")
        print(f"best at {at[0]} = {at[1]:.3g}: {line}")
        sections.append((f"Best at {at[0]} = {at[1]:.3g}",
                         f"<p><b>{html.escape(line)}</b> (oracle strategies left out)</p>"))
    sections += html_sections(tables, html_table)
    stages = stage_section(data.rows)
    if stages:
        sections.append(("Answer extraction", stages))
    band = band_section(data.rows, points, lambda rows: analyze(
        rows, data.infos, meta["task"], strategies, meta["budgets"], min(resamples, 200), seed, prices,
        data.problems, accounting), html_table)
    if band:
        sections.append(("Verifier sensitivity band", band))
    sections.append(("Compute accounting", f"<p>prefill_accounting = <b>{accounting}</b>, for every arm: "
                      f"{DESCRIPTIONS[accounting]} FLOPs per token position at context t: 2N + 2 d_model V + "
                      "4 n_layer t d_attn (docs/compute.md).</p>"
                      f"<p>Latency: modeled wall-clock seconds per query from the samples' measured engine "
                      f"seconds; k parallel samples wait for the slowest (exact order statistics over the "
                      f"pool), sequential calls add up, {ADAPTIVE_LABEL} draws one sample at a time. "
                      f"eFLOPs = FLOPs + I x memory bytes moved, I = {hw.intensity:.3g} FLOPs/byte "
                      f"({hw.name}; docs/metrics.md).</p>"))
    notes = floor_notes(points, meta["task"])
    write_html(out / "report.html", title, points, [p for p in plots if p.suffix == ".png"], sections,
               data.config_yaml, versions(), hardware(), notes,
               sample_viewer(dirs, data, points, per_problem, strategies))
    for note in notes:
        print(note)
    print(summary_table(points))
    log_run(wandb_mode or "disabled", wandb_project, f"{meta['name']}-{time.strftime('%Y%m%d-%H%M%S')}",
            out, {"meta": meta}, points, out / "pareto.png")
    return points

