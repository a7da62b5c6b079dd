"""Run untrusted Python (model-written code) behind an OS boundary and get back plain values.

`run_on_inputs(program, entry_point, inputs, limits)` runs `program`, then calls `entry_point` on
each input (a list of positional arguments) and returns one `Output` per input: the returned value
(decoded from type-tagged JSON, see `tasks.typed_values`), the name of the exception it raised, or
why there is none (`unsupported` type, `timeout`, `error`). The caller decides what is right: no
expected value, test or reference solution goes into the sandbox.
`run_program(program, limits)` runs a whole script (HumanEval's own test code, kept as a second
opinion) and reports whether it ran to its end; a hostile program can forge that signal from inside
(it cannot leave the sandbox), so it never turns a failure into a pass on its own.

The boundary is `tasks.boundary` (bubblewrap; `require_boundary` refuses to run without one unless
the user opted out). Inside, before the program loads, the runner sets rlimits (CPU seconds, address
space, file size, open files, processes). The parent cannot be held hostage: it reads at most
`Limits.output_bytes` of output (more kills the sandbox), every wait has a deadline, and when a run
returns its sandbox (the whole pid namespace) is gone. Nothing of a run is written on the host: the
request goes in on stdin, values come back on stdout, the only writable path is the sandbox's tmpfs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import select
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tasks import boundary, seccomp, typed_values

_TYPED_VALUES_SOURCE = Path(typed_values.__file__).read_text(encoding="utf-8")

RUNNER = r'''
import json, os, resource, sys
def _main():
    request = json.loads(sys.stdin.buffer.read())
    os.close(0)
    for name, value in request["rlimits"]:
        resource.setrlimit(getattr(resource, name), (value, value))
    out = os.dup(1)
    os.dup2(2, 1)  # the program's prints go to stderr, not into the answers
    write, dumps, exit_now = os.write, json.dumps, os._exit
    def emit(obj):
        write(out, (dumps(obj) + "\n").encode())
    tv = {"__name__": "typed_values"}
    exec(compile(request["typed_values"], "typed_values.py", "exec"), tv)
    encode, decode = tv["encode"], tv["decode"]
    namespace = {"__name__": "__main__"}
    try:
        exec(compile(request["program"], "program.py", "exec"), namespace)
    except BaseException as exc:
        emit({"load": "error", "error": type(exc).__name__})
        exit_now(1)
    entry = request["entry_point"]
    if entry is None:
        emit({"done": True})
        exit_now(0)
    fn = namespace.get(entry)
    if not callable(fn):
        emit({"load": "error", "error": "no function " + entry})
        exit_now(1)
    emit({"load": "ok"})
    for i, args in enumerate(request["inputs"]):
        try:
            result = fn(*decode(args))
        except BaseException as exc:
            emit({"i": i, "raised": type(exc).__name__[:100]})
            continue
        try:
            emit({"i": i, "out": encode(result)})
        except BaseException as exc:
            emit({"i": i, "unsupported": type(exc).__name__[:100]})
    exit_now(0)
_main()
'''


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed run."""

    wall_s: float = 10.0
    cpu_s: int = 10
    memory_bytes: int = 1 << 30
    file_bytes: int = 16 << 20
    open_files: int = 32
    processes: int = 16
    output_bytes: int = 64 << 20
    """Stdout + stderr the parent reads at most; past it the sandbox is killed."""


@dataclass(frozen=True)
class Output:
    """What one call of the entry point gave back."""

    status: str
    """ok | raised | unsupported (a value with no type tag) | timeout | error (no answer read)."""
    value: Any = None
    """The returned value when `ok`; the exception's type name when `raised`."""


@dataclass(frozen=True)
class RunResult:
    passed: bool
    """True only when the script ran to its end (a signal the script itself could forge)."""
    status: str
    """passed | failed | timeout | error."""
    exit_code: int | None
    seconds: float
    stderr_tail: str


@dataclass(frozen=True)
class _Raw:
    lines: list[bytes]
    stderr_tail: str
    exit_code: int | None
    why: str
    """'' when the run ended by itself, else timeout | overflow | error: ..."""
    seconds: float


def _rlimits(limits: Limits) -> list[tuple[str, int]]:
    return [("RLIMIT_CPU", limits.cpu_s), ("RLIMIT_AS", limits.memory_bytes),
            ("RLIMIT_FSIZE", limits.file_bytes), ("RLIMIT_NOFILE", limits.open_files),
            ("RLIMIT_NPROC", limits.processes), ("RLIMIT_CORE", 0)]


def _exchange(proc: subprocess.Popen[bytes], data: bytes, deadline: float, cap: int) -> tuple[bytes, bytes, str]:
    """Feed `data`, read stdout and stderr until both close; '' or why it stopped early."""
    assert proc.stdin and proc.stdout and proc.stderr
    sel = selectors.DefaultSelector()
    for f in (proc.stdin, proc.stdout, proc.stderr):
        os.set_blocking(f.fileno(), False)
    sel.register(proc.stdin, selectors.EVENT_WRITE)
    sel.register(proc.stdout, selectors.EVENT_READ)
    sel.register(proc.stderr, selectors.EVENT_READ)
    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
    chunks: dict[int, list[bytes]] = {out_fd: [], err_fd: []}
    view, sent, total = memoryview(data), 0, 0

    def collected(why: str) -> tuple[bytes, bytes, str]:  # what came before the end, and why it ended
        return b"".join(chunks[out_fd]), b"".join(chunks[err_fd]), why

    try:
        while sel.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return collected("timeout")
            for key, _ in sel.select(remaining):
                fd = key.fd
                if key.fileobj is proc.stdin:
                    try:
                        sent += os.write(fd, view[sent:sent + 65536])
                    except (BrokenPipeError, BlockingIOError) as exc:
                        if isinstance(exc, BlockingIOError):
                            continue
                        sent = len(view)
                    if sent >= len(view):
                        sel.unregister(proc.stdin)
                        proc.stdin.close()
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    sel.unregister(key.fileobj)
                    continue
                chunks[fd].append(chunk)
                total += len(chunk)
                if total > cap:
                    return collected("overflow")
    finally:
        sel.close()
    return collected("")


@dataclass(frozen=True)
class _Command:
    argv: list[str]
    workdir: str | None
    """Without a boundary: a private 0700 working directory, removed after the run."""
    pass_fds: tuple[int, ...] = ()
    """With bwrap: the seccomp filter's pipe (read end) and the info pipe (write end)."""
    info_fd: int | None = None
    """With bwrap: the read end of the pipe where bwrap writes the sandbox's first pid."""

    def close(self) -> None:
        for fd in (*self.pass_fds, *(() if self.info_fd is None else (self.info_fd,))):
            with contextlib.suppress(OSError):
                os.close(fd)


def _command() -> _Command:
    python = [boundary.interpreter(), "-I", "-S", "-B", "-c", RUNNER]
    if boundary.require_boundary() != boundary.BWRAP:
        return _Command(python, tempfile.mkdtemp(prefix="ttc-sandbox-"))
    info_read, info_write = os.pipe()
    program = seccomp.filter_program()
    if program is None:
        return _Command(boundary.bwrap_argv(python, None, info_write), None, (info_write,), info_read)
    read, write = os.pipe()
    os.write(write, program)  # a few hundred bytes: fits the pipe buffer
    os.close(write)
    argv = boundary.bwrap_argv(python, read, info_write)
    return _Command(argv, None, (read, info_write), info_read)


def _first_pid(info_fd: int | None, deadline: float) -> int | None:
    """The host pid of the sandbox's first process, from bwrap's `--info-fd` (None if not told)."""
    if info_fd is None:
        return None
    data = b""
    while time.monotonic() < deadline and len(data) < 4096:
        ready, _, _ = select.select([info_fd], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(info_fd, 4096) if ready else b""
        if not chunk:
            break
        data += chunk
        with contextlib.suppress(ValueError):
            pid = json.loads(data).get("child-pid")
            return pid if type(pid) is int else None
    return None


def _wait_gone(pid: int | None, timeout_s: float = 10.0) -> None:
    """Wait until the sandbox's first process has exited: the kernel has then killed and reaped
    every other process of its pid namespace."""
    if pid is None:
        return
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return
        if state in ("Z", "X"):
            return
        time.sleep(0.01)


def _run(request: dict[str, Any], limits: Limits) -> _Raw:
    """One sandboxed run of the runner on `request`; every way it can end is a `_Raw`."""
    request = dict(request, rlimits=_rlimits(limits), typed_values=_TYPED_VALUES_SOURCE)
    data = json.dumps(request).encode()
    start = time.monotonic()
    command = _command()
    proc: subprocess.Popen[bytes] | None = None
    first_pid: int | None = None
    try:
        proc = subprocess.Popen(command.argv, cwd=command.workdir, env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True, close_fds=True, pass_fds=command.pass_fds)
        for fd in command.pass_fds:
            os.close(fd)
        command = dataclasses.replace(command, pass_fds=())
        first_pid = _first_pid(command.info_fd, start + limits.wall_s)
        out, err, why = _exchange(proc, data, start + limits.wall_s, limits.output_bytes)
        if not why:
            try:
                proc.wait(timeout=max(0.5, start + limits.wall_s - time.monotonic()))
            except subprocess.TimeoutExpired:
                why = "timeout"
        code = proc.returncode if not why else None
        tail = err[-500:].decode(errors="replace")
        # the runner writes one line per input and one more; a program that writes more (64 MiB of
        # empty lines took the parent minutes to parse) is cut to that many: the first ones count
        lines = out.split(b"\n", len(request["inputs"]) + 2)[:len(request["inputs"]) + 2]
        return _Raw(lines, tail, code, why, time.monotonic() - start)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        return _Raw([], "", None, f"error: {type(exc).__name__}: {exc}", time.monotonic() - start)
    finally:
        command.close()
        if proc is not None:
            _kill(proc)
            _wait_gone(first_pid)
        if command.workdir is not None:
            shutil.rmtree(command.workdir, ignore_errors=True)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill the child's session (with bwrap the pid namespace dies with it) and reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)
    for f in (proc.stdin, proc.stdout, proc.stderr):
        if f is not None:
            with contextlib.suppress(OSError):
                f.close()


def _messages(lines: list[bytes]) -> list[dict[str, Any]]:
    messages = []
    for line in lines:
        with contextlib.suppress(ValueError, RecursionError):
            obj = json.loads(line)
            if type(obj) is dict:
                messages.append(obj)
    return messages


def run_on_inputs(program: str, entry_point: str, inputs: Sequence[Sequence[Any]],
                  limits: Limits = Limits()) -> list[Output]:
    """Call `entry_point` of `program` on each input (positional args) in the sandbox.

    Never raises on what the program does; raises `boundary.SandboxUnavailable` when there is no
    boundary and the user did not opt out, and `typed_values.Unsupported` on an input that has no tag.
    """
    encoded = [typed_values.encode(list(args)) for args in inputs]
    raw = _run({"program": program, "entry_point": entry_point, "inputs": encoded}, limits)
    results: dict[int, Output] = {}
    for msg in _messages(raw.lines):
        i = msg.get("i")
        if type(i) is not int or not 0 <= i < len(inputs) or i in results:
            continue
        if "out" in msg:
            try:
                results[i] = Output("ok", typed_values.decode(msg["out"]))
            except (ValueError, TypeError, RecursionError):
                results[i] = Output("error", "undecodable output")
        elif type(msg.get("raised")) is str:
            results[i] = Output("raised", msg["raised"])
        else:
            results[i] = Output("unsupported", str(msg.get("unsupported", ""))[:100])
    missing = Output("timeout" if raw.why == "timeout" else "error", raw.why or raw.stderr_tail[-200:])
    return [results.get(i, missing) for i in range(len(inputs))]


def run_program(program: str, limits: Limits = Limits()) -> RunResult:
    """Run `program` (source text) as a script in the sandbox; never raises on what it does."""
    raw = _run({"program": program, "entry_point": None, "inputs": []}, limits)
    if raw.why == "timeout":
        return RunResult(False, "timeout", None, raw.seconds, raw.stderr_tail)
    if raw.why:
        return RunResult(False, "error", None, raw.seconds, raw.why)
    passed = raw.exit_code == 0 and any(m.get("done") is True for m in _messages(raw.lines))
    return RunResult(passed, "passed" if passed else "failed", raw.exit_code, raw.seconds, raw.stderr_tail)
