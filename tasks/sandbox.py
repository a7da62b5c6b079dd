"""Run untrusted Python (model-written code plus its tests) in a contained child process.

Layers, each enforced outside the untrusted code's reach where the OS allows it:
- a separate process (`python -I -S`: no site-packages, no user paths, no PYTHON* variables), in a
  fresh temporary directory as working directory, removed afterwards;
- an environment stripped to PATH and LANG (no API keys, no HOME, no secrets);
- rlimits: CPU seconds, address space, file size, open files, processes;
- a new session, whose whole process group is killed at the end, and a wall-clock limit;
- no network: a new network namespace (unshare(CLONE_NEWNET)) where the kernel allows it, and in
  every case an audit hook installed before the program runs that refuses sockets, subprocesses,
  fork/exec, ctypes, and file access outside the working directory and the standard library.
  `network_isolation()` says which network layer is in force.
A pass is recorded only when the runner prints a one-time nonce after the program (tests and
`check(entry_point)` included) ran to its end: `exit(0)` or `os._exit(0)` before that is a failure.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

CLONE_NEWNET = 0x40000000

RUNNER = r'''
import os, sys
def _main():
    nonce = sys.stdin.readline().strip()
    os.close(0)
    out = os.dup(1)
    write, exit_now = os.write, os._exit
    cwd = os.getcwd()
    with open("program.py", encoding="utf-8") as f:
        source = f.read()
    code = compile(source, "program.py", "exec")
    allowed_read = tuple(p for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, cwd} if p)
    blocked_modules = {"socket", "_socket", "subprocess", "_posixsubprocess", "ctypes", "_ctypes",
                       "multiprocessing", "_multiprocessing", "pty", "mmap", "resource", "fcntl"}
    blocked_events = {"socket.connect", "socket.bind", "socket.__new__", "socket.getaddrinfo",
                      "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                      "os.fork", "os.forkpty", "os.kill", "os.killpg", "ctypes.dlopen", "ctypes.dlsym",
                      "os.remove", "os.rmdir", "os.rename", "os.chmod", "os.chown", "os.link",
                      "os.symlink", "os.truncate", "os.mkdir", "os.utime", "shutil.rmtree",
                      "os.putenv", "os.unsetenv", "os.chdir", "sys.addaudithook", "setopencode"}
    realpath = os.path.realpath
    def hook(event, args):
        if event in blocked_events:
            raise PermissionError("sandbox: " + event)
        if event == "import" and args[0] in blocked_modules:
            raise PermissionError("sandbox: import " + args[0])
        if event == "open":
            path, mode = args[0], args[1]
            if isinstance(path, int):
                return
            full = realpath(path if isinstance(path, str) else os.fsdecode(path))
            writing = isinstance(mode, str) and any(c in mode for c in "wax+")
            if isinstance(args[2], int) and args[2] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                writing = True
            inside = full == cwd or full.startswith(cwd + os.sep)
            if writing and not inside:
                raise PermissionError("sandbox: write outside the working directory")
            if not writing and not inside and not full.startswith(allowed_read) and full not in ("/dev/null", "/dev/urandom"):
                raise PermissionError("sandbox: read outside the sandbox")
    sys.addaudithook(hook)
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        exec(code, namespace)
    except BaseException:
        exit_now(1)
    write(out, ("SANDBOX-PASSED " + nonce + "\n").encode())
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
    open_files: int = 64
    processes: int = 16


@dataclass(frozen=True)
class RunResult:
    passed: bool
    """True only when the runner printed the nonce after the whole program ran."""
    status: str
    """passed | failed | timeout | error."""
    exit_code: int | None
    seconds: float
    stderr_tail: str


def _unshare_net() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(CLONE_NEWNET) == 0
    except Exception:
        return False


_NETNS: bool | None = None


def network_isolation() -> str:
    """`netns` when a child can enter a new network namespace, else `audit-hook` only."""
    global _NETNS
    if _NETNS is None:
        probe = subprocess.run(
            [sys.executable, "-I", "-S", "-c",
             "import ctypes,sys; sys.exit(0 if ctypes.CDLL(None).unshare(0x40000000)==0 else 1)"],
            capture_output=True, timeout=30,
        )
        _NETNS = probe.returncode == 0
    return "netns" if _NETNS else "audit-hook"


def _preexec(limits: Limits, netns: bool) -> None:
    os.setsid()
    if netns:
        _unshare_net()
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
    resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_program(program: str, limits: Limits = Limits()) -> RunResult:
    """Run `program` (source text) contained; never raises on what the program does."""
    netns = network_isolation() == "netns"
    workdir = Path(tempfile.mkdtemp(prefix="ttc-sandbox-"))
    nonce = secrets.token_hex(16)
    start = time.monotonic()
    proc: subprocess.Popen[bytes] | None = None
    try:
        (workdir / "program.py").write_text(program, encoding="utf-8")
        (workdir / "runner.py").write_text(RUNNER, encoding="utf-8")
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-B", "runner.py"],
            cwd=workdir,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=lambda: _preexec(limits, netns),
            close_fds=True,
        )
        try:
            out, err = proc.communicate((nonce + "\n").encode(), timeout=limits.wall_s)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            out, err = proc.communicate()
            tail = err[-500:].decode(errors="replace")
            return RunResult(False, "timeout", None, time.monotonic() - start, tail)
        passed = f"SANDBOX-PASSED {nonce}".encode() in out and proc.returncode == 0
        status = "passed" if passed else "failed"
        return RunResult(passed, status, proc.returncode, time.monotonic() - start,
                         err[-500:].decode(errors="replace"))
    except Exception as exc:
        return RunResult(False, "error", None, time.monotonic() - start, f"{type(exc).__name__}: {exc}")
    finally:
        if proc is not None:
            _kill_group(proc)
        shutil.rmtree(workdir, ignore_errors=True)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
