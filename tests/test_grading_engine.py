"""The grading engine on a two-function toy assignment: clean-room tests, recovery, batch vs serial."""

import shutil
import sqlite3
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from coursekit.checks import class_name, has_method
from coursekit.grading.batch.guard import tree_digest
from coursekit.grading.batch.harness import TempCourse
from coursekit.grading.grader import seed
from coursekit.grading.grader.cleanroom import CleanRoomExecute, split_hidden
from coursekit.grading.grader.scores import question_scores
from coursekit.grading.inkernel import kernel_side, wire
from coursekit.grading.wall.remote import KernelView, free_names
from coursekit.submissions import answers_of, fill_answers

TOY_SOURCE = Path(__file__).parent / "fixtures" / "toy_course" / "source"
DOUBLE = "def double(x):\n    return 2 * x\n"
ECHO = ("import inspect\nimport numpy as np\n\n\nclass Echo:\n"
        "    def __init__(self, name):\n        self.name = name\n\n"
        "    def __array__(self, dtype=None, copy=None):  # the value the test compares with\n"
        "        for frame in inspect.stack():\n"
        "            if self.name in frame.frame.f_globals:\n"
        "                return np.asarray(frame.frame.f_globals[self.name])\n"
        "        return np.zeros(1)\n\n"
        "    def __getitem__(self, key):\n        return self\n\n\n")
SCALE_INIT = "class Scale:\n    def __init__(self, w):\n        self.params = {'w': w}\n\n"
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
    # Objects that pass the tests in the student's own kernel by cheating; at grading they must not.
    "eq_always_true": {"answer_scale": "class AlwaysEqual:\n    def __eq__(self, other):\n        return True\n\n\n"
                                       + SCALE_INIT + "    def forward(self, x):\n        return AlwaysEqual()\n"},
    "array_echoes_reference": {"answer_scale": ECHO + SCALE_INIT
                               + "    def forward(self, x):\n        return Echo('expected')\n"},
    "getattr_fabricates": {"answer_scale": ECHO + SCALE_INIT
                           + "    def forward(self, x):\n        self.x = x\n        return x * self.params['w']\n\n"
                           "    def backward(self, dout):\n        return dout * self.params['w']\n\n"
                           "    def __getattr__(self, name):  # grads, and anything else a test asks for\n"
                           "        return Echo('numeric')\n"},
    "update_lies_in_place": {"answer_sgd": "import sys\n\n\nclass SGD:\n    def __init__(self, lr=0.1):\n"
                             "        self.lr = lr\n\n    def update(self, params, grads):  # new arrays, and the "
                             "caller's names rebound to them\n"
                             "        new = {key: params[key] - self.lr * grads[key] for key in params}\n"
                             "        names = sys._getframe(1).f_globals\n"
                             "        for name, value in list(names.items()):\n"
                             "            for key in params:\n"
                             "                if value is params[key]:\n"
                             "                    names[name] = new[key]\n"},
}
FULL = {"test_double": 2, "test_triple": 1, "test_scale": 2, "test_sgd": 1}
EXPECTED = {  # the questions each variant loses
    "full": (), "wrong_double": ("test_double",), "alt_double": (), "mutating_double": ("test_double",),
    "patched_allclose": ("test_double",), "patched_builtins": ("test_double",),
    "blank_transformer": tuple(FULL), "kernel_exit": ("test_double",), "segfault": ("test_triple",),
    "memory_hog": (), "syntax_error": ("test_double",), "stubborn_loop": ("test_triple",),
    "endless_double": ("test_double",), "eq_always_true": ("test_scale",),
    "array_echoes_reference": ("test_scale",), "getattr_fabricates": ("test_scale",),
    "update_lies_in_place": ("test_sgd",),
}


def expected_scores(student):
    return {question: 0 if question in EXPECTED[student] else points for question, points in FULL.items()}


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


class Affine:
    """A student's layer, for the in-process tests of the proxies."""

    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        return dout @ self.W.T


class Net:
    def __init__(self):
        self.params = {"W": np.arange(6.0).reshape(3, 2) / 10, "b": np.zeros(2)}
        self.layers = {"second": Affine(self.params["W"], self.params["b"]), "first": Affine(np.eye(2), np.zeros(2))}

    def loss(self, x):
        return float(np.sum(self.layers["second"].forward(x) ** 2))


class Optimizer:
    def __init__(self, lr):
        self.lr = lr

    def update(self, params, grads):
        for key in params:
            params[key] -= self.lr * grads[key]

    def rebind(self, params, grads):
        for key in params:
            params[key] = params[key] - self.lr * grads[key]


class Cheat:
    def __eq__(self, other):
        return True

    def __array__(self, dtype=None, copy=None):
        return np.ones(2)

    def __getattr__(self, name):
        return np.ones(2) if name != "__array_interface__" else {"shape": (2,), "typestr": "<f8", "data": (8, True)}

    def forward(self, x):
        return Cheat()


@pytest.fixture
def student(monkeypatch):
    """The grader's view of an in-process 'kernel' holding the classes above; requests cross as JSON."""
    namespace = {"Affine": Affine, "Net": Net, "Optimizer": Optimizer, "Cheat": Cheat, "data": np.ones(3), "n": 3}
    monkeypatch.setattr(kernel_side, "user_namespace", lambda: namespace)
    view = KernelView(lambda payload: wire.loads(wire.dumps(kernel_side.answer(wire.loads(wire.dumps(payload))))))
    return view.lookup(["Affine", "Net", "Optimizer", "Cheat", "data", "n", "missing"])


def test_objects_cross_as_proxies_and_data_as_copies(student):
    assert sorted(student) == ["Affine", "Cheat", "Net", "Optimizer", "data", "n"] and student["n"] == 3
    layer = student["Affine"](np.ones((3, 2)), np.array([0.5, -0.5]))
    assert class_name(layer) == "Affine" and class_name(Affine(1, 2)) == "Affine"
    assert has_method(layer, "backward") and has_method(student["Affine"], "forward") and not has_method(layer, "W")
    out = layer.forward(np.ones((4, 3)))
    assert type(out) is np.ndarray and np.array_equal(out, np.tile([3.5, 2.5], (4, 1)))
    layer.backward(np.ones((4, 2)))
    assert np.array_equal(layer.dW, np.full((3, 2), 4.0)) and not hasattr(layer, "db")
    layer.W = np.zeros((3, 2))
    assert np.array_equal(layer.forward(np.ones((1, 3))), [[0.5, -0.5]])
    net = student["Net"]()
    assert list(net.layers) == ["second", "first"] and class_name(net.layers["first"]) == "Affine"


def test_item_assignment_on_attributes_writes_through(student):
    net, x = student["Net"](), np.array([[1.0, -2.0, 0.5]])
    before = net.loss(x)
    net.params["W"][1, 0] += 0.25  # the layer holds the same array in the kernel
    assert net.loss(x) != before
    net.params["W"][1, 0] -= 0.25
    assert net.loss(x) == before
    W = net.params["W"]
    W += 1  # whole-array operations stay local
    assert net.loss(x) == before and type(W * 2) is np.ndarray
    net.params["b"] = np.ones(2)  # rebinding an entry does not touch the layer's own array
    assert net.loss(x) == before and np.array_equal(net.params["b"], [1.0, 1.0])


def test_in_place_changes_to_arguments_come_back(student):
    opt = student["Optimizer"](0.5)
    params, grads = {"w": np.ones(2)}, {"w": np.array([2.0, 4.0])}
    w = params["w"]
    opt.update(params, grads)
    assert np.array_equal(w, [0.0, -1.0]) and params["w"] is w
    opt.rebind(params, grads)  # a new array in the dict: the old one is left as it was
    assert np.array_equal(params["w"], [-1.0, -3.0]) and np.array_equal(w, [0.0, -1.0])
    net = student["Net"]()
    opt.update(net.params, {"W": np.ones((3, 2)), "b": np.ones(2)})  # the kernel's own dict, by reference
    assert np.array_equal(net.layers["second"].b, [-0.5, -0.5])


def test_student_dunders_never_run_in_the_grader(student):
    cheat = student["Cheat"]()
    result = cheat.forward(1)
    assert (result == 1) is False and (result == result) is True
    with pytest.raises(TypeError):
        bool(result)
    with pytest.raises(TypeError):
        np.allclose(result, np.ones(2))
    with pytest.raises(AttributeError):
        cheat.__array_interface__  # noqa: B018
    assert np.array_equal(cheat.anything, [1.0, 1.0])  # a fabricated attribute is only data to judge
    assert not has_method(cheat, "anything") and has_method(cheat, "forward")


def test_a_thousand_remote_calls_leave_the_notebook_running(tmp_path):
    """Each call adds IOPub messages nbclient also receives; they must not crowd out its next cell."""
    notebook = new_notebook(cells=[new_code_cell("def identity(x):\n    return x")], metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    executor = CleanRoomExecute(timeout=30)
    executor.nb, executor.resources = notebook, {"metadata": {"path": str(tmp_path)}}
    executor._replay, executor._channel = [], None  # what preprocess() sets up for a notebook
    executor._requests = 0
    executor._view = KernelView(executor.request)
    with executor.setup_kernel():
        executor.execute_cell(notebook.cells[0], 0)
        executor._prepare_kernel()
        identity = executor._fetch_names("identity")["identity"]
        assert [identity(i) for i in range(1000)] == list(range(1000))
        assert executor._run_in_kernel("print(identity(7))").outputs[0].text == "7\n"


def test_free_names_are_what_a_test_reads_from_the_notebook():
    source = "import numpy as np\nfrom m import check\nx = np.ones(3)\ncheck(sigmoid(x), [len(v) for v in w])"
    assert free_names(source) == ["sigmoid", "w"]


def test_split_hidden_keeps_line_numbers():
    visible, hidden = split_hidden("a = 1\n### BEGIN HIDDEN TESTS\nb = 2\n### END HIDDEN TESTS\nc = 3")
    assert visible.split("\n") == ["a = 1", "", "", "", "c = 3"]
    assert hidden.split("\n") == ["", "", "b = 2", "", ""]


FOOLED_IN_OWN_KERNEL = {  # cheat variant -> test lines it passes in the student's own kernel
    "eq_always_true": "layer = Scale(np.ones(3))\nexpected = np.arange(3.0)\n"
                      "assert np.all(layer.forward(np.ones((1, 3))) == expected)",
    "array_echoes_reference": "layer = Scale(np.ones(3))\nexpected = np.arange(3.0)\n"
                              "assert np.all(layer.forward(np.ones((1, 3))) == expected)",
    "getattr_fabricates": "layer = Scale(np.ones(3))\nlayer.forward(np.ones((2, 3)))\nlayer.backward(np.ones((2, 3)))\n"
                          "numeric = np.array([5.0, 6.0, 7.0])\nassert np.allclose(layer.grads['w'], numeric)",
    "update_lies_in_place": "params = {'w': np.array([1.0, 2.0])}\nw = params['w']\n"
                            "SGD(lr=0.5).update(params, {'w': np.array([2.0, -2.0])})\n"
                            "assert np.allclose(w, [0.0, 3.0])",
}


def test_cheats_pass_in_the_students_own_kernel(tmp_path):
    """The cheating objects do fool these lines when they run in the student's kernel (Validate)."""
    cells = [new_code_cell("import numpy as np")]
    for variant, test in FOOLED_IN_OWN_KERNEL.items():
        (answer,) = VARIANTS[variant].values()
        cells += [new_code_cell(answer), new_code_cell(test, metadata={"variant": variant})]
    notebook = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                  "language": "python"}})
    NotebookClient(notebook, timeout=30, allow_errors=True, resources={"metadata": {"path": str(tmp_path)}}).execute()
    failed = [cell.metadata["variant"] for cell in notebook.cells if "variant" in cell.metadata
              and any(out.output_type == "error" for out in cell.outputs)]
    assert failed == []


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_variant_scores_as_expected(toy, student):
    _, _, result, _ = toy
    assert result.scores[student] == expected_scores(student)
    assert result.statuses[student] == "graded"


def test_untouched_release_scores_zero(toy):
    _, _, result, _ = toy
    assert result.scores["untouched"] == dict.fromkeys(FULL, 0)


def test_submissions_are_never_modified(toy):
    course, _, _, before = toy
    assert tree_digest(course.root / "submitted") == before


def test_gradebook_holds_every_submission_and_cell(toy):
    course, submissions, _, _ = toy
    with sqlite3.connect(course.root / "gradebook.db") as con:
        rows = con.execute("SELECT sa.student_id, COUNT(g.id) FROM submitted_assignment sa "
                           "JOIN submitted_notebook n ON n.assignment_id = sa.id "
                           "JOIN grade g ON g.notebook_id = n.id GROUP BY sa.student_id").fetchall()
    assert dict(rows) == {student: len(FULL) for student in submissions}


def test_batch_workers_keep_the_course_cell_timeout(toy):
    course, _, _, _ = toy  # the toy course's own nbgrader_config.py sets 5 s (the repository's: 30 s)
    errors = course.failed_tests("toy", "endless_double")
    assert "ran longer than 5 s" in errors.get("test_double", ""), errors


def test_batch_equals_serial_nbgrader(toy, tmp_path):
    _, submissions, result, _ = toy
    serial = TempCourse(tmp_path, ["toy"], source_dir=TOY_SOURCE, cell_timeout=5)
    for student, notebook in submissions.items():
        serial.submit("toy", student, notebook)
    serial.autograde_serial("toy")
    assert {s: question_scores(serial.db_url, "toy", s) for s in submissions} == result.scores


def test_feedback_hides_hidden_tests(toy):
    course, _, _, _ = toy
    from coursekit.grading.batch import course as nbg

    nbg.generate_feedback(course.config, "toy", "wrong_double")
    html = next((course.root / "feedback" / "wrong_double" / "toy").glob("*.html")).read_text()
    assert "double is wrong on an integer array" in html  # the hidden test's message is shown
    assert "grading_rng" not in html and "BEGIN HIDDEN TESTS" not in html  # its code is not


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
    assert regraded.scores["full"] == dict.fromkeys(FULL, 1.5)
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
    assert result.scores["slow"] == dict.fromkeys(FULL, 0)
    assert result.scores["quick"] == FULL
    assert "limit" in result.failures["slow"]


# What a student may leave out of, or change in, the assignment's helper files (own_image.py, the checks
# module, images/): each is handed in with the full solution, and the kernel runs the course's copies.
A2 = "a2_logistic_regression"
ODD_HELPERS = {
    "as_released": lambda folder: None,
    "no_own_image": lambda folder: (folder / "own_image.py").unlink(),
    "own_image_raises": lambda folder: (folder / "own_image.py").write_text("raise ImportError('mine')\n"),
    "own_image_a_folder": lambda folder: ((folder / "own_image.py").unlink(), (folder / "own_image.py").mkdir()),
    "no_images": lambda folder: shutil.rmtree(folder / "images"),
    "checks_that_pass_anything": lambda folder: (folder / "logistic_regression_checks.py").write_text(
        "def __getattr__(name):\n    return lambda *args, **kwargs: None\n"),
    "nothing_but_the_notebook": lambda folder: [shutil.rmtree(p) if p.is_dir() else p.unlink()
                                                for p in folder.iterdir() if p.suffix != ".ipynb"],
}


def test_both_grading_paths_run_the_courses_helper_files(tmp_path):
    scores = {}
    for path in ("course-grade", "nbgrader-autograde"):
        course = TempCourse(tmp_path / path, [A2])
        solution = fill_answers(course.release_notebook(A2), answers_of(course.source_notebook(A2)))
        for student, change in ODD_HELPERS.items():
            change(course.submit(A2, student, solution))
        if path == "course-grade":
            course.grade(A2, list(ODD_HELPERS), workers=2)
        else:
            course.autograde_serial(A2)
        scores[path] = {student: question_scores(course.db_url, A2, student) for student in ODD_HELPERS}
    full = scores["course-grade"]["as_released"]
    assert sum(full.values()) > 0 and full == scores["nbgrader-autograde"]["as_released"]
    assert scores["course-grade"] == scores["nbgrader-autograde"] == dict.fromkeys(ODD_HELPERS, full)


# A student who records what the hidden test passed to double and prints it from a later cell.
SPY = {"answer_double": "seen = []\n\ndef double(x):\n    seen.append(x)\n    return 2 * x\n",
       "answer_triple": "print('SEEN', [[int(v) for v in a] for a in seen if hasattr(a, '__len__')])\n"
                        "def triple(x):\n    return 3 * x\n"}


def spied_inputs(course, student):
    graded = nbformat.read(course.notebook_path(Path("autograded", student), "toy"), as_version=4)
    printed = [out.get("text", "") for cell in graded.cells for out in cell.get("outputs", [])]
    (line,) = [text for text in printed if text.startswith("SEEN")]
    return graded.metadata["coursekit"]["grading_seed"], line


def test_hidden_inputs_are_fresh_each_run_and_reproducible_from_the_recorded_seed(tmp_path, monkeypatch):
    course = TempCourse(tmp_path, ["toy"], source_dir=TOY_SOURCE, cell_timeout=10)
    solution = answers_of(course.source_notebook("toy"))
    spy = fill_answers(course.release_notebook("toy"), {**solution, **SPY})
    runs = []
    for student in ("first", "second"):
        result = course.autograde("toy", {student: spy}, workers=1)
        assert result.scores[student] == FULL  # the spy's answers are right: it loses nothing
        runs.append(spied_inputs(course, student))
    (seed_1, seen_1), (seed_2, seen_2) = runs
    assert seed_1 != seed_2 and seen_1 != seen_2  # what one feedback showed is not what the next run uses
    monkeypatch.setenv(seed.SEED_ENV, str(seed_1))
    course.autograde("toy", {"again": spy}, workers=1)
    assert spied_inputs(course, "again") == (seed_1, seen_1)  # the recorded seed repeats the grade's inputs
