"""Start a grading kernel under resource limits:
``python -m coursekit.grading.wall.limits [--cgroup DIR]... -- CMD...``.

CMD is normally the kernel's sandbox (``bwrap ...``, see coursekit.grading.wall.sandbox), which adds
its own limits on processes and file size inside. Each ``--cgroup`` folder (the kernel's memory
and pids groups, coursekit.grading.wall.cgroup) is joined first, so everything CMD starts counts
there. Reads ``COURSEKIT_KERNEL_MEMORY_MB`` (address-space limit of each process),
``COURSEKIT_KERNEL_CPU_SECONDS`` (CPU time of each kernel process) and
``COURSEKIT_KERNEL_PIDFILE`` (where the kernel's pid and groups are appended, so the grader can
kill all of it).
"""

import os
import resource
import signal
import sys
from pathlib import Path

from coursekit.grading.wall.cgroup import KernelGroup

MEMORY_ENV = "COURSEKIT_KERNEL_MEMORY_MB"
CPU_ENV = "COURSEKIT_KERNEL_CPU_SECONDS"
PIDFILE_ENV = "COURSEKIT_KERNEL_PIDFILE"
OPEN_FILES = 1024
CPU_SECONDS = 1800  # default CPU time per kernel process; the notebook's wall time is limited by the grader
FILE_MB = 1024  # largest file an unsandboxed kernel may write (the sandbox sets its own)


def kill_process_groups(pidfile):
    """SIGKILL every process group and control group recorded in ``pidfile`` (kernels and what they started)."""
    path = Path(pidfile)
    if not path.exists():
        return
    entries = path.read_text().split()
    KernelGroup.at([entry for entry in entries if entry.startswith("/")]).remove()
    for line in entries:
        try:
            pid = int(line)
            if pid > 1 and pid != os.getpgrp():
                os.killpg(pid, 9)
        except (ProcessLookupError, PermissionError, ValueError):
            pass
    path.unlink(missing_ok=True)


def set_limit(kind, value):
    soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value))


def apply_limits(sandboxed):
    memory_mb = int(os.environ.get(MEMORY_ENV, "0"))
    if memory_mb > 0:
        set_limit(resource.RLIMIT_AS, memory_mb * 2**20)
    set_limit(resource.RLIMIT_CPU, int(os.environ.get(CPU_ENV, CPU_SECONDS)))
    set_limit(resource.RLIMIT_NOFILE, OPEN_FILES)
    if not sandboxed:
        set_limit(resource.RLIMIT_FSIZE, FILE_MB * 2**20)


def main(argv):
    options, command = argv[1:argv.index("--")], argv[argv.index("--") + 1:]
    groups = [value for flag, value in zip(options[::2], options[1::2]) if flag == "--cgroup"]
    KernelGroup.at(groups).join()
    sandboxed = os.path.basename(command[0]) == "bwrap"
    apply_limits(sandboxed)
    if sandboxed:  # an interrupt goes to the whole group: the kernel handles it, bubblewrap must not die of it
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    pidfile = os.environ.get(PIDFILE_ENV)
    if pidfile:
        with open(pidfile, "a") as handle:
            handle.write("".join(f"{entry}\n" for entry in [os.getpid(), *groups]))
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv)
