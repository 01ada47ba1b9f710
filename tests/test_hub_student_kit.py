"""The student kit (what the student environment gets from the course folder) holds the check helpers,
lr_utils and the data and nothing else; with only it, a release folder copied into an empty home
runs its checks and loads the data, and a failed check shows its message, not a traceback."""

import shutil
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from coursekit.paths import COURSE_ROOT

sys.path.insert(0, str(COURSE_ROOT / "hub"))
import student_kit  # noqa: E402


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    return student_kit.build(COURSE_ROOT, tmp_path_factory.mktemp("env") / "kit")


def test_kit_holds_what_students_may_see_and_nothing_else(kit):
    files = {str(p.relative_to(kit)) for p in kit.rglob("*") if p.is_file()}
    assert {"lr_utils.py", "coursekit/__init__.py", "coursekit/checks.py",
            "datasets/train_catvnoncat.h5", "datasets/test_catvnoncat.h5"} <= files
    assert not [f for f in files if f.startswith(("source", "release", "submitted", "autograded", "feedback"))]
    assert not [f for f in files if f.endswith((".ipynb", ".db")) or "_checks.py" in f]
    assert not {"coursekit/grading/batch/grade.py", "coursekit/grading/grader/cleanroom.py",
                "coursekit/demo.py"} & files
    assert all(oct(p.stat().st_mode & 0o777) == "0o644" for p in kit.rglob("*") if p.is_file())


def test_imports_are_followed_through_the_package():
    code = "from coursekit.checks import fail\nimport lr_utils\nimport numpy as np\n"
    assert student_kit.imported_modules(code) == {"coursekit.checks", "coursekit.checks.fail", "lr_utils",
                                                  "numpy"}
    assert student_kit.imported_modules("%matplotlib inline\nx = (") == set()


def run_in_home(kit, home, cells, monkeypatch):
    """Run code cells in a kernel started in ``home`` that finds the course's modules only in ``kit``."""
    monkeypatch.setenv("PYTHONPATH", str(kit))
    monkeypatch.delenv("CATVNONCAT_DIR", raising=False)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = NotebookClient(notebook, timeout=60, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(home)}})
    client.execute()
    return notebook.cells


def test_a_release_runs_from_an_empty_home_with_the_kit_alone(kit, tmp_path, monkeypatch):
    home = tmp_path / "alice"
    shutil.copytree(COURSE_ROOT / "release" / "a1_numpy_basics", home / "a1_numpy_basics")
    cells = run_in_home(kit, home / "a1_numpy_basics", [
        "import coursekit, lr_utils\nprint(coursekit.__file__, lr_utils.__file__)",
        "print(lr_utils.load_dataset()[0].shape)",
        "from numpy_basics_checks import check_basic_sigmoid\ncheck_basic_sigmoid(lambda x: 0.5)",
        "lr_utils.load_dataset(data_dir='nowhere')",
    ], monkeypatch)
    where, data, failed, missing = (c.outputs for c in cells)
    assert where[0]["text"].count(str(kit)) == 2
    assert "(209, 64, 64, 3)" in data[0]["text"]
    assert failed[0]["output_type"] == "error" and failed[0]["ename"] == "CheckFailed"
    shown = "\n".join(failed[0]["traceback"])
    assert "basic_sigmoid" in shown and "checks.py" not in shown and "Traceback" not in shown
    shown = "\n".join(missing[0]["traceback"])
    assert "tell your instructor" in shown and "lr_utils.py" not in shown and "make dataset" not in shown
