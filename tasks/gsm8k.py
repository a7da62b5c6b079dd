"""GSM8K: grade-school word problems with a numeric final answer (reference after `####`)."""

from __future__ import annotations

from tasks._base import TASKS, Message, Problem, Task, Verdict
from tasks.data import DataSource, load_records
from tasks.numeric import canonical, extract, parse_number

SOURCE = DataSource("gsm8k/test.jsonl", "openai/gsm8k", "test", "main")

INSTRUCTION = (
    "Solve the following math word problem step by step. "
    "At the end, write the final answer as a single number in the form \\boxed{{ANSWER}}.\n\n"
    "Problem: {question}"
)


def reference_answer(solution: str) -> str:
    """The number after the last `####` of a GSM8K solution, canonicalised ("1,000" -> "1000")."""
    value = parse_number(solution.rsplit("####", 1)[-1])
    if value is None:
        raise ValueError(f"GSM8K solution has no '#### N' answer: {solution[-80:]!r}")
    return canonical(value)


@TASKS.register("gsm8k")
class GSM8K(Task):
    name = "gsm8k"
    prompt_version = "1"
    verifier_version = "1"

    def load(self, data_dir: str | None, limit: int | None) -> list[Problem]:
        rows = load_records(SOURCE, data_dir, limit)
        return [
            Problem(
                task=self.name,
                id=f"gsm8k/test/{i}",
                question=row["question"],
                reference=reference_answer(row["answer"]),
            )
            for i, row in enumerate(rows)
        ]

    def messages(self, problem: Problem) -> list[Message]:
        return [{"role": "user", "content": INSTRUCTION.format(question=problem.question)}]

    def verify(self, problem: Problem, completion: str) -> Verdict:
        found = extract(completion)
        if not found.values:
            return Verdict(extracted=None, correct=False, status="no_answer", extracted_by=found.stage)
        reference = parse_number(problem.reference)
        value = reference if reference in found.values else found.values[0]  # decimal comma: either reading
        return Verdict(extracted=canonical(value), correct=value == reference, status="ok",
                       extracted_by=found.stage)
