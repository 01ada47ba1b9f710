"""The course's version of an answer stands in for the student's while the tests of a part that uses it run.

In-process: what the grader serves (only the names standing in, plain data, within the time left) and what the
kernel side does (stand-ins put in and taken out, none answering outside a test). Graded: a submission that
keeps a stand-in and calls it later gets a message, not a hang, and loses nothing else.
"""

from pathlib import Path

import numpy as np
import pytest

from coursekit.grading.batch.harness import TempCourse
from coursekit.grading.grader.course_versions import CourseVersions, TookTooLong, time_limit
from coursekit.grading.grader.mistakes import Catalog
from coursekit.grading.inkernel import kernel_side, wire
from coursekit.paths import SOURCE_DIR


class Solution:
    """A VariantBuilder stand-in: the namespace of the instructor's definitions."""

    def __init__(self, **functions):
        self.functions = functions

    def namespace(self):
        return dict(self.functions)


def endless(n):
    while True:
        n += 1


VERSIONS = CourseVersions(
    Catalog({}, cells={"hidden_twice": "twice"}, uses={"twice": ("sigmoid", "endless")}),
    Solution(sigmoid=lambda z: 1 / (1 + np.exp(-z)), endless=endless, model=lambda: "secret"))


def request(name, *args, **kwargs):
    return {"course_version": name, "arguments": wire.encode([list(args), kwargs])}


def test_a_cell_of_a_part_that_uses_answers_gets_their_course_versions():
    assert VERSIONS.of_cell("hidden_twice") == ("sigmoid", "endless")
    assert VERSIONS.of_cell("test_twice") == ("sigmoid", "endless")
    assert VERSIONS.of_cell("hidden_sigmoid") == ()


def test_the_grader_answers_with_the_course_version_on_plain_data():
    answer = VERSIONS.serve(request("sigmoid", np.array([0.0, 2.0])), 5, names=("sigmoid",))
    np.testing.assert_allclose(wire.decode(answer["result"]), [0.5, 1 / (1 + np.exp(-2))])


@pytest.mark.parametrize("asked, names", [("model", ("sigmoid",)), ("sigmoid", ()), ("print", ("print",))])
def test_only_the_names_standing_in_now_are_served(asked, names):
    answer = VERSIONS.serve(request(asked, 1.0), 5, names=names)
    assert set(answer) == {"error"} and "does not stand in now" in answer["error"]


@pytest.mark.parametrize("forged", [
    {"course_version": "sigmoid", "arguments": {"ref": [0, "function", "f", []]}},
    {"course_version": "sigmoid", "arguments": {"pickle": "gASV"}},
    {"course_version": "sigmoid"},
    {"course_version": "sigmoid", "arguments": wire.encode([1.0, 2.0])},
    ["not", "a", "request"],
])
def test_a_forged_request_gets_an_error_and_runs_nothing(forged):
    assert VERSIONS.serve(forged, 5, names=("sigmoid",)) == {"error": "the grader could not read that call"}


def test_an_error_of_the_course_version_goes_back_as_text():
    answer = VERSIONS.serve(request("sigmoid", "text"), 5, names=("sigmoid",))
    assert answer["error"].startswith("the course's sigmoid raised TypeError")


def test_the_course_version_stops_when_the_time_the_test_had_left_is_up():
    answer = VERSIONS.serve(request("endless", 0), 0.3, names=("endless",))  # returns: the endless loop was stopped
    assert "TookTooLong" in answer["error"]
    with pytest.raises(TookTooLong), time_limit(0.05):
        endless(0)


def test_stand_ins_go_in_and_come_out_leaving_the_students_names_as_they_were(monkeypatch):
    namespace = {"sigmoid": "the student's", "other": 1}
    monkeypatch.setattr(kernel_side, "user_namespace", lambda: namespace)
    kernel_side.stand_in({"names": ["sigmoid", "predict"]})
    assert {name: type(value).__name__ for name, value in namespace.items()} == {
        "sigmoid": "CourseVersion", "predict": "CourseVersion", "other": "int"}
    assert namespace["predict"].__name__ == "predict"
    kernel_side.stand_in({"names": []})
    assert namespace == {"sigmoid": "the student's", "other": 1}


def test_a_stand_in_called_outside_a_test_says_so():
    with pytest.raises(RuntimeError, match="answers only while a test runs"):
        kernel_side.CourseVersion("sigmoid")(0.0)


# A propagate that keeps the stand-in it was given, and a later cell that calls what it kept.
KEEPS = {"answer_propagate": "KEPT = []\n\n\ndef propagate(w, b, X, Y):\n    KEPT.append(sigmoid)\n"
                             "    A = sigmoid(w.T @ X + b)\n    m = X.shape[1]\n"
                             "    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m\n"
                             "    return {'dw': X @ (A - Y).T / m, 'db': np.sum(A - Y) / m}, cost\n",
         "answer_predict": "for kept in KEPT:\n    try:\n        kept(0.0)\n    except RuntimeError as error:\n"
                           "        print('kept:', error)\n\n\ndef predict(w, b, X):\n"
                           "    return (sigmoid(w.T @ X + b) > 0.5).astype(float)\n"}


def test_a_stand_in_kept_by_the_students_code_answers_nothing_later(tmp_path):
    course = TempCourse(tmp_path, ["a2_logistic_regression"], source_dir=SOURCE_DIR)
    result = course.autograde_answers("a2_logistic_regression", {"solution": {}, "keeps": KEEPS})
    assert result.scores["keeps"] == result.scores["solution"] == result.max_scores
    notebook = course.notebook_path(Path("autograded", "keeps"), "a2_logistic_regression").read_text()
    assert "kept: the course's sigmoid answers only while a test runs" in notebook
