"""Copy one autograded submission from a worker's gradebook into the course gradebook.

Workers grade into private copies of the gradebook, so SQLite never sees two writers; the
parent merges each result in one transaction. IDs are nbgrader's UUIDs, identical in both
files for the assignment, notebooks and cells. Manual scores, extra credit and manual
comments always come from the course gradebook, never from the worker's copy.
"""

import sqlite3

SUBMISSION_IDS = """SELECT sa.id FROM {db}.submitted_assignment sa JOIN {db}.assignment a ON a.id = sa.assignment_id
                    WHERE a.name = ? AND sa.student_id = ?"""


def submission_ids(con, db, assignment, student):
    return [row[0] for row in con.execute(SUBMISSION_IDS.format(db=db), (assignment, student))]


def merge_submission(main_db, worker_db, assignment, student, auto_scores=None):
    """Replace ``student``'s submission of ``assignment`` in ``main_db`` by the one in ``worker_db``.

    ``auto_scores`` (``{"notebook/grade_id": score}``, from the worker's memory) overrides the
    copy's test-cell scores; a test cell missing from it scores 0.
    """
    con = sqlite3.connect(main_db, timeout=120, isolation_level=None)
    try:
        con.execute("ATTACH DATABASE ? AS w", (str(worker_db),))
        con.execute("BEGIN IMMEDIATE")
        old = submission_ids(con, "main", assignment, student)
        new = submission_ids(con, "w", assignment, student)
        marks = ",".join("?" * len(old))
        con.execute("CREATE TEMP TABLE kept_grade AS SELECT g.cell_id, g.manual_score, g.extra_credit "
                    "FROM main.grade g "
                    f"JOIN main.submitted_notebook n ON n.id = g.notebook_id WHERE n.assignment_id IN ({marks})", old)
        con.execute("CREATE TEMP TABLE kept_comment AS SELECT c.cell_id, c.manual_comment FROM main.comment c "
                    f"JOIN main.submitted_notebook n ON n.id = c.notebook_id WHERE n.assignment_id IN ({marks})", old)
        for table in ("grade", "comment"):
            con.execute(f"DELETE FROM main.{table} WHERE notebook_id IN (SELECT id FROM main.submitted_notebook "
                        f"WHERE assignment_id IN ({marks}))", old)
        con.execute(f"DELETE FROM main.submitted_notebook WHERE assignment_id IN ({marks})", old)
        con.execute(f"DELETE FROM main.submitted_assignment WHERE id IN ({marks})", old)
        con.execute("INSERT OR IGNORE INTO main.student SELECT * FROM w.student WHERE id = ?", (student,))
        marks = ",".join("?" * len(new))
        notebooks = f"(SELECT id FROM w.submitted_notebook WHERE assignment_id IN ({marks}))"
        con.execute(f"INSERT INTO main.submitted_assignment SELECT * FROM w.submitted_assignment WHERE id IN ({marks})",
                    new)
        con.execute(f"INSERT INTO main.submitted_notebook SELECT * FROM w.submitted_notebook "
                    f"WHERE assignment_id IN ({marks})", new)
        for table in ("grade", "comment"):
            con.execute(f"INSERT INTO main.{table} SELECT * FROM w.{table} WHERE notebook_id IN {notebooks}", new)
        merged = f"notebook_id IN (SELECT id FROM main.submitted_notebook WHERE assignment_id IN ({marks}))"
        con.execute(f"""UPDATE main.grade SET
            manual_score = (SELECT k.manual_score FROM kept_grade k WHERE k.cell_id = grade.cell_id),
            extra_credit = (SELECT k.extra_credit FROM kept_grade k WHERE k.cell_id = grade.cell_id),
            auto_score = MAX(0, MIN(auto_score,
                                    (SELECT max_score FROM main.grade_cells gc WHERE gc.id = grade.cell_id)))
            WHERE {merged}""", new)
        if auto_scores is not None:
            con.execute("CREATE TEMP TABLE trusted_score (key TEXT PRIMARY KEY, score REAL)")
            con.executemany("INSERT INTO trusted_score VALUES (?, ?)", auto_scores.items())
            con.execute(f"""UPDATE main.grade SET
                auto_score = COALESCE((SELECT t.score FROM trusted_score t JOIN main.base_cell c
                                       ON c.id = grade.cell_id JOIN main.notebook nb ON nb.id = c.notebook_id
                                       WHERE t.key = nb.name || '/' || c.name), 0),
                needs_manual_grade = 0
                WHERE {merged} AND cell_id NOT IN (SELECT id FROM main.solution_cells)""", new)
        con.execute(f"""UPDATE main.comment SET
            manual_comment = (SELECT k.manual_comment FROM kept_comment k WHERE k.cell_id = comment.cell_id)
            WHERE {merged}""", new)
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    finally:
        con.close()
