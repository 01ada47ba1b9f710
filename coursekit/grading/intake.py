"""What a submission folder may hold before it is graded: regular files and folders, nothing else.

A symbolic link could make the grader read the instructor's source notebook or a classmate's
as the student's own (and show it in feedback); a FIFO or device file could block it. Such a
submission is refused with a reason the student can act on.
"""

from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from nbgrader.coursedir import CourseDirectory
from traitlets import Bool


class SubmissionRefused(Exception):
    """The submission holds something the grader does not read."""


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
    """Raise SubmissionRefused naming every entry of ``folder`` the grader refuses."""
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
