"""Copy one autograded submission from a worker's private gradebook into the course gradebook.

The course gradebook may be any database nbgrader supports (SQLite, PostgreSQL, ...): the merge
goes through SQLAlchemy, in one transaction, and reads, deletes and writes only this student's
rows of this assignment, each found through one of nbgrader's unique indexes, so its cost does
not grow with the class. Manual scores, extra credit and manual comments always come from the
course gradebook, never from the worker's copy.
"""

import math

from sqlalchemy import event

from coursekit.grading.batch.gradebook_copy import TABLES, insert_rows, open_engine

SUBMISSION_TABLES = ("comment", "grade", "submitted_notebook", "submitted_assignment")  # children first


def course_engine(db_url):
    """The course gradebook's engine; on SQLite, each transaction takes the write lock at its start."""
    engine = open_engine(db_url)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _manual_transactions(dbapi_connection, _record):
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin_immediate(connection):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    return engine


def grade_score(grade):
    """nbgrader's ``Grade.score``: the manual score if any, else the auto score, plus extra credit."""
    base = grade["manual_score"] if grade["manual_score"] is not None else grade["auto_score"]
    if base is None:
        return 0.0
    return float(base + (grade["extra_credit"] or 0.0))


def read_submission(layout, worker_db, student):
    """The student's rows in a worker's gradebook (None when the worker recorded no submission)."""
    engine = open_engine(f"sqlite:///{worker_db}")
    try:
        with engine.connect() as con:
            found = layout.student_rows(con, student)
    finally:
        engine.dispose()
    return found if found["submitted_assignment"] else None


def clamp(score, points):
    """``score`` as a number between 0 and the cell's ``points`` (anything else, NaN included, is 0)."""
    try:
        score = float(score)
    except (TypeError, ValueError):
        return 0.0
    if not math.isfinite(score) or score < 0:
        return 0.0
    return score if points is None else min(score, float(points))


def merge_submission(engine, layout, new, student, auto_scores=None):
    """Replace ``student``'s submission in the course gradebook by ``new`` (rows from ``read_submission``).

    ``auto_scores`` (``{"notebook/grade_id": score}``, from the worker's memory) overrides the
    copy's autograded test-cell scores; a test cell missing from it scores 0.
    Returns ``{grade_id: score}`` of the merged submission, as nbgrader computes ``Grade.score``.
    """
    keys, maxima = layout.grade_keys(), layout.max_scores()
    autograded = set(keys) - layout.solution_cell_ids()
    with engine.begin() as con:
        old = layout.student_rows(con, student)
        kept = {grade["cell_id"]: grade for grade in old["grade"]}
        kept_comments = {comment["cell_id"]: comment["manual_comment"] for comment in old["comment"]}
        for table in SUBMISSION_TABLES:
            ids = [row["id"] for row in old[table]]
            if ids:
                con.execute(TABLES[table].delete().where(TABLES[table].c.id.in_(ids)))
        rows = {table: [dict(row) for row in new[table]] for table in SUBMISSION_TABLES}
        rows["student"] = [] if old["student"] else new["student"]
        for grade in rows["grade"]:
            cell = grade["cell_id"]
            grade["manual_score"] = kept.get(cell, {}).get("manual_score")
            grade["extra_credit"] = kept.get(cell, {}).get("extra_credit")
            if auto_scores is not None and cell in autograded:
                grade["auto_score"] = auto_scores.get(keys[cell], 0)
                grade["needs_manual_grade"] = False
            if grade["auto_score"] is not None:
                grade["auto_score"] = clamp(grade["auto_score"], maxima.get(cell))
        for comment in rows["comment"]:
            comment["manual_comment"] = kept_comments.get(comment["cell_id"])
        insert_rows(con, rows)
    names = layout.cell_names()
    return {names[grade["cell_id"]]: grade_score(grade) for grade in rows["grade"]}

