"""a5 "Run All" on the hub: two students at once, each as their own Unix user inside their server's limits.

Each student's kernel runs the a5 release with every answer filled in (the source's solutions), top
to bottom (nbconvert --execute, what "Run All" does), from the hub's student environment, inside that
student's cgroups (hub/limits.py, 2 GiB and 256 processes, as the spawner makes them): first with the
hub's one BLAS thread per kernel, then with OpenBLAS's default (a thread per core). Prints each
student's wall time. Run as root where the hub is set up (hubctl.py setup, or a hub test left its users).

Usage: .venv/bin/python bench/hub_run_all.py [--students alice bob] [--assignment a5_training]
"""

import argparse
import os
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "hub"))
import limits  # noqa: E402

from coursekit.submissions import answers_of, fill_answers, load_notebook  # noqa: E402

ENV = Path("/opt/dl-foundations/env")
WORK = Path("/tmp/hub-run-all")
THREADS = {"one BLAS thread (the hub)": {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                                         "MKL_NUM_THREADS": "1"},
           "OpenBLAS default threads": {}}


def answered_copy(assignment, student):
    """The release folder with every answer filled in, in a folder of the student's own."""
    folder = WORK / student / assignment
    shutil.rmtree(folder.parent, ignore_errors=True)
    shutil.copytree(REPO / "release" / assignment, folder)
    for path in folder.glob("*.ipynb"):
        answers = answers_of(load_notebook(REPO / "source" / assignment / path.name))
        nbformat.write(fill_answers(nbformat.read(path, as_version=4), answers), path)
    account = pwd.getpwnam(student)
    for path in [folder.parent, *folder.parent.rglob("*")]:
        os.chown(path, account.pw_uid, account.pw_gid)
    return folder


def start(student, folder, threads):
    account = pwd.getpwnam(student)
    groups = limits.UserGroups(student)
    groups.create(2 * 1024 ** 3, 256)

    def enter():
        groups.join()
        os.setgid(account.pw_gid)
        os.initgroups(student, account.pw_gid)
        os.setuid(account.pw_uid)

    notebook = next(folder.glob("*.ipynb"))
    env = {"PATH": f"{ENV}/bin:/usr/bin:/bin", "HOME": account.pw_dir, "LANG": "C.UTF-8", **threads}
    return subprocess.Popen([f"{ENV}/bin/jupyter", "nbconvert", "--to", "notebook", "--execute",
                             "--ExecutePreprocessor.timeout=1800", "--output", "ran.ipynb", notebook.name],
                            cwd=folder, env=env, preexec_fn=enter, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", nargs="+", default=["alice", "bob"])
    parser.add_argument("--assignment", default="a5_training")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: it runs the notebooks as the students")
    print(f"{args.assignment} Run All, {len(args.students)} students at once, {os.cpu_count()} cores "
          f"(load average before: {os.getloadavg()[0]:.1f})")
    for label, threads in THREADS.items():
        folders = {s: answered_copy(args.assignment, s) for s in args.students}
        started = time.monotonic()
        running = {s: start(s, folders[s], threads) for s in args.students}
        for student, process in running.items():
            output = process.communicate()[0].decode(errors="replace")
            seconds = time.monotonic() - started
            status = "ok" if process.returncode == 0 else f"FAILED: {output.strip()[-300:]}"
            print(f"  {label:<28} {student:<8} {seconds:7.1f} s  {status}")
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
