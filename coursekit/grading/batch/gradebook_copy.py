"""Private SQLite gradebooks for the workers, copied from any gradebook nbgrader supports.

A worker's gradebook holds only what autograding one submission reads: the assignment's
definition (course, assignment, notebooks, cells) and that student's own rows (the student
and an earlier submission of this assignment with its notebooks, grades and comments). Every
query names the columns of one of nbgrader's unique indexes, so copying one student costs
the same in a class of 10 as in a class of 10,000.
"""

import shutil
from dataclasses import dataclass

from nbgrader.api import Base, Gradebook
from sqlalchemy import MetaData, Table, create_engine, select
from sqlalchemy.pool import NullPool

TABLES = Base.metadata.tables
CELL_TABLES = ("grade_cells", "solution_cells", "task_cells")


def open_engine(db_url):
    """An engine that holds no connection between uses (safe across the batch's forks)."""
    if db_url.startswith("sqlite"):
        return create_engine(db_url, poolclass=NullPool, connect_args={"timeout": 120})
    return create_engine(db_url, poolclass=NullPool)


def rows(connection, table, *conditions):
    """Every row of ``table`` matching ``conditions``, as dicts."""
    return [dict(row._mapping) for row in connection.execute(select(TABLES[table]).where(*conditions))]


@dataclass
class AssignmentLayout:
    """The rows defining one assignment, read once per batch from the course gradebook."""

    assignment: dict
    definition: dict  # table name -> rows
    alembic_version: str

    @classmethod
    def read(cls, engine, assignment_name):
        with engine.connect() as con:
            (assignment,) = rows(con, "assignment", TABLES["assignment"].c.name == assignment_name)
            definition = {"course": rows(con, "course", TABLES["course"].c.id == assignment["course_id"]),
                          "assignment": [assignment],
                          "notebook": rows(con, "notebook", TABLES["notebook"].c.assignment_id == assignment["id"])}
            notebook_ids = [nb["id"] for nb in definition["notebook"]]
            definition["base_cell"] = rows(con, "base_cell", TABLES["base_cell"].c.notebook_id.in_(notebook_ids))
            cell_ids = [cell["id"] for cell in definition["base_cell"]]
            for table in CELL_TABLES:
                definition[table] = rows(con, table, TABLES[table].c.id.in_(cell_ids))
            definition["source_cell"] = rows(con, "source_cell", TABLES["source_cell"].c.notebook_id.in_(notebook_ids))
            version = Table("alembic_version", MetaData(), autoload_with=con)
            alembic_version = con.execute(select(version.c.version_num)).scalar_one()
        return cls(assignment, definition, alembic_version)

    @property
    def notebook_ids(self):
        return [nb["id"] for nb in self.definition["notebook"]]

    @property
    def cell_ids(self):
        return [cell["id"] for cell in self.definition["base_cell"]]

    def grade_keys(self):
        """``{cell id: "notebook/grade_id"}`` of every graded cell."""
        notebooks = {nb["id"]: nb["name"] for nb in self.definition["notebook"]}
        graded = {cell["id"] for cell in self.definition["grade_cells"]}
        return {cell["id"]: f"{notebooks[cell['notebook_id']]}/{cell['name']}"
                for cell in self.definition["base_cell"] if cell["id"] in graded}

    def max_scores(self):
        """``{cell id: points}`` of every graded cell."""
        return {cell["id"]: cell["max_score"] for cell in self.definition["grade_cells"]}

    def solution_cell_ids(self):
        return {cell["id"] for cell in self.definition["solution_cells"]}

    def cell_names(self):
        return {cell["id"]: cell["name"] for cell in self.definition["base_cell"]}

    def student_rows(self, connection, student):
        """The student's row and their submission of this assignment (notebooks, grades, comments)."""
        found = {"student": rows(connection, "student", TABLES["student"].c.id == student)}
        sa = TABLES["submitted_assignment"].c
        found["submitted_assignment"] = rows(connection, "submitted_assignment",
                                             sa.assignment_id == self.assignment["id"], sa.student_id == student)
        submission_ids = [row["id"] for row in found["submitted_assignment"]]
        sn = TABLES["submitted_notebook"].c
        found["submitted_notebook"] = rows(connection, "submitted_notebook", sn.notebook_id.in_(self.notebook_ids),
                                           sn.assignment_id.in_(submission_ids)) if submission_ids else []
        notebook_ids = [row["id"] for row in found["submitted_notebook"]]
        for table in ("grade", "comment"):
            c = TABLES[table].c
            found[table] = rows(connection, table, c.cell_id.in_(self.cell_ids),
                                c.notebook_id.in_(notebook_ids)) if notebook_ids else []
        return found

    def write_template(self, path):
        """A new SQLite gradebook at ``path`` holding only this assignment's definition."""
        engine = open_engine(f"sqlite:///{path}")
        Base.metadata.create_all(engine)
        with engine.begin() as con:
            con.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
            con.exec_driver_sql("INSERT INTO alembic_version (version_num) VALUES (?)", (self.alembic_version,))
            insert_rows(con, self.definition)
        engine.dispose()


def insert_rows(connection, found):
    """Insert ``{table: rows}`` in nbgrader's foreign-key order."""
    for table in Base.metadata.sorted_tables:
        if found.get(table.name):
            connection.execute(table.insert(), found[table.name])


def worker_gradebook(layout, template, course_engine, student, path):
    """``path``: the template plus ``student``'s own rows from the course gradebook.

    Returns ``template`` itself when the course gradebook has nothing of this student yet.
    """
    with course_engine.connect() as con:
        found = layout.student_rows(con, student)
    if not any(found.values()):
        return template
    shutil.copyfile(template, path)
    engine = open_engine(f"sqlite:///{path}")
    with engine.begin() as con:
        insert_rows(con, found)
    engine.dispose()
    return path


def zero_gradebook(template, path, assignment, student):
    """``path``: a copy of ``template`` where ``student``'s submission scores zero on every cell
    with nothing left to grade by hand (a submission whose grading never finished)."""
    shutil.copyfile(template, path)
    with Gradebook(f"sqlite:///{path}") as gb:
        gb.update_or_create_student(student)
        submission = gb.update_or_create_submission(assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score = 0
                grade.needs_manual_grade = False
        gb.db.commit()
    return path
