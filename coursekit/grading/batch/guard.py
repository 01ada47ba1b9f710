"""Keep a batch's inputs safe from the code it runs: submissions and the gradebook.

Before any student code runs, every submission's files are hashed; where kernels run without
their sandbox (the instructor's opt-out), each submission is also copied aside and the workers
grade the copies. A shadow of the gradebook follows each of the grader's own writes. A
submission that deletes or rewrites another's folder, or the gradebook, is undone.
"""

import hashlib
import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from coursekit.grading.batch.gradebook_copy import open_engine
from coursekit.grading.grader import intake

SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")


def tree_digest(folder):
    """sha256 of every file under ``folder``, by relative path."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


class SubmissionSnapshot:
    """``submitted/<student>/<assignment>/`` as grading found it: its digests, and a copy where kernels run
    unsandboxed (``copy``). Sandboxed kernels cannot reach a submission, so the workers then grade it where
    it is and nbgrader's copy into ``autograded/`` is the only one made."""

    def __init__(self, course_root, assignment, students, scratch, copy=True):
        self.assignment = assignment
        self.real = {s: Path(course_root) / "submitted" / s / assignment for s in students}
        self.copies = dict(self.real)  # where each submission is graded from
        self.digests = {}
        for student, folder in list(self.real.items()):
            if intake.oversize(folder):  # refused unread and uncopied; its worker says why
                self.real.pop(student)
                continue
            self.digests[student] = tree_digest(folder)
            if copy:
                self.copies[student] = Path(scratch) / "submitted" / student / assignment
                shutil.copytree(folder, self.copies[student], symlinks=True)

    def restore_changed(self):
        """``(restored, changed)``: the students whose folder changed during the batch, put back from its copy
        where there is one (``restored``), else left as found (``changed``: not by a sandboxed kernel, which
        cannot reach it; a new collect, say)."""
        restored, changed = [], []
        for student, folder in self.real.items():
            if tree_digest(folder) == self.digests[student]:
                continue
            if self.copies[student] == folder:
                changed.append(student)
                continue
            if folder.exists():
                shutil.rmtree(folder)
            shutil.copytree(self.copies[student], folder, symlinks=True)
            restored.append(student)
        return restored, changed


class GradebookGuard:
    """The SQLite gradebook as the grader last left it; put back if anything else wrote it.

    A shadow copy in the batch's scratch folder receives every write the grader makes to the
    gradebook, and the gradebook's file identity is noted after each: a check costs a few
    ``stat`` calls, whatever the class size. Only a restore copies the whole file.
    """

    def __init__(self, db_path, shadow_path):
        self.db_path = Path(db_path)
        copy_database(self.db_path, shadow_path)
        self.shadow_path = Path(shadow_path)
        self.shadow = open_engine(f"sqlite:///{shadow_path}")
        self.remember()

    def files(self):
        return [self.db_path] + [self.db_path.with_name(self.db_path.name + side) for side in SQLITE_SIDE_FILES]

    def remember(self, write=None):
        """Note the gradebook as the grader left it; ``write(engine)`` repeats the grader's last write on the shadow."""
        if write is not None:
            write(self.shadow)
        self.identity = [file_identity(path) for path in self.files()]

    def restore_if_changed(self):
        """True when the file was changed by someone else (and has been put back)."""
        if [file_identity(path) for path in self.files()] == self.identity:
            return False
        for side in self.files()[1:]:
            side.unlink(missing_ok=True)
        restored = self.db_path.with_name(self.db_path.name + ".restoring")
        copy_database(self.shadow_path, restored)
        os.replace(restored, self.db_path)
        self.remember()
        return True


def file_identity(path):
    """Inode, size, modification and change times: any write, rename or touch changes one of them
    (Linux stamps a change that follows a ``stat`` with a new nanosecond time)."""
    try:
        st = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def copy_database(source, target):
    """A consistent copy of an SQLite database (its journal or WAL included) through SQLite's backup API."""
    Path(target).unlink(missing_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


class ServerGradebookGuard:
    """A gradebook on a database server (PostgreSQL, ...): there is no file to keep. Student code cannot
    write it without the server's credentials; keep those where kernels cannot read them (docs/scale-out.md)."""

    def remember(self, write=None):
        pass

    def restore_if_changed(self):
        return False


def gradebook_guard(db_url, scratch):
    """The guard for the gradebook at ``db_url`` (its shadow goes in ``scratch``); none for a server."""
    if db_url.startswith("sqlite:///"):
        return GradebookGuard(db_url.removeprefix("sqlite:///"), Path(scratch) / "gradebook-shadow.db")
    return ServerGradebookGuard()
