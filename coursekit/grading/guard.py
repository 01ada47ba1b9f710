"""Keep a batch's inputs safe from the code it runs: submissions and the gradebook.

Before any student code runs, every submission to grade is copied aside (workers grade the
copies) and the gradebook's bytes are remembered after each of the grader's own writes. A
submission that deletes or rewrites another's folder, or the gradebook, is undone.
"""

import hashlib
import shutil
from pathlib import Path


def tree_digest(folder):
    """sha256 of every file under ``folder``, by relative path."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


class SubmissionSnapshot:
    """Copies of ``submitted/<student>/<assignment>/`` taken before grading starts."""

    def __init__(self, course_root, assignment, students, scratch):
        self.assignment = assignment
        self.real = {s: Path(course_root) / "submitted" / s / assignment for s in students}
        self.copies = {s: Path(scratch) / "submitted" / s / assignment for s in students}
        self.digests = {}
        for student, folder in self.real.items():
            shutil.copytree(folder, self.copies[student], symlinks=True)
            self.digests[student] = tree_digest(folder)

    def restore_changed(self):
        """Put back every submission folder that changed during the batch; return the students."""
        changed = []
        for student, folder in self.real.items():
            if tree_digest(folder) != self.digests[student]:
                if folder.exists():
                    shutil.rmtree(folder)
                shutil.copytree(self.copies[student], folder, symlinks=True)
                changed.append(student)
        return changed


class GradebookGuard:
    """The gradebook's bytes as the grader last left them; put back if anything else wrote it."""

    def __init__(self, db_path):
        self.db_path = Path(db_path)
        self.remember()

    def remember(self):
        self.data = self.db_path.read_bytes()

    def restore_if_changed(self):
        """True when the file was changed by someone else (and has been put back)."""
        try:
            same = self.db_path.read_bytes() == self.data
        except OSError:
            same = False
        if not same:
            self.db_path.write_bytes(self.data)
        return not same


class ServerGradebookGuard:
    """A gradebook on a database server (PostgreSQL, ...): there is no file to keep. Student code cannot
    write it without the server's credentials; keep those where kernels cannot read them (docs/scale-out.md)."""

    def remember(self):
        pass

    def restore_if_changed(self):
        return False


def gradebook_guard(db_url):
    """The guard for the gradebook at ``db_url``: its file's bytes for SQLite, none for a server."""
    if db_url.startswith("sqlite:///"):
        return GradebookGuard(db_url.removeprefix("sqlite:///"))
    return ServerGradebookGuard()
