#!/usr/bin/env python3
"""The instructor's day-to-day commands on the hub (installed as /usr/local/bin/course).

    course release a1_numpy_basics     # generate the student version, put it in the exchange
    course collect a1_numpy_basics     # collect submissions, then make submitted/ private
    course grade a1_numpy_basics       # course-grade: parallel hardened autograde
    course feedback a1_numpy_basics    # generate feedback and hand it back
    course export [--to grades.csv]    # nbgrader's CSV of every student's scores
    course nbgrader ARGS...            # any other nbgrader command, in the course folder

Every command runs in the course folder, with the course's nbgrader_config.py (the hardened
grader) importable and the student environment's tools on PATH, as the instructor (run by root,
it becomes the instructor first). ``collect`` takes the latest acceptable submission of each
student (resubmissions too) and reports refused entries; ``collect`` and ``export`` enrol the
roster in the gradebook first, so the export lists every student (0 without a submission);
``feedback`` hands back every student's feedback that could be generated and names the others.
With the ngshare exchange, nbgrader needs the instructor's hub token: in a JupyterLab terminal it is
set (JUPYTERHUB_API_TOKEN); from any other shell ``course`` reads the one ``hubctl`` wrote in
~/.config/dl-foundations/hub-token.
"""

import csv
import json
import os
import pwd
import re
import subprocess
import sys
import tempfile
from pathlib import Path

SETTINGS = Path("/etc/dl-foundations-hub/settings.json")
HUB_TOKEN = Path(".config") / "dl-foundations" / "hub-token"  # in the instructor's home


def environment(settings):
    env = dict(os.environ)
    env["PATH"] = f"{settings['env']}/bin:{env.get('PATH', '/usr/bin:/bin')}"
    env["PYTHONPATH"] = settings["course_root"]
    env["JUPYTER_CONFIG_PATH"] = settings["instructor_config"]
    if settings.get("ngshare") and "JUPYTERHUB_API_TOKEN" not in env:
        token = Path(pwd.getpwuid(os.getuid()).pw_dir) / HUB_TOKEN
        if not token.is_file():
            sys.exit(f"The ngshare exchange needs your hub token: set JUPYTERHUB_API_TOKEN (a token from the hub's "
                     f"Token page) or ask the administrator to run `hubctl start`, which writes {token}.")
        env["JUPYTERHUB_API_TOKEN"] = token.read_text().strip()
    return env


def become(instructor):
    """Run on as the instructor (``course`` started by root): the files it writes must be theirs."""
    account = pwd.getpwnam(instructor)
    os.initgroups(instructor, account.pw_gid)
    os.setgid(account.pw_gid)
    os.setuid(account.pw_uid)
    os.environ.update(HOME=account.pw_dir, USER=instructor, LOGNAME=instructor)


def enrol_roster(root, env, students):
    """Every student of the roster in the gradebook (nbgrader db student import; idempotent)."""
    with tempfile.NamedTemporaryFile("w", suffix=".csv", newline="") as roster:
        writer = csv.writer(roster)
        writer.writerow(["id"])
        writer.writerows([student] for student in students)
        roster.flush()
        return subprocess.run(["nbgrader", "db", "student", "import", roster.name], cwd=root, env=env,
                              capture_output=True, text=True).returncode


def failure_reasons(log):
    """``{student: exception line}`` of the notebooks nbgrader could not convert, from its log."""
    reasons, student = {}, None
    for line in log.splitlines():
        started = re.search(r"There was an error processing assignment: (\S+)", line)
        if started:
            student = Path(started[1]).parent.name
            reasons[student] = "see the error above"
        elif student and line.startswith("["):
            student = None if "Traceback" not in line else student
        elif student and line.strip() and not line[0].isspace():
            reasons[student] = line.strip()  # the traceback's last unindented line: the exception
    return reasons


def feedback(root, env, args):
    """Generate feedback, then release what was generated even when some students' failed (nbgrader goes on
    past a failing notebook but exits 1); name those students and their error."""
    generated = subprocess.run(["nbgrader", "generate_feedback", "--force", *args], cwd=root, env=env,
                               capture_output=True, text=True)
    sys.stderr.write(generated.stdout + generated.stderr)
    released = subprocess.run(["nbgrader", "release_feedback", *args], cwd=root, env=env).returncode
    failed = failure_reasons(generated.stderr)
    if failed:
        print("\nFeedback NOT generated (everyone else's was released):\n"
              + "".join(f"  {student}: {reason}\n" for student, reason in sorted(failed.items())), file=sys.stderr)
    return 1 if failed or generated.returncode or released else 0


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
    settings = json.loads(SETTINGS.read_text())
    if os.geteuid() == 0:
        become(settings["instructor"])
    root, env = settings["course_root"], environment(settings)
    command, args = argv[0], argv[1:]
    if command == "feedback":
        return feedback(root, env, args)
    if command in ("collect", "export") and enrol_roster(root, env, settings["students"]):
        print("could not enrol the roster in the gradebook (nbgrader db student import)", file=sys.stderr)
    steps = {
        "release": [["nbgrader", "generate_assignment", "--force", *args],
                    ["nbgrader", "release_assignment", "--force", *args]],
        "collect": [["nbgrader", "collect", *args]],
        "grade": [["python", "-m", "coursekit.grading.batch.grade", *args]],
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
