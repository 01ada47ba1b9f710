"""Assignment 5 (making training work): validation, a clean release, the solution and correct alternatives
at full marks, wrong answers losing their part's points, and the released notebook run top to bottom with
the figures its text states.

Every submission is autograded once, in one batch (module fixture ``graded``); the tests read the scores.
"""

import re
import shutil

import nbclient
import nbformat
import pytest
from named_mistakes import assert_sentence_heard, hidden_cells_of, naming, recognised_by_checks
from nbgrader.validator import Validator

from coursekit.grading.batch import course as nbgrader_course
from coursekit.grading.grader.mistakes import Catalog
from coursekit.paths import RELEASE_DIR, SOURCE_DIR
from coursekit.submissions import (
    SOLUTION_REGION,
    answers_of,
    edited,
    error_cells,
    fill_answers,
    grade_id,
    load_notebook,
    nbgrader_meta,
)

ASSIGNMENT = "a5_training"
NOTEBOOK = "training.ipynb"
SOURCE_NOTEBOOK = SOURCE_DIR / ASSIGNMENT / NOTEBOOK
POINTS = {  # part: (visible test, hidden test)
    "sgd": (1, 2), "momentum": (1, 3), "adagrad": (1, 3), "adam": (1, 4), "init_scale": (1, 2),
    "dropout": (2, 4), "batch_norm": (2, 5), "weight_decay": (1, 3),
}
# The experiments the grader skips (and a student runs).
EXPERIMENTS = {"setup_paths", "setup_plot_paths", "setup_histograms", "setup_init_digits", "setup_plot_init_digits",
               "setup_batch_norm_digits", "setup_overfitting", "setup_plot_overfitting", "setup_compare",
               "setup_plot_compare"}

# Wrong answers as edits of the solution, from the assignment's catalog of known mistakes:
# part -> {name: [(solution text, replacement), ...]}.
CATALOG = Catalog.of_folder(SOURCE_DIR / ASSIGNMENT)
RECOGNISED = recognised_by_checks(ASSIGNMENT)  # by the visible checks: their hint is the catalog's sentence
WRONG = CATALOG.variants()
# Wrong variants whose visible test passes; only the hidden test catches them.
HIDDEN_ONLY = {("momentum", "tuned_to_the_visible_check"), ("adagrad", "no_epsilon"), ("adam", "no_epsilon")}

# Two students answering everything correctly in other ways than the solution.
CORRECT = {
    "alternative_a": {
        "answer_sgd": '''
class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params.keys():
            params[key][...] = params[key] - self.lr * grads[key]
''',
        "answer_momentum": '''
class Momentum:
    """The velocity points uphill here; the step subtracts it."""

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.velocity = {}

    def update(self, params, grads):
        for key, value in params.items():
            if key not in self.velocity:
                self.velocity[key] = np.zeros(value.shape)
            self.velocity[key] = np.multiply(self.momentum, self.velocity[key]) + np.multiply(self.lr, grads[key])
            value -= self.velocity[key]
''',
        "answer_adagrad": '''
class AdaGrad:
    def __init__(self, lr=0.01):
        self.lr = lr
        self.h = None

    def update(self, params, grads):
        if self.h is None:
            self.h = {}
            for key, val in params.items():
                self.h[key] = np.zeros_like(val)
        for key in params.keys():
            np.add(self.h[key], np.square(grads[key]), out=self.h[key])
            np.subtract(params[key], self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7), out=params[key])
''',
        "answer_adam": '''
class Adam:
    """The book's form: both corrections folded into the learning rate."""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0
        self.m = None
        self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m, self.v = {}, {}
            for key, val in params.items():
                self.m[key] = np.zeros_like(val)
                self.v[key] = np.zeros_like(val)
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter)
        for key in params.keys():
            self.m[key] += (1 - self.beta1) * (grads[key] - self.m[key])
            self.v[key] += (1 - self.beta2) * (grads[key] ** 2 - self.v[key])
            params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)
''',
        "answer_init_scale": '''
import math


def init_scale(method, n_in):
    if method == "std=1":
        return 1
    elif method == "std=0.01":
        return 0.01
    elif method == "xavier":
        return 1 / math.sqrt(n_in)
    elif method == "he":
        return math.sqrt(2 / n_in)
    raise ValueError("no such method: " + str(method) + " (there are std=1, std=0.01, xavier and he)")
''',
        "answer_dropout": '''
class Dropout:
    """The book's convention: no scaling in training, x * (1 - ratio) at test time."""

    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return x * self.mask
        else:
            return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask
''',
        "answer_batch_norm": '''
class BatchNormalization:
    """Backward node by node through the computation graph."""

    def __init__(self, gamma, beta, momentum=0.9):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.running_mean = None
        self.running_var = None

    def forward(self, x, train_flg=True):
        if self.running_mean is None:
            D = x.shape[1]
            self.running_mean = np.zeros(D)
            self.running_var = np.zeros(D)
        if train_flg:
            mu = x.mean(axis=0)
            xc = x - mu
            var = np.mean(xc ** 2, axis=0)
            std = np.sqrt(var + 10e-8)
            xn = xc / std
            self.batch_size = x.shape[0]
            self.xc, self.xn, self.std = xc, xn, std
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            xc = x - self.running_mean
            xn = xc / np.sqrt(self.running_var + 10e-8)
        return self.gamma * xn + self.beta

    def backward(self, dout):
        dbeta = dout.sum(axis=0)
        dgamma = np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        dxc = dxn / self.std
        dstd = -np.sum((dxn * self.xc) / (self.std * self.std), axis=0)
        dvar = 0.5 * dstd / self.std
        dxc += (2.0 / self.batch_size) * self.xc * dvar
        dmu = np.sum(dxc, axis=0)
        dx = dxc - dmu / self.batch_size
        self.dgamma = dgamma
        self.dbeta = dbeta
        return dx
''',
        "answer_weight_decay": '''
def weight_decay_loss(params, weight_decay_lambda):
    total = 0.0
    for key in params:
        if key[0] == "W":
            total += 0.5 * weight_decay_lambda * np.sum(params[key] ** 2)
    return total


def weight_decay_grads(params, grads, weight_decay_lambda):
    new_grads = {}
    for key in grads:
        new_grads[key] = grads[key].copy()
        if key[0] == "W":
            new_grads[key] += weight_decay_lambda * params[key]
    return new_grads
''',
    },
    "alternative_b": {
        "answer_sgd": '''
class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key, grad in grads.items():
            params[key] -= np.multiply(self.lr, grad)
''',
        "answer_momentum": '''
class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.v = lr, momentum, {}

    def update(self, params, grads):
        for key in params:
            v = self.v.setdefault(key, np.zeros_like(params[key]))
            v *= self.momentum
            v -= self.lr * grads[key]
            params[key] += v
''',
        "answer_adagrad": '''
class AdaGrad:
    def __init__(self, lr=0.01):
        self.lr = lr
        self.h = {}

    def update(self, params, grads):
        for key in params:
            self.h[key] = self.h.get(key, 0) + grads[key] ** 2
            params[key] -= self.lr * grads[key] / (self.h[key] ** 0.5 + 1e-7)
''',
        "answer_adam": '''
class Adam:
    """The paper's form, with epsilon 1e-8."""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.step = 0
        self.moments = {}

    def update(self, params, grads):
        self.step += 1
        for key, grad in grads.items():
            m, v = self.moments.get(key, (0.0, 0.0))
            m = self.beta1 * m + (1 - self.beta1) * grad
            v = self.beta2 * v + (1 - self.beta2) * np.square(grad)
            self.moments[key] = (m, v)
            m_hat = m / (1 - self.beta1 ** self.step)
            v_hat = v / (1 - self.beta2 ** self.step)
            params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + 1e-8)
''',
        "answer_init_scale": '''
def init_scale(method, n_in):
    fixed = {"std=1": 1.0, "std=0.01": 0.01}
    gains = {"xavier": 1.0, "he": 2.0}
    if method in fixed:
        return fixed[method]
    if method in gains:
        return np.sqrt(gains[method] / n_in)
    raise ValueError(f"init_scale: unknown method {method}; choose std=1, std=0.01, xavier or he")
''',
        "answer_dropout": '''
class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio

    def forward(self, x, train_flg=True):
        if not train_flg:
            return x
        keep = 1.0 - self.dropout_ratio
        self.kept = np.random.uniform(size=x.shape) >= self.dropout_ratio
        return np.where(self.kept, x / keep, 0.0)

    def backward(self, dout):
        return np.where(self.kept, dout / (1.0 - self.dropout_ratio), 0.0)
''',
        "answer_batch_norm": '''
class BatchNormalization:
    def __init__(self, gamma, beta, momentum=0.9):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum

    def forward(self, x, train_flg=True):
        if not hasattr(self, "running_mean"):
            self.running_mean = np.zeros(x.shape[1])
            self.running_var = np.zeros(x.shape[1])
        if train_flg:
            mean = np.mean(x, axis=0, keepdims=True)
            var = np.var(x, axis=0, keepdims=True)
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mean.ravel()
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var.ravel()
            self.inv_std = 1.0 / np.sqrt(var + 1e-5)
            self.xhat = (x - mean) * self.inv_std
            return self.xhat * self.gamma + self.beta
        return (x - self.running_mean) / np.sqrt(self.running_var + 1e-5) * self.gamma + self.beta

    def backward(self, dout):
        m = dout.shape[0]
        self.dgamma = np.einsum("ij,ij->j", dout, self.xhat)
        self.dbeta = np.sum(dout, axis=0)
        dxhat = dout * self.gamma
        return self.inv_std / m * (m * dxhat - dxhat.sum(0) - self.xhat * np.sum(dxhat * self.xhat, 0))
''',
        "answer_weight_decay": '''
def weight_decay_loss(params, weight_decay_lambda):
    weights = [value for key, value in params.items() if key.startswith("W")]
    return weight_decay_lambda / 2 * sum(np.linalg.norm(W) ** 2 for W in weights)


def weight_decay_grads(params, grads, weight_decay_lambda):
    result = dict(grads)
    for key in grads:
        if key.startswith("W"):
            result[key] = result[key] + weight_decay_lambda * params[key]
    return result
''',
    },
}


def wrong_students():
    """``{student: {part: variant}}``: student k holds the k-th wrong variant of every part that has one.

    The parts' tests never call another part's code, so one notebook can carry a wrong variant of each;
    a part without a k-th variant holds the solution and must keep its points.
    """
    count = max(len(variants) for variants in WRONG.values())
    return {f"wrong_{k}": {part: list(variants)[k] for part, variants in WRONG.items() if k < len(variants)}
            for k in range(count)}


SOLUTION = answers_of(load_notebook(SOURCE_NOTEBOOK))
WRONG_STUDENTS = wrong_students()
WRONG_CASES = [(student, part, variant) for student, parts in WRONG_STUDENTS.items() for part, variant in parts.items()]


def wrong_answers(parts):
    return {f"answer_{part}": edited(SOLUTION[f"answer_{part}"], WRONG[part][variant])
            for part, variant in parts.items()}


@pytest.fixture(scope="module")
def a5(course_for):
    return course_for(ASSIGNMENT)


@pytest.fixture(scope="module")
def graded(a5):
    """Every submission of this file, autograded in one batch."""
    correct = {student: {cell: code.lstrip("\n") for cell, code in answers.items()}
               for student, answers in CORRECT.items()}
    wrong = {student: wrong_answers(parts) for student, parts in WRONG_STUDENTS.items()}
    return a5.autograde_answers(ASSIGNMENT, {"solution": {}, **correct, **wrong})


def test_points_per_part():
    notebook = load_notebook(SOURCE_NOTEBOOK)
    points = {grade_id(c): nbgrader_meta(c)["points"] for c in notebook.cells if nbgrader_meta(c).get("grade")}
    assert points == {f"{kind}_{part}": pair[i] for part, pair in POINTS.items()
                      for i, kind in enumerate(("test", "hidden"))}
    assert sum(points.values()) == 36


def test_experiments_are_skipped_by_the_grader_and_read_only():
    notebook = load_notebook(SOURCE_NOTEBOOK)
    skipped = {grade_id(c): c for c in notebook.cells if "skip-execution" in c.metadata.get("tags", [])}
    assert set(skipped) == EXPERIMENTS
    assert all(nbgrader_meta(c)["locked"] and not nbgrader_meta(c)["solution"] for c in skipped.values())


def test_source_passes_nbgrader_validate(tmp_path):
    folder = shutil.copytree(SOURCE_DIR / ASSIGNMENT, tmp_path / ASSIGNMENT,
                             ignore=shutil.ignore_patterns("__pycache__"))
    validator = Validator(config=nbgrader_course.course_config(tmp_path))
    assert validator.validate(str(folder / NOTEBOOK)) == {}


def test_release_has_no_solutions_and_no_hidden_tests():
    source = load_notebook(SOURCE_NOTEBOOK)
    regions = [region for cell in source.cells for region in SOLUTION_REGION.findall(cell.source)]
    regions += [cell.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
                for cell in source.cells if "### BEGIN HIDDEN TESTS" in cell.source]
    public = "\n".join(cell.source for cell in source.cells)
    for region in regions:
        public = public.replace(region, "")
    secret = {line.strip() for region in regions for line in region.splitlines()} - set(public.splitlines()) - {""}
    release = load_notebook(RELEASE_DIR / ASSIGNMENT / NOTEBOOK)
    text = "\n".join(cell.source for cell in release.cells)
    assert len(secret) > 100
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    release_lines = {line.strip() for line in text.splitlines()}
    assert sorted(secret & release_lines) == []
    hidden = [cell.source for cell in release.cells if grade_id(cell) and grade_id(cell).startswith("hidden_")]
    assert len(hidden) == len(POINTS)
    assert all(source.startswith("# Hidden tests") and "\n" not in source.strip() for source in hidden)


def test_every_submission_graded_without_failure(graded):
    assert graded.failures == {}


def test_untouched_release_scores_zero_everywhere(graded):
    assert set(graded.scores["untouched_release"].values()) == {0.0}


@pytest.mark.parametrize("student", ["solution", *sorted(CORRECT)])
def test_correct_answers_score_full_marks(graded, student):
    assert graded.scores[student] == graded.max_scores


@pytest.mark.parametrize(("student", "part", "variant"), WRONG_CASES, ids=[f"{p}-{v}" for _, p, v in WRONG_CASES])
def test_wrong_answer_loses_its_points(graded, student, part, variant):
    expected = (POINTS[part][0], 0) if (part, variant) in HIDDEN_ONLY else (0, 0)
    assert graded.part_scores(student, part) == expected


@pytest.mark.parametrize("student", sorted(WRONG_STUDENTS))
def test_parts_answered_right_keep_their_points(graded, student):
    for part in set(POINTS) - set(WRONG_STUDENTS[student]):
        assert graded.part_scores(student, part) == POINTS[part], f"{part} lost points"


def test_every_part_has_four_wrong_variants():
    assert set(WRONG) == set(POINTS) and min(len(variants) for variants in WRONG.values()) >= 4


@pytest.mark.parametrize(("part", "variant", "words"), [
    ("sgd", "rebinds_params", "the array the caller holds did not change"),
    ("sgd", "scales_grads", "update must only read the gradients"),
    ("adam", "no_correction", "params['W'] after one update"),
    ("momentum", "velocity_forgotten", "after 3 updates"),
    ("dropout", "new_mask_in_backward", "use it in backward"),
    ("dropout", "no_scaling", "the expected output must be the same in both modes"),
    ("batch_norm", "no_running_averages", "running_mean after two training batches"),
    ("batch_norm", "backward_without_batch_terms", "against a numerical gradient"),
    ("weight_decay", "gradient_missing", "the weight-decay term is missing"),
    ("init_scale", "unknown_method_key_error", "should raise a ValueError"),
])
def test_visible_failure_says_what_is_wrong(graded, a5, part, variant, words):
    student = next(s for s, parts in WRONG_STUDENTS.items() if parts.get(part) == variant)
    message = a5.failed_tests(ASSIGNMENT, student)[f"test_{part}"]
    assert message.startswith("CheckFailed: ") and words in message


@pytest.mark.parametrize(("part", "name"), RECOGNISED, ids=[f"{p}-{n}" for p, n in RECOGNISED])
def test_visible_failure_says_the_catalogs_sentence(graded, a5, part, name):
    """A mistake the visible checks recognise: their hint is its sentence; a hidden test names no other."""
    student = next(s for s, parts in WRONG_STUDENTS.items() if parts.get(part) == name)
    failed = a5.failed_tests(ASSIGNMENT, student)
    assert_sentence_heard(failed, part, CATALOG.get(part, name).says, f"test_{part}", hidden_cells_of(CATALOG, part),
                          named_hidden=False)


def test_hidden_failures_show_no_reference_values(graded, a5):
    """A hidden failure names the case, never numbers of the reference (visible-check values aside)."""
    for student in WRONG_STUDENTS:
        errors = a5.failed_tests(ASSIGNMENT, student)
        for cell, message in errors.items():
            if cell.startswith("hidden_") and "expected:" in message:
                visible = errors.get(cell.replace("hidden_", "test_"), "")
                named = message.removeprefix(visible)  # what the diagnosis adds: a mistake's name or a property
                assert message.startswith(visible) and "expected" not in named, f"{student} {cell}: {message}"


def stated_blocks(notebook):
    """The text of every fenced block of the notebook's markdown."""
    text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    return re.findall(r"```[a-z]*\n(.*?)```", text, re.DOTALL)


def test_released_notebook_runs_alone_and_prints_the_stated_figures(tmp_path):
    folder = shutil.copytree(RELEASE_DIR / ASSIGNMENT, tmp_path / ASSIGNMENT)
    notebook = fill_answers(load_notebook(folder / NOTEBOOK), SOLUTION)
    client = nbclient.NotebookClient(notebook, resources={"metadata": {"path": str(folder)}}, timeout=300,
                                     skip_cells_with_tag="none")
    client.execute()
    outputs = {grade_id(cell): cell.outputs for cell in notebook.cells if cell.cell_type == "code"}
    assert [(cell, o.ename) for cell, cell_outputs in outputs.items() for o in cell_outputs
            if o.output_type == "error"] == []
    assert [cell for cell, cell_outputs in outputs.items() for o in cell_outputs
            if o.output_type == "stream" and o.name == "stderr"] == []
    stated = "\n".join(stated_blocks(notebook))
    for cell in EXPERIMENTS:
        printed = "".join(o.text for o in outputs[cell] if o.output_type == "stream")
        for line in printed.splitlines():
            assert line in stated, f"{cell} printed {line!r}, which the notebook does not state"
    assert "SGD: end point (-0.350, 0.085)" in stated and "Adam: end point (0.136, 0.318)" in stated


def test_autograded_solution_shows_no_error_in_any_cell(graded, a5):
    """At grading (skip-execution cells left out, tests in the grader) every cell of the solution runs cleanly."""
    autograded = nbformat.read(a5.notebook_path("autograded/solution", ASSIGNMENT), as_version=4)
    assert error_cells(autograded) == {}


def test_feedback_names_no_mistake_a_student_did_not_make(graded, a5):
    """A failed hidden test names a catalogued mistake only when the student made it (in the catalog's words)."""
    right, wrong = naming(a5, ASSIGNMENT, CATALOG, graded.scores)
    assert wrong == set()
    assert right
