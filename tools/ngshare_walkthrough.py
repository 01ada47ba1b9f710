"""The nbgrader exchange through ngshare, end to end, on one machine without browsers.

JupyterHub (dummy authenticator, 127.0.0.1 only) runs ngshare as a managed service. Each
nbgrader command runs as its user would in a single-user server: JUPYTERHUB_USER and a
JupyterHub API token of that user in the environment, nbgrader_config.py with ngshare_exchange.
Steps: create the course and enrol two students; release; both list and fetch; both submit;
collect; autograde; generate and release feedback; both fetch feedback. Each step is checked.

Usage: python3 tools/ngshare_walkthrough.py [--work DIR]   (default /tmp/ngshare-walkthrough)
It builds two environments under DIR/envs the first time (pip, about a minute):
- client: nbgrader 0.9.6, JupyterHub 6.1.1 and ngshare_exchange 0.5.3, installed with --no-deps
  because it pins jupyter-core<4.11.2, which nbgrader 0.9.6 cannot use;
- ngshare: ngshare 0.6.0 with SQLAlchemy 1.4. Under SQLAlchemy 2, ngshare 0.6.0 answers
  "Successfully released" but stores nothing (SAWarning: Assignment not in session).
Standard library only; run it with any Python 3.11.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HUB, NGSHARE_PORT, COURSE = "http://127.0.0.1:18000", 10101, "dl-foundations"
STUDENTS = ("alice", "bob")
ANSWERS = {"alice": "def double(x):\n    return 2 * x\n", "bob": "def double(x):\n    return x + 2\n"}


def code_cell(source, **nbgrader):
    return {"cell_type": "code", "execution_count": None, "outputs": [], "source": source,
            "metadata": {"nbgrader": {"schema_version": 3, "locked": False, **nbgrader}}}


def notebook():
    """A one-question assignment: an answer cell and a test cell worth 2 points."""
    return {"nbformat": 4, "nbformat_minor": 5, "cells": [
        code_cell("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n",
                  solution=True, grade=False, grade_id="answer_double"),
        code_cell("assert double(3) == 6", solution=False, grade=True, locked=True, grade_id="test_double", points=2),
    ], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}}


def hub_config(work, ngshare_python, token):
    return f"""
c = get_config()
c.JupyterHub.bind_url = "{HUB}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:18081"
c.JupyterHub.db_url = "sqlite:///{work}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{work}/cookie_secret"
c.ConfigurableHTTPProxy.pid_file = "{work}/proxy.pid"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:18001"
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allowed_users = {{"instructor", {", ".join(repr(s) for s in STUDENTS)}}}
c.Authenticator.admin_users = {{"instructor"}}
c.JupyterHub.services = [
    {{"name": "ngshare", "url": "http://127.0.0.1:{NGSHARE_PORT}",
     "command": ["{ngshare_python}", "-m", "ngshare", "--admins", "instructor",
                 "--database", "sqlite:///{work}/ngshare.db", "--storage", "{work}/ngshare-files"]}},
    {{"name": "walkthrough", "api_token": "{token}"}},
]
c.JupyterHub.load_roles = [
    {{"name": "user", "scopes": ["self", "access:services!service=ngshare"]}},
    {{"name": "walkthrough", "scopes": ["admin:users", "tokens"], "services": ["walkthrough"]}},
]
"""


def api(path, token, data=None):
    request = urllib.request.Request(f"{HUB}/hub/api{path}", method="POST" if data is not None else "GET",
                                     data=json.dumps(data).encode() if data is not None else None,
                                     headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def wait_until_up(deadline=60):
    """Until the proxy routes both the hub's API and ngshare (a service the hub started)."""
    started = time.monotonic()
    for url in (f"{HUB}/hub/api/", f"{HUB}/services/ngshare/"):
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except urllib.error.HTTPError as error:
                if error.code not in (404, 502, 503):
                    break
            except OSError:
                pass
            if time.monotonic() - started > deadline:
                raise RuntimeError(f"{url} did not answer")
            time.sleep(0.5)


class User:
    """One hub user running nbgrader commands in a home folder of their own."""

    def __init__(self, name, work, env_bin, token):
        self.name, self.env_bin = name, env_bin
        self.home = work / "home" / name
        self.home.mkdir(parents=True, exist_ok=True)
        self.token = token
        self.write_config()

    def write_config(self, extra=""):
        (self.home / "nbgrader_config.py").write_text(
            "from ngshare_exchange import configureExchange\nc = get_config()\n"
            f"configureExchange(c, '{HUB}/services/ngshare')\n"
            f"c.CourseDirectory.course_id = '{COURSE}'\n" + extra)

    def run(self, *args, check=True):
        env = {**os.environ, "JUPYTERHUB_USER": self.name, "USER": self.name, "JUPYTERHUB_API_TOKEN": self.token,
               "HOME": str(self.home), "JUPYTER_DATA_DIR": str(self.home / ".local/share/jupyter"),
               "PATH": f"{self.env_bin}{os.pathsep}{os.environ['PATH']}"}
        result = subprocess.run([str(Path(self.env_bin) / args[0]), *args[1:]], cwd=self.home, env=env,
                                capture_output=True, text=True, timeout=300)
        if check and result.returncode != 0:
            raise RuntimeError(f"{self.name}: {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout + result.stderr


def step(name, started):
    print(f"  ok  {name} ({time.monotonic() - started:.1f} s)", flush=True)


def main(env_bin, work, ngshare_python):
    work = Path(work).resolve()
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    token = secrets.token_hex(16)
    (work / "jupyterhub_config.py").write_text(hub_config(work, ngshare_python, token))
    hub = subprocess.Popen([f"{env_bin}/jupyterhub", "-f", str(work / "jupyterhub_config.py")], cwd=work,
                           stdout=open(work / "hub.log", "w"), stderr=subprocess.STDOUT,
                           env={**os.environ, "PATH": f"{env_bin}{os.pathsep}{os.environ['PATH']}"},
                           start_new_session=True)
    try:
        t = time.monotonic()
        wait_until_up()
        step("hub and ngshare up", t)
        users = {}
        for name in ("instructor", *STUDENTS):
            try:
                api(f"/users/{name}", token, {})
            except urllib.error.HTTPError as error:  # 409: the hub made it at start
                if error.code != 409:
                    raise
            user_token = api(f"/users/{name}/tokens", token, {"note": "walkthrough"})["token"]
            users[name] = User(name, work, env_bin, user_token)
        teacher = users["instructor"]
        teacher.write_config("c.CourseDirectory.root = '.'\nc.CourseDirectory.db_url = 'sqlite:///gradebook.db'\n")
        source = teacher.home / "source" / "ps1"
        source.mkdir(parents=True)
        (source / "ps1.ipynb").write_text(json.dumps(notebook(), indent=1))

        t = time.monotonic()
        out = teacher.run("ngshare-course-management", "create_course", COURSE, "instructor")
        assert "Successfully created" in out, out
        for name in STUDENTS:
            out = teacher.run("ngshare-course-management", "add_student", COURSE, name)
            assert "Successfully" in out, out
        step("course created, students enrolled", t)

        t = time.monotonic()
        teacher.run("nbgrader", "generate_assignment", "ps1", "--force")
        out = teacher.run("nbgrader", "release_assignment", "ps1", "--force")
        assert "Successfully released ps1" in out, out
        step("release_assignment", t)

        for name in STUDENTS:
            t = time.monotonic()
            listed = users[name].run("nbgrader", "list")
            assert "ps1" in listed, listed
            users[name].run("nbgrader", "fetch_assignment", "ps1")
            fetched = users[name].home / "ps1" / "ps1.ipynb"
            nb = json.loads(fetched.read_text())
            assert "BEGIN SOLUTION" not in "".join(nb["cells"][0]["source"])
            nb["cells"][0]["source"] = ANSWERS[name]
            fetched.write_text(json.dumps(nb))
            step(f"{name}: list, fetch_assignment", t)
            t = time.monotonic()
            users[name].run("nbgrader", "submit", "ps1")
            step(f"{name}: submit", t)

        t = time.monotonic()
        teacher.run("nbgrader", "collect", "ps1")
        collected = sorted(p.parent.name for p in (teacher.home / "submitted").glob("*/ps1"))
        assert collected == sorted(STUDENTS), collected
        step("collect", t)

        t = time.monotonic()
        teacher.run("nbgrader", "autograde", "ps1", "--force")
        teacher.run("nbgrader", "export")
        scores = {row.split(",")[3]: float(row.split(",")[9])
                  for row in (teacher.home / "grades.csv").read_text().splitlines()[1:]}
        assert scores == {"alice": 2.0, "bob": 0.0}, scores
        step("autograde: alice 2/2, bob 0/2", t)

        t = time.monotonic()
        teacher.run("nbgrader", "generate_feedback", "ps1", "--force")
        teacher.run("nbgrader", "release_feedback", "ps1")
        step("generate_feedback, release_feedback", t)

        for name in STUDENTS:
            t = time.monotonic()
            users[name].run("nbgrader", "fetch_feedback", "ps1")
            html = list((users[name].home / "ps1" / "feedback").glob("*/ps1.html"))
            assert len(html) == 1, html
            assert f"Score: {scores[name]:.1f} / 2.0" in html[0].read_text()
            step(f"{name}: fetch_feedback", t)
        print("ngshare walkthrough: every step passed")
        return 0
    finally:  # the hub, its proxy and ngshare share the session started above
        hub.terminate()
        try:
            hub.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(hub.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


CLIENT = ["nbgrader==0.9.6", "jupyterhub==6.1.1", "rapidfuzz", "requests"]
SERVICE = ["ngshare==0.6.0", "SQLAlchemy==1.4.54", "jupyterhub==6.1.1"]


def environment(folder, packages, no_deps=()):
    """A venv at ``folder`` with ``packages`` (and ``no_deps`` without their dependencies); its bin folder."""
    python = folder / "bin" / "python"
    if not (folder / ".ready").exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(folder)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *packages], check=True)
        if no_deps:
            subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", *no_deps], check=True)
        (folder / ".ready").touch()
    return folder / "bin"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", default="/tmp/ngshare-walkthrough")
    args = parser.parse_args()
    base = Path(args.work).resolve()
    client = environment(base / "envs" / "client", CLIENT, no_deps=["ngshare_exchange==0.5.3"])
    service = environment(base / "envs" / "ngshare", SERVICE)
    sys.exit(main(str(client), base / "run", str(service / "python")))
