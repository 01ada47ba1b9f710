"""Per-user limits on the hub: a cgroup per user server, and ending every process in it.

Each user's server starts inside ``/sys/fs/cgroup/{memory,pids}/dl-foundations/<user>`` (cgroup v1,
the controllers this kind of machine mounts without systemd): the memory group caps RAM (and the
RAM-backed files the user writes, e.g. in /dev/shm, which the kernel charges to the writer's group),
the pids group caps processes. Everything the server starts stays in the group (a user cannot move
a process out of a root-owned group), so ``kill_all`` ends detached (``setsid nohup``) and renamed
processes too. Standard library only: hubctl (system Python) and the hub's spawner both use it.
"""

import contextlib
import os
import shutil
import signal
import time
from pathlib import Path

CGROUPS = Path("/sys/fs/cgroup")
GROUP = "dl-foundations"
CONTROLLERS = ("memory", "pids")


def parse_size(text):
    """Bytes of ``"2G"``, ``"512M"``, ``"100k"`` or a plain number of bytes."""
    text = str(text).strip().upper().removesuffix("B")
    scale = {"K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in "KMG" else text
    try:
        return int(float(number) * scale)
    except ValueError:
        raise ValueError(f"{text!r} is not a size; write e.g. 2G, 512M or a number of bytes") from None


def available(root=CGROUPS):
    """The cgroup v1 controllers of CONTROLLERS mounted here (writable as root)."""
    return [name for name in CONTROLLERS if (root / name / "cgroup.procs").is_file()]


class UserGroups:
    """The cgroups of one user's server."""

    def __init__(self, user, root=CGROUPS):
        self.folders = [root / name / GROUP / user for name in available(root)]

    def create(self, memory_bytes=None, processes=None):
        """Make the groups (idempotent) and set their limits; returns what is in force."""
        in_force = {}
        for folder in self.folders:
            folder.mkdir(parents=True, exist_ok=True)
            controller = folder.parent.parent.name
            if controller == "memory" and memory_bytes:
                memory = folder / "memory.limit_in_bytes"
                swap = folder / "memory.memsw.limit_in_bytes"  # present when swap is accounted
                # memory + swap may never be below memory alone: raise it first, lower it last
                order = [swap, memory] if memory_bytes > int(memory.read_text()) else [memory, swap]
                for limit in order:
                    if limit.is_file():
                        limit.write_text(str(memory_bytes))
                in_force["memory_bytes"] = int(memory.read_text())
            if controller == "pids" and processes:
                (folder / "pids.max").write_text(str(processes))
                in_force["processes"] = int((folder / "pids.max").read_text())
        return in_force

    def join(self):
        """Move the calling process into the groups (run in the child before it drops root)."""
        for folder in self.folders:
            (folder / "cgroup.procs").write_text(str(os.getpid()))

    def pids(self):
        """The running processes in the groups (not zombies: those are dead, waiting for their parent)."""
        found = set()
        for folder in self.folders:
            try:
                found |= {int(p) for p in (folder / "cgroup.procs").read_text().split()}
            except FileNotFoundError:
                pass
        return {pid for pid in found if running(pid)}

    def kill_all(self, timeout=10.0):
        """SIGKILL every process in the groups until none is left; returns how many were killed."""
        return kill_until_gone(self.pids, timeout)


def all_user_groups(root=CGROUPS):
    """Every user's groups under GROUP (for ``hubctl stop``)."""
    names = {p.name for name in available(root) for p in (root / name / GROUP).glob("*") if p.is_dir()}
    return [UserGroups(name, root) for name in sorted(names)]


def kill_user_processes(uid, timeout=10.0):
    """SIGKILL every process owned by ``uid`` (the sweep where no cgroup holds them); returns how many."""
    return kill_until_gone(lambda: [int(p.name) for p in Path("/proc").iterdir()
                                    if p.name.isdigit() and owner(p) == uid and running(p.name)], timeout)


def kill_until_gone(find_pids, timeout):
    """SIGKILL what ``find_pids()`` lists until it lists nothing or ``timeout`` s pass; returns how many were killed."""
    killed, deadline = set(), time.monotonic() + timeout
    while (pids := find_pids()) and time.monotonic() < deadline:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
        time.sleep(0.05)
    return len(killed)


def running(pid):
    """Whether the process exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def owner(proc_folder):
    try:
        return proc_folder.stat().st_uid
    except FileNotFoundError:
        return None


def remove_shared_memory_files(uid, folder=Path("/dev/shm")):
    """Delete what ``uid`` left in the RAM-backed /dev/shm (top level: files and folders it owns)."""
    removed = 0
    for entry in folder.iterdir():
        try:
            if entry.lstat().st_uid != uid:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink()
            removed += 1
        except FileNotFoundError:
            pass
    return removed
