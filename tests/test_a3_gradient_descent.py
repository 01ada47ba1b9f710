"""a3_gradient_descent: the source validates, the release is clean and scores 0, the solution scores full
marks, realistic wrong answers lose their function's points, correct alternatives keep them, and the
released notebook runs from top to bottom printing the figures its text states.

Every submission is autograded once, in one call (module fixture ``graded``); the tests read the scores.
"""

import itertools
import shutil
import textwrap

import nbclient
import nbformat
import pytest
from named_mistakes import assert_sentence_heard, naming
from nbgrader.validator import Validator
from only_calling import ONLY_CALLING

from coursekit.grading.batch import course
from coursekit.grading.grader.mistakes import Catalog
from coursekit.paths import RELEASE_DIR, SOURCE_DIR
from coursekit.submissions import (
    SOLUTION_REGION,
    answers_of,
    error_cells,
    fill_answers,
    grade_id,
    is_answer_cell,
    is_test_cell,
    load_notebook,
    nbgrader_meta,
    printed_text,
)

ASSIGNMENT = "a3_gradient_descent"
NOTEBOOK = "gradient_descent.ipynb"
SIGNATURES = {
    "loss": "b, w, x, y", "loss_grid": "bs, ws, x, y", "gradients": "b, w, x, y",
    "gradient_descent": "b0, w0, x, y, lr, iterations", "adagrad": "b0, w0, x, y, lr, iterations",
    "numerical_diff": "f, x", "numerical_gradient": "f, x", "gradient_descent_fn": "f, init_x, lr, steps",
}
POINTS = {  # function: (visible test, hidden test)
    "loss": (1, 2), "loss_grid": (1, 3), "gradients": (2, 5), "gradient_descent": (2, 5), "adagrad": (2, 3),
    "numerical_diff": (1, 2), "numerical_gradient": (2, 5), "gradient_descent_fn": (1, 3),
}
# Functions that call a key one and may lose points for its mistake. None: while the descents' tests run at
# grading, the course's gradients and loss stand in for the student's (the catalog's USES); gradient_descent_fn's
# hidden test judges it with the course's numerical gradient or the student's, and its visible check, while
# numerical_gradient fails its own check, prints that it must be fixed first instead of failing.
DEPENDENTS = {}
# Who calls a key function (their visible checks name it when it is wrong).
CALLERS = {"loss": {"gradient_descent", "adagrad"}, "gradients": {"gradient_descent", "adagrad"},
           "numerical_gradient": {"gradient_descent_fn"}}
SKIPPED_CELLS = {"setup_time_loss_grid", "setup_learning_rate_runs", "setup_learning_rate_map",
                 "setup_adagrad_run", "setup_loss_curves"}

DESCENT_LOOP = """\
b, w = b0, w0
b_history, w_history, loss_history = [b], [w], [loss(b, w, x, y)]
for _ in range(iterations):
{step}
    b_history.append(b)
    w_history.append(w)
    loss_history.append(loss(b, w, x, y))
return {returned}
"""


def descent(step, returned="b_history, w_history, loss_history"):
    """A descent body whose update is ``step`` (indented code); the rest as in the solution."""
    return DESCENT_LOOP.format(step=textwrap.indent(step, "    "), returned=returned)


def adagrad_step(accumulate, b_update, w_update):
    return f"db, dw = gradients(b, w, x, y)\n{accumulate}\nb, w = {b_update}, {w_update}"


ADAGRAD_START = "squares_b = squares_w = 0.0\n"
NUMERICAL_LOOP = """\
h = 1e-4
{start}
grad = np.zeros_like(x)
for index in np.ndindex(x.shape):
    original = x[index]
    x[index] = original + h
    f_plus = f(x)
    x[index] = original - h
    f_minus = f(x)
{restore}    grad[index] = (f_plus - f_minus) / (2 * h)
return grad
"""


def numerical(start="x = np.array(x, dtype=float)", restore="    x[index] = original\n"):
    return NUMERICAL_LOOP.format(start=start, restore=restore)


# Wrong answers, from the assignment's catalog of known mistakes: {function: {name: answer cell code}}.
CATALOG = Catalog.of_folder(SOURCE_DIR / ASSIGNMENT)
WRONG = CATALOG.answers(answers_of(load_notebook(SOURCE_DIR / ASSIGNMENT / NOTEBOOK)))
# A mean loss with its matching mean gradient: fine elsewhere, but this notebook states the sum.
MEAN_PAIR = {
    "loss": "errors = y - (b + w * x)\nreturn np.mean(errors ** 2)",
    "gradients": "errors = y - (b + w * x)\nreturn -2 * np.mean(errors), -2 * np.mean(errors * x)",
}
# Passes the visible check (two-entry starts) but flattens other shapes: loses only the hidden points.
FLATTENING_DESCENT = ("x = np.array(init_x, dtype=float).ravel()\nfor _ in range(steps):\n"
                      "    x = x - lr * numerical_gradient(f, x)\nreturn x")

ALTERNATIVES = [
    {  # loops as in the original demo, meshgrid, an epsilon inside AdaGrad's root, np.nditer
        "loss": "total = 0.0\nfor n in range(len(x)):\n    total += (y[n] - b - w * x[n]) ** 2\nreturn total",
        "loss_grid": "B, W = np.meshgrid(bs, ws)\n"
                     "return np.sum((y - B[..., np.newaxis] - W[..., np.newaxis] * x) ** 2, axis=-1)",
        "gradients": "b_grad = 0.0\nw_grad = 0.0\nfor n in range(len(x)):\n"
                     "    b_grad = b_grad - 2.0 * (y[n] - b - w * x[n]) * 1.0\n"
                     "    w_grad = w_grad - 2.0 * (y[n] - b - w * x[n]) * x[n]\nreturn b_grad, w_grad",
        "gradient_descent": "b_history = np.zeros(iterations + 1)\nw_history = np.zeros(iterations + 1)\n"
                            "loss_history = np.zeros(iterations + 1)\nb, w = b0, w0\n"
                            "for i in range(iterations + 1):\n"
                            "    b_history[i], w_history[i], loss_history[i] = b, w, loss(b, w, x, y)\n"
                            "    b_grad, w_grad = gradients(b, w, x, y)\n"
                            "    b = b - lr * b_grad\n    w = w - lr * w_grad\n"
                            "return b_history, w_history, loss_history",
        "adagrad": ADAGRAD_START + descent(adagrad_step(
            "squares_b += db ** 2\nsquares_w += dw ** 2", "b - lr / np.sqrt(squares_b + 1e-8) * db",
            "w - lr / np.sqrt(squares_w + 1e-8) * dw")),
        "numerical_diff": "return (f(x + 1e-4) - f(x - 1e-4)) / 2e-4",
        "numerical_gradient": "h = 1e-4\nx = x.astype(float)\ngrad = np.zeros(x.shape)\n"
                              "it = np.nditer(x, flags=['multi_index'])\nwhile not it.finished:\n"
                              "    idx = it.multi_index\n    tmp_val = x[idx]\n    x[idx] = tmp_val + h\n"
                              "    fxh1 = f(x)\n    x[idx] = tmp_val - h\n    fxh2 = f(x)\n"
                              "    grad[idx] = (fxh1 - fxh2) / (2 * h)\n    x[idx] = tmp_val\n    it.iternext()\n"
                              "return grad",
        "gradient_descent_fn": "x = init_x.astype(float)\nfor _ in range(steps):\n"
                               "    x -= lr * numerical_gradient(f, x)\nreturn x",
    },
    {  # np.dot and einsum, lists for histories, an epsilon outside AdaGrad's root, a flat view
        "loss": "errors = y - b - w * x\nreturn np.dot(errors, errors)",
        "loss_grid": "errors = y[np.newaxis, np.newaxis, :] - bs[np.newaxis, :, np.newaxis] "
                     "- np.outer(ws, x)[:, np.newaxis, :]\nreturn np.einsum('ijn,ijn->ij', errors, errors)",
        "gradients": "errors = y - b - w * x\nreturn -2 * np.sum(errors), -2 * np.dot(errors, x)",
        "gradient_descent": descent("db, dw = gradients(b, w, x, y)\nnew_b = b - lr * db\nnew_w = w - lr * dw\n"
                                    "b, w = new_b, new_w"),
        "adagrad": ADAGRAD_START + descent(adagrad_step(
            "squares_b = squares_b + db * db\nsquares_w = squares_w + dw * dw",
            "b - lr * db / (np.sqrt(squares_b) + 1e-8)", "w - lr * dw / (np.sqrt(squares_w) + 1e-8)")),
        "numerical_diff": "h = 1e-4\nreturn 0.5 * (f(x + h) - f(x - h)) / h",
        "numerical_gradient": "h = 1e-4\npoint = np.array(x, dtype=float)\nflat = point.reshape(-1)\n"
                              "grad = np.empty(flat.size)\nfor i in range(flat.size):\n    saved = flat[i]\n"
                              "    flat[i] = saved + h\n    up = f(point)\n    flat[i] = saved - h\n"
                              "    down = f(point)\n    flat[i] = saved\n    grad[i] = (up - down) / (2 * h)\n"
                              "return grad.reshape(point.shape)",
        "gradient_descent_fn": "x = init_x + 0.0\nfor step in range(steps):\n"
                               "    x = x - lr * numerical_gradient(f, x)\nreturn x",
    },
]
# Variants of functions that share no graded cell are graded in the same submission.
GROUPS = [("loss_grid", "gradient_descent", "adagrad", "numerical_gradient"), ("loss", "gradient_descent_fn"),
          ("gradients", "numerical_diff")]


def definitions(bodies):
    """``{answer cell id: code}`` defining each function of ``{function: body}``."""
    return {f"answer_{function}": f"def {function}({SIGNATURES[function]}):\n{textwrap.indent(body, '    ')}\n"
            for function, body in bodies.items()}


def wrong_submissions():
    """``{student: [(function, label), ...]}``: the k-th variants of each group's functions together."""
    submissions = {}
    for group in GROUPS:
        for combination in itertools.zip_longest(*([(f, label) for label in WRONG[f]] for f in group)):
            cases = [case for case in combination if case]
            submissions["wrong_" + "_and_".join(f"{f}_{label}" for f, label in cases)] = cases
    return submissions


WRONG_SUBMISSIONS = wrong_submissions()
WRONG_CASES = [(function, label) for function, variants in WRONG.items() for label in variants]


def wrong_student(function, label):
    return next(student for student, cases in WRONG_SUBMISSIONS.items() if (function, label) in cases)


# An answer that raises: gradient_descent_fn, which calls it, keeps its points (the course's numerical_gradient
# stands in for it while gradient_descent_fn's tests run, and calls the function it is given back in the kernel).
RAISING_NUMERICAL_GRADIENT = "def numerical_gradient(f, x):\n    raise ValueError('not yet')\n"


def cells_of(functions):
    return [f"{kind}_{function}" for function in functions for kind in ("test", "hidden")]


def submissions_answers():
    """``{student: answers replacing the solution's}`` of every graded submission but the untouched release."""
    answers = {"solution": {}, "mean_pair": definitions(MEAN_PAIR),
               "flattening_descent": definitions({"gradient_descent_fn": FLATTENING_DESCENT})}
    for index, bodies in enumerate(ALTERNATIVES):
        answers[f"alternatives_{index + 1}"] = definitions(bodies)
    for student, cases in WRONG_SUBMISSIONS.items():
        answers[student] = {f"answer_{f}": WRONG[f][label] for f, label in cases}
    answers["only_calls_numerical_gradient"] = ONLY_CALLING[ASSIGNMENT][0]
    answers["raising_numerical_gradient"] = {"answer_numerical_gradient": RAISING_NUMERICAL_GRADIENT}
    return answers


@pytest.fixture(scope="module")
def a3(course_for):
    return course_for(ASSIGNMENT)


@pytest.fixture(scope="module")
def graded(a3):
    """Every submission autograded in one batch: the GradeResult."""
    return a3.autograde_answers(ASSIGNMENT, submissions_answers())


def test_points_per_function_total_40():
    notebook = load_notebook(SOURCE_DIR / ASSIGNMENT / NOTEBOOK)
    points = {grade_id(cell): nbgrader_meta(cell)["points"] for cell in notebook.cells if is_test_cell(cell)}
    assert points == {cell: float(share) for function, pair in POINTS.items()
                      for cell, share in zip(cells_of([function]), pair, strict=True)}
    assert sum(points.values()) == 40


def test_source_passes_nbgrader_validate(tmp_path):
    folder = shutil.copytree(SOURCE_DIR / ASSIGNMENT, tmp_path / ASSIGNMENT,
                             ignore=shutil.ignore_patterns("__pycache__"))
    validator = Validator(config=course.course_config(tmp_path))
    assert validator.validate(str(folder / NOTEBOOK)) == {}


def test_release_holds_no_solution_and_no_hidden_test():
    source = load_notebook(SOURCE_DIR / ASSIGNMENT / NOTEBOOK)
    solution_lines = {line.strip() for cell in source.cells if is_answer_cell(cell)
                      for region in SOLUTION_REGION.findall(cell.source) for line in region.splitlines()}
    hidden_lines = {line.strip() for cell in source.cells if "### BEGIN HIDDEN TESTS" in cell.source
                    for line in cell.source.split("### BEGIN HIDDEN TESTS")[1].splitlines()
                    if line.strip() and not line.strip().startswith(("import ", "from ", "check_", "#"))}
    release = load_notebook(RELEASE_DIR / ASSIGNMENT / NOTEBOOK)
    release_lines = {line.strip() for cell in release.cells for line in cell.source.splitlines()}
    generic = {"", "return grad", "### END HIDDEN TESTS", ")"}
    assert len(solution_lines - generic) > 30 and len(hidden_lines - generic) > 80
    assert (solution_lines | hidden_lines) & release_lines - generic == set()
    text = "\n".join(cell.source for cell in release.cells)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text


def test_skip_execution_only_on_read_only_setup_cells():
    notebook = load_notebook(SOURCE_DIR / ASSIGNMENT / NOTEBOOK)
    skipped = [cell for cell in notebook.cells if "skip-execution" in cell.metadata.get("tags", [])]
    assert {grade_id(cell) for cell in skipped} == SKIPPED_CELLS
    assert all(nbgrader_meta(cell)["locked"] and not nbgrader_meta(cell)["grade"] for cell in skipped)


def test_every_submission_is_graded(graded):
    assert graded.failures == {}


def test_untouched_release_scores_zero_everywhere(graded):
    assert graded.scores["untouched_release"] == {cell: 0.0 for cell in graded.max_scores}


@pytest.mark.parametrize("student", ["solution", *(f"alternatives_{index + 1}" for index in range(len(ALTERNATIVES)))])
def test_correct_answers_score_full_marks(graded, student):
    assert graded.scores[student] == graded.max_scores


@pytest.mark.parametrize(("function", "label"), WRONG_CASES, ids=[f"{f}-{w}" for f, w in WRONG_CASES])
def test_wrong_answer_loses_its_function_points_and_no_other(graded, function, label):
    student = wrong_student(function, label)
    wrong = {f for f, _ in WRONG_SUBMISSIONS[student]}
    visible_may_follow = {f"test_{f}" for f in set().union(*(DEPENDENTS.get(f, set()) for f in wrong))}
    losing = cells_of([function])
    keeping = set(cells_of(set(POINTS) - wrong)) - visible_may_follow
    assert graded.scores_of(student, losing) == {cell: 0.0 for cell in losing}
    assert graded.scores_of(student, keeping) == graded.full_marks(keeping)


def test_code_that_only_calls_a_broken_answer_gains_nothing(graded):
    losing = cells_of(ONLY_CALLING[ASSIGNMENT][1])
    assert graded.scores_of("only_calls_numerical_gradient", losing) == dict.fromkeys(losing, 0.0)


def test_an_answer_that_raises_costs_its_own_points_only(graded):
    losing = cells_of(["numerical_gradient"])
    assert graded.scores["raising_numerical_gradient"] == {**graded.max_scores, **dict.fromkeys(losing, 0.0)}


def test_mean_loss_with_mean_gradient_loses_the_loss_and_gradient_points(graded):
    """The notebook states the sum convention; a consistent mean-based pair is marked wrong there."""
    assert graded.scores_of("mean_pair", cells_of(["loss", "gradients"])) == dict.fromkeys(
        cells_of(["loss", "gradients"]), 0.0)
    keeping = set(cells_of(set(POINTS) - {"loss", "gradients"}))
    assert graded.scores_of("mean_pair", keeping) == graded.full_marks(keeping)


@pytest.mark.parametrize(("key", "label"), [("gradients", "sign"), ("numerical_gradient", "mutates_caller")])
def test_dependents_of_a_wrong_key_answer_keep_their_points_and_say_why(graded, a3, key, label):
    """The dependents keep all their points (above). The course's gradients and loss stand in for the student's
    while the descents' tests run at grading (the catalog's USES): their checks pass. numerical_gradient, given a
    function, cannot stand in: gradient_descent_fn's visible check sends the student to it."""
    student = wrong_student(key, label)
    failed = a3.failed_tests(ASSIGNMENT, student)
    printed = printed_text(nbformat.read(a3.notebook_path(f"autograded/{student}", ASSIGNMENT), as_version=4))
    for dependent in CALLERS[key]:
        stood_in = key in CATALOG.uses.get(dependent, ())
        assert printed[f"test_{dependent}"].startswith(
            f"All visible checks of {dependent} passed" if stood_in
            else f"{dependent} uses your `{key}`, which fails its own check: fix that first"), dependent
        assert f"test_{dependent}" not in failed and f"hidden_{dependent}" not in failed


def test_flattening_descent_loses_only_the_hidden_points(graded, a3):
    assert graded.scores["flattening_descent"] == {**graded.max_scores, "hidden_gradient_descent_fn": 0.0}
    message = a3.failed_tests(ASSIGNMENT, "flattening_descent")["hidden_gradient_descent_fn"]
    assert message.splitlines() == [
        "CheckFailed: gradient_descent_fn on function_2 from a (2, 3) start, lr 0.05, 30 steps "
        "gives a result of the wrong shape (6,).",
        "Your `gradient_descent_fn` returns a result of the wrong shape on one of the hidden inputs."]


@pytest.mark.parametrize(("function", "label"), WRONG_CASES, ids=[f"{f}-{w}" for f, w in WRONG_CASES])
def test_visible_and_hidden_failures_say_the_catalogs_sentence(graded, a3, function, label):
    """The visible check's hint is the catalogued mistake's sentence, and the hidden test names it in the same words."""
    failed = a3.failed_tests(ASSIGNMENT, wrong_student(function, label))
    assert_sentence_heard(failed, function, CATALOG.get(function, label).says, f"test_{function}",
                          [f"hidden_{function}"])


def markdown_text(notebook):
    return "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")


def test_released_notebook_runs_and_prints_the_figures_its_text_states(tmp_path):
    """Every cell runs (skip-execution ones too); every line printed, but the timing, is in the text."""
    folder = shutil.copytree(RELEASE_DIR / ASSIGNMENT, tmp_path / ASSIGNMENT)
    notebook = fill_answers(load_notebook(folder / NOTEBOOK), answers_of(load_notebook(SOURCE_DIR / ASSIGNMENT /
                                                                                       NOTEBOOK)))
    nbclient.NotebookClient(notebook, resources={"metadata": {"path": str(folder)}}, timeout=120,
                            skip_cells_with_tag="none").execute()
    outputs = {grade_id(cell): cell.outputs for cell in notebook.cells if cell.cell_type == "code"}
    assert [(cell, o.output_type) for cell, outs in outputs.items() for o in outs
            if o.output_type == "error" or o.get("name") == "stderr"] == []
    text = markdown_text(notebook)
    printed = [line for cell, outs in outputs.items() if cell.startswith("setup_") and cell != "setup_time_loss_grid"
               for o in outs if o.output_type == "stream" for line in o.text.splitlines() if line.strip()]
    assert len(printed) > 20
    assert [line for line in printed if line not in text] == []
    assert "times faster" in "".join(o.text for o in outputs["setup_time_loss_grid"] if o.output_type == "stream")
    figures = ("b = -188.43, w = 2.669455", "lr 1e-07: b = -123.69, w = 2.4834", "lr 1e-06: b = -149.23, w = 2.5568",
               "the loss is inf from iteration 124", "AdaGrad, lr 1: b = -188.37, w = 2.6693")
    assert all(figure in text for figure in figures)


def test_autograded_solution_shows_no_error_in_any_cell(graded, a3):
    """At grading (skip-execution cells left out, tests in the grader) every cell of the solution runs cleanly."""
    autograded = nbformat.read(a3.notebook_path("autograded/solution", ASSIGNMENT), as_version=4)
    assert error_cells(autograded) == {}


def test_feedback_names_no_mistake_a_student_did_not_make(graded, a3):
    """A failed hidden test names a catalogued mistake only when the student made it (in the catalog's words)."""
    right, wrong = naming(a3, ASSIGNMENT, CATALOG, graded.scores)
    assert wrong == set()
    assert right
