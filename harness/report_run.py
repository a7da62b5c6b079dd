"""Rebuild a run folder's report from what it holds: `config.yaml`, `models.json`, `scores.jsonl`.

Writes `metrics.json` and `pareto.png`, prints the summary table, and logs to wandb.
"""

from __future__ import annotations

import json
from pathlib import Path

from omegaconf import OmegaConf

from harness.analyze import analyze
from harness.records import CurvePoint, ModelInfo
from harness.report import plot_pareto, summary_table, write_metrics
from harness.score import read_scores
from harness.tracking import log_run
from strategies import get_strategy


def build_report(
    run_dir: Path, wandb_mode: str | None = None, wandb_project: str = "ttc-harness"
) -> list[CurvePoint]:
    run_dir = Path(run_dir)
    cfg = OmegaConf.load(run_dir / "config.yaml")
    infos = {k: ModelInfo(**v) for k, v in json.loads((run_dir / "models.json").read_text()).items()}
    rows = read_scores(run_dir / "scores.jsonl")
    strategies = [get_strategy(s["name"]) for s in cfg.resolved.strategies]
    points = analyze(
        rows, infos, str(cfg.task.name), strategies, list(cfg.budgets),
        resamples=int(cfg.bootstrap.resamples), seed=int(cfg.bootstrap.seed),
    )
    meta = {
        "name": str(cfg.name),
        "task": str(cfg.task.name),
        "limit": cfg.limit,
        "models": {k: v.path for k, v in infos.items()},
        "engines": sorted({r.engine for r in rows}),
        "n_samples": len(rows),
        "bootstrap": {"resamples": int(cfg.bootstrap.resamples), "seed": int(cfg.bootstrap.seed)},
    }
    write_metrics(points, run_dir / "metrics.json", meta)
    plot_pareto(points, run_dir / "pareto.png", f"{cfg.task}: accuracy vs compute (n={cfg.limit})")
    print(summary_table(points))
    mode = wandb_mode if wandb_mode is not None else str(cfg.wandb.mode)
    config = OmegaConf.to_container(cfg)
    assert isinstance(config, dict)
    flat = {str(k): v for k, v in config.items()}
    log_run(mode, wandb_project, f"{cfg.name}-{run_dir.name}", run_dir, flat, points, run_dir / "pareto.png")
    return points
