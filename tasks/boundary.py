"""Which OS boundary model-written code runs behind, and the command line that builds it.

Modes, chosen by the environment variable `TTC_SANDBOX`:
- `bwrap` (the default): bubblewrap. New user, pid, mount, network, ipc, uts and cgroup namespaces;
  uid/gid 65534 inside; every capability dropped; a new session; killed with its parent; read-only
  binds of the system libraries (`/usr`, `/lib*`) and the interpreter's own installation (its
  site-packages hidden); a fresh, read-only `/proc` of the sandbox's own processes, a minimal `/dev`, and one
  size-capped private tmpfs (`/tmp`) as the only writable path (`/` and `/dev` read-only); no
  further user namespaces; a seccomp filter (`tasks.seccomp`: no new processes or threads, no namespaces, no
  ptrace, ...) where the machine is x86_64. Nothing of the project, of /work, of the user's home
  (beyond the interpreter's install) or of the environment is inside. When the pid namespace's
  first process ends, the kernel kills every process left in it.
- `unsafe_no_isolation`: the same runner as a plain child process (rlimits, a new session, an
  empty environment) and NO boundary: the program can read and write what the harness can. Only
  where the user names this risk explicitly.
Where bwrap is missing or cannot create its namespaces, `require_boundary()` refuses (raises
`SandboxUnavailable`) unless the user chose `unsafe_no_isolation`.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ENV = "TTC_SANDBOX"
BWRAP = "bwrap"
UNSAFE = "unsafe_no_isolation"
MODES = (BWRAP, UNSAFE)
TMPFS_BYTES = 64 << 20


class SandboxUnavailable(RuntimeError):
    """No OS boundary here, and the user did not accept running without one."""


def interpreter() -> str:
    """The real interpreter binary (a venv's `python` is a link to it)."""
    return os.path.realpath(sys.executable)


def requested_mode() -> str:
    mode = os.environ.get(ENV, BWRAP) or BWRAP
    if mode not in MODES:
        raise SandboxUnavailable(f"{ENV}={mode!r} is not a sandbox mode; valid: {', '.join(MODES)}")
    return mode


def mode() -> str:
    """The mode judgements run in: `bwrap`, `unsafe_no_isolation`, or `unavailable` (refused)."""
    wanted = requested_mode()
    if wanted == UNSAFE:
        return UNSAFE
    return BWRAP if bwrap_works() else "unavailable"


def require_boundary() -> str:
    """The mode to run in; raises `SandboxUnavailable` (naming the opt-out) when there is none."""
    current = mode()
    if current == "unavailable":
        raise SandboxUnavailable(
            "refusing to execute model-written code: bubblewrap (`bwrap`) is missing or cannot create "
            "namespaces here. Install it (`apt-get install bubblewrap`; `make setup` does as root), or "
            f"accept running it with no isolation at all by setting {ENV}={UNSAFE} (the code can then "
            "read, write and delete whatever this process can)."
        )
    return current


def _mounts() -> list[str]:
    args: list[str] = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64"):
        path = Path(top)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), top]
        elif path.is_dir():
            args += ["--ro-bind", top, top]
    prefix = os.path.realpath(sys.base_prefix)
    if not prefix.startswith("/usr/"):
        args += ["--ro-bind", prefix, prefix]
    site = os.path.realpath(sysconfig.get_path("purelib", vars={"base": prefix, "platbase": prefix}))
    if site.startswith(prefix + os.sep) and os.path.isdir(site):
        args += ["--tmpfs", site, "--remount-ro", site]
    return args


def bwrap_argv(command: list[str], seccomp_fd: int | None = None, info_fd: int | None = None) -> list[str]:
    """`command` run behind the boundary (its first item an absolute path inside the sandbox).

    `seccomp_fd`: a readable fd holding `tasks.seccomp.filter_program()`; `info_fd`: a writable fd
    where bwrap writes `{"child-pid": N}` (the host pid of the sandbox's first process). Both are
    passed to the child.
    """
    exe = shutil.which("bwrap") or "/usr/bin/bwrap"
    seccomp = ["--seccomp", str(seccomp_fd)] if seccomp_fd is not None else []
    seccomp += ["--info-fd", str(info_fd)] if info_fd is not None else []
    return [
        exe, "--unshare-all", "--unshare-user", "--disable-userns", "--uid", "65534", "--gid", "65534",
        "--hostname", "sandbox", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
        "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "LANG", "C.UTF-8",
        *_mounts(),
        "--proc", "/proc", "--dev", "/dev",
        "--size", str(TMPFS_BYTES), "--tmpfs", "/tmp",
        # /proc read-only: the sandbox's uid is host root's (bwrap started as root maps it so), and
        # bwrap 0.8 does not cover /proc/sys, whose host-wide sysctls (kernel.core_pattern) it could
        # otherwise open for writing
        "--remount-ro", "/proc", "--remount-ro", "/dev", "--remount-ro", "/", "--chdir", "/tmp",
        *seccomp, "--", *command,
    ]


def description() -> str:
    """One line for reports and docs: the mode and what it includes here."""
    current = mode()
    if current != BWRAP:
        return current
    from tasks.seccomp import filter_program

    filt = "seccomp filter" if filter_program() is not None else "no seccomp filter (not x86_64)"
    return f"bwrap ({filt}; no cgroup limits: rlimits and a {TMPFS_BYTES >> 20} MiB tmpfs instead)"


@functools.cache
def bwrap_works() -> bool:
    """Whether bwrap is installed and builds the full boundary on this machine (probed once)."""
    if shutil.which("bwrap") is None:
        return False
    probe = bwrap_argv([interpreter(), "-I", "-S", "-c", "import os; print(os.getuid())"])
    try:
        out = subprocess.run(probe, capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and out.stdout.strip() == b"65534"
