"""Each release folder, copied alone, runs top to bottom in a fresh venv made from requirements.txt only.

The venv gets nothing of the course (no ``coursekit``, no ``lr_utils``): what a folder needs must
travel with it (coursekit.standalone). Every answer is filled in from source/'s solution and the
notebook runs in that venv's own kernel, from a folder outside the course. The last tests check
make_standalone itself: what it writes and rewrites, and the imports and files it refuses.
"""

import os
import shutil
import subprocess
import sys
import time
import venv

import nbformat
import pytest
from nbgrader.utils import compute_checksum

from coursekit.paths import COURSE_ROOT, RELEASE_DIR, SOURCE_DIR, assignments
from coursekit.standalone import make_standalone
from coursekit.submissions import answers_of, fill_answers, load_notebook

CELL_TIMEOUT = 600
# What the kernel may inherit from the test process is only what a student's shell would have.
DROPPED_ENV = ("PYTHONPATH", "VIRTUAL_ENV", "CATVNONCAT_DIR", "JUPYTER_PATH", "JUPYTER_CONFIG_DIR")


@pytest.fixture(scope="module")
def student_python(tmp_path_factory):
    """The Python of a fresh venv made with ``pip install -r requirements.txt`` alone."""
    folder = tmp_path_factory.mktemp("student-venv")
    started = time.monotonic()
    venv.create(folder, with_pip=True)
    python = folder / "bin" / "python"
    installed = subprocess.run([python, "-m", "pip", "install", "--quiet", "-r", COURSE_ROOT / "requirements.txt"],
                               capture_output=True, text=True, env=student_env(folder))
    assert installed.returncode == 0, installed.stderr[-3000:]
    print(f"venv from requirements.txt in {time.monotonic() - started:.0f} s")
    return python


def student_env(venv_folder, home=None):
    """The test's environment without the course's venv and settings; ``home``: a student's empty home."""
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    env["PATH"] = f"{venv_folder}/bin:/usr/local/bin:/usr/bin:/bin"
    if home is not None:
        home.mkdir(exist_ok=True)
        env["HOME"] = str(home)  # no kernel specs or user site-packages of this machine's user
    return env


def test_the_fresh_venv_has_none_of_the_course(student_python, tmp_path):
    env = student_env(student_python.parents[1], tmp_path / "home")
    for module in ("coursekit", "lr_utils"):
        found = subprocess.run([student_python, "-c", f"import {module}"], cwd=tmp_path,
                               capture_output=True, text=True, env=env)
        assert found.returncode != 0 and "ModuleNotFoundError" in found.stderr, module


@pytest.mark.parametrize("assignment", assignments(RELEASE_DIR))
def test_release_folder_alone_runs_top_to_bottom(assignment, student_python, tmp_path):
    folder = shutil.copytree(RELEASE_DIR / assignment, tmp_path / "somewhere" / assignment)
    assert not (folder / "coursekit").exists(), "a coursekit/ folder in a submission would shadow the grader's"
    [notebook_path] = folder.glob("*.ipynb")
    solution = answers_of(load_notebook(SOURCE_DIR / assignment / notebook_path.name))
    filled = fill_answers(load_notebook(notebook_path), solution)
    filled_path = folder / f"filled_{notebook_path.name}"
    nbformat.write(filled, filled_path)
    started = time.monotonic()
    ran = subprocess.run(
        [student_python.parent / "jupyter", "nbconvert", "--to", "notebook", "--execute", "--output", "ran.ipynb",
         f"--ExecutePreprocessor.timeout={CELL_TIMEOUT}", "--ExecutePreprocessor.skip_cells_with_tag=none",
         filled_path.name],
        cwd=folder, capture_output=True, text=True, env=student_env(student_python.parents[1], tmp_path / "home"))
    print(f"{assignment}: {time.monotonic() - started:.0f} s")
    assert ran.returncode == 0, ran.stderr[-4000:]
    executed = load_notebook(folder / "ran.ipynb")
    errors = [o for cell in executed.cells for o in cell.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    assert all(cell.execution_count for cell in executed.cells if cell.cell_type == "code")


def locked_cell(source, grade_id):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata.nbgrader = {"grade": False, "grade_id": grade_id, "locked": True, "schema_version": 3,
                              "solution": False, "task": False}
    cell.metadata.nbgrader.checksum = compute_checksum(cell)
    return cell


def test_make_standalone_writes_the_modules_and_rewrites_the_imports(tmp_path):
    (tmp_path / "x_checks.py").write_text("import numpy as np\n\nfrom coursekit.checks import fail, passed\n")
    notebook = nbformat.v4.new_notebook(cells=[locked_cell("from coursekit.digits import one_hot\n", "setup_imports")])
    nbformat.write(notebook, tmp_path / "x.ipynb")
    written = make_standalone(tmp_path)
    assert written == ["course_checks.py", "course_digits.py", "course_messages.py"]  # nothing of the grading engine
    assert "from course_checks import fail, passed" in (tmp_path / "x_checks.py").read_text()
    [cell] = nbformat.read(tmp_path / "x.ipynb", as_version=4).cells
    assert cell.source == "from course_digits import one_hot\n"
    assert cell.metadata.nbgrader.checksum == compute_checksum(cell)  # nbgrader validate stays quiet
    imported = subprocess.run(
        [sys.executable, "-c", "import sys, x_checks, course_digits\n"
                               "print(sorted(m for m in sys.modules if m.startswith('coursekit')))"],
        cwd=tmp_path, capture_output=True, text=True)
    assert imported.returncode == 0 and imported.stdout.strip() == "[]", imported.stderr


@pytest.mark.parametrize("line", ["import coursekit.checks\n", "from coursekit import checks\n"])
def test_make_standalone_refuses_an_import_it_cannot_rewrite(tmp_path, line):
    (tmp_path / "x_checks.py").write_text(line)
    with pytest.raises(ValueError, match=r"x_checks.py: .* cannot be made stand-alone; write `from coursekit\."):
        make_standalone(tmp_path)


def test_make_standalone_never_overwrites_a_file_of_the_assignment(tmp_path):
    (tmp_path / "x_checks.py").write_text("from coursekit.checks import fail\n")
    (tmp_path / "course_checks.py").write_text("# the instructor's own file\n")
    with pytest.raises(ValueError, match="course_checks.py exists in the assignment"):
        make_standalone(tmp_path)
    assert (tmp_path / "course_checks.py").read_text() == "# the instructor's own file\n"
