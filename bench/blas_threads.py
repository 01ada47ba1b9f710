"""BLAS threads per grading kernel: course-grade with 1 and 2 workers, each with 1 and with 2 threads per kernel.

Grades the same K submissions of each assignment (default a2 and a5, the ones doing most matrix
work) four ways in one run, prints seconds per submission and checks the grade tables agree.
The batch's choice is coursekit.grading.batch.grade.blas_threads (the cores shared among the workers).
Usage: python bench/blas_threads.py [--k 8] [--assignments a2_logistic_regression a5_training]
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from vs_stock_nbgrader import OUR_CONFIG, checked_canary, make_course, mixed_submissions, table

from coursekit.grading.batch.grade import BatchGrader, blas_threads
from coursekit.grading.batch.harness import TempCourse

CHOICES = [(workers, threads) for workers in (1, 2) for threads in (1, 2)]


def bench_assignment(assignment, k, scratch):
    template = TempCourse(scratch / "template", [assignment])
    release_path = template.notebook_path("release", assignment)
    submissions = mixed_submissions(template.release_notebook(assignment), template.source_notebook(assignment), k)
    students = sorted(submissions)
    tables, seconds = {}, {}
    for workers, threads in CHOICES:
        root = make_course(scratch / f"w{workers}t{threads}", assignment, OUR_CONFIG, release_path, submissions)
        with checked_canary(root, assignment):
            grader = BatchGrader(root, assignment, workers=workers, progress=False, threads=threads)
            started = time.monotonic()
            grader.grade(students)
            seconds[workers, threads] = time.monotonic() - started
        tables[workers, threads] = table(root, assignment, students)
    identical = all(t == tables[CHOICES[0]] for t in tables.values())
    print(f"\n{assignment}: {k} submissions (load average {os.getloadavg()[0]:.2f}); grade tables identical: "
          f"{identical}")
    for workers in (1, 2):
        row = "  ".join(f"{threads} thread{'s' if threads > 1 else ''}: {seconds[workers, threads] / k:5.2f} s"
                        for threads in (1, 2))
        print(f"  {workers} worker{'s' if workers > 1 else ''}: {row}   (chosen: {blas_threads(workers)})")
    return identical


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--k", type=int, default=8)
    parser.add_argument("--assignments", nargs="*", default=["a2_logistic_regression", "a5_training"])
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start; seconds per submission")
    ok = True
    for assignment in args.assignments:
        with tempfile.TemporaryDirectory(prefix="coursekit-bench-") as scratch:
            ok &= bench_assignment(assignment, args.k, Path(scratch))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
