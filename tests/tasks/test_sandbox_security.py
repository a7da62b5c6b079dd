"""Hostile completions: each is contained, scored as a failure, leaves no process and no file.

The harness process must keep running afterwards (every test ends by judging a good program).
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tasks import Problem, boundary, get_task
from tasks.sandbox import Limits, run_program

FAST = Limits(wall_s=5.0, cpu_s=5)


def problem() -> Problem:
    tests = "def check(candidate):\n    assert candidate(2) == 4\n    assert candidate(-1) == 1\n"
    prompt = 'def square(x: int) -> int:\n    """Return x squared."""\n'
    return get_task("humaneval").problem(  # type: ignore[attr-defined]
        {"task_id": "t/0", "prompt": prompt, "test": tests, "entry_point": "square",
         "canonical_solution": "    return x * x\n"})


def judge(body: str) -> bool:
    """Judge a completion that first does `body`, then solves the task correctly."""
    task = get_task("humaneval")
    completion = "```python\nimport os, sys\n" + body + "\ndef square(x):\n    return x * x\n```"
    return task.verify(problem(), completion).correct


def sandbox_processes() -> list[str]:
    """Live sandbox processes of this test run: descendants of this process, or orphans (other
    workers' sandboxes on a shared machine are neither; bwrap's exited setup helper may wait a
    moment for init to reap it)."""
    out = subprocess.run(["ps", "-eo", "pid,ppid,stat,args"], capture_output=True, text=True).stdout
    rows = [line.split(None, 3) for line in out.splitlines()[1:]]
    parent = {int(r[0]): int(r[1]) for r in rows if len(r) >= 3}

    def ours(ppid: int) -> bool:
        if ppid == 1:  # an orphan, reparented to init
            return True
        pid, seen = ppid, set()
        while pid > 1 and pid not in seen:  # else: a descendant of this process (not of a sibling worker)
            if pid == os.getpid():
                return True
            seen.add(pid)
            pid = parent.get(pid, 0)
        return False

    return [" ".join((r[0], r[2], r[3])) for r in rows if len(r) == 4
            and ("runner.py" in r[3] or "bwrap" in r[3] or "-I -S -B -c" in r[3])
            and "ps -eo" not in r[3] and r[2][0] != "Z" and ours(int(r[1]))]


@pytest.fixture(autouse=True)
def _contained():  # type: ignore[no-untyped-def]
    import tempfile

    before = set(Path(tempfile.gettempdir()).glob("ttc-sandbox-*"))
    yield
    time.sleep(0.2)
    assert sandbox_processes() == [], "a sandboxed process outlived its run"
    assert set(Path(tempfile.gettempdir()).glob("ttc-sandbox-*")) <= before, "a sandbox dir was left"
    assert judge("pass"), "the harness no longer judges a good program"


def test_a_good_program_passes() -> None:
    assert judge("pass")
    assert not get_task("humaneval").verify(problem(), "").correct


def test_writing_outside_the_working_directory(tmp_path: Path) -> None:
    target = tmp_path / "evil.txt"
    assert not judge(f"open({str(target)!r}, 'w').write('pwned')")
    assert not target.exists()
    assert not judge(f"os.open({str(target)!r}, os.O_CREAT | os.O_WRONLY)")
    assert not target.exists()


def test_reading_environment_and_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TTC_TEST_SECRET", "hunter2")
    assert not judge("assert os.environ.get('TTC_TEST_SECRET') == 'hunter2'")
    assert not judge("assert 'HOME' in os.environ")
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cret")
    assert not judge(f"assert open({str(secret)!r}).read() == 's3cret'")


def test_fork_bomb() -> None:
    assert not judge("while True:\n    os.fork()")
    assert not judge("import multiprocessing\nwhile True: multiprocessing.Process(target=print).start()")


def test_memory_bomb() -> None:
    result = run_program("x = bytearray(8 << 30)\n", FAST)
    assert not result.passed
    assert not judge("x = ' ' * (8 << 30)")


def test_infinite_loop_is_killed_on_time() -> None:
    start = time.monotonic()
    result = run_program("while True:\n    pass\n", Limits(wall_s=2.0, cpu_s=5))
    assert result.status == "timeout" and not result.passed
    assert time.monotonic() - start < 5


def test_background_child_left_sleeping() -> None:
    assert not judge("import subprocess\nsubprocess.Popen(['sleep', '317.3'])")
    assert not judge("assert os.system('sleep 317.3 &') == 0")  # runs, fails to spawn, answers right
    assert not judge("pid = os.fork()\nif pid == 0:\n    import time; time.sleep(317.3)")
    assert not any("sleep 317.3" in line for line in
                   subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout.splitlines())


def test_network_is_unreachable() -> None:
    received: list[bytes] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(4)
    port = server.getsockname()[1]

    def accept() -> None:
        try:
            conn, _ = server.accept()
            received.append(conn.recv(100))
        except OSError:
            pass

    thread = threading.Thread(target=accept)
    thread.start()
    body = (f"import socket\ns = socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
            "s.sendall(b'leak')")
    assert not judge(body)
    thread.join()
    server.close()
    assert received == []


def test_the_boundary_in_force_is_bwrap_without_privileges() -> None:
    """Runs without the old audit hook: uid 65534, no capabilities, no network, own pid namespace."""
    assert boundary.mode() == boundary.BWRAP, "bubblewrap is installed here (make setup)"
    program = ("import os, socket\n"
               "caps = [l.split()[1] for l in open('/proc/self/status') if l.startswith('Cap')]\n"
               "assert os.getuid() == 65534 and set(caps) == {'0000000000000000'}, caps\n"
               "assert all(int(p) < 100 for p in os.listdir('/proc') if p.isdigit())\n"
               "try:\n    socket.create_connection(('127.0.0.1', 1), timeout=1)\n"
               "except OSError as e:\n    assert e.errno in (101, 111), e\n")
    result = run_program(program, FAST)
    assert result.passed, result.stderr_tail


@pytest.mark.parametrize("body", ["exit(0)", "sys.exit(0)", "os._exit(0)", "raise SystemExit(0)",
                                  "quit()"])
def test_exiting_early_is_a_failure(body: str) -> None:
    assert not judge(body)


def test_forged_pass_marker_is_a_failure() -> None:
    assert not judge("print('SANDBOX-PASSED 0123456789abcdef0123456789abcdef')\nos._exit(0)")
    assert not judge("import sys\nprint(sys.stdin.readline())\nos._exit(0)")


def test_patching_builtins_does_not_pass() -> None:
    # a completion that disables assertions' effect or the checker cannot turn a wrong answer into a pass
    task = get_task("humaneval")
    wrong = "```python\nimport builtins\nbuiltins.AssertionError = type('X', (Exception,), {})\n" \
            "def square(x):\n    return 0\n```"
    assert not task.verify(problem(), wrong).correct
    hijack = "```python\nimport builtins\nbuiltins.__import__ = None\ndef square(x):\n    return 0\n```"
    assert not task.verify(problem(), hijack).correct
    override_check = "```python\ndef square(x):\n    return 0\ndef check(c):\n    pass\n```"
    assert not task.verify(problem(), override_check).correct


def test_deleting_files(tmp_path: Path) -> None:
    victim = tmp_path / "keep.txt"
    victim.write_text("keep")
    assert not judge(f"os.remove({str(victim)!r})")
    assert not judge(f"import shutil\nshutil.rmtree({str(tmp_path)!r})")
    assert not judge(f"os.rename({str(victim)!r}, 'stolen.txt')")
    assert victim.read_text() == "keep"


def test_environment_of_the_child_is_stripped() -> None:
    assert os.environ.get("PATH")
    program = "import os\nassert set(os.environ) <= {'PATH', 'LANG', 'LC_CTYPE', 'PWD'}, dict(os.environ)\n"
    result = run_program(program, FAST)
    assert result.passed, result.stderr_tail
