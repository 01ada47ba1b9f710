"""The class report of named mistakes (reports/<assignment>-mistakes.html and .csv): counts per question, student
ids escaped, rendered in a browser."""

import csv
import shutil
import subprocess

import nbformat
import pytest
from browser import CHROMIUM, CHROMIUM_ARGS

from coursekit.grading.batch.grade import Outcome
from coursekit.grading.grader.mistakes import Catalog
from coursekit.paths import SOURCE_DIR
from coursekit.reports import UNRECOGNISED, write_mistakes_report

A4 = "a4_neural_network"
HOSTILE = "<script>alert(1)</script>&x"
MAXIMA = {"test_sigmoid_layer": 1.0, "hidden_sigmoid_layer": 2.0, "hidden_affine": 3.0}


def autograded(root, student, diagnoses):
    folder = root / "autograded" / student / A4
    folder.mkdir(parents=True)
    notebook = nbformat.v4.new_notebook(metadata={"coursekit": {"diagnoses": diagnoses}})
    nbformat.write(notebook, folder / "neural_network.ipynb")


@pytest.fixture
def report(tmp_path):
    """A class of four: two named mistakes on Sigmoid, one failure not recognised, one made-up mistake."""
    shutil.copytree(SOURCE_DIR / A4, tmp_path / "source" / A4)
    named = {"hidden_sigmoid_layer": {"part": "sigmoid_layer", "mistake": "dout_times_out", "property": None}}
    autograded(tmp_path, "ann", named)
    autograded(tmp_path, HOSTILE, named)
    autograded(tmp_path, "bo", {"hidden_affine": {"part": "affine", "mistake": None, "property": "values"}})
    autograded(tmp_path, "cy", {"hidden_affine": {"part": "affine", "mistake": "made_up", "property": None}})
    full = dict(MAXIMA)
    outcomes = [Outcome("ann", "graded", 1.0, scores={**full, "hidden_sigmoid_layer": 0.0}),
                Outcome(HOSTILE, "graded", 1.0, scores={**full, "hidden_sigmoid_layer": 0.0}),
                Outcome("bo", "graded", 1.0, scores={**full, "hidden_affine": 0.0}),
                Outcome("cy", "graded", 1.0, scores={**full, "hidden_affine": 0.0})]
    return write_mistakes_report(tmp_path, A4, outcomes, MAXIMA)


def test_report_counts_named_mistakes_apart_from_others(report):
    with open(report.with_suffix(".csv"), newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["mistake"]]
    counted = {(row["question"], row["mistake"]): (int(row["students_count"]), row["students"]) for row in rows}
    assert counted == {("hidden_sigmoid_layer", "dout_times_out"): (2, f"ann {HOSTILE}"),
                       ("hidden_affine", UNRECOGNISED): (2, "bo cy")}  # a mistake not in the catalog is not believed
    assert next(r for r in rows if r["mistake"] == "dout_times_out")["explanation"].startswith("The backward pass")


def test_report_page_escapes_student_ids(report):
    page = report.read_text()
    assert HOSTILE not in page and "&lt;script&gt;alert(1)&lt;/script&gt;&amp;x" in page
    assert "<script" not in page and "Content-Security-Policy" in page
    assert page.count("<img ") == 1 and "data:image/png;base64," in page


def test_report_page_renders(report, tmp_path):
    """Rendered in headless chromium (the screenshot was looked at when the report was made)."""
    if not shutil.which(CHROMIUM):
        pytest.skip("needs Debian's chromium")
    shot = tmp_path / "mistakes.png"
    subprocess.run([CHROMIUM, *CHROMIUM_ARGS, f"--screenshot={shot}", "--window-size=1000,900",
                    report.as_uri()], check=True, capture_output=True, timeout=120)
    assert shot.stat().st_size > 10_000


def test_two_parts_with_a_mistake_of_the_same_name_each_show_their_own_sentence(tmp_path):
    """a2's data steps share mistake names: each question shows the sentence of its own part's mistake."""
    a2 = "a2_logistic_regression"
    shutil.copytree(SOURCE_DIR / a2, tmp_path / "source" / a2)
    catalog = Catalog.of_folder(SOURCE_DIR / a2)
    name = "constant_arrays"
    assert catalog.get("dimensions", name).says != catalog.get("flatten", name).says
    maxima = {"hidden_dimensions": 2.0, "hidden_flatten": 2.0}
    for part in ("dimensions", "flatten"):
        folder = tmp_path / "autograded" / part / a2
        folder.mkdir(parents=True)
        diagnoses = {f"hidden_{part}": {"part": part, "mistake": name, "property": None}}
        nbformat.write(nbformat.v4.new_notebook(metadata={"coursekit": {"diagnoses": diagnoses}}),
                       folder / "logistic_regression.ipynb")
    outcomes = [Outcome(part, "graded", 1.0, scores={**maxima, f"hidden_{part}": 0.0})
                for part in ("dimensions", "flatten")]
    report = write_mistakes_report(tmp_path, a2, outcomes, maxima)
    with open(report.with_suffix(".csv"), newline="") as handle:
        said = {row["question"]: row["explanation"] for row in csv.DictReader(handle) if row["mistake"] == name}
    assert said == {f"hidden_{part}": catalog.get(part, name).says for part in ("dimensions", "flatten")}
    assert "(2 points," in report.read_text()
