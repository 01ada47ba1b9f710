"""Autograde every submission of an assignment in parallel: ``course-grade ASSIGNMENT``.

nbgrader's own autograde does the grading, one forked worker per submission, at most N at
once. Each worker grades into a scratch course with a private gradebook copy; this process
merges results into the course gradebook one at a time, copies autograded/ back, enforces a
wall-clock limit per submission, and writes a report with a reason for every failure.
"""

import argparse
import csv
import fnmatch
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from tqdm import tqdm

from coursekit.grading.batch import canary, course, gradebook_copy, merge, results, worker
from coursekit.grading.batch.guard import SubmissionSnapshot, gradebook_guard
from coursekit.grading.grader import prestart
from coursekit.grading.grader.scores import max_scores
from coursekit.grading.grader.trusted import TrustedFiles
from coursekit.grading.wall import sandbox
from coursekit.grading.wall.limits import kill_process_groups
from coursekit.paths import COURSE_ROOT
from coursekit.reports import write_mistakes_report
from coursekit.submissions import grade_id, is_answer_cell, load_notebook


@dataclass
class Outcome:
    """How one submission's grading ended."""

    student: str
    status: str  # graded, failed, timeout, crashed
    seconds: float
    reason: str = ""
    scores: dict = field(default_factory=dict)
    timing: dict = field(default_factory=dict)

    @property
    def score(self):
        return sum(self.scores.values())


def fast_scratch_root():
    """A memory-backed folder for scratch courses when the machine has one (gradebook commits cost
    an fsync each), else the default temporary folder."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > 2 * 2**30:
        return str(shm)
    return None


def find_students(course_root, assignment, pattern="*"):
    """Students with a folder submitted/<student>/<assignment>/, sorted."""
    submitted = Path(course_root) / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(p.name for p in submitted.iterdir()
                  if (p / assignment).is_dir() and fnmatch.fnmatch(p.name, pattern))


def ensure_assignment(config, db_url, assignment):
    """Make sure the gradebook knows the assignment (nbgrader generate_assignment adds it)."""
    with Gradebook(db_url) as gb:
        try:
            gb.find_assignment(assignment)
            return
        except MissingEntry:
            pass
    course.generate_assignment(config, assignment)


def blas_threads(workers, cores=None):
    """BLAS threads per kernel: the machine's cores shared among the workers, at least one each
    (measured against the alternatives by bench/blas_threads.py; README, "Grading a class")."""
    return max(1, (cores or os.cpu_count() or 1) // max(1, workers))


def zero_rows(layout, job):
    """Rows of a submission whose grading never finished: zero on every cell."""
    path = job.scratch.parent / f"{job.scratch.name}-zero.db"
    gradebook_copy.zero_gradebook(job.template_db, path, job.assignment, job.student)
    return merge.read_submission(layout, path, job.student)


class BatchGrader:
    """Grade many submissions with a pool of forked workers and one gradebook writer."""

    def __init__(self, course_root, assignment, workers=None, time_limit=600, progress=True, threads=None):
        self.course_root = Path(course_root).resolve()
        self.assignment = assignment
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.threads = threads or blas_threads(self.workers)  # OPENBLAS/OMP/MKL_NUM_THREADS of each kernel
        self.time_limit = time_limit
        self.progress = progress
        self.config = course.course_config(self.course_root)
        self.db_url = self.config.CourseDirectory.db_url

    def grade(self, students):
        """Grade ``students``; return their outcomes in the same order."""
        from coursekit.grading.grader.cleanroom import CleanRoomExecute  # the course's executor settings

        if CleanRoomExecute(config=self.config).unsafe_no_sandbox:  # the instructor's explicit opt-out
            os.environ[sandbox.UNSAFE_ENV] = "1"
        sandbox.require()  # no student code runs without its sandbox, unless the instructor opted out
        ensure_assignment(self.config, self.db_url, self.assignment)
        canary.check(self.course_root, self.assignment)  # once, before forking: the workers find it cached
        trusted = TrustedFiles.for_course(self.course_root, self.assignment)  # snapshot before any student runs
        prestart.import_in_grader(trusted)  # once here, not in every forked worker
        worker.preload()
        kernel_modules = tuple(prestart.installed_imports(trusted, at_grading=True))  # its cell analysis is kept too
        self.incidents = []
        with tempfile.TemporaryDirectory(prefix="coursekit-batch-", dir=fast_scratch_root()) as scratch:
            snapshot = SubmissionSnapshot(self.course_root, self.assignment, students, scratch,
                                          copy=sandbox.unsafe_requested())
            self.gradebook = merge.course_engine(self.db_url)
            self.layout = gradebook_copy.AssignmentLayout.read(self.gradebook, self.assignment)
            template = Path(scratch) / "template.db"
            self.layout.write_template(template)
            self.gradebook_guard = gradebook_guard(self.db_url, scratch)
            jobs = [worker.Job(self.course_root, self.assignment, s, Path(scratch) / f"job-{i}",
                               gradebook_copy.worker_gradebook(self.layout, template, self.gradebook, s,
                                                               Path(scratch) / f"gradebook-{i}.db"),
                               snapshot.copies[s], kernel_modules) for i, s in enumerate(students)]
            outcomes = self._run_pool(jobs)
            if self.gradebook_guard.restore_if_changed():
                self.incidents.append("the gradebook was changed by a submission after its last merge: restored")
            restored, changed = snapshot.restore_changed()
            self.incidents += [f"submitted/{s}/{self.assignment}/ was changed during grading: restored"
                               for s in restored]
            self.incidents += [f"submitted/{s}/{self.assignment}/ changed during grading (not by its sandboxed "
                               "kernels; a new collect?): graded as it was at the start" for s in changed]
        for incident in self.incidents:
            print(f"WARNING: {incident}", file=sys.stderr)
        return [outcomes[s] for s in students]

    def _run_pool(self, jobs):
        context = multiprocessing.get_context("fork")
        threads = self.threads
        pending, running, outcomes, ahead = list(jobs), {}, {}, []
        bar = tqdm(total=len(jobs), desc=f"grading {self.assignment}", unit="sub", disable=not self.progress)
        try:
            while pending or running or ahead:
                while (pending or ahead) and len(running) < self.workers:
                    if not ahead:
                        ahead.append(self._launch(context, pending.pop(0), threads))
                    process, job, receiver, go = ahead.pop(0)
                    job.launched_at = time.time()
                    results.go(go)
                    running[process.sentinel] = (process, job, time.monotonic(), receiver)
                if pending and not ahead:  # the next submission's worker prepares and starts its kernel now
                    ahead.append(self._launch(context, pending.pop(0), threads))
                wait(list(running), timeout=0.5)
                self.suspects = [job.student for _, job, _, _ in running.values()]
                for sentinel, (process, job, started, receiver) in list(running.items()):
                    elapsed = time.monotonic() - started
                    if process.is_alive() and elapsed < self.time_limit:
                        continue
                    if process.is_alive():
                        process.kill()
                        process.join()
                        kill_process_groups(job.pidfile)
                        outcome = self._finish(job, "timeout", elapsed,
                                               f"took longer than the {self.time_limit} s limit")
                    else:
                        process.join()
                        kill_process_groups(job.pidfile)
                        outcome = self._collect(job, results.receive(receiver), process.exitcode, elapsed)
                        receiver = None
                    if receiver is not None:
                        os.close(receiver)
                    outcomes[job.student] = outcome
                    del running[sentinel]
                    bar.update(1)
                    if outcome.status != "graded":
                        bar.write(f"{job.student}: {outcome.status}: {outcome.reason}")
        finally:  # the batch stopped early (an error, Ctrl-C): no worker or kernel outlives it
            for process, job, *_ in [*running.values(), *ahead]:
                process.kill()
                kill_process_groups(job.pidfile)
        bar.close()
        return outcomes

    @staticmethod
    def _launch(context, job, threads):
        """Fork ``job``'s worker; it prepares and starts its kernel, then waits for ``go``.

        Both pipes are plain file descriptors: the result comes back as JSON, never pickled.
        """
        receiver, sender = os.pipe()
        go_receiver, go = os.pipe()
        process = context.Process(target=worker.run, args=(job, threads, sender, go_receiver), daemon=True)
        process.start()
        os.close(sender)
        os.close(go_receiver)
        return process, job, receiver, go

    def _collect(self, job, result, exitcode, elapsed):
        if result is None:
            return self._finish(job, "crashed", elapsed, f"worker ended with exit code {exitcode}")
        status = "graded" if result["ok"] else "failed"
        outcome = self._finish(job, status, result["seconds"], result["reason"], result.get("scores"))
        outcome.timing.update(process_start=round(max(0.0, result["entered_at"] - job.launched_at), 4),
                              prepare=result.get("prepare", 0.0), worker_total=result["seconds"],
                              ahead=result.get("ahead", 0.0), worker_cpu=result.get("cpu", 0.0))
        return outcome

    def _finish(self, job, status, seconds, reason, auto_scores=None):
        """Merge what the worker produced (or a zero) into the course, and describe it."""
        graded = merge.read_submission(self.layout, job.db, job.student) \
            if job.db.exists() and status == "graded" else None  # a failed worker's copy is never trusted
        merge_started = time.monotonic()
        if self.gradebook_guard.restore_if_changed():
            self.incidents.append("the gradebook was changed while these submissions ran: "
                                  f"{', '.join(self.suspects)} (restored)")
        if graded is None:
            graded, auto_scores = zero_rows(self.layout, job), None

        def write(gradebook):
            return merge.merge_submission(gradebook, self.layout, graded, job.student, auto_scores)

        scores = write(self.gradebook)
        self.gradebook_guard.remember(write)
        timing = {"merge": round(time.monotonic() - merge_started, 4)}
        target = self.course_root / "autograded" / job.student / self.assignment
        if job.autograded.is_dir() and status != "timeout":
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(job.autograded, target, symlinks=True)
            recorded = executor_metadata(target)
            timing.update(recorded.get("timing", {}))
            tampered = recorded.get("tampered", [])
            if tampered:
                reason = (reason + "; " if reason else "") + "changed course files (restored): " + ", ".join(tampered)
        return Outcome(job.student, status, round(seconds, 2), reason, scores, timing)


def executor_metadata(autograded_folder):
    """What the clean-room executor recorded in the autograded notebook (timing, tampered files)."""
    for path in sorted(Path(autograded_folder).glob("*.ipynb")):
        try:
            return nbformat.read(str(path), as_version=4).metadata.get("coursekit", {})
        except Exception:  # an unreadable output notebook has nothing to report
            continue
    return {}


REPORT_HEADER = ["assignment", "student", "status", "score", "max_score", "seconds", "reason"]
SCRATCH_PATH = re.compile(r"\S*coursekit-(?:batch|grade|canary)-[^/\s]*(?:/job-\d+)?/?")


def notebook_names(folder):
    return sorted(path.name for path in Path(folder).glob("*.ipynb")) if Path(folder).is_dir() else []


def deleted_answer_cells(course_root, assignment, student):
    """Answer cells of the assignment that the student's notebooks no longer hold (graded as unanswered)."""
    missing = []
    for name in notebook_names(Path(course_root) / "source" / assignment):
        submitted = Path(course_root) / "submitted" / student / assignment / name
        if not submitted.is_file():
            continue
        try:
            held = {grade_id(cell) for cell in load_notebook(submitted).cells}
        except Exception:  # noqa: BLE001 (an unreadable notebook already has its reason)
            continue
        missing += [grade_id(cell) for cell in load_notebook(Path(course_root) / "source" / assignment / name).cells
                    if is_answer_cell(cell) and grade_id(cell) not in held]
    return missing


def explained(course_root, assignment, outcome):
    """The outcome's reason in the instructor's terms: no scratch paths; what a missing notebook was called;
    answer cells the student deleted."""
    reason = SCRATCH_PATH.sub("", outcome.reason)
    folder = Path(course_root) / "submitted" / outcome.student / assignment
    expected, found = notebook_names(Path(course_root) / "source" / assignment), notebook_names(folder)
    if outcome.status == "failed" and set(expected) - set(found):
        reason = (f"no notebook named {', '.join(expected)} in submitted/{outcome.student}/{assignment}/ (it holds "
                  f"{', '.join(found) if found else 'no notebook'}): if the student renamed it, rename it back "
                  f"and grade again with --student {outcome.student}")
    deleted = deleted_answer_cells(course_root, assignment, outcome.student)
    if deleted:
        note = f"answer cells deleted by the student, graded as unanswered: {', '.join(deleted)}"
        reason = f"{reason}; {note}" if reason else note
    return reason


def write_report(path, assignment, outcomes, maxima):
    """CSV: student, status, score, max score, seconds, reason. Rows of students not graded this time (a
    ``--student`` rerun) are kept from the report already there; regraded students' rows are replaced."""
    path.parent.mkdir(parents=True, exist_ok=True)
    total = sum(maxima.values())
    rows = {}
    if path.is_file():
        with open(path, newline="") as handle:
            rows = {row["student"]: [row.get(column, "") for column in REPORT_HEADER]
                    for row in csv.DictReader(handle) if row.get("assignment") == assignment and row.get("student")}
    rows.update({o.student: [assignment, o.student, o.status, o.score, total, o.seconds, o.reason] for o in outcomes})
    scratch = path.with_suffix(".csv.tmp")
    with open(scratch, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REPORT_HEADER)
        writer.writerows(rows[student] for student in sorted(rows))
    scratch.replace(path)


def print_summary(assignment, outcomes, maxima, wall_seconds, out=sys.stdout):
    total = sum(maxima.values())
    graded = sum(o.status == "graded" for o in outcomes)
    print(f"\n{assignment}: {len(outcomes)} submissions, {graded} graded cleanly, "
          f"{len(outcomes) - graded} with problems, {wall_seconds:.1f} s", file=out)
    for o in outcomes:
        print(f"  {o.student:<24} {o.score:6.1f} / {total:<6.1f} {o.status:<8} {o.reason}", file=out)


def course_assignments(course_root):
    """The assignments a course can grade: its source/ folders holding a notebook."""
    source = Path(course_root) / "source"
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb"))) if source.is_dir() else []


def main(argv=None):
    parser = argparse.ArgumentParser(prog="course-grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment")
    parser.add_argument("--student", default="*", help="glob of student ids (default: all)")
    parser.add_argument("--workers", type=int, default=None, help="parallel workers (default: all cores)")
    parser.add_argument("--time-limit", type=float, default=600, help="seconds per submission (default 600)")
    parser.add_argument("--course", default=str(COURSE_ROOT), help="course folder (default: this repository)")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--unsafe-no-sandbox", action="store_true",
                        help="run students' kernels WITHOUT their sandbox (only where the students' code is trusted)")
    args = parser.parse_args(argv)
    if args.unsafe_no_sandbox:
        os.environ[sandbox.UNSAFE_ENV] = "1"
        print("WARNING: grading without the kernel sandbox (--unsafe-no-sandbox): student code can reach "
              "everything this user can.", file=sys.stderr)
    known = course_assignments(args.course)
    if args.assignment not in known:
        print(f"Unknown assignment {args.assignment!r}: the assignments of {args.course} are "
              f"{', '.join(known) or 'none (it has no source/<assignment>/ folder with a notebook)'}.", file=sys.stderr)
        return 1
    students = find_students(args.course, args.assignment, args.student)
    if not students:
        which = "" if args.student == "*" else f" of students matching {args.student!r}"
        print(f"No submissions{which} found: nothing under {args.course}/submitted/<student>/{args.assignment}/. "
              "Collect them first (nbgrader collect, or course collect on the hub).", file=sys.stderr)
        return 1
    grader = BatchGrader(args.course, args.assignment, args.workers, args.time_limit, not args.no_progress)
    started = time.monotonic()
    try:
        outcomes = grader.grade(students)
    except sandbox.SandboxUnavailable as error:
        print(error, file=sys.stderr)
        return 2
    except canary.CanaryFailed as error:
        print(error, file=sys.stderr)
        return 3
    maxima = max_scores(grader.db_url, args.assignment)
    for outcome in outcomes:
        outcome.reason = explained(args.course, args.assignment, outcome)
    report = Path(args.course) / "reports" / f"{args.assignment}-grading.csv"
    write_report(report, args.assignment, outcomes, maxima)
    mistakes = write_mistakes_report(args.course, args.assignment, outcomes, maxima)
    print_summary(args.assignment, outcomes, maxima, time.monotonic() - started)
    print(f"Report: {report}")
    print(f"Mistakes of the class (named mistakes per question, and a chart): {mistakes} (and .csv)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
