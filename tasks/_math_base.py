"""Shared behaviour of the competition-math tasks: a \\boxed{} prompt and time-limited judging."""

from __future__ import annotations

from tasks._base import Message, Problem, Task, Verdict
from tasks.math_judge import judge_math

INSTRUCTION = (
    "Solve the following math problem. Reason step by step, and put your final answer "
    "within \\boxed{{}}.\n\nProblem: {question}"
)


class MathTask(Task):
    """A task whose reference is a LaTeX answer string judged by `tasks.math_judge`."""

    prompt_version = "1"
    verifier_version = "2"
    """2: staged extraction (tasks/math_extract.py), decimal commas, equation references."""

    def messages(self, problem: Problem) -> list[Message]:
        return [{"role": "user", "content": INSTRUCTION.format(question=problem.question)}]

    def verify(self, problem: Problem, completion: str) -> Verdict:
        return self.verify_batch([(problem, completion)])[0]

    def verify_batch(self, pairs: list[tuple[Problem, str]]) -> list[Verdict]:
        return judge_math([(c, p.reference) for p, c in pairs])
