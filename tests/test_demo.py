"""The demo pipeline in its scratch course: grades, feedback, CSV, chart; twice the same; the real
course (here a temporary copy of it) keeps no trace of the sample students."""

import contextlib
import csv
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coursekit import demo
from coursekit.paths import COURSE_ROOT

ASSIGNMENT = "a1_numpy_basics"
DEMO_STUDENT = re.compile(r"demo_(full|partial|untouched|endless_loop|syntax_error)")
NBGRADER = str(Path(sys.executable).parent / "nbgrader")


def listing(root, skip):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if skip not in p.relative_to(root).parts)


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory):
    course_root = tmp_path_factory.mktemp("course")
    shutil.copy(COURSE_ROOT / "nbgrader_config.py", course_root)
    shutil.copytree(COURSE_ROOT / "source" / ASSIGNMENT, course_root / "source" / ASSIGNMENT)
    before = listing(course_root, demo.SCRATCH_NAME)
    runs, printed = [], io.StringIO()
    for _ in range(2):
        with contextlib.redirect_stdout(printed):
            assert demo.main(course_root, names=[ASSIGNMENT]) == 0
        with open(course_root / demo.SCRATCH_NAME / "reports" / "grades.csv") as handle:
            runs.append(sorted(tuple(sorted(row.items())) for row in csv.DictReader(handle)))
    return course_root, before, runs, printed.getvalue()


def test_demo_writes_grades_feedback_and_chart(demo_runs):
    course_root, _, runs, _ = demo_runs
    scratch = course_root / demo.SCRATCH_NAME
    scores = {dict(row)["student_id"]: float(dict(row)["raw_score"]) for row in runs[-1]}
    maximum = float(dict(runs[-1][0])["max_score"])
    assert scores["demo_full"] == maximum
    assert scores["demo_untouched"] == 0
    assert 0 < scores["demo_partial"] < maximum
    assert 0 < scores["demo_syntax_error"] < maximum
    assert 0 < scores["demo_endless_loop"] <= maximum
    assert (scratch / "reports" / "question_scores.png").stat().st_size > 10_000
    for student in scores:
        assert list((scratch / "feedback" / student / ASSIGNMENT).glob("*.html"))


def test_demo_console_names_the_cell_that_timed_out(demo_runs):
    lines = demo_runs[3].splitlines()
    after_student = lines[lines.index(next(line for line in lines if line.strip().startswith("demo_endless_loop"))) + 1]
    assert re.fullmatch(r" +answer_L2: timed out: stopped at the cell time limit", after_student), after_student


def test_demo_is_idempotent(demo_runs):
    _, _, runs, _ = demo_runs
    drop_time = [[pair for pair in row if pair[0] != "timestamp"] for row in runs[0]]
    assert drop_time == [[pair for pair in row if pair[0] != "timestamp"] for row in runs[1]]


def test_demo_leaves_the_course_alone(demo_runs, tmp_path):
    course_root, before, _, _ = demo_runs
    assert listing(course_root, demo.SCRATCH_NAME) == before
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    grades = tmp_path / "grades.csv"
    run = dict(cwd=course_root, capture_output=True, text=True, timeout=120)
    export = subprocess.run([NBGRADER, "export", f"--to={grades}"], **run)
    assert export.returncode == 0, export.stderr
    release = subprocess.run([NBGRADER, "release_feedback", ASSIGNMENT, f"--Exchange.root={exchange}"], **run)
    assert release.returncode == 0, release.stderr
    with open(grades) as handle:
        assert list(csv.DictReader(handle)) == []
    assert not DEMO_STUDENT.search(export.stdout + export.stderr + release.stdout + release.stderr)
    assert not [p for p in exchange.rglob("*") if DEMO_STUDENT.search(p.name)]


def test_demo_refuses_to_replace_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "course" / "source").mkdir(parents=True)
    (tmp_path / "mine").mkdir()
    with pytest.raises(SystemExit, match="is not a demo course"):
        demo.make_scratch_course(tmp_path / "course", tmp_path / "mine", [])
