"""Grading cost as the class grows: `course-grade` on K submissions with 1 and 2 workers.

Part 1 grades K = 10, 40 and 160 submissions (a fixed mix of full, empty and partial ones) and
prints seconds per submission, the median merge time (gradebook write, must not grow with K),
peak memory per worker (the worker process and its kernel together) and the gradebook's size.
Part 2 merges submissions into gradebooks already holding 100 to 10,000 students (no kernels):
the merge's cost in a class far larger than part 1 can grade here, with the gradebook on disk
(each commit is synced) and, where /dev/shm exists, in memory (the queries alone).
Usage: python bench/scale.py [--k 10 40 160] [--workers 1 2] [--assignment a1_numpy_basics]
"""

import argparse
import functools
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

from nbgrader.api import Gradebook, new_uuid
from vs_stock_nbgrader import OUR_CONFIG, make_course, mixed_submissions

from coursekit.grading.batch import gradebook_copy, merge
from coursekit.grading.batch.grade import BatchGrader
from coursekit.grading.batch.guard import GradebookGuard
from coursekit.grading.batch.harness import TempCourse

PAGE = os.sysconf("SC_PAGE_SIZE")


def process_table():
    """``{pid: (parent pid, resident bytes)}`` of every process, from /proc."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        table[int(name)] = (int(fields[1]), int(fields[21]) * PAGE)
    return table


class WorkerMemory(threading.Thread):
    """Peak resident memory of each worker (a child of this process) together with its descendants."""

    def __init__(self, interval=0.1):
        super().__init__(daemon=True)
        self.interval, self.peaks, self.done = interval, defaultdict(int), threading.Event()

    def run(self):
        me = os.getpid()
        while not self.done.wait(self.interval):
            table = process_table()
            children = defaultdict(list)
            for pid, (parent, _) in table.items():
                children[parent].append(pid)
            for worker in children[me]:
                tree, total = [worker], 0
                while tree:
                    pid = tree.pop()
                    total += table[pid][1]
                    tree += children[pid]
                self.peaks[worker] = max(self.peaks[worker], total)

    def stop(self):
        self.done.set()
        self.join()
        return max(self.peaks.values(), default=0)


def grade_class(scratch, assignment, release, submissions, workers):
    """Grade ``submissions`` in a new course; (wall seconds, outcomes, peak bytes per worker, gradebook bytes)."""
    root = make_course(Path(scratch) / f"k{len(submissions)}-w{workers}", assignment, OUR_CONFIG, release, submissions)
    grader = BatchGrader(root, assignment, workers=workers, progress=False)
    memory = WorkerMemory()
    memory.start()
    started = time.monotonic()
    outcomes = grader.grade(sorted(submissions))
    wall = time.monotonic() - started
    return wall, outcomes, memory.stop(), (root / "gradebook.db").stat().st_size


def part_grading(assignment, ks, worker_counts, scratch):
    template = TempCourse(Path(scratch) / "template", [assignment])
    everyone = mixed_submissions(template.release_notebook(assignment), template.source_notebook(assignment), max(ks))
    release = template.notebook_path("release", assignment)
    names = sorted(everyone)
    print(f"\n{assignment}: course-grade as the class grows (load average {os.getloadavg()[0]:.2f} at start)")
    print(f"  {'K':>4} {'workers':>7} {'wall s':>8} {'s/submission':>12} {'merge ms':>9} "
          f"{'peak MiB/worker':>15} {'gradebook KiB':>13} {'problems':>8}")
    rates = {}
    for k in ks:
        for workers in worker_counts:
            subs = {name: everyone[name] for name in names[:k]}
            wall, outcomes, peak, size = grade_class(scratch, assignment, release, subs, workers)
            merges = statistics.median(o.timing.get("merge", 0.0) for o in outcomes) * 1000
            problems = sum(o.status != "graded" for o in outcomes)
            print(f"  {k:>4} {workers:>7} {wall:>8.1f} {wall / k:>12.2f} {merges:>9.1f} "
                  f"{peak / 2**20:>15.0f} {size / 1024:>13.0f} {problems:>8}", flush=True)
            rates[workers] = k / wall * 3600
    most = max(rates)
    per_core = rates[most] / most
    print(f"  throughput at K = {max(ks)}: {rates[most]:.0f} submissions/hour with {most} workers, "
          f"about {per_core:.0f} per core; N cores grade about N x {per_core:.0f} an hour "
          f"(load average {os.getloadavg()[0]:.2f} at end)")


def fake_class(layout, template, engine, size, folder):
    """Fill the course gradebook with ``size`` students fast: one submission's rows, copied; return them."""
    path = folder / "one.db"
    path.write_bytes(template.read_bytes())
    with Gradebook(f"sqlite:///{path}") as gb:
        gb.update_or_create_student("model")
        gb.update_or_create_submission(layout.assignment["name"], "model")
    model = merge.read_submission(layout, path, "model")
    batch = defaultdict(list)
    for i in range(size):
        for table, rows in copy_for(model, f"filler{i:05d}").items():
            batch[table] += rows
    with engine.begin() as con:
        gradebook_copy.insert_rows(con, batch)
    return model


def copy_for(model, student):
    """``model``'s rows for ``student``, with fresh ids that point at each other."""
    ids = defaultdict(new_uuid)
    rows = {}
    for table, found in model.items():
        rows[table] = []
        for row in found:
            row = dict(row, id=student if table == "student" else ids[row["id"]])
            for column in ("assignment_id", "notebook_id"):
                if table in ("submitted_notebook", "grade", "comment") and row.get(column) in ids:
                    row[column] = ids[row[column]]
            if table == "submitted_assignment":
                row["student_id"] = student
            rows[table].append(row)
    return rows


def merge_into(gradebook, layout, rows, student):
    return merge.merge_submission(gradebook, layout, rows, student)


def part_merge(assignment, sizes, scratch, where, rounds=20):
    """Median time of one merge as the batch grader does it: guard check, merge, the guard's shadow merge."""
    print(f"\n{assignment}: one merge into a gradebook of S students {where} (median of {rounds}, no kernels)")
    print(f"  {'S':>6} {'new student ms':>14} {'regrade ms':>10} {'of which guard ms':>17} {'gradebook MiB':>13}")
    for size in sizes:
        folder = Path(scratch) / f"merge-{size}"
        course = TempCourse(folder / "course", [assignment])
        engine = merge.course_engine(course.db_url)
        layout = gradebook_copy.AssignmentLayout.read(engine, assignment)
        template = folder / "template.db"
        layout.write_template(template)
        model = fake_class(layout, template, engine, size, folder)
        db = Path(course.db_url.removeprefix("sqlite:///"))
        guard = GradebookGuard(db, folder / "shadow.db")
        timings = defaultdict(list)
        for i in range(rounds):
            for kind, student in (("new", f"late{i:03d}"), ("regrade", f"filler{i * 7:05d}")):
                write = functools.partial(merge_into, layout=layout, rows=copy_for(model, student), student=student)
                started = time.perf_counter()
                guard.restore_if_changed()
                merged = time.perf_counter()
                write(engine)
                guarded = time.perf_counter()
                guard.remember(write)
                timings[kind].append(time.perf_counter() - started)
                timings["guard"].append(time.perf_counter() - guarded + merged - started)
        ms = {kind: statistics.median(values) * 1000 for kind, values in timings.items()}
        print(f"  {size:>6} {ms['new']:>14.1f} {ms['regrade']:>10.1f} {ms['guard']:>17.1f} "
              f"{db.stat().st_size / 2**20:>13.1f}", flush=True)
        engine.dispose()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--k", type=int, nargs="+", default=[10, 40, 160])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--class-sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--assignment", default="a1_numpy_basics")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coursekit-scale-") as scratch:
        part_grading(args.assignment, args.k, args.workers, scratch)
        part_merge(args.assignment, args.class_sizes, scratch, "on disk")
    if os.access("/dev/shm", os.W_OK):
        with tempfile.TemporaryDirectory(prefix="coursekit-scale-", dir="/dev/shm") as scratch:
            part_merge(args.assignment, args.class_sizes, scratch, "in memory")
    return 0


if __name__ == "__main__":
    sys.exit(main())
