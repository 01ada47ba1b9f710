"""a1_numpy_basics: the source validates, the release is clean and scores 0, the solution scores full
marks, wrong answers lose their function's points, correct alternatives keep them, and the notebooks
run from top to bottom.

Every submission is autograded once, in one call (module fixture ``graded``); the tests read the scores.
"""

import shutil
import textwrap

import nbclient
import nbformat
import pytest
from named_mistakes import assert_sentence_heard, naming
from nbgrader.validator import Validator

from coursekit.grading.grader.mistakes import Catalog
from coursekit.paths import COURSE_ROOT, RELEASE_DIR, SOURCE_DIR
from coursekit.standalone import make_standalone
from coursekit.submissions import SOLUTION_REGION, answers_of, error_cells, fill_answers, load_notebook, printed_text

ASSIGNMENT = "a1_numpy_basics"
NOTEBOOK = "numpy_basics.ipynb"
PARAMETERS = {
    "basic_sigmoid": "x", "sigmoid": "x", "sigmoid_derivative": "x", "image2vector": "image",
    "normalize_rows": "x", "softmax": "x", "L1": "yhat, y", "L2": "yhat, y",
}
POINTS = {  # function: (visible, hidden, stability)
    "basic_sigmoid": (1, 2), "sigmoid": (1, 3), "sigmoid_derivative": (1, 2), "image2vector": (1, 3),
    "normalize_rows": (1, 3), "softmax": (1, 3, 1), "L1": (1, 2), "L2": (1, 3),
}
# Functions whose points a wrong other function may cost. None: sigmoid_derivative calls the student's sigmoid,
# so its hidden test accepts s(1 - s) with the course's sigmoid or the student's, and its visible check, while
# sigmoid fails its own, says to fix sigmoid first instead of failing.
DEPENDENTS = {}


def graded_cells(function):
    stability = ["hidden_softmax_stability"] if function == "softmax" else []
    return [f"test_{function}", f"hidden_{function}", *stability]


def definitions(bodies):
    """``{answer cell id: code}`` defining each function of ``{function: body}``."""
    return {f"answer_{function}": f"def {function}({PARAMETERS[function]}):\n{textwrap.indent(body, '    ')}\n"
            for function, body in bodies.items()}


# Wrong answers, from the assignment's catalog of known mistakes: {function: {name: answer cell code}}.
CATALOG = Catalog.of_folder(SOURCE_DIR / ASSIGNMENT)
WRONG = CATALOG.answers(answers_of(load_notebook(SOURCE_DIR / ASSIGNMENT / NOTEBOOK)))
# Three correct alternatives per function; submission i holds the i-th of every function.
ALTERNATIVES = {
    "basic_sigmoid": ["return math.exp(x) / (1 + math.exp(x))", "return 0.5 * (1 + math.tanh(x / 2))",
                      "return 1 / (1 + math.e ** -x)"],
    "sigmoid": ["return np.exp(-np.logaddexp(0, -x))", "return 0.5 * (1 + np.tanh(x / 2))",
                "return np.exp(x) / (1 + np.exp(x))"],
    "sigmoid_derivative": ["s = sigmoid(x)\nreturn s - s ** 2", "e = np.exp(-x)\nreturn e / (1 + e) ** 2",
                           "return sigmoid(x) * sigmoid(-x)"],
    "image2vector": ["return image.reshape(-1, 1)", "return np.reshape(image, (image.size, 1))",
                     "return image.ravel()[:, np.newaxis]"],
    "normalize_rows": ["return x / np.sqrt(np.sum(x ** 2, axis=1, keepdims=True))",
                       "return x / np.linalg.norm(x, ord=2, axis=1).reshape(-1, 1)",
                       "return (x.T / np.linalg.norm(x, axis=1)).T"],
    "softmax": ["e = np.exp(x - np.max(x, axis=1)[:, np.newaxis])\nreturn (e.T / e.sum(axis=1)).T",
                "shifted = x - x.max(axis=1, keepdims=True)\n"
                "return np.exp(shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True)))",
                "return np.array([np.exp(row - row.max()) / np.sum(np.exp(row - row.max())) for row in x])"],
    "L1": ["return np.linalg.norm(yhat - y, ord=1)", "return float(sum(abs(a - b) for a, b in zip(yhat, y)))",
           "return np.abs(yhat - y).sum()"],
    "L2": ["return np.sum((yhat - y) ** 2)", "return np.linalg.norm(yhat - y) ** 2",
           "return float(np.sum(np.square(yhat - y)))"],
}
# Correct on ordinary scores, but overflows for entries near 1000: loses only the stability test.
SOFTMAX_WITHOUT_MAX = "e = np.exp(x)\nreturn e / np.sum(e, axis=1, keepdims=True)"
# Each function returns the output of its visible example, whatever the input.
HARD_CODED = {
    "basic_sigmoid": "return 0.9525741268224334",
    "sigmoid": "return np.array([0.73105858, 0.88079708, 0.95257413])",
    "sigmoid_derivative": "return np.array([0.19661193, 0.10499359, 0.04517666])",
    "image2vector": "return np.array([[0.9], [0.1], [0.1], [0.2], [0.8], [0.2], [0.1], [0.2], [0.9], [0.5], "
                    "[0.5], [0.5]])",
    "normalize_rows": "return np.array([[0.6, 0.0, 0.8], [2 / 11, 6 / 11, 9 / 11]])",
    "softmax": "return np.array([[0.09003057, 0.24472847, 0.66524096], [1 / 3, 1 / 3, 1 / 3]])",
    "L1": "return 1.05",
    "L2": "return 0.3025",
}
WRONG_CASES = [(function, label) for function, variants in WRONG.items() for label in variants]
# To grade fewer notebooks, a wrong submission holds a wrong variant of two functions whose tests
# do not share anything; each of the pair must lose its points and every other function keep its.
PAIRS = [("basic_sigmoid", "image2vector"), ("sigmoid", "normalize_rows"), ("sigmoid_derivative", "softmax"),
         ("L1", "L2")]
PARTNER = {**dict(PAIRS), **{second: first for first, second in PAIRS}}


def wrong_submissions():
    """``{student: [(function, label), (partner, label)]}``: the i-th variants of each pair together."""
    submissions = {}
    for first, second in PAIRS:
        firsts, seconds = list(WRONG[first]), list(WRONG[second])
        for index in range(max(len(firsts), len(seconds))):
            cases = [(first, firsts[index % len(firsts)]), (second, seconds[index % len(seconds)])]
            submissions["wrong_" + "_and_".join(f"{f}_{label}" for f, label in cases).lower()] = cases
    return submissions


WRONG_SUBMISSIONS = wrong_submissions()


def wrong_student(function, label):
    """The first wrong submission holding this variant."""
    return next(student for student, cases in WRONG_SUBMISSIONS.items() if (function, label) in cases)


def affected_cells(function):
    """The graded cells a wrong ``function`` may cost: its own and those of functions calling it."""
    return [cell for f in [function, *DEPENDENTS.get(function, [])] for cell in graded_cells(f)]


def alternatives_student(index):
    return f"alternatives_{index + 1}"


def submissions_answers():
    """``{student: answers replacing the solution's}`` of every graded submission but the untouched release."""
    answers = {"solution": {}, "softmax_without_max": definitions({"softmax": SOFTMAX_WITHOUT_MAX}),
               "hard_coded": definitions(HARD_CODED)}
    for index in range(3):
        answers[alternatives_student(index)] = definitions({f: bodies[index] for f, bodies in ALTERNATIVES.items()})
    for student, cases in WRONG_SUBMISSIONS.items():
        answers[student] = {f"answer_{f}": WRONG[f][label] for f, label in cases}
    return answers


@pytest.fixture(scope="module")
def course(course_for):
    return course_for(ASSIGNMENT)


@pytest.fixture(scope="module")
def graded(course):
    """Every submission autograded in one run: the GradeResult."""
    return course.autograde_answers(ASSIGNMENT, submissions_answers())


def test_points_per_function_total_30(graded):
    expected = {cell: float(share) for function, points in POINTS.items()
                for cell, share in zip(graded_cells(function), points, strict=True)}
    assert graded.max_scores == expected
    assert sum(expected.values()) == 30


def test_source_passes_nbgrader_validate(tmp_path):
    folder = shutil.copytree(SOURCE_DIR / ASSIGNMENT, tmp_path / ASSIGNMENT)
    assert Validator().validate(str(folder / NOTEBOOK)) == {}


def test_release_holds_no_solution_and_no_hidden_test():
    """No markers, and none of the lines found only inside solution or hidden-test regions of the source."""
    source = load_notebook(SOURCE_DIR / ASSIGNMENT / NOTEBOOK)
    regions = [region for cell in source.cells for region in SOLUTION_REGION.findall(cell.source)]
    regions += [cell.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
                for cell in source.cells if "### BEGIN HIDDEN TESTS" in cell.source]
    public = "\n".join(cell.source for cell in source.cells)
    for region in regions:
        public = public.replace(region, "")
    public_lines = {line.strip() for line in public.splitlines()}
    # Lines of code, not punctuation or a name in an import list, which a visible cell may share by chance.
    secret = {line.strip() for region in regions for line in region.splitlines()
              if len(line.strip().rstrip(",")) > 1 and not line.strip().rstrip(",").isidentifier()} - public_lines
    release = "\n".join(cell.source for cell in load_notebook(RELEASE_DIR / ASSIGNMENT / NOTEBOOK).cells)
    assert len(secret) > 50
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in release
    assert [line for line in secret if line in release] == []


def test_committed_release_is_generated_from_the_source(course, tmp_path):
    committed = RELEASE_DIR / ASSIGNMENT
    generated = shutil.copytree(course.root / "release" / ASSIGNMENT, tmp_path / ASSIGNMENT)
    make_standalone(generated)  # what `make release` adds to nbgrader's release: the folder stands alone
    assert sorted(p.name for p in committed.iterdir()) == sorted(p.name for p in generated.iterdir())
    stale = [path.name for path in generated.iterdir() if (committed / path.name).read_bytes() != path.read_bytes()]
    assert stale == [], f"run python -m coursekit.release {ASSIGNMENT}"


def test_notebooks_in_git_carry_no_outputs():
    for path in (SOURCE_DIR / ASSIGNMENT / NOTEBOOK, RELEASE_DIR / ASSIGNMENT / NOTEBOOK,
                 COURSE_ROOT / "notebooks" / "00_first_steps.ipynb"):
        for cell in load_notebook(path).cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path


def test_every_submission_is_graded(graded):
    assert graded.failures == {}
    assert all(scores is not None for scores in graded.scores.values())


def test_untouched_release_scores_zero_everywhere(graded):
    assert graded.scores["untouched_release"] == {cell: 0.0 for cell in graded.max_scores}


@pytest.mark.parametrize(("function", "label"), WRONG_CASES, ids=[f"{f}-{w}" for f, w in WRONG_CASES])
def test_wrong_answer_loses_its_function_points_and_no_other(graded, function, label):
    student = wrong_student(function, label)
    losing = graded_cells(function)
    keeping = [cell for cell in graded.max_scores
               if cell not in affected_cells(function) + affected_cells(PARTNER[function])]
    assert graded.scores_of(student, losing) == {cell: 0.0 for cell in losing}
    assert graded.scores_of(student, keeping) == graded.full_marks(keeping)


@pytest.mark.parametrize("label", ["precedence", "loop_over_rows"])
def test_at_grading_sigmoid_derivative_is_judged_with_the_courses_sigmoid(graded, course, label):
    """With a wrong sigmoid, sigmoid_derivative's checks run on the course's sigmoid at grading (the catalog's USES):
    they pass, and it keeps its points. (In the student's own kernel its check sends the student to sigmoid:
    tests/test_check_messages.py.)"""
    student = wrong_student("sigmoid", label)
    printed = printed_text(nbformat.read(course.notebook_path(f"autograded/{student}", ASSIGNMENT), as_version=4))
    assert printed["test_sigmoid_derivative"] == "All visible checks of sigmoid_derivative passed.\n"
    assert graded.scores_of(student, graded_cells("sigmoid_derivative")) == graded.full_marks(
        graded_cells("sigmoid_derivative"))


@pytest.mark.parametrize("student", ["solution", *map(alternatives_student, range(3))])
def test_correct_answers_score_full_marks(graded, student):
    assert graded.scores[student] == graded.max_scores


def test_softmax_without_max_subtraction_loses_only_the_stability_points(graded):
    expected = {**graded.max_scores, "hidden_softmax_stability": 0.0}
    assert graded.scores["softmax_without_max"] == expected


def test_hard_coded_answers_lose_the_hidden_points(graded):
    hidden = [cell for cell in graded.max_scores if cell.startswith("hidden_")]
    assert graded.scores_of("hard_coded", hidden) == {cell: 0.0 for cell in hidden}


@pytest.mark.parametrize(("function", "label"), WRONG_CASES, ids=[f"{f}-{w}" for f, w in WRONG_CASES])
def test_visible_and_hidden_failures_say_the_catalogs_sentence(graded, course, function, label):
    """A student hears a catalogued mistake's sentence from the visible check (its hint) and again in the
    feedback of the hidden test that judged the same answer."""
    failed = course.failed_tests(ASSIGNMENT, wrong_student(function, label))
    assert_sentence_heard(failed, function, CATALOG.get(function, label).says, f"test_{function}",
                          graded_cells(function)[1:])


def test_hidden_failure_does_not_show_reference_values(graded, course):
    errors = course.failed_tests(ASSIGNMENT, "hard_coded")
    for function in ("L1", "L2"):  # their hard-coded answers pass the visible example
        assert "test_" + function not in errors
        message = errors[f"hidden_{function}"]
        assert message.splitlines() == [f"CheckFailed: {function} on fixed vectors of length 4 gives wrong values.",
                                        f"Your `{function}` returns wrong values on one of the hidden inputs."]


def test_release_runs_top_to_bottom_with_the_solution(tmp_path):
    folder = shutil.copytree(RELEASE_DIR / ASSIGNMENT, tmp_path / ASSIGNMENT)
    solution = answers_of(load_notebook(SOURCE_DIR / ASSIGNMENT / NOTEBOOK))
    notebook = fill_answers(load_notebook(folder / NOTEBOOK), solution)
    nbclient.NotebookClient(notebook, resources={"metadata": {"path": str(folder)}}, timeout=120,
                            skip_cells_with_tag="none").execute()
    errors = [o for cell in notebook.cells for o in cell.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    timing = [cell for cell in notebook.cells if "skip-execution" in cell.metadata.get("tags", [])]
    assert timing and all(cell.outputs for cell in timing)


def test_first_steps_notebook_runs(tmp_path):
    notebook = load_notebook(COURSE_ROOT / "notebooks" / "00_first_steps.ipynb")
    nbclient.NotebookClient(notebook, resources={"metadata": {"path": str(tmp_path)}}, timeout=60).execute()
    assert not [o for cell in notebook.cells for o in cell.get("outputs", []) if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for cell in notebook.cells for o in cell.get("outputs", []))


def test_autograded_solution_shows_no_error_in_any_cell(graded, course):
    """At grading (skip-execution cells left out, tests in the grader) every cell of the solution runs cleanly."""
    autograded = nbformat.read(course.notebook_path("autograded/solution", ASSIGNMENT), as_version=4)
    assert error_cells(autograded) == {}


def test_feedback_names_no_mistake_a_student_did_not_make(graded, course):
    """A failed hidden test names a catalogued mistake only when the student made it (in the catalog's words)."""
    right, wrong = naming(course, ASSIGNMENT, CATALOG, graded.scores)
    assert wrong == set()
    assert {(part, name) for _, _, part, name in right} == {(m.part, m.name) for m in CATALOG}  # every one named
