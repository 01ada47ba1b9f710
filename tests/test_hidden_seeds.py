"""Hidden tests hold under any grading seed, and each mistake costs its own part only.

The test cells of every assignment run here in-process (no kernel, no nbgrader: fast), each in its own
copy of the notebook's names, as the grader runs them in a fresh namespace:

- the solution passes every test cell under 20 grading seeds (``grading_rng`` draws new inputs for each);
- every wrong variant of the assignment's mistake catalog fails its own part's hidden test under each of
  the first 10 seeds, and under seed 0 fails no cell of another part (no cascade: a wrong ``Affine`` costs
  ``TwoLayerNet`` nothing, a wrong ``sigmoid`` costs ``propagate`` nothing);
- the release's unanswered cells pass no test cell (a part is never excused by another unanswered part);
- code that only calls a broken answer gains nothing.

As at grading, the course's version of the answers a part uses (the catalog's ``USES``) stands in for the
student's while that part's tests run (here: the solution's functions, in the student's names).

The real autograder's scores are checked by tests/test_a*.py; this file checks the same tests under many seeds.
"""

import contextlib
import io
import warnings

import matplotlib
import nbformat
import pytest
from only_calling import ONLY_CALLING

from coursekit.grading.grader.mistakes import Catalog
from coursekit.grading.grader.seed import grading_run
from coursekit.paths import RELEASE_DIR, SOURCE_DIR
from coursekit.submissions import answers_of, grade_id, is_test_cell

SEEDS = range(20)
MISTAKE_SEEDS = 10  # a wrong variant's own hidden test must fail under each of the first 10
NOTEBOOKS = {
    "a1_numpy_basics": "numpy_basics.ipynb",
    "a2_logistic_regression": "logistic_regression.ipynb",
    "a3_gradient_descent": "gradient_descent.ipynb",
    "a4_neural_network": "neural_network.ipynb",
    "a5_training": "training.ipynb",
}
# Setup cells that only train, time or draw for the reader: the tests need none of their names.
SLOW_SETUP = {"setup_train", "setup_accuracy", "setup_show_mistakes", "setup_learning_curve", "setup_learning_curves",
              "setup_mistakes", "setup_network_gradient_check", "setup_show_pictures", "setup_histograms",
              "setup_init_digits", "setup_plot_init_digits", "setup_batch_norm_digits", "setup_overfitting",
              "setup_plot_overfitting", "setup_compare", "setup_plot_compare", "setup_paths", "setup_plot_paths",
              "setup_digits", "setup_layer_gradient_check", "setup_activation_plot", "setup_losses_demo",
              "setup_numerical_gradient_demo", "setup_shopping_graph", "setup_sigmoid_plot"}
# Test cells of a part whose name is not the part's (where the catalog's CELLS does not say).
PART_OF = {"hidden_softmax_stability": "softmax"}
# a2's data are prepared in steps, each from the last one's arrays: wrong sizes or a wrong flattening give
# wrong arrays to scale (its checks compare them with the pictures).
DATA_FOLLOWERS = {"dimensions": {"flatten", "standardize"}, "flatten": {"standardize"}}


class Notebook:
    """A source notebook run in-process: its names after the answers and setup cells, and its test cells."""

    def __init__(self, assignment, monkeypatch):
        self.assignment = assignment
        folder = SOURCE_DIR / assignment
        monkeypatch.syspath_prepend(str(folder))
        monkeypatch.chdir(folder)
        matplotlib.use("Agg")
        self.notebook = nbformat.read(folder / NOTEBOOKS[assignment], as_version=4)
        self.solution = answers_of(self.notebook)
        self.catalog = Catalog.of_folder(folder)
        self.tests = {grade_id(cell): cell.source for cell in self.notebook.cells if is_test_cell(cell)}
        self.names = self.run_cells({})

    def part_of(self, cell):
        return PART_OF.get(cell, self.catalog.part_of_cell(cell))

    def run_cells(self, answers):
        """The notebook's names after its answer and setup cells, with ``answers`` replacing the solution's."""
        names = {"__name__": "__main__"}
        for cell in self.notebook.cells:
            cell_id = grade_id(cell) or ""
            if cell.cell_type != "code" or is_test_cell(cell) or cell_id in SLOW_SETUP \
                    or "skip-execution" in cell.metadata.get("tags", []):
                continue
            with quiet(), contextlib.suppress(Exception):  # a wrong answer may break a later setup cell
                exec(compile(answers.get(cell_id, cell.source), cell_id, "exec"), names)  # noqa: S102 (course code)
        return names

    def failures(self, names, cells, seed=0):
        """``{cell: error}`` of the test ``cells`` that fail with the notebook's ``names`` under ``seed``."""
        failed = {}
        for cell in cells:
            versions = {name: self.names[name] for name in self.catalog.uses.get(self.part_of(cell), ())}
            with quiet(), grading_run(seed), course_versions(names, versions):
                try:
                    exec(compile(self.tests[cell], cell, "exec"), dict(names))  # noqa: S102 (course code)
                except Exception as error:  # any failure of a test cell is its result
                    failed[cell] = f"{type(error).__name__}: {error}"
        return failed


@contextlib.contextmanager
def course_versions(names, versions):
    """``versions`` in ``names`` (the globals of the student's functions) for the block, then the student's back."""
    saved = {name: names[name] for name in versions if name in names}
    names.update(versions)
    try:
        yield
    finally:
        for name in versions:
            names.pop(name, None)
        names.update(saved)


@contextlib.contextmanager
def quiet():
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@pytest.fixture(scope="module", params=sorted(NOTEBOOKS))
def notebook(request):
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield Notebook(request.param, monkeypatch)


def seeded_cells(notebook):
    return [cell for cell, source in notebook.tests.items() if "grading_rng(" in source]


def test_hidden_tests_draw_fresh_inputs(notebook):
    seeded = seeded_cells(notebook)
    fixed = [cell for cell, source in notebook.tests.items() if "default_rng(" in source]
    assert seeded and fixed == []


def test_solution_passes_every_test_under_every_seed(notebook):
    for seed in SEEDS:
        assert notebook.failures(notebook.names, seeded_cells(notebook) if seed else notebook.tests, seed) == {}


def test_each_mistake_fails_its_own_part_under_every_seed_and_no_other_part(notebook):
    assert notebook.catalog is not None
    for mistake in notebook.catalog:
        names = notebook.run_cells({mistake.answer_cell: mistake.answer(notebook.solution[mistake.answer_cell])})
        failed = notebook.failures(names, notebook.tests)
        parts = {mistake.part} | DATA_FOLLOWERS.get(mistake.part, set())
        own = {cell for cell in failed if notebook.part_of(cell) in parts}
        assert own, f"{mistake.part}-{mistake.name} passed every test"
        assert set(failed) == own, f"{mistake.part}-{mistake.name} also failed {set(failed) - own}"
        for cell in set(seeded_cells(notebook)) & {cell for cell in own if notebook.part_of(cell) == mistake.part}:
            passing = [seed for seed in SEEDS[:MISTAKE_SEEDS] if cell not in notebook.failures(names, [cell], seed)]
            assert passing == [], f"{mistake.part}-{mistake.name} passes {cell} under seeds {passing}"


def test_unanswered_release_passes_no_test(notebook):
    release = nbformat.read(RELEASE_DIR / notebook.assignment / NOTEBOOKS[notebook.assignment], as_version=4)
    names = notebook.run_cells(answers_of(release))
    assert set(notebook.failures(names, notebook.tests)) == set(notebook.tests)


@pytest.mark.parametrize("assignment", sorted(ONLY_CALLING))
def test_code_that_only_calls_a_broken_dependency_gains_nothing(assignment):
    answers, losing = ONLY_CALLING[assignment]
    with pytest.MonkeyPatch.context() as monkeypatch:
        notebook = Notebook(assignment, monkeypatch)
        cells = [cell for cell in notebook.tests if notebook.part_of(cell) in losing]
        failed = notebook.failures(notebook.run_cells(answers), cells)
    assert len(cells) >= 2 * len(losing) and sorted(set(cells) - set(failed)) == []
