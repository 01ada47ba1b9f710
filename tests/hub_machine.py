"""What the two whole-hub tests (test_hub_browser.py, test_hub_ngshare.py) share: the machine they set
up with ``hub/hubctl.py`` (real Unix users instructor, alice and bob), running commands as those users,
and the hidden-test lines no student may see."""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HUBCTL = ["/usr/bin/python3", str(REPO / "hub" / "hubctl.py")]
ETC = Path("/etc/dl-foundations-hub")
TEST_MARKER = ETC / "browser-test"  # a hub with this file was set up by a test, which may replace it
INSTRUCTOR, STUDENTS = "instructor", ("alice", "bob")


def machine_skip_reason():
    """Why a whole-hub test cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root: it creates Unix users and runs JupyterHub as root (CI runs as root)"
    if not shutil.which("apt-get") or not Path("/usr/bin/python3.11").exists():
        return "needs a Debian machine with apt-get and /usr/bin/python3.11"
    if (ETC / "settings.json").exists() and not TEST_MARKER.exists():
        return f"a course hub is set up on this machine ({ETC}); the test would replace its users and course"
    return None


def sh(cmd, **kwargs):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kwargs)


def as_user(user, command):
    """Run a shell command as ``user`` with a login environment; returns the CompletedProcess."""
    return subprocess.run(["runuser", "-l", user, "-c", command], capture_output=True, text=True, timeout=600)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reset_machine():
    """Stop a hub left by an earlier run and remove its users, course, exchange and state (ngshare's database
    too), so every run starts fresh. The student environment and ngshare's stay: hubctl reuses them."""
    if (ETC / "settings.json").exists():
        subprocess.run([*HUBCTL, "stop"], capture_output=True)
    for user in (INSTRUCTOR, *STUDENTS):
        if subprocess.run(["id", user], capture_output=True).returncode == 0:
            leftovers = subprocess.run(["ps", "-o", "pid=", "-u", user], capture_output=True, text=True).stdout
            for pid in leftovers.split():  # servers and kernels an earlier run started as the user
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), signal.SIGKILL)
            sh(["userdel", "--remove", user])
    shutil.rmtree("/usr/local/share/nbgrader/exchange/dl-foundations", ignore_errors=True)
    shutil.rmtree("/var/lib/dl-foundations-hub", ignore_errors=True)
    shutil.rmtree("/var/lib/dl-foundations-ngshare", ignore_errors=True)


def write_roster(folder, passwords):
    roster = Path(folder) / "roster.csv"
    roster.write_text("username,role,password\n" + f"{INSTRUCTOR},instructor,{passwords[INSTRUCTOR]}\n"
                      + "".join(f"{s},student,{passwords[s]}\n" for s in STUDENTS))
    return roster


def hidden_test_lines(assignment, notebook):
    """Lines of the hidden tests of ``assignment``'s ``notebook`` that appear nowhere in the student's copy."""
    source = json.loads((REPO / "source" / assignment / notebook).read_text())
    release = (REPO / "release" / assignment / notebook).read_text()
    lines = set()
    for cell in source["cells"]:
        text = "".join(cell["source"])
        for block in re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", text, re.S):
            lines |= {line.strip() for line in block.splitlines() if len(line.strip()) > 20}
    return {line for line in lines if json.dumps(line)[1:-1] not in release}


class Timer(dict):
    """Seconds of each named step: ``with timer.measure("collect"): ...``."""

    @contextlib.contextmanager
    def measure(self, name):
        started = time.monotonic()
        try:
            yield
        finally:
            self[name] = round(time.monotonic() - started, 1)
