"""The course cycle on the real hub with ngshare as nbgrader's exchange (``hubctl setup --exchange ngshare``).

Real Unix users, PAM and LocalProcessSpawner, as in test_hub_browser.py, without a browser: the instructor
releases a1 with ``course`` from a plain login shell (the hub token hubctl wrote); alice and bob get hub
tokens with their passwords, start their servers through the hub's API and fetch, answer (Jupyter's
contents API), submit and fetch feedback through their own servers' nbgrader handlers, the ones the
Assignments panel calls; the instructor collects, grades and hands back feedback. Then: who was collected,
each student's scores, the feedback each student can open, and what alice may ask ngshare about bob.
Needs root (it creates users) and a Debian machine: CI (.ci/run) has them; elsewhere it is skipped.
"""

import html
import json
import os
import re
import secrets
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import pytest
from hub_machine import (
    HUBCTL,
    INSTRUCTOR,
    REPO,
    STUDENTS,
    TEST_MARKER,
    Timer,
    as_user,
    free_port,
    hidden_test_lines,
    machine_skip_reason,
    reset_machine,
    sh,
    write_roster,
)

from coursekit.submissions import answers_of, fill_answers, load_notebook

pytestmark = pytest.mark.skipif(machine_skip_reason() is not None, reason=machine_skip_reason() or "")

A1, NOTEBOOK, COURSE = "a1_numpy_basics", "numpy_basics.ipynb", "dl-foundations"
ALL_ANSWERS = answers_of(load_notebook(REPO / "source" / A1 / NOTEBOOK))
# alice answers every question right; bob only the first one (the others stay as released: unanswered).
ANSWERED = {"alice": ALL_ANSWERS, "bob": {"answer_basic_sigmoid": ALL_ANSWERS["answer_basic_sigmoid"]}}


def request(url, token, method="GET", form=None, body=None):
    """(status, decoded JSON) of a request to the hub, a user's server or ngshare, with a hub token."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    data = json.dumps(body).encode() if body is not None else data
    headers = {"Authorization": f"token {token}"} if token else {}
    call = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(call, timeout=300) as reply:
            return reply.status, json.loads(reply.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class Student:
    """A student at work in their own single-user server, through the hub, with their own hub token."""

    def __init__(self, base, name, password):
        self.base, self.name = base, name
        status, reply = request(f"{base}/hub/api/users/{name}/tokens", None, "POST",
                                body={"auth": {"username": name, "password": password}, "note": "ngshare test"})
        assert status == 201, (status, reply)
        self.token = reply["token"]

    def start_server(self, timeout=120):
        status, reply = request(f"{self.base}/hub/api/users/{self.name}/server", self.token, "POST", body={})
        assert status in (201, 202), (status, reply)
        deadline = time.monotonic() + timeout
        while not request(f"{self.base}/hub/api/users/{self.name}", self.token)[1]["servers"].get("", {}).get("ready"):
            assert time.monotonic() < deadline, f"{self.name}'s server did not start in {timeout} s"
            time.sleep(0.5)

    def server(self, path, method="GET", **kwargs):
        status, reply = request(f"{self.base}/user/{self.name}/{path}", self.token, method, **kwargs)
        assert status == 200, (self.name, path, status, reply)
        return reply

    def assignments(self):
        """What the Assignments panel lists: ``{status: [assignment, ...]}``."""
        listed = self.server(f"assignments?course_id={COURSE}")
        assert listed["success"], listed
        found = {}
        for entry in listed["value"]:
            found.setdefault(entry["status"], []).append(entry)
        return found

    def act(self, action):
        """fetch, submit or fetch_feedback: the panel's buttons."""
        reply = self.server(f"assignments/{action}", "POST", form={"course_id": COURSE, "assignment_id": A1})
        assert reply.get("success", True), reply
        return reply

    def answer(self, answers):
        """Open the fetched notebook, write ``answers`` into it and save it, as JupyterLab does."""
        path = f"api/contents/{A1}/{NOTEBOOK}"
        notebook = nbformat.from_dict(self.server(path)["content"])
        self.server(path, "PUT", body={"type": "notebook", "format": "json",
                                       "content": fill_answers(notebook, answers)})

    def feedback_html(self):
        """The feedback the student fetched, as their server serves it to them."""
        listing = self.server(f"api/contents/{A1}/feedback")["content"]
        assert len(listing) == 1, listing
        feedback = f"{listing[0]['path']}/{NOTEBOOK.replace('.ipynb', '.html')}"
        return self.server(f"api/contents/{urllib.parse.quote(feedback)}")["content"]


def instructor_runs(command, timer):
    with timer.measure(command):
        done = as_user(INSTRUCTOR, command)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    timer, observed = Timer(), {}
    observed["timer"] = timer
    reset_machine()
    passwords = {user: secrets.token_urlsafe(12) for user in (INSTRUCTOR, *STUDENTS)}
    roster = write_roster(tmp_path_factory.mktemp("hub"), passwords)
    port = free_port()
    with timer.measure("setup --exchange ngshare (users, environments, course, config)"):
        setup = subprocess.run([*HUBCTL, "setup", "--roster", str(roster), "--port", str(port), "--exchange",
                                "ngshare", "--no-start"], capture_output=True, text=True, timeout=900)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    TEST_MARKER.write_text("set up by a hub test (tests/hub_machine.py); it may replace this hub\n")
    try:
        with timer.measure("hub start, ngshare course and enrolment"):
            observed["start"] = sh([*HUBCTL, "start"], timeout=180).stdout
        settings = json.loads((Path("/etc/dl-foundations-hub") / "settings.json").read_text())
        observed["settings"] = settings
        base = f"http://127.0.0.1:{port}"
        observed["release"] = instructor_runs(f"course release {A1}", timer)
        students = {name: Student(base, name, passwords[name]) for name in STUDENTS}
        observed["students"] = students
        for name, student in students.items():
            with timer.measure(f"server start ({name})"):
                student.start_server()
            observed[f"listed before fetch ({name})"] = student.assignments()
            with timer.measure(f"fetch ({name})"):
                student.act("fetch")
            student.answer(ANSWERED[name])
            with timer.measure(f"submit ({name})"):
                student.act("submit")
        observed["collect"] = instructor_runs(f"course collect {A1}", timer)
        instructor_runs(f"course grade {A1}", timer)
        instructor_runs(f"course feedback {A1}", timer)
        for name, student in students.items():
            with timer.measure(f"fetch feedback ({name})"):
                student.act("fetch_feedback")
            observed[f"feedback ({name})"] = student.feedback_html()
        yield observed
    finally:
        subprocess.run([*HUBCTL, "stop"], capture_output=True)


def test_setup_enrols_the_roster_in_ngshare(cycle):
    assert "2 students enrolled" in cycle["start"], cycle["start"]
    ngshare = cycle["settings"]["ngshare"]["url"]
    token = Path(f"/home/{INSTRUCTOR}/.config/dl-foundations/hub-token")
    assert sh(["stat", "-c", "%U %a", str(token)]).stdout.split() == [INSTRUCTOR, "600"]
    status, reply = request(f"{ngshare}/students/{COURSE}", token.read_text().strip())
    assert status == 200 and sorted(s["username"] for s in reply["students"]) == sorted(STUDENTS), reply
    assert "Successfully released" in cycle["release"], cycle["release"]
    config = Path(cycle["settings"]["env"], "etc", "jupyter", "nbgrader_config.py").read_text()
    assert "configureExchange" in config and "Exchange.root" not in config, config


def test_students_fetch_the_release_through_their_servers(cycle):
    for name in STUDENTS:
        released = cycle[f"listed before fetch ({name})"].get("released", [])
        assert [a["assignment_id"] for a in released] == [A1], cycle[f"listed before fetch ({name})"]
        fetched = Path(f"/home/{name}/{A1}/{NOTEBOOK}")
        assert sh(["stat", "-c", "%U", str(fetched)]).stdout.strip() == name  # written by the student's server
        assert "BEGIN SOLUTION" not in fetched.read_text()


def test_collect_gets_both_students(cycle):
    course = Path(cycle["settings"]["course_root"])
    collected = sorted(p.parent.name for p in (course / "submitted").glob(f"*/{A1}"))
    assert collected == sorted(STUDENTS), (collected, cycle["collect"])
    assert sh(["stat", "-c", "%a", str(course / "submitted")]).stdout.strip() == "700"


def scores(course_root):
    """``{student: {grade_id: (score, max_score)}}`` from the course's gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{Path(course_root) / 'gradebook.db'}") as gb:
        return {name: {g.name: (g.score, g.max_score) for g in
                       gb.find_submission_notebook(NOTEBOOK.removesuffix(".ipynb"), A1, name).grades}
                for name in STUDENTS}


def test_each_student_scores_what_their_answers_earn(cycle):
    graded = scores(cycle["settings"]["course_root"])
    assert graded["alice"] and all(score == full for score, full in graded["alice"].values()), graded["alice"]
    for grade_id, (score, full) in graded["bob"].items():
        expected = full if grade_id.endswith("_basic_sigmoid") else 0
        assert score == expected, ("bob", grade_id, score, full)
    assert sum(s for s, _ in graded["bob"].values()) < sum(s for s, _ in graded["alice"].values())


def test_each_student_reads_their_own_feedback_without_hidden_tests(cycle):
    graded = scores(cycle["settings"]["course_root"])
    for name in STUDENTS:
        text = html.unescape(re.sub(r"<[^>]+>", " ", cycle[f"feedback ({name})"]))
        total, full = (sum(v[i] for v in graded[name].values()) for i in (0, 1))
        shown = re.search(r"Score:\s*([\d.]+)\s*/\s*([\d.]+)", text)
        assert shown and (float(shown[1]), float(shown[2])) == (total, full), (name, shown and shown[0], total)
        leaked = [line for line in hidden_test_lines(A1, NOTEBOOK) if line in text]
        assert not leaked, leaked


def test_alice_gets_nothing_of_bobs_from_ngshare(cycle):
    ngshare = cycle["settings"]["ngshare"]["url"]
    alice = cycle["students"]["alice"].token
    instructor = Path(f"/home/{INSTRUCTOR}/.config/dl-foundations/hub-token").read_text().strip()
    stamps = {}
    for name in STUDENTS:
        status, reply = request(f"{ngshare}/submissions/{COURSE}/{A1}/{name}", instructor)
        assert status == 200 and reply["submissions"], reply
        stamps[name] = urllib.parse.quote(reply["submissions"][-1]["timestamp"])
    status, own = request(f"{ngshare}/feedback/{COURSE}/{A1}/alice?timestamp={stamps['alice']}", alice)
    assert status == 200 and own["files"], (status, own)  # her token works: the refusals below are about bob
    refused = {
        "bob's feedback": f"feedback/{COURSE}/{A1}/bob?timestamp={stamps['bob']}",
        "bob's submission": f"submission/{COURSE}/{A1}/bob",
        "bob's submission list": f"submissions/{COURSE}/{A1}/bob",
        "everyone's submissions": f"submissions/{COURSE}/{A1}",
        "the class list": f"students/{COURSE}",
    }
    answers = {what: request(f"{ngshare}/{path}", alice) for what, path in refused.items()}
    assert all(status == 403 and not reply["success"] for status, reply in answers.values()), answers


def test_ngshare_runs_as_its_own_account_and_keeps_its_data_to_itself(cycle):
    data = cycle["settings"]["ngshare"]["data"]
    assert subprocess.run(["pgrep", "-u", "ngshare", "-f", "python -m ngshare"], capture_output=True).returncode == 0
    assert subprocess.run(["pgrep", "-u", "root", "-f", "python -m ngshare"], capture_output=True).returncode == 1
    assert sh(["stat", "-c", "%U %a", data]).stdout.split() == ["ngshare", "700"]
    assert list(Path(data).glob("ngshare.db")) and list(Path(data, "files").iterdir())
    assert as_user("alice", f"ls {data}").returncode != 0


def test_prints_timings(cycle, capsys):
    timings = dict(cycle["timer"])
    with capsys.disabled():
        print(f"\nJupyterHub + ngshare test timings in s (load average {os.getloadavg()[0]:.1f}):")
        for name, seconds in timings.items():
            print(f"  {name:<62} {seconds:7.1f}")
    assert timings["course release a1_numpy_basics"] > 0 and len(timings) > 10
