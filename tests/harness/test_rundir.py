"""harness.rundir: a run folder written and read back, its problems.jsonl byte for byte as before, and a
task's own bins reaching the report's difficulty breakdown."""

from __future__ import annotations

from pathlib import Path

from harness.analysis.selection import difficulty_bins
from harness.engines.model_info import model_info_from_config
from harness.run.score import ScoredRow
from harness.rundir import PROBLEMS, load_run, problem_row, read_meta, write_run
from tasks import Problem, Task, Verdict, get_task
from tests.harness.engines.test_model_info import SMOLLM2_135M

INFO = model_info_from_config("m", "p", SMOLLM2_135M)


def row(pid: str, index: int, correct: bool) -> ScoredRow:
    return ScoredRow(model="m", pool_kind="sampled", pool="h", problem_id=pid, index=index, answer="1",
                     correct=correct, status="ok", prompt_tokens=10, completion_tokens=5, mean_logprob=-0.5,
                     latency_s=0.1, finish_reason="stop", engine="vllm-test")


def test_a_run_folder_round_trips_and_problems_jsonl_keeps_its_bytes(tmp_path: Path) -> None:
    task = get_task("math500")
    problems = task.load(None, 2)
    rows = [row(problems[0].id, 0, True), row(problems[1].id, 0, False)]
    run = tmp_path / "run"
    write_run(run, "name: x\n", {"task": "math500", "budgets": [1]}, {"m": INFO}, task, problems, rows)
    assert (run / PROBLEMS).read_text() == (  # the lines sweeps wrote before Task.bins existed
        '{"id": "test/precalculus/807.json", "level": 2, "subject": "Precalculus"}\n'
        '{"id": "test/intermediate_algebra/1994.json", "level": 5, "subject": "Intermediate Algebra"}\n')
    data = load_run(run)
    assert data.rows == rows and data.infos == {"m": INFO}
    assert data.config_yaml == "name: x\n" and read_meta(run) == {"task": "math500", "budgets": [1]}
    assert difficulty_bins({}, data.problems, "m") == {
        "test/precalculus/807.json": "level=2|subject=Precalculus",
        "test/intermediate_algebra/1994.json": "level=5|subject=Intermediate Algebra"}


def test_a_task_without_bins_writes_the_old_null_columns() -> None:
    task = get_task("gsm8k")
    assert problem_row(task, task.load(None, 1)[0]) == {"id": "gsm8k/test/0", "level": None, "subject": None}


class Sourced(Task):
    """A task whose problems come from several competitions: its bin is the source."""

    name = "sourced"

    def load(self, data_dir: str | None, limit: int | None) -> list[Problem]:
        return [Problem(self.name, f"s/{i}", "q", "1", metadata={"source": s})
                for i, s in enumerate(["amc", "olympiad", "amc"])]

    def messages(self, problem: Problem) -> list[dict[str, str]]:
        return [{"role": "user", "content": problem.question}]

    def verify(self, problem: Problem, completion: str) -> Verdict:
        return Verdict(extracted=None, correct=False, status="no_answer")

    def bins(self, problem: Problem) -> dict[str, str | int]:
        return {"source": problem.metadata["source"]}


def test_any_tasks_bins_reach_the_breakdown_not_only_level_and_subject(tmp_path: Path) -> None:
    task = Sourced()
    problems = task.load(None, None)
    rows = [row(p.id, 0, i == 0) for i, p in enumerate(problems)]
    write_run(tmp_path, "", {}, {"m": INFO}, task, problems, rows)
    pools = {("m", "sampled"): {r.problem_id: [r] for r in rows}}
    assert difficulty_bins(pools, load_run(tmp_path).problems, "m") == {
        "s/0": "source=amc", "s/1": "source=olympiad", "s/2": "source=amc"}
