"""The course's version of an answer stands in for the student's while the tests of a part that uses it run.

In-process: what the grader serves (only the names standing in, plain data, within the time left), what the
kernel side does (stand-ins put in and taken out, none answering outside a test), and a course class whose
objects keep the very arrays they are given, with the kernel's side and the grader's talking through JSON.
Graded: a submission that keeps a stand-in and calls it later gets a message, not a hang, and loses nothing else.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from coursekit.grading.batch.harness import TempCourse
from coursekit.grading.grader.course_versions import CourseVersions, TookTooLong, time_limit
from coursekit.grading.grader.mistakes import Catalog
from coursekit.grading.inkernel import stand_ins, wire
from coursekit.paths import SOURCE_DIR


class Solution:
    """A VariantBuilder stand-in: the namespace of the instructor's definitions, each in its answer cell."""

    def __init__(self, **functions):
        self.functions = functions
        self.cells = [(f"answer_{name.lower()}", f"def {name}():\n    pass\n") for name in functions]

    def namespace(self):
        return dict(self.functions)


def endless(n):
    while True:
        n += 1


class Scale:
    """A course layer: keeps the weights it is given, and the input of its last forward."""

    def __init__(self, W):  # noqa: N803
        self.W, self.x = W, None

    def forward(self, x):
        self.x = x
        return x * self.W

    def backward(self, dout):
        self.dW = np.sum(dout * self.x, axis=0)
        return dout * self.W

    def step(self, lr):
        self.W -= lr * self.dW

    def _secret(self):
        return "solution"


VERSIONS = CourseVersions(
    Catalog({}, cells={"hidden_twice": "twice"}, uses={"twice": ("sigmoid", "endless", "Scale")}),
    Solution(sigmoid=lambda z: 1 / (1 + np.exp(-z)), endless=endless, model=lambda: "secret", Scale=Scale))


def request(name, *args, **kwargs):
    return {"course_version": name, "arguments": wire.encode([list(args), kwargs])}


def test_a_cell_of_a_part_that_uses_answers_gets_their_course_versions():
    versions = {"sigmoid": None, "endless": None, "Scale": ["backward", "forward", "step"]}
    assert VERSIONS.of_cell("hidden_twice") == VERSIONS.of_cell("test_twice") == versions
    assert VERSIONS.of_cell("hidden_sigmoid") == {}


def test_only_answers_that_lost_points_or_are_not_judged_yet_are_stood_in_for():
    assert list(VERSIONS.of_cell("hidden_twice", judged={"sigmoid", "endless", "scale"}, lost={"scale"})) == ["Scale"]
    assert list(VERSIONS.of_cell("hidden_twice", judged={"sigmoid", "scale"}, lost=())) == ["endless"]
    assert VERSIONS.of_cell("hidden_twice", judged={"sigmoid", "endless", "scale"}, lost={"twice"}) == {}


def test_an_answer_using_an_answer_that_lost_points_is_stood_in_for_too():
    """a2: propagate lost points, so optimize's tests ran with the course's propagate; model's run with the course's
    optimize as well (not with the student's optimize calling the course's propagate at every step)."""
    catalog = Catalog({}, uses={"optimize": ("propagate",), "model": ("optimize", "predict")})
    versions = CourseVersions(catalog, Solution(propagate=None, optimize=None, predict=None))
    judged = {"propagate", "optimize", "predict"}
    assert list(versions.of_cell("hidden_model", judged, lost={"propagate"})) == ["optimize"]
    assert list(versions.of_cell("hidden_model", judged, lost=())) == []
    assert list(versions.of_cell("hidden_model", {"optimize", "predict"}, lost=())) == ["optimize"]


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


def test_a_function_the_kernel_sends_is_called_back_there():
    """numerical_gradient(f, x): f stays in the kernel; each call the course's code makes of it is asked for."""
    calls = []

    def call_kernel(call):  # the kernel's side (stand_ins.call_back) runs the function
        calls.append(call)
        return stand_ins.call_back([lambda v: float(np.sum(v**2)), lambda v: 1 / 0], call)

    versions = CourseVersions(Catalog({}), Solution(twice=lambda f, x: [f(x), f(2 * x)]))
    arguments = lambda number: wire.encode([[print, np.ones(2)], {}], keep=lambda value: {  # noqa: E731
        "ref": [number, "function", "f", []]})  # as the kernel sends its function number ``number``
    answer = versions.serve({"course_version": "twice", "arguments": arguments(0)}, 5, call_kernel, names=("twice",))
    assert wire.decode(answer["result"]) == [2.0, 8.0] and len(calls) == 2
    answer = versions.serve({"course_version": "twice", "arguments": arguments(1)}, 5, call_kernel, names=("twice",))
    assert answer == {"error": "the course's twice raised StudentFunctionError: ZeroDivisionError: division by zero"}
    no_callbacks = versions.serve({"course_version": "twice", "arguments": arguments(0)}, 5, names=("twice",))
    assert no_callbacks == {"error": "the grader could not read that call"}


@pytest.mark.parametrize("method", ["_secret", "__init__", "__reduce__", "missing"])
def test_only_public_methods_of_a_course_class_are_served(method):
    request = {"course_version": "Scale", "method": method, "arguments": wire.encode([[], {}]),
               "attributes": wire.encode({"W": np.ones(2)})}
    assert VERSIONS.serve(request, 5, names=("Scale",)) == {"error": f"the course's Scale has no method {method!r}"}


def test_stand_ins_go_in_and_come_out_leaving_the_students_names_as_they_were():
    namespace = {"sigmoid": "the student's", "other": 1}
    stand_ins.stand_in(namespace, {"sigmoid": None, "predict": None, "Scale": ["forward"]})
    assert {name: type(value).__name__ for name, value in namespace.items()} == {
        "sigmoid": "CourseFunction", "predict": "CourseFunction", "Scale": "type", "other": "int"}
    assert namespace["predict"].__name__ == "predict" and namespace["Scale"].__name__ == "Scale"
    stand_ins.stand_in(namespace, {})
    assert namespace == {"sigmoid": "the student's", "other": 1}


def test_a_stand_in_called_outside_a_test_says_so():
    with pytest.raises(RuntimeError, match="answers only while a test runs"):
        stand_ins.CourseFunction("sigmoid")(0.0)


@pytest.fixture
def kernel(monkeypatch):
    """The kernel's side of the stand-ins, its requests answered by VERSIONS as the grader would, through JSON."""
    def ask(text):
        return json.dumps(VERSIONS.serve(json.loads(text), 5, names=("sigmoid", "Scale")))

    monkeypatch.setattr(stand_ins, "ask", ask)
    monkeypatch.setitem(stand_ins.GRADER, "request", {"header": {}})
    namespace = {}
    stand_ins.stand_in(namespace, VERSIONS.of_cell("hidden_twice"))
    yield namespace
    stand_ins.stand_in(namespace, {})


def test_a_course_function_answers_with_the_courses_result(kernel):
    np.testing.assert_allclose(kernel["sigmoid"](np.array([0.0, 2.0])), [0.5, 1 / (1 + np.exp(-2))])
    with pytest.raises(RuntimeError, match="the course's sigmoid raised TypeError"):
        kernel["sigmoid"]("text")


def test_a_course_object_keeps_the_arrays_it_is_given_as_the_courses_own_would(kernel):
    params = {"W": np.array([1.0, 2.0])}
    layer = kernel["Scale"](params["W"])  # as a student's network builds its layers
    assert isinstance(layer, kernel["Scale"]) and layer.W is params["W"] and layer.x is None
    x = np.array([[1.0, 1.0], [2.0, -1.0]])
    np.testing.assert_allclose(layer.forward(x), [[1.0, 2.0], [2.0, -2.0]])
    assert layer.x is x
    params["W"][0] = 5.0  # a test perturbing one weight of the network
    np.testing.assert_allclose(layer.forward(x), [[5.0, 2.0], [10.0, -2.0]])
    np.testing.assert_allclose(layer.backward(np.ones((2, 2))), [[5.0, 2.0], [5.0, 2.0]])
    np.testing.assert_allclose(layer.dW, [3.0, 0.0])
    weights = params["W"]
    layer.step(0.5)  # the course's code changes the weights in place: the network's own array changes
    assert params["W"] is weights and layer.W is weights
    np.testing.assert_allclose(weights, [3.5, 2.0])
    assert not hasattr(layer, "_secret")


# A sigmoid that raises (so the course's stands in while propagate's tests run), a propagate that keeps the
# stand-in it was given, and a later cell that calls what it kept.
KEEPS = {"answer_sigmoid": "def sigmoid(z):\n    raise ValueError('not yet')\n",
         "answer_propagate": "KEPT = []\n\n\ndef propagate(w, b, X, Y):\n    KEPT.append(sigmoid)\n"
                             "    A = sigmoid(w.T @ X + b)\n    m = X.shape[1]\n"
                             "    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m\n"
                             "    return {'dw': X @ (A - Y).T / m, 'db': np.sum(A - Y) / m}, cost\n",
         "answer_predict": "for kept in KEPT:\n    try:\n        kept(0.0)\n    except RuntimeError as error:\n"
                           "        print('kept:', error)\n\n\ndef predict(w, b, X):\n"
                           "    return (sigmoid(w.T @ X + b) > 0.5).astype(float)\n"}


def test_a_stand_in_kept_by_the_students_code_answers_nothing_later(tmp_path):
    course = TempCourse(tmp_path, ["a2_logistic_regression"], source_dir=SOURCE_DIR)
    result = course.autograde_answers("a2_logistic_regression", {"solution": {}, "keeps": KEEPS})
    assert result.scores["solution"] == result.max_scores
    assert result.scores["keeps"] == {**result.max_scores, "test_sigmoid": 0.0, "hidden_sigmoid": 0.0}
    notebook = course.notebook_path(Path("autograded", "keeps"), "a2_logistic_regression").read_text()
    assert "kept: the course's sigmoid answers only while a test runs" in notebook
