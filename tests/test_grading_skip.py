"""Grading leaves out the cells no test needs, as the instructor's notebook marks them
(coursekit.grading.grader.skipping).

The dependencies come from the notebooks themselves: no cell that runs at grading (test cells with
their hidden part included) may read a name whose last binding before it is in a skipped cell.
That the solution keeps full marks and every wrong variant loses what it lost before is tested in
each tests/test_a*.py, on the same executor.
"""

import nbformat
import pytest
from jupyter_core.utils import run_sync

from coursekit.grading.batch.harness import TempCourse
from coursekit.grading.grader import prestart
from coursekit.grading.grader.cleanroom import CleanRoomExecute, cells_skipped_at_grading
from coursekit.grading.grader.skipping import SKIP_AT_GRADING, SKIP_TAGS, cells_to_skip, marked_sources, stale_reads
from coursekit.grading.grader.trusted import TrustedFiles
from coursekit.grading.wall.limits import kill_process_groups
from coursekit.paths import SOURCE_DIR, assignments
from coursekit.submissions import answers_of, fill_answers, grade_id, is_answer_cell, is_test_cell, load_notebook


def source_notebook(assignment):
    (path,) = (SOURCE_DIR / assignment).glob("*.ipynb")
    return load_notebook(path)


def is_marked(cell):
    return bool(set(cell.metadata.get("tags", [])) & set(SKIP_TAGS))


def reads_from_skipped_cells(notebook):
    """``{cell: names}`` as stale_reads finds them on the instructor's notebook (hidden tests included)."""
    sources = [cell.source if cell.cell_type == "code" else None for cell in notebook.cells]
    skipped = {index for index, cell in enumerate(notebook.cells) if is_marked(cell)}
    return {grade_id(notebook.cells[index]) or f"cell {index + 1}": sorted(names)
            for index, names in stale_reads(sources, skipped).items()}


def mark(notebook, cell_id):
    cell = next(cell for cell in notebook.cells if grade_id(cell) == cell_id)
    cell.metadata.setdefault("tags", []).append(SKIP_AT_GRADING)
    return cell


@pytest.mark.parametrize("assignment", assignments())
def test_no_cell_that_runs_reads_what_only_a_skipped_cell_made(assignment):
    assert reads_from_skipped_cells(source_notebook(assignment)) == {}


@pytest.mark.parametrize("assignment", assignments())
def test_only_read_only_cells_are_marked(assignment):
    marked = [cell for cell in source_notebook(assignment).cells if is_marked(cell)]
    assert marked
    for cell in marked:
        assert cell.cell_type == "code" and not is_answer_cell(cell) and not is_test_cell(cell), grade_id(cell)
        assert cell.metadata.get("nbgrader", {}).get("locked", True), grade_id(cell)


def test_the_heavy_cells_are_marked():
    """The training runs and figures that cost most of a grading run are the ones marked."""
    marked = {a: {grade_id(c) for c in source_notebook(a).cells if is_marked(c)} for a in assignments()}
    assert {"setup_train", "setup_show_mistakes", "setup_learning_curve"} <= marked["a2_logistic_regression"]
    assert {"setup_descent_paths", "setup_learning_rate_runs"} <= marked["a3_gradient_descent"]
    assert {"setup_digits", "setup_train", "setup_gradient_timing"} <= marked["a4_neural_network"]
    assert {"setup_init_digits", "setup_overfitting"} <= marked["a5_training"]


def test_marking_a_needed_cell_is_found():
    a4 = source_notebook("a4_neural_network")
    mark(a4, "setup_functions_to_differentiate")  # the tests read function_2 and HeldWeights
    found = reads_from_skipped_cells(a4)
    assert found["test_numerical_gradient"] == ["HeldWeights", "function_2"]
    assert "hidden_numerical_gradient" in found
    a2 = source_notebook("a2_logistic_regression")
    mark(a2, "setup_load")  # the answers read the pictures
    assert "train_set_x_orig" in reads_from_skipped_cells(a2)["answer_dimensions"]


def test_a_skipped_cell_that_changes_an_object_a_later_cell_reads_is_found():
    a2 = source_notebook("a2_logistic_regression")
    pictures = next(cell for cell in a2.cells if grade_id(cell) == "setup_show_pictures")
    pictures.source += "\ntrain_set_x_orig[0] = 0"  # in place, no new binding
    assert is_marked(pictures)
    assert reads_from_skipped_cells(a2)["answer_flatten"] == ["train_set_x_orig"]
    assert stale_reads(["net = Net()", "net.train(data)", "print(net.accuracy)"], {1}) == {2: {"net"}}
    assert stale_reads(["import numpy as np", "np.random.seed(0)", "x = np.zeros(3)"], {1}) == {}
    assert stale_reads(["import numpy as np", "import numpy as np", "x = np.zeros(3)"], {1}) == {}
    assert stale_reads(["x = 1", "import numpy as x", "print(x)"], {1}) == {2: {"x"}}


@pytest.fixture(scope="module")
def a4_trusted():
    return TrustedFiles.for_course(SOURCE_DIR.parent, "a4_neural_network")


def submission_and_skipped(trusted, change=None):
    """The a4 release filled with the solution, changed by ``change``, and the grade ids grading leaves out."""
    source = source_notebook("a4_neural_network")
    tests = {grade_id(cell): cell.source for cell in source.cells if is_test_cell(cell)}
    submission = fill_answers(load_notebook(next((SOURCE_DIR.parent / "release" / "a4_neural_network").glob(
        "*.ipynb"))), answers_of(source))
    if change:
        change(submission)
    skipped = cells_skipped_at_grading(submission, trusted, "neural_network", tests)
    return {grade_id(submission.cells[index]) for index in skipped}


def test_grading_skips_what_the_instructor_marked_whatever_the_submission_tags(a4_trusted):
    marked = {grade_id(c) for c in source_notebook("a4_neural_network").cells if is_marked(c)}
    assert submission_and_skipped(a4_trusted) == marked

    def retag(submission):
        for cell in submission.cells:
            if cell.cell_type == "code":
                cell.metadata["tags"] = [] if is_marked(cell) else ["skip-execution", SKIP_AT_GRADING]

    assert submission_and_skipped(a4_trusted, retag) == marked


def test_an_edited_marked_cell_runs(a4_trusted):
    def edit(submission):
        next(c for c in submission.cells if grade_id(c) == "setup_train").source += "\nprint('mine')"

    skipped = submission_and_skipped(a4_trusted, edit)
    assert "setup_train" not in skipped and "setup_digits" not in skipped  # and what it reads runs too
    assert {"setup_activation_plot", "setup_gradient_timing", "setup_learning_curves"} <= skipped


def test_a_students_answer_that_reads_an_experiments_result_gets_it(a4_trusted):
    def use_history(submission):
        cell = next(c for c in submission.cells if grade_id(c) == "setup_learning_curves")
        cell.metadata.pop("nbgrader")  # the student's own cell after the experiments, not the course's
        cell.source = "final_accuracy = history['test_acc'][-1]"

    skipped = submission_and_skipped(a4_trusted, use_history)
    assert "setup_train" not in skipped and "setup_digits" not in skipped  # history needs both
    assert {"setup_activation_plot", "setup_gradient_timing"} <= skipped


def test_the_submissions_skip_tag_is_not_nbclients():
    assert CleanRoomExecute().skip_cells_with_tag not in (*SKIP_TAGS, "")


@pytest.fixture(scope="module")
def graded_both_ways(tmp_path_factory):
    """a1's solution, with a marked cell's skip tag removed and one added to an answer, on both grading paths."""
    assignment = "a1_numpy_basics"
    course = TempCourse(tmp_path_factory.mktemp("skip"), [assignment])
    submission = fill_answers(course.release_notebook(assignment), answers_of(course.source_notebook(assignment)))
    for cell in submission.cells:
        cell.metadata["tags"] = [] if is_marked(cell) else [SKIP_AT_GRADING, "skip-execution"]
    course.submit(assignment, "serial", submission)
    course.autograde_serial(assignment, "serial")
    batch = course.autograde(assignment, {"batch": submission}, workers=1)
    return course, assignment, batch


@pytest.mark.parametrize("student", ["serial", "batch"])
def test_both_paths_skip_the_marked_cells_and_run_the_rest(graded_both_ways, student):
    course, assignment, _ = graded_both_ways
    autograded = nbformat.read(course.notebook_path(f"autograded/{student}", assignment), as_version=4)
    marked = marked_sources(course.source_notebook(assignment))
    code = [cell for cell in autograded.cells if cell.cell_type == "code" and cell.source.strip()]
    skipped = [cell for cell in code if cell.source in marked]
    ran = [cell for cell in code if cell.source not in marked]
    assert len(skipped) == len(marked) and all(not cell.outputs for cell in skipped)
    assert all(cell.execution_count is None for cell in skipped)
    assert all(cell.execution_count is not None for cell in ran)


def test_the_solution_keeps_full_marks_with_cells_skipped(graded_both_ways):
    _, _, batch = graded_both_ways
    assert batch.scores["batch"] == batch.max_scores


def test_a_kernel_started_ahead_has_imported_what_the_notebook_imports(tmp_path):
    """The batch's next kernel imports the installed modules the notebook imports (off the critical path),
    binding no name; the assignment's own modules, which a submission may replace, are left alone."""
    trusted = TrustedFiles.for_course(SOURCE_DIR.parent, "a5_training")
    modules = prestart.installed_imports(trusted)
    assert {"numpy", "matplotlib.pyplot", "coursekit.digits"} <= set(modules)
    assert not {"training_checks", "multilayer_net"} & set(modules)
    environment = prestart.kernel_environment(trusted, tmp_path, 4096, tmp_path / "kernel.pids")
    folder = tmp_path / "notebook"
    prestart.start_kernel(prestart.kernel_name_of(trusted), environment, [], folder, folder, modules)
    started = prestart.take(prestart.kernel_name_of(trusted))
    client = started.manager.client()
    client.start_channels()
    printed = []
    try:
        run_sync(client.execute_interactive)(
            "import sys\nprint(sorted(m for m in ('numpy', 'matplotlib.pyplot', 'multilayer_net') if m in sys.modules),"
            " [name for name in ('numpy', 'np', 'plt') if name in dir()])", timeout=60,
            output_hook=lambda msg: printed.append(msg["content"].get("text", "")))
    finally:
        client.stop_channels()
        run_sync(started.manager.shutdown_kernel)(now=True)
        kill_process_groups(str(tmp_path / "kernel.pids"))
    assert "".join(printed).strip() == "['matplotlib.pyplot', 'numpy'] []"


def test_a_kernel_started_ahead_imports_only_what_the_cells_grading_runs_import():
    """a5 draws only in cells grading skips: its grading kernel is spared Matplotlib (about 0.3 s of CPU each), NumPy
    stays; a cell that runs and draws would bring Matplotlib back, as its figure cell then runs too."""
    trusted = TrustedFiles.for_course(SOURCE_DIR.parent, "a5_training")
    assert "matplotlib.pyplot" in prestart.installed_imports(trusted)
    at_grading = set(prestart.installed_imports(trusted, at_grading=True))
    assert "numpy" in at_grading and not {"matplotlib.pyplot", "coursekit.i18n_figures"} & at_grading
    notebook = {"cells": [
        {"cell_type": "code", "source": "import matplotlib.pyplot as plt", "metadata": {"tags": [SKIP_AT_GRADING]}},
        {"cell_type": "code", "source": "import numpy as np\nplt.plot(np.ones(2))", "metadata": {}}]}
    sources = prestart.code_sources(notebook)
    assert cells_to_skip(sources, prestart.marked_sources(notebook)) == set()
    notebook["cells"][1]["source"] = "import numpy as np"
    assert cells_to_skip(prestart.code_sources(notebook), prestart.marked_sources(notebook)) == {0}


def test_a_batch_imports_in_the_grader_only_installed_modules(monkeypatch):
    """Before it forks its workers, the batch imports what the diagnosis's replays import (NumPy, Matplotlib), never
    the assignment's own modules, which a submission may replace."""
    imported = []
    monkeypatch.setattr(prestart.importlib, "import_module", imported.append)
    prestart.import_in_grader(TrustedFiles.for_course(SOURCE_DIR.parent, "a5_training"))
    assert {"numpy", "matplotlib.pyplot"} <= set(imported)
    assert not {"training_checks", "multilayer_net"} & set(imported)
