"""Merging a worker's private gradebook into the course gradebook (SQLite here; test_postgres.py for a server).

Worker results are made with nbgrader's Gradebook API on the worker's copy, as autograde
writes them, so these tests run no kernel.
"""

import json
import os
import sqlite3
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from sqlalchemy import event

from coursekit.grading.batch import gradebook_copy, merge, results
from coursekit.grading.batch.guard import GradebookGuard
from coursekit.grading.batch.harness import TempCourse

TOY_SOURCE = Path(__file__).parent / "fixtures" / "toy_course" / "source"
PER_STUDENT_TABLES = ("student", "submitted_assignment", "submitted_notebook", "grade", "comment")


def worker_result(layout, template, engine, student, folder, score):
    """A worker's gradebook after autograde gave ``score`` on every test cell; its rows."""
    path = gradebook_copy.worker_gradebook(layout, template, engine, student, folder / f"{student}.db")
    if path == template:
        path = folder / f"{student}.db"
        path.write_bytes(template.read_bytes())
    with Gradebook(f"sqlite:///{path}") as gb:
        gb.update_or_create_student(student)
        submission = gb.update_or_create_submission("toy", student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score, grade.needs_manual_grade = score, False
        gb.db.commit()
    return merge.read_submission(layout, path, student)


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory):
    """The toy course's gradebook with 30 students merged, full marks each."""
    root = tmp_path_factory.mktemp("merge")
    course = TempCourse(root / "course", ["toy"], source_dir=TOY_SOURCE)
    engine = merge.course_engine(course.db_url)
    layout = gradebook_copy.AssignmentLayout.read(engine, "toy")
    template = root / "template.db"
    layout.write_template(template)
    for i in range(30):
        student = f"s{i:02d}"
        merge.merge_submission(engine, layout, worker_result(layout, template, engine, student, root, 100), student)
    return course, engine, layout, template, root


def rows_of(db_url, student, other=False):
    condition = "<>" if other else "="
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as con:
        return {table: sorted(con.execute(f"SELECT t.* FROM {table} t JOIN {join} WHERE sa.student_id {condition} ?",
                                          (student,)).fetchall())
                for table, join in {
                    "grade": "submitted_notebook n ON n.id = t.notebook_id JOIN submitted_assignment sa "
                             "ON sa.id = n.assignment_id",
                    "comment": "submitted_notebook n ON n.id = t.notebook_id JOIN submitted_assignment sa "
                               "ON sa.id = n.assignment_id",
                    "submitted_notebook": "submitted_assignment sa ON sa.id = t.assignment_id"}.items()}


def test_merged_scores_are_clamped_to_each_cells_points(gradebook):
    course, _, layout, _, _ = gradebook
    points = layout.max_scores()
    maxima = {key.split("/")[-1]: points[cell] for cell, key in layout.grade_keys().items()}
    with Gradebook(course.db_url) as gb:
        submission = gb.find_submission("toy", "s00")
        assert {g.name: g.score for nb in submission.notebooks for g in nb.grades} == maxima
        assert len(gb.students) == 30


def test_scores_from_the_workers_memory_override_its_gradebook(gradebook):
    _, engine, layout, template, root = gradebook
    new = worker_result(layout, template, engine, "s01", root, 100)
    keys = layout.grade_keys()
    assert not set(keys) & layout.solution_cell_ids()  # every graded cell of the toy is a test cell
    first = next(iter(keys.values()))
    scores = merge.merge_submission(engine, layout, new, "s01", auto_scores={first: 0.5})
    assert scores == {key.split("/")[-1]: (0.5 if key == first else 0) for key in keys.values()}


def test_regrading_keeps_manual_work_and_leaves_other_students_alone(gradebook):
    course, engine, layout, template, root = gradebook
    with Gradebook(course.db_url) as gb:
        grade = gb.find_grade("test_double", "toy", "toy", "s02")
        grade.manual_score, grade.extra_credit = 1.5, 0.25
        gb.find_comment("answer_double", "toy", "toy", "s02").manual_comment = "Good."
        gb.update_or_create_student("s02", first_name="Ada", email="ada@example.org")
        gb.db.commit()
    others = rows_of(course.db_url, "s02", other=True)
    scores = merge.merge_submission(engine, layout, worker_result(layout, template, engine, "s02", root, 0), "s02")
    assert scores["test_double"] == 1.75 and sum(scores.values()) == 1.75
    with Gradebook(course.db_url) as gb:
        assert gb.find_comment("answer_double", "toy", "toy", "s02").manual_comment == "Good."
        assert gb.find_student("s02").email == "ada@example.org"
        assert gb.find_grade("test_double", "toy", "toy", "s02").auto_score == 0
    assert rows_of(course.db_url, "s02", other=True) == others


def test_a_regrade_reuses_the_earlier_submission_rows(gradebook):
    course, engine, layout, template, root = gradebook
    before = rows_of(course.db_url, "s03")
    new = worker_result(layout, template, engine, "s03", root, 100)
    merge.merge_submission(engine, layout, new, "s03")
    after = rows_of(course.db_url, "s03")
    assert [row[0] for row in after["grade"]] == [row[0] for row in before["grade"]]  # same ids: an update


def test_copying_and_merging_one_student_use_indexes_only(gradebook):
    """No full scan of a table that grows with the class: each query finds its rows through an index."""
    course, engine, layout, template, root = gradebook
    statements = []

    def remember(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        new = worker_result(layout, template, engine, "s04", root, 100)
        merge.merge_submission(engine, layout, new, "s04")
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    plans = []
    with sqlite3.connect(course.db_url.removeprefix("sqlite:///")) as con:
        for statement, parameters in statements:
            if statement.lstrip().upper().startswith(("SELECT", "DELETE", "UPDATE")):
                plans += [row[-1] for row in con.execute("EXPLAIN QUERY PLAN " + statement, parameters or ())]
    assert any("grade" in plan for plan in plans)  # the capture saw the merge's queries
    scans = [plan for plan in plans if plan.startswith("SCAN") and plan.split()[1] in PER_STUDENT_TABLES]
    assert scans == []


def test_guard_puts_back_a_gradebook_written_by_anyone_else(gradebook, tmp_path):
    course, engine, layout, template, root = gradebook
    db = Path(course.db_url.removeprefix("sqlite:///"))
    guard = GradebookGuard(db, tmp_path / "shadow.db")
    new = worker_result(layout, template, engine, "s05", root, 0)

    def write(target):
        return merge.merge_submission(target, layout, new, "s05")

    write(engine)
    guard.remember(write)
    assert not guard.restore_if_changed()
    expected = rows_of(course.db_url, "s05"), rows_of(course.db_url, "s05", other=True)
    with sqlite3.connect(db) as con:  # a classmate's code raising its own score through SQLite
        con.execute("UPDATE grade SET manual_score = 99")
    assert guard.restore_if_changed()
    assert (rows_of(course.db_url, "s05"), rows_of(course.db_url, "s05", other=True)) == expected
    db.write_bytes(b"gone")
    db.with_name(db.name + "-journal").write_bytes(b"a hot journal to replay")
    assert guard.restore_if_changed()
    assert not db.with_name(db.name + "-journal").exists()
    assert (rows_of(course.db_url, "s05"), rows_of(course.db_url, "s05", other=True)) == expected
    assert not guard.restore_if_changed()


def test_scores_from_a_worker_are_clamped_and_must_be_numbers(gradebook):
    """A forged result (too many points, negative, NaN, not a number) never scores above the cell's points."""
    _, engine, layout, template, root = gradebook
    new = worker_result(layout, template, engine, "s03", root, 100)
    keys = list(layout.grade_keys().values())
    maxima = {key.split("/")[-1]: layout.max_scores()[cell] for cell, key in layout.grade_keys().items()}
    forged = dict(zip(keys, [100.0, -5.0, float("nan"), "lots"]))
    scores = merge.merge_submission(engine, layout, new, "s03", auto_scores=forged)
    assert scores == {keys[0].split("/")[-1]: maxima[keys[0].split("/")[-1]], **{k.split("/")[-1]: 0 for k in keys[1:]}}


def pipe_with(data):
    reader, writer = os.pipe()
    os.write(writer, data)
    os.close(writer)
    return reader


def test_a_workers_result_is_json_checked_field_by_field(monkeypatch):
    """No pickle: garbage, a pickle, an oversized message give nothing; wrong types are dropped or zeroed."""
    assert results.receive(pipe_with(b"\x80\x04\x95 not json")) is None
    assert results.receive(pipe_with(b"")) is None
    monkeypatch.setattr(results, "MAX_BYTES", 100)
    assert results.receive(pipe_with(b'{"ok": true, "reason": "' + b"x" * 200 + b'"}')) is None
    monkeypatch.undo()
    forged = {"ok": "yes", "reason": ["x"] * 3, "seconds": "NaN", "scores": {"toy/test_double": float("inf"),
                                                                             "toy/test_triple": "2", "toy/x": 1.5}}
    got = results.receive(pipe_with(json.dumps(forged).encode()))
    assert got["ok"] is False and got["reason"] == "['x', 'x', 'x']" and got["seconds"] == 0.0
    assert got["scores"] == {"toy/test_double": 0.0, "toy/test_triple": 0.0, "toy/x": 1.5}
