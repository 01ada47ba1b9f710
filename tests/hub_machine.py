"""What the whole-hub tests (test_hub_browser.py, test_hub_ngshare.py, test_hub_attacks.py) share: the
machine they set up with ``hub/hubctl.py`` (real Unix users instructor, alice, bob and carol), running
commands as those users, students working through their own servers, and the hidden-test lines no student
may see. A test decides at run time, in its fixture, whether the machine is its to use: it touches only a
hub, users and processes a hub test made (listed in TEST_MARKER), never a hub someone set up."""

import contextlib
import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import nbformat
import pytest

from coursekit.submissions import secret_test_lines

REPO = Path(__file__).resolve().parent.parent
HUBCTL = ["/usr/bin/python3", str(REPO / "hub" / "hubctl.py")]
ETC = Path("/etc/dl-foundations-hub")
TEST_MARKER = ETC / "browser-test"  # a hub with this file was set up by a test, which may replace it
INSTRUCTOR, STUDENTS = "instructor", ("alice", "bob")
USERS = (INSTRUCTOR, *STUDENTS, "carol")  # every user a hub test may create (carol: a third student)
COURSE = "dl-foundations"


CHECKOUT_MODE = REPO.stat().st_mode & 0o7777  # read at import, before a hub setup locks a world-readable checkout


def stop_hub():
    """Stop the test's hub and give the checkout back its mode (setup makes a world-readable one 700)."""
    subprocess.run([*HUBCTL, "stop"], capture_output=True)
    REPO.chmod(CHECKOUT_MODE)


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


# What a student's kernel leaves running (detached, renamed) and in /dev/shm; a clean stop ends it all.
LEFT_BEHIND = ("import subprocess\n"
               "subprocess.Popen('setsid nohup sleep 900 >/dev/null 2>&1 &', shell=True)\n"
               "subprocess.Popen(['bash', '-c', 'exec -a innocent-editor python3 -c \"import time; time.sleep(900)\"'],"
               " start_new_session=True)\n"
               "open('/dev/shm/left-behind', 'wb').write(b'x' * 10_000_000)\n"
               "print('planted')\n")


def processes_of(user):
    """The user's running processes (zombies are dead already: they wait for PID 1 to reap them)."""
    listed = subprocess.run(["ps", "-o", "pid=,stat=,args=", "-u", user], capture_output=True, text=True).stdout
    return "\n".join(line for line in listed.splitlines() if line.split()[1][0] != "Z")


def made_by_tests():
    """The users a hub test created (recorded in TEST_MARKER), or None when no hub test set this machine up."""
    try:
        return set(json.loads(TEST_MARKER.read_text())["users"])
    except (FileNotFoundError, ValueError, KeyError):
        return None


def user_exists(user):
    return subprocess.run(["id", user], capture_output=True).returncode == 0


def prepare_machine():
    """Decide now, at run time, whether this machine is the test's to use (else skip), then remove what an
    earlier hub test left (its hub, users, their processes, course, exchange and state) so every run starts
    fresh. The student environment and ngshare's stay: hubctl reuses them."""
    reason = machine_skip_reason()
    if reason:
        pytest.skip(reason)
    ours = made_by_tests() or set()
    strangers = [user for user in USERS if user_exists(user) and user not in ours]
    if strangers:
        pytest.skip(f"users {', '.join(strangers)} exist and no hub test made them: the test would take them over")
    if (ETC / "settings.json").exists():
        subprocess.run([*HUBCTL, "stop"], capture_output=True)
    for user in USERS:
        if user_exists(user):
            leftovers = subprocess.run(["ps", "-o", "pid=", "-u", user], capture_output=True, text=True).stdout
            for pid in leftovers.split():  # servers and kernels an earlier run started as the user
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), signal.SIGKILL)
            sh(["userdel", "--remove", user])
        for controller in ("memory", "pids"):  # the user's server cgroups (hub/limits.py), empty by now
            with contextlib.suppress(FileNotFoundError):
                os.rmdir(f"/sys/fs/cgroup/{controller}/dl-foundations/{user}")
    shutil.rmtree(f"/usr/local/share/nbgrader/exchange/{COURSE}", ignore_errors=True)
    shutil.rmtree("/var/lib/dl-foundations-hub", ignore_errors=True)
    shutil.rmtree("/var/lib/dl-foundations-ngshare", ignore_errors=True)
    ETC.mkdir(parents=True, exist_ok=True)
    TEST_MARKER.write_text(json.dumps({"set up by": "a hub test (tests/hub_machine.py); it may replace this hub",
                                       "users": USERS}) + "\n")


def write_roster(folder, passwords):
    """The roster of everyone in ``passwords`` (the instructor and the students of the test)."""
    roster = Path(folder) / "roster.csv"
    roster.write_text("username,role,password\n" + f"{INSTRUCTOR},instructor,{passwords[INSTRUCTOR]}\n"
                      + "".join(f"{s},student,{pw}\n" for s, pw in passwords.items() if s != INSTRUCTOR))
    return roster


def inbound_stamp(minutes_from_now=0.0):
    """A timestamp as nbgrader submit writes it into an inbound folder's name."""
    moment = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=minutes_from_now)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


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

    def __init__(self, base, name, password, assignment="a1_numpy_basics", notebook="numpy_basics.ipynb"):
        self.base, self.name, self.assignment, self.notebook = base, name, assignment, notebook
        status, reply = request(f"{base}/hub/api/users/{name}/tokens", None, "POST",
                                body={"auth": {"username": name, "password": password}, "note": "hub test"})
        assert status == 201, (status, reply)
        self.token = reply["token"]

    def server_state(self):
        return request(f"{self.base}/hub/api/users/{self.name}", self.token)[1]["servers"].get("", {})

    def start_server(self, timeout=120):
        status, reply = request(f"{self.base}/hub/api/users/{self.name}/server", self.token, "POST", body={})
        assert status in (201, 202), (status, reply)
        deadline = time.monotonic() + timeout
        while not self.server_state().get("ready"):
            assert time.monotonic() < deadline, f"{self.name}'s server did not start in {timeout} s"
            time.sleep(0.5)

    def stop_server(self, timeout=60):
        status, reply = request(f"{self.base}/hub/api/users/{self.name}/server", self.token, "DELETE")
        assert status in (202, 204), (status, reply)
        deadline = time.monotonic() + timeout
        while self.server_state():
            assert time.monotonic() < deadline, f"{self.name}'s server did not stop in {timeout} s"
            time.sleep(0.5)

    def server(self, path, method="GET", expect=(200,), **kwargs):
        status, reply = request(f"{self.base}/user/{self.name}/{path}", self.token, method, **kwargs)
        assert status in expect, (self.name, path, status, reply)
        return reply

    def assignments(self, course=COURSE):
        """What the Assignments panel lists: ``{status: [assignment, ...]}``."""
        listed = self.server(f"assignments?course_id={course}")
        assert listed["success"], listed
        found = {}
        for entry in listed["value"]:
            found.setdefault(entry["status"], []).append(entry)
        return found

    def act(self, action, check=True):
        """fetch, submit or fetch_feedback: the panel's buttons."""
        reply = self.server(f"assignments/{action}", "POST", form={"course_id": COURSE,
                                                                  "assignment_id": self.assignment})
        assert not check or reply.get("success", True), reply
        return reply

    def answer(self, answers):
        """Open the fetched notebook, write ``answers`` into it and save it, as JupyterLab does."""
        from coursekit.submissions import fill_answers

        path = f"api/contents/{self.assignment}/{self.notebook}"
        notebook = nbformat.from_dict(self.server(path)["content"])
        self.server(path, "PUT", body={"type": "notebook", "format": "json",
                                       "content": fill_answers(notebook, answers)})

    def feedback_html(self):
        """The feedback the student fetched, as their server serves it to them."""
        listing = self.server(f"api/contents/{self.assignment}/feedback")["content"]
        assert len(listing) == 1, listing
        feedback = f"{listing[0]['path']}/{self.notebook.replace('.ipynb', '.html')}"
        return self.server(f"api/contents/{urllib.parse.quote(feedback)}")["content"]

    def run_code(self, code, timeout=180):
        """Run ``code`` in a new kernel of the student's server, as a notebook cell would; returns
        ``(outcome, text)``: outcome "ok", "error" or "died" (the kernel was killed), text its output."""
        import websocket

        kernel = self.server("api/kernels", "POST", expect=(201,), body={"name": "python3"})["id"]
        url = f"{self.base.replace('http', 'ws', 1)}/user/{self.name}/api/kernels/{kernel}/channels"
        connection = websocket.create_connection(url, header=[f"Authorization: token {self.token}"], timeout=timeout)
        msg_id, output, deadline = uuid.uuid4().hex, [], time.monotonic() + timeout
        connection.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": self.name,
                       "session": uuid.uuid4().hex, "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        reply, idle = None, False  # done when the reply (shell) and the idle status (iopub) have both come
        try:
            while time.monotonic() < deadline:
                message = json.loads(connection.recv())
                kind, content = message["msg_type"], message["content"]
                if kind == "status" and content.get("execution_state") in ("restarting", "dead"):
                    return "died", "".join(output)
                if message["parent_header"].get("msg_id") != msg_id:
                    continue
                if kind == "stream":
                    output.append(content["text"])
                elif kind == "error":
                    output.append(f"{content['ename']}: {content['evalue']}")
                elif kind == "execute_reply":
                    reply = content["status"]
                elif kind == "status" and content.get("execution_state") == "idle":
                    idle = True
                if reply and idle:
                    return reply, "".join(output)
            raise TimeoutError(f"{self.name}'s kernel did not answer in {timeout} s: {''.join(output)}")
        finally:
            connection.close()
            request(f"{self.base}/user/{self.name}/api/kernels/{kernel}", self.token, "DELETE")


def hidden_test_lines(assignment, notebook):
    """Lines of the hidden tests of ``assignment``'s ``notebook`` that a student cannot see anyway (more than 20
    characters; see ``coursekit.submissions.secret_test_lines``)."""
    return secret_test_lines(REPO / "source" / assignment / notebook, REPO / "release" / assignment, min_length=21)


class Timer(dict):
    """Seconds of each named step: ``with timer.measure("collect"): ...``."""

    @contextlib.contextmanager
    def measure(self, name):
        started = time.monotonic()
        try:
            yield
        finally:
            self[name] = round(time.monotonic() - started, 1)
