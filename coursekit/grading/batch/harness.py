"""A throw-away course folder for tests and benchmarks: release, submit, autograde, read scores."""

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.converters import Autograde

from coursekit.grading.batch import course
from coursekit.grading.batch.grade import BatchGrader
from coursekit.grading.grader.scores import max_scores
from coursekit.paths import SOURCE_DIR
from coursekit.submissions import answers_of, fill_answers, grade_id, is_test_cell


@dataclass
class GradeResult:
    """Scores of one autograde run: ``scores[student][grade_id]``, ``max_scores[grade_id]``."""

    scores: dict
    max_scores: dict
    failures: dict = field(default_factory=dict)
    statuses: dict = field(default_factory=dict)
    reasons: dict = field(default_factory=dict)

    def total(self, student):
        return sum(self.scores[student].values())

    def scores_of(self, student, cells):
        """``{grade_id: score}`` of the given cells in a student's grade."""
        return {cell: self.scores[student][cell] for cell in cells}

    def full_marks(self, cells):
        """``{grade_id: maximum score}`` of the given cells."""
        return {cell: self.max_scores[cell] for cell in cells}

    def part_scores(self, student, part):
        """A student's (visible test, hidden test) scores of one part: cells ``test_<part>``, ``hidden_<part>``."""
        scores = self.scores[student]
        return scores[f"test_{part}"], scores[f"hidden_{part}"]


class TempCourse:
    """A course folder under ``root`` holding copies of the given assignments' sources."""

    def __init__(self, root, assignments, source_dir=SOURCE_DIR, cell_timeout=None):
        self.root = Path(root)
        if cell_timeout:
            self.root.mkdir(parents=True, exist_ok=True)
            (self.root / "nbgrader_config.py").write_text(f"get_config().Execute.timeout = {cell_timeout}\n")
        self.config = course.course_config(self.root)
        for assignment in assignments:
            shutil.copytree(source_dir / assignment, self.root / "source" / assignment,
                            ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
            course.generate_assignment(self.config, assignment)

    @property
    def db_url(self):
        return self.config.CourseDirectory.db_url

    def notebook_path(self, folder, assignment):
        (path,) = (self.root / folder / assignment).glob("*.ipynb")
        return path

    def source_notebook(self, assignment):
        return nbformat.read(self.notebook_path("source", assignment), as_version=4)

    def release_notebook(self, assignment):
        return nbformat.read(self.notebook_path("release", assignment), as_version=4)

    def submit(self, assignment, student, notebook):
        """Place a student's notebook (and the release's other files) under submitted/."""
        folder = self.root / "submitted" / student / assignment
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(self.root / "release" / assignment, folder)
        name = self.notebook_path("release", assignment).name
        nbformat.write(notebook, folder / name)
        return folder

    def autograde(self, assignment, submissions, workers=2, time_limit=600):
        """Submit ``{student: notebook}`` and batch-autograde them; scores per student and question."""
        for student, notebook in submissions.items():
            self.submit(assignment, student, notebook)
        return self.grade(assignment, list(submissions), workers, time_limit)

    def autograde_answers(self, assignment, answers_by_student):
        """Autograde, in one batch, the release filled with the solution and each student's answers over it.

        ``answers_by_student`` is ``{student: {answer grade_id: code}}``; a student with ``{}`` hands in the
        solution. The release as handed out is graded too, as student ``untouched_release``.
        """
        release = self.release_notebook(assignment)
        solution = answers_of(self.source_notebook(assignment))
        notebooks = {student: fill_answers(release, {**solution, **answers})
                     for student, answers in answers_by_student.items()}
        return self.autograde(assignment, {"untouched_release": release, **notebooks})

    def failed_tests(self, assignment, student):
        """``{grade_id: "ename: evalue"}`` of the test cells that raised in a student's autograded notebook."""
        notebook = nbformat.read(self.notebook_path(Path("autograded", student), assignment), as_version=4)
        errors = {grade_id(cell): [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]
                  for cell in notebook.cells if is_test_cell(cell)}
        return {cell: "\n".join(lines) for cell, lines in errors.items() if lines}

    def grade(self, assignment, students, workers=2, time_limit=600):
        """Batch-autograde submissions already under submitted/."""
        grader = BatchGrader(self.root, assignment, workers=workers, time_limit=time_limit, progress=False)
        outcomes = grader.grade(students)
        return GradeResult({o.student: o.scores for o in outcomes}, max_scores(self.db_url, assignment),
                           {o.student: o.reason for o in outcomes if o.status != "graded"},
                           {o.student: o.status for o in outcomes}, {o.student: o.reason for o in outcomes})

    def autograde_serial(self, assignment, students="*"):
        """nbgrader's own autograde, one process, for comparison with the batch grader."""
        course.run_converter(Autograde, self.config, assignment, students, force=True, create_student=True)
