"""Log a finished run to Weights & Biases: config, metrics table and the Pareto plot.

Offline by default (`wandb.mode=offline`: files under the run folder, no account); `online` syncs,
`disabled` skips wandb entirely.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.records import CurvePoint


def log_run(mode: str, project: str, name: str, run_dir: Path, config: dict[str, Any],
            points: list[CurvePoint], plot: Path) -> str | None:
    """Returns the wandb run directory, or None when disabled."""
    if mode == "disabled":
        return None
    if mode not in ("offline", "online"):
        raise ValueError(f"wandb.mode must be offline, online or disabled, got {mode!r}")
    import wandb

    run = wandb.init(project=project, name=name, dir=str(run_dir), mode=mode,  # type: ignore[arg-type]
                     config=config,
                     settings=wandb.Settings(silent=True, console="off"))
    try:
        columns = list(points[0].to_json()) if points else []
        table = wandb.Table(columns=[c for c in columns if c != "extra"])
        for p in points:
            row = p.to_json()
            table.add_data(*[row[c] for c in columns if c != "extra"])
        run.log({"curve_points": table, "pareto": wandb.Image(str(plot))})
        for p in points:
            run.summary[f"{p.model}/{p.strategy}/k{p.budget}/accuracy"] = p.accuracy
        return str(Path(run.dir).parent)
    finally:
        run.finish()
