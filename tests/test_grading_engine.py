"""The grading engine on a two-function toy assignment: clean-room tests, recovery, batch vs serial."""

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from coursekit.grading import wire
from coursekit.grading.cleanroom import split_hidden
from coursekit.grading.guard import tree_digest
from coursekit.grading.harness import TempCourse
from coursekit.grading.remote import free_names
from coursekit.grading.scores import question_scores
from coursekit.submissions import answers_of, fill_answers

TOY_SOURCE = Path(__file__).parent / "fixtures" / "toy_course" / "source"
DOUBLE = "def double(x):\n    return 2 * x\n"
VARIANTS = {
    "full": {},
    "wrong_double": {"answer_double": "def double(x):\n    return x + 2\n"},
    "alt_double": {"answer_double": "import numpy as np\ndef double(x):\n    return np.multiply(x, 2)\n"},
    "mutating_double": {"answer_double": "def double(x):\n    x *= 2\n    return x\n"},
    "patched_allclose": {"answer_double": "import numpy as np\nnp.allclose = lambda *a, **k: True\n"
                                          "def double(x):\n    return 4\n"},
    "patched_builtins": {"answer_double": "import builtins\nbuiltins.isinstance = lambda *a: True\n"
                                          "builtins.AssertionError = type('Nope', (Exception,), {})\n"
                                          "def double(x):\n    return 4\n"},
    "blank_transformer": {"answer_double": "get_ipython().input_transformers_cleanup.append(lambda lines: [])\n"
                                           "def double(x):\n    return 4\n"},
    "kernel_exit": {"answer_double": DOUBLE + "import os\nos._exit(0)\n"},
    "segfault": {"answer_triple": "import ctypes\nctypes.string_at(0)\n"},
    "memory_hog": {"answer_triple": "def triple(x):\n    return 3 * x\n"
                                    "import numpy as np\nhog = np.ones((40 * 2**30 // 8,))\n"},
    "syntax_error": {"answer_double": "def double(x:\n    return 2 * x\n"},
    "stubborn_loop": {"answer_triple": "def triple(x):\n    return 3 * x\nimport time\nwhile True:\n"
                                       "    try:\n        time.sleep(0.01)\n    except KeyboardInterrupt:\n"
                                       "        pass\n"},
    "endless_double": {"answer_double": "def double(x):\n    while True:\n        pass\n"},
}
EXPECTED = {  # (test_double of 2, test_triple of 1)
    "full": (2, 1), "wrong_double": (0, 1), "alt_double": (2, 1), "mutating_double": (0, 1),
    "patched_allclose": (0, 1), "patched_builtins": (0, 1), "blank_transformer": (0, 0),
    "kernel_exit": (0, 1), "segfault": (2, 0), "memory_hog": (2, 1), "syntax_error": (0, 1),
    "stubborn_loop": (2, 0), "endless_double": (0, 1),
}



@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    course = TempCourse(tmp_path_factory.mktemp("toy"), ["toy"], source_dir=TOY_SOURCE, cell_timeout=5)
    answers = answers_of(course.source_notebook("toy"))
    release = course.release_notebook("toy")
    submissions = {name: fill_answers(release, {**answers, **change}) for name, change in VARIANTS.items()}
    submissions["untouched"] = release
    for student, notebook in submissions.items():
        course.submit("toy", student, notebook)
    before = tree_digest(course.root / "submitted")
    result = course.autograde("toy", submissions, workers=2)
    return course, submissions, result, before


def test_wire_round_trip_keeps_plain_data():
    value = {"w": np.arange(6.0).reshape(3, 2), "b": np.float64(0.5), "n": 3, ("k", 1): [None, True, "s"]}
    back = wire.decode(wire.loads(wire.dumps(wire.encode(value))))
    assert np.array_equal(back["w"], value["w"]) and back["w"].dtype == np.float64
    assert back["b"] == 0.5 and back["n"] == 3 and back[("k", 1)] == [None, True, "s"]
    assert isinstance(wire.decode(wire.encode(object())), wire.Opaque)
    with pytest.raises(ValueError):
        wire.decode({"pickle": "..."})


def test_free_names_are_what_a_test_reads_from_the_notebook():
    source = "import numpy as np\nfrom m import check\nx = np.ones(3)\ncheck(sigmoid(x), [len(v) for v in w])"
    assert free_names(source) == ["sigmoid", "w"]


def test_split_hidden_keeps_line_numbers():
    visible, hidden = split_hidden("a = 1\n### BEGIN HIDDEN TESTS\nb = 2\n### END HIDDEN TESTS\nc = 3")
    assert visible.split("\n") == ["a = 1", "", "", "", "c = 3"]
    assert hidden.split("\n") == ["", "", "b = 2", "", ""]


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_variant_scores_as_expected(toy, student):
    _, _, result, _ = toy
    expected_double, expected_triple = EXPECTED[student]
    assert result.scores[student] == {"test_double": expected_double, "test_triple": expected_triple}
    assert result.statuses[student] == "graded"


def test_untouched_release_scores_zero(toy):
    _, _, result, _ = toy
    assert result.scores["untouched"] == {"test_double": 0, "test_triple": 0}


def test_submissions_are_never_modified(toy):
    course, _, _, before = toy
    assert tree_digest(course.root / "submitted") == before


def test_gradebook_holds_every_submission_and_cell(toy):
    course, submissions, _, _ = toy
    with sqlite3.connect(course.root / "gradebook.db") as con:
        rows = con.execute("SELECT sa.student_id, COUNT(g.id) FROM submitted_assignment sa "
                           "JOIN submitted_notebook n ON n.assignment_id = sa.id "
                           "JOIN grade g ON g.notebook_id = n.id GROUP BY sa.student_id").fetchall()
    assert dict(rows) == {student: 2 for student in submissions}


def test_batch_equals_serial_nbgrader(toy, tmp_path):
    _, submissions, result, _ = toy
    serial = TempCourse(tmp_path, ["toy"], source_dir=TOY_SOURCE, cell_timeout=5)
    for student, notebook in submissions.items():
        serial.submit("toy", student, notebook)
    serial.autograde_serial("toy")
    assert {s: question_scores(serial.db_url, "toy", s) for s in submissions} == result.scores


def test_feedback_hides_hidden_tests(toy):
    course, _, _, _ = toy
    from coursekit.grading import course as nbg

    nbg.generate_feedback(course.config, "toy", "wrong_double")
    html = next((course.root / "feedback" / "wrong_double" / "toy").glob("*.html")).read_text()
    assert "double is wrong on an integer array" in html  # the hidden test's message is shown
    assert "np.arange(4)" not in html and "BEGIN HIDDEN TESTS" not in html  # its code is not


def test_regrading_one_student_keeps_others_and_manual_scores(toy):
    course, submissions, result, _ = toy
    db = course.root / "gradebook.db"
    with sqlite3.connect(db) as con:
        con.execute("UPDATE grade SET manual_score = 1.5 WHERE notebook_id IN (SELECT n.id FROM submitted_notebook n "
                    "JOIN submitted_assignment sa ON sa.id = n.assignment_id WHERE sa.student_id = 'full')")
        others = con.execute("SELECT * FROM grade WHERE notebook_id NOT IN (SELECT n.id FROM submitted_notebook n "
                             "JOIN submitted_assignment sa ON sa.id = n.assignment_id WHERE sa.student_id = 'full') "
                             "ORDER BY id").fetchall()
    regraded = course.autograde("toy", {"full": submissions["full"]}, workers=1)
    assert regraded.scores["full"] == {"test_double": 1.5, "test_triple": 1.5}
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT * FROM grade WHERE notebook_id NOT IN (SELECT n.id FROM submitted_notebook n "
                           "JOIN submitted_assignment sa ON sa.id = n.assignment_id WHERE sa.student_id = 'full') "
                           "ORDER BY id").fetchall() == others


def test_time_limit_costs_only_that_student(tmp_path):
    course = TempCourse(tmp_path, ["toy"], source_dir=TOY_SOURCE, cell_timeout=30)
    answers = answers_of(course.source_notebook("toy"))
    release = course.release_notebook("toy")
    slow = {**answers, "answer_triple": "import time\ntime.sleep(25)\n" + answers["answer_triple"]}
    result = course.autograde("toy", {"slow": fill_answers(release, slow), "quick": fill_answers(release, answers)},
                              workers=2, time_limit=8)
    assert result.statuses == {"slow": "timeout", "quick": "graded"}
    assert result.scores["slow"] == {"test_double": 0, "test_triple": 0}
    assert result.scores["quick"] == {"test_double": 2, "test_triple": 1}
    assert "limit" in result.failures["slow"]
