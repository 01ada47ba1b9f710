"""Make a submission's nbgrader cell metadata say what the gradebook says, before nbgrader reads it.

Students can edit cell metadata: flip a test into an answer, rename or duplicate a grade id,
or invent a test cell worth 50 points. nbgrader 0.9.6 trusts some of that and crashes on the
rest (``add_missing_cells`` raises KeyError on a cell without a grade id). Here every cell
whose grade id the gradebook knows gets the gradebook's flags and points back; any other
nbgrader metadata (unknown or repeated ids) is dropped, so the cell is an ordinary student
cell. nbgrader's OverwriteCells then restores sources and adds back deleted tests.
"""

from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor


def gradebook_cells(nbgrader_resources):
    """``{grade_id: nbgrader metadata}`` as generate_assignment recorded it."""
    with Gradebook(nbgrader_resources["db_url"]) as gb:
        notebook = gb.find_notebook(nbgrader_resources["notebook"], nbgrader_resources["assignment"])
        points = {cell.name: float(cell.max_score) for cell in notebook.grade_cells}
        solutions = {cell.name for cell in notebook.solution_cells}
        tasks = {cell.name for cell in notebook.task_cells}
        return {cell.name: {"grade": cell.name in points, "solution": cell.name in solutions,
                            "task": cell.name in tasks, "locked": bool(cell.locked), "grade_id": cell.name,
                            "schema_version": 3, **({"points": points[cell.name]} if cell.name in points else {})}
                for cell in notebook.source_cells}


class NormalizeGradedCells(NbGraderPreprocessor):
    """Restore known cells' nbgrader flags from the gradebook; strip unknown or repeated ones."""

    def preprocess(self, nb, resources):
        known = gradebook_cells(resources["nbgrader"])
        seen = set()
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader")
            if meta is None:
                continue
            grade_id = meta.get("grade_id")
            if grade_id in known and grade_id not in seen:
                seen.add(grade_id)
                cell.metadata.nbgrader = {**known[grade_id], **({"checksum": meta["checksum"]}
                                                                if "checksum" in meta else {})}
            else:
                self.log.warning("Dropping nbgrader metadata of a cell with unknown or repeated id %r", grade_id)
                del cell.metadata["nbgrader"]
        return nb, resources
