"""JupyterHub for the course on one machine: real Unix users, LocalProcessSpawner, JupyterLab.

``hub/hubctl.py setup`` copies this file to /etc/dl-foundations-hub/ with a settings.json beside
it (port, the instructor and the course folder, students, where the student environment is).
Students' servers run ``jupyterhub-singleuser`` from the shared read-only student environment
and see only the Assignments panel and Validate; the instructor's server runs from the same
environment with the course folder on PYTHONPATH (the hardened grader) and the Formgrader.
Site-specific settings (another authenticator, limits) go in local_config.py beside this file.
"""

import json
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (provided by JupyterHub's config loader)

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # limited_spawner.py and limits.py, copied here by hubctl
settings = json.loads((HERE / "settings.json").read_text())
ENV = Path(settings["env"])
STATE = Path(settings["state_dir"])
INSTRUCTOR = settings["instructor"]
COURSE_ROOT = settings["course_root"]

c.JupyterHub.bind_url = f"http://{settings['ip']}:{settings['port']}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.ConfigurableHTTPProxy.command = [settings["proxy"]]

# Who may log in. PAM checks the Unix password; see docs/jupyterhub.md for a real class.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False
c.Authenticator.allowed_users = {INSTRUCTOR, *settings["students"]}
c.Authenticator.admin_users = {INSTRUCTOR}

# Every user's server runs as that Unix user, from the student environment, in JupyterLab, in its own
# cgroups: students' servers get the memory, process and file-size caps of settings["limits"]; every
# process a server leaves behind is killed when it stops (docs/jupyterhub.md, "Limits").
c.JupyterHub.spawner_class = "limited_spawner.LimitedSpawner"
c.LimitedSpawner.unlimited_users = {INSTRUCTOR}
limits = settings.get("limits", {})
if "memory_bytes" in limits:
    c.LimitedSpawner.memory_limit_bytes = limits["memory_bytes"]
if "processes" in limits:
    c.LimitedSpawner.process_limit = limits["processes"]
if "file_size_bytes" in limits:
    c.LimitedSpawner.file_size_limit_bytes = limits["file_size_bytes"]
c.Spawner.cmd = [str(ENV / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.env_keep = ["LANG", "LC_ALL"]
c.Spawner.environment = {"PATH": f"{ENV / 'bin'}:/usr/local/bin:/usr/bin:/bin"}
c.Spawner.http_timeout = 60
c.Spawner.start_timeout = 120


# A class shares the cores: one BLAS thread per student kernel. OpenBLAS's default (a thread per core in
# every kernel) makes kernels of different students fight over the cores (docs/jupyterhub.md, "Limits").
ONE_BLAS_THREAD = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


def role_environment(spawner):
    """The instructor gets the course on PYTHONPATH and the instructor's Jupyter config (Formgrader
    pointed at the course, allowed in a frame); everyone else gets the students' config."""
    env = dict(spawner.environment)
    if spawner.user.name == INSTRUCTOR:
        env["PYTHONPATH"] = COURSE_ROOT
        env["JUPYTER_CONFIG_PATH"] = settings["instructor_config"]
    else:
        env["JUPYTER_CONFIG_PATH"] = settings["student_config"]
        env.update(ONE_BLAS_THREAD)
    spawner.environment = env


c.Spawner.pre_spawn_hook = role_environment

# The nbgrader exchange as the ngshare service (hubctl setup --exchange ngshare): the hub runs it as the
# system account ngshare, whose data folder (database and files) no one else reads; every user may reach
# it, and ngshare's course enrolment decides what each may do. hubctl's setup service can only mint the
# instructor's token.
ngshare = settings.get("ngshare")
if ngshare:
    c.JupyterHub.services = [
        {"name": "ngshare", "url": f"http://127.0.0.1:{ngshare['port']}", "user": ngshare["user"],
         "cwd": ngshare["data"],
         "command": [ngshare["python"], "-m", "ngshare", "--admins", INSTRUCTOR,
                     "--database", ngshare["database"], "--storage", ngshare["storage"]]},
        {"name": ngshare["setup_service"], "api_token": Path(ngshare["setup_token_file"]).read_text().strip()},
    ]
    c.JupyterHub.load_roles = [
        {"name": "user", "scopes": ["self", "access:services!service=ngshare"]},
        {"name": ngshare["setup_service"], "scopes": [f"tokens!user={INSTRUCTOR}"],
         "services": [ngshare["setup_service"]]},
    ]

local_config = HERE / "local_config.py"
if local_config.is_file():
    load_subconfig(str(local_config))  # noqa: F821 (provided by JupyterHub's config loader)
