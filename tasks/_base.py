"""The task contract: a benchmark loads `Problem`s, builds chat messages, and verifies completions.

A task module defines one `Task` subclass and registers it with `@TASKS.register(name)`. Tasks know
nothing about engines or the harness; the harness turns their messages into prompts.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from core.registry import Registry
from tasks.votes import VoteClusters, cluster_votes

Message = dict[str, str]
"""One chat message: {"role": "system"|"user"|"assistant", "content": str}."""


@dataclass(frozen=True)
class Problem:
    """One benchmark item."""

    task: str
    """Task name, e.g. `gsm8k`."""
    id: str
    """Stable id within the task (e.g. `gsm8k/test/17`, `HumanEval/3`)."""
    question: str
    """What the prompt asks (for code tasks: the function signature and docstring)."""
    reference: str
    """Reference answer (math tasks) or test code (code tasks)."""
    entry_point: str = ""
    """Function the tests call (code tasks only)."""
    metadata: dict[str, Any] = field(default_factory=dict)
    """Level, subject, year, ... (the task's `bins` reads its difficulty bins from them)."""


@dataclass(frozen=True)
class Verdict:
    """The verifier's judgement of one completion."""

    extracted: str | None
    """Canonical form of the extracted answer; None when none was found."""
    correct: bool
    """Whether it matches the reference (a pass only on a positive signal)."""
    status: str
    """ok | no_answer | timeout | error | fail (a code task's tests did not pass)."""
    extracted_by: str = ""
    """Extraction stage that read the answer (`tasks.math_extract.STAGES`, GSM8K's `numeric.STAGES`),
    `none` when no stage found one; empty for tasks without extraction (code) or a judge that timed out."""


class Task(ABC):
    """A benchmark: problems, prompts and a verifier. Subclasses set the class attributes."""

    name: str = ""
    prompt_version: str = "1"
    """Bump when the prompt changes: it is part of the pool hash."""
    verifier_version: str = "1"
    """Bump when scoring changes: runs with different versions are not merged."""
    reference_in_benchmark: bool = False
    """How `python -m harness judge` finds a judged completion's problem. False: each input line carries
    its `reference` answer; True: the problem (tests, entry point) is looked up by its `id` in the
    benchmark, as code tasks need."""

    @abstractmethod
    def load(self, data_dir: str | None, limit: int | None) -> list[Problem]:
        """The first `limit` problems (all when None), in the benchmark's order."""

    @abstractmethod
    def messages(self, problem: Problem) -> list[Message]:
        """Chat messages for the model; the harness applies the chat template."""

    @abstractmethod
    def verify(self, problem: Problem, completion: str) -> Verdict:
        """Score one completion. Never raises on model output: bad output is a wrong verdict."""

    def verify_batch(self, pairs: list[tuple[Problem, str]]) -> list[Verdict]:
        """Score many (problem, completion) pairs; tasks with costly verifiers run them in parallel."""
        return [self.verify(p, c) for p, c in pairs]

    def bins(self, problem: Problem) -> dict[str, str | int]:
        """The problem's difficulty bins, bin name -> value (`{"level": 3, "subject": "Algebra"}`);
        the report breaks curves down by `name=value`. Default: none (the report then bins by
        quintiles of the pass rate)."""
        return {}

    def voting_unsupported(self) -> str | None:
        """Why votes cannot be keyed without the reference on this task (None: they can)."""
        return None

    def vote_key(self, answer: str) -> str:
        """Normalised form of an extracted answer (equal keys vote together)."""
        return answer.strip()

    def vote_clusters(
        self, problem: Problem, completions: list[str], verdicts: list[Verdict]
    ) -> VoteClusters:
        """Reference-free vote keys of one problem's pool (see `tasks.votes`). The default clusters
        by normalised answer string; tasks with a looser equivalence, or whose samples carry no
        answer (code: cluster programs by their behaviour on the prompt's examples), override it."""
        return cluster_votes([None if v.extracted is None else self.vote_key(v.extracted) for v in verdicts])

    def vote_clusters_batch(
        self, pools: list[tuple[Problem, list[str], list[Verdict]]]
    ) -> list[VoteClusters]:
        """`vote_clusters` of many pools; tasks with costly equivalence run them in parallel."""
        return [self.vote_clusters(*pool) for pool in pools]


TASKS: Registry[type[Task]] = Registry("task")
