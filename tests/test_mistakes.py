"""The catalogs of known mistakes: they stay with the instructor, every entry applies to the solution, and the
grader names a mistake only when a student's recorded results match that one variant."""

import json

import nbformat
import numpy as np
import pytest

from coursekit import checks
from coursekit.checks import HINTS_FILE, CheckFailed, fail, recognise_mistakes
from coursekit.grading.grader.diagnosis import NAMED, Diagnoser, Event, NotebookDiagnoses, Opaque, Ref
from coursekit.grading.grader.mistakes import CATALOG_PATTERN, Catalog
from coursekit.grading.grader.trusted import TrustedFiles
from coursekit.paths import RELEASE_DIR, SOURCE_DIR
from coursekit.submissions import answers_of

CATALOGUED = sorted(path.parent.name for path in SOURCE_DIR.glob(f"*/{CATALOG_PATTERN}"))
A4 = "a4_neural_network"


def source_text(assignment):
    (path,) = (SOURCE_DIR / assignment).glob("*.ipynb")
    return path.read_text()


def test_a4_has_a_catalog():
    assert A4 in CATALOGUED


@pytest.mark.parametrize("assignment", CATALOGUED)
def test_catalog_reaches_neither_the_release_nor_the_kernel(assignment):
    assert not list((RELEASE_DIR / assignment).rglob(CATALOG_PATTERN))
    kernel_files = TrustedFiles(SOURCE_DIR / assignment, None).source_files(notebooks=False)
    assert kernel_files and not [path for path in kernel_files if path.match(CATALOG_PATTERN)]


def test_a_fresh_release_leaves_the_catalog_out(course_for):
    course = course_for(A4)
    assert list((course.root / "source" / A4).glob(CATALOG_PATTERN))
    assert (course.root / "release" / A4).is_dir() and not list((course.root / "release" / A4).rglob("*mistakes*"))


@pytest.mark.parametrize("assignment", CATALOGUED)
def test_every_mistake_edits_the_solution_and_says_one_sentence(assignment):
    catalog = Catalog.of_folder(SOURCE_DIR / assignment)
    solution = answers_of(nbformat.reads(source_text(assignment), as_version=4))
    for mistake in catalog:
        assert mistake.answer(solution[mistake.answer_cell]) != solution[mistake.answer_cell], mistake.name
        says = mistake.says
        assert says[0].isupper() and says.endswith(".") and says.count(". ") == 0, says
        assert "np." not in says and "`" not in says and "expected" not in says and "[" not in says, says


class View:
    labels = {1: "Sigmoid", 2: "Sigmoid", 3: "sigmoid"}

    def label(self, number, attribute=None):
        return f"{self.labels[number]}.{attribute}" if attribute else self.labels[number]


def sigmoid_layer_record(layer_class):
    """The operations of a test on a Sigmoid layer, with the results ``layer_class`` gives."""
    rng = np.random.default_rng(5)
    x, dout = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    layer = layer_class()
    out = layer.forward(x.copy())
    dx = layer.backward(dout.copy())
    return [Event("name", 1, "Sigmoid"), Event("call", 1, None, ((), {}), ((), {}), Ref(2)),
            Event("call", 2, "forward", ((x,), {}), ((x,), {}), out),
            Event("call", 2, "backward", ((dout,), {}), ((dout,), {}), dx)]


@pytest.fixture(scope="module")
def a4_diagnoser():
    return Diagnoser(Catalog.of_folder(SOURCE_DIR / A4), source_text(A4))


def test_a_recorded_mistake_is_named_with_its_sentence(a4_diagnoser):
    mistake = a4_diagnoser.catalog.get("sigmoid_layer", "dout_times_out")
    wrong = a4_diagnoser.builder.namespace(mistake)["Sigmoid"]
    diagnosis = a4_diagnoser.diagnose("hidden_sigmoid_layer", sigmoid_layer_record(wrong), View())
    assert (diagnosis.part, diagnosis.mistake) == ("sigmoid_layer", "dout_times_out")
    assert diagnosis.sentence() == NAMED.format(where="Sigmoid.backward", says=mistake.says)


def test_an_unknown_mistake_gets_the_failed_property_and_no_name(a4_diagnoser):
    class Sigmoid:
        def forward(self, x):
            self.out = 1 / (1 + np.exp(-x))
            return self.out

        def backward(self, dout):
            return dout * (1 - self.out)

    diagnosis = a4_diagnoser.diagnose("hidden_sigmoid_layer", sigmoid_layer_record(Sigmoid), View())
    assert diagnosis.mistake is None and diagnosis.property == "values"
    assert diagnosis.sentence() == "Your `Sigmoid.backward` returns wrong values on one of the hidden inputs."


def test_right_answers_and_unreplayable_records_get_nothing(a4_diagnoser):
    right = a4_diagnoser.builder.namespace()["Sigmoid"]
    assert a4_diagnoser.diagnose("hidden_sigmoid_layer", sigmoid_layer_record(right), View()) is None
    opaque = [Event("name", 3, "sigmoid"), Event("call", 3, None, ((Opaque(),), {}), ((Opaque(),), {}), 1.0)]
    assert a4_diagnoser.diagnose("hidden_sigmoid", opaque, View()) is None


def test_a_result_two_variants_share_names_neither():
    """Two catalogued mistakes that give the same results: the grader names none of them."""
    twins = Catalog({"sigmoid": {"sign": {"says": "One.", "edits": [("np.exp(-x)", "np.exp(x)")]},
                                 "twin": {"says": "Two.", "edits": [("1 / (1 + np.exp(-x))", "1 / (1 + np.exp(x))")]}}})
    diagnoser = Diagnoser(twins, source_text(A4))
    x = np.linspace(-2, 2, 5)
    events = [Event("name", 3, "sigmoid"), Event("call", 3, None, ((x,), {}), ((x,), {}), 1 / (1 + np.exp(x)))]
    diagnosis = diagnoser.diagnose("hidden_sigmoid", events, View())
    assert diagnosis.mistake is None and diagnosis.property == "values"
    alone = Catalog({"sigmoid": {"sign": {"says": "One.", "edits": [("np.exp(-x)", "np.exp(x)")]}}})
    assert Diagnoser(alone, source_text(A4)).diagnose("hidden_sigmoid", events, View()).mistake == "sign"


def test_a_mistake_the_visible_check_named_is_named_where_the_replay_cannot_tell_or_has_nothing():
    """The visible check named ``sign`` (what it saw on the visible examples is what ``sign`` gives): the hidden
    test names it too when its replay leaves it among the candidates, or when the test made no call to replay."""
    twins = Catalog({"sigmoid": {"sign": {"says": "One.", "edits": [("np.exp(-x)", "np.exp(x)")]},
                                 "twin": {"says": "Two.", "edits": [("1 / (1 + np.exp(-x))", "1 / (1 + np.exp(x))")]}}})
    diagnoser = Diagnoser(twins, source_text(A4))
    x = np.linspace(-2, 2, 5)
    events = [Event("name", 3, "sigmoid"), Event("call", 3, None, ((x,), {}), ((x,), {}), 1 / (1 + np.exp(x)))]
    assert diagnoser.diagnose("hidden_sigmoid", events, View(), [("sigmoid", "sign")]).mistake == "sign"
    assert diagnoser.diagnose("hidden_sigmoid", [], View(), [("sigmoid", "twin")]).mistake == "twin"
    assert diagnoser.diagnose("hidden_sigmoid", [], View(), [("relu", "twin")]) is None  # another part's name
    assert diagnoser.diagnose("hidden_sigmoid", [], View()) is None


def test_a_mistake_the_visible_check_named_is_not_named_when_the_hidden_replay_rules_it_out(a4_diagnoser):
    class Sigmoid:  # not the catalogued dout_times_out on the hidden inputs
        def forward(self, x):
            self.out = 1 / (1 + np.exp(-x))
            return self.out

        def backward(self, dout):
            return dout * (1 - self.out)

    named = [("sigmoid_layer", "dout_times_out")]
    diagnosis = a4_diagnoser.diagnose("hidden_sigmoid_layer", sigmoid_layer_record(Sigmoid), View(), named)
    assert diagnosis.mistake is None and diagnosis.property == "values"


def test_the_notebooks_diagnoses_hear_only_the_mistakes_its_own_checks_named(tmp_path, monkeypatch):
    monkeypatch.setattr(checks, "_known_mistakes", {})
    monkeypatch.setattr(checks, "named_mistakes", [])
    (tmp_path / HINTS_FILE).write_text(json.dumps({"says": {"sigmoid": {"sign": "One."}},
                                                   "seen": {"sigmoid(1) has wrong values.": ["sigmoid", "sign"]}}))
    recognise_mistakes(tmp_path / "x_checks.py")
    with pytest.raises(CheckFailed):
        fail("sigmoid(1) has wrong values.")  # a check of an earlier notebook

    class Files:
        def source_files(self):
            return {}

    notes = NotebookDiagnoses(Files(), "neural_network")
    with pytest.raises(CheckFailed):
        fail("sigmoid(1) has wrong values.")
    named = []
    notes.diagnoser = type("Spy", (), {"diagnose": lambda self, *args: named.append(args[3])})()
    notes.note("hidden_sigmoid", [], nbformat.v4.new_output("error", ename="E", evalue="", traceback=[]), View())
    assert named == [[("sigmoid", "sign")]]


def function_record(name, function, *args):
    """The operations of a test that calls a student's function once, with the results ``function`` gives."""
    before = tuple(np.array(a, copy=True) for a in args)
    result = function(*args)
    return [Event("name", 3, name), Event("call", 3, None, (before, {}), (args, {}), result)]


def overwrite(x):
    x[...] = 1 / (1 + np.exp(-x))
    return x


@pytest.mark.parametrize(("function", "argument", "prop"), [
    (lambda x: (1 / (1 + np.exp(-x))).T, np.ones((2, 3)), "shape"),
    (lambda x: 1 / (1 + np.exp(-x)) > 0.5, np.ones((2, 3)), "kind"),
    (overwrite, np.linspace(-1, 1, 4), "changes_input"),
    (lambda x: 1 / (2 + np.exp(-x)), np.arange(-2, 3), "values_on_integers"),
    (lambda x: 1 / (2 + np.exp(-x)), np.linspace(-2, 2, 5), "values"),
])
def test_failed_property_names_what_differs(a4_diagnoser, function, argument, prop):
    diagnosis = a4_diagnoser.diagnose("hidden_sigmoid", function_record("sigmoid", function, argument), View())
    assert diagnosis.mistake is None and diagnosis.property == prop
    assert diagnosis.sentence().startswith("Your `sigmoid` ") and "[" not in diagnosis.sentence()


def test_a_diagnosis_that_fails_leaves_the_verdict_alone():
    class NoFiles:
        def source_files(self):
            return {}

    class Broken:
        def diagnose(self, *args):
            raise RuntimeError("a bug in the replay")

    notes = NotebookDiagnoses(NoFiles(), "neural_network")
    assert notes.diagnoser is None
    notes.diagnoser = Broken()
    failure = nbformat.v4.new_output("error", ename="CheckFailed", evalue="sigmoid is wrong", traceback=["x"])
    notes.note("hidden_sigmoid", [], failure, View())
    assert failure.evalue == "sigmoid is wrong" and failure.traceback == ["x"]
    assert notes.records == {"hidden_sigmoid": {"part": None, "mistake": None, "property": None}}
