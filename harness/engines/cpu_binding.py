"""Which cores a CPU engine's compute threads are bound to: every core its replica owns, none reserved.

vLLM's CPU backend binds its OpenMP threads by `VLLM_CPU_OMP_THREADS_BIND`. Its default, `auto`,
reserves one core per worker for the scheduler process (`VLLM_CPU_NUM_OF_RESERVED_CPU`), which on a
2-core machine leaves half of it idle: 8 GSM8K prompts x n=8 x 128 tokens ran at 77-83 tokens/s with
`auto` (`core ids=[0]`, `reserved_cpus=[1]`) and at 126-136 tokens/s bound to both cores with none
reserved. The front-end process mostly waits on the worker, so the rule is: reserve nothing.

A replica owns `num_cpus` of the cores this process may run on (`os.sched_getaffinity`); replica
`slot` takes the slot-th such slice (wrapping), so replicas sharing a machine do not share cores.
A binding already set in the environment wins (it is reported as such). `bound_threads` sets it
while vLLM starts its processes and restores the environment after, so nothing leaks to processes
started later (another replica, a subprocess sweep).
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

BIND = "VLLM_CPU_OMP_THREADS_BIND"
RESERVED = "VLLM_CPU_NUM_OF_RESERVED_CPU"


def id_list(cores: Iterable[int]) -> str:
    """`[0, 1, 2, 5]` -> `0-2,5` (the format vLLM parses)."""
    ordered = sorted(set(cores))
    runs: list[list[int]] = []
    for c in ordered:
        if runs and c == runs[-1][-1] + 1:
            runs[-1].append(c)
        else:
            runs.append([c])
    return ",".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


@dataclass(frozen=True)
class CpuBinding:
    """The thread binding of one CPU engine."""

    bind: str
    """The value of VLLM_CPU_OMP_THREADS_BIND, e.g. `0-1`."""
    reserved: str
    """The value of VLLM_CPU_NUM_OF_RESERVED_CPU."""
    available: int
    """Cores this process may run on."""
    from_environment: bool
    """True when the binding was already set in the environment (then left as it was)."""

    def env(self) -> dict[str, str]:
        return {BIND: self.bind, RESERVED: self.reserved}

    def line(self) -> str:
        source = "from the environment" if self.from_environment else "derived"
        return (f"engine threads: {BIND}={self.bind} {RESERVED}={self.reserved} "
                f"({source}; {self.available} cores available to pid {os.getpid()})")


def cpu_binding(num_cpus: float | None = None, slot: int = 0, available: Iterable[int] | None = None,
                environ: dict[str, str] | None = None) -> CpuBinding:
    """The binding for replica `slot` owning `num_cpus` cores (None: every available core)."""
    env = dict(os.environ) if environ is None else environ
    cores = sorted(os.sched_getaffinity(0) if available is None else set(available))
    if not cores:
        raise ValueError("no CPU cores available to bind the engine to")
    if BIND in env:
        return CpuBinding(env[BIND], env.get(RESERVED, "unset"), len(cores), True)
    if num_cpus is not None and num_cpus <= 0:
        raise ValueError(f"num_cpus must be positive, got {num_cpus}")
    width = len(cores) if num_cpus is None else min(len(cores), max(1, math.floor(num_cpus)))
    slices = len(cores) // width
    start = (slot % slices) * width
    return CpuBinding(id_list(cores[start:start + width]), "0", len(cores), False)


@contextlib.contextmanager
def bound_threads(num_cpus: float | None = None, slot: int = 0) -> Iterator[CpuBinding]:
    """Inside the block, this process's environment carries the binding (for the engine it starts);
    the binding's line is printed once."""
    binding = cpu_binding(num_cpus, slot)
    print(binding.line(), flush=True)
    saved = {k: os.environ.get(k) for k in binding.env()}
    if not binding.from_environment:
        os.environ.update(binding.env())
    try:
        yield binding
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
