"""Where a submission's grading time goes: wall and CPU seconds per submission, per stage and per cell.

Grades K submissions of each assignment (the mix of bench/vs_stock_nbgrader.py: solutions, untouched
releases, partly done ones) with `course-grade` in a scratch course. The whole process tree (this
process, the workers, the sandboxed kernels) runs in a cgroup v1 ``cpuacct`` group of its own, so CPU
time counts every process, also the kernels killed at the end of each notebook, and stays meaningful
on a loaded machine where wall time does not. Prints per submission:

- CPU: the whole tree / K; the worker's own (nbgrader and the tests, median); the rest (kernels);
- wall (median): kernel hand-over, execution, nbgrader's own work, merge;
- the cells that cost most (mean seconds over the K submissions; test cells with their requests to the
  student's kernel).

To measure an older commit the same way: ``git archive COMMIT | tar -x -C DIR`` and run this file with
``PYTHONPATH=DIR`` (figures an older engine did not record are printed as -).
Usage: python bench/grading_profile.py [--k 4] [--workers 1] [--assignments a5_training ...] [--cells 12]
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from vs_stock_nbgrader import OUR_CONFIG, TreeCPU, checked_canary, make_course, mixed_submissions  # noqa: E402

import coursekit  # noqa: E402
from coursekit.grading.batch.grade import BatchGrader  # noqa: E402
from coursekit.grading.batch.harness import TempCourse  # noqa: E402


def own_cpu():
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def median(values):
    return statistics.median(values) if values else None


def figure(value, width=7, digits=2):
    return f"{'-':>{width}}" if value is None else f"{value:{width}.{digits}f}"


def profile_assignment(assignment, k, workers, scratch, tree, cells_shown):
    template = TempCourse(scratch / "template", [assignment])
    submissions = mixed_submissions(template.release_notebook(assignment), template.source_notebook(assignment), k)
    root = make_course(scratch / "course", assignment, OUR_CONFIG, template.notebook_path("release", assignment),
                       submissions)
    with checked_canary(root, assignment):
        grader = BatchGrader(root, assignment, workers=workers, progress=False)
        cpu_before, own_before, started = tree.seconds(), own_cpu(), time.monotonic()
        outcomes = grader.grade(sorted(submissions))
        wall, own = time.monotonic() - started, own_cpu() - own_before
        cpu = tree.seconds() - cpu_before if tree.group else None
    timings = [o.timing for o in outcomes]
    workers_cpu = [t["worker_cpu"] for t in timings if t.get("worker_cpu")]
    kernels = (cpu - own - sum(workers_cpu)) / k if cpu is not None and len(workers_cpu) == k else None
    hand_over = median([t.get("kernel_start", 0.0) for t in timings])
    execution = median([t.get("execution", 0.0) for t in timings])
    nbgrader = median([t["worker_total"] - t.get("kernel_start", 0.0) - t.get("execution", 0.0)
                       for t in timings if "worker_total" in t])
    print(f"\n{assignment}: {k} submissions, {workers} worker(s), load average {os.getloadavg()[0]:.2f}, "
          f"coursekit from {Path(coursekit.__file__).parent.parent}")
    print(f"  per submission: wall {wall / k:.2f} s; CPU {figure(cpu and cpu / k, 0)} s (worker, median "
          f"{figure(median(workers_cpu), 0)} s; kernels and their start {figure(kernels, 0)} s; "
          f"batch process {own / k:.2f} s)")
    merge = median([t.get("merge", 0.0) for t in timings])
    print(f"  wall per stage (median s): kernel hand-over {figure(hand_over, 0)}, execution {figure(execution, 0)}, "
          f"nbgrader's own work {figure(nbgrader, 0)}, merge {figure(merge, 0, 3)}")
    per_cell, requests = defaultdict(float), defaultdict(int)
    for t in timings:
        for label, (seconds, asked) in t.get("cells", {}).items():
            per_cell[label] += seconds / k
            requests[label] += asked
    if per_cell:
        print(f"  costliest cells (mean s per submission; requests to the kernel per submission), of "
              f"{sum(per_cell.values()):.2f} s in {len(per_cell)} cells:")
        for label in sorted(per_cell, key=per_cell.get, reverse=True)[:cells_shown]:
            print(f"    {label:<32} {per_cell[label]:6.2f} {requests[label] / k:7.0f}")
    return wall / k, cpu and cpu / k


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--k", type=int, default=4, help="submissions per assignment (default 4)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--assignments", nargs="*", default=["a4_neural_network", "a5_training"])
    parser.add_argument("--cells", type=int, default=12, help="costliest cells shown (default 12)")
    args = parser.parse_args()
    tree = TreeCPU()
    if tree.group is None:
        print("no cgroup v1 cpuacct group could be made: CPU of the whole tree not measured")
    try:
        for assignment in args.assignments:
            with tempfile.TemporaryDirectory(prefix="coursekit-profile-") as scratch:
                profile_assignment(assignment, args.k, args.workers, Path(scratch), tree, args.cells)
    finally:
        tree.close()


if __name__ == "__main__":
    main()
