"""HumanEval (and HumanEval+): write a Python function; pass = its outputs equal the canonical ones.

The verdict is made here, in the trusted parent, by differential testing: the program judged (the
prompt followed by the code the model wrote: the first fenced code block if there is one, else the
whole text) runs in `tasks.sandbox` on each test input and returns plain values; they are compared
(`tasks.typed_values.equal`: strict types, the task's float tolerance) with the canonical
solution's outputs on the same inputs (`tasks.code_reference`, computed once in the same sandbox).
Test inputs: HumanEval+'s `base_input` + `plus_input` (with its `atol`); for HumanEval, the literal
arguments of `candidate(...)` in `check` (`tasks.humaneval_inputs`). Where `check` tests more than
input -> output (7 HumanEval problems: /32, /33, /38, /44, /50, /53, /151), `check` itself is
judged by replay (`tasks.humaneval_replay`): it runs in a sandbox with no model code, on the plain
values the candidate returned for the calls `check` makes; its code also runs the old way, with the
candidate, as a second opinion that can only fail a program. No test, expected value or canonical
solution is inside the sandbox of the differential run. Wall-clock limits are 10x the canonical
run's time, 3 s floor.
Vote keys (majority, weighted majority) are reference-free: programs clustered by their outputs on
the inputs of the PROMPT's own examples (`tasks.code_votes`), never on the hidden tests.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

from tasks import boundary
from tasks._base import TASKS, Message, Problem, Task, Verdict
from tasks.code_reference import Reference, reference_outputs
from tasks.code_votes import code_clusters
from tasks.data import DataSource, load_records
from tasks.humaneval_examples import prompt_inputs
from tasks.humaneval_inputs import check_inputs
from tasks.humaneval_replay import recorded_calls, replay_passes
from tasks.sandbox import Limits, Output, run_on_inputs, run_program
from tasks.typed_values import equal
from tasks.votes import VoteClusters

SOURCE = DataSource("humaneval/HumanEval.jsonl.gz", "openai/openai_humaneval", "test")
PLUS_SOURCE = DataSource("humaneval_plus/HumanEvalPlus.jsonl.gz", "evalplus/humanevalplus", "test")
FLOOR_S = 3.0
_FENCE = re.compile(r"```(?:python|py|Python)?[ \t]*\n(.*?)(?:```|$)", re.DOTALL)

INSTRUCTION = (
    "Complete the following Python function. Reply with the complete function in one "
    "```python code block.\n\n```python\n{prompt}```"
)


def extract_code(completion: str) -> str:
    """The first fenced code block, else the completion itself."""
    m = _FENCE.search(completion)
    return m.group(1) if m else completion


def candidate_program(problem: Problem, completion: str) -> str:
    """The prompt and the model's code: a reply that (re)defines the function replaces the stub."""
    code = extract_code(completion)
    prompt = problem.metadata.get("prompt", problem.question)
    return f"{prompt}\n{code}\n" if f"def {problem.entry_point}" in code else prompt + code + "\n"


def build_program(problem: Problem, completion: str) -> str:
    """The candidate program followed by HumanEval's own tests and `check(entry_point)`."""
    program = candidate_program(problem, completion)
    return f"{program}\n\n{problem.reference}\n\ncheck({problem.entry_point})\n"


@cache
def _calibrated_wall_s(program: str) -> float:
    result = run_program(program, Limits(wall_s=60.0, cpu_s=60))
    return max(FLOOR_S, 10.0 * result.seconds)


def _limits(wall_s: float) -> Limits:
    return Limits(wall_s=wall_s, cpu_s=int(wall_s) + 1)


def _same(out: Output, ref: Output, atol: float) -> bool:
    if ref.status == "error" and ref.value == "overflow":
        return True  # the reference's answer is past the output cap: this input cannot be judged
    if ref.status == "raised":
        return out.status == "raised" and out.value == ref.value
    return ref.status == "ok" and out.status == "ok" and equal(out.value, ref.value, atol)


class _HumanEvalBase(Task):
    prompt_version = "1"
    plus = False
    reference_in_benchmark = True  # judged by the benchmark's tests, found by task_id

    def __init__(self) -> None:
        # the boundary a judgement ran behind is part of the scoring: runs in different modes never merge
        self.verifier_version = f"2+{boundary.mode()}"

    def load(self, data_dir: str | None, limit: int | None) -> list[Problem]:
        boundary.require_boundary()  # refuse before any model loads
        rows = load_records(PLUS_SOURCE if self.plus else SOURCE, data_dir, limit)
        return [self.problem(row) for row in rows]

    def problem(self, row: dict[str, Any]) -> Problem:
        """A problem from one record (`task_id`, `prompt`, `canonical_solution`, `test`, ...)."""
        found = check_inputs(row["test"])
        inputs = (list(row.get("base_input") or []) + list(row.get("plus_input") or [])
                  if self.plus else found.inputs)
        return Problem(
            task=self.name, id=row["task_id"], question=row["prompt"], reference=row["test"],
            entry_point=row["entry_point"],
            metadata={"prompt": row["prompt"], "canonical_solution": row["canonical_solution"],
                      "inputs": inputs, "atol": float(row.get("atol") or 0.0),
                      "other_tests": found.other_tests or not inputs},
        )

    def messages(self, problem: Problem) -> list[Message]:
        return [{"role": "user", "content": INSTRUCTION.format(prompt=problem.question)}]

    def reference(self, problem: Problem) -> Reference:
        canonical = candidate_program(problem, problem.metadata.get("canonical_solution", ""))
        return reference_outputs(self.name, problem.id, canonical, problem.entry_point,
                                 problem.metadata.get("inputs", []))

    def example_inputs(self, problem: Problem) -> list[list[Any]]:
        """Inputs of the prompt's own examples (`tasks.humaneval_examples`), never the hidden tests."""
        return prompt_inputs(problem.metadata.get("prompt", problem.question), problem.entry_point)

    def vote_clusters(self, problem: Problem, completions: list[str],
                      verdicts: list[Verdict]) -> VoteClusters:
        return self.vote_clusters_batch([(problem, completions, verdicts)])[0]

    def vote_clusters_batch(
        self, pools: list[tuple[Problem, list[str], list[Verdict]]]
    ) -> list[VoteClusters]:
        """Programs clustered by behaviour on the prompt's examples (`tasks.code_votes`): each
        distinct program runs once, all example inputs in one sandbox run, under the task's limits."""
        boundary.require_boundary()
        runs: dict[tuple[str, str], tuple[Problem, str, list[list[Any]]]] = {}
        for problem, completions, _ in pools:
            inputs = self.example_inputs(problem)
            if inputs:
                for c in completions:
                    runs.setdefault((problem.id, candidate_program(problem, c)), (problem, c, inputs))

        def run(item: tuple[Problem, str, list[list[Any]]]) -> list[Output]:
            problem, completion, inputs = item
            return run_on_inputs(candidate_program(problem, completion), problem.entry_point, inputs,
                                 self.limits(problem))

        with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
            list(pool.map(self.limits, list({p.id: p for p, _, _ in pools}.values())))
            outputs = dict(zip(runs, pool.map(run, runs.values()), strict=True))
        return [code_clusters([outputs.get((problem.id, candidate_program(problem, c))) for c in completions],
                              problem.metadata.get("atol", 0.0))
                for problem, completions, _ in pools]

    def limits(self, problem: Problem) -> Limits:
        """The differential run's limits (computing the reference outputs on first use)."""
        return _limits(max(FLOOR_S, 10.0 * self.reference(problem).seconds))

    def _second_opinion_limits(self, problem: Problem) -> Limits:
        canonical = build_program(problem, problem.metadata.get("canonical_solution", ""))
        return _limits(_calibrated_wall_s(canonical))

    def verify(self, problem: Problem, completion: str) -> Verdict:
        return self.verify_batch([(problem, completion)])[0]

    def _replayed(self, problem: Problem) -> bool:
        """Whether `check` is judged by replay (`tasks.humaneval_replay`): HumanEval's 7 problems whose
        `check` tests more than literal input -> output."""
        return not self.plus and bool(problem.metadata.get("other_tests", True))

    def _recorded_calls(self, problem: Problem) -> list[list[Any]]:
        canonical = candidate_program(problem, problem.metadata.get("canonical_solution", ""))
        return recorded_calls(canonical, problem.reference, problem.entry_point)

    def _prepare(self, problem: Problem) -> None:
        """What a judgement of `problem` needs from the canonical solution, computed once."""
        self.limits(problem)
        if self._replayed(problem):
            self._recorded_calls(problem)

    def _judge(self, problem: Problem, completion: str) -> Verdict:
        inputs = problem.metadata.get("inputs", [])
        calls = self._recorded_calls(problem) if self._replayed(problem) else []
        if inputs or calls:
            ref = self.reference(problem)
            limits = self.limits(problem)
            if calls:
                limits = _limits(max(limits.wall_s, self._second_opinion_limits(problem).wall_s))
            outs = run_on_inputs(candidate_program(problem, completion), problem.entry_point,
                                 [*inputs, *calls], limits)
            atol = problem.metadata.get("atol", 0.0)
            answers = outs[len(inputs):]
            if not (all(_same(o, r, atol) for o, r in zip(outs[:len(inputs)], ref.outputs, strict=True))
                    and all(o.status == "ok" for o in answers)):
                timeout = any(o.status == "timeout" for o in outs)
                return Verdict(extracted=None, correct=False, status="timeout" if timeout else "fail")
            if calls:
                canonical = candidate_program(problem, problem.metadata.get("canonical_solution", ""))
                if not replay_passes(canonical, problem.reference, calls, [o.value for o in answers],
                                     self._second_opinion_limits(problem)):
                    return Verdict(extracted=None, correct=False, status="fail")
        if problem.metadata.get("other_tests", True):
            result = run_program(build_program(problem, completion), self._second_opinion_limits(problem))
            if not result.passed:
                status = result.status if result.status in ("timeout", "error") else "fail"
                return Verdict(extracted=None, correct=False, status=status)
        return Verdict(extracted=None, correct=True, status="ok")

    def verify_batch(self, pairs: list[tuple[Problem, str]]) -> list[Verdict]:
        boundary.require_boundary()
        workers = max(1, os.cpu_count() or 1)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            unique = list({p.id: p for p, _ in pairs}.values())
            list(pool.map(self._prepare, unique))  # reference outputs first, each once
            return list(pool.map(lambda pair: self._judge(*pair), pairs))


@TASKS.register("humaneval")
class HumanEval(_HumanEvalBase):
    name = "humaneval"


@TASKS.register("humaneval_plus")
class HumanEvalPlus(_HumanEvalBase):
    name = "humaneval_plus"
    plus = True
