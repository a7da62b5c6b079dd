"""Behaviour-based vote keys for HumanEval: example inputs read from the prompt, programs clustered by
their outputs on them in the real sandbox (hidden tests never run), and majority@k through the import
pipeline on a real HumanEval problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.importer import import_generations
from tasks import get_task
from tasks.humaneval_examples import prompt_inputs

CORRECT = "    return any(abs(a - b) < threshold for i, a in enumerate(numbers) for b in numbers[i + 1:])\n"
CORRECT_LOOPS = ("    for i in range(len(numbers)):\n        for j in range(i):\n"
                 "            if abs(numbers[i] - numbers[j]) < threshold:\n                return True\n"
                 "    return False\n")
ALWAYS_FALSE = "    return False\n"
# right on every hidden test, but wrong on the prompt's second example: it behaves like ALWAYS_FALSE there
GAMED = "    if numbers == [1.0, 2.8, 3.0, 4.0, 5.0, 2.0]:\n        return False\n" + CORRECT
RAISES = "    raise ValueError('no')\n"
RAISES_OTHER = "    raise KeyError('no')\n"
BROKEN = "    return (\n"
SLOW = "    while True:\n        pass\n"


def test_example_inputs_come_from_the_prompt_docstring() -> None:
    task = get_task("humaneval")
    problems = {p.id: p for p in task.load(None, 80)}
    # HumanEval/0: `>>> has_close_elements([1.0, 2.0, 3.0], 0.5)` and one more doctest line
    assert task.example_inputs(problems["HumanEval/0"]) == [[[1.0, 2.0, 3.0], 0.5],
                                                            [[1.0, 2.8, 3.0, 4.0, 5.0, 2.0], 0.3]]
    # HumanEval/78: `For num = "AB" the output should be 1.` (a one-parameter function)
    assert task.example_inputs(problems["HumanEval/78"])[:2] == [["AB"], ["1077E"]]
    assert prompt_inputs('def f(x):\n    """f(1, 2) == 3, f(y) == 1, g(4) ➞ 2, f([1, 2]) ➞ 0, f(1j)"""\n',
                         "f") == [[1, 2], [[1, 2]]]


def test_a_prompt_without_examples_keys_each_sample_alone() -> None:
    task = get_task("humaneval")
    problem = next(p for p in task.load(None, 40) if p.id == "HumanEval/38")
    assert task.example_inputs(problem) == []  # decode_cyclic's docstring has no example
    completions = ["    return s\n"] * 3
    verdicts = task.verify_batch([(problem, c) for c in completions])
    keys = task.vote_clusters(problem, completions, verdicts).keys
    assert keys == ("exec:solo0", "exec:solo1", "exec:solo2")


def test_programs_cluster_by_behaviour_on_the_examples_never_the_hidden_tests() -> None:
    task = get_task("humaneval")
    [problem] = task.load(None, 1)
    pool = [CORRECT, ALWAYS_FALSE, CORRECT_LOOPS, GAMED, RAISES, RAISES, RAISES_OTHER, BROKEN, SLOW]
    completions = [f"```python\n{problem.question}{body}```" for body in pool]
    verdicts = task.verify_batch([(problem, c) for c in completions])
    assert [v.correct for v in verdicts] == [True, False, True, True, False, False, False, False, False]
    clusters = task.vote_clusters(problem, completions, verdicts)
    keys = clusters.keys
    assert keys[0] == keys[2]  # same behaviour, other code: one cluster
    assert keys[3] == keys[1] != keys[0]  # passes the hidden tests, but votes with the wrong program
    assert keys[4] == keys[5] not in (keys[0], keys[1], keys[6])  # same exception type merges
    assert keys[7] is None  # does not load: no vote
    assert keys[8] is not None and keys.count(keys[8]) == 1  # timed out: a cluster of its own
    # the cluster of ALWAYS_FALSE and GAMED is judged by its representative, ALWAYS_FALSE (wrong)
    assert verdicts[clusters.representative()[keys[3]]].correct is False


def test_majority_on_a_humaneval_pool_votes_by_behaviour(tmp_path: Path) -> None:
    [problem] = get_task("humaneval").load(None, 1)
    # 3 correct programs in two spellings against 5 programs that behave alike on the examples (2 of
    # them pass the hidden tests): the wrong behaviour wins. Keyed by verdict it would be 5 correct vs 3.
    bodies = [CORRECT, CORRECT, CORRECT_LOOPS, ALWAYS_FALSE, ALWAYS_FALSE, ALWAYS_FALSE, GAMED, GAMED]
    src = tmp_path / "gens.jsonl"
    lines = [{"problem_id": problem.id, "completion": f"```python\n{problem.question}{b}```",
              "completion_tokens": 20, "prompt_tokens": 80, "mean_logprob": -0.3} for b in bodies]
    src.write_text("".join(json.dumps(r) + "\n" for r in lines))
    result = import_generations(src, "humaneval", "x", tmp_path / "r", params=10**6,
                                strategies=("majority", "pass_at_k"))
    points = json.loads((result.run_dir / "metrics.json").read_text())["points"]
    at = {(p["strategy"], p["budget"]): p["accuracy"] for p in points if p["bin"] == "all"}
    assert at[("majority", 8)] == 0.0  # k = n: the one subset is the whole pool, 5 votes beat 3
    assert at[("pass_at_k", 8)] == 1.0
    # k = 1: a uniform sample's cluster is correct iff the sample is in the correct cluster: 3/8
    assert at[("majority", 1)] == pytest.approx(3 / 8)
