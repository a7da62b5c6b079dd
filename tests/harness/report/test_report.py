"""Report files from synthetic run folders; merging runs; refusing runs that cannot be merged."""

from __future__ import annotations

import json
import random
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest

from harness.cli import main
from harness.engines.model_info import model_info_from_config
from harness.report.build import RunMismatchError, build_report
from harness.run.score import ScoredRow
from harness.rundir import write_scores
from tests.harness.engines.test_model_info import SMOLLM2_135M


def make_run(root: Path, name: str, model: str = "m", prompt_version: str = "1", task: str = "math500",
             p_correct: float = 0.4, seed: int = 0, pool: str = "h") -> Path:
    rng = random.Random(seed)
    run = root / name
    run.mkdir(parents=True)
    info = model_info_from_config(model, "p", SMOLLM2_135M)
    (run / "models.json").write_text(json.dumps({model: asdict(info)}))
    (run / "config.yaml").write_text(f"name: {name}\n")
    (run / "run.json").write_text(json.dumps({
        "name": name, "task": task, "prompt_version": prompt_version, "verifier_version": "1",
        "budgets": [1, 2, 4, 8],
        "strategies": [{"label": s, "name": s, "options": {}} for s in ("greedy", "majority", "pass_at_k")],
        "prices": {model: {"input_per_m": 0.1, "output_per_m": 0.4}},
        "bootstrap": {"resamples": 200, "seed": 0}, "limit": 30}))
    rows, problems = [], []
    for i in range(30):
        pid = f"p{i}"
        problems.append({"id": pid, "level": 1 + i % 5, "subject": "Algebra" if i % 2 else "Geometry"})
        for kind, n in (("greedy", 1), ("sampled", 8)):
            for j in range(n):
                ok = rng.random() < p_correct
                answer = "7" if ok else rng.choice(["1", "2", None])
                rows.append(ScoredRow(model, kind, pool, pid, j, answer, ok, "ok", 50, rng.randint(20, 200),
                                      -0.5, 0.1, "stop", "vllm-x", vote=answer, vote_correct=ok))
    write_scores(rows, run / "scores.jsonl")
    (run / "problems.jsonl").write_text("".join(json.dumps(p) + "\n" for p in problems))
    return run


def add_compute_optimal(run: Path) -> None:
    """Add compute_optimal (candidates: every non-oracle strategy, compared with majority) to a run."""
    meta = json.loads((run / "run.json").read_text())
    meta["strategies"] += [{"label": "compute_optimal", "name": "compute_optimal",
                            "options": {"compare": "majority"}}]
    (run / "run.json").write_text(json.dumps(meta))


def test_report_writes_every_file(tmp_path: Path) -> None:
    run = make_run(tmp_path, "a")
    points = build_report(run)
    for name in ("metrics.json", "metrics.parquet", "pareto.png", "pareto.svg", "curves_majority.png",
                 "curves_pass_at_k.svg", "report.html"):
        assert (run / name).stat().st_size > 0, name
    html = (run / "report.html").read_text()
    assert "data:image/png;base64," in html and "class='sortable'" in html
    assert "Coverage scaling fit" in html and "Versions" in html and "Hardware" in html and "numpy" in html
    bins = {p.bin for p in points}
    assert {"all", "level=1", "level=5", "subject=Algebra", "subject=Geometry"} <= bins
    overall = [p for p in points if p.bin == "all"]
    assert {(p.strategy, p.budget) for p in overall} == {("greedy", 1)} | {
        (s, k) for s in ("majority", "pass_at_k") for k in (1, 2, 4, 8)} | {("adaptive_majority", 8)}
    for p in overall:  # dollars: prompt once at $0.1/M + generated tokens at $0.4/M
        assert p.mean_dollars == pytest.approx((50 * 0.1 + p.mean_tokens * 0.4) / 1e6)
        assert p.mean_total_tokens == pytest.approx(50 + p.mean_tokens)
    import pyarrow.parquet as pq

    table = pq.read_table(run / "metrics.parquet")
    assert table.num_rows == len(points) and "on_frontier" in table.column_names


def test_quintile_bins_without_levels(tmp_path: Path) -> None:
    run = make_run(tmp_path, "q", task="gsm8k")
    blank = [{"id": f"p{i}", "level": None, "subject": None} for i in range(30)]
    (run / "problems.jsonl").write_text("".join(json.dumps(p) + "\n" for p in blank))
    points = build_report(run)
    quintiles = {p.bin for p in points if p.bin.startswith("quintile=")}
    assert quintiles == {f"quintile={i}" for i in range(1, 6)}
    from harness.report.html import SAME_SAMPLES_NOTE

    assert SAME_SAMPLES_NOTE in (run / "report.html").read_text()  # the bins come from the same samples
    sizes = {p.bin: p.n_problems for p in points if p.strategy == "majority" and p.budget == 1}
    assert all(sizes[f"quintile={i}"] == 6 for i in range(1, 6))


def test_merge_two_runs_into_one_frontier(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = make_run(tmp_path, "a", model="small", p_correct=0.3)
    b = make_run(tmp_path, "b", model="big", p_correct=0.6, seed=1)
    out = tmp_path / "merged"
    assert main(["report", str(a), str(b), "--out", str(out), "--at-flops", "2e11"]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert {p["model"] for p in metrics["points"]} == {"small", "big"}
    assert any(p["on_frontier"] for p in metrics["points"])
    printed = capsys.readouterr().out
    assert "at flops = 2e+11" in printed


@pytest.mark.parametrize(("field", "kwargs"), [("prompt_version", {"prompt_version": "2"}),
                                                ("task", {"task": "math"})])
def test_merge_refuses_runs_that_differ(tmp_path: Path, field: str, kwargs: dict[str, str]) -> None:
    a = make_run(tmp_path, "a")
    b = make_run(tmp_path, "b", **kwargs)
    with pytest.raises(RunMismatchError, match=f"{field} differs"):
        build_report([a, b], tmp_path / "out")
    assert main(["report", str(a), str(b), "--out", str(tmp_path / "o2")]) == 2


def test_merge_refuses_two_pools_of_one_model_instead_of_dropping_one(tmp_path: Path) -> None:
    a = make_run(tmp_path, "a")
    b = make_run(tmp_path, "b", seed=1, pool="other-temperature")  # same model, another sampled pool
    with pytest.raises(RunMismatchError, match="m's greedy pool differs between them"):
        build_report([a, b], tmp_path / "out")
    c = make_run(tmp_path, "c", seed=2)  # the same pools again merge (rows deduplicated by index)
    assert build_report([a, c], tmp_path / "ok")


def test_pool_cells_cost_the_same_on_their_curve_and_as_allocation_candidates(tmp_path: Path) -> None:
    from core.flops import decode_flops, prefill_flops
    from harness.analysis.curves import analyze, model_cells
    from harness.analysis.selection import group_pools
    from harness.rundir import load_run
    from strategies import get_strategy

    data = load_run(make_run(tmp_path, "acct"))
    info = data.infos["m"]
    strategies = [get_strategy("majority")]
    args = (data.rows, data.infos, "math500", strategies, [1, 8])
    cached = {p.budget: p for p in analyze(*args) if p.bin == "all"}
    uncached = {p.budget: p for p in analyze(*args, prefill_accounting="no_cache") if p.bin == "all"}
    sampled = group_pools(data.rows)[("m", "sampled")]
    ids = sorted(sampled)
    pools = group_pools(data.rows)
    cells = model_cells(info, pools, strategies, [1, 8])["majority"]
    names, flops = cells.names(), cells.flops
    for j, k in enumerate((1, 8)):
        # k samples as one request: one prompt prefill (50 tokens) and k decodes, by hand over the rows
        by_hand = sum(prefill_flops(info, 50) + k * sum(decode_flops(info, 50, r.completion_tokens)
                                                        for r in sampled[pid]) / 8 for pid in ids) / len(ids)
        assert cached[k].mean_flops == pytest.approx(by_hand) == uncached[k].mean_flops
        assert names[j] == f"majority@{k}" and flops[:, j].mean() == pytest.approx(cached[k].mean_flops)
    with pytest.raises(ValueError, match="prefix_cache, no_cache"):
        analyze(*args, prefill_accounting="pool_split")


def test_compute_optimal_curve_is_selected_on_the_other_half(tmp_path: Path) -> None:
    from core.flops import decode_flops, prefill_flops
    from harness.analysis.curves import analyze
    from harness.analysis.selection import group_pools
    from harness.rundir import load_run
    from strategies import get_strategy

    run = make_run(tmp_path, "a")
    add_compute_optimal(run)
    points = build_report(run)
    optimal = [p for p in points if p.strategy == "compute_optimal"]
    assert optimal, "no compute-optimal points"
    for p in optimal:
        assert 0.0 <= p.ci_low <= p.accuracy <= p.ci_high <= 1.0 and p.n_problems == 30
        assert p.mean_samples >= 4 + 1 and p.extra["target_flops"] > 0  # the probe's 4 and the chosen cells'
        assert abs(sum(v for k, v in p.extra.items() if k.startswith("share:")) - 1.0) < 1e-9
    assert (run / "curves_compute_optimal_vs_majority.png").stat().st_size > 0
    # candidates restricted to greedy only: every problem gets greedy, so accuracy equals greedy's
    data = load_run(run)
    strategies = [get_strategy("greedy"), get_strategy("compute_optimal", candidates=["greedy"])]
    info = data.infos["m"]
    [only] = [p for p in analyze(data.rows, data.infos, "math500", strategies, [1], 200, 0)
              if p.strategy == "compute_optimal"]
    greedy = next(p for p in points if p.strategy == "greedy" and p.bin == "all")
    assert only.accuracy == greedy.accuracy and only.extra["share:greedy@1"] == 1.0

    # samples: the probe's 4 and greedy's 1; FLOPs: greedy's cell and the probe's decoding (the
    # probe already computed the prompt greedy reads, under the default prefix_cache rule)
    assert only.mean_samples == 5
    sampled = group_pools(data.rows)[("m", "sampled")]
    probe_decode = np.mean([sum(decode_flops(info, r.prompt_tokens, r.completion_tokens) for r in rows[:4])
                            for rows in sampled.values()])
    assert only.mean_flops == pytest.approx(greedy.mean_flops + probe_decode)
    [uncached] = [p for p in analyze(data.rows, data.infos, "math500", strategies, [1], 200, 0,
                                     prefill_accounting="no_cache") if p.strategy == "compute_optimal"]
    assert uncached.mean_flops == pytest.approx(only.mean_flops + prefill_flops(info, 50))


def test_oracles_get_no_allocation_no_frontier_and_a_dashed_line(tmp_path: Path) -> None:
    # the synthetic run: greedy, majority, pass@k (an oracle) and compute_optimal over `[]` candidates
    run = make_run(tmp_path, "a")
    add_compute_optimal(run)
    points = build_report(run)
    optimal = [p for p in points if p.strategy == "compute_optimal" and p.bin == "all"]
    assert optimal
    for p in optimal:  # the whole allocation goes to deployable strategies
        assert sum(v for k, v in p.extra.items() if k.startswith("share:pass_at_k")) == 0.0
        assert sum(v for k, v in p.extra.items() if k.startswith("share:")) == pytest.approx(1.0)
    metrics = json.loads((run / "metrics.json").read_text())["points"]
    coverage = [p for p in metrics if p["strategy"] == "pass_at_k"]
    assert coverage and all(p["oracle"] and not p["on_frontier"] for p in coverage)
    assert any(p["on_frontier"] for p in metrics)
    svg = (run / "pareto.svg").read_text()
    assert "upper bound, needs a perfect verifier" in svg and "stroke-dasharray" in svg
    assert "never on the Pareto frontier" in (run / "report.html").read_text()
    with pytest.raises(ValueError, match="read the reference"):
        from strategies import get_strategy

        get_strategy("compute_optimal", candidates=["pass_at_k"])


def test_scores_written_before_vote_keys_vote_by_their_raw_answer(tmp_path: Path) -> None:
    from harness.rundir import read_scores

    run = make_run(tmp_path, "old")
    lines = [json.loads(line) for line in (run / "scores.jsonl").read_text().splitlines()]
    for row in lines:
        del row["vote"], row["vote_correct"]
    (run / "scores.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    rows = read_scores(run / "scores.jsonl")
    assert all(r.vote == r.answer and r.vote_correct == (r.answer == "7") for r in rows)


@pytest.fixture(scope="module")
def stored_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic run inside a results folder whose store holds its sampled pool's texts, its engine
    seconds in proportion to tokens (as the engine splits a call's time), its report built."""
    from core.records import Completion, Sample
    from harness.run.store import PoolStore
    from harness.rundir import read_scores

    root = tmp_path_factory.mktemp("stored") / "results"
    run = make_run(root / "default", "20260101-000000")
    lines = [json.loads(line) for line in (run / "scores.jsonl").read_text().splitlines()]
    for row in lines:
        row["latency_s"] = row["completion_tokens"] / 1000
    (run / "scores.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    # both pools of the synthetic run share the hash "h": the greedy rows' keys are the first samples'
    PoolStore(root / "store", "m", "math500", "h").append(
        Sample(r.problem_id, "m", "h", r.index,
               Completion(viewer_text(r.problem_id, r.index), r.finish_reason, r.prompt_tokens,
                          r.completion_tokens, r.mean_logprob, None, r.latency_s), r.engine)
        for r in read_scores(run / "scores.jsonl") if r.pool_kind == "sampled")
    build_report(run)
    return run


def viewer_text(problem_id: str, index: int) -> str:
    return f"{problem_id}.{index}: </script><b>x</b>"


def test_report_tables_of_stability_rates_and_the_cheapest_way_to_solve(stored_run: Path) -> None:
    from itertools import combinations

    from harness.rundir import read_scores

    run = stored_run
    metrics = json.loads((run / "metrics.json").read_text())
    tables = metrics["tables"]
    pools: dict[str, list[ScoredRow]] = {}
    for r in read_scores(run / "scores.jsonl"):
        if r.pool_kind == "sampled":
            pools.setdefault(r.problem_id, []).append(r)
    # pass^k and G-Pass@k_0.5 by enumerating every k-subset of every problem's pool
    for row in (r for r in tables["stability"] if r["pool"] == "sampled"):
        k = row["k"]
        subsets = [[sum(s.correct for s in c) for c in combinations(p, k)] for p in pools.values()]
        assert row["pass^k"] == pytest.approx(np.mean([np.mean([c == k for c in s]) for s in subsets]))
        need = max(int(np.ceil(0.5 * k - 1e-9)), 1)
        at_least = np.mean([np.mean([c >= need for c in s]) for s in subsets])
        assert row["G-Pass@k 0.5"] == pytest.approx(at_least)
    rates = {r["k"]: r for r in tables["rates"] if r["pool"] == "sampled"}
    no_answer = np.mean([np.mean([s.answer is None for s in p]) for p in pools.values()])
    assert rates[1]["no-answer rate"] == pytest.approx(no_answer) and rates[1]["majority tie rate"] == 0.0
    # the cheapest point reaching 25% on FLOPs, chosen by hand from the deployable points
    overall = [p for p in metrics["points"] if p["bin"] == "all" and not p["oracle"]]
    reach = min((p for p in overall if p["accuracy"] >= 0.25), key=lambda p: p["mean_flops"])
    [row] = [r for r in tables["cheapest"] if r["axis"] == "flops" and r["solve (fraction)"] == "0.25"]
    assert row["model / strategy @ k"] == f"m / {reach['strategy']} @ {reach['budget']}"
    assert row["cost per correct"] == pytest.approx(reach["mean_flops"] / reach["accuracy"])
    unreached = [r["axis"] for r in tables["cheapest"] if r["solve (fraction)"] == "0.9"]
    assert unreached == ["every"]  # no point reaches 90%: one row
    dollars = {(r["strategy"], r["k"]): r["dollars"] for r in tables["cost_per_correct"]}
    per_correct = reach["mean_dollars"] / reach["accuracy"]
    assert dollars[(reach["strategy"], reach["budget"])] == pytest.approx(per_correct)
    assert ("pass_at_k", 1) not in dollars  # oracles are not a way to solve anything
    page = (run / "report.html").read_text()
    for title in ("Stability across samples", "Per-pool rates", "Cost per correct answer",
                  "Cheapest way to solve X% of problems"):
        assert title in page
    assert (run / "pareto_latency.png").stat().st_size > 0 and (run / "pareto_eflops.png").stat().st_size > 0


def test_report_at_latency_and_at_eflops_name_the_best_arm(stored_run: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from harness.rundir import read_points

    points = [p for p in read_points(stored_run) if p.bin == "all"]
    run = tmp_path / "out"
    four = next(p for p in points if p.strategy == "majority" and p.budget == 4)
    assert main(["report", str(stored_run), "--out", str(run), "--at-latency", repr(four.mean_latency)]) == 0
    printed = capsys.readouterr().out
    assert f"at latency = {four.mean_latency:.3g}:" in printed
    assert f"m / majority: {four.accuracy:.3f} [{four.ci_low:.3f}, {four.ci_high:.3f}] (measured)" in printed
    assert "best at latency" in printed and "pass_at_k: 0" not in printed.split("best at latency")[1]
    assert main(["report", str(stored_run), "--out", str(run), "--at-eflops", repr(four.mean_eflops),
                 "--accelerator", "h100"]) == 0
    printed = capsys.readouterr().out
    assert "at eflops = " in printed and "best at eflops" in printed
    # h100 prices a byte at 989.4e12 / 3.35e12 FLOPs instead of the run's default cpu (10)
    h100 = {(p["strategy"], p["budget"], p["bin"]): p for p in
            json.loads((run / "metrics.json").read_text())["points"]}
    for p in points:
        q = h100[(p.strategy, p.budget, p.bin)]
        assert q["mean_eflops"] - q["mean_flops"] == pytest.approx((989.4e12 / 3.35e12) / 10.0
                                                                   * (p.mean_eflops - p.mean_flops))
    with pytest.raises(SystemExit, match="2"):
        main(["report", str(stored_run), "--accelerator", "tpu"])
    assert "choose from 'a100', 'cpu', 'h100', 'h200'" in capsys.readouterr().err


def test_viewer_embeds_every_sample_with_its_stored_text(stored_run: Path) -> None:
    from harness.analysis.per_problem import read_per_problem
    from harness.report.viewer import read_embedded
    from harness.rundir import read_scores

    run = stored_run
    rows = read_scores(run / "scores.jsonl")
    page = (run / "report.html").read_text()
    data = read_embedded(page)
    assert "<b>x</b>" not in page  # every "<" of the data is escaped: no text can close the element
    for r in rows:
        [shown] = [s for s in data["samples"][f"m|{r.pool_kind}"][r.problem_id] if s["index"] == r.index]
        assert (shown["answer"], shown["correct"], shown["completion_tokens"], shown["mean_logprob"]) == (
            r.answer, r.correct, r.completion_tokens, r.mean_logprob)
        assert shown["verdict"] == ("correct" if r.correct else "no_answer" if r.answer is None else "wrong")
        assert shown["text"] == viewer_text(r.problem_id, r.index)
    values = read_per_problem(run) or {}
    cells = {c["label"]: c for c in data["cells"]}
    assert cells["m / majority @ 4"]["values"] == values["m/majority/k=4"]
    assert cells["m / greedy @ 1"]["pool"] == "m|greedy"
    assert cells["m / adaptive_majority @ 8"]["pool"] == "m|sampled"
    assert {p["id"] for p in data["problems"]} == {r.problem_id for r in rows}
    assert "id=\"v-problem\"" in page and "https://" not in page.split("<h2>Samples</h2>")[1]


def test_adaptive_majority_is_charged_by_the_runs_prefill_rule(tmp_path: Path) -> None:
    # every prompt has 50 tokens; adaptive draws one request at a time, so under no_cache each request
    # drawn pays the prompt (50 x E[samples drawn]) and under prefix_cache the first one only (50)
    from harness.rundir import read_points

    curves = {}
    for rule in ("prefix_cache", "no_cache"):
        run = make_run(tmp_path / rule, "r")
        meta = json.loads((run / "run.json").read_text())
        (run / "run.json").write_text(json.dumps({**meta, "prefill_accounting": rule}))
        build_report(run)
        curves[rule] = {p.budget: p for p in read_points(run)
                        if p.bin == "all" and p.strategy == "adaptive_majority"}
    assert sorted(curves["no_cache"]) == [8]
    cached, uncached = curves["prefix_cache"][8], curves["no_cache"][8]
    assert cached.mean_total_tokens == pytest.approx(50 + cached.mean_tokens)
    assert uncached.mean_total_tokens == pytest.approx(50 * uncached.mean_samples + uncached.mean_tokens)
    assert uncached.mean_samples > 1 and uncached.mean_flops > cached.mean_flops
