"""Per-question scores read from nbgrader's gradebook."""

from nbgrader.api import Gradebook, MissingEntry


def question_scores(db_url, assignment, student):
    """``{grade_id: score}`` of one submission, or None when it was never autograded."""
    with Gradebook(db_url) as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return None
        return {grade.name: float(grade.score) for nb in submission.notebooks for grade in nb.grades}


def max_scores(db_url, assignment):
    """``{grade_id: points}`` of every graded cell of an assignment."""
    with Gradebook(db_url) as gb:
        found = gb.find_assignment(assignment)
        return {cell.name: float(cell.max_score) for nb in found.notebooks for cell in nb.grade_cells}

