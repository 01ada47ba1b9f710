"""What a submission folder may hold before it is graded: regular files and folders, nothing else,
at most MAX_FILES entries and MAX_MB in all.

A symbolic link could make the grader read the instructor's source notebook or a classmate's
as the student's own (and show it in feedback); a FIFO or device file could block it; a huge
file or a million small ones would be copied into memory folders. Such a submission is refused,
before any copy of it is made (course-grade; plain nbgrader autograde has copied its other files
to ``autograded/`` by then), with a reason the student can act on.
"""

import os
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from nbgrader.coursedir import CourseDirectory
from traitlets import Bool

MAX_FILES = 500  # files and folders
MAX_MB = 64


class SubmissionRefused(Exception):
    """The submission holds something the grader does not read."""


def oversize(folder, max_files=MAX_FILES, max_mb=MAX_MB):
    """Why ``folder`` is too large to grade (counted without reading a file, stopping at the first excess), or None."""
    entries, size = 0, 0
    for parent, dirs, files in os.walk(folder):
        for name in dirs + files:
            entries += 1
            if entries > max_files:
                return f"it holds more than {max_files} files and folders"
            path = os.path.join(parent, name)
            if name in files and not os.path.islink(path):
                size += os.lstat(path).st_size
                if size > max_mb * 2**20:
                    return f"its files take more than {max_mb} MiB"
    return None


def refused_entries(folder):
    """``[(relative path, what it is)]`` of the entries of ``folder`` that are not regular files or folders."""
    found = []
    for path in sorted(Path(folder).rglob("*")):
        kind = ("a symbolic link" if path.is_symlink() else None if path.is_dir() or path.is_file()
                else "not a regular file")
        if kind:
            found.append((str(path.relative_to(folder)), kind))
    return found


def check_submission(folder):
    """Raise SubmissionRefused naming every entry of ``folder`` the grader refuses, or why it is too large."""
    too_large = oversize(folder)
    if too_large:
        raise SubmissionRefused(f"SubmissionRefused: {too_large}. Submit the notebook and the files it needs "
                                "(data sets are provided); nothing of this submission was run.")
    found = refused_entries(folder)
    if found:
        listed = "; ".join(f"{name} is {kind}" for name, kind in found[:5])
        raise SubmissionRefused(f"SubmissionRefused: {listed}. Submit the files themselves "
                                "(copies, not links); nothing of this submission was run.")


class RefuseUnsafeFiles(Preprocessor):
    """First of nbgrader's sanitize steps: a submission with links or special files is not graded."""

    enabled = Bool(True)

    def preprocess(self, nb, resources):
        coursedir = CourseDirectory(config=self.config)
        info = resources["nbgrader"]
        check_submission(coursedir.format_path(coursedir.submitted_directory, info["student"], info["assignment"]))
        return nb, resources
