"""Reference-free vote keys: leader clustering on literal answers, math equivalence between answers
(the reference never read), and majority@k through the import pipeline on real MATH-500 problems."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from harness.importer import import_generations
from tasks import Verdict, get_task
from tasks.votes import cluster_votes


def test_leader_clustering_order_and_representatives() -> None:
    # distinct answers by count ("b" 3, "a" 2, "c" 1); "a" ~ "c" merges c into a's cluster
    answers = ["a", "b", "c", "b", None, "a", "b"]
    clusters = cluster_votes(answers, lambda x, y: {x, y} == {"a", "c"})
    assert clusters.keys == ("a", "b", "a", "b", None, "a", "b")
    assert clusters.representative() == {"a": 0, "b": 1}
    assert cluster_votes(answers).keys == tuple(answers)  # no equivalence: the strings themselves


def math_pool(answers: list[str | None]) -> list[Verdict]:
    return [Verdict(a, False, "ok" if a is not None else "no_answer") for a in answers]


def test_math_answers_cluster_by_equivalence_without_the_reference() -> None:
    task = get_task("math500")
    [problem] = task.load(None, 1)
    answers = ["\\frac{1}{2}", "0.5", "\\dfrac{1}{2}", "x = 0.5", "3", "\\frac{6}{2}", "1/3", None, "2,000"]
    clusters = task.vote_clusters(problem, [""] * len(answers), math_pool(answers))
    keys = clusters.keys
    assert keys[0] == keys[1] == keys[2] == keys[3]  # 1/2 in four spellings
    assert keys[4] == keys[5] != keys[0]  # 3 = 6/2
    assert keys[6] not in (keys[0], keys[4]) and keys[7] is None and keys[8] == "2000"
    # the reference plays no part: another reference gives the same keys
    other = replace(problem, reference="\\frac{1}{2}")
    assert task.vote_clusters(other, [""] * len(answers), math_pool(answers)).keys == keys


def write_pool(path: Path, pid: str, answers: list[str | None]) -> None:
    lines = [{"problem_id": pid, "completion": "I am not sure." if a is None else
              f"So the answer is $\\boxed{{{a}}}$.", "completion_tokens": 20, "prompt_tokens": 80,
              "mean_logprob": -0.3} for a in answers]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines))


@pytest.mark.parametrize(("answers", "expected"), [
    # a wrong 1/2 in two spellings (4 votes) beats the correct 14/3 (3 votes); the old keys split the
    # wrong answer by string and merged only the correct ones, so the correct answer won (1.0)
    (["\\frac{14}{3}"] * 3 + ["0.5", "0.5", "\\frac{1}{2}", "\\frac{1}{2}", None], 0.0),
    # the correct answer in three spellings (4 votes) beats a wrong 7 (3 votes)
    (["\\frac{14}{3}", "\\frac{14}{3}", "14/3", "\\dfrac{14}{3}", "7", "7", "7", None], 1.0),
])
def test_majority_votes_by_equivalence_not_by_the_reference(tmp_path: Path, answers: list[str | None],
                                                            expected: float) -> None:
    [_, _, problem] = get_task("math500").load(None, 3)
    assert problem.reference == "\\frac{14}{3}"
    src = tmp_path / "gens.jsonl"
    write_pool(src, problem.id, answers)
    result = import_generations(src, "math500", "x", tmp_path / "r", params=10**6,
                                strategies=("majority", "pass_at_k"))
    points = json.loads((result.run_dir / "metrics.json").read_text())["points"]
    at_n = next(p for p in points if p["strategy"] == "majority" and p["budget"] == 8 and p["bin"] == "all")
    assert at_n["accuracy"] == expected  # k = n: the one subset is the whole pool
