"""Memory of grading under hostile submissions: ``python bench/grading_limits.py [--flood-mib 1024]``.

Grades, on both paths (``course-grade`` and plain ``nbgrader autograde``), a toy submission
whose answer cell prints a flood to stdout (one long line, no newline) and, once, a submission
holding a multi-process memory hog with files in its kernel's /tmp, /dev/shm and notebook
folder. Samples /proc every 20 ms and prints the peak resident memory of the grader's own
processes (the grading process and its workers) and of the student's kernel processes, the
peak the kernel's memory cgroup recorded (all its processes and memory files together), and
the size of the autograded notebook.
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
from coursekit.submissions import fill_answers

TESTS = Path(__file__).resolve().parents[1] / "tests"
TOY_SOURCE = TESTS / "fixtures" / "toy_course" / "source"
sys.path.insert(0, str(TESTS))
from hostile import MEMORY_HOG  # noqa: E402 (the hostile corpus's hog, also graded by tests/test_sandbox.py)

KERNEL_MARKERS = (b"ipykernel", b"bwrap", b"coursekit.grading.wall.limits")
FLOOD = "import sys\nchunk = 'x' * 2**20\nfor _ in range({mib}):\n    sys.stdout.write(chunk)\n"


def descendants(root):
    """``{pid: (cmdline, in a kernel)}`` of ``root``'s descendants; a kernel's sandbox and all below it
    count as the kernel."""
    parents, cmdlines = {}, {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            with contextlib.suppress(OSError):
                parents[int(name)] = int(Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()[1])
                cmdlines[int(name)] = Path(f"/proc/{name}/cmdline").read_bytes()
    found, frontier = {}, [(root, False)]
    while frontier:
        pid, in_kernel = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in found:
                kernel = in_kernel or any(m in cmdlines.get(child, b"") for m in KERNEL_MARKERS)
                found[child] = kernel
                frontier.append((child, kernel))
    return found


def resident(pid):
    with contextlib.suppress(OSError, ValueError, IndexError):
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return 0


class Sampler(threading.Thread):
    """Peak resident memory of this process plus its grader children, and of kernel processes (summed)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.grader = self.kernel = 0
        self.stop = threading.Event()

    def run(self):
        me = os.getpid()
        while not self.stop.is_set():
            tree = descendants(me)
            kernel = sum(resident(p) for p, in_kernel in tree.items() if in_kernel)
            workers = [resident(p) for p, in_kernel in tree.items() if not in_kernel]
            self.grader = max(self.grader, resident(me), *workers)
            self.kernel = max(self.kernel, kernel)
            time.sleep(0.02)


def grade_once(path, answer, scratch):
    course = TempCourse(Path(tempfile.mkdtemp(dir=scratch)), ["toy"], source_dir=TOY_SOURCE, cell_timeout=120)
    course.submit("toy", "student", fill_answers(course.release_notebook("toy"), {"answer_double": answer}))
    sampler = Sampler()
    sampler.start()
    started = time.monotonic()
    if path == "course-grade":
        course.grade("toy", ["student"], workers=1, time_limit=600)
    else:
        with contextlib.suppress(NbGraderException):
            course.autograde_serial("toy")
    seconds = time.monotonic() - started
    sampler.stop.set()
    sampler.join()
    notebook = course.root / "autograded" / "student" / "toy" / "toy.ipynb"
    import nbformat
    recorded = nbformat.read(notebook, as_version=4).metadata.get("coursekit", {}) if notebook.exists() else {}
    return sampler, notebook.stat().st_size if notebook.exists() else 0, seconds, recorded.get("kernel_memory", {})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flood-mib", type=int, default=1024)
    parser.add_argument("--paths", nargs="+", default=["course-grade", "nbgrader-autograde"])
    parser.add_argument("--cases", nargs="+", default=["flood", "hog"])
    args = parser.parse_args()
    cases = {"flood": FLOOD.format(mib=args.flood_mib), "hog": MEMORY_HOG}
    print(f"{'case':<6} {'path':<19} {'grader peak':>12} {'kernel RSS peak':>16} {'cgroup peak':>12} "
          f"{'notebook':>10} {'seconds':>8}")
    with tempfile.TemporaryDirectory(prefix="coursekit-limits-") as scratch:
        for case in args.cases:
            for path in args.paths:
                sampler, size, seconds, memory = grade_once(path, cases[case], scratch)
                cgroup = f"{memory['peak_mib']} MiB" if memory else "n/a"
                print(f"{case:<6} {path:<19} {sampler.grader / 2**20:>8.0f} MiB {sampler.kernel / 2**20:>12.0f} MiB "
                      f"{cgroup:>12} {size / 2**20:>6.2f} MiB {seconds:>8.1f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
