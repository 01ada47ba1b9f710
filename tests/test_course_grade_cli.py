"""What course-grade tells the instructor: the valid assignments, why a submission had a problem (in the
course's terms, never a scratch path), answer cells a student deleted, and a --student rerun merged into
the report rather than replacing it."""

import csv
import shutil
from pathlib import Path

import nbformat
import pytest

from coursekit.grading.batch import grade as batch
from coursekit.grading.batch.harness import TempCourse
from coursekit.submissions import answers_of, fill_answers, grade_id

TOY_SOURCE = Path(__file__).parent / "fixtures" / "toy_course" / "source"


def report_rows(course):
    with open(course.root / "reports" / "toy-grading.csv", newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Four submissions: the solution, a renamed notebook, a deleted answer cell, an empty folder."""
    course = TempCourse(tmp_path_factory.mktemp("cli"), ["toy"], source_dir=TOY_SOURCE)
    solution = fill_answers(course.release_notebook("toy"), answers_of(course.source_notebook("toy")))
    course.submit("toy", "alice", solution)
    renamed = course.submit("toy", "bob", solution)
    (renamed / "toy.ipynb").rename(renamed / "my_toy.ipynb")
    without_cell = nbformat.from_dict(solution)
    without_cell.cells = [cell for cell in without_cell.cells if grade_id(cell) != "answer_triple"]
    course.submit("toy", "carol", without_cell)
    empty = course.submit("toy", "dave", solution)
    (empty / "toy.ipynb").unlink()
    code = batch.main(["toy", "--course", str(course.root), "--workers", "2", "--no-progress"])
    return course, code, report_rows(course)


def test_problems_are_explained_in_the_courses_terms(graded):
    _, code, rows = graded
    assert code == 0
    assert rows["alice"]["reason"] == "" and rows["alice"]["status"] == "graded"
    assert rows["bob"]["reason"].startswith(
        "no notebook named toy.ipynb in submitted/bob/toy/ (it holds my_toy.ipynb): "
        "if the student renamed it, rename it back and grade again with --student bob")
    assert "(it holds no notebook)" in rows["dave"]["reason"]
    assert rows["carol"]["reason"].endswith("answer cells deleted by the student, graded as unanswered: answer_triple")
    assert not [row for row in rows.values() if "coursekit-" in row["reason"]]


def test_a_student_rerun_merges_into_the_report(graded, capsys):
    course, _, before = graded
    shutil.rmtree(course.root / "submitted" / "carol")
    solution = fill_answers(course.release_notebook("toy"), answers_of(course.source_notebook("toy")))
    course.submit("toy", "carol", solution)
    assert batch.main(["toy", "--course", str(course.root), "--student", "carol", "--no-progress"]) == 0
    after = report_rows(course)
    assert sorted(after) == ["alice", "bob", "carol", "dave"]
    assert {student: after[student] for student in ("alice", "bob", "dave")} == \
        {student: before[student] for student in ("alice", "bob", "dave")}
    assert after["carol"]["reason"] == "" and float(after["carol"]["score"]) == float(after["carol"]["max_score"])


def test_an_unknown_assignment_names_the_valid_ones(graded, capsys):
    course, _, _ = graded
    assert batch.main(["a9_missing", "--course", str(course.root), "--no-progress"]) == 1
    assert f"Unknown assignment 'a9_missing': the assignments of {course.root} are toy." in capsys.readouterr().err
