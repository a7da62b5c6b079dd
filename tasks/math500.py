"""MATH-500 (the PRM800K test subset of MATH): reference from the `answer` field."""

from __future__ import annotations

from tasks._base import TASKS, Problem
from tasks._math_base import MathTask
from tasks.data import DataSource, load_records
from tasks.math import level_number, level_subject_bins

SOURCE = DataSource("math500/test.jsonl", "HuggingFaceH4/MATH-500", "test")


@TASKS.register("math500")
class MATH500(MathTask):
    name = "math500"

    def load(self, data_dir: str | None, limit: int | None) -> list[Problem]:
        rows = load_records(SOURCE, data_dir, limit)
        return [
            Problem(
                task=self.name,
                id=row["unique_id"],
                question=row["problem"],
                reference=str(row["answer"]),
                metadata={"level": level_number(row["level"]), "subject": row["subject"]},
            )
            for row in rows
        ]

    def bins(self, problem: Problem) -> dict[str, str | int]:
        return level_subject_bins(problem)
