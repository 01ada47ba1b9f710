"""The course files a grader trusts, read once per process and kept in memory.

The student's kernel gets its own copy of the data set and of the assignment's helper files
(every file of ``source/<assignment>/`` but the notebooks, on every grading path, whatever the
student handed in under those names); the tests import the check modules and read the data
from this snapshot; files a submission changed on disk are put back.
"""

import contextlib
import os
import sys
import types
from pathlib import Path

import lr_utils
from coursekit.grading.grader.mistakes import is_catalog

_SNAPSHOTS = {}


def restore_environment(saved):
    """Put environment variables back as ``saved`` holds them (None: was not set)."""
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


IGNORED_PARTS = {".ipynb_checkpoints", "__pycache__"}


def read_folder(folder, pattern="*", recursive=False):
    """``{path: bytes}`` of the regular files in ``folder`` (and below it when ``recursive``), caches left out."""
    folder = Path(folder)
    paths = folder.rglob(pattern) if recursive else folder.glob(pattern)
    return {path: path.read_bytes() for path in sorted(paths)
            if path.is_file() and not path.is_symlink() and path.suffix != ".pyc"
            and not IGNORED_PARTS & set(path.relative_to(folder).parts)}


class TrustedFiles:
    """A snapshot of an assignment's source folder and of the data set folder."""

    def __init__(self, source_dir, dataset_dir):
        self.source_dir = source_dir
        self.dataset_dir = dataset_dir
        self.files = {**read_folder(source_dir, recursive=True),
                      **(read_folder(dataset_dir, "*.h5") if dataset_dir else {})}
        self.import_modules()

    def import_modules(self):
        """Import the source folder's Python files from the snapshot, so tests never read them from disk."""
        sys.path.insert(0, str(self.source_dir))
        try:
            for path, data in self.files.items():
                if path.suffix == ".py" and path.parent == self.source_dir and not is_catalog(path):
                    module = types.ModuleType(path.stem)
                    module.__file__ = str(path)
                    sys.modules[path.stem] = module
                    exec(compile(data, str(path), "exec"), module.__dict__)  # noqa: S102 (instructor's code)
        finally:
            sys.path.remove(str(self.source_dir))

    @classmethod
    def for_course(cls, root, assignment):
        """The snapshot of ``root``'s assignment, taken on first use in this process."""
        key = (str(root), assignment)
        if key not in _SNAPSHOTS:
            try:
                dataset_dir = lr_utils.find_dataset_dir()
            except lr_utils.DatasetError:
                dataset_dir = None
            _SNAPSHOTS[key] = cls(Path(root) / "source" / assignment, dataset_dir)
        return _SNAPSHOTS[key]

    def source_files(self, notebooks=True):
        """``{path relative to source/<assignment>/: bytes}`` of the assignment's files; without ``notebooks``,
        those a student's kernel gets: no notebook and no mistake catalog (both hold solution text)."""
        return {path.relative_to(self.source_dir): data for path, data in self.files.items()
                if path.is_relative_to(self.source_dir)
                and (notebooks or (path.suffix != ".ipynb" and not is_catalog(path)))}

    def write_source_files(self, folder, notebooks=True):
        """Write the assignment's files (without notebooks unless ``notebooks``) under ``folder``; return it."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for relative, data in self.source_files(notebooks).items():
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            (folder / relative).write_bytes(data)
        return folder

    def write_datasets(self, folder):
        """Write the snapshot's data files into ``folder`` (a private copy) and return it."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for path, data in self.files.items():
            if self.dataset_dir and path.parent == self.dataset_dir:
                (folder / path.name).write_bytes(data)
        return folder

    @contextlib.contextmanager
    def in_use(self, data_copy, test_source):
        """Tests that load data read a fresh copy of the snapshot's data set."""
        saved = {lr_utils.ENV_VAR: os.environ.get(lr_utils.ENV_VAR)}
        if "load_dataset" in test_source:
            os.environ[lr_utils.ENV_VAR] = str(self.write_datasets(data_copy))
        try:
            yield
        finally:
            restore_environment(saved)

    def restore_if_changed(self):
        """Put back every trusted file that differs on disk; return their paths."""
        changed = []
        for path, data in self.files.items():
            try:
                same = path.read_bytes() == data
            except OSError:
                same = False
            if not same:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                changed.append(str(path))
        return changed
