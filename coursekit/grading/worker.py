"""Grade one submission in a scratch course of its own (runs in a forked worker process).

The scratch course holds a copy of the submission, the instructor's source files and a copy
of the gradebook, so the student's code never runs inside the real course folders and no
two workers write the same SQLite file. The parent merges the result afterwards.
"""

import io
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from coursekit.grading import course
from coursekit.grading.limits import PIDFILE_ENV
from coursekit.grading.trusted import TrustedFiles


@dataclass
class Job:
    """One submission to grade, and where its scratch course lives."""

    course_root: Path
    assignment: str
    student: str
    scratch: Path
    template_db: Path
    submission_dir: Path
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
    def result_file(self):
        return self.scratch / "result.json"

    @property
    def autograded(self):
        return self.root / "autograded" / self.student / self.assignment


def prepare(job):
    """Lay out the scratch course: submission copy, trusted source files, gradebook copy."""
    job.scratch.mkdir(parents=True)
    shutil.copytree(job.submission_dir, job.root / "submitted" / job.student / job.assignment, symlinks=True)
    trusted = TrustedFiles.for_course(job.course_root, job.assignment)
    source = job.root / "source" / job.assignment
    for path, data in trusted.files.items():
        if path.parent == trusted.source_dir:
            source.mkdir(parents=True, exist_ok=True)
            (source / path.name).write_bytes(data)
    shutil.copyfile(job.template_db, job.db)


def last_error(log_text):
    """The most telling line of nbgrader's log of a failed run."""
    lines = [line.strip() for line in log_text.splitlines() if line.strip()]
    for line in reversed(lines):
        if "Error" in line or "error" in line.lower():
            return line[:300]
    return lines[-1][:300] if lines else "autograde failed"


def run(job, threads_per_kernel=None):
    """Autograde ``job`` in its scratch course; write ``result.json``. Entry point of a worker."""
    entered_at, started = time.time(), time.monotonic()
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
        course.autograde(config, job.assignment, job.student)
    except Exception as error:  # nbgrader reports a failed submission by raising
        result = {"ok": False, "reason": last_error(log_text.getvalue()) or str(error)}
    result["seconds"] = round(time.monotonic() - started, 3)
    result["entered_at"] = entered_at
    job.result_file.write_text(json.dumps(result))
