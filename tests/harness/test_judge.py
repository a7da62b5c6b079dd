"""`python -m harness judge` on literal files: math and code, malformed lines, atomic output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main


def write(path: Path, rows: list[object]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def test_math_judge(tmp_path: Path) -> None:
    inp = write(tmp_path / "in.jsonl", [
        {"id": "a", "completion": "so \\boxed{\\frac{1}{2}}", "reference": "0.5", "extra": 1},
        {"id": "b", "completion": "The answer is 3.", "reference": "4"},
        {"id": "c", "completion": "no idea", "reference": "4"},
    ])
    out = tmp_path / "out.jsonl"
    assert main(["judge", "--task", "math500", "--input", str(inp), "--output", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["id"], r["correct"], r["status"]) for r in rows] == [
        ("a", True, "ok"), ("b", False, "ok"), ("c", False, "no_answer")]
    assert rows[0]["extracted"] == "\\frac{1}{2}" and rows[0]["extra"] == 1
    assert [r["extracted_by"] for r in rows] == ["boxed", "final_statement", "none"]


def test_aime_judge_compares_integers(tmp_path: Path) -> None:
    inp = write(tmp_path / "in.jsonl", [{"id": "x", "completion": "\\boxed{025}", "reference": "25"}])
    out = tmp_path / "out.jsonl"
    assert main(["judge", "--task", "aime24", "--input", str(inp), "--output", str(out)]) == 0
    assert json.loads(out.read_text())["correct"] is True


def test_humaneval_judge(tmp_path: Path) -> None:
    from tasks import get_task

    first = get_task("humaneval").load(None, 1)[0]
    inp = write(tmp_path / "in.jsonl", [
        {"id": first.id, "completion": first.metadata["canonical_solution"]},
        {"id": first.id, "completion": "    return None\n"},
    ])
    out = tmp_path / "out.jsonl"
    assert main(["judge", "--task", "humaneval", "--input", str(inp), "--output", str(out)]) == 0
    assert [json.loads(line)["correct"] for line in out.read_text().splitlines()] == [True, False]


def test_the_task_not_its_name_says_where_the_reference_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A code task under a name that is not `humaneval*` is still judged by its benchmark's tests:
    the judge reads `Task.reference_in_benchmark`, never the task's name."""
    import harness.judge
    from tasks import get_task

    task = get_task("humaneval")
    task.name = "mbpp_like"
    monkeypatch.setattr(harness.judge, "get_task", lambda name: task)
    first = task.load(None, 1)[0]
    inp = write(tmp_path / "in.jsonl", [
        {"id": first.id, "completion": first.metadata["canonical_solution"]},
        {"id": first.id, "completion": "    return None\n"},
    ])
    out = tmp_path / "out.jsonl"
    assert harness.judge.judge_file("mbpp_like", inp, out) == (1, 2)
    assert [json.loads(line)["correct"] for line in out.read_text().splitlines()] == [True, False]
    assert get_task("humaneval_plus").reference_in_benchmark and not get_task("gsm8k").reference_in_benchmark


@pytest.mark.parametrize(
    ("bad_line", "needle"),
    [("{not json", "in.jsonl:2: not valid JSON"), ('{"id": "b"}', "in.jsonl:2: missing"),
     ("[1, 2]", "in.jsonl:2: expected a JSON object")],
)
def test_malformed_line_names_its_number_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad_line: str, needle: str
) -> None:
    inp = write(tmp_path / "in.jsonl", [{"id": "a", "completion": "\\boxed{1}", "reference": "1"}, bad_line])
    out = tmp_path / "out.jsonl"
    assert main(["judge", "--task", "math", "--input", str(inp), "--output", str(out)]) == 2
    assert needle in capsys.readouterr().err
    assert not out.exists() and not list(tmp_path.glob("out.jsonl.tmp*"))


def test_unknown_task_lists_valid_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inp = write(tmp_path / "in.jsonl", [])
    assert main(["judge", "--task", "mat", "--input", str(inp), "--output", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "unknown task 'mat'" in err and "math500" in err and "humaneval" in err
