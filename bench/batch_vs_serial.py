"""Serial `nbgrader autograde` against `course-grade` with 1 and 2 workers, on K submissions.

Prints wall-clock times, speed-up ratios, the per-submission time breakdown of the batch
grader, and checks that all three runs give identical grade tables.
Usage: python bench/batch_vs_serial.py [--k 40] [--assignments a1_numpy_basics ...]
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from coursekit.grading.batch import BatchGrader
from coursekit.grading.harness import TempCourse
from coursekit.grading.scores import question_scores
from coursekit.paths import COURSE_ROOT, SOURCE_DIR, assignments
from coursekit.submissions import answers_of, fill_answers


def mixed_submissions(course, assignment, k, seed=0):
    """K submissions: full solutions, untouched releases and partly done ones, in a fixed mix."""
    answers = answers_of(course.source_notebook(assignment))
    release = course.release_notebook(assignment)
    rng = random.Random(seed)
    subs = {}
    for i in range(k):
        kind = i % 4
        if kind == 0:
            chosen = answers
        elif kind == 1:
            chosen = {}
        else:
            chosen = {gid: code for gid, code in answers.items() if rng.random() < 0.6}
        subs[f"student{i:03d}"] = fill_answers(release, chosen)
    return subs


def make_course(root, assignment, source_dir, submissions):
    course = TempCourse(root, [assignment], source_dir=source_dir)
    (Path(root) / "nbgrader_config.py").write_text(
        f"c = get_config()\nload_subconfig({str(COURSE_ROOT / 'nbgrader_config.py')!r})\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{root}/gradebook.db'\n"
        f"c.CleanRoomExecute.trusted_root = {str(root)!r}\n")
    for student, notebook in submissions.items():
        course.submit(assignment, student, notebook)
    return course


def table(course, assignment, students):
    return {s: question_scores(course.db_url, assignment, s) for s in students}


def bench_assignment(assignment, k, source_dir, scratch):
    template = TempCourse(Path(scratch) / "template", [assignment], source_dir=source_dir)
    submissions = mixed_submissions(template, assignment, k)
    students = sorted(submissions)
    serial = make_course(Path(scratch) / "serial", assignment, source_dir, submissions)
    env = {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]}
    started = time.monotonic()
    subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde", assignment, "--log-level=ERROR"],
                   cwd=serial.root, env=env, check=True, capture_output=True)
    times = {"serial nbgrader": time.monotonic() - started}
    tables = {"serial nbgrader": table(serial, assignment, students)}
    outcomes = {}
    for workers in (1, 2):
        name = f"course-grade x{workers}"
        course = make_course(Path(scratch) / f"batch{workers}", assignment, source_dir, submissions)
        grader = BatchGrader(course.root, assignment, workers=workers, progress=False)
        started = time.monotonic()
        outcomes[workers] = grader.grade(students)
        times[name] = time.monotonic() - started
        tables[name] = table(course, assignment, students)
    print(f"\n{assignment}: {k} submissions")
    for name, seconds in times.items():
        print(f"  {name:<18} {seconds:7.1f} s  {seconds / k:6.2f} s/submission  "
              f"speed-up vs serial {times['serial nbgrader'] / seconds:4.2f}x")
    identical = all(t == tables["serial nbgrader"] for t in tables.values())
    print(f"  grade tables identical across the three runs: {identical}")
    parts = ("process_start", "prepare", "kernel_start", "execution", "merge")
    print("  per-submission breakdown with 1 worker (median seconds):")
    for part in parts:
        print(f"    {part:<14} {statistics.median(o.timing.get(part, 0.0) for o in outcomes[1]):.3f}")
    other = [o.timing["worker_total"] - o.timing["prepare"] - o.timing.get("kernel_start", 0)
             - o.timing.get("execution", 0) for o in outcomes[1]]
    print(f"    {'nbgrader other':<14} {statistics.median(other):.3f}  (sanitize, gradebook, writing)")
    print(f"    {'ahead':<14} {statistics.median(o.timing.get('ahead', 0.0) for o in outcomes[1]):.3f}  "
          "(prepare and kernel launch while the previous submission ran: off the critical path)")
    return identical


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--k", type=int, default=40)
    parser.add_argument("--assignments", nargs="*", default=None)
    parser.add_argument("--source-dir", default=str(SOURCE_DIR))
    args = parser.parse_args()
    source_dir = Path(args.source_dir)
    ok = True
    for assignment in args.assignments or assignments(source_dir):
        with tempfile.TemporaryDirectory(prefix="coursekit-bench-") as scratch:
            ok &= bench_assignment(assignment, args.k, source_dir, scratch)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
