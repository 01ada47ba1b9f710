"""Grade one submission in a scratch course of its own (runs in a forked worker process).

The scratch course holds a link to the submission (nbgrader reads it there and copies it once,
into the scratch course's ``autograded/``), the instructor's source files and a copy of the
gradebook, so the student's code never runs inside the real course folders and no two
workers write the same SQLite file. The parent merges the result afterwards.
"""

import importlib
import io
import logging
import os
import re
import resource
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from coursekit.grading.batch import course, engines, results
from coursekit.grading.grader import intake, prestart, scorekeeper
from coursekit.grading.grader.trusted import TrustedFiles
from coursekit.grading.wall.limits import PIDFILE_ENV

KERNEL_SIDE = "coursekit.grading.inkernel.kernel_side"  # what answers the tests: imported ahead too
# What each worker would import again for its submission (jupyter_client's kernel specs import IPython; the
# feedback's HTML cleaner; NumPy's generators): the batch imports them once, before it forks (``preload``).
PRELOADED = ("IPython", "ipykernel.kernelspec", "codeop", "nh3", "numpy.random", "coursekit.grading.grader.feedback",
             "coursekit.grading.grader.sanitize")
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception)\b.*")


@dataclass
class Job:
    """One submission to grade, and where its scratch course lives."""

    course_root: Path
    assignment: str
    student: str
    scratch: Path
    template_db: Path
    submission_dir: Path
    kernel_modules: tuple = ()  # what its kernel imports ahead (prestart.installed_imports at grading)
    launched_at: float = 0.0

    @property
    def root(self):
        return self.scratch / "course"

    @property
    def db(self):
        return self.scratch / "gradebook.db"

    @property
    def pidfile(self):
        return self.scratch / "kernel.pids"

    @property
    def autograded(self):
        return self.root / "autograded" / self.student / self.assignment


def prepare(job):
    """Lay out the scratch course: submission link, trusted source files, gradebook copy."""
    intake.check_submission(job.submission_dir)
    submitted = job.root / "submitted" / job.student / job.assignment
    submitted.parent.mkdir(parents=True)
    submitted.symlink_to(job.submission_dir.resolve(), target_is_directory=True)  # read only, by nbgrader
    TrustedFiles.for_course(job.course_root, job.assignment).write_source_files(job.root / "source" / job.assignment)
    shutil.copyfile(job.template_db, job.db)


def start_kernel_ahead(job, config):
    """Start this submission's kernel now, for its notebook's folder; the executor takes it over later."""
    from coursekit.grading.grader.cleanroom import CleanRoomExecute  # nbgrader's executor, configured for this course

    executor = CleanRoomExecute(config=config)
    trusted = TrustedFiles.for_course(job.course_root, job.assignment)
    environment = prestart.kernel_environment(trusted, job.scratch, executor.memory_limit_mb, job.pidfile)
    try:
        prestart.start_kernel(prestart.kernel_name_of(trusted), environment, executor.extra_arguments,
                              job.autograded, files_from=job.root / "submitted" / job.student / job.assignment,
                              modules=[*job.kernel_modules, KERNEL_SIDE])
    except Exception:  # noqa: BLE001 (only a head start: the executor starts the kernel itself and reports why not)
        pass


def preload():
    """Import what every worker needs (PRELOADED), here in the batch before it forks."""
    for name in PRELOADED:
        importlib.import_module(name)


def last_error(log_text):
    """The final exception line of nbgrader's log of a failed run (the reason, in one line)."""
    lines = [line.strip() for line in log_text.splitlines() if line.strip()]
    exceptions = [line for line in lines if EXCEPTION_LINE.match(line)]
    return (exceptions or lines or ["autograde failed"])[-1][:300]


def run(job, threads_per_kernel, result_fd, go_fd):
    """Autograde ``job`` in its scratch course; send the result to the parent. Entry point of a worker.

    The worker prepares and starts its kernel at once, then waits for the parent's signal on
    the pipe ``go_fd`` before grading: its time is counted from that signal. The result goes to
    the parent as JSON on the pipe ``result_fd`` (coursekit.grading.batch.results).
    """
    entered_at, started = time.time(), time.monotonic()
    tempfile.tempdir = str(job.scratch.parent)  # the executor's scratch goes beside the job's
    engines.install()  # nbgrader's gradebooks keep their compiled statements in this worker
    os.environ[PIDFILE_ENV] = str(job.pidfile)
    if threads_per_kernel:
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[name] = str(threads_per_kernel)
    log_text = io.StringIO()
    handler = logging.StreamHandler(log_text)
    logging.getLogger("coursekit.nbgrader").addHandler(handler)
    result = {"ok": True, "reason": ""}
    try:
        prepare(job)
        prepared = time.monotonic()
        result["prepare"] = round(prepared - started, 4)
        config = course.course_config(job.root, db_path=job.db, trusted_root=job.course_root)
        config.Exporter.optimistic_validation = True  # nbconvert checks the notebook once at the end, not 17 times
        start_kernel_ahead(job, config)
        result["ahead"] = round(time.monotonic() - started, 4)
        late = results.wait_for_go(go_fd)  # the batch was already waiting for this submission: no head start
        go_fd = None
        if not late:
            started, result["prepare"] = time.monotonic(), 0.0
        course.autograde(config, job.assignment, job.student)
        result["scores"] = {f"{notebook}/{gid}": score for notebook, scores in scorekeeper.RECORDED.items()
                            for gid, score in scores.items()}
    except intake.SubmissionRefused as error:
        result = {"ok": False, "reason": str(error)}
    except Exception as error:  # nbgrader reports a failed submission by raising
        result = {"ok": False, "reason": last_error(log_text.getvalue()) or str(error)}
    if go_fd is not None:  # refused before grading: the batch's signal is not awaited
        os.close(go_fd)
    result["seconds"] = round(time.monotonic() - started, 3)
    used = resource.getrusage(resource.RUSAGE_SELF)  # this worker's own CPU: nbgrader, the tests (not the kernel)
    result["cpu"] = round(used.ru_utime + used.ru_stime, 3)
    result["entered_at"] = entered_at
    results.send(result_fd, result)
