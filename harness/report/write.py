"""Write a run's results: `metrics.json`/`.parquet`, Pareto plots (PNG + SVG), one plot per strategy
family, and the summary table.

The Pareto plot has log-compute on x, one line per model x strategy with its 95% CI band, and the
frontier across all of them highlighted as a thick step line. Oracle strategies (pass@k reads the
reference) are drawn dashed as "upper bound, needs a perfect verifier" and are never on the frontier.
The y-axis spans [0, 1] unless the
curves sit in a small part of it; then it is fitted to them (`harness.analysis.floor.y_limits`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from core.records import CurvePoint
from harness.analysis.axes import axis, axis_label
from harness.analysis.floor import y_limits
from harness.analysis.pareto import deployable, frontier
from harness.rundir import METRICS

ORACLE_LABEL = " (upper bound, needs a perfect verifier)"
ORACLE_NOTE = ("Dashed lines are oracle strategies (pass@k reads the reference to pick a correct sample): "
               "an upper bound that needs a perfect verifier, never a deployable arm, so they are never on "
               "the Pareto frontier and never compute_optimal candidates.")


def frontier_ids(points: list[CurvePoint], axis_name: str = "flops") -> set[int]:
    """Points on the frontier of their own difficulty bin (`all` included)."""
    cost = axis(axis_name)
    ids: set[int] = set()
    for label in {p.bin for p in points}:
        ids |= {id(p) for p in frontier(deployable([p for p in points if p.bin == label]), cost,
                                        lambda p: p.accuracy)}
    return ids


def write_metrics(points: list[CurvePoint], run_dir: Path, meta: dict[str, Any],
                  tables: dict[str, list[dict[str, Any]]] | None = None) -> None:
    """`metrics.json` (meta, points, and `tables`: the report's stored-pool metric tables) and
    `metrics.parquet` (the points)."""
    on_frontier = frontier_ids(points)
    rows = [dict(p.to_json(), on_frontier=id(p) in on_frontier) for p in points]
    payload: dict[str, Any] = {"meta": meta, "points": rows}
    if tables is not None:
        payload["tables"] = tables
    (run_dir / METRICS).write_text(json.dumps(payload, indent=2, sort_keys=True))
    import pyarrow as pa
    import pyarrow.parquet as pq

    flat = [{k: v for k, v in r.items() if k != "extra"} | {f"extra_{k}": v for k, v in r["extra"].items()}
            for r in rows]
    pq.write_table(pa.Table.from_pylist(flat), run_dir / "metrics.parquet")


def plot_curves(points: list[CurvePoint], path_stem: Path, title: str, axis_name: str = "flops",
                show_frontier: bool = True, suffixes: tuple[str, ...] = (".png", ".svg")) -> list[Path]:
    """Draw curves of the `all` bin; returns the paths written (PNG and SVG by default)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cost = axis(axis_name)
    points = [p for p in points if p.bin == "all"]
    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=120)
    lines: dict[tuple[str, str], list[CurvePoint]] = defaultdict(list)
    for p in points:
        lines[(p.model, p.strategy)].append(p)
    palette = [plt.get_cmap("tab20")(i) for i in range(20)]
    markers = "osD^vP*Xh<>p"
    for i, ((model, strategy), pts) in enumerate(sorted(lines.items())):
        pts.sort(key=cost)
        x = [cost(p) for p in pts]
        oracle = any(p.oracle for p in pts)
        (line,) = ax.plot(x, [p.accuracy for p in pts], marker=markers[i % len(markers)],
                          color=palette[i % len(palette)], linestyle="--" if oracle else "-",
                          label=f"{model} / {strategy}" + (ORACLE_LABEL if oracle else ""))
        ax.fill_between(x, [p.ci_low for p in pts], [p.ci_high for p in pts], alpha=0.15,
                        color=line.get_color())
        for p in pts:
            ax.annotate(str(p.budget), (cost(p), p.accuracy), fontsize=7, xytext=(3, 3),
                        textcoords="offset points")
    front = frontier(deployable(points), cost, lambda p: p.accuracy)
    if show_frontier and front:
        ax.step([cost(p) for p in front], [p.accuracy for p in front], where="post", color="black",
                linewidth=2.5, alpha=0.6, label="Pareto frontier", zorder=1)
        ax.scatter([cost(p) for p in front], [p.accuracy for p in front], s=90, facecolors="none",
                   edgecolors="black", linewidths=1.5, zorder=3)
    if all(cost(p) > 0 for p in points):
        ax.set_xscale("log")
    ax.set_xlabel(axis_label(axis_name))
    low, high = y_limits(points)
    fitted = (low, high) != (-0.02, 1.02)
    ax.set_ylabel("accuracy (95% bootstrap CI)" + (", y-axis fitted to the data" if fitted else ""))
    ax.set_ylim(low, high)
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    paths = [path_stem.with_suffix(suffix) for suffix in suffixes]
    for path in paths:
        fig.savefig(path)
    plt.close(fig)
    return paths


def summary_table(points: list[CurvePoint]) -> str:
    width = max([11, *(len(p.strategy) for p in points)])
    header = (f"{'model':<16} {'strategy':<{width}} {'k':>4} {'accuracy':>8} {'95% CI':>15} {'tokens':>8} "
              f"{'FLOPs':>9} {'eFLOPs':>9} {'seconds':>8} {'latency':>8} {'n':>4}")
    lines = [header, "-" * len(header)]
    for p in sorted((p for p in points if p.bin == "all"), key=lambda p: (p.model, p.strategy, p.budget)):
        lines.append(
            f"{p.model:<16} {p.strategy:<{width}} {p.budget:>4} {p.accuracy:>8.3f} "
            f"[{p.ci_low:.3f}, {p.ci_high:.3f}] {p.mean_tokens:>8.0f} {p.mean_flops:>9.2e} "
            f"{p.mean_eflops:>9.2e} {p.mean_seconds:>8.2f} {p.mean_latency:>8.2f} {p.n_problems:>4}"
        )
    return "\n".join(lines)
