"""A claim's length model against what its CPU run measured: FLOPs per problem of every cell.

For each cell of the claim form's sweep that the run folder measured (the `all` bin of its
metrics.json), prints the measured mean FLOPs per problem and the length model's estimate as a
ratio, under both prompt rules (`prefix_cache`: what the form is checked with when its sweep uses
that rule; `no_cache`: every call pays its whole prompt). The length model runs every solution to
`max_tokens`, so ratios near 1.1 mean the model's lengths, not its prompt rule, are what differs.

    python bench/claim_length_model.py compute_optimal_vs_best_of_n results/claim_compute_optimal/<run>
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from harness.checks import claim_forms as cf
from harness.checks.claims import load_claim
from harness.config import load_sweep_config
from strategies import is_meta


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("claim")
    parser.add_argument("run_dir")
    parser.add_argument("--form", default="cpu")
    args = parser.parse_args()
    claim = load_claim(args.claim)
    form = claim.forms[args.form]
    rows = json.loads((Path(args.run_dir) / "metrics.json").read_text())["points"]
    measured = {(p["model"], p["strategy"], p["budget"]): p["mean_flops"] for p in rows if p["bin"] == "all"}
    resolved = load_sweep_config(form.overrides)
    lm = cf.length_model(claim, resolved)
    budgets = list(resolved.sweep.budgets)
    ratios: dict[bool, list[float]] = {True: [], False: []}
    print(f"{'cell':28s} {'measured':>10s} {'prefix_cache':>13s} {'no_cache':>9s}")
    for s in cf._strategies(resolved):
        if is_meta(s):
            continue
        for label, b in cf._cells(s, budgets):
            for model in resolved.models:
                m = measured.get((model.name, label, b))
                if not m:
                    continue
                variant = label.partition("[")[2].rstrip("]")
                est = {c: cf.cell_cost(s, variant, b, model.name, lm, c).flops / m for c in (True, False)}
                for c in est:
                    ratios[c].append(est[c])
                print(f"{label + ' @' + str(b):28s} {m:10.3g} {est[True]:12.2f}x {est[False]:8.2f}x")
    for c, name in ((True, "prefix_cache"), (False, "no_cache")):
        if ratios[c]:
            print(f"{name}: estimate / measured from {min(ratios[c]):.2f}x to {max(ratios[c]):.2f}x "
                  f"over {len(ratios[c])} cells")


if __name__ == "__main__":
    main()
