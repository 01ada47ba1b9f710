"""Build student submissions from notebooks: read answers, fill answer cells."""

import re
from pathlib import Path

import nbformat

SOLUTION_REGION = re.compile(
    r"^[ \t]*### BEGIN SOLUTION[^\n]*\n(.*?)^[ \t]*### END SOLUTION[^\n]*\n?", re.DOTALL | re.MULTILINE
)


def load_notebook(path):
    return nbformat.read(str(path), as_version=4)


def nbgrader_meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell):
    return nbgrader_meta(cell).get("grade_id")


def is_answer_cell(cell):
    return cell.cell_type == "code" and nbgrader_meta(cell).get("solution", False)


def is_test_cell(cell):
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and meta.get("grade", False) and not meta.get("solution", False)


def error_cells(notebook):
    """``{cell: "ename: evalue"}`` of the code cells holding an error output (named by grade_id, else position)."""
    errors = {}
    for index, cell in enumerate(notebook.cells):
        found = [f"{o.ename}: {o.evalue}" for o in cell.get("outputs", []) if o.output_type == "error"]
        if cell.cell_type == "code" and found:
            errors[grade_id(cell) or f"cell {index + 1}"] = "; ".join(found)
    return errors


def printed_text(notebook):
    """``{grade_id: what the cell printed}`` of the code cells with a grade_id."""
    return {grade_id(cell): "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")
            for cell in notebook.cells if cell.cell_type == "code" and grade_id(cell)}


def strip_solution_markers(source):
    """The code as a student would write it: the source with the solution markers removed."""
    return SOLUTION_REGION.sub(lambda m: m.group(1), source)


def edited(code, edits):
    """``code`` with each ``(old, new)`` of ``edits`` replaced: a wrong variant written as edits of the solution."""
    for old, new in edits:
        if old not in code:
            raise ValueError(f"the solution no longer contains {old!r}: update the wrong variant")
        code = code.replace(old, new)
    return code


def answers_of(notebook):
    """``{grade_id: code}`` of every answer cell, solution markers removed."""
    return {grade_id(c): strip_solution_markers(c.source) for c in notebook.cells if is_answer_cell(c)}


def fill_answers(notebook, answers):
    """A copy of ``notebook`` whose answer cells named in ``answers`` hold the given code."""
    unknown = set(answers) - {grade_id(c) for c in notebook.cells if is_answer_cell(c)}
    if unknown:
        raise KeyError(f"no answer cell with grade_id {sorted(unknown)}")
    filled = nbformat.from_dict(notebook)
    for cell in filled.cells:
        if is_answer_cell(cell) and grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return filled


HIDDEN_REGION = re.compile(
    r"^[ \t]*### BEGIN HIDDEN TESTS[^\n]*\n(.*?)^[ \t]*### END HIDDEN TESTS", re.DOTALL | re.MULTILINE
)


def secret_test_lines(source_notebook, release_folder, min_length=13):
    """The lines of ``source_notebook``'s hidden tests (stripped, at least ``min_length`` characters) that a
    student cannot see anyway: found, whole or as part of a line, in no cell of the released notebook of the same
    name and in no released ``.py`` file of ``release_folder`` (a visible check's traceback may quote those), nor in
    a read-only setup cell of the source (nbgrader puts its source back at grading: feedback shows it, with course
    imports not yet renamed for the release). Shown to a student, one is a leak."""
    release_folder = Path(release_folder)
    public = {line.strip() for path in release_folder.glob("*.py") for line in path.read_text().splitlines()}
    released = load_notebook(release_folder / Path(source_notebook).name)
    public |= {line.strip() for cell in released.cells for line in cell.source.splitlines()}
    source = load_notebook(source_notebook)
    public |= {line.strip() for cell in source.cells if cell.metadata.get("nbgrader", {}).get("locked")
               and not is_test_cell(cell) for line in cell.source.splitlines()}
    hidden = {line.strip() for cell in source.cells if is_test_cell(cell)
              for region in HIDDEN_REGION.findall(cell.source) for line in region.splitlines()}
    public_text = "\n".join(public)
    return {line for line in hidden if len(line) >= min_length and line not in public_text}
