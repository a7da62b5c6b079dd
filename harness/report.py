"""Write a run's results: `metrics.json`, `pareto.png` (accuracy vs FLOPs), and a summary table.

`pareto.png` has log-FLOPs on x, one line per model x strategy with its 95% CI band, and the
frontier across all of them drawn as a dashed step line.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from harness.pareto import frontier
from harness.records import CurvePoint


def write_metrics(points: list[CurvePoint], path: Path, meta: dict[str, Any]) -> None:
    on_frontier = {id(p) for p in frontier(points, lambda p: p.mean_flops, lambda p: p.accuracy)}
    rows = [dict(p.to_json(), on_frontier=id(p) in on_frontier) for p in points]
    path.write_text(json.dumps({"meta": meta, "points": rows}, indent=2, sort_keys=True))


def plot_pareto(points: list[CurvePoint], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=120)
    lines: dict[tuple[str, str], list[CurvePoint]] = defaultdict(list)
    for p in points:
        lines[(p.model, p.strategy)].append(p)
    for (model, strategy), pts in sorted(lines.items()):
        pts.sort(key=lambda p: p.mean_flops)
        x = [p.mean_flops for p in pts]
        (line,) = ax.plot(x, [p.accuracy for p in pts], marker="o", label=f"{model} / {strategy}")
        ax.fill_between(x, [p.ci_low for p in pts], [p.ci_high for p in pts], alpha=0.15,
                        color=line.get_color())
        for p in pts:
            ax.annotate(str(p.budget), (p.mean_flops, p.accuracy), fontsize=7, xytext=(3, 3),
                        textcoords="offset points")
    front = frontier(points, lambda p: p.mean_flops, lambda p: p.accuracy)
    if front:
        ax.step([p.mean_flops for p in front], [p.accuracy for p in front], where="post", color="black",
                linestyle="--", linewidth=1.2, label="Pareto frontier")
    ax.set_xscale("log")
    ax.set_xlabel("FLOPs per problem (prefill + decode)")
    ax.set_ylabel("accuracy (95% bootstrap CI)")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def summary_table(points: list[CurvePoint]) -> str:
    header = f"{'model':<16} {'strategy':<11} {'k':>4} {'accuracy':>8} {'95% CI':>15} {'tokens':>8} " \
             f"{'FLOPs':>9} {'seconds':>8} {'n':>4}"
    lines = [header, "-" * len(header)]
    for p in sorted(points, key=lambda p: (p.model, p.strategy, p.budget)):
        lines.append(
            f"{p.model:<16} {p.strategy:<11} {p.budget:>4} {p.accuracy:>8.3f} "
            f"[{p.ci_low:.3f}, {p.ci_high:.3f}] {p.mean_tokens:>8.0f} {p.mean_flops:>9.2e} "
            f"{p.mean_seconds:>8.2f} {p.n_problems:>4}"
        )
    return "\n".join(lines)
