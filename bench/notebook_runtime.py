"""Print how long each assignment takes: the whole notebook as a student runs it, and one autograde.

The notebook run executes the released notebook, answers filled with the solution, in a copy of the
release folder, every cell included (the skip-execution cells too). The autograde time is that of
one submission holding the solution, graded by the batch grader in a scratch course; issue targets:
a1 under 30 s, a2 and a3 under 60 s, and autograding at most 10 % longer than the notebook run. Both
kernels get the same number of BLAS threads: the grader's two workers give each kernel half the cores.
Usage: ``python bench/notebook_runtime.py [ASSIGNMENT ...]``.
"""

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbclient

from coursekit.grading.batch.harness import TempCourse
from coursekit.paths import RELEASE_DIR, SOURCE_DIR, assignments
from coursekit.submissions import answers_of, fill_answers, load_notebook

GRADER_WORKERS = 2
TARGET_SECONDS = {"a1_numpy_basics": 30, "a2_logistic_regression": 60, "a3_gradient_descent": 60,
                  "a4_neural_network": 90, "a5_training": 120}
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def notebook_seconds(assignment, scratch):
    """Seconds to run the released notebook with the solution's answers top to bottom, kernel start included."""
    folder = shutil.copytree(RELEASE_DIR / assignment, Path(scratch) / "run")
    (source,) = (SOURCE_DIR / assignment).glob("*.ipynb")
    notebook = fill_answers(load_notebook(folder / source.name), answers_of(load_notebook(source)))
    client = nbclient.NotebookClient(notebook, resources={"metadata": {"path": str(folder)}}, timeout=300,
                                     skip_cells_with_tag="none")
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    errors = [o.ename for cell in notebook.cells for o in cell.get("outputs", []) if o.output_type == "error"]
    if errors:
        raise SystemExit(f"{assignment}: the notebook raised {errors}")
    return seconds


def autograde_seconds(assignment, scratch):
    """Seconds to autograde one submission holding the solution, and its score out of the maximum."""
    course = TempCourse(Path(scratch) / "course", [assignment])
    submission = fill_answers(course.release_notebook(assignment), answers_of(course.source_notebook(assignment)))
    start = time.perf_counter()
    result = course.autograde(assignment, {"solution": submission}, workers=GRADER_WORKERS)
    seconds = time.perf_counter() - start
    return seconds, result.total("solution"), sum(result.max_scores.values())


def main(names):
    threads = str(max(1, (os.cpu_count() or 1) // GRADER_WORKERS))
    os.environ.update({name: threads for name in THREAD_VARIABLES})
    for assignment in names or assignments():
        with tempfile.TemporaryDirectory(prefix="coursekit-runtime-") as scratch:
            run = notebook_seconds(assignment, scratch)
            target = TARGET_SECONDS.get(assignment)
            print(f"{assignment}: notebook, all cells, {threads} BLAS thread(s): {run:.1f} s"
                  + (f" (target < {target} s)" if target else ""))
            seconds, score, maximum = autograde_seconds(assignment, scratch)
            print(f"{assignment}: autograde of one submission: {seconds:.1f} s, {seconds / run:.0%} of the "
                  f"notebook run (target <= 110 %; scored {score:g} / {maximum:g})")


if __name__ == "__main__":
    main(sys.argv[1:])
