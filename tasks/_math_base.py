"""Shared behaviour of the competition-math tasks: a \\boxed{} prompt, time-limited judging, and
reference-free vote keys (answers clustered by math equivalence, `tasks.math_votes`)."""

from __future__ import annotations

from tasks._base import Message, Problem, Task, Verdict
from tasks.math_check import check_math
from tasks.math_votes import leaders_batch, vote_key
from tasks.votes import VoteClusters, clusters_from_leaders, distinct_in_order

INSTRUCTION = (
    "Solve the following math problem. Reason step by step, and put your final answer "
    "within \\boxed{{}}.\n\nProblem: {question}"
)


class MathTask(Task):
    """A task whose reference is a LaTeX answer string judged by `tasks.math_check`."""

    prompt_version = "1"
    verifier_version = "2"
    """2: staged extraction (tasks/math_extract.py), decimal commas, equation references."""

    def messages(self, problem: Problem) -> list[Message]:
        return [{"role": "user", "content": INSTRUCTION.format(question=problem.question)}]

    def verify(self, problem: Problem, completion: str) -> Verdict:
        return self.verify_batch([(problem, completion)])[0]

    def verify_batch(self, pairs: list[tuple[Problem, str]]) -> list[Verdict]:
        return check_math([(c, p.reference) for p, c in pairs])

    def vote_key(self, answer: str) -> str:
        return vote_key(answer)

    def vote_clusters(
        self, problem: Problem, completions: list[str], verdicts: list[Verdict]
    ) -> VoteClusters:
        return self.vote_clusters_batch([(problem, completions, verdicts)])[0]

    def vote_clusters_batch(
        self, pools: list[tuple[Problem, list[str], list[Verdict]]]
    ) -> list[VoteClusters]:
        keys = [[None if v.extracted is None else self.vote_key(v.extracted) for v in verdicts]
                for _, _, verdicts in pools]
        distinct = [distinct_in_order(k) for k in keys]
        leaders = leaders_batch(distinct)
        return [clusters_from_leaders(k, d, ls) for k, d, ls in zip(keys, distinct, leaders, strict=True)]
