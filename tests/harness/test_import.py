"""`harness import`: generations made elsewhere are re-verified, stored once, and reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.records import Sample
from harness.cli import main
from harness.importer import ImportInputError, import_generations
from harness.run.store import PoolStore
from harness.rundir import load_run
from tasks import get_task


def write_generations(path: Path, n_problems: int = 3, per_problem: int = 4) -> list[dict[str, object]]:
    problems = get_task("gsm8k").load(None, n_problems)
    rows: list[dict[str, object]] = []
    for i, p in enumerate(problems):
        for j in range(per_problem):
            right = j < i + 1  # problem i has i + 1 correct samples (capped by the pool size)
            answer = p.reference if right else str(int(p.reference) + 1)
            rows.append({"problem_id": p.id, "completion": f"Step {j}. The answer is \\boxed{{{answer}}}.",
                         "completion_tokens": 10 + j, "prompt_tokens": 90, "mean_logprob": -0.1 * j})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return rows


def test_import_round_trips_a_pool(tmp_path: Path) -> None:
    src = tmp_path / "gens.jsonl"
    rows = write_generations(src)
    results = tmp_path / "results"
    first = import_generations(src, "gsm8k", "external_1b", results, params=10**9)
    assert first.imported == 12 and first.pool_size == 4
    # the store holds exactly the imported texts, in order
    stores = list((results / "store" / "external_1b" / "gsm8k").iterdir())
    assert len(stores) == 1
    stored: dict[tuple[str, int], Sample] = PoolStore(results / "store", "external_1b", "gsm8k",
                                                      stores[0].name).read()
    by_problem: dict[str, list[str]] = {}
    for r in rows:
        by_problem.setdefault(str(r["problem_id"]), []).append(str(r["completion"]))
    for pid, texts in by_problem.items():
        assert [stored[(pid, j)].output.text for j in range(4)] == texts
    # re-verified by the task's verifier: problem i has min(i + 1, 4) correct samples
    data = load_run(first.run_dir)
    correct = {pid: sum(r.correct for r in data.rows if r.problem_id == pid) for pid in by_problem}
    assert sorted(correct.values()) == [1, 2, 3]
    metrics = json.loads((first.run_dir / "metrics.json").read_text())
    pass1 = next(p for p in metrics["points"] if p["strategy"] == "pass_at_k" and p["budget"] == 1
                 and p["bin"] == "all")
    assert pass1["accuracy"] == pytest.approx((1 + 2 + 3) / 12)
    assert pass1["mean_flops"] > 2 * 10**9 * pass1["mean_tokens"]
    # a second import adds nothing and reports the same numbers
    second = import_generations(src, "gsm8k", "external_1b", results, params=10**9)
    assert second.imported == 0
    again = json.loads((second.run_dir / "metrics.json").read_text())["points"]
    assert [p["accuracy"] for p in again] == [p["accuracy"] for p in metrics["points"]]


def test_import_rejects_bad_lines_before_writing(tmp_path: Path) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text(json.dumps({"problem_id": "gsm8k/test/0", "completion": "1"}) + "\n")
    with pytest.raises(ImportInputError, match=r"bad.jsonl:1: field 'completion_tokens'"):
        import_generations(src, "gsm8k", "x", tmp_path / "r", params=1)
    src.write_text(json.dumps({"problem_id": "nope", "completion": "1", "completion_tokens": 1,
                               "prompt_tokens": 1}) + "\n")
    with pytest.raises(ImportInputError, match="unknown gsm8k problem id 'nope'"):
        import_generations(src, "gsm8k", "x", tmp_path / "r", params=1)
    assert not (tmp_path / "r").exists()
    # through the CLI: a clear error, exit 2; an unknown model without --params is refused too
    write_generations(src, 1, 1)
    out = ["--results-dir", str(tmp_path / "r")]
    assert main(["import", str(src), "--task", "gsm8k", "--model", "x", *out]) == 2
    assert main(["import", str(src), "--task", "gsm8k", "--model", "x", "--params", "1000", *out]) == 0


def test_import_without_logprobs_has_no_score_and_refuses_ranking(tmp_path: Path) -> None:
    src = tmp_path / "gens.jsonl"
    rows = write_generations(src)
    for r in rows:
        del r["mean_logprob"]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    results = tmp_path / "r"
    for label in ("best_of_n", "weighted_majority"):
        with pytest.raises(ImportInputError, match=rf"gens.jsonl:1: strategy {label} ranks by mean_logprob, "
                                                   r"but the line has no 'mean_logprob'"):
            import_generations(src, "gsm8k", "x", results, params=10**6, strategies=(label,))
        assert not results.exists()
    # by default: reported without best_of_n, and the samples carry no score (not 0.0)
    first = import_generations(src, "gsm8k", "x", results, params=10**6)
    data = load_run(first.run_dir)
    assert {s["label"] for s in json.loads((first.run_dir / "run.json").read_text())["strategies"]} == {
        "majority", "pass_at_k"}
    assert all(r.mean_logprob is None for r in data.rows)


def test_import_reports_the_strategies_asked_for(tmp_path: Path) -> None:
    src = tmp_path / "gens.jsonl"
    write_generations(src)
    out = ["--results-dir", str(tmp_path / "r"), "--params", "1000"]
    assert main(["import", str(src), "--task", "gsm8k", "--model", "x", *out,
                 "--strategies", "weighted_majority", "majority"]) == 0
    [run] = [p for p in (tmp_path / "r" / "import_x_gsm8k").iterdir() if p.is_dir()]
    metrics = json.loads((run / "metrics.json").read_text())
    assert {p["strategy"] for p in metrics["points"]} == {"weighted_majority", "majority"}
    # a search strategy is not a selection strategy; an unknown name lists the valid ones
    for bad in ("beam_search", "vibes"):
        assert main(["import", str(src), "--task", "gsm8k", "--model", "x", *out, "--strategies", bad]) == 2


def test_an_empty_completion_never_wins_best_of_n(tmp_path: Path) -> None:
    # an empty completion (0 tokens) used to score mean log-prob 0.0, the best, and win best-of-N
    src = tmp_path / "gens.jsonl"
    [p] = get_task("gsm8k").load(None, 1)
    lines = [{"problem_id": p.id, "completion": "", "completion_tokens": 0, "prompt_tokens": 90,
              "mean_logprob": 0.0},
             {"problem_id": p.id, "completion": f"The answer is \\boxed{{{p.reference}}}.",
              "completion_tokens": 12, "prompt_tokens": 90, "mean_logprob": -0.4}]
    src.write_text("".join(json.dumps(r) + "\n" for r in lines))
    result = import_generations(src, "gsm8k", "x", tmp_path / "r", params=10**6, strategies=("best_of_n",))
    points = json.loads((result.run_dir / "metrics.json").read_text())["points"]
    at2 = next(q for q in points if q["strategy"] == "best_of_n" and q["budget"] == 2 and q["bin"] == "all")
    assert at2["accuracy"] == 1.0


def test_import_with_a_model_config_counts_the_lm_head_and_attention(tmp_path: Path) -> None:
    from core.flops import decode_flops, prefill_flops
    from harness.engines.model_info import model_info_from_config
    from tests.harness.engines.test_model_info import SMOLLM2_135M

    src, config = tmp_path / "gen.jsonl", tmp_path / "config.json"
    rows = write_generations(src, 2, 2)
    config.write_text(json.dumps(SMOLLM2_135M))
    out = ["--task", "gsm8k", "--model", "external_135m", "--results-dir", str(tmp_path / "r")]
    assert main(["import", str(src), *out, "--model-config", str(config)]) == 0
    runs = (tmp_path / "r" / "import_external_135m_gsm8k").iterdir()
    [run] = [d for d in runs if (d / "run.json").exists()]
    info = load_run(run).infos["external_135m"]
    assert (info.vocab_size, info.d_model, info.n_layers, info.d_attn) == (49152, 576, 30, 576)
    [point] = [p for p in json.loads((run / "metrics.json").read_text())["points"]
               if p["strategy"] == "majority" and p["budget"] == 1 and p["bin"] == "all"]
    by_hand = model_info_from_config("x", "p", SMOLLM2_135M)
    per_problem = [prefill_flops(by_hand, 90) + sum(decode_flops(by_hand, 90, int(r["completion_tokens"]))
                                                     for r in rows[2 * i: 2 * i + 2]) / 2 for i in range(2)]
    assert point["mean_flops"] == pytest.approx(sum(per_problem) / 2)
    config.write_text("{not json")
    assert main(["import", str(src), *out, "--model-config", str(config)]) == 2
