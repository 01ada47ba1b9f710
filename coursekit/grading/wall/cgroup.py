"""One memory limit and one process limit per grading kernel, every process and memory file counted.

Each kernel's sandbox runs in a control group of its own (cgroup v1 ``memory`` and ``pids``
controllers), made inside the grader's own group, so a limit set on the grading service
still covers its kernels. The memory limit counts all the kernel's processes together and
the pages of its in-memory folders (its ``/tmp``, ``/dev/shm`` and notebook folder are tmpfs
mounts, charged to the group that writes them); swap cannot extend it. When the group is
full, the kernel's out-of-memory killer stops one of that group's processes: only that
submission pays. The process limit counts threads too.

Where no such group can be made (no cgroup v1 controllers, as with a cgroup v2-only machine,
or no write access as an ordinary user), ``create`` returns None and the limits wrapper's
per-process limits (address space, processes per uid) are all that holds.
"""

import contextlib
import os
import signal
import time
import uuid
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
CONTROLLERS = ("memory", "pids")


def own_path(controller, proc_cgroup="/proc/self/cgroup"):
    """This process's group under a cgroup v1 controller's mount, or None."""
    with contextlib.suppress(OSError):
        for line in Path(proc_cgroup).read_text().splitlines():
            _, names, path = line.split(":", 2)
            if controller in names.split(","):
                return ROOT / controller / path.lstrip("/")
    return None


class KernelGroup:
    """A kernel's memory and pids groups (cgroup v1)."""

    def __init__(self, folders):
        self.folders = folders  # {controller: Path}

    @classmethod
    def create(cls, memory_bytes, processes):
        """New groups limited to ``memory_bytes`` and ``processes``; None where groups cannot be made."""
        name = f"coursekit-kernel-{uuid.uuid4().hex[:12]}"
        folders = {}
        try:
            for controller in CONTROLLERS:
                parent = own_path(controller)
                if parent is None or not (parent / "cgroup.procs").exists():
                    raise OSError(f"no cgroup v1 {controller} controller")
                folders[controller] = parent / name
                folders[controller].mkdir()
            memory = folders["memory"]
            (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))
            if (memory / "memory.memsw.limit_in_bytes").exists():  # swap accounting: no swap beyond the limit
                (memory / "memory.memsw.limit_in_bytes").write_text(str(memory_bytes))
            (folders["pids"] / "pids.max").write_text(str(processes))
        except OSError:
            cls(folders).remove()
            return None
        return cls(folders)

    @classmethod
    def at(cls, paths):
        """The groups at these folders (as ``paths`` lists them)."""
        return cls({Path(p).relative_to(ROOT).parts[0]: Path(p) for p in paths})

    @property
    def paths(self):
        return [str(folder) for folder in self.folders.values()]

    def join(self, pid=None):
        """Move process ``pid`` (default: this one) into every group; what it starts stays there."""
        for folder in self.folders.values():
            (folder / "cgroup.procs").write_text(str(pid or os.getpid()))

    def peak_bytes(self):
        """The most memory the group has held (processes and memory files together), or None."""
        with contextlib.suppress(OSError, ValueError, KeyError):
            return int((self.folders["memory"] / "memory.max_usage_in_bytes").read_text())
        return None

    def limit_bytes(self):
        with contextlib.suppress(OSError, ValueError, KeyError):
            return int((self.folders["memory"] / "memory.limit_in_bytes").read_text())
        return None

    def kill(self):
        """SIGKILL every process in the groups."""
        for folder in self.folders.values():
            with contextlib.suppress(OSError):
                for pid in (folder / "cgroup.procs").read_text().split():
                    with contextlib.suppress(ProcessLookupError, PermissionError, ValueError):
                        os.kill(int(pid), signal.SIGKILL)

    def remove(self):
        """Kill what is left in the groups and remove them (a group goes once its processes are gone)."""
        self.kill()
        for folder in self.folders.values():
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # processes still exiting
                    self.kill()
                    time.sleep(0.02)
