"""A seccomp filter (classic BPF, built here: no libseccomp needed) that bubblewrap loads.

It answers EPERM to system calls a judged program has no use for and that widen what it can reach
or hold: namespaces (`unshare`, `setns`, `mount` and the new mount API), tracing and other
processes' memory (`ptrace`, `process_vm_*`), kernel keyrings, `bpf`, `userfaultfd`,
`perf_event_open`, `io_uring`, module and kexec loading, `memfd_create` (memory outside the tmpfs
cap), System V shared memory, semaphores and message queues and POSIX message queues (memory
outside RLIMIT_AS: a segment stays allocated after it is detached), `mknod`, file handles,
`syslog`, `acct`, `swapon`, `reboot`, `sethostname`; sockets of any family but AF_UNIX, AF_INET
and AF_INET6 (AF_VSOCK is confined by no network namespace: it reaches the host or hypervisor);
and new tasks: `fork`, `vfork` and `clone`, threads included (`clone3` gets ENOSYS so libc falls
back to `clone`, which fails: Python's `threading` then raises RuntimeError). The last one is what
bounds fork and thread bombs: bwrap started by root maps the sandbox's uid to host root, whom
RLIMIT_NPROC does not limit, and this machine's pid space (`kernel.pid_max` 32768) is shared by
every sandbox and every process on the host. Any other
architecture than x86_64 (x32 and i386 calls included) is killed. `filter_program()` is None on a
machine that is not x86_64: there the boundary runs without a filter (`boundary.description()`
says so).
"""

from __future__ import annotations

import platform
import struct

AUDIT_ARCH_X86_64 = 0xC000003E
X32_BIT = 0x40000000
RET_ALLOW = 0x7FFF0000
RET_ERRNO_EPERM = 0x00050000 | 1
RET_ERRNO_ENOSYS = 0x00050000 | 38
RET_KILL_PROCESS = 0x80000000
CLONE3, SOCKET = 435, 41
SOCKET_FAMILIES = (1, 2, 10)
"""AF_UNIX, AF_INET, AF_INET6 (all inside the sandbox's empty network namespace). Refused among the
rest: AF_VSOCK, which no network namespace confines (it reaches the host or hypervisor)."""
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06

DENIED_X86_64 = {
    "ptrace": 101, "syslog": 103, "personality": 135, "mknod": 133, "pivot_root": 155, "acct": 163,
    "mount": 165, "umount2": 166, "swapon": 167, "swapoff": 168, "reboot": 169, "sethostname": 170,
    "setdomainname": 171, "init_module": 175, "delete_module": 176, "quotactl": 179,
    "kexec_load": 246, "add_key": 248, "request_key": 249, "keyctl": 250, "mknodat": 259,
    "unshare": 272, "perf_event_open": 298, "name_to_handle_at": 303, "open_by_handle_at": 304,
    "setns": 308, "process_vm_readv": 310, "process_vm_writev": 311, "finit_module": 313,
    "kexec_file_load": 320, "memfd_create": 319, "bpf": 321, "userfaultfd": 323,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428,
    "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
    "mount_setattr": 442, "memfd_secret": 447, "fork": 57, "vfork": 58, "clone": 56,
    "shmget": 29, "semget": 64, "msgget": 68, "mq_open": 240,
}


def _op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def filter_program() -> bytes | None:
    """The filter as `struct sock_filter[]` bytes, or None where it is not built (not x86_64)."""
    if platform.machine() != "x86_64":
        return None
    numbers = sorted(DENIED_X86_64.values())
    # (code, k, jump-if-true label, jump-if-false label); a label is resolved to a forward offset
    prog: list[tuple[int, int, str | None, str | None]] = [
        (_LD_W_ABS, 4, None, None),                      # arch
        (_JEQ_K, AUDIT_ARCH_X86_64, None, "kill"),
        (_LD_W_ABS, 0, None, None),                      # syscall number
        (_JGE_K, X32_BIT, "errno", None),                # x32 calls
        (_JEQ_K, CLONE3, "enosys", None),                # clone3: "not here", libc falls back
        (_JEQ_K, SOCKET, "socket", None),                # socket: local families only
        *[(_JEQ_K, nr, "errno", None) for nr in numbers],
    ]
    labels: dict[str, int] = {}

    def label(name: str, *ops: tuple[int, int, str | None, str | None]) -> None:
        labels[name] = len(prog)
        prog.extend(ops)

    label("allow", (_RET_K, RET_ALLOW, None, None))
    label("errno", (_RET_K, RET_ERRNO_EPERM, None, None))
    label("enosys", (_RET_K, RET_ERRNO_ENOSYS, None, None))
    label("kill", (_RET_K, RET_KILL_PROCESS, None, None))
    label("socket", (_LD_W_ABS, 16, None, None),        # the address family
          *[(_JEQ_K, family, "socket-yes", None) for family in SOCKET_FAMILIES],
          (_RET_K, RET_ERRNO_EPERM, None, None))
    label("socket-yes", (_RET_K, RET_ALLOW, None, None))

    def offset(i: int, target: str | None) -> int:
        if target is None:
            return 0
        jump = labels[target] - (i + 1)  # counts from the next instruction; BPF jumps only forward
        assert 0 <= jump < 256
        return jump

    return b"".join(_op(code, k, offset(i, jt), offset(i, jf)) for i, (code, k, jt, jf) in enumerate(prog))
