"""One self-contained `report.html`: plots embedded, sortable tables, the per-sample viewer
(`harness.report.viewer`, its data embedded as JSON), config, versions, hardware."""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

from core.records import CurvePoint
from harness.report.viewer import VIEWER_CSS, VIEWER_HTML, VIEWER_JS, embed
from harness.report.write import ORACLE_NOTE, frontier_ids

SORT_JS = """
document.querySelectorAll('table.sortable th').forEach((th, col) => th.addEventListener('click', () => {
  const table = th.closest('table'); const body = table.tBodies[0];
  const asc = th.dataset.asc !== 'true'; th.dataset.asc = asc;
  const rows = Array.from(body.rows);
  rows.sort((a, b) => {
    const x = a.cells[col].dataset.v ?? a.cells[col].textContent;
    const y = b.cells[col].dataset.v ?? b.cells[col].textContent;
    const nx = parseFloat(x), ny = parseFloat(y);
    const c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
    return asc ? c : -c;
  });
  rows.forEach(r => body.appendChild(r));
}));
"""

CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1200px; }
table { border-collapse: collapse; margin: 1em 0; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th { background: #eee; cursor: pointer; } td.l, th.l { text-align: left; }
tr.front td { background: #fff3c4; font-weight: 600; }
img { max-width: 100%; border: 1px solid #ddd; } pre { background: #f6f6f6; padding: 1em; overflow: auto; }
.note { color: #555; font-size: 13px; }
.floor { background: #fde8e8; border-left: 4px solid #c33; padding: 6px 10px; }
"""


SAME_SAMPLES_NOTE = (
    "The quintile bins rank problems by the pass rate of the same samples these curves are computed from, "
    "so a bin's accuracy is not measured independently of its difficulty label (hard bins read low, "
    "easy bins high, by construction).")


def _img(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img alt="{html.escape(path.name)}" src="data:image/png;base64,{data}">'


def html_table(headers: list[str], rows: list[list[Any]], classes: list[str] | None = None) -> str:
    head = "".join(f"<th class='{'l' if i < 3 else ''}'>{html.escape(h)}</th>"
                   for i, h in enumerate(headers))
    body = []
    for r, row in enumerate(rows):
        cls = f" class='{classes[r]}'" if classes and classes[r] else ""
        cells = []
        for i, v in enumerate(row):
            text = f"{v:.4g}" if isinstance(v, float) else str(v)
            sort_value = f" data-v='{v}'" if isinstance(v, int | float) else ""
            cells.append(f"<td class='{'l' if i < 3 else ''}'{sort_value}>{html.escape(text)}</td>")
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return f"<table class='sortable'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def points_table(points: list[CurvePoint], highlight: bool = True) -> str:
    front = frontier_ids(points) if highlight else set()
    headers = ["model", "strategy", "bin", "k", "accuracy", "CI low", "CI high", "tokens", "total tokens",
               "FLOPs", "eFLOPs", "seconds", "latency s", "dollars", "n"]
    rows = [[p.model, p.strategy, p.bin, p.budget, p.accuracy, p.ci_low, p.ci_high, p.mean_tokens,
             p.mean_total_tokens, p.mean_flops, p.mean_eflops, p.mean_seconds, p.mean_latency, p.mean_dollars,
             p.n_problems] for p in points]
    return html_table(headers, rows, ["front" if id(p) in front else "" for p in points])


def write_html(path: Path, title: str, points: list[CurvePoint], plots: list[Path],
               sections: list[tuple[str, str]], config_yaml: str, versions: dict[str, str],
               hardware: dict[str, str], notes: list[str] | None = None,
               viewer: dict[str, Any] | None = None) -> None:
    """`viewer`: the per-sample viewer's data (`harness.report.viewer.viewer_data`); None: no viewer."""
    overall = [p for p in points if p.bin == "all"]
    binned = [p for p in points if p.bin != "all"]
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        *(f"<p class='floor'><b>{html.escape(n)}</b></p>" for n in notes or []),
        "<p class='note'>Accuracy is the exact expectation over k-subsets of one pool per problem, with a "
        "95% percentile bootstrap CI over problems. FLOPs per problem = the prompt's prefill (see Compute "
        "accounting below) + k x the mean decode FLOPs (2N + 2 d_model V + 4 n_layer t d_attn per token at "
        "context t). "
        "Highlighted rows are on the Pareto frontier (accuracy vs FLOPs). Click a column to sort.</p>",
        *([f"<p class='note'>{html.escape(ORACLE_NOTE)}</p>"] if any(p.oracle for p in points) else []),
        *(_img(p) for p in plots),
        "<h2>Curve points</h2>", points_table(overall),
    ]
    for heading, body in sections:
        parts += [f"<h2>{html.escape(heading)}</h2>", body]
    if binned:
        parts += ["<h2>By difficulty</h2><p class='note'>Highlighted: on the frontier of its bin.</p>",
                  *([f"<p class='note'>{SAME_SAMPLES_NOTE}</p>"]
                    if any(p.bin.startswith("quintile=") for p in binned) else []),
                  points_table(binned)]
    if viewer is not None:
        parts += ["<h2>Samples</h2><p class='note'>Pick a problem and a cell (model / strategy @ budget) to "
                  "see the samples it reads; the page's address may preselect them, e.g. "
                  "<code>report.html#problem=ID&amp;cell=LABEL&amp;verdict=wrong</code> (add "
                  "<code>&amp;view=samples</code> to show the viewer first).</p>",
                  VIEWER_HTML, embed(viewer)]
    parts += [
        "<h2>Versions</h2>", html_table(["package", "version"], [[k, v] for k, v in versions.items()]),
        "<h2>Hardware</h2>", html_table(["what", "value"], [[k, v] for k, v in hardware.items()]),
        "<h2>Resolved config</h2>", f"<pre>{html.escape(config_yaml)}</pre>",
    ]
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{CSS}{VIEWER_CSS if viewer is not None else ''}</style></head><body>{''.join(parts)}"
            f"<script>{SORT_JS}{VIEWER_JS if viewer is not None else ''}</script></body></html>")
    path.write_text(page, encoding="utf-8")
