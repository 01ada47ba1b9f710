"""The canary: no grade is recorded while the assignment's own solution does not score full marks here.

A course whose solution of ``triple`` is wrong stands for a broken environment (the solution then loses
points as every submission would): course-grade and plain nbgrader autograde both refuse, name the cell,
and leave the gradebook without scores. A passing check is cached per assignment and environment.
"""

import shutil
import time
from pathlib import Path

import nbformat
import pytest

from coursekit.grading.batch import canary
from coursekit.grading.batch import grade as batch
from coursekit.grading.batch.harness import TempCourse
from coursekit.grading.grader.scores import question_scores
from coursekit.submissions import answers_of, fill_answers

TOY_SOURCE = Path(__file__).parent / "fixtures" / "toy_course" / "source"


def toy_course(root, broken):
    """A toy course (its solution's triple returning 2 * x when ``broken``), one submission of the solution."""
    source = shutil.copytree(TOY_SOURCE, root / "given-source")
    path = source / "toy" / "toy.ipynb"
    if broken:
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            cell.source = cell.source.replace("return 3 * x", "return 2 * x")
        nbformat.write(notebook, path)
    course = TempCourse(root / "course", ["toy"], source_dir=source)
    solution = fill_answers(course.release_notebook("toy"), answers_of(course.source_notebook("toy")))
    course.submit("toy", "alice", solution)
    return course


def test_course_grade_refuses_and_names_the_cell(tmp_path, capsys):
    course = toy_course(tmp_path, broken=True)
    code = batch.main(["toy", "--course", str(course.root), "--workers", "1", "--no-progress"])
    message = capsys.readouterr().err
    assert code == 3
    assert "Grading of toy refused: the assignment's own solution scores 5 of 6" in message
    assert "test_triple: 0 of 1 (AssertionError: triple(2) should be 6)" in message
    assert question_scores(course.db_url, "toy", "alice") is None
    assert not (course.root / "reports" / "toy-grading.csv").exists()


def test_plain_nbgrader_autograde_records_no_grade(tmp_path, caplog):
    course = toy_course(tmp_path, broken=True)
    with pytest.raises(Exception, match="Please see"):
        course.autograde_serial("toy", "alice")
    assert "Grading of toy refused" in caplog.text
    scores = question_scores(course.db_url, "toy", "alice")
    assert scores is None or set(scores.values()) == {0.0}
    assert not list((course.root / "autograded").glob("alice/toy/*.ipynb"))


def test_a_pass_is_cached_per_assignment_and_environment(tmp_path):
    course = toy_course(tmp_path, broken=False)
    key = canary.environment_key(course.root, "toy")
    for path in canary.cache_files(course.root):  # this test measures the first check too
        cache = canary.read_cache(path)
        if key in cache:
            del cache[key]
            path.write_text(canary.json.dumps(cache))
    first, cached_first = canary.check(course.root, "toy")
    started = time.monotonic()
    again, cached_again = canary.check(course.root, "toy")
    assert (cached_first, cached_again) == (False, True)
    assert again < 0.5 and time.monotonic() - started < 0.5 < first
    (course.root / "source" / "toy" / "toy_checks.py").write_text("# changed\n", encoding="utf-8")
    assert canary.environment_key(course.root, "toy") != key
