"""course-grade on a PostgreSQL gradebook (CourseDirectory.db_url), against a real server.

A private PostgreSQL cluster is made in a temporary folder for the session (Debian's
``postgresql`` package: CI installs it as root), listening only on a Unix socket there.
Without the server binaries or psycopg these tests skip and say why.
"""

import csv
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from coursekit.grading.batch import course as nbg
from coursekit.grading.batch import gradebook_copy, merge
from coursekit.grading.batch.harness import TempCourse
from coursekit.grading.grader.scores import question_scores
from coursekit.paths import COURSE_ROOT
from coursekit.submissions import answers_of, fill_answers

pytest.importorskip("psycopg", reason="psycopg is not installed (requirements-dev.txt)")
from nbgrader.api import Gradebook  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

TOY_SOURCE = Path(__file__).parent / "fixtures" / "toy_course" / "source"
PORT = 5439
VARIANTS = {
    "full": {},
    "wrong_double": {"answer_double": "def double(x):\n    return x + 2\n"},
    "alt_double": {"answer_double": "import numpy as np\ndef double(x):\n    return np.multiply(x, 2)\n"},
    "syntax_error": {"answer_double": "def double(x:\n    return 2 * x\n"},
}


def layout_names(layout):
    return [key.split("/")[-1] for key in layout.grade_keys().values()]


def server_bin():
    """The newest PostgreSQL server's bin folder of Debian's layout, or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


@pytest.fixture(scope="session")
def postgres():
    """``url(name)``: a new empty database on a private server, as an SQLAlchemy URL."""
    bindir = server_bin()
    if bindir is None:
        pytest.skip("no PostgreSQL server here (Debian: apt-get install postgresql; CI installs it as root)")
    folder = Path(tempfile.mkdtemp(prefix="coursekit-pg-"))
    as_owner = []
    if os.geteuid() == 0:  # the server refuses to run as root
        shutil.chown(folder, "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"

    def run(*args):
        subprocess.run([*as_owner, *args], check=True, capture_output=True)

    run(str(bindir / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
    run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "start", "-o",
        f"-k {folder} -p {PORT} -c listen_addresses='' -c fsync=off -c full_page_writes=off")
    admin = create_engine(f"postgresql://postgres@/postgres?host={folder}&port={PORT}", isolation_level="AUTOCOMMIT")

    def url(name):
        with admin.connect() as con:
            con.execute(text(f'CREATE DATABASE "{name}"'))
        return f"postgresql://postgres@/{name}?host={folder}&port={PORT}"

    try:
        yield url
    finally:
        admin.dispose()
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def course_on(root, db_url):
    """A toy course whose nbgrader_config.py points its gradebook at ``db_url``."""
    root.mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(
        f"c = get_config()\nload_subconfig({str(COURSE_ROOT / 'nbgrader_config.py')!r})\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        f"c.CourseDirectory.db_url = {db_url!r}\n"
        f"c.CleanRoomExecute.trusted_root = {str(root)!r}\n"
        "c.Execute.timeout = 30\n")
    return TempCourse(root, ["toy"], source_dir=TOY_SOURCE)


@pytest.fixture(scope="module")
def graded(postgres, tmp_path_factory):
    """The toy submissions graded by course-grade (2 workers, PostgreSQL) and by serial nbgrader (SQLite)."""
    root = tmp_path_factory.mktemp("pg")
    pg = course_on(root / "pg", postgres("toy_batch"))
    answers = answers_of(pg.source_notebook("toy"))
    release = pg.release_notebook("toy")
    submissions = {name: fill_answers(release, {**answers, **change}) for name, change in VARIANTS.items()}
    submissions["untouched"] = release
    result = pg.autograde("toy", submissions, workers=2, time_limit=240)
    serial = TempCourse(root / "serial", ["toy"], source_dir=TOY_SOURCE, cell_timeout=30)
    for student, notebook in submissions.items():
        serial.submit("toy", student, notebook)
    serial.autograde_serial("toy")
    return pg, serial, submissions, result


def test_course_grade_on_postgres_equals_serial_nbgrader_on_sqlite(graded):
    pg, serial, submissions, result = graded
    assert pg.db_url.startswith("postgresql://")
    assert set(result.statuses.values()) == {"graded"}, result.reasons
    expected = {s: question_scores(serial.db_url, "toy", s) for s in submissions}
    assert {s: question_scores(pg.db_url, "toy", s) for s in submissions} == expected
    assert result.scores == expected
    assert expected["full"] == result.max_scores and sum(expected["untouched"].values()) == 0
    assert expected["wrong_double"]["test_double"] == 0 and expected["alt_double"]["test_double"] == 2


def test_postgres_gradebook_holds_every_submission_and_cell(graded):
    pg, serial, submissions, result = graded
    query = text("SELECT sa.student_id, COUNT(DISTINCT g.id), COUNT(DISTINCT c.id) FROM submitted_assignment sa "
                 "JOIN submitted_notebook n ON n.assignment_id = sa.id "
                 "LEFT JOIN grade g ON g.notebook_id = n.id LEFT JOIN comment c ON c.notebook_id = n.id "
                 "GROUP BY sa.student_id")
    counts = {}
    for url in (pg.db_url, serial.db_url):
        engine = create_engine(url)
        with engine.connect() as con:
            counts[url] = {row[0]: tuple(row[1:]) for row in con.execute(query)}
        engine.dispose()
    assert counts[pg.db_url] == counts[serial.db_url]
    assert set(counts[pg.db_url]) == set(submissions)
    assert all(grades == len(result.max_scores) and comments > 0 for grades, comments in counts[pg.db_url].values())


def test_export_and_feedback_work_on_postgres(graded):
    pg, _, submissions, result = graded
    env = {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]}
    subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "export", "--log-level=ERROR"],
                   cwd=pg.root, env=env, check=True, capture_output=True)
    with open(pg.root / "grades.csv") as handle:
        exported = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(handle)}
    assert exported == {s: result.total(s) for s in submissions}
    nbg.generate_feedback(pg.config, "toy")
    assert {p.parent.parent.name for p in (pg.root / "feedback").glob("*/toy/*.html")} == set(submissions)


def test_regrading_on_postgres_keeps_manual_work_and_other_students(graded):
    pg, _, submissions, _ = graded
    engine = create_engine(pg.db_url)
    others = text("SELECT g.* FROM grade g JOIN submitted_notebook n ON n.id = g.notebook_id "
                  "JOIN submitted_assignment sa ON sa.id = n.assignment_id WHERE sa.student_id <> 'full' ORDER BY g.id")
    with Gradebook(pg.db_url) as gb:
        grade = gb.find_grade("test_double", "toy", "toy", "full")
        grade.manual_score, grade.extra_credit = 1.5, 0.25
        comment = gb.find_comment("answer_double", "toy", "toy", "full")
        comment.manual_comment = "Nice use of broadcasting."
        gb.update_or_create_student("full", first_name="Ada")
        gb.db.commit()
    with engine.connect() as con:
        before = con.execute(others).fetchall()
    regraded = pg.grade("toy", ["full"], workers=1, time_limit=240)
    assert regraded.scores["full"] == {**regraded.max_scores, "test_double": 1.75}
    with Gradebook(pg.db_url) as gb:
        assert gb.find_comment("answer_double", "toy", "toy", "full").manual_comment == "Nice use of broadcasting."
        assert gb.find_student("full").first_name == "Ada"
    with engine.connect() as con:
        assert con.execute(others).fetchall() == before
    engine.dispose()


def test_zero_for_unfinished_grading_on_postgres(graded):
    pg, _, _, _ = graded
    engine = merge.course_engine(pg.db_url)
    layout = gradebook_copy.AssignmentLayout.read(engine, "toy")
    folder = pg.root.parent
    layout.write_template(folder / "template.db")
    for student in ("wrong_double", "newcomer"):  # one with an earlier submission, one without
        own = gradebook_copy.worker_gradebook(layout, folder / "template.db", engine, student, folder / f"{student}.db")
        zero = gradebook_copy.zero_gradebook(own, folder / f"{student}-zero.db", "toy", student)
        scores = merge.merge_submission(engine, layout, merge.read_submission(layout, zero, student), student)
        assert scores == dict.fromkeys(layout_names(layout), 0)
        assert question_scores(pg.db_url, "toy", student) == scores
