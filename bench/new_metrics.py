"""Print the stored-pool metrics of docs/metrics.md for one run folder (no generation).

    python bench/new_metrics.py results/default/<timestamp>

Stability and per-pool rates, majority vs adaptive self-consistency (samples actually drawn), the
cheapest way to solve X% on FLOPs, and the best split between the greedy (temperature 0) and the
sampled pool of each model.
"""

from __future__ import annotations

import sys
from pathlib import Path

from core.accounting import rule_of
from harness.analysis.adaptive import adaptive_curve
from harness.analysis.cost_per_correct import cheapest_to_solve
from harness.analysis.curves import analyze
from harness.analysis.mixed_pools import best_splits, split_values
from harness.analysis.pool_rates import pool_rates
from harness.analysis.pool_votes import row_votes
from harness.analysis.selection import group_pools
from harness.analysis.stability_table import stability
from harness.rundir import load_run
from strategies import get_strategy
from strategies.adaptive import BetaRule, MarginRule


def main(run_dir: Path) -> None:
    run = load_run(run_dir)
    task = run.meta["task"]
    budgets = [int(b) for b in run.meta["budgets"]]
    for st in stability(run.rows, budgets):
        print(f"{st.model} {st.pool_kind}: avg@n {st.avg.mean:.3f} (se {st.avg.se:.3f}, sampling se "
              f"{st.avg.se_sampling:.3f}) over {st.avg.n_problems} problems")
        for k, at in st.by_k.items():
            print(f"  k={k:>3} pass@k {at.pass_at_k:.3f} pass^k {at.pass_hat_k:.3f} "
                  f"G-Pass@k(.5) {at.g_pass[0.5]:.3f} mG-Pass@k {at.mg_pass:.3f}")
    for r in pool_rates(run.rows, budgets):
        ties = " ".join(f"{k}:{v:.3f}" for k, v in r.tie_rate.items())
        print(f"{r.model} {r.pool_kind}: no-answer {r.no_answer_rate:.3f} truncated {r.truncation_rate:.3f} "
              f"tie rate {ties}")
    pools = group_pools(run.rows)
    rule = rule_of(run.meta)  # every arm under the run's prefill rule
    points = analyze(run.rows, run.infos, task, [get_strategy("greedy"), get_strategy("majority")], budgets,
                     prefill_accounting=rule)
    points = [p for p in points if p.bin == "all"]
    for model, info in run.infos.items():
        by_problem = pools.get((model, "sampled"))
        if not by_problem:
            continue
        for name, stop in (("adaptive_beta95", BetaRule(0.95)), ("adaptive_margin2", MarginRule(2))):
            curve = adaptive_curve(name, stop, info, task, by_problem, budgets, prefill_accounting=rule)
            points.extend(p for p in curve if p.bin == "all")
    print("strategy               cap  accuracy (resample se)  samples  tokens   GFLOPs")
    for p in points:
        se = p.extra.get("resample_se", 0.0)
        print(f"{p.model} {p.strategy:<18} {p.budget:>3}  {p.accuracy:.3f} ({se:.3f})"
              f"          {p.mean_samples:5.2f}  {p.mean_tokens:7.1f}  {p.mean_flops / 1e9:7.2f}")
    print("cheapest way to solve X% (FLOPs per problem):")
    for row in cheapest_to_solve(points, "flops", targets=[0.05, 0.1, 0.2, 0.3]):
        where = f"{row.point.strategy}@{row.point.budget}" if row.point else "-"
        print(f"  {row.target:.0%}: {where:<22} {row.cost:.3g} FLOPs/problem, {row.cost_per_correct:.3g} "
              f"per correct  ({row.note})")
    for model in run.infos:
        greedy, sampled = pools.get((model, "greedy")), pools.get((model, "sampled"))
        if not greedy or not sampled:
            continue
        g = {pid: row_votes(rows) for pid, rows in greedy.items()}
        s = {pid: row_votes(rows) for pid, rows in sampled.items() if pid in g}
        size = min(len(v.keys) for v in s.values())
        values = split_values({p: g[p] for p in s}, s, 1, size)
        print(f"{model}: best split greedy (k1) + sampled (k2) by majority over the union")
        for split in best_splits(values, budgets):
            print(f"  total {split.k1 + split.k2:>3}: k1={split.k1} k2={split.k2:>3} "
                  f"accuracy {split.accuracy:.3f} [{split.ci_low:.3f}, {split.ci_high:.3f}]")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
