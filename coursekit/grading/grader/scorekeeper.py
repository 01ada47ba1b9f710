"""Scores as nbgrader determined them in memory, kept away from files student code could reach.

The worker hands these to the parent through a pipe, and the parent writes them over whatever
the worker's gradebook copy says, so code that outlived its kernel cannot raise a score there.
"""

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

RECORDED = {}


class RecordAutoScores(NbGraderPreprocessor):
    """Remember ``{notebook: {grade_id: auto score}}`` of each autograded notebook in this process."""

    def preprocess(self, nb, resources):
        RECORDED[resources["nbgrader"]["notebook"]] = {
            cell.metadata.nbgrader["grade_id"]: utils.determine_grade(cell, self.log)[0]
            for cell in nb.cells if utils.is_grade(cell) and not utils.is_solution(cell)}
        return nb, resources
