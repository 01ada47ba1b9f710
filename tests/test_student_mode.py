"""`make student`: JupyterLab with the config of student_mode/ shows students only their nbgrader tools.

The server is started the way `make student` starts it, on a release folder from the course
folder (where nbgrader_config.py puts the course root outside the server's root); the same
server without student_mode/ is the control: Formgrader answers and nbgrader logs its warning.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from coursekit.paths import COURSE_ROOT, RELEASE_DIR

STUDENT_MODE = COURSE_ROOT / "student_mode"
INSTRUCTOR_ONLY = {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:course-list",
                   "@jupyter/nbgrader:create-assignment"}
WARNING = "course directory root is not a subdirectory"
TOKEN = "student-mode-test"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url):
    """``(status, body)`` of a GET; an HTTP error is an answer too, no server yet is ``(None, "")``."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""
    except urllib.error.URLError:
        return None, ""


def serve(tmp_path, config_dir):
    """Start JupyterLab on release/a1 and return ``(page config, formgrader status, log)``."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env["HOME"] = str(tmp_path)  # no user settings of this machine
    if config_dir:
        env["JUPYTER_CONFIG_DIR"] = str(config_dir)
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [Path(sys.executable).parent / "jupyter", "lab", "--no-browser", "--allow-root", f"--port={port}",
             f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={RELEASE_DIR / 'a1_numpy_basics'}"],
            cwd=COURSE_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while get(f"{base}/api?token={TOKEN}")[0] != 200:
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.5)
        status, page = get(f"{base}/lab?token={TOKEN}")
        assert status == 200
        config = json.loads(re.search(r'id="jupyter-config-data" type="application/json">(.*?)</script>',
                                      page, re.S)[1])
        formgrader = get(f"{base}/formgrader?token={TOKEN}")[0]
    finally:
        server.terminate()
        server.wait(timeout=30)
    return config, formgrader, log.read_text()


@pytest.mark.parametrize("mode", ["student", "default"])
def test_student_mode_hides_the_instructors_tools(mode, tmp_path):
    config, formgrader, log = serve(tmp_path, STUDENT_MODE if mode == "student" else None)
    disabled = set(config.get("disabledExtensions", []))
    if mode == "default":  # the control: what students saw before
        assert formgrader == 200 and WARNING in log and not INSTRUCTOR_ONLY & disabled
        return
    assert INSTRUCTOR_ONLY <= disabled
    assert not {"@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:validate-assignment"} & disabled
    assert formgrader == 404
    assert WARNING not in log
    assert "nbgrader.server_extensions.validate_assignment | extension was successfully loaded" in log
    assert "nbgrader.server_extensions.assignment_list | extension was successfully loaded" in log
