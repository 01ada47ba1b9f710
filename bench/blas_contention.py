"""Why two workers gain less on a2 than on a1: one kernel with 2 BLAS threads against two kernels with 1.

a2's notebook trains logistic regression on the 12288 x 209 image matrix (20 MB of float64)
6,500 times. This bench runs the same gradient-descent loop in fresh processes: alone with 1 and
2 BLAS threads, then two processes side by side with 1 thread each (what `course-grade
--workers 2` does on 2 cores) and with 2 threads each (oversubscribed). It prints seconds per
run and runs per second of the whole machine.
Usage: python bench/blas_contention.py [--iterations 1500]
"""

import argparse
import os
import subprocess
import sys
import time

LOOP = """
import sys, numpy as np
rng = np.random.default_rng(0)
X, y = rng.random((12288, 209)), (rng.random((1, 209)) > 0.5) * 1.0
w = np.zeros((12288, 1))
for _ in range({iterations}):
    a = 1 / (1 + np.exp(-(w.T @ X)))
    w -= 0.005 * (X @ (a - y).T) / 209
"""


def run_side_by_side(copies, threads, iterations):
    """Start ``copies`` processes at once with ``threads`` BLAS threads each; seconds until all end."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads)}
    code = LOOP.format(iterations=iterations)
    started = time.monotonic()
    processes = [subprocess.Popen([sys.executable, "-c", code], env=env) for _ in range(copies)]
    for process in processes:
        process.wait()
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=1500)
    args = parser.parse_args()
    print(f"{args.iterations} gradient-descent steps on a 12288 x 209 matrix "
          f"(load average {os.getloadavg()[0]:.2f} at start)")
    print(f"  {'processes':>9} {'threads each':>12} {'wall s':>8} {'runs/s':>7}")
    for copies, threads in ((1, 1), (1, 2), (2, 1), (2, 2)):
        wall = run_side_by_side(copies, threads, args.iterations)
        print(f"  {copies:>9} {threads:>12} {wall:>8.2f} {copies / wall:>7.2f}", flush=True)
    print(f"  (load average {os.getloadavg()[0]:.2f} at end)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
