"""Print how long a1_numpy_basics takes: the whole notebook run as a student runs it, and one autograde.

The notebook run executes the source notebook (the solution) with every cell, the skip-execution
timing cells included; the target is under 30 s. The autograde time is that of one submission
holding the solution, in a scratch course. Usage: ``python bench/a1_runtime.py``.
"""

import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbclient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coursekit.grading.harness import TempCourse  # noqa: E402
from coursekit.paths import SOURCE_DIR  # noqa: E402
from coursekit.submissions import answers_of, fill_answers, load_notebook  # noqa: E402

ASSIGNMENT = "a1_numpy_basics"
NOTEBOOK = "numpy_basics.ipynb"


def notebook_seconds(scratch):
    """Seconds to run the source notebook top to bottom, kernel start included."""
    folder = shutil.copytree(SOURCE_DIR / ASSIGNMENT, Path(scratch) / "run")
    notebook = load_notebook(folder / NOTEBOOK)
    client = nbclient.NotebookClient(notebook, resources={"metadata": {"path": str(folder)}}, timeout=120,
                                     skip_cells_with_tag="none")
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    errors = [o.ename for cell in notebook.cells for o in cell.get("outputs", []) if o.output_type == "error"]
    if errors:
        raise SystemExit(f"the notebook raised {errors}")
    return seconds


def autograde_seconds(scratch):
    """Seconds to autograde one submission holding the solution, and its score out of the maximum."""
    course = TempCourse(Path(scratch) / "course", [ASSIGNMENT])
    submission = fill_answers(course.release_notebook(ASSIGNMENT), answers_of(course.source_notebook(ASSIGNMENT)))
    start = time.perf_counter()
    result = course.autograde(ASSIGNMENT, {"solution": submission})
    seconds = time.perf_counter() - start
    return seconds, result.total("solution"), sum(result.max_scores.values())


def main():
    with tempfile.TemporaryDirectory(prefix="a1-bench-") as scratch:
        print(f"{ASSIGNMENT}: notebook, all cells: {notebook_seconds(scratch):.1f} s (target < 30 s)")
        seconds, score, maximum = autograde_seconds(scratch)
        print(f"{ASSIGNMENT}: autograde of one submission: {seconds:.1f} s (scored {score:g} / {maximum:g})")


if __name__ == "__main__":
    main()
