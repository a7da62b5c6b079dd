"""MATH (Hendrycks et al.): the full 5000-problem test split; the reference is the solution's boxed
answer as the judge reads it (the last \\boxed{}, with the boxes just before it that form one answer:
"$x = \\boxed{3}$ or $\\boxed{\\frac25}$" -> "3, \\frac25").
MATH-500 is the 500-problem subset with an `answer` field (tasks/math500.py)."""

from __future__ import annotations

from tasks._base import TASKS, Problem
from tasks._math_base import MathTask
from tasks.data import DataSource, load_records
from tasks.math_extract import boxed_answer

SOURCE = DataSource("math/test.jsonl", "EleutherAI/hendrycks_math", "test")


def level_number(level: str | int) -> int | None:
    """ "Level 3" -> 3; 3 -> 3; "Level ?" -> None."""
    text = str(level).replace("Level", "").strip()
    return int(text) if text.isdigit() else None


def level_subject_bins(problem: Problem) -> dict[str, str | int]:
    """MATH's difficulty bins: the level (1-5) and the subject, where the problem has them."""
    bins: dict[str, str | int] = {}
    if problem.metadata.get("level") is not None:
        bins["level"] = problem.metadata["level"]
    if problem.metadata.get("subject"):
        bins["subject"] = problem.metadata["subject"]
    return bins


def boxed_reference(solution: str) -> str:
    boxed = boxed_answer(solution)
    if not boxed:
        raise ValueError(f"MATH solution without \\boxed{{}}: {solution[-80:]!r}")
    return boxed.strip()


@TASKS.register("math")
class MATH(MathTask):
    name = "math"

    def load(self, data_dir: str | None, limit: int | None) -> list[Problem]:
        rows = load_records(SOURCE, data_dir, limit)
        return [
            Problem(
                task=self.name,
                id=f"math/test/{i}",
                question=row["problem"],
                reference=boxed_reference(row["solution"]),
                metadata={"level": level_number(row["level"]), "subject": row["type"]},
            )
            for i, row in enumerate(rows)
        ]

    def bins(self, problem: Problem) -> dict[str, str | int]:
        return level_subject_bins(problem)
