"""The per-sample viewer of report.html: pick a problem and a strategy cell, see each sample the cell
reads (completion, extracted answer, verdict, tokens, log-prob), filter by verdict.

Its data is one JSON object embedded in the page (`<script type="application/json" id="viewer-data">`,
every `<` written as a JSON escape, so no text can close the element), read by a few lines of plain
JavaScript: no network, no external file. A cell is a curve point of the `all` bin (model, strategy,
budget); it reads one pool (a selection strategy's pool, every sample of it, since its value is an
expectation over the pool's k-subsets) or, for a search strategy, the one trace of that cell.
The cell's per-problem value (what its accuracy averages) is shown beside the samples. Completions
are read from the run's sample store (`<results_dir>/store`, found as `<run folder>/../../store`);
a run without it shows no text. Each completion is cut at `MAX_CHARS` characters and texts stop once
`MAX_TOTAL_CHARS` are embedded, so the page stays small (the cut is marked).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from core.records import CurvePoint
from harness.analysis.per_problem import PerProblem, point_key
from harness.analysis.selection import group_pools
from harness.run.score import ScoredRow
from harness.run.store import PoolStore

MAX_CHARS = 4000
MAX_TOTAL_CHARS = 8_000_000
DATA_ID = "viewer-data"


Texts = dict[tuple[str, str, str, int], str]
"""(model, pool hash, problem id, index) -> completion text."""


def store_texts(run_dirs: Sequence[Path], task: str, rows: Sequence[ScoredRow]) -> Texts:
    """(model, pool hash, problem id, index) -> completion text, from each run's store where it exists."""
    wanted = {(r.model, r.pool) for r in rows}
    out: Texts = {}
    for root in dict.fromkeys(Path(d).resolve().parent.parent / "store" for d in run_dirs):
        if not root.is_dir():
            continue
        for model, pool in wanted:
            for (pid, index), sample in PoolStore(root, model, task, pool).read().items():
                out.setdefault((model, pool, pid, index), sample.output.text)
    return out


def cell_pool(point: CurvePoint, pool_of: Mapping[str, str]) -> str | None:
    """The pool kind a cell reads: the strategy's pool, or its search traces (`name[variant]` too)."""
    base = point.strategy.split("[", 1)[0]
    if base in pool_of:
        return pool_of[base]
    return None


def verdict(row: ScoredRow) -> str:
    """`correct`, `no_answer` (nothing extracted) or `wrong`: what the viewer filters on."""
    return "correct" if row.correct else ("no_answer" if row.answer is None else "wrong")


def viewer_data(points: Sequence[CurvePoint], rows: Sequence[ScoredRow], per_problem: PerProblem,
                pool_of: Mapping[str, str], search_cells: Mapping[tuple[str, int], int],
                texts: Mapping[tuple[str, str, str, int], str],
                problems: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The embedded object: `problems` (ids), `cells` (label, pool, per-problem value) and `samples`
    (pool key -> problem id -> sample rows).

    `pool_of`: strategy name -> pool kind (`sampled`, `greedy`, `search:<name>`); `search_cells`: a search
    cell's (label, budget) -> its trace index; texts as `store_texts` returns them."""
    pools = group_pools(rows)
    budget = MAX_TOTAL_CHARS
    samples: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for (model, kind), by_problem in sorted(pools.items()):
        out: dict[str, list[dict[str, Any]]] = {}
        for pid, pool_rows in sorted(by_problem.items()):
            items = []
            for r in pool_rows:
                text: str | None = texts.get((r.model, r.pool, r.problem_id, r.index))
                cut = text is not None and len(text) > MAX_CHARS
                if text is not None:
                    text = text[:MAX_CHARS]
                    if len(text) > budget:
                        text, cut = None, True  # the page's text budget is spent
                    else:
                        budget -= len(text)
                items.append({"index": r.index, "text": text, "cut": cut, "answer": r.answer,
                              "correct": r.correct, "status": r.status,
                              "verdict": verdict(r),
                              "prompt_tokens": r.prompt_tokens, "completion_tokens": r.completion_tokens,
                              "mean_logprob": r.mean_logprob, "finish_reason": r.finish_reason,
                              "seconds": r.latency_s})
            out[pid] = items
        samples[f"{model}|{kind}"] = out
    cells = []
    for p in points:
        if p.bin != "all":
            continue
        reads = cell_pool(p, pool_of)
        if reads is None or f"{p.model}|{reads}" not in samples:
            continue
        trace = search_cells.get((p.strategy, p.budget)) if reads.startswith("search:") else None
        cells.append({"label": f"{p.model} / {p.strategy} @ {p.budget}", "pool": f"{p.model}|{reads}",
                      "trace": trace,
                      "accuracy": p.accuracy,
                      "values": per_problem.get(point_key(p.model, p.strategy, p.budget), {})})
    ids = sorted({pid for by in samples.values() for pid in by})
    return {"problems": [{"id": pid, **{k: v for k, v in problems.get(pid, {}).items() if k != "id"}}
                         for pid in ids],
            "cells": cells, "samples": samples}


def embed(data: Mapping[str, Any]) -> str:
    """The data as a JSON script element that no completion text can close early."""
    text = json.dumps(_finite(data), ensure_ascii=False, allow_nan=False).replace("<", "\\u003c")
    return f'<script type="application/json" id="{DATA_ID}">{text}</script>'


def _finite(value: Any) -> Any:
    """JSON-safe copy: non-finite floats (which JSON cannot hold) become None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def read_embedded(page: str) -> dict[str, Any]:
    """The viewer's data back from a written report.html (for tests and tools)."""
    start = page.index(f'id="{DATA_ID}">') + len(f'id="{DATA_ID}">')
    end = page.index("</script>", start)
    data: dict[str, Any] = json.loads(page[start:end])
    return data


VIEWER_HTML = """
<div id="viewer">
<label>problem <select id="v-problem"></select></label>
<label>cell <select id="v-cell"></select></label>
<label>verdict <select id="v-verdict"><option value="all">all</option><option value="correct">correct</option>
<option value="wrong">wrong</option><option value="no_answer">no answer</option></select></label>
<p id="v-summary" class="note"></p>
<div id="v-samples"></div>
</div>
"""

VIEWER_JS = """
(function () {
  const data = JSON.parse(document.getElementById('viewer-data').textContent);
  const $ = id => document.getElementById(id);
  const esc = s => String(s).replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;',
                                                      "'": '&#39;'}[c]));
  data.problems.forEach(p => $('v-problem').add(new Option(p.id, p.id)));
  data.cells.forEach((c, i) => $('v-cell').add(new Option(c.label, String(i))));
  const params = new URLSearchParams(location.hash.slice(1));
  if (params.get('problem')) $('v-problem').value = params.get('problem');
  if (params.get('cell')) {
    const i = data.cells.findIndex(c => c.label === params.get('cell'));
    if (i >= 0) $('v-cell').value = String(i);
  }
  if (params.get('verdict')) $('v-verdict').value = params.get('verdict');
  function show() {
    const pid = $('v-problem').value, want = $('v-verdict').value;
    const cell = data.cells[Number($('v-cell').value)];
    if (!cell) { $('v-summary').textContent = 'no cell reads stored samples'; return; }
    let rows = ((data.samples[cell.pool] || {})[pid] || []);
    if (cell.trace !== null && cell.trace !== undefined) rows = rows.filter(r => r.index === cell.trace);
    const value = cell.values[pid];
    const shown = rows.filter(r => want === 'all' || r.verdict === want);
    $('v-summary').textContent = `${cell.label}: value on this problem ` +
      (value === undefined ? 'not recorded' : value.toFixed(3)) +
      ` (accuracy over problems ${cell.accuracy.toFixed(3)}); ` +
      `${shown.length} of ${rows.length} samples shown`;
    $('v-samples').innerHTML = shown.map(r => `<div class="sample ${r.verdict}"><b>#${r.index}</b> ` +
      `<span class="verdict">${r.verdict}</span> answer <code>${esc(r.answer ?? '—')}</code>, ` +
      `${r.completion_tokens} tokens, mean log-prob ` +
      `${r.mean_logprob === null ? '—' : r.mean_logprob.toFixed(3)}, ` +
      `${esc(r.finish_reason)}<pre>${r.text === null ? '(text not stored with this run)' : esc(r.text)}` +
      `${r.cut ? '\\n[cut]' : ''}</pre></div>`).join('');
  }
  ['v-problem', 'v-cell', 'v-verdict'].forEach(id => $(id).addEventListener('change', show));
  show();
  if (params.get('view') === 'samples') document.body.prepend($('viewer'));  // the viewer alone, first
  else if (params.get('problem') || params.get('cell')) $('viewer').scrollIntoView();
})();
"""

VIEWER_CSS = """
#viewer label { margin-right: 1em; } #viewer select { max-width: 420px; }
.sample { border-left: 4px solid #999; margin: 6px 0; padding: 2px 8px; font-size: 13px; }
.sample.correct { border-color: #2a2; } .sample.wrong { border-color: #c33; }
.sample.no_answer { border-color: #c90; }
.sample pre { white-space: pre-wrap; max-height: 300px; }
"""
