"""What the assignment tests' graded classes say about named mistakes (tests/test_a*.py use it)."""

import json

import nbformat

from coursekit.checks import HINTS_FILE
from coursekit.paths import SOURCE_DIR
from coursekit.reports import diagnoses_of
from coursekit.submissions import answers_of, grade_id, is_answer_cell


def mistakes_made(course, assignment, catalog, student):
    """``{(part, mistake)}`` of the catalog whose wrong answer cell the student handed in, word for word."""
    solution = answers_of(course.source_notebook(assignment))
    (path,) = (course.root / "submitted" / student / assignment).glob("*.ipynb")
    handed_in = {grade_id(cell): cell.source for cell in nbformat.read(path, as_version=4).cells
                 if is_answer_cell(cell)}
    return {(m.part, m.name) for m in catalog if handed_in.get(m.answer_cell) == m.answer(solution[m.answer_cell])}


def naming(course, assignment, catalog, students):
    """``(right, wrong)``: sets of ``(student, cell, part, mistake)`` whose failed hidden test names a catalogued
    mistake; right when the student handed in that mistake. Every named mistake must be in the cell's feedback
    message, in the catalog's words."""
    right, wrong = set(), set()
    for student in students:
        made = mistakes_made(course, assignment, catalog, student)
        failed = course.failed_tests(assignment, student)
        for cell, (part, name) in diagnoses_of(course.root / "autograded" / student / assignment, catalog).items():
            if name is None:
                continue
            assert catalog.get(part, name).says in failed.get(cell, ""), (student, cell)  # named, or the hint says it
            (right if (part, name) in made else wrong).add((student, cell, part, name))
    return right, wrong


def assert_sentence_heard(failed, part, says, visible_cell, hidden_cells, named_hidden=True):
    """A student with a catalogued mistake hears its sentence as the visible check's hint (``failed``: a
    student's ``{cell: error text}``) and, in the catalog's words too, from the hidden test that names it
    (``named_hidden``: one of ``hidden_cells`` must, named or as the hint it repeats, never both); no hidden
    cell of the part names another sentence."""
    assert failed[visible_cell].startswith("CheckFailed: "), (part, failed.get(visible_cell))
    assert failed[visible_cell].endswith(f"\nHint: {says}"), (part, failed[visible_cell])
    hidden = [failed.get(cell, "") for cell in hidden_cells]
    named = [text.split("matches a known mistake: ", 1)[1] for text in hidden if "matches a known mistake: " in text]
    assert all(sentence.startswith(says) for sentence in named), (part, named)
    assert any(says in text for text in hidden) or not named_hidden, (part, hidden)
    assert all(text.count(says) <= 1 for text in hidden), (part, hidden)  # never the hint and the name both


def recognised_by_checks(assignment):
    """``[(part, name)]`` of the catalogued mistakes the visible checks recognise (source/<a>/mistake_hints.json)."""
    path = SOURCE_DIR / assignment / HINTS_FILE
    table = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"seen": {}}
    return sorted({tuple(made) for made in table["seen"].values()})


def hidden_cells_of(catalog, part):
    """The hidden test cells that judge ``part``."""
    return [f"hidden_{part}", *(cell for cell, judged in catalog.cells.items() if judged == part)]
