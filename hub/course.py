#!/usr/bin/env python3
"""The instructor's day-to-day commands on the hub (installed as /usr/local/bin/course).

    course release a1_numpy_basics     # generate the student version, put it in the exchange
    course collect a1_numpy_basics     # collect submissions, then make submitted/ private
    course grade a1_numpy_basics       # course-grade: parallel hardened autograde
    course feedback a1_numpy_basics    # generate feedback and hand it back
    course export [--to grades.csv]    # nbgrader's CSV of every student's scores
    course nbgrader ARGS...            # any other nbgrader command, in the course folder

Every command runs in the course folder, with the course's nbgrader_config.py (the hardened
grader) importable and the student environment's tools on PATH. Run it as the instructor.
With the ngshare exchange, nbgrader needs the instructor's hub token: in a JupyterLab terminal it is
set (JUPYTERHUB_API_TOKEN); from any other shell ``course`` reads the one ``hubctl`` wrote in
~/.config/dl-foundations/hub-token.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

SETTINGS = Path("/etc/dl-foundations-hub/settings.json")
HUB_TOKEN = Path.home() / ".config" / "dl-foundations" / "hub-token"


def environment(settings):
    env = dict(os.environ)
    env["PATH"] = f"{settings['env']}/bin:{env.get('PATH', '/usr/bin:/bin')}"
    env["PYTHONPATH"] = settings["course_root"]
    env["JUPYTER_CONFIG_PATH"] = settings["instructor_config"]
    if settings.get("ngshare") and "JUPYTERHUB_API_TOKEN" not in env:
        if not HUB_TOKEN.is_file():
            sys.exit(f"The ngshare exchange needs your hub token: set JUPYTERHUB_API_TOKEN (a token from the hub's "
                     f"Token page) or ask the administrator to run `hubctl start`, which writes {HUB_TOKEN}.")
        env["JUPYTERHUB_API_TOKEN"] = HUB_TOKEN.read_text().strip()
    return env


def lock_submissions(course_root):
    """submitted/ as collect leaves it is open to everyone (0777 folders); make it the instructor's alone."""
    for folder, _dirs, files in os.walk(Path(course_root) / "submitted"):
        os.chmod(folder, 0o700)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o600)
    os.chmod(course_root, 0o700)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if os.geteuid() == 0:
        sys.exit("Run `course` as the instructor (files it writes must be theirs): sudo -u INSTRUCTOR course ...")
    settings = json.loads(SETTINGS.read_text())
    root, env = settings["course_root"], environment(settings)
    command, args = argv[0], argv[1:]
    steps = {
        "release": [["nbgrader", "generate_assignment", "--force", *args],
                    ["nbgrader", "release_assignment", "--force", *args]],
        "collect": [["nbgrader", "collect", *args]],
        "grade": [["python", "-m", "coursekit.grading.batch", *args]],
        "feedback": [["nbgrader", "generate_feedback", "--force", *args], ["nbgrader", "release_feedback", *args]],
        "export": [["nbgrader", "export", *args]],
        "nbgrader": [["nbgrader", *args]],
    }
    if command not in steps:
        sys.exit(f"unknown command {command!r}; one of: {', '.join(steps)} (course --help)")
    for step in steps[command]:
        code = subprocess.run(step, cwd=root, env=env).returncode
        if command == "collect":
            lock_submissions(root)
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
