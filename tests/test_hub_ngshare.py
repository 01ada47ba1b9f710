"""The course cycle on the real hub with ngshare as nbgrader's exchange (``hubctl setup --exchange ngshare``).

Real Unix users, PAM and LocalProcessSpawner, as in test_hub_browser.py, without a browser: the instructor
releases a1 with ``course`` from a plain login shell (the hub token hubctl wrote); alice and bob get hub
tokens with their passwords, start their servers through the hub's API and fetch, answer (Jupyter's
contents API), submit and fetch feedback through their own servers' nbgrader handlers, the ones the
Assignments panel calls; the instructor collects, grades and hands back feedback. Then: who was collected,
each student's scores, the feedback each student can open, and what alice may ask ngshare about bob.
Needs root (it creates users) and a Debian machine: CI (.ci/run) has them; elsewhere it is skipped.
"""

import base64
import html
import json
import os
import re
import secrets
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from hub_machine import (
    HUBCTL,
    INSTRUCTOR,
    LEFT_BEHIND,
    REPO,
    STUDENTS,
    Student,
    Timer,
    as_user,
    free_port,
    hidden_test_lines,
    machine_skip_reason,
    prepare_machine,
    processes_of,
    request,
    sh,
    stop_hub,
    write_roster,
)

from coursekit.submissions import answers_of, load_notebook

pytestmark = pytest.mark.skipif(machine_skip_reason() is not None, reason=machine_skip_reason() or "")

A1, NOTEBOOK, COURSE = "a1_numpy_basics", "numpy_basics.ipynb", "dl-foundations"
TOKEN = ".config/dl-foundations/hub-token"  # the instructor's, written by hubctl
ALL_ANSWERS = answers_of(load_notebook(REPO / "source" / A1 / NOTEBOOK))
# alice answers every question right; bob only the first one (the others stay as released: unanswered);
# carol everything right, with nbgrader's marker line in one answer (her feedback cannot be generated).
ANSWERED = {"alice": ALL_ANSWERS, "bob": {"answer_basic_sigmoid": ALL_ANSWERS["answer_basic_sigmoid"]},
            "carol": {**ALL_ANSWERS,
                      "answer_basic_sigmoid": ALL_ANSWERS["answer_basic_sigmoid"] + "\n### BEGIN HIDDEN TESTS\n"}}
PARTICIPANTS = (*STUDENTS, "carol")


def files_form(files):
    """The form nbgrader's ngshare exchange posts: {"files": JSON list of {path, base64 content}}."""
    return {"files": json.dumps([{"path": path, "content": base64.b64encode(data).decode()}
                                 for path, data in files.items()])}


def alice_attacks(ngshare, alice, course_root):
    """alice, with her own hub token, against ngshare: {attempt: (status, reply)}; and links in her folder."""
    release = files_form({NOTEBOOK: b"{}"})
    attempts = {
        "replace the release": ("POST", f"assignment/{COURSE}/{A1}", release),
        "delete the release": ("DELETE", f"assignment/{COURSE}/{A1}", None),
        "write bob's feedback": ("POST", f"feedback/{COURSE}/{A1}/bob", files_form({"x.html": b"<p>0</p>"})),
        "delete the course": ("DELETE", f"course/{COURSE}", None),
        "enrol a new instructor": ("POST", f"instructor/{COURSE}/alice", {"first_name": "a"}),
        "submit a path out of the submission": ("POST", f"submission/{COURSE}/{A1}",
                                                files_form({"../../../home/instructor/x": b"x"})),
        "submit an absolute path": ("POST", f"submission/{COURSE}/{A1}", files_form({"/tmp/x": b"x"})),
    }
    results = {what: request(f"{ngshare}/{path}", alice, method, form=form)
               for what, (method, path, form) in attempts.items()}
    # a submission that names bob: ngshare files it under the token's owner, alice
    results["submit naming bob"] = request(f"{ngshare}/submission/{COURSE}/{A1}", alice, "POST",
                                           form={**files_form({NOTEBOOK: b'{"claims": "bob"}'}), "student_id": "bob"})
    # more files than collect takes (ngshare stores them): the next collect refuses it, keeps what it had
    results["submit 101 files"] = request(f"{ngshare}/submission/{COURSE}/{A1}", alice, "POST",
                                          form=files_form({f"f{i}.txt": b"x" for i in range(101)}))
    # links in her own folder to the instructor's files, then a submit through her server
    links = as_user("alice", f"ln -s {course_root}/source/{A1}/{NOTEBOOK} ~/{A1}/leak.ipynb && "
                             f"ln -s {course_root}/gradebook.db ~/{A1}/gradebook.db")
    return results, links


def instructor_runs(command, timer):
    with timer.measure(command):
        done = as_user(INSTRUCTOR, command)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    timer, observed = Timer(), {}
    observed["timer"] = timer
    prepare_machine()
    passwords = {user: secrets.token_urlsafe(12) for user in (INSTRUCTOR, *PARTICIPANTS)}
    roster = write_roster(tmp_path_factory.mktemp("hub"), passwords)
    port = free_port()
    with timer.measure("setup --exchange ngshare (users, environments, course, config)"):
        setup = subprocess.run([*HUBCTL, "setup", "--roster", str(roster), "--port", str(port), "--exchange",
                                "ngshare", "--no-start"], capture_output=True, text=True, timeout=900)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    try:
        with timer.measure("hub start, ngshare course and enrolment"):
            observed["start"] = sh([*HUBCTL, "start"], timeout=180).stdout
        settings = json.loads((Path("/etc/dl-foundations-hub") / "settings.json").read_text())
        observed["settings"] = settings
        base = f"http://127.0.0.1:{port}"
        observed["release"] = instructor_runs(f"course release {A1}", timer)
        students = {name: Student(base, name, passwords[name]) for name in PARTICIPANTS}
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
        with timer.measure(f"course feedback {A1}"):
            observed["feedback"] = as_user(INSTRUCTOR, f"course feedback {A1}")
        for name in STUDENTS:
            with timer.measure(f"fetch feedback ({name})"):
                students[name].act("fetch_feedback")
            observed[f"feedback ({name})"] = students[name].feedback_html()
        observed["carol's feedback"] = students["carol"].act("fetch_feedback", check=False)
        course_root = settings["course_root"]
        bob_before = Path(course_root, "submitted", "bob", A1, NOTEBOOK).read_bytes()
        ngshare, instructor = settings["ngshare"]["url"], Path(f"/home/{INSTRUCTOR}/{TOKEN}").read_text().strip()
        observed["submissions before"] = {name: len(request(f"{ngshare}/submissions/{COURSE}/{A1}/{name}",
                                                            instructor)[1]["submissions"]) for name in STUDENTS}
        observed["attacks"], observed["links"] = alice_attacks(ngshare, students["alice"].token, course_root)
        observed["submit with links"] = students["alice"].act("submit", check=False)
        observed["submissions after"] = {name: len(request(f"{ngshare}/submissions/{COURSE}/{A1}/{name}",
                                                           instructor)[1]["submissions"]) for name in STUDENTS}
        observed["recollect"] = instructor_runs(f"course collect {A1}", timer)
        observed["recollect report"] = json.loads(Path(course_root, "reports", f"collect-{A1}.json").read_text())
        observed["bob unchanged"] = Path(course_root, "submitted", "bob", A1, NOTEBOOK).read_bytes() == bob_before
        observed["alice collected"] = {p.relative_to(course_root).as_posix(): p
                                       for p in Path(course_root, "submitted", "alice").rglob("*")}
        with timer.measure("alice's kernel: memory hog, processes left behind; her server's stop"):
            observed["hog"] = students["alice"].run_code("import numpy as np\nx = np.ones(3 * 2 ** 30 // 8)")
            observed["left behind"] = students["alice"].run_code(LEFT_BEHIND)
            students["alice"].stop_server()
        observed["alice's processes after stop"] = processes_of("alice")
        yield observed
    finally:
        stop_hub()


def test_setup_enrols_the_roster_in_ngshare(cycle):
    assert "3 students enrolled" in cycle["start"], cycle["start"]
    ngshare = cycle["settings"]["ngshare"]["url"]
    token = Path(f"/home/{INSTRUCTOR}/.config/dl-foundations/hub-token")
    assert sh(["stat", "-c", "%U %a", str(token)]).stdout.split() == [INSTRUCTOR, "600"]
    status, reply = request(f"{ngshare}/students/{COURSE}", token.read_text().strip())
    assert status == 200 and sorted(s["username"] for s in reply["students"]) == sorted(PARTICIPANTS), reply
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
    assert collected == sorted(PARTICIPANTS), (collected, cycle["collect"])
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
        stamps[name] = urllib.parse.quote(reply["submissions"][0]["timestamp"])  # the graded one
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
        print("alice's attacks on ngshare (HTTP status, reply):")
        for what, (status, reply) in cycle["attacks"].items():
            print(f"  {what:<40} {status} {json.dumps(reply)[:90]}")
        print(f"  submit with links (her server)           {json.dumps(cycle['submit with links'])[:150]}")
    assert timings["course release a1_numpy_basics"] > 0 and len(timings) > 10


def test_a_marker_line_fails_only_its_owners_feedback(cycle):
    done = cycle["feedback"]
    assert done.returncode == 1 and "Feedback NOT generated" in done.stderr, done.stdout + done.stderr
    report = done.stderr[done.stderr.index("Feedback NOT generated"):]
    assert "carol:" in report and "alice" not in report and "bob" not in report, report
    assert all(cycle[f"feedback ({name})"] for name in STUDENTS)  # fetched above: everyone else has theirs


def test_alice_cannot_rearrange_the_course_in_ngshare(cycle):
    accepted = ("submit naming bob", "submit 101 files")
    refused = {what: status for what, (status, reply) in cycle["attacks"].items() if what not in accepted}
    assert all(status in (400, 403) for status in refused.values()), refused
    status, reply = cycle["attacks"]["submit naming bob"]
    assert status == 200, reply  # accepted, but as alice's:
    before, after = cycle["submissions before"], cycle["submissions after"]
    assert after["bob"] == before["bob"] and after["alice"] > before["alice"], (before, after)
    assert cycle["bob unchanged"]


def test_links_in_a_submission_bring_nothing_of_the_instructors(cycle):
    assert cycle["links"].returncode == 0, cycle["links"].stderr  # the links were made
    files = cycle["alice collected"]
    assert files and not [name for name, path in files.items() if path.is_symlink()], files
    assert not [name for name in files if "gradebook" in name or "leak" in name], files
    texts = "".join(path.read_text(errors="replace") for path in files.values() if path.is_file())
    assert not [line for line in hidden_test_lines(A1, NOTEBOOK) if json.dumps(line)[1:-1] in texts]


def test_a_memory_hog_dies_and_nothing_outlives_a_students_server(cycle):
    assert cycle["hog"][0] == "died", cycle["hog"]  # 3 GiB against the default 2 GiB
    assert cycle["left behind"] == ("ok", "planted\n"), cycle["left behind"]
    assert cycle["alice's processes after stop"] == "", cycle["alice's processes after stop"]


def test_collect_refuses_a_submission_over_its_caps_and_keeps_the_one_it_had(cycle):
    assert cycle["attacks"]["submit 101 files"][0] == 200  # ngshare itself takes it
    refused = cycle["recollect report"]["refused"]
    assert [r["entry"].split("'")[0] for r in refused] == ["alice"], refused
    assert "more than 100 files" in refused[0]["reason"], refused
    kept = cycle["alice collected"]
    assert f"submitted/alice/{A1}/{NOTEBOOK}" in kept and not [name for name in kept if name.endswith(".txt")
                                                                and "/f" in name], kept
