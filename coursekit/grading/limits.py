"""Start a grading kernel under resource limits: ``python -m coursekit.grading.limits -- CMD...``.

Reads ``COURSEKIT_KERNEL_MEMORY_MB`` (address-space limit) and ``COURSEKIT_KERNEL_PIDFILE``
(where the kernel's pid is appended, so the grader can kill its whole process group).
"""

import os
import resource
import sys
from pathlib import Path

MEMORY_ENV = "COURSEKIT_KERNEL_MEMORY_MB"
PIDFILE_ENV = "COURSEKIT_KERNEL_PIDFILE"


def kill_process_groups(pidfile):
    """SIGKILL every process group recorded in ``pidfile`` (kernels and what they started)."""
    path = Path(pidfile)
    if not path.exists():
        return
    for line in path.read_text().split():
        try:
            os.killpg(int(line), 9)
        except (ProcessLookupError, PermissionError, ValueError):
            pass
    path.unlink(missing_ok=True)


def main(argv):
    command = argv[argv.index("--") + 1:]
    memory_mb = int(os.environ.get(MEMORY_ENV, "0"))
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    pidfile = os.environ.get(PIDFILE_ENV)
    if pidfile:
        with open(pidfile, "a") as handle:
            handle.write(f"{os.getpid()}\n")
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv)
