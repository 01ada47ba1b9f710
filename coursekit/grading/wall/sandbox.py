"""The operating-system sandbox of every grading kernel: bubblewrap (Debian package ``bubblewrap``).

Why bubblewrap: it is the sandbox Flatpak is built on, small, packaged in Debian and
maintained; it needs no daemon, starts a process in a few milliseconds, and works both for
root (without a user namespace: the kernel then runs under a uid of its own) and for an
ordinary user (in a user namespace). nsjail is not packaged in Debian stable, firejail is a
large setuid-root program, and systemd transient units need systemd as PID 1 (not the case in
containers) and give no private view of the file system by themselves.

What the kernel sees:

- its own PID, IPC, UTS and network namespaces: no other process, no network (its Jupyter
  channels are Unix sockets in a folder of its own, the ``ipc`` transport);
- read-only: the system (``/usr``, ``/etc``), the Python installation and environment, and
  the few course modules the kernel side needs (``KERNEL_MODULES``);
- the notebook's folder, at the notebook's path: a private memory file system of limited size
  holding a copy of the submission's small files, its files of ``BIND_MB`` or more mounted
  read-only in place (not held in memory twice); the data set: its private copy, read-only;
- ``/tmp`` (also its home) and ``/dev/shm``: private memory file systems of limited size;
- no path to the course, ``source/``, the gradebook, other submissions, the grader's home or
  the host's ``/dev/shm``; limits on processes and file size (with the wrapper's limits on
  memory, open files and CPU time). Everything dies with the kernel's PID namespace, and the
  namespace dies with the process that started it (``--die-with-parent``).
"""

import functools
import os
import random
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import coursekit

UNSAFE_ENV = "COURSEKIT_UNSAFE_NO_SANDBOX"
STAGE = "/.coursekit/submission"  # the submission as the kernel's start script reads it (read-only)
HOME = "/tmp"
MPL_DIR = f"{HOME}/.matplotlib"  # matplotlib's writable folder in the kernel, with the grader's font list
KERNEL_MODULES = ("coursekit/__init__.py", "coursekit/checks.py", "coursekit/digits.py", "coursekit/messages.py",
                  "coursekit/i18n_figures.py",
                  "coursekit/grading/__init__.py", "coursekit/grading/inkernel/__init__.py",
                  "coursekit/grading/inkernel/kernel_side.py", "coursekit/grading/inkernel/stand_ins.py",
                  "coursekit/grading/inkernel/wire.py",
                  "lr_utils.py")
# The message catalogs of checks and notebook texts, for a course taught in another language (never the
# hidden tests' *-hidden.po, which stay with the grader).
KERNEL_CATALOGS = "locale/*/LC_MESSAGES/*-messages.po"
PASSED_ENV = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "MPLBACKEND", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
              "MKL_NUM_THREADS", "PYTHONHASHSEED", "PYTHONPATH")
DATA_ENV = "CATVNONCAT_DIR"  # lr_utils' data folder: the kernel's private copy
COURSE_FILES_ENV = "COURSEKIT_KERNEL_COURSE_FILES"  # the assignment's helper files, laid over the submission's
COPIED, BOUND = "copied", "bound"  # a staged folder's parts: copied into the notebook folder, mounted read-only
BIND_MB = 1  # a submission's files of this size or more are read in place (read-only), not copied
SYSTEM_DIRS = ("/usr", "/etc")
SYSTEM_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
OWN_UIDS = (1_000_000, 2_000_000_000)  # root mode: each kernel runs under a random uid of this range
HOW_TO_ENABLE = (
    "Install it with `sudo apt-get install bubblewrap` (Debian/Ubuntu); as an ordinary user it also "
    "needs user namespaces (`sudo sysctl -w kernel.unprivileged_userns_clone=1`, and on Ubuntu 24.04 "
    "`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`). Only on a machine where the "
    "students' code is trusted: set CleanRoomExecute.unsafe_no_sandbox = True in nbgrader_config.py, "
    "or run `course-grade --unsafe-no-sandbox`.")


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot run here: grading refuses to run student code."""


@dataclass(frozen=True)
class SandboxLimits:
    processes: int = 64  # tasks (threads included) the kernel may run at once (its pids group counts them all)
    file_mb: int = 1024  # largest file it may write
    tmp_mb: int = 512  # each of /tmp and /dev/shm
    folder_mb: int = 512  # free space in the notebook's folder, beyond the submission's own size


@dataclass(frozen=True)
class Layout:
    """What one kernel's sandbox holds."""

    notebook_folder: Path  # where the kernel works (its path inside is the same)
    files_from: Path  # the staged folder (``stage``) whose files the notebook folder starts with
    run_dir: Path  # the kernel's connection file and sockets
    data_dir: Path | None = None  # its private copy of the data set (read-only inside)
    limits: SandboxLimits = SandboxLimits()


def unsafe_requested():
    return os.environ.get(UNSAFE_ENV, "") not in ("", "0")


def bwrap_path():
    return shutil.which("bwrap") or ("/usr/bin/bwrap" if os.access("/usr/bin/bwrap", os.X_OK) else None)


@functools.lru_cache(maxsize=1)
def problem():
    """Why the sandbox cannot run on this machine, or None when it can (checked once per process)."""
    bwrap = bwrap_path()
    if bwrap is None:
        return f"bubblewrap (`bwrap`) is not installed. {HOW_TO_ENABLE}"
    trial = [bwrap, *namespace_options(), *system_mounts(), "--", "/bin/true"]
    try:
        done = subprocess.run(trial, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bubblewrap could not start ({error}). {HOW_TO_ENABLE}"
    if done.returncode != 0:
        return f"bubblewrap cannot create its namespaces here ({done.stderr.strip()[:200]}). {HOW_TO_ENABLE}"
    return None


def require():
    """Raise SandboxUnavailable unless the sandbox can run (or the unsafe opt-out is set)."""
    reason = None if unsafe_requested() else problem()
    if reason:
        raise SandboxUnavailable(f"Grading refuses to run student code without its sandbox: {reason}")


def namespace_options():
    common = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
              "--die-with-parent"]
    if os.geteuid() == 0:  # privileged mode: no user namespace; setpriv drops to a uid of the kernel's own
        return [*common, "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    return [*common, "--unshare-user", "--disable-userns", "--uid", "65534", "--gid", "65534"]


def system_mounts():
    options = []
    for path in SYSTEM_DIRS:
        if os.path.isdir(path):
            options += ["--ro-bind", path, path]
    for path in SYSTEM_LINKS:
        if os.path.islink(path):
            options += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            options += ["--ro-bind", path, path]
    return options


def python_dirs():
    """Folders of the running Python: the installation (its real path) and the environment."""
    dirs = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix), sys.prefix}
    return sorted(d for d in dirs if not d.startswith(SYSTEM_DIRS))


def kernel_module_files():
    """The course modules the kernel side (and the students' notebooks) import, at their real paths."""
    root = Path(coursekit.__file__).resolve().parents[1]
    catalogs = sorted(str(path) for path in root.glob(KERNEL_CATALOGS))  # what coursekit.messages reads there
    return [str(root / name) for name in KERNEL_MODULES if (root / name).is_file()] + catalogs


def font_caches():
    """The grader's matplotlib font lists: read-only in the kernel, so that it does not rebuild one per start."""
    folders = [os.environ.get("MPLCONFIGDIR"),
               os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "matplotlib")]
    return sorted(str(p) for folder in folders if folder for p in Path(folder).glob("fontlist-v*.json"))


def folder_size(folder):
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file() and not p.is_symlink())


def stage(files_from, folder, course_files=None):
    """Lay out the submission's files the kernel may see under ``folder``: regular files only, no notebook;
    then the course's helper files (``course_files``) over them, so every grading path runs the same ones.

    ``folder / COPIED`` holds what the kernel's start script copies into its notebook folder (small
    files, and files the kernel's uid could not read in place); ``folder / BOUND`` holds the files of
    BIND_MB or more, mounted read-only at their place instead (a hard link, or across file systems a
    symbolic link to the file): a submission's data is not held in memory a second time.

    The notebook in the folder nbgrader grades has the instructor's test cells (hidden tests
    included) put back; the kernel gets its code cell by cell and needs no notebook. Symbolic
    links and special files are left out.
    """
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    copied, bound = folder / COPIED, folder / BOUND
    copied.mkdir(parents=True)
    bound.mkdir()
    course = [path.relative_to(course_files) for path in sorted(Path(course_files).rglob("*"))
              if path.is_file()] if course_files else []
    for path in sorted(Path(files_from).rglob("*")):
        relative = path.relative_to(files_from)
        target = copied / relative
        if path.is_symlink() or not target.parent.is_dir() or path.suffix == ".ipynb":
            continue
        if path.is_dir():
            target.mkdir()
        elif path.is_file() and bindable(path) and not any(overlap(relative, other) for other in course):
            (bound / relative).parent.mkdir(parents=True, exist_ok=True)
            share_or_refer(path, bound / relative)
        elif path.is_file():
            share_or_copy(path, target)
    for relative in course:
        shutil.copyfile(Path(course_files) / relative, clear_way(copied, relative))
    return folder


def bindable(path):
    """A file the kernel reads through a read-only mount: large, and readable by anyone (the kernel's uid)."""
    st = path.stat()
    return st.st_size >= BIND_MB * 2**20 and bool(st.st_mode & 0o004)


def overlap(path, other):
    """Whether one of two relative paths is the other or lies below it."""
    return path == other or path in other.parents or other in path.parents


def bound_files(staged):
    """``[(source, relative path)]`` of the files a staged folder has the kernel read in place."""
    bound = Path(staged) / BOUND
    return [(str(path), path.relative_to(bound)) for path in sorted(bound.rglob("*"))
            if path.is_symlink() or path.is_file()]


def clear_way(folder, relative):
    """Make room at ``folder / relative`` for a course file: a student's file where one of its folders
    goes, or a student's folder of its name, is removed."""
    for parent in reversed(relative.parents):
        place = folder / parent
        if place.exists() and not place.is_dir():
            place.unlink()
        place.mkdir(exist_ok=True)
    target = folder / relative
    if target.is_dir():
        shutil.rmtree(target)
    elif target.exists():
        target.unlink()  # never write through a shared file
    return target


def share_or_copy(path, target):
    """A hard link to ``path`` when anyone may read it and it is on the same file system (the sandbox
    mounts the staged folder read-only), else a copy."""
    try:
        if path.stat().st_mode & 0o004:
            os.link(path, target)
            return
    except OSError:
        pass
    shutil.copyfile(path, target)


def share_or_refer(path, target):
    """A hard link to ``path`` (the very file checked, wherever its name goes later), or across file
    systems a symbolic link to its real path: either is only ever mounted read-only."""
    try:
        os.link(path, target)
    except OSError:
        os.symlink(os.path.realpath(path), target)


def socket_paths(connection_info):
    """The Unix socket files of a kernel on the ``ipc`` transport."""
    return [f"{connection_info['ip']}-{connection_info[name]}" for name in
            ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")]


def seal(run_dir, connection_info):
    """Once the kernel's sockets exist, take its run folder back (root mode): it can no longer write there."""
    os.chmod(run_dir, 0o755)  # first: the kernel never finds its folder closed to it
    os.chown(run_dir, os.geteuid(), os.getegid())
    keep = {str(Path(run_dir) / "kernel.json"), *socket_paths(connection_info)}
    for path in Path(run_dir).iterdir():
        if str(path) not in keep:
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()


class MountPlan:
    """Mount options in an order bubblewrap accepts: parents before children, folders made as needed."""

    def __init__(self, existing):
        self.options, self.made = [], set(existing)

    def ensure_parents(self, path, writable_below=None):
        for parent in reversed(Path(path).parents):
            if str(parent) not in self.made:
                shared = writable_below is not None and parent.is_relative_to(writable_below)
                self.options += ["--perms", "1777" if shared else "0755", "--dir", str(parent)]
                self.made.add(str(parent))

    def add(self, kind, path, source=None, size_mb=None, writable_below=None):
        """Mount ``path``; parents made for it below ``writable_below`` are writable by the kernel."""
        self.ensure_parents(path, writable_below)
        if size_mb:
            self.options += ["--size", str(size_mb * 2**20), "--perms", "1777"]
        self.options += [kind, *([source] if source else []), path]
        self.made.add(path)


def kernel_uid():
    """The uid the kernel runs under: root's kernels each get one of their own, others keep the user's."""
    return random.randrange(*OWN_UIDS) if os.geteuid() == 0 else None


def hand_over(run_dir, uid, data_dir=None):
    """Give the kernel's uid its run folder (connection file included), where it makes its sockets,
    and let it read its private copy of the data (mounted read-only)."""
    if uid is None:
        return
    for path in [run_dir, *Path(run_dir).iterdir()]:
        os.chown(path, uid, uid)
    if data_dir and Path(data_dir).is_dir():
        for path in [Path(data_dir), *Path(data_dir).rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)


def command(layout, kernel_cmd, environment, uid=None):
    """The bubblewrap command that runs ``kernel_cmd`` (an ipykernel) in ``layout``'s sandbox, as ``uid``."""
    limits = layout.limits
    plan = MountPlan(["/", "/tmp", "/dev", "/dev/shm", "/proc", MPL_DIR, *SYSTEM_DIRS, *SYSTEM_LINKS])
    mounts = [("--ro-bind", d, d) for d in python_dirs()]
    mounts += [("--ro-bind", f, f) for f in kernel_module_files()]
    mounts += [("--ro-bind", cache, f"{MPL_DIR}/{Path(cache).name}") for cache in font_caches()]
    mounts += [("--bind", str(layout.run_dir), str(layout.run_dir)),
               ("--ro-bind", str(Path(layout.files_from) / COPIED), STAGE)]
    mounts += [("--ro-bind", source, str(layout.notebook_folder / relative))
               for source, relative in bound_files(layout.files_from)]
    if layout.data_dir and Path(layout.data_dir).is_dir():
        mounts.append(("--ro-bind", str(layout.data_dir), str(layout.data_dir)))
    folder_mb = limits.folder_mb + folder_size(Path(layout.files_from) / COPIED) // 2**20 + 1
    for kind, source, path in sorted(mounts + [("--tmpfs", None, str(layout.notebook_folder))],
                                     key=lambda mount: mount[2]):
        plan.add(kind, path, source, folder_mb if kind == "--tmpfs" else None, layout.notebook_folder)
    if Path(layout.files_from).is_relative_to(layout.run_dir):  # its links to the submission: out of the kernel's reach
        plan.options += ["--size", "4096", "--perms", "0000", "--tmpfs", str(layout.files_from)]
    env = {name: environment[name] for name in PASSED_ENV if environment.get(name)}
    env.pop(DATA_ENV, None)
    if layout.data_dir and Path(layout.data_dir).is_dir():
        env[DATA_ENV] = str(layout.data_dir)
    env |= {"HOME": HOME, "PATH": os.pathsep.join([str(Path(sys.prefix) / "bin"), "/usr/local/bin", "/usr/bin",
                                                   "/bin"]), "MPLCONFIGDIR": MPL_DIR,
            "JPY_PARENT_PID": "1"}  # ipykernel: no parent poller (its parent is the sandbox's init), no console notice
    start = (f'cp -R {STAGE}/. "$0" && cd "$0" && ulimit -p {limits.processes} && '
             f'ulimit -f {limits.file_mb * 2048} && exec "$@"')
    as_user = [] if uid is None else [
        "setpriv", "--reuid", str(uid), "--regid", str(uid), "--clear-groups", "--inh-caps=-all",
        "--bounding-set=-all", "--no-new-privs"]
    return [bwrap_path(), *namespace_options(), "--clearenv",
            *[arg for name, value in sorted(env.items()) for arg in ("--setenv", name, value)],
            *system_mounts(), "--proc", "/proc", "--dev", "/dev",
            "--size", str(limits.tmp_mb * 2**20), "--perms", "1777", "--tmpfs", "/dev/shm",
            "--size", str(limits.tmp_mb * 2**20), "--perms", "1777", "--tmpfs", "/tmp",
            "--perms", "1777", "--dir", MPL_DIR, *plan.options, "--remount-ro", "/", "--chdir", "/",
            "--", *as_user, "/bin/sh", "-c", start, str(layout.notebook_folder), *kernel_cmd]


def describe(cmd):
    """A shell-quoted command line (for logs and error messages)."""
    return " ".join(shlex.quote(part) for part in cmd)
