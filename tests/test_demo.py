"""The demo pipeline on a scratch copy of the course: grades, feedback, CSV, chart; twice the same."""

import csv
import shutil

import pytest

from coursekit import demo
from coursekit.paths import COURSE_ROOT


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(COURSE_ROOT / "source" / "a1_numpy_basics", root / "source" / "a1_numpy_basics")
    runs = []
    for _ in range(2):
        assert demo.main(root) == 0
        with open(root / "reports" / "grades.csv") as handle:
            runs.append(sorted(tuple(sorted(row.items())) for row in csv.DictReader(handle)))
    return root, runs


def test_demo_writes_grades_feedback_and_chart(demo_runs):
    root, runs = demo_runs
    scores = {dict(row)["student_id"]: float(dict(row)["raw_score"]) for row in runs[-1]}
    maximum = float(dict(runs[-1][0])["max_score"])
    assert scores["demo_full"] == maximum
    assert scores["demo_untouched"] == 0
    assert 0 < scores["demo_partial"] < maximum
    assert 0 < scores["demo_syntax_error"] < maximum
    assert 0 < scores["demo_endless_loop"] <= maximum
    assert (root / "reports" / "question_scores.png").stat().st_size > 10_000
    for student in scores:
        assert list((root / "feedback" / student / "a1_numpy_basics").glob("*.html"))


def test_demo_is_idempotent(demo_runs):
    _, runs = demo_runs
    drop_time = [[pair for pair in row if pair[0] != "timestamp"] for row in runs[0]]
    assert drop_time == [[pair for pair in row if pair[0] != "timestamp"] for row in runs[1]]
