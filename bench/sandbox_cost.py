"""What the grading kernel's sandbox costs per submission: ``python bench/sandbox_cost.py [--k 10]``.

Each round starts a grading kernel the way the clean-room executor does (LimitedKernelManager,
a notebook folder with a submission's files and a private data copy), waits until it answers,
runs one cell, and shuts it down; once in its sandbox, once without (the explicit unsafe
opt-out), alternating. The difference of the medians is what the sandbox adds per submission
(a submission's kernel is started once, and again only after a crash). Prints the load too, and
what a kernel's memory and pids groups cost (made, a process moved in, removed; coursekit.grading.wall.cgroup),
where this machine lets them be made.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from jupyter_client import BlockingKernelClient
from jupyter_core.utils import run_sync

from coursekit.grading.wall import sandbox
from coursekit.grading.wall.cgroup import KernelGroup
from coursekit.grading.wall.kernel import LimitedKernelManager

EXTRA_ARGUMENTS = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"]
SOURCE = Path(__file__).resolve().parents[1] / "release" / "a2_logistic_regression"
DATASETS = Path(__file__).resolve().parents[1] / "datasets"


def one_kernel(folder, sandboxed):
    """Seconds from start to a first cell's reply, and for the shutdown."""
    os.environ[sandbox.UNSAFE_ENV] = "" if sandboxed else "1"
    started = time.perf_counter()
    manager = LimitedKernelManager(kernel_name="python3")
    run_sync(manager.start_kernel)(cwd=str(folder), extra_arguments=EXTRA_ARGUMENTS)
    client = BlockingKernelClient()
    client.load_connection_info(manager.get_connection_info())
    client.start_channels()
    client.wait_for_ready(timeout=60)
    reply = client.execute_interactive("import numpy as np\nx = np.ones(3).sum()", timeout=60)
    assert reply["content"]["status"] == "ok", reply["content"]
    ready = time.perf_counter()
    client.stop_channels()
    run_sync(manager.shutdown_kernel)(now=True)
    return ready - started, time.perf_counter() - ready


def group_seconds(rounds=20):
    """Median seconds to make a kernel's groups, move a process into them and remove them; None without groups."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        group = KernelGroup.create(4096 * 2**20, sandbox.SandboxLimits.processes)
        if group is None:
            return None
        child = subprocess.Popen(["sleep", "30"])
        group.join(child.pid)
        group.remove()
        child.wait()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--k", type=int, default=10, help="kernels per mode (default 10)")
    args = parser.parse_args()
    if sandbox.problem():
        raise SystemExit(sandbox.problem())
    work = Path(tempfile.mkdtemp(prefix="coursekit-bench-"))
    try:
        folder = shutil.copytree(SOURCE, work / "autograded" / "student" / SOURCE.name)
        data = shutil.copytree(DATASETS, work / "kernel-datasets", ignore=shutil.ignore_patterns("*.png", "*.jpg"))
        os.environ[sandbox.DATA_ENV] = str(data)
        times = {True: [], False: []}
        one_kernel(folder, True)  # warm the file cache
        for _ in range(args.k):
            for sandboxed in (True, False):
                times[sandboxed].append(one_kernel(folder, sandboxed))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()
    print(f"{args.k} kernels per mode; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, {os.cpu_count()} cores")
    medians = {}
    for sandboxed, label in ((False, "no sandbox (unsafe)"), (True, "bubblewrap sandbox")):
        start = statistics.median(t[0] for t in times[sandboxed])
        stop = statistics.median(t[1] for t in times[sandboxed])
        medians[sandboxed] = start + stop
        print(f"  {label:<20} start to first reply {start:6.3f} s   shutdown {stop:6.3f} s   (median)")
    print(f"  the sandbox adds {medians[True] - medians[False]:+.3f} s per kernel (median of each mode)")
    groups = group_seconds()
    print("  memory and pids groups: " + ("none can be made here (per-process limits only)" if groups is None else
                                          f"made, joined, removed in {groups * 1000:.1f} ms per kernel (median)"))


if __name__ == "__main__":
    main()
