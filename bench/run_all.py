"""``make bench``: every benchmark of the course, one after the other (figures printed, nothing asserted)."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SCRIPTS = [["dataset_figures.py"], ["notebook_runtime.py"], ["remote_calls.py"], ["vs_stock_nbgrader.py", "--k", "20"],
           ["blas_threads.py"], ["blas_contention.py"], ["scale.py"], ["sandbox_cost.py"]]

if __name__ == "__main__":
    for script, *args in SCRIPTS:
        print(f"\n=== bench/{script} {' '.join(args)}", flush=True)
        subprocess.run([sys.executable, str(BENCH / script), *args], check=True)
