"""A seccomp filter (classic BPF, built here: no libseccomp needed) that bubblewrap loads.

It answers EPERM to system calls a judged program has no use for and that widen what it can reach
or hold: namespaces (`unshare`, `setns`, `mount` and the new mount API), tracing and other
processes' memory (`ptrace`, `process_vm_*`), kernel keyrings, `bpf`, `userfaultfd`,
`perf_event_open`, `io_uring`, module and kexec loading, `memfd_create` (memory outside the tmpfs
cap), `mknod`, file handles, `syslog`, `acct`, `swapon`, `reboot`, `sethostname`, and new
processes: `fork`, `vfork` and `clone` without CLONE_THREAD (threads stay allowed; `clone3` gets
ENOSYS so libc falls back to `clone`). The last one is what bounds a fork bomb: bwrap started by
root maps the sandbox's uid to host root, whom RLIMIT_NPROC does not limit. Any other
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
CLONE, CLONE3, CLONE_THREAD = 56, 435, 0x10000
_LD_W_ABS, _JEQ_K, _JGE_K, _JSET_K, _RET_K = 0x20, 0x15, 0x35, 0x45, 0x06

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
    "mount_setattr": 442, "memfd_secret": 447, "fork": 57, "vfork": 58,
}


def _op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def filter_program() -> bytes | None:
    """The filter as `struct sock_filter[]` bytes, or None where it is not built (not x86_64)."""
    if platform.machine() != "x86_64":
        return None
    numbers = sorted(DENIED_X86_64.values())
    n = len(numbers)
    allow_at, errno_at, enosys_at, kill_at, clone_at = 6 + n, 7 + n, 8 + n, 9 + n, 10 + n
    prog = [  # a jump's offset counts from the next instruction; BPF jumps only forward
        _op(_LD_W_ABS, 4),                                   # 0: arch
        _op(_JEQ_K, AUDIT_ARCH_X86_64, 0, kill_at - 2),      # 1
        _op(_LD_W_ABS, 0),                                   # 2: syscall number
        _op(_JGE_K, X32_BIT, errno_at - 4, 0),               # 3: x32 calls
        _op(_JEQ_K, CLONE, clone_at - 5, 0),                 # 4: clone: threads only
        _op(_JEQ_K, CLONE3, enosys_at - 6, 0),               # 5: clone3: "not here", libc falls back
    ]
    for i, nr in enumerate(numbers):                          # 6 .. 5+n
        prog.append(_op(_JEQ_K, nr, errno_at - (6 + i + 1), 0))
    prog += [_op(_RET_K, RET_ALLOW), _op(_RET_K, RET_ERRNO_EPERM),      # allow_at, errno_at
             _op(_RET_K, RET_ERRNO_ENOSYS), _op(_RET_K, RET_KILL_PROCESS),  # enosys_at, kill_at
             _op(_LD_W_ABS, 16),                                         # clone_at: flags (low half)
             _op(_JSET_K, CLONE_THREAD, 0, 1),
             _op(_RET_K, RET_ALLOW), _op(_RET_K, RET_ERRNO_EPERM)]
    assert len(prog) == clone_at + 4 and prog[allow_at] == _op(_RET_K, RET_ALLOW)
    return b"".join(prog)
