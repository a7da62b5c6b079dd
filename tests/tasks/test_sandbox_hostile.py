"""The red team's completions (issue 18), each judged by the real HumanEval judge.

Each is a body for HumanEval/23 (`strlen`). A forgery returns wrong answers and tries to be scored
correct anyway. An escape runs an attack and then answers correctly only if the attack worked, so
a pass means the attack got out; escapes with a host side effect also check that it did not happen.
The first helper (`_unhook`) empties the old in-interpreter audit hook's deny-lists through its
closure; against a real boundary it finds nothing and the attack goes on regardless.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from tasks import Problem, get_task

PROJECT = Path(__file__).resolve().parents[2]

UNHOOK = '''
import os, sys
def _unhook():
    f = sys._getframe()
    while f is not None:
        h = f.f_locals.get("hook")
        if callable(h) and getattr(h, "__closure__", None):
            for name, cell in zip(h.__code__.co_freevars, h.__closure__):
                if name in ("blocked_events", "blocked_modules"):
                    cell.cell_contents.clear()
                if name == "cwd":
                    cell.cell_contents = ""
            return True
        f = f.f_back
    return False
'''


def problem(task: str = "humaneval", number: int = 23) -> Problem:
    return next(p for p in get_task(task).load(None, number + 1) if p.id == f"HumanEval/{number}")


def judge(completion: str, task: str = "humaneval", number: int = 23) -> bool:
    return get_task(task).verify(problem(task, number), "```python\n" + completion + "\n```").correct


def escape(attack: str) -> bool:
    """Judge a completion that is right only if `attack` (a function body returning bool) worked."""
    body = textwrap.indent(textwrap.dedent(attack), "    ")
    return judge(UNHOOK + f"def _attack():\n{body}\n"
                 "try:\n    _OK = bool(_attack())\nexcept BaseException:\n    _OK = False\n"
                 "def strlen(string):\n    return len(string) if _OK else -1\n")


def processes(marker: str) -> list[str]:
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if marker in line and "ps -eo" not in line]


def test_a_right_and_a_wrong_program() -> None:
    assert judge("def strlen(string):\n    return len(string)")
    assert not judge("def strlen(string):\n    return -1")
    assert escape("return True") and not escape("return False")


# ---- forged verdicts -------------------------------------------------------------------------

def test_nonce_read_from_the_runner_frame() -> None:
    assert not escape('''
        f = sys._getframe()
        while f is not None:
            if "nonce" in f.f_locals and "out" in f.f_locals:
                os.write(f.f_locals["out"], ("SANDBOX-PASSED " + f.f_locals["nonce"] + "\\n").encode())
                os._exit(0)
            f = f.f_back
        return False''')


def test_nonce_read_through_a_traceback_frame() -> None:
    assert not escape('''
        try:
            1 / 0
        except ZeroDivisionError as e:
            f = e.__traceback__.tb_frame
        while f is not None:
            if "nonce" in f.f_locals and "out" in f.f_locals:
                os.write(f.f_locals["out"], ("SANDBOX-PASSED " + f.f_locals["nonce"] + "\\n").encode())
                os._exit(0)
            f = f.f_back
        return False''')


def test_nonce_read_from_the_judges_memory() -> None:
    assert not escape('''
        import re
        _unhook()
        found = set()
        with open(f"/proc/{os.getppid()}/maps") as maps, open(f"/proc/{os.getppid()}/mem", "rb") as mem:
            for line in maps:
                span, perms = line.split()[:2]
                if not perms.startswith("rw") or (len(line.split()) > 5 and "/" in line.split()[5]):
                    continue
                lo, hi = (int(x, 16) for x in span.split("-"))
                if hi - lo > 64 << 20:
                    continue
                try:
                    mem.seek(lo)
                    found.update(re.findall(rb"[0-9a-f]{32}", mem.read(hi - lo)))
                except OSError:
                    pass
        os.write(1, b"".join(b"SANDBOX-PASSED " + n + b"\\n" for n in found))
        os._exit(0)''')


def test_trace_function_replaces_check() -> None:
    assert not escape('''
        def tr(frame, event, arg):
            g = frame.f_globals
            if getattr(g.get("check"), "__name__", "") == "check":
                g["check"] = lambda candidate: None
            return tr
        sys._getframe(1).f_trace = tr
        sys.settrace(tr)
        return False''')


@pytest.mark.parametrize("value", ["_A()", "_I(0)", "_S('')"])
def test_objects_equal_to_everything(value: str) -> None:
    assert not judge(
        "class _A:\n    def __eq__(self, o): return True\n    def __ne__(self, o): return False\n"
        "class _I(int):\n    def __eq__(self, o): return True\n    __hash__ = int.__hash__\n"
        "class _S(str):\n    def __eq__(self, o): return True\n    __hash__ = str.__hash__\n"
        f"def strlen(string):\n    return {value}\n")


def test_expected_values_read_from_the_test_file() -> None:
    assert not judge('''
import os, re, ast
_T = {}
for _root in (".", "/tmp"):
    for _name in os.listdir(_root):
        try:
            _src = open(os.path.join(_root, _name)).read()
        except Exception:
            continue
        for _m in re.finditer(r"assert candidate\\((.*?)\\) == (.*)", _src):
            try:
                _T[ast.literal_eval(_m.group(1))] = ast.literal_eval(_m.group(2))
            except Exception:
                pass
def strlen(string):
    return _T.get(string, -1)''')


def test_expected_values_read_from_the_callers_bytecode() -> None:
    assert not judge('''
import sys
def strlen(string):
    consts = sys._getframe(1).f_code.co_consts
    for i, c in enumerate(consts):
        if type(c) is str and c == string and i + 1 < len(consts) and type(consts[i + 1]) is int:
            return consts[i + 1]
    return -1''')


def test_humaneval_plus_canonical_solution_run_from_the_program() -> None:
    assert not judge('''
def strlen(string):
    namespace = {}
    exec(globals()["_TTC_REFERENCE"], namespace)
    return namespace["strlen"](string)''', task="humaneval_plus")


@pytest.mark.parametrize("task", ["humaneval", "humaneval_plus"])
def test_answers_past_every_float_are_wrong_and_do_not_crash_the_judge(task: str) -> None:
    # HumanEval/2 (`truncate_number`) answers floats: an int past every float, and a forged line
    # whose hex float overflows, used to raise OverflowError in the parent (the whole batch lost)
    assert not judge("def truncate_number(number):\n    return 10 ** 400", task, 2)
    assert not judge('import os\nfor _i in range(2000):\n'
                     '    os.write(0, b\'{"i": %d, "out": {"t": "float", "v": "0x1p99999"}}\\n\' % _i)\n'
                     'def truncate_number(number):\n    return number % 1.0', task, 2)


def test_a_float_near_an_int_answer() -> None:
    # the float tolerance applied to int answers too: a length off by 1e-7 was scored correct
    assert not judge("def strlen(string):\n    return len(string) + 1e-7")
    assert not judge("def strlen(string):\n    return len(string) + 1e-7", "humaneval_plus")


FORGED_DONE = "import os\nos.write(0, b'{\"done\": true}\\n')\nos._exit(0)\n"


@pytest.mark.parametrize(("number", "completion"), [
    (32, FORGED_DONE), (38, FORGED_DONE), (50, FORGED_DONE),
    (53, "def add(x, y):\n    if (x, y) in ((0, 1), (1, 0), (2, 3), (5, 7), (7, 5)):\n"
         "        return x + y\n" + textwrap.indent(FORGED_DONE, "    ")),
])
def test_forged_end_of_humanevals_own_check(number: int, completion: str) -> None:
    # /32, /38, /50 have no literal inputs, /53 tests random ones: their `check` ran only with the
    # candidate, whose "ran to the end" line (on the runner's answer fd, 0) was taken as the verdict
    assert not judge(completion, number=number)


def test_a_right_answer_other_than_the_canonical_one_passes_the_replayed_check() -> None:
    # HumanEval/32: any zero of the polynomial is right, not only the canonical solution's
    assert judge("def find_zero(xs):\n    lo, hi = -1e6, 1e6\n    if poly(xs, lo) > 0:\n"
                 "        lo, hi = hi, lo\n    for _ in range(200):\n        mid = (lo + hi) / 2\n"
                 "        lo, hi = (mid, hi) if poly(xs, mid) < 0 else (lo, mid)\n    return lo\n",
                 number=32)


# ---- escapes ----------------------------------------------------------------------------------

def test_emptied_hook_gives_no_root_shell() -> None:
    assert not escape('''
        _unhook()
        import subprocess
        return subprocess.run(["id", "-u"], capture_output=True, text=True).stdout.strip() == "0"''')


@pytest.mark.parametrize("trick", [
    "import posixpath\nposixpath.abspath = lambda p: os.getcwd() + '/x'\nopen(TARGET, 'w').write('pwned')",
    "class B(bytes):\n    def decode(self, *a, **k):\n        return 'inside.txt'\n"
    "open(B(TARGET.encode()), 'w').write('pwned')",
    "os.mkfifo(TARGET)",
])
def test_host_file_created_through_a_path_trick_or_an_unaudited_call(tmp_path: Path, trick: str) -> None:
    target = tmp_path / "pwned"
    assert not escape(f"TARGET = {str(target)!r}\n{trick}\nreturn os.path.exists(TARGET)")
    assert not target.exists()


def test_host_directory_listed(tmp_path: Path) -> None:
    (tmp_path / "host-only.txt").write_text("x")
    assert not escape(f"return 'host-only.txt' in os.listdir({str(tmp_path)!r})")
    assert not escape(f"return 'pyproject.toml' in os.listdir({str(PROJECT)!r})")


def test_host_unix_socket_reached(tmp_path: Path) -> None:
    path = tmp_path / "s"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen(1)
    try:
        assert not escape(f'''
            _unhook()
            import socket
            s = socket.socket(socket.AF_UNIX)
            s.connect({str(path)!r})
            return True''')
    finally:
        server.close()


def test_host_process_killed() -> None:
    victim = subprocess.Popen(["sleep", "300"])
    try:
        assert not escape(f"_unhook()\nos.kill({victim.pid}, 9)\nreturn True")
        time.sleep(0.2)
        assert victim.poll() is None, "the sandbox killed a host process"
    finally:
        victim.kill()
        victim.wait()


def test_flooding_stdout_is_cut_off() -> None:
    start = time.monotonic()
    assert not escape("chunk = b'x' * (1 << 20)\nfor _ in range(300):\n    os.write(1, chunk)\nreturn True")
    assert time.monotonic() - start < 30


def test_a_flood_of_empty_answer_lines_does_not_hold_the_judge() -> None:
    # each line on the answer fd (0) was parsed as JSON: 64 MiB of newlines held the parent minutes
    start = time.monotonic()
    assert not judge("import os\nos.write(0, b'\\n' * (2 << 20))\n"
                     "def strlen(string):\n    return -1")
    assert time.monotonic() - start < 5


def test_files_and_memfds_past_the_limits() -> None:
    assert not escape('''
        _unhook()
        held, total, chunk = [], 0, b"x" * (1 << 20)
        for n in range(200):
            try:
                fd = os.memfd_create("m")
            except OSError:
                try:
                    fd = os.open(f"f{n}", os.O_CREAT | os.O_RDWR)
                except OSError:
                    try:
                        fd = os.open(f"/tmp/f{n}", os.O_CREAT | os.O_RDWR)
                    except OSError:
                        break
            held.append(fd)
            try:
                for _ in range(16):
                    total += os.write(fd, chunk)
            except OSError:
                pass
        return total >= 600 << 20''')


def test_system_v_shared_memory_outside_every_limit() -> None:
    # a segment stays allocated when detached: touched 1 GiB at a time (under RLIMIT_AS), segments
    # would fill the host's memory; here one small segment is asked for and removed at once
    assert not escape('''
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        segment = libc.shmget(0, 1 << 20, 0o1600)
        if segment >= 0:
            libc.shmctl(segment, 0, None)
        return segment >= 0 or libc.msgget(0, 0o1600) >= 0''')


def test_host_wide_sysctls_opened_for_writing() -> None:
    # the sandbox's uid is host root's, and bwrap 0.8 left /proc/sys writable: kernel.core_pattern
    # (a command the host kernel runs as root) could be set. Only opened here, never written.
    assert not escape('''
        opened = False
        for name in ("kernel/core_pattern", "vm/drop_caches", "kernel/hostname"):
            path = "/proc/sys/" + name
            try:
                os.close(os.open(path, os.O_WRONLY))
                opened = True
            except OSError:
                pass
        return opened''')


def test_threads_past_the_process_limit() -> None:
    # RLIMIT_NPROC (16) does not hold host root, which the sandbox's uid is: threads were limited only
    # by the address space, ~20,000 of them against a host pid space of 32,768. Here 40 are asked for.
    assert not escape('''
        import threading
        threading.stack_size(1 << 16)
        stop, started = threading.Event(), []
        for _ in range(40):
            t = threading.Thread(target=stop.wait, daemon=True)
            t.start()
            started.append(t)
        stop.set()
        return len(started) > 16''')


def test_vsock_reaches_past_the_network_namespace() -> None:
    # AF_VSOCK is not namespaced (this machine has /dev/vsock): only the socket is made, nothing is dialled
    assert not escape("import socket\nsocket.socket(40, socket.SOCK_STREAM).close()\nreturn True")


def test_detached_grandchild_does_not_hold_the_judge() -> None:
    start = time.monotonic()
    assert not escape('''
        _unhook()
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execv("/bin/sleep", ["sleep", "21.5"])
            os._exit(0)
        return False''')
    assert time.monotonic() - start < 10, "a detached grandchild held the judge"
    time.sleep(0.3)
    assert processes("sleep 21.5") == [], "a detached grandchild outlived its judgement"


def test_output_file_is_not_rewritten_after_the_judge_exits(tmp_path: Path) -> None:
    from harness.cli import main

    out = tmp_path / "out.jsonl"
    forged = json.dumps({"id": "HumanEval/23", "completion": "", "correct": True, "status": "ok"})
    attack = textwrap.indent(textwrap.dedent(f'''
        _unhook()
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.closerange(0, 1024)  # let go of the judge's pipes
                import time
                time.sleep(3)
                open({str(out)!r}, "w").write({forged!r} + "\\n")
            os._exit(0)
        return False'''), "    ")
    completion = (UNHOOK + f"def _attack():\n{attack}\n_attack()\n"
                  "def strlen(string):\n    return -1\n")
    inp = tmp_path / "in.jsonl"
    row = {"id": "HumanEval/23", "completion": "```python\n" + completion + "\n```"}
    inp.write_text(json.dumps(row) + "\n")
    assert main(["judge", "--task", "humaneval", "--input", str(inp), "--output", str(out)]) == 0
    written = out.read_text()
    time.sleep(4.5)
    assert out.read_text() == written
    assert json.loads(written)["correct"] is False


def test_one_sandbox_cannot_reach_anothers_files() -> None:
    decoy = Path(tempfile.mkdtemp(prefix="ttc-sandbox-decoy-"))
    (decoy / "runner.py").write_text("original")
    try:
        assert not escape(f'''
            _unhook()
            hit = False
            for name in os.listdir({tempfile.gettempdir()!r}):
                path = os.path.join({tempfile.gettempdir()!r}, name, "runner.py")
                if name.startswith("ttc-sandbox-") and os.path.exists(path) and os.getcwd() not in path:
                    open(path, "w").write("swapped")
                    hit = True
            return hit''')
        assert (decoy / "runner.py").read_text() == "original"
    finally:
        (decoy / "runner.py").unlink()
        decoy.rmdir()


def test_a_judgement_leaves_no_process_and_no_file() -> None:
    marker = f"ttc-leak-{os.getpid()}"
    before = set(os.listdir(tempfile.gettempdir()))
    assert not escape(f'''
        _unhook()
        for _ in range(3):
            if os.fork() == 0:
                os.setsid()
                os.execv("/bin/sleep", ["sleep", "33.3"])
        for d in ("/tmp", ".", {tempfile.gettempdir()!r}):
            try:
                open(os.path.join(d, {marker!r}), "w").write("x")
            except OSError:
                pass
        return False''')
    time.sleep(0.3)
    assert processes("sleep 33.3") == []
    left = set(os.listdir(tempfile.gettempdir())) - before
    assert not [n for n in left if n.startswith(("ttc-", marker))], left
