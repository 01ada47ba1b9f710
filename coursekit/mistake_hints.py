"""The visible checks' hints for catalogued mistakes: the catalog's sentences, recognised by what a check saw.

``make release`` runs every wrong variant of an assignment's catalog (``source/<a>/*_mistakes.py``) through
the visible test cells of its own part, in this process, on the instructor's side, and writes
``source/<a>/mistake_hints.json`` (copied into the release and the grading kernel with the assignment's
other files): the catalog's sentences (``{part: {name: says}}``, in English) and, for each message a check
failed with (what it saw, ``CheckFailed.seen``: English, without its hint) that exactly one catalogued
mistake gives, that mistake. ``coursekit.checks.fail`` then gives that mistake's sentence as its hint, in
the course's language, so a student hears the same words before submitting and in the hidden test's
feedback. The file holds no solution code: only the catalog's sentences and messages the checks show anyway.
"""

import argparse
import contextlib
import io
import json
import re
import sys
import warnings
from pathlib import Path

import matplotlib
import nbformat
import numpy as np

from coursekit.checks import HINTS_FILE, CheckFailed
from coursekit.grading.grader.mistakes import Catalog
from coursekit.grading.grader.skipping import cells_to_skip, marked_sources
from coursekit.paths import SOURCE_DIR, assignments
from coursekit.submissions import answers_of, grade_id, is_test_cell

SEEDS = (0, 1)  # a message is a mistake's only when the variant gives it under each of these random states
ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]+")  # an object's address changes from run to run


def source_notebook(folder):
    (path,) = sorted(Path(folder).glob("*.ipynb"))
    return nbformat.read(path, as_version=4)


@contextlib.contextmanager
def in_folder(folder):
    """Run the notebook's code as the notebook does: from its folder, which is also first on the import path."""
    folder = str(folder)
    saved_path, saved_state = list(sys.path), np.random.get_state()
    sys.path.insert(0, folder)
    matplotlib.use("Agg")
    with contextlib.chdir(folder), contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            yield
        finally:
            sys.path[:] = saved_path
            np.random.set_state(saved_state)


class VisibleChecks:
    """A source notebook run in this process: its code cells (those grading runs), then its visible test cells."""

    def __init__(self, notebook):
        sources = [cell.source if cell.cell_type == "code" else None for cell in notebook.cells]
        skipped = cells_to_skip(sources, marked_sources(notebook))
        self.cells = [(grade_id(cell), cell.source) for index, cell in enumerate(notebook.cells)
                      if cell.cell_type == "code" and not is_test_cell(cell) and index not in skipped]
        self.tests = {grade_id(cell): cell.source for cell in notebook.cells
                      if is_test_cell(cell) and "BEGIN HIDDEN TESTS" not in cell.source}

    def failures(self, cells, answers=None, seed=0):
        """``{test cell: error}`` of the visible ``cells`` that fail, with ``answers`` (``{answer cell: code}``) in
        place of the solution's and NumPy's global random state seeded with ``seed``."""
        names = {"__name__": "__main__"}
        np.random.seed(seed)
        for cell, code in self.cells:
            with contextlib.suppress(Exception):  # a wrong answer may break a later cell, as in a student's run
                # named like an IPython cell, so an error's place is found as in a student's kernel
                exec(compile((answers or {}).get(cell, code), f"<ipython-input-{cell}>", "exec"), names)  # noqa: S102
        failed = {}
        for cell in cells:
            try:
                exec(compile(self.tests[cell], cell, "exec"), dict(names))  # noqa: S102 (the instructor's code)
            except Exception as error:  # noqa: BLE001 (a failed check, or the wrong answer's own error)
                failed[cell] = error
        return failed


class Assignment:
    """An assignment's source folder: its catalog, and its visible checks run on the solution or on a mistake."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.catalog = Catalog.of_folder(folder)
        notebook = source_notebook(folder)
        self.checks, self.solution = VisibleChecks(notebook), answers_of(notebook)

    def cells_of(self, part):
        return [cell for cell in self.checks.tests if self.catalog.part_of_cell(cell) == part]

    def failures(self, mistake=None, seed=0):
        """``{visible test cell: error}``: of every cell with the solution, of ``mistake``'s part's cells with it."""
        if mistake is None:
            return self.checks.failures(self.checks.tests, seed=seed)
        wrong = {mistake.answer_cell: mistake.answer(self.solution[mistake.answer_cell])}
        return self.checks.failures(self.cells_of(mistake.part), wrong, seed)


def seen_of(error):
    """What a failed check saw (None for an error no check caught, or a message holding an object's address)."""
    seen = getattr(error, "seen", None) if isinstance(error, CheckFailed) else None
    return None if seen is None or ADDRESS.search(seen) else seen


def hint_table(folder):
    """``{"says": {part: {name: says}}, "seen": {message: [part, name]}}`` of the assignment in ``folder``."""
    assignment = Assignment(folder)
    makers = {}
    with in_folder(folder):
        broken = assignment.failures()
        if broken:
            raise ValueError(f"{folder}: the solution fails the visible checks {sorted(broken)}: fix them first")
        for mistake in assignment.catalog:
            runs = [assignment.failures(mistake, seed) for seed in SEEDS]
            for cell, error in runs[0].items():
                seen = seen_of(error)
                if seen and all(seen_of(run.get(cell)) == seen for run in runs[1:]):
                    makers.setdefault(seen, set()).add((mistake.part, mistake.name))
    catalog = assignment.catalog
    return {"says": {part: {m.name: m.says for m in catalog.of_part(part)} for part in catalog.by_part},
            "seen": {seen: list(next(iter(made))) for seen, made in sorted(makers.items()) if len(made) == 1}}


def hints_text(folder):
    """The text of ``mistake_hints.json`` for the assignment in ``folder``."""
    return json.dumps(hint_table(folder), indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def write_hints(folder):
    """Write the assignment's ``mistake_hints.json`` (nothing when it has no catalog); return its path or None."""
    if Catalog.of_folder(folder) is None:
        return None
    path = Path(folder) / HINTS_FILE
    path.write_text(hints_text(folder), encoding="utf-8")
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*", help="default: every folder of source/")
    for name in parser.parse_args(argv).assignments or assignments():
        path = write_hints(SOURCE_DIR / name)
        if path:
            table = json.loads(path.read_text(encoding="utf-8"))
            print(f"source/{name}/{HINTS_FILE}: {len(table['seen'])} messages of the visible checks name a mistake")
    return 0


if __name__ == "__main__":
    sys.exit(main())
