"""Benchmarks: one module per task, each registering itself in `TASKS` where it is defined.

`get_task(name)` imports every task module once, then looks the name up.
"""

from __future__ import annotations

from core.registry import import_submodules
from tasks._base import TASKS, Message, Problem, Task, Verdict


def load_all() -> None:
    """Import every module of this package so that their decorators register them (idempotent)."""
    import_submodules(__name__, __path__)


def get_task(name: str) -> Task:
    load_all()
    return TASKS.get(name)()


def task_names() -> list[str]:
    load_all()
    return TASKS.names()


__all__ = ["TASKS", "Message", "Problem", "Task", "Verdict", "get_task", "task_names"]
