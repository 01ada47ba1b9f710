"""Assignment 2 (logistic regression): validation, release, grading of right and wrong answers,
the original course's figures, and a run of the released notebook on its own."""

import importlib.util
import itertools
import shutil
from pathlib import Path

import nbclient
import nbformat
import numpy as np
import pytest
from named_mistakes import naming
from nbgrader.validator import Validator
from only_calling import ONLY_CALLING

import lr_utils
from coursekit.checks import matches_any, mismatched_field
from coursekit.grading.batch import course
from coursekit.grading.grader.mistakes import Catalog
from coursekit.paths import RELEASE_DIR, SOURCE_DIR
from coursekit.submissions import (
    SOLUTION_REGION,
    answers_of,
    edited,
    error_cells,
    fill_answers,
    is_answer_cell,
    is_test_cell,
    nbgrader_meta,
)
from lr_utils import load_dataset

ASSIGNMENT = "a2_logistic_regression"
ORIGINAL = Path(__file__).resolve().parents[2] / "shared/datasets/catvnoncat"
BUNDLED = Path(lr_utils.__file__).resolve().parent / "datasets"
SOURCE_NOTEBOOK = SOURCE_DIR / ASSIGNMENT / "logistic_regression.ipynb"

# Costs at iterations 0 and 1900 (lr 0.005, 2000 iterations); learning rate: (train, test) accuracy,
# after 2000 iterations at 0.005 and 1500 at the others. The original's are the course's printed figures.
FIGURES = {
    "original": {"costs": (0.693147, 0.140872), 0.005: (99.04306220095694, 70.0),
                 0.01: (99.52153110047847, 68.0), 0.001: (88.99521531100478, 64.0), 0.0001: (68.42105263157895, 36.0)},
    "bundled": {"costs": (0.693147, 0.112791), 0.005: (100 - 100 * 3 / 209, 68.0),  # 3 of 209 wrong
                0.01: (100.0, 70.0), 0.001: (100 - 100 * 17 / 209, 66.0), 0.0001: (100 - 100 * 45 / 209, 44.0)},
}
POINTS = {  # part: (visible test, hidden test)
    "dimensions": (1, 2), "flatten": (1, 2), "standardize": (1, 1), "sigmoid": (1, 2),
    "initialize_with_zeros": (1, 2), "propagate": (2, 5), "optimize": (2, 5), "predict": (1, 4), "model": (2, 5),
}
# Parts whose grade may follow from a wrong answer to another part (they call it). None: while the tests of
# propagate, optimize, predict and model run at grading, the course's sigmoid, propagate, ... stand in for the
# student's (the catalog's USES; coursekit.grading.grader.course_versions).
DEPENDENTS = {}
DATA_PARTS = ("dimensions", "flatten", "standardize")
SHARED = ("propagate", "initialize_with_zeros", "predict", "data")

# Wrong answers as edits of the solution, from the assignment's catalog of known mistakes:
# part -> {name: [(solution text, replacement), ...]}. Every data variant changes all three data parts at
# once (they do not call each other).
CATALOG = Catalog.of_folder(SOURCE_DIR / ASSIGNMENT)
WRONG_DATA = {name: {part: CATALOG.variants()[part][name] for part in DATA_PARTS}
              for name in CATALOG.variants()[DATA_PARTS[0]]}
WRONG = {part: named for part, named in CATALOG.variants().items() if part not in DATA_PARTS}

# Two students who answer everything correctly in other ways than the solution.
CORRECT = {
    "alternative_a": {
        "answer_dimensions": "m_train, num_px, _, _ = train_set_x_orig.shape\nm_test = len(test_set_x_orig)\n",
        "answer_flatten": "train_set_x_flatten = train_set_x_orig.reshape(m_train, -1).T\n"
                          "test_set_x_flatten = test_set_x_orig.reshape(m_test, -1).T\n",
        "answer_standardize": "train_set_x = train_set_x_flatten / 255.0\ntest_set_x = test_set_x_flatten / 255.0\n",
        "answer_sigmoid": "def sigmoid(z):\n    return 0.5 * (1 + np.tanh(z / 2))\n",
        "answer_initialize_with_zeros": "def initialize_with_zeros(dim):\n"
                                        "    return np.zeros(dim).reshape(dim, 1), float(0)\n",
        "answer_propagate": """
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    dw = np.dot(X, (A - Y).T) / m
    db = np.sum(A - Y) / m
    grads = {"dw": dw, "db": db}
    return grads, float(np.squeeze(cost))
""",
        "answer_optimize": """
import copy


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    w = copy.deepcopy(w)
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        dw, db = grads["dw"], grads["db"]
        w -= learning_rate * dw
        b -= learning_rate * db
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print("Cost after iteration %i: %f" % (i, cost))
    return {"w": w, "b": b}, {"dw": dw, "db": db}, costs
""",
        "answer_predict": """
def predict(w, b, X):
    A = sigmoid(np.dot(w.T, X) + b)
    return np.where(A > 0.5, 1, 0)
""",
        "answer_model": """
def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations=num_iterations,
                                    learning_rate=learning_rate, print_cost=print_cost)
    w = params["w"]
    b = params["b"]
    Y_prediction_test = predict(w, b, X_test)
    Y_prediction_train = predict(w, b, X_train)
    return {"costs": costs, "Y_prediction_test": Y_prediction_test, "Y_prediction_train": Y_prediction_train,
            "w": w, "b": b, "learning_rate": learning_rate, "num_iterations": num_iterations}
""",
    },
    "alternative_b": {
        "answer_dimensions": "m_train = train_set_x_orig.shape[0]\nm_test = test_set_x_orig.shape[0]\n"
                             "num_px = test_set_x_orig.shape[2]\n",
        "answer_flatten": "train_set_x_flatten = train_set_x_orig.reshape(m_train, num_px * num_px * 3).T\n"
                          "test_set_x_flatten = np.array([picture.flatten() for picture in test_set_x_orig]).T\n",
        "answer_standardize": "train_set_x = np.divide(train_set_x_flatten, 255)\n"
                              "test_set_x = test_set_x_flatten.astype(np.float64) / 255\n",
        "answer_sigmoid": "def sigmoid(z):\n    z = np.asarray(z, dtype=float)\n"
                          "    return np.reciprocal(1.0 + np.exp(-z))\n",
        "answer_initialize_with_zeros": "def initialize_with_zeros(dim):\n"
                                        "    w = np.zeros(shape=(dim, 1), dtype=np.float64)\n"
                                        "    b = 0.\n    return w, b\n",
        "answer_propagate": """
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(w.T.dot(X) + b)
    cost = -(Y.dot(np.log(A).T) + (1 - Y).dot(np.log(1 - A).T)) / m
    dZ = A - Y
    return {"dw": X.dot(dZ.T) / m, "db": float(dZ.mean())}, float(cost[0, 0])
""",
        "answer_optimize": """
def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    every_cost = []
    for _ in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        every_cost.append(cost)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
    costs = every_cost[::100]
    if print_cost:
        for i, cost in zip(range(0, num_iterations, 100), costs):
            print(f"Cost after iteration {i}: {cost:f}")
    return {"w": w, "b": b}, grads, costs
""",
        "answer_predict": """
def predict(w, b, X):
    m = X.shape[1]
    Y_prediction = np.zeros((1, m))
    A = sigmoid(w.T @ X + b)
    for i in range(m):
        Y_prediction[0, i] = 1 if A[0, i] > 0.5 else 0
    return Y_prediction
""",
        "answer_model": """
def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, _, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    result = {"costs": costs, "w": params["w"], "b": params["b"],
              "learning_rate": learning_rate, "num_iterations": num_iterations}
    result["Y_prediction_train"] = predict(result["w"], result["b"], X_train)
    result["Y_prediction_test"] = predict(result["w"], result["b"], X_test)
    return result
""",
    },
}


# A model whose predict is missing (a syntax error) keeps its points.
NO_PREDICT = {"answer_predict": "def predict(w, b, X)\n    return None\n"}


def wrong_students(solution):
    """``{student: (description, wrong parts, answers)}``, one student per combination of variants.

    Variants of parts that do not call one another share a student (fewer notebooks to grade):
    the k-th variants of propagate, initialize_with_zeros, predict and the data parts together.
    """
    variants = {part: [(f"{part}_{name}", {part: edits}) for name, edits in named.items()]
                for part, named in WRONG.items()}
    variants["data"] = [(f"data_{name}", parts) for name, parts in WRONG_DATA.items()]
    groups = [SHARED] + [(part,) for part in WRONG if part not in SHARED]
    students = {}
    for group in groups:
        for combination in itertools.zip_longest(*(variants[part] for part in group)):
            chosen = [variant for variant in combination if variant]
            edits = {part: part_edits for _, parts in chosen for part, part_edits in parts.items()}
            answers = {f"answer_{part}": edited(solution[f"answer_{part}"], e) for part, e in edits.items()}
            description = "+".join(name for name, _ in chosen)
            students[f"wrong_{len(students):02d}"] = (description, set(edits), answers)
    return students


SOLUTION = answers_of(nbformat.read(SOURCE_NOTEBOOK, as_version=4))
WRONG_STUDENTS = wrong_students(SOLUTION)


@pytest.fixture(scope="module")
def a2(course_for):
    return course_for(ASSIGNMENT)


@pytest.fixture(scope="module")
def graded(a2):
    """Every submission of this file, autograded in one batch."""
    wrong = {student: answers for student, (_, _, answers) in WRONG_STUDENTS.items()}
    extra = {"only_calls_sigmoid": ONLY_CALLING[ASSIGNMENT][0], "no_predict": NO_PREDICT}
    return a2.autograde_answers(ASSIGNMENT, {"solution": {}, **CORRECT, **wrong, **extra})


def test_points_per_part():
    notebook = nbformat.read(SOURCE_NOTEBOOK, as_version=4)
    points = {nbgrader_meta(c)["grade_id"]: nbgrader_meta(c)["points"] for c in notebook.cells if is_test_cell(c)}
    assert points == {f"{kind}_{part}": pair[i] for part, pair in POINTS.items()
                      for i, kind in enumerate(("test", "hidden"))}
    assert sum(points.values()) == 40


@pytest.fixture
def single_threaded_kernels(monkeypatch):
    """Kernels started by the test use one BLAS thread: on a busy 2-core machine two threads are far slower."""
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.setenv(name, "1")


def test_source_passes_nbgrader_validate(tmp_path, single_threaded_kernels):
    folder = tmp_path / ASSIGNMENT
    shutil.copytree(SOURCE_DIR / ASSIGNMENT, folder, ignore=shutil.ignore_patterns("__pycache__"))
    validator = Validator(config=course.course_config(tmp_path))
    assert validator.validate(str(folder / SOURCE_NOTEBOOK.name)) == {}


def test_release_has_no_solutions_and_no_hidden_tests(a2):
    release = a2.release_notebook(ASSIGNMENT)
    solution_lines = {line.strip() for cell in a2.source_notebook(ASSIGNMENT).cells if is_answer_cell(cell)
                      for region in SOLUTION_REGION.findall(cell.source) for line in region.splitlines()
                      if line.strip() and not line.strip().startswith(("import ", "from "))}
    release_lines = {line.strip() for cell in release.cells for line in cell.source.splitlines()}
    assert solution_lines and not solution_lines & release_lines
    text = "\n".join(cell.source for cell in release.cells)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    hidden = [cell.source for cell in release.cells if nbgrader_meta(cell).get("grade_id", "").startswith("hidden_")]
    assert len(hidden) == len(POINTS)
    assert all(source.startswith("# Hidden tests") and "\n" not in source.strip() for source in hidden)


def test_skip_execution_only_on_read_only_cells():
    notebook = nbformat.read(SOURCE_NOTEBOOK, as_version=4)
    skipped = [cell for cell in notebook.cells if "skip-execution" in cell.metadata.get("tags", [])]
    assert {nbgrader_meta(cell)["grade_id"] for cell in skipped} == {
        "setup_compare_learning_rates", "setup_plot_learning_rates", "setup_own_image"}
    for cell in skipped:
        assert nbgrader_meta(cell)["locked"] and not is_answer_cell(cell) and not is_test_cell(cell)


def test_every_submission_graded_without_failure(graded):
    assert graded.failures == {}


def test_untouched_release_scores_zero_everywhere(graded):
    assert set(graded.scores["untouched_release"].values()) == {0.0}


@pytest.mark.parametrize("student", ["solution", *sorted(CORRECT)])
def test_correct_answers_score_full_marks(graded, student):
    assert graded.scores[student] == graded.max_scores


@pytest.mark.parametrize("student", sorted(WRONG_STUDENTS), ids=lambda s: WRONG_STUDENTS[s][0])
def test_wrong_answers_lose_their_points_only(graded, student):
    _, wrong_parts, _ = WRONG_STUDENTS[student]
    for part in wrong_parts:
        assert graded.part_scores(student, part) == (0, 0), f"{part} kept points"
    may_follow = set().union(*(DEPENDENTS.get(part, set()) for part in wrong_parts))
    for part in set(POINTS) - wrong_parts - may_follow:
        assert graded.part_scores(student, part) == POINTS[part], f"{part} lost points"


def test_code_that_only_calls_a_broken_answer_gains_nothing(graded):
    for part in ONLY_CALLING[ASSIGNMENT][1]:
        assert graded.part_scores("only_calls_sigmoid", part) == (0, 0), f"{part} kept points"


def test_a_missing_answer_costs_only_its_own_points(graded):
    assert graded.part_scores("no_predict", "predict") == (0, 0)
    for part in set(POINTS) - {"predict"}:
        assert graded.part_scores("no_predict", part) == POINTS[part], f"{part} lost points"


def test_every_part_has_three_wrong_variants():
    counts = {part: len(variants) for part, variants in WRONG.items()}
    counts.update({part: len(WRONG_DATA) for part in DATA_PARTS})
    assert set(counts) == set(POINTS) and min(counts.values()) >= 3


def solution_namespace(data_dir):
    """The source notebook's answers run in one namespace on the data set in ``data_dir``."""
    train_x, train_y, test_x, test_y, classes = load_dataset(data_dir)
    namespace = {"np": np, "train_set_x_orig": train_x, "train_set_y": train_y,
                 "test_set_x_orig": test_x, "test_set_y": test_y, "classes": classes}
    for code in SOLUTION.values():
        exec(code, namespace)
    return namespace


def accuracy(predictions, labels):
    return 100 - np.mean(np.abs(predictions - labels)) * 100


@pytest.mark.parametrize("data", ["original", "bundled"])
def test_solution_reproduces_the_figures(data):
    folder = {"original": ORIGINAL, "bundled": BUNDLED}[data]
    if not (folder / "train_catvnoncat.h5").is_file():
        pytest.skip(f"no {data} data set in {folder}")
    figures = FIGURES[data]
    ns = solution_namespace(folder)
    sets = (ns["train_set_x"], ns["train_set_y"], ns["test_set_x"], ns["test_set_y"])
    for rate, iterations in ((0.005, 2000), (0.01, 1500), (0.001, 1500), (0.0001, 1500)):
        trained = ns["model"](*sets, num_iterations=iterations, learning_rate=rate)
        train_accuracy, test_accuracy = figures[rate]
        assert accuracy(trained["Y_prediction_train"], sets[1]) == pytest.approx(train_accuracy, abs=1e-9), rate
        assert accuracy(trained["Y_prediction_test"], sets[3]) == pytest.approx(test_accuracy, abs=1e-9), rate
        if rate == 0.005:
            assert len(trained["costs"]) == 20
            assert (round(float(trained["costs"][0]), 6), round(float(trained["costs"][19]), 6)) == figures["costs"]


def test_notebook_states_the_figures():
    notebook = nbformat.read(SOURCE_NOTEBOOK, as_version=4)
    text = " ".join(" ".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown").split())
    bundled, original = FIGURES["bundled"], FIGURES["original"]
    stated = [f"Cost after iteration 1900: {bundled['costs'][1]:f}", f"{original['costs'][1]:f} at iteration 1900",
              "train accuracy: {:.2f} % test accuracy: {:.2f} %".format(*bundled[0.005]),
              "training accuracy of {:.2f} % and a test accuracy of {:.1f} %".format(*original[0.005])]
    for rate in (0.01, 0.001, 0.0001):
        stated.append("learning rate {}: train accuracy {:.2f} %, test accuracy {:.2f} %".format(rate, *bundled[rate]))
        stated.append("train {:.2f} %, test {:.1f} % ({})".format(*original[rate], rate))
    assert [line for line in stated if line not in text] == []


def test_released_notebook_runs_from_its_folder_alone(tmp_path, single_threaded_kernels):
    folder = tmp_path / ASSIGNMENT
    shutil.copytree(RELEASE_DIR / ASSIGNMENT, folder)
    path = folder / SOURCE_NOTEBOOK.name
    notebook = fill_answers(nbformat.read(path, as_version=4), SOLUTION)
    client = nbclient.NotebookClient(notebook, resources={"metadata": {"path": str(folder)}}, timeout=300,
                                     skip_cells_with_tag="none")
    client.execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    printed = "".join(output.get("text", "") for output in outputs if output.output_type == "stream")
    assert "learning rate 0.0001: train accuracy" in printed
    assert "the model thinks this is a" in printed


def load_own_image_module():
    spec = importlib.util.spec_from_file_location("own_image", SOURCE_DIR / ASSIGNMENT / "own_image.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_own_picture_is_loaded_as_rgb_of_the_training_size(tmp_path):
    from PIL import Image

    own_image = load_own_image_module()
    Image.new("RGBA", (120, 90), (200, 100, 50, 128)).save(tmp_path / "wide.png")
    Image.new("L", (30, 30), 77).save(tmp_path / "grey.jpg")
    wide, grey = (own_image.load_picture(tmp_path / name, 64) for name in ("wide.png", "grey.jpg"))
    assert wide.shape == grey.shape == (64, 64, 3) and wide.dtype == np.uint8
    assert (wide[10, 10] == (200, 100, 50)).all() and (grey == 77).all()


@pytest.mark.parametrize("kind, message", [("missing", "There is no file"), ("folder", "is a folder"),
                                           ("not_a_picture", "Could not read")])
def test_unreadable_own_picture_gets_a_message_not_a_traceback(tmp_path, capsys, kind, message):
    own_image = load_own_image_module()
    path = tmp_path / "picture.png"
    if kind == "folder":
        path.mkdir()
    elif kind == "not_a_picture":
        path.write_text("this is not a picture")
    assert own_image.load_picture(path, 64) is None
    own_image.show_prediction(path, np.zeros((64 * 64 * 3, 1)), 0.0, 64, [b"non-cat", b"cat"], None)
    printed = capsys.readouterr().out
    assert message in printed and str(path) in printed


def test_autograded_solution_shows_no_error_in_any_cell(graded, a2):
    """At grading (skip-execution cells left out, tests in the grader) every cell of the solution runs cleanly."""
    autograded = nbformat.read(a2.notebook_path("autograded/solution", ASSIGNMENT), as_version=4)
    assert error_cells(autograded) == {}


def test_feedback_names_no_mistake_a_student_did_not_make(graded, a2):
    """A failed hidden test names a catalogued mistake only when the student made it (in the catalog's words)."""
    right, wrong = naming(a2, ASSIGNMENT, CATALOG, graded.scores)
    assert wrong == set()
    assert right


def test_a_value_computed_with_the_students_code_counts_only_in_the_answers_shape():
    """Hidden tests accept the course's result or one computed with the student's own dependency (a sigmoid); a
    dependency hard-coded to the visible example then vouched for an answer hard-coded to it. Where the answer's
    shape is known whatever the other answers (an elementwise function's: the input's), ``shapes`` says so and
    only those shapes count ((1, n) and (n,) where the text allows both); without it, a shape that follows from a
    mistake in another part (a2's flat w in model) still counts, so that mistake costs its points once."""
    course = np.array([[0.1, 0.2, 0.3, 0.4, 0.5]])
    visible = np.array([0.7, 0.8, 0.9])  # a sigmoid, and an answer using it, hard-coded to the visible example
    assert not matches_any(visible, [lambda: course, lambda: visible.copy()], shapes=[course.shape])
    assert matches_any(course, [lambda: course, lambda: visible], shapes=[course.shape])
    assert matches_any(visible, [lambda: course, lambda: visible.copy()])  # follows from another part's mistake
    assert not matches_any(course.ravel(), [lambda: course])
    assert matches_any(course.ravel(), [lambda: course], shapes=[(1, 5), (5,)])  # where the text allows both
    assert not matches_any(course.T, [lambda: course], shapes=[(1, 5), (5,)])
    fields = ["A", "cost"]
    assert mismatched_field((visible, 2.0), [lambda: (course, 1.0), lambda: (visible.copy(), 1.0)], fields) == "cost"
