"""At grading the cells tagged ``skip-execution`` do not run: no other cell may read a name only they define.

(That the autograded solution of each assignment shows no error in any cell is tested in each test_a*.py,
on the solution its graded fixture already holds.)
"""

import ast

import pytest

from coursekit.grading.remote import free_names
from coursekit.paths import SOURCE_DIR, assignments
from coursekit.submissions import grade_id, load_notebook

SKIPPED = "skip-execution"


def names_bound(source):
    """Names a cell binds: assignments, definitions, imports, loop and with targets."""
    bound = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
    return bound


def names_read_from_skipped_cells(notebook):
    """``{cell: names}``: names an executed cell reads that, before it, only skipped cells define."""
    defined, only_skipped, found = set(), set(), {}
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        skipped = SKIPPED in cell.metadata.get("tags", [])
        if not skipped:
            read = set(free_names(cell.source)) & only_skipped
            if read:
                found[grade_id(cell) or f"cell {index + 1}"] = sorted(read)
        bound = names_bound(cell.source)
        if skipped:
            only_skipped |= bound - defined
        else:
            defined |= bound
            only_skipped -= bound
    return found


@pytest.mark.parametrize("assignment", assignments())
def test_no_executed_cell_reads_a_name_only_a_skipped_cell_defines(assignment):
    (path,) = (SOURCE_DIR / assignment).glob("*.ipynb")
    assert names_read_from_skipped_cells(load_notebook(path)) == {}


def test_the_check_finds_a_name_only_a_skipped_cell_defines():
    notebook = load_notebook(next((SOURCE_DIR / "a3_gradient_descent").glob("*.ipynb")))
    skipped = next(cell for cell in notebook.cells if SKIPPED in cell.metadata.get("tags", []))
    later = next(cell for cell in notebook.cells[notebook.cells.index(skipped) + 1:]
                 if cell.cell_type == "code" and SKIPPED not in cell.metadata.get("tags", []))
    skipped.source += "\nonly_here = 1"
    later.source += "\nprint(only_here)"
    assert names_read_from_skipped_cells(notebook) == {grade_id(later): ["only_here"]}
