"""Copies of a submission's data file while it is graded: ``python bench/submission_copies.py [--mib 60]``.

Grades, on both paths (``course-grade`` and plain ``nbgrader autograde``), the toy solution
handed in with a data file of about ``--mib`` MiB, which the kernel reads. Every 50 ms it
looks for that file (by its exact size) in the host's ``/dev/shm`` and ``/tmp``, in the
course folder and in every grading kernel's own folder (through ``/proc/<pid>/cwd``, the
kernel's mount namespace), and counts distinct files (device and inode: a hard link or a
bind mount is not a copy) on RAM-backed file systems (tmpfs) and on disk. Prints the most
RAM copies held at one time, the distinct RAM and disk copies made during the run, and the
peak rise of the machine's ``Shmem`` (all tmpfs pages; other work on the machine adds noise).
"""

import argparse
import contextlib
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from nbgrader.converters.base import NbGraderException

from coursekit.grading.batch.harness import TempCourse
from coursekit.grading.grader.scores import question_scores
from coursekit.submissions import answers_of, fill_answers

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grading_limits import TOY_SOURCE, descendants  # noqa: E402 (the sibling bench's toy course and process tree)

READS_DATA = "import os, time\nprint(os.path.getsize('data.bin'))\ntime.sleep(2)\n"


def mount_types(pid="self"):
    """``{st_dev: file system type}`` of the mounts process ``pid`` sees."""
    types = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/mountinfo").read_text().splitlines():
            fields, fstype = line.split(" - ", 1)
            major, minor = fields.split()[2].split(":")
            types[os.makedev(int(major), int(minor))] = fstype.split()[0]
    return types


def files_of_size(folder, size, types):
    """``{(st_dev, st_ino): on tmpfs}`` of the regular files of exactly ``size`` bytes under ``folder``."""
    found = {}
    for parent, _, names in os.walk(folder):
        for name in names:
            with contextlib.suppress(OSError):
                st = os.lstat(os.path.join(parent, name))
                if st.st_size == size and not os.path.islink(os.path.join(parent, name)):
                    found[(st.st_dev, st.st_ino)] = types.get(st.st_dev) == "tmpfs"
    return found


def meminfo_shmem():
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("Shmem:"):
            return int(line.split()[1]) * 1024
    return 0


class CopyCounter(threading.Thread):
    """Samples where the data file's copies are, until stopped."""

    def __init__(self, size, roots):
        super().__init__(daemon=True)
        self.size, self.roots = size, roots
        self.peak_ram = 0
        self.ram, self.disk = set(), set()
        self.base_shmem = meminfo_shmem()
        self.peak_shmem = 0
        self.stop = threading.Event()

    def sample(self):
        host = mount_types()
        found = {}
        for root in self.roots:
            found |= files_of_size(root, self.size, host)
        for pid, in_kernel in descendants(os.getpid()).items():
            with contextlib.suppress(OSError):
                if in_kernel and b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found |= files_of_size(f"/proc/{pid}/cwd", self.size, mount_types(pid))
        ram = {key for key, on_tmpfs in found.items() if on_tmpfs}
        self.ram |= ram
        self.disk |= set(found) - ram
        self.peak_ram = max(self.peak_ram, len(ram))
        self.peak_shmem = max(self.peak_shmem, meminfo_shmem() - self.base_shmem)

    def run(self):
        while not self.stop.is_set():
            self.sample()
            time.sleep(0.05)


def grade_once(path, size, scratch):
    course = TempCourse(Path(tempfile.mkdtemp(dir=scratch)), ["toy"], source_dir=TOY_SOURCE, cell_timeout=120)
    solution = answers_of(course.source_notebook("toy"))
    solution["answer_double"] = READS_DATA + solution["answer_double"]
    folder = course.submit("toy", "student", fill_answers(course.release_notebook("toy"), solution))
    (folder / "data.bin").write_bytes(os.urandom(size))
    roots = [root for root in ("/dev/shm", "/tmp") if not str(course.root).startswith(root)] + [str(course.root)]
    counter = CopyCounter(size, roots)
    counter.sample()  # the submission itself
    counter.start()
    if path == "course-grade":
        course.grade("toy", ["student"], workers=1, time_limit=600)
    else:
        with contextlib.suppress(NbGraderException):
            course.autograde_serial("toy")
    counter.stop.set()
    counter.join()
    read = str(size) in (course.root / "autograded" / "student" / "toy" / "toy.ipynb").read_text()
    return counter, sum(question_scores(course.db_url, "toy", "student").values()), read


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=int, default=60)
    parser.add_argument("--paths", nargs="+", default=["course-grade", "nbgrader-autograde"])
    args = parser.parse_args()
    size = args.mib * 2**20 + 4321  # an odd size: no other file has it
    print(f"{'path':<19} {'RAM copies at once':>18} {'RAM copies made':>16} {'disk files':>11} "
          f"{'Shmem rise':>11} {'score':>6} {'kernel read it':>15}")
    with tempfile.TemporaryDirectory(prefix="coursekit-copies-", dir="/var/tmp") as scratch:
        for path in args.paths:
            counter, score, read = grade_once(path, size, scratch)
            print(f"{path:<19} {counter.peak_ram:>18} {len(counter.ram):>16} {len(counter.disk):>11} "
                  f"{counter.peak_shmem / 2**20:>7.0f} MiB {score:>6} {str(read):>15}", flush=True)
    print("(disk files: the submission itself and nbgrader's autograded/ copy included)")


if __name__ == "__main__":
    sys.exit(main())
