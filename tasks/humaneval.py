"""HumanEval (and HumanEval+): write a Python function; pass = its unit tests run to the end.

The program judged is the prompt (signature, docstring, imports) followed by the code the model
wrote (the first fenced code block if there is one, else the whole text), the task's tests and
`check(entry_point)`. It runs in `tasks.sandbox`, never in this process. The wall-clock limit of
each problem is calibrated from its canonical solution's runtime (x10) with a 3 s floor.
HumanEval+ (`humaneval_plus`) adds EvalPlus's extra inputs, checked against the canonical
solution's outputs computed inside the same sandboxed program.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from functools import cache

from tasks._base import TASKS, Message, Problem, Task, Verdict
from tasks.data import DataSource, load_records
from tasks.sandbox import Limits, run_program

SOURCE = DataSource("humaneval/HumanEval.jsonl.gz", "openai/openai_humaneval", "test")
PLUS_SOURCE = DataSource("humaneval_plus/HumanEvalPlus.jsonl.gz", "evalplus/humanevalplus", "test")
FLOOR_S = 3.0
_FENCE = re.compile(r"```(?:python|py|Python)?[ \t]*\n(.*?)(?:```|$)", re.DOTALL)

INSTRUCTION = (
    "Complete the following Python function. Reply with the complete function in one "
    "```python code block.\n\n```python\n{prompt}```"
)

PLUS_CHECK = '''

def _ttc_equal(a, b, atol):
    import math
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            if math.isnan(a) and math.isnan(b):
                return True
            return abs(a - b) <= max(atol, 1e-6 * max(abs(a), abs(b)))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_ttc_equal(x, y, atol) for x, y in zip(a, b))
    return a == b


def _ttc_check_plus(candidate):
    import copy
    namespace = {{}}
    exec(_TTC_REFERENCE, namespace)
    reference = namespace[{entry_point!r}]
    for args in _TTC_INPUTS:
        expected = reference(*copy.deepcopy(args))
        assert _ttc_equal(candidate(*copy.deepcopy(args)), expected, {atol!r}), args

_TTC_REFERENCE = {reference!r}
_TTC_INPUTS = {inputs!r}
_ttc_check_plus({entry_point})
'''


def extract_code(completion: str) -> str:
    """The first fenced code block, else the completion itself."""
    m = _FENCE.search(completion)
    return m.group(1) if m else completion


def build_program(problem: Problem, completion: str) -> str:
    code = extract_code(completion)
    prompt = problem.metadata.get("prompt", problem.question)
    # a reply that (re)defines the function follows the prompt's stub and replaces it
    body = code if f"def {problem.entry_point}" in code else prompt + code
    head = prompt if body is code else ""
    return f"{head}\n{body}\n\n{problem.reference}\n\ncheck({problem.entry_point})\n"


@cache
def _calibrated_wall_s(program: str) -> float:
    result = run_program(program, Limits(wall_s=60.0, cpu_s=60))
    return max(FLOOR_S, 10.0 * result.seconds)


class _HumanEvalBase(Task):
    prompt_version = "1"
    verifier_version = "1"
    plus = False

    def load(self, data_dir: str | None, limit: int | None) -> list[Problem]:
        rows = load_records(PLUS_SOURCE if self.plus else SOURCE, data_dir, limit)
        problems = []
        for row in rows:
            tests = row["test"]
            if self.plus:
                inputs = list(row.get("base_input") or []) + list(row.get("plus_input") or [])
                tests += PLUS_CHECK.format(
                    entry_point=row["entry_point"],
                    reference=row["prompt"] + row["canonical_solution"],
                    inputs=inputs,
                    atol=float(row.get("atol") or 0.0),
                )
            problems.append(
                Problem(
                    task=self.name,
                    id=row["task_id"],
                    question=row["prompt"],
                    reference=tests,
                    entry_point=row["entry_point"],
                    metadata={"prompt": row["prompt"], "canonical_solution": row["canonical_solution"]},
                )
            )
        return problems

    def messages(self, problem: Problem) -> list[Message]:
        return [{"role": "user", "content": INSTRUCTION.format(prompt=problem.question)}]

    def voting_unsupported(self) -> str | None:
        # The hook to fill: `vote_clusters` keyed by each program's outputs on the prompt's
        # docstring examples (never the hidden tests); then this returns None.
        return ("no answer is extracted from a program, and behaviour-based vote keys (outputs on the "
                "prompt's docstring examples) are not implemented yet; use best_of_n or pass_at_k")

    def limits(self, problem: Problem) -> Limits:
        canonical = build_program(problem, problem.metadata.get("canonical_solution", ""))
        wall = _calibrated_wall_s(canonical)
        return Limits(wall_s=wall, cpu_s=int(wall) + 1)

    def verify(self, problem: Problem, completion: str) -> Verdict:
        return self.verify_batch([(problem, completion)])[0]

    def verify_batch(self, pairs: list[tuple[Problem, str]]) -> list[Verdict]:
        jobs = [(build_program(p, c), self.limits(p)) for p, c in pairs]
        with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
            results = list(pool.map(lambda job: run_program(*job), jobs))
        return [
            Verdict(extracted=None, correct=r.passed, status="ok" if r.passed else (
                r.status if r.status in ("timeout", "error") else "fail"))
            for r in results
        ]


@TASKS.register("humaneval")
class HumanEval(_HumanEvalBase):
    name = "humaneval"


@TASKS.register("humaneval_plus")
class HumanEvalPlus(_HumanEvalBase):
    name = "humaneval_plus"
    plus = True
