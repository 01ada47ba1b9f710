"""The whole course cycle on a real JupyterHub, driven in a real browser (Debian's chromium).

``hub/hubctl.py setup`` creates the instructor and two students as Unix users and builds the
student environment; the instructor releases a1 and a2; each student logs in, fetches in the
Assignments panel, answers one question right and one wrong, runs the visible checks, clicks
Validate and submits; the instructor collects, grades with course-grade and hands back feedback;
the students fetch it. Then: per-question scores, feedback without hidden tests, and what alice
can and cannot read or write, checked as alice. Timings are printed at the end.
Needs root (it creates users), apt and chromium: CI (.ci/run) has them; elsewhere it is skipped.
"""

import html
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, browser_skip_reason
from hub_machine import (
    ETC,
    HUBCTL,
    INSTRUCTOR,
    REPO,
    STUDENTS,
    Timer,
    as_user,
    free_port,
    hidden_test_lines,
    machine_skip_reason,
    prepare_machine,
    sh,
    stop_hub,
    write_roster,
)

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the test is skipped then
    PlaywrightTimeout = TimeoutError

A1, A2 = "a1_numpy_basics", "a2_logistic_regression"
NOTEBOOKS = {A1: "numpy_basics.ipynb", A2: "logistic_regression.ipynb"}
# Cells each student runs: setup cells, then (answer, check) for the two questions answered.
SETUP_CELLS = {A1: ["setup_imports"], A2: ["setup_imports", "setup_load"]}
QUESTIONS = {A1: ["basic_sigmoid", "sigmoid"], A2: ["dimensions", "flatten"]}
WRONG = {
    "basic_sigmoid": "def basic_sigmoid(x):\n    return 1 / (1 + math.exp(x))\n",
    "sigmoid": "def sigmoid(x):\n    return 1 / (1 + np.exp(x))\n",
    "dimensions": "m_train = train_set_x_orig.shape[1]\nm_test = test_set_x_orig.shape[1]\n"
                  "num_px = train_set_x_orig.shape[0]\n",
    "flatten": "train_set_x_flatten = train_set_x_orig.reshape(-1, train_set_x_orig.shape[0])\n"
               "test_set_x_flatten = test_set_x_orig.reshape(-1, test_set_x_orig.shape[0])\n",
}
# alice answers the first question of each assignment right and the second wrong; bob the reverse.
RIGHT_QUESTION = {"alice": 0, "bob": 1}


def skip_reason():
    return machine_skip_reason() or browser_skip_reason()


pytestmark = pytest.mark.skipif(skip_reason() is not None, reason=skip_reason() or "")


def cell_index(notebook, grade_id):
    for index, cell in enumerate(notebook["cells"]):
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return index
    raise KeyError(grade_id)


class Lab:
    """One user's JupyterLab in the browser."""

    def __init__(self, browser, base, user, password, timer):
        self.user, self.timer = user, timer
        self.context = browser.new_context(viewport={"width": 1500, "height": 1000})
        self.context.set_default_timeout(60_000)
        self.page = self.context.new_page()
        self.page.goto(f"{base}/hub/login")
        self.page.fill("#username_input", user)
        self.page.fill("#password_input", password)
        with timer.measure(f"login and spawn ({user})"):
            self.page.click("#login_submit")
            self.page.wait_for_selector(".jp-LabShell", timeout=180_000)
            self.page.wait_for_selector(".jp-DirListing-content", timeout=60_000)

    def menu(self, title):
        self.page.locator(".lm-MenuBar-itemLabel", has_text=title).click()
        labels = self.page.locator(".lm-Menu:visible .lm-Menu-itemLabel").all_inner_texts()
        return [label for label in labels if label]

    def open_assignments(self):
        items = self.menu("Nbgrader")
        self.page.locator(".lm-Menu:visible .lm-Menu-itemLabel", has_text="Assignment List").click()
        self.page.wait_for_selector("#released_assignments_list", timeout=60_000)
        return items

    def assignment_row(self, listing, assignment):
        return self.page.locator(f"#{listing} > .list_item", has_text=assignment).first

    def fetch(self, assignment):
        self.page.locator(".lm-TabBar-tabLabel", has_text="Assignments").first.click()
        with self.timer.measure(f"fetch {assignment} ({self.user})"):
            self.assignment_row("released_assignments_list", assignment).locator("button", has_text="Fetch").click()
            self.assignment_row("fetched_assignments_list", assignment).wait_for()

    def open_notebook(self, assignment):
        row = self.assignment_row("fetched_assignments_list", assignment)
        row.locator("a.assignment-notebooks-link").click()
        self.page.locator(f"#nbgrader-dl-foundations-{assignment} a").first.click()
        self.page.wait_for_selector(".jp-NotebookPanel:visible .jp-Cell", timeout=60_000)
        kernel_dialog = self.page.locator(".jp-Dialog", has_text="Select Kernel")
        try:  # asked only when the kernel list was not loaded yet
            kernel_dialog.locator("button", has_text="Select").click(timeout=3_000)
        except PlaywrightTimeout:
            pass

    def cell(self, index):
        return self.page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell").nth(index)

    def set_cell(self, index, code):
        cell = self.cell(index)
        cell.scroll_into_view_if_needed()
        cell.locator(".cm-content").click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.insert_text(code)

    def run_cell(self, index, timeout=120):
        """Run one cell and wait until it has finished; returns its output text."""
        cell = self.cell(index)
        prompt = cell.locator(".jp-InputPrompt")
        for _ in range(5):  # a key press right after the notebook opened can be lost: press again
            cell.scroll_into_view_if_needed()
            cell.locator(".cm-content").click()
            self.page.keyboard.press("Control+Enter")
            started = time.monotonic()
            while prompt.inner_text().strip() == "[ ]:" and time.monotonic() - started < 5:
                time.sleep(0.2)
            if prompt.inner_text().strip() != "[ ]:":
                break
        deadline = time.monotonic() + timeout
        while not re.fullmatch(r"\[\d+\]:", prompt.inner_text().strip()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"cell {index} of {self.user}'s notebook still running after {timeout} s")
            time.sleep(0.2)
        return cell.locator(".jp-OutputArea").inner_text() if cell.locator(".jp-OutputArea").count() else ""

    def save(self):
        self.page.keyboard.press("Control+S")
        self.page.wait_for_selector(".jp-NotebookPanel:visible .jp-mod-dirty", state="detached", timeout=30_000)
        time.sleep(0.5)

    def validate(self, assignment):
        self.save()
        with self.timer.measure(f"Validate {assignment} ({self.user})"):
            self.page.locator(".jp-NotebookPanel:visible .jp-Toolbar").get_by_text("Validate", exact=True).click()
            dialog = self.page.locator(".jp-Dialog", has_text="Validation Results")
            dialog.wait_for(timeout=180_000)
        text = dialog.inner_text()
        dialog.locator("button", has_text="Ok").click()
        return text

    def submit(self, assignment):
        self.page.locator(".lm-TabBar-tabLabel", has_text="Assignments").first.click()
        with self.timer.measure(f"submit {assignment} ({self.user})"):
            self.assignment_row("fetched_assignments_list", assignment).locator("button", has_text="Submit").click()
            self.assignment_row("submitted_assignments_list", assignment).wait_for()

    def fetch_feedback(self, assignment):
        self.page.locator(".lm-TabBar-tabLabel", has_text="Assignments").first.click()
        self.page.locator("#refresh_assignments_list").click()
        button = self.assignment_row("submitted_assignments_list", assignment).locator("button",
                                                                                       has_text="Fetch Feedback")
        button.first.click()
        time.sleep(2)

    def screenshot(self, name):
        self.page.screenshot(path=str(REPO / "reports" / f"hub-{name}.png"))


def student_work(lab, assignment, source, timer):
    """Fill in two answers (one right, one wrong), run the setup cells and checks, Validate, submit."""
    from coursekit.submissions import answers_of, load_notebook

    release = json.loads((REPO / "release" / assignment / NOTEBOOKS[assignment]).read_text())
    answers = answers_of(load_notebook(source))
    lab.fetch(assignment)
    lab.open_notebook(assignment)
    for grade_id in SETUP_CELLS[assignment]:
        lab.run_cell(cell_index(release, grade_id))
    outputs = {}
    for number, question in enumerate(QUESTIONS[assignment]):
        right = number == RIGHT_QUESTION[lab.user]
        answer = answers[f"answer_{question}"] if right else WRONG[question]
        lab.set_cell(cell_index(release, f"answer_{question}"), answer)
        lab.run_cell(cell_index(release, f"answer_{question}"))
        outputs[question] = (right, lab.run_cell(cell_index(release, f"test_{question}")))
    validation = lab.validate(assignment)
    lab.submit(assignment)
    return outputs, validation


AUTOGRADE_JS = """async (url) => {
    const xsrf = (document.cookie.split('; ').find(c => c.startsWith('_xsrf=')) || '=').split('=')[1];
    const reply = await fetch(url, {method: 'POST', headers: {'X-XSRFToken': decodeURIComponent(xsrf)}});
    return {status: reply.status, body: await reply.text()};
}"""


def formgrader_autograde(lab, settings, student, assignment, timer):
    """What the Formgrader's Autograde button does (its API), on a submission whose autograded copy is
    removed first: returns the reply and the clean-room executor's mark in the new autograded notebook."""
    folder = Path(settings["course_root"], "autograded", student, assignment)
    shutil.rmtree(folder)
    with timer.measure(f"Formgrader Autograde ({student}, {assignment})"):
        reply = lab.page.evaluate(AUTOGRADE_JS, f"/user/{INSTRUCTOR}/formgrader/api/submission/{assignment}/{student}"
                                                "/autograde")
    notebook = json.loads((folder / NOTEBOOKS[assignment]).read_text())
    return reply, notebook["metadata"].get("coursekit")


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    timer = Timer()
    observed = {"timer": timer}
    (REPO / "reports").mkdir(exist_ok=True)
    prepare_machine()
    passwords = {user: secrets.token_urlsafe(12) for user in (INSTRUCTOR, *STUDENTS)}
    roster = write_roster(tmp_path_factory.mktemp("hub"), passwords)
    port = free_port()
    with timer.measure("setup (users, student environment, course, config)"):
        setup = subprocess.run([*HUBCTL, "setup", "--roster", str(roster), "--port", str(port), "--no-start"],
                               capture_output=True, text=True, timeout=900)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    with timer.measure("hub start"):
        sh([*HUBCTL, "start"], timeout=120)
    settings = json.loads((ETC / "settings.json").read_text())
    observed["settings"] = settings
    base = f"http://127.0.0.1:{port}"
    try:
        for assignment in (A1, A2):
            with timer.measure(f"release {assignment}"):
                done = as_user(INSTRUCTOR, f"course release {assignment}")
            assert done.returncode == 0, done.stdout + done.stderr
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            labs = {}
            for student in STUDENTS:
                lab = labs[student] = Lab(browser, base, student, passwords[student], timer)
                observed[f"menu {student}"] = lab.open_assignments()
                lab.page.keyboard.press("Escape")
                for assignment in (A1, A2):
                    source = REPO / "source" / assignment / NOTEBOOKS[assignment]
                    try:
                        observed[(student, assignment)] = student_work(lab, assignment, source, timer)
                    except Exception:
                        lab.screenshot(f"{student}-{assignment}-failed")
                        raise
            for assignment in (A1, A2):
                with timer.measure(f"collect {assignment}"):
                    done = as_user(INSTRUCTOR, f"course collect {assignment}")
                assert done.returncode == 0, done.stdout + done.stderr
                with timer.measure(f"grade {assignment} (course-grade, {len(STUDENTS)} students)"):
                    done = as_user(INSTRUCTOR, f"course grade {assignment}")
                assert done.returncode == 0, done.stdout + done.stderr
                with timer.measure(f"feedback {assignment} (generate and release)"):
                    done = as_user(INSTRUCTOR, f"course feedback {assignment}")
                assert done.returncode == 0, done.stdout + done.stderr
            for lab in labs.values():
                for assignment in (A1, A2):
                    lab.fetch_feedback(assignment)
            instructor = Lab(browser, base, INSTRUCTOR, passwords[INSTRUCTOR], timer)
            observed["menu instructor"] = instructor.menu("Nbgrader")
            instructor.page.locator(".lm-Menu:visible .lm-Menu-itemLabel", has_text="Formgrader").first.click()
            frame = instructor.page.frame_locator(".jp-MainAreaWidget:visible iframe")
            frame.locator("text=Manage Assignments").first.wait_for(timeout=60_000)
            frame.get_by_text(A2, exact=True).first.wait_for(timeout=60_000)
            observed["formgrader"] = frame.locator("body").inner_text()
            instructor.screenshot("formgrader")
            observed["formgrader autograde"] = formgrader_autograde(instructor, settings, "alice", A1, timer)
            browser.close()
        yield observed
    finally:
        stop_hub()


def test_students_see_their_checks_and_validate(cycle):
    for student in STUDENTS:
        for assignment in (A1, A2):
            outputs, validation = cycle[(student, assignment)]
            for question, (right, output) in outputs.items():
                if right:
                    assert "passed" in output, (student, question, output)
                else:  # the check's message alone: no traceback through the helper modules
                    assert "CheckFailed" in output and "Traceback" not in output, (student, question, output)
                    assert "checks.py" not in output, output
            assert "failed" in validation.lower() or "error" in validation.lower(), validation


def test_each_students_scores_per_question(cycle):
    from nbgrader.api import Gradebook

    course = Path(cycle["settings"]["course_root"])
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in STUDENTS:
            for assignment in (A1, A2):
                notebook = NOTEBOOKS[assignment].removesuffix(".ipynb")
                for number, question in enumerate(QUESTIONS[assignment]):
                    for kind in ("test", "hidden"):
                        grade = gb.find_grade(f"{kind}_{question}", notebook, assignment, student)
                        expected = grade.max_score if number == RIGHT_QUESTION[student] else 0
                        assert grade.score == expected, (student, assignment, grade.name, grade.score)
                total = gb.find_submission(assignment, student).score
                right = QUESTIONS[assignment][RIGHT_QUESTION[student]]
                full = sum(gb.find_grade(f"{k}_{right}", notebook, assignment, student).max_score
                           for k in ("test", "hidden"))
                assert total == full, (student, assignment, total, full)


def test_students_fetched_feedback_without_hidden_tests(cycle):
    for student in STUDENTS:
        for assignment in (A1, A2):
            files = list(Path(f"/home/{student}/{assignment}/feedback").glob("*/*.html"))
            assert files, f"{student} has no feedback for {assignment}"
            text = html.unescape(re.sub(r"<[^>]+>", "", files[0].read_text()))
            leaked = [line for line in hidden_test_lines(assignment, NOTEBOOKS[assignment]) if line in text]
            assert not leaked, leaked


def test_students_do_not_see_the_instructors_tools(cycle):
    for student in STUDENTS:
        assert "Assignment List" in cycle[f"menu {student}"]
        for tool in ("Formgrader", "Course List"):
            assert tool not in cycle[f"menu {student}"], cycle[f"menu {student}"]
    assert "Formgrader" in cycle["menu instructor"]
    assert A1 in cycle["formgrader"] and A2 in cycle["formgrader"]


def test_formgrader_autograde_uses_the_courses_hardened_grader(cycle):
    reply, executor_mark = cycle["formgrader autograde"]
    assert reply["status"] == 200 and json.loads(reply["body"])["success"], reply
    assert executor_mark and "timing" in executor_mark, executor_mark  # written by CleanRoomExecute


def test_alice_reads_only_what_she_may(cycle):
    course = cycle["settings"]["course_root"]
    exchange = cycle["settings"]["exchange"]
    bob_inbound = sorted(Path(exchange, "dl-foundations", "inbound").glob(f"bob+{A1}+*"))[-1]
    cannot = {
        "read source/ (solutions, hidden tests)": f"cat {course}/source/{A1}/{NOTEBOOKS[A1]}",
        "list the course folder": f"ls {course}",
        "read the gradebook": f"cat {course}/gradebook.db",
        "read bob's home": "ls /home/bob",
        "read bob's notebook": f"cat /home/bob/{A1}/{NOTEBOOKS[A1]}",
        "write bob's collected submission": f"touch {course}/submitted/bob/{A1}/{NOTEBOOKS[A1]}",
        "list the exchange's inbound": f"ls {exchange}/dl-foundations/inbound",
        "write bob's notebook in the exchange (even knowing its secret folder name)":
            f"echo x >> {shlex.quote(str(bob_inbound / NOTEBOOKS[A1]))}",
        "delete bob's notebook in the exchange (even knowing its secret folder name)":
            f"rm -f {shlex.quote(str(bob_inbound / NOTEBOOKS[A1]))}",
    }
    can = {
        "read her own notebook": f"cat /home/alice/{A1}/{NOTEBOOKS[A1]}",
        "import lr_utils and coursekit.checks from the student environment":
            "python -c 'import lr_utils, coursekit.checks; print(lr_utils.__file__)'",
        "load the bundled data": "python -c 'import lr_utils; print(lr_utils.load_dataset()[0].shape)'",
    }
    report = {}
    for what, command in cannot.items():
        report[f"cannot {what}"] = as_user("alice", command).returncode != 0
    for what, command in can.items():
        done = as_user("alice", f"PATH={cycle['settings']['env']}/bin:$PATH; cd; {command}")
        report[f"can {what}"] = done.returncode == 0
        assert course not in done.stdout, done.stdout
    print(json.dumps(report, indent=1))
    assert all(report.values()), report
    assert sh(["stat", "-c", "%a", f"{course}/submitted"]).stdout.strip() == "700"


def test_prints_timings(cycle, capsys):
    timings = dict(cycle["timer"])
    (REPO / "reports" / "hub_browser_timings.json").write_text(json.dumps(timings, indent=1) + "\n")
    with capsys.disabled():
        print(f"\nJupyterHub browser test timings in s (load average {os.getloadavg()[0]:.1f}):")
        for name, seconds in timings.items():
            print(f"  {name:<58} {seconds:7.1f}")
    assert timings["hub start"] > 0 and len(timings) > 10
