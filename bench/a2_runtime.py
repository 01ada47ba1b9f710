"""Print how long a2_logistic_regression takes: the whole notebook as a student runs it, and one autograde.

The notebook run executes the released notebook, answers filled with the solution, in a copy of the
release folder, every cell included (the skip-execution learning-rate comparison and own-picture
cells too); the target is under 60 s. The autograde time is that of one submission holding the
solution, in a scratch course; the target is at most 10 % more than the notebook run. Both kernels
get the same number of BLAS threads: the grader's two workers give each kernel half the cores.
Usage: ``python bench/a2_runtime.py``.
"""

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbclient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coursekit.grading.harness import TempCourse  # noqa: E402
from coursekit.paths import RELEASE_DIR, SOURCE_DIR  # noqa: E402
from coursekit.submissions import answers_of, fill_answers, load_notebook  # noqa: E402

ASSIGNMENT = "a2_logistic_regression"
NOTEBOOK = "logistic_regression.ipynb"
GRADER_WORKERS = 2  # TempCourse.autograde's default
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def notebook_seconds(scratch):
    """Seconds to run the released notebook with the solution's answers top to bottom, kernel start included."""
    folder = shutil.copytree(RELEASE_DIR / ASSIGNMENT, Path(scratch) / "run")
    solution = answers_of(load_notebook(SOURCE_DIR / ASSIGNMENT / NOTEBOOK))
    notebook = fill_answers(load_notebook(folder / NOTEBOOK), solution)
    client = nbclient.NotebookClient(notebook, resources={"metadata": {"path": str(folder)}}, timeout=300,
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
    result = course.autograde(ASSIGNMENT, {"solution": submission}, workers=GRADER_WORKERS)
    seconds = time.perf_counter() - start
    return seconds, result.total("solution"), sum(result.max_scores.values())


def main():
    threads = str(max(1, (os.cpu_count() or 1) // GRADER_WORKERS))
    os.environ.update({name: threads for name in THREAD_VARIABLES})
    with tempfile.TemporaryDirectory(prefix="a2-bench-") as scratch:
        run = notebook_seconds(scratch)
        print(f"{ASSIGNMENT}: notebook, all cells, {threads} BLAS thread(s): {run:.1f} s (target < 60 s)")
        seconds, score, maximum = autograde_seconds(scratch)
        print(f"{ASSIGNMENT}: autograde of one submission: {seconds:.1f} s, {seconds / run:.0%} of the notebook run "
              f"(target <= 110 %; scored {score:g} / {maximum:g})")


if __name__ == "__main__":
    main()
