"""The fault and cheat corpus: broken and adversarial submissions for both assignments.

Each case is a submission and its expected per-question scores, status and reason. Whatever
happens, no score is inflated, the batch finishes, and no submission is modified or lost.
"""

import contextlib
import html
import json
import re
import shutil
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from hostile import ATTACKS, HOSTILE_MARKDOWN, SLEEPER, attack_source
from nbgrader.converters.base import NbGraderException

from coursekit.grading.batch import course as nbgrader_ops
from coursekit.grading.batch.guard import SubmissionSnapshot, tree_digest
from coursekit.grading.batch.harness import TempCourse
from coursekit.grading.grader.scores import question_scores
from coursekit.submissions import answers_of, fill_answers, grade_id, is_test_cell, secret_test_lines


@dataclass(frozen=True)
class Target:
    """The answer a case attacks, its tests, and a hard-coded fake of it. Every other test keeps its points: a2's
    model, which calls predict, too (while predict has lost points, the course's predict stands in for it in model's
    tests; measured on every case below)."""

    function: str
    answer: str
    affected: frozenset
    hardcoded: str
    visible: str  # the visible test a hard-coded fake passes


TARGETS = {
    "a1_numpy_basics": Target(
        "L1", "answer_L1", frozenset({"test_L1", "hidden_L1"}),
        "def L1(yhat, y):\n    return 1.05\n", "test_L1"),
    "a2_logistic_regression": Target(
        "predict", "answer_predict",
        frozenset({"test_predict", "hidden_predict"}),
        "import numpy as np\n\ndef predict(w, b, X):\n"
        "    if not np.any(w) and b == 0:\n        return np.zeros((1, X.shape[1]))\n"
        "    return np.array([[0, 0, 1, 1, 1, 1]])[:, :X.shape[1]]\n", "test_predict"),
}
STUBBORN_LOOP = ("\nimport time\nwhile True:\n    try:\n        time.sleep(0.01)\n"
                 "    except KeyboardInterrupt:\n        pass\n")
BROKEN = "raise ValueError('not done yet')\n"


def patched(patch):
    """A case: a monkeypatch followed by the hard-coded fake of the target."""
    return lambda t, answers: {t.answer: patch + "\n" + t.hardcoded}


# name -> (answers to put in, expected loss: "none" | "affected" | "hidden")
ANSWER_CASES = {
    "endless_loop_in_function": (lambda t, a: {t.answer: f"def {t.function}(*args, **kwargs):\n    while True:\n"
                                                         "        pass\n"}, "affected"),
    "interrupt_proof_loop": (lambda t, a: {t.answer: a[t.answer] + STUBBORN_LOOP}, "affected"),
    "os_exit": (lambda t, a: {t.answer: a[t.answer] + "\nimport os\nos._exit(0)\n"}, "affected"),
    "sys_exit": (lambda t, a: {t.answer: a[t.answer] + "\nimport sys\nsys.exit()\n"}, "none"),
    "segfault": (lambda t, a: {t.answer: a[t.answer] + "\nimport ctypes\nctypes.string_at(0)\n"}, "affected"),
    "memory_hog": (lambda t, a: {t.answer: a[t.answer] + "\nimport numpy\nhog = numpy.ones(5 * 2**30)\n"}, "none"),
    "syntax_error": (lambda t, a: {t.answer: a[t.answer] + "\ndef broken(:\n    pass\n"}, "affected"),
    "name_error": (lambda t, a: {t.answer: "helper_that_does_not_exist()\n" + a[t.answer]}, "affected"),
    "hard_coded_example": (lambda t, a: {t.answer: t.hardcoded}, "hidden"),
    "patch_allclose": (patched("import numpy as np\nnp.allclose = lambda *a, **k: True\n"
                               "np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), bool)"), "hidden"),
    "patch_assert_allclose": (patched("import numpy as np\nnp.testing.assert_allclose = lambda *a, **k: None\n"
                                      "np.testing.assert_array_equal = lambda *a, **k: None"), "hidden"),
    "patch_builtins": (patched("import builtins\nbuiltins.abs = lambda x: 0\nbuiltins.isinstance = lambda *a: True\n"
                               "builtins.AssertionError = type('AssertionError', (Exception,), {})"), "affected"),
    "patch_exp": (patched("import numpy as np\nnp.exp = lambda x: x"), "hidden"),
    "patch_check_module": (patched("import sys\nfor m in list(sys.modules.values()):\n"
                                   "    if getattr(m, '__name__', '').endswith('_checks'):\n"
                                   "        for n in dir(m):\n"
                                   "            if n.startswith(('check', 'expect')):\n"
                                   "                setattr(m, n, lambda *a, **k: None)"), "hidden"),
}


def expected_scores(maxima, loss, target):
    lost = {"none": set(), "affected": set(target.affected), "hidden": set(target.affected) - {target.visible}}[loss]
    return {q: (0.0 if q in lost else points) for q, points in maxima.items()}


def restructure(release, answers, target, change):
    """A wrong answer for the target plus a change to its test cells (delete, move, retype...)."""
    notebook = fill_answers(release, {**answers, target.answer: BROKEN})
    tests = [c for c in notebook.cells if is_test_cell(c) and grade_id(c) in target.affected
             and target.function in grade_id(c)]
    change(notebook, tests)
    return notebook


def delete(nb, tests):
    nb.cells = [c for c in nb.cells if c not in tests]


def duplicate(nb, tests):
    nb.cells.insert(nb.cells.index(tests[0]), nbformat.from_dict(tests[0]))


def move_to_end(nb, tests):
    delete(nb, tests)
    nb.cells.extend(tests)


def retype(nb, tests):
    for cell in tests:
        cell.cell_type = "markdown"
        cell.pop("outputs", None)
        cell.pop("execution_count", None)


def edit(nb, tests):
    for cell in tests:
        cell.source = "pass"


def rename_ids(nb, tests):
    for cell in tests:
        cell.metadata.nbgrader["grade_id"] = "my_" + cell.metadata.nbgrader["grade_id"]


def flip_metadata(nb, tests):
    for cell in tests:
        cell.metadata.nbgrader.update(grade=False, solution=True, locked=False, points=100)


def add_fake_test(nb, tests):
    fake = nbformat.v4.new_code_cell("print('free points')", metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "points": 50, "grade_id": tests[0].metadata.nbgrader[
            "grade_id"] + "_bonus", "schema_version": 3}})
    nb.cells.insert(nb.cells.index(tests[0]), fake)


STRUCTURE_CASES = {"deleted_tests": delete, "duplicated_test": duplicate, "moved_tests": move_to_end,
                   "retyped_tests": retype, "edited_tests": edit, "renamed_grade_ids": rename_ids,
                   "flipped_metadata": flip_metadata, "fake_test_cell": add_fake_test}
BROKEN_FILES = {  # name -> what the submission folder holds instead of the notebook
    "invalid_json": lambda folder, name: (folder / name).write_text('{"cells": [ this is not json'),
    "not_a_notebook": lambda folder, name: (folder / name).write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64)),
    "empty_folder": lambda folder, name: (folder / name).unlink(),
    "renamed_notebook": lambda folder, name: (folder / name).rename(folder / ("my_" + name)),
}



@pytest.fixture(scope="module", params=sorted(TARGETS))
def graded_corpus(request, tmp_path_factory):
    """Grade every case of one assignment in one batch; return what the tests look at."""
    assignment = request.param
    target = TARGETS[assignment]
    course = TempCourse(tmp_path_factory.mktemp(assignment), [assignment], cell_timeout=10)
    answers = answers_of(course.source_notebook(assignment))
    release = course.release_notebook(assignment)
    submissions = {"full": fill_answers(release, answers)}
    submissions |= {name: fill_answers(release, {**answers, **build(target, answers)})
                    for name, (build, _) in ANSWER_CASES.items()}
    submissions |= {name: restructure(release, answers, target, change) for name, change in STRUCTURE_CASES.items()}
    submissions["restored_correct"] = fill_answers(release, answers)
    delete(submissions["restored_correct"], [c for c in submissions["restored_correct"].cells
                                             if is_test_cell(c) and grade_id(c) in target.affected])
    submissions |= {name: fill_answers(release, answers) for name in BROKEN_FILES}
    notebook_name = course.notebook_path("release", assignment).name
    for student, notebook in submissions.items():
        folder = course.submit(assignment, student, notebook)
        if student in BROKEN_FILES:
            BROKEN_FILES[student](folder, notebook_name)
    (course.root / "submitted" / "patch_check_module" / assignment / f"{assignment[3:]}_checks.py").write_text(
        "def __getattr__(name):\n    return lambda *a, **k: None\n")
    before = tree_digest(course.root / "submitted")
    result = course.grade(assignment, list(submissions), workers=2)
    return course, assignment, target, result, before


@pytest.mark.parametrize("case", sorted(ANSWER_CASES))
def test_answer_case(graded_corpus, case):
    _, _, target, result, _ = graded_corpus
    assert result.statuses[case] == "graded", result.failures.get(case)
    assert result.scores[case] == expected_scores(result.max_scores, ANSWER_CASES[case][1], target)


@pytest.mark.parametrize("case", sorted(STRUCTURE_CASES) + ["restored_correct"])
def test_tampered_test_cells_gain_nothing(graded_corpus, case):
    _, _, target, result, _ = graded_corpus
    loss = "none" if case == "restored_correct" else "affected"
    assert result.scores[case] == expected_scores(result.max_scores, loss, target)


def test_full_solution_gets_full_marks(graded_corpus):
    _, _, target, result, _ = graded_corpus
    assert result.scores["full"] == expected_scores(result.max_scores, "none", target)


@pytest.mark.parametrize("case", sorted(BROKEN_FILES))
def test_broken_submission_is_reported_and_scores_zero(graded_corpus, case):
    _, _, _, result, _ = graded_corpus
    assert result.statuses[case] == "failed"
    assert result.failures[case]
    assert set(result.scores[case].values()) <= {0.0}


def test_no_submission_was_modified(graded_corpus):
    course, _, _, _, before = graded_corpus
    assert tree_digest(course.root / "submitted") == before


def test_feedback_shows_no_hidden_code_or_reference_values(graded_corpus):
    course, assignment, target, _, _ = graded_corpus
    nbgrader_ops.generate_feedback(course.config, assignment, "hard_coded_example")
    html = next((course.root / "feedback" / "hard_coded_example" / assignment).glob("*.html")).read_text()
    assert "A hidden test failed" in html
    hidden_lines = secret_test_lines(course.notebook_path("source", assignment), course.root / "release" / assignment)
    assert hidden_lines
    leaked = [line for line in hidden_lines if line in html or json.dumps(line)[1:-1] in html]
    assert not leaked


def test_secret_test_lines_leave_out_what_a_student_sees_anyway(tmp_path):
    """One helper (coursekit.submissions) decides which hidden-test lines would leak, for every leak test: a line
    also in the released notebook, in a released module or in a read-only setup cell of the source (its source is put
    back at grading, course imports not renamed) is no secret, nor a short one."""
    hidden = ("# Hidden tests run at grading time.\n### BEGIN HIDDEN TESTS\nexpected = np.array([0.25, 0.75])\n"
              "check_sigmoid(sigmoid)\nvisible_value = 3.5\nfrom coursekit.messages import say\nok = 1\n"
              "### END HIDDEN TESTS")
    meta = {"nbgrader": {"grade": True, "grade_id": "hidden_sigmoid", "locked": True, "points": 1,
                         "solution": False, "schema_version": 3}}
    setup = {"nbgrader": {"grade": False, "grade_id": "setup_imports", "locked": True, "solution": False,
                          "schema_version": 3}}
    source = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("from coursekit.messages import say",
                                                                       metadata=setup),
                                             nbformat.v4.new_code_cell(hidden, metadata=meta)])
    release = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("visible_value = 3.5")])
    (tmp_path / "source").mkdir()
    (tmp_path / "release").mkdir()
    nbformat.write(source, tmp_path / "source" / "a.ipynb")
    nbformat.write(release, tmp_path / "release" / "a.ipynb")
    (tmp_path / "release" / "a_checks.py").write_text("def f():\n    check_sigmoid(sigmoid)\n")
    assert secret_test_lines(tmp_path / "source" / "a.ipynb", tmp_path / "release") == {
        "expected = np.array([0.25, 0.75])"}


def test_file_attacks_change_nothing_for_anyone_else(tmp_path, monkeypatch):
    """A submission that rewrites the data, the sources, the gradebook and deletes a classmate's folder by path."""
    assignment = "a1_numpy_basics"
    data = tmp_path / "data"
    shutil.copytree(Path(__file__).resolve().parents[1] / "datasets", data)
    monkeypatch.setenv("CATVNONCAT_DIR", str(data))
    course = TempCourse(tmp_path / "course", [assignment], cell_timeout=10)
    answers = answers_of(course.source_notebook(assignment))
    release = course.release_notebook(assignment)
    victims = [*data.glob("*.h5"), *(course.root / "source" / assignment).iterdir()]
    attack = (
        "\nimport pathlib, shutil\n"
        f"for path in {[str(p) for p in victims]!r}:\n    pathlib.Path(path).write_bytes(b'gone')\n"
        f"shutil.rmtree({str(course.root / 'submitted' / 'victim')!r}, ignore_errors=True)\n"
        f"pathlib.Path({str(course.root / 'gradebook.db')!r}).write_bytes(b'gone')\n")
    target = TARGETS[assignment]
    submissions = {"attacker": fill_answers(release, {**answers, target.answer: answers[target.answer] + attack}),
                   "victim": fill_answers(release, answers)}
    for student, notebook in submissions.items():
        course.submit(assignment, student, notebook)
    before = {p: p.read_bytes() for p in victims}
    submitted_before = tree_digest(course.root / "submitted")
    result = course.autograde(assignment, submissions, workers=1)
    assert {p: p.read_bytes() for p in victims} == before
    assert tree_digest(course.root / "submitted") == submitted_before
    assert result.scores["victim"] == result.max_scores
    assert result.scores["attacker"] == result.max_scores
    assert result.reasons["attacker"] == ""  # nothing reached the course: the sandbox hides it, nothing to restore


# --- the hostile corpus: attacks on the grader, the course and classmates, on both grading paths -----
TOY_SOURCE = Path(__file__).parent / "fixtures" / "toy_course" / "source"
TOY_POINTS = {"test_double": 2.0, "test_triple": 1.0, "test_scale": 2.0, "test_sgd": 1.0}
REPO = Path(__file__).resolve().parents[1]
VICTIMS = ("z_victim", "z_victim_late")  # graded after every attacker (student ids sort last)
LINKED = {"a_linked_to_source": "source/toy/toy.ipynb",  # a notebook that is a link to the solutions
          "a_linked_to_classmate": "submitted/z_victim/toy/toy.ipynb"}
OVERSIZED = {"a_oversized": "take more than 64 MiB", "a_many_files": "more than 500 files and folders"}
DATA_WRITER = "a_data_writer"  # an honest answer that also tries to change its own submitted data file
WRITE_OWN_DATA = """
import os
for name, change in [("rewrite", lambda: open("data/big.bin", "r+b").write(b"x")),
                     ("truncate", lambda: open("data/big.bin", "wb")),
                     ("delete", lambda: os.remove("data/big.bin")),
                     ("rename", lambda: os.rename("data/big.bin", "moved.bin"))]:
    try:
        change()
        print("CHANGED", name)
    except OSError:
        print("KEPT", name)
"""
HOSTILE_TIME_LIMIT = 120
NOTEBOOK_TIME_LIMIT = 20  # serial nbgrader autograde: seconds per notebook


def guarded_state(course):
    """What no submission may change: course files, environment, home, shared memory (attempts on the grader's
    own code and configuration are reported by the attack itself: LANDED)."""
    site_packages = Path(sysconfig.get_paths()["purelib"])
    startup = Path.home() / ".ipython" / "profile_default" / "startup"
    return {
        "course": [tree_digest(course.root / folder) for folder in ("source", "release")],
        "course config": (course.root / "nbgrader_config.py").read_bytes(),
        "pth files": sorted(p.name for p in site_packages.glob("*.pth")),
        "ipython startup": sorted(p.name for p in startup.glob("*")) if startup.is_dir() else None,
        "left in shared memory": sorted(str(p) for folder in ("/dev/shm", "/tmp")
                                        for p in Path(folder).glob("*hostile*")),
    }


def processes_mentioning(text):
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text in cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                found.append(cmdline.parent.name)
        except OSError:
            pass
    return found


def output_text(course, student):
    """Everything the autograded notebook's cells printed or displayed."""
    path = course.root / "autograded" / student / "toy" / "toy.ipynb"
    if not path.is_file():
        return ""
    return json.dumps([cell.get("outputs", []) for cell in json.loads(path.read_text())["cells"]])


@pytest.fixture(scope="module", params=["course-grade", "nbgrader-autograde"])
def hostile(request, tmp_path_factory):
    """Grade every attack (and two honest classmates after them) on one grading path."""
    course = TempCourse(tmp_path_factory.mktemp("hostile"), ["toy"], source_dir=TOY_SOURCE, cell_timeout=10)
    with open(course.root / "nbgrader_config.py", "a") as config:
        config.write(f"get_config().CleanRoomExecute.notebook_time_limit = {NOTEBOOK_TIME_LIMIT}\n")
    course.config = nbgrader_ops.course_config(course.root)
    release = course.release_notebook("toy")
    answers = answers_of(course.source_notebook("toy"))
    submissions = {f"a_{name}": fill_answers(release, {"answer_double": attack_source(name, course.root, REPO,
                                                                                        Path.home())})
                   for name in ATTACKS}
    submissions["a_rich_output"].cells.append(nbformat.v4.new_markdown_cell(HOSTILE_MARKDOWN))
    slow = submissions["a_slow_cells"].cells
    slow[2:2] = [nbformat.v4.new_code_cell("import time\ntime.sleep(9)") for _ in range(2)]
    submissions["a_untouched"] = release  # the honest baseline: nothing answered
    submissions |= {victim: fill_answers(release, answers) for victim in VICTIMS}
    submissions |= dict.fromkeys(LINKED, release)
    submissions |= dict.fromkeys(OVERSIZED, release)
    submissions[DATA_WRITER] = fill_answers(release, {**answers, "answer_double": WRITE_OWN_DATA
                                                      + answers["answer_double"]})
    for student, notebook in submissions.items():
        course.submit("toy", student, notebook)
    (course.root / "submitted" / DATA_WRITER / "toy" / "data").mkdir()
    (course.root / "submitted" / DATA_WRITER / "toy" / "data" / "big.bin").write_bytes(bytes(range(256)) * 2**13)
    data_writer = tree_digest(course.root / "submitted" / DATA_WRITER / "toy")
    with open(course.root / "submitted" / "a_oversized" / "toy" / "big.bin", "wb") as big:
        big.truncate(100 * 2**20)  # sparse: 100 MiB by its size, nothing on disk
    for number in range(600):
        (course.root / "submitted" / "a_many_files" / "toy" / f"note{number}.txt").write_text("x")
    for student, target in LINKED.items():
        linked = course.root / "submitted" / student / "toy" / "toy.ipynb"
        linked.unlink()
        linked.symlink_to(course.root / target)
    before = guarded_state(course)
    started = time.monotonic()
    statuses, reasons = {}, {}
    if request.param == "course-grade":
        result = course.grade("toy", list(submissions), workers=2, time_limit=HOSTILE_TIME_LIMIT)
        statuses, reasons = result.statuses, result.reasons
    else:
        with contextlib.suppress(NbGraderException):  # nbgrader reports the refused submissions by raising
            course.autograde_serial("toy")
    seconds = time.monotonic() - started
    scores = {student: question_scores(course.db_url, "toy", student) for student in submissions}
    outputs = {student: output_text(course, student) for student in submissions}
    return SimpleNamespace(course=course, path=request.param, scores=scores, statuses=statuses, reasons=reasons,
                           outputs=outputs, before=before, seconds=seconds, students=list(submissions),
                           data_writer=data_writer)


def test_honest_baseline_is_zero(hostile):
    assert hostile.scores["a_untouched"] == dict.fromkeys(TOY_POINTS, 0.0)


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_scores_no_more_than_the_baseline(hostile, attack):
    assert hostile.scores[f"a_{attack}"] == dict.fromkeys(TOY_POINTS, 0.0), hostile.outputs[f"a_{attack}"][-2000:]


@pytest.mark.parametrize("student", sorted(LINKED))
def test_linked_notebook_is_refused_with_a_reason(hostile, student):
    assert hostile.scores[student] in (None, dict.fromkeys(TOY_POINTS, 0.0))
    if hostile.statuses:
        assert hostile.statuses[student] == "failed"
        assert "toy.ipynb is a symbolic link" in hostile.reasons[student]


def test_classmates_graded_after_the_attacks_keep_full_marks(hostile):
    assert {victim: hostile.scores[victim] for victim in VICTIMS} == dict.fromkeys(VICTIMS, TOY_POINTS)


def test_no_attack_reached_anything_outside_its_sandbox(hostile):
    landed = {student: [line for line in text.split("\\n") if "LANDED" in line]
              for student, text in hostile.outputs.items() if "LANDED" in text}
    assert landed == {}
    assert "PROCESS LIMIT" in hostile.outputs["a_fork_bomb"]
    assert hostile.outputs["a_network"].count("NO NETWORK") == 3
    assert "COURSEKIT_KERNEL_PIDFILE" not in hostile.outputs["a_pidfile_grader_group"]


def test_course_grader_environment_and_home_unchanged(hostile):
    assert guarded_state(hostile.course) == hostile.before


def test_no_process_left_alive(hostile):
    assert processes_mentioning(SLEEPER) == []
    assert processes_mentioning(str(hostile.course.root)) == []


def test_batch_finished_within_its_limits(hostile):
    assert not {s for s, status in hostile.statuses.items() if status in ("timeout", "crashed")}
    assert hostile.seconds < HOSTILE_TIME_LIMIT * 2
    if hostile.path == "nbgrader-autograde":  # one notebook's calls stopped at its time limit
        assert "NotebookTimeLimit" in hostile.outputs["a_slow_cells"]


def test_feedback_escapes_student_output_and_holds_no_hidden_test(hostile):
    course = hostile.course
    for student in ("a_rich_output", "a_print_everything"):
        nbgrader_ops.generate_feedback(course.config, "toy", student)
    rich = next((course.root / "feedback" / "a_rich_output" / "toy").glob("*.html")).read_text()
    assert "&lt;script&gt;window.hostile = 1" in rich  # shown, as text
    live = re.findall(r"<script[^>]*>[^<]*hostile|<[a-z]+ [^>]*on(?:error|load|mouseover)=|href=\"javascript", rich)
    assert live == []
    everything = next((course.root / "feedback" / "a_print_everything" / "toy").glob("*.html")).read_text()
    hidden = secret_test_lines(course.notebook_path("source", "toy"), course.root / "release" / "toy", min_length=9)
    assert hidden
    assert [line for line in hidden if line in everything or html.escape(line) in everything] == []


@pytest.mark.parametrize("attack", ["output_flood", "output_flood_uncapped"])
def test_output_flood_is_cut_and_feedback_says_so(hostile, attack):
    student = f"a_{attack}"
    notebook = hostile.course.root / "autograded" / student / "toy" / "toy.ipynb"
    assert notebook.stat().st_size < 3 * 2**20
    assert "output were cut" in hostile.outputs[student]
    nbgrader_ops.generate_feedback(hostile.course.config, "toy", student)
    page = next((hostile.course.root / "feedback" / student / "toy").glob("*.html"))
    assert "output were cut" in page.read_text()
    assert page.stat().st_size < 4 * 2**20


@pytest.mark.parametrize("student", sorted(OVERSIZED))
def test_oversized_submission_is_refused_with_a_reason(hostile, student):
    assert hostile.scores[student] in (None, dict.fromkeys(TOY_POINTS, 0.0))
    if hostile.statuses:
        assert hostile.statuses[student] == "failed"
        assert OVERSIZED[student] in hostile.reasons[student]


def test_a_kernel_cannot_change_its_own_submitted_files(hostile):
    """Its large data file is mounted read-only in the kernel's folder: every change fails, the submission
    stays byte-identical, and the honest answer keeps its marks."""
    assert tree_digest(hostile.course.root / "submitted" / DATA_WRITER / "toy") == hostile.data_writer
    printed = hostile.outputs[DATA_WRITER]
    assert [change for change in ("rewrite", "truncate", "delete", "rename") if f"KEPT {change}" not in printed] == []
    assert hostile.scores[DATA_WRITER] == TOY_POINTS


def test_batch_copies_no_oversized_submission(tmp_path):
    folder = tmp_path / "course" / "submitted" / "big" / "toy"
    folder.mkdir(parents=True)
    with open(folder / "big.bin", "wb") as big:
        big.truncate(100 * 2**20)
    (tmp_path / "course" / "submitted" / "small" / "toy").mkdir(parents=True)
    snapshot = SubmissionSnapshot(tmp_path / "course", "toy", ["big", "small"], tmp_path / "scratch")
    assert snapshot.copies["big"] == folder  # graded from where it is: refused before anything is copied
    assert [p.name for p in (tmp_path / "scratch").rglob("*") if p.is_file()] == []
    assert snapshot.copies["small"].is_dir()


def test_sandboxed_batch_copies_no_submission_and_reports_a_change(tmp_path):
    """With sandboxed kernels (which cannot reach submitted/), the batch grades each submission where it is;
    a folder changed meanwhile (a new collect) is reported, not put back. Unsandboxed, it is copied and put back."""
    folders = {}
    for student in ("ann", "bob"):
        folders[student] = tmp_path / "course" / "submitted" / student / "toy"
        folders[student].mkdir(parents=True)
        (folders[student] / "data.bin").write_bytes(b"original")
    sandboxed = SubmissionSnapshot(tmp_path / "course", "toy", ["ann", "bob"], tmp_path / "scratch", copy=False)
    assert sandboxed.copies == folders
    assert not (tmp_path / "scratch").exists()
    (folders["ann"] / "data.bin").write_bytes(b"resubmitted")
    assert sandboxed.restore_changed() == ([], ["ann"])
    assert (folders["ann"] / "data.bin").read_bytes() == b"resubmitted"
    unsandboxed = SubmissionSnapshot(tmp_path / "course", "toy", ["ann", "bob"], tmp_path / "copies", copy=True)
    shutil.rmtree(folders["bob"])
    assert unsandboxed.restore_changed() == (["bob"], [])
    assert (folders["bob"] / "data.bin").read_bytes() == b"original"
