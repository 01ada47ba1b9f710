"""Round trip of the grader's remote operations on a student's kernel (the clean room's comm channel).

Starts one grading kernel, defines a function and a class in it as a student would, and times
each kind of remote operation a test cell makes; also times one ``execute_request`` (running a
one-line cell), which is what every remote call cost before the comm channel.
Usage: python bench/remote_calls.py [--n 300]
"""

import argparse
import statistics
import tempfile
import time

import numpy as np
from nbformat.v4 import new_code_cell, new_notebook

from coursekit.grading.grader.cleanroom import CleanRoomExecute
from coursekit.grading.wall.remote import KernelView

STUDENT_CODE = '''
import numpy as np

def identity(x):
    return x

class Affine:
    def __init__(self, W, b):
        self.params = {"W": W, "b": b}

    def forward(self, x):
        return x @ self.params["W"] + self.params["b"]
'''


def timed(operation, n):
    """Median and 90th percentile of ``n`` runs of ``operation``, in milliseconds."""
    operation()  # warm up
    times = []
    for _ in range(n):
        started = time.perf_counter()
        operation()
        times.append(time.perf_counter() - started)
    times.sort()
    return 1000 * statistics.median(times), 1000 * times[int(0.9 * (len(times) - 1))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=300, help="runs of each operation (default 300)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="coursekit-bench-")
    notebook = new_notebook(cells=[new_code_cell(STUDENT_CODE)], metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    executor = CleanRoomExecute(timeout=30)
    executor.nb, executor.resources = notebook, {"metadata": {"path": folder}}
    executor._replay, executor._channel = [], None  # what preprocess() sets up for a notebook
    executor._view = KernelView(executor.request)
    with executor.setup_kernel():
        executor.execute_cell(notebook.cells[0], 0)
        executor._prepare_kernel()
        student = executor._fetch_names("identity, Affine")
        identity, layer = student["identity"], student["Affine"](np.eye(3), np.zeros(3))
        x, params = np.arange(12.0).reshape(4, 3), layer.params
        operations = {
            "call f(1.0)": lambda: identity(1.0),
            "call f(4x3 array)": lambda: identity(x),
            "method layer.forward(x)": lambda: layer.forward(x),
            "attribute layer.params": lambda: layer.params,
            "item write params['W'][0, 0]": lambda: params["W"].__setitem__((0, 0), 1.0),
            "execute_request (old transport)": lambda: executor._run_in_kernel("pass"),
        }
        print(f"remote operations on a student's kernel, {args.n} runs each (milliseconds)")
        print(f"  {'operation':<34} {'median':>7} {'p90':>7}")
        for name, operation in operations.items():
            median, p90 = timed(operation, args.n)
            print(f"  {name:<34} {median:7.2f} {p90:7.2f}")


if __name__ == "__main__":
    main()
