#!/usr/bin/env python3
"""Set up and run the course's JupyterHub on one Debian machine, as root.

    python3 hub/hubctl.py setup --roster roster.csv [--port 8000] [--exchange ngshare] [--language zh_CN]
    python3 hub/hubctl.py start | stop | status
    python3 hub/hubctl.py kit      # after changing coursekit/checks.py, lr_utils.py or the data

``setup`` installs what is missing (nodejs and npm with apt, configurable-http-proxy with npm),
creates the Unix users of the roster (CSV: username,role[,password]; one instructor), creates
nbgrader's exchange, builds the shared read-only student environment, copies the course into
the instructor's home (if not there yet; only the instructor can read it), installs the hub's
configuration and the instructor's ``course`` command, and starts the hub. With ``--exchange ngshare``
the exchange is the ngshare service instead of a shared folder (docs/jupyterhub.md, "Choosing the
exchange"); ``start`` then creates the course in ngshare and enrols the roster. ``--language zh_CN`` teaches
the course in Chinese: it sets ``COURSE_LANGUAGE`` in the course folder's nbgrader_config.py, so ``course
release`` hands out the Chinese notebooks and grading and feedback follow (docs/i18n.md). It can be run again:
it keeps users, passwords already set, the course folder (its language too, unless ``--language`` is given)
and an environment that is up to date.
Standard library only, so it runs on the system's Python 3.11 before anything is installed.
"""

import argparse
import csv
import hashlib
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HUB_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(HUB_DIR))
import limits  # noqa: E402
import student_kit  # noqa: E402

REPO = HUB_DIR.parent
PYTHON = "/usr/bin/python3.11"  # a Python every user can execute (not one under /root)
PREFIX = Path("/opt/dl-foundations")
ETC = Path("/etc/dl-foundations-hub")
STATE = Path("/var/lib/dl-foundations-hub")
EXCHANGE = Path("/usr/local/share/nbgrader/exchange")
NGSHARE_ENV = PREFIX / "ngshare"
NGSHARE_PORT = 10101
NGSHARE_USER = "ngshare"  # a system account of its own runs the service, not root
NGSHARE_DATA = Path("/var/lib/dl-foundations-ngshare")  # its database and files, that account's alone
# ngshare 0.6.0 stores nothing under SQLAlchemy 2 (it still answers "Successfully released"): its own venv.
NGSHARE_PACKAGES = ["ngshare==0.6.0", "SQLAlchemy==1.4.54", "jupyterhub==6.1.1"]
# ngshare_exchange 0.5.3 pins jupyter-core<4.11.2, which nbgrader 0.9.6 cannot run with: installed without
# its dependencies (what it needs besides, requests and rapidfuzz, nbgrader needs too).
NGSHARE_CLIENT = "ngshare_exchange==0.5.3"
SETUP_SERVICE = "course-setup"  # the hub service hubctl uses to mint the instructor's token
INSTRUCTOR_TOKEN = ".config/dl-foundations/hub-token"  # in the instructor's home; read by `course`
COURSE_COMMAND = Path("/usr/local/bin/course")
# configurable-http-proxy 5 needs node >= 20; Debian 12's own nodejs is 18, where the 4.x line runs.
PROXY_PACKAGES = {True: "configurable-http-proxy@5.3.0", False: "configurable-http-proxy@4"}
USER_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
NOT_COPIED = ("__pycache__", ".venv", ".pytest_cache", ".ruff_cache", "*.egg-info", "demo_course", "submitted",
              "feedback", "reports", "gradebook.db*", ".ipynb_checkpoints")


def log(message):
    print(f"[hub] {message}", flush=True)


def run(cmd, **kwargs):
    return subprocess.run(cmd, check=True, **kwargs)


# --- roster and users -------------------------------------------------------------------------

def read_roster(path):
    """``{"instructor": name, "students": [...], "passwords": {name: password}}`` from the CSV."""
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or not {"username", "role"} <= set(rows[0]):
        sys.exit(f"{path}: expected a header 'username,role[,password]' and one row per person.")
    people = {}
    for number, row in enumerate(rows, start=2):
        name, role = row["username"].strip(), row["role"].strip().lower()
        if not USER_NAME.match(name):
            sys.exit(f"{path} line {number}: {name!r} is not a valid Unix user name (a-z, 0-9, _ and -).")
        if role not in ("instructor", "student"):
            sys.exit(f"{path} line {number}: role {role!r}; use 'instructor' or 'student'.")
        people[name] = (role, (row.get("password") or "").strip())
    instructors = [n for n, (role, _) in people.items() if role == "instructor"]
    if len(instructors) != 1:
        sys.exit(f"{path}: exactly one instructor owns the course folder; found {instructors or 'none'}.")
    return {"instructor": instructors[0],
            "students": sorted(n for n, (role, _) in people.items() if role == "student"),
            "passwords": {n: pw for n, (_, pw) in people.items() if pw}}


def ensure_users(names, passwords):
    for name in names:
        try:
            pwd.getpwnam(name)
        except KeyError:
            run(["useradd", "--create-home", "--user-group", "--shell", "/bin/bash", name])
            log(f"user {name} created")
        os.chmod(pwd.getpwnam(name).pw_dir, 0o700)  # nobody reads another's home
    if passwords:
        run(["chpasswd"], input="".join(f"{n}:{pw}\n" for n, pw in passwords.items()), text=True)
    unset = [n for n in names if n not in passwords and locked(n)]
    if unset:
        log(f"no password yet for {', '.join(unset)}: set one with `passwd NAME`, or see docs/jupyterhub.md "
            "for NativeAuthenticator / LTI")


def locked(name):
    status = subprocess.run(["passwd", "--status", name], capture_output=True, text=True).stdout.split()
    return len(status) < 2 or status[1] != "P"


# --- system packages --------------------------------------------------------------------------

def ensure_system_packages():
    missing = [pkg for pkg, ok in (("nodejs", shutil.which("node")), ("npm", shutil.which("npm")),
                                   ("python3.11-venv", venv_works()),
                                   ("bubblewrap", shutil.which("bwrap"))) if not ok]  # the grading sandbox
    if missing:
        log(f"apt-get install {' '.join(missing)}")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run(["apt-get", "update", "-qq"], env=env)
        run(["apt-get", "install", "-y", "-qq", *missing], env=env)
    if not shutil.which("configurable-http-proxy"):
        major = int(subprocess.run(["node", "-p", "process.versions.node.split('.')[0]"], capture_output=True,
                                   text=True, check=True).stdout)
        package = PROXY_PACKAGES[major >= 20]
        log(f"npm install -g {package}")
        run(["npm", "install", "--global", "--no-fund", "--no-audit", "--loglevel=error", package])
    return shutil.which("configurable-http-proxy")


def venv_works():
    return subprocess.run([PYTHON, "-c", "import ensurepip, venv"], capture_output=True).returncode == 0


# --- exchange ---------------------------------------------------------------------------------

def ensure_exchange():
    """nbgrader's exchange root: root's, mode 1777 (every user may create a folder there, and only its owner
    may rename or remove it, as in /tmp)."""
    EXCHANGE.mkdir(parents=True, exist_ok=True)
    os.chown(EXCHANGE, 0, 0)
    EXCHANGE.chmod(0o1777)


# The course's folders in the exchange, the instructor's: no student renames, replaces or writes them.
# inbound/ is setgid (submissions get the instructor's group) and sticky (only its owner renames or
# removes a submission).
COURSE_FOLDERS = {"": 0o755, "outbound": 0o755, "inbound": 0o3733, "feedback": 0o711}


def ensure_course_exchange(course_id, instructor):
    account = pwd.getpwnam(instructor)
    course = EXCHANGE / course_id
    for name, mode in COURSE_FOLDERS.items():
        folder = course / name
        if folder.is_symlink() or (folder.exists() and folder.lstat().st_uid not in (0, account.pw_uid)):
            sys.exit(f"{folder} exists and is not {instructor}'s: someone else made it. Move it away, then run "
                     "setup again.")
        folder.mkdir(exist_ok=True)
        os.chown(folder, account.pw_uid, account.pw_gid)
        folder.chmod(mode)


# --- student environment ----------------------------------------------------------------------

def requirement_files(course_root):
    return [Path(course_root) / "requirements.txt", HUB_DIR / "requirements.txt"]


def pip_install(python, packages, log_name, *options):
    """``pip install`` into the environment of ``python``, its output in the state folder's ``log_name``."""
    STATE.mkdir(parents=True, exist_ok=True)
    with open(STATE / log_name, "w") as out:
        done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                               *options, *packages], stdout=out, stderr=out)
    if done.returncode:
        sys.exit("pip failed:\n" + "".join((STATE / log_name).read_text().splitlines(True)[-20:]))


def install_ngshare_client(env):
    """ngshare_exchange in the student environment, in a step of its own: switching the exchange never
    rebuilds the environment, and a rebuilt environment gets it again (its stamp goes with it)."""
    stamp = env / ".ngshare_exchange"
    if stamp.is_file() and stamp.read_text() == NGSHARE_CLIENT:
        return
    log("installing ngshare_exchange in the student environment")
    pip_install(env / "bin" / "python", [NGSHARE_CLIENT], "pip-ngshare-client.log", "--no-deps")
    stamp.write_text(NGSHARE_CLIENT)


def build_ngshare_env():
    """ngshare's own environment (its SQLAlchemy 1.4 would break the student environment's nbgrader)."""
    stamp = NGSHARE_ENV / ".packages"
    if stamp.is_file() and stamp.read_text() == " ".join(NGSHARE_PACKAGES):
        return NGSHARE_ENV
    log(f"building ngshare's environment in {NGSHARE_ENV} (pip)")
    if NGSHARE_ENV.exists():
        shutil.rmtree(NGSHARE_ENV)
    run([PYTHON, "-m", "venv", str(NGSHARE_ENV)])
    pip_install(NGSHARE_ENV / "bin" / "python", NGSHARE_PACKAGES, "pip-ngshare.log")
    stamp.write_text(" ".join(NGSHARE_PACKAGES))
    return NGSHARE_ENV


def ensure_ngshare_account():
    """The system account ngshare runs as, owning its data folder (mode 700): no user of the hub reads it."""
    try:
        pwd.getpwnam(NGSHARE_USER)
    except KeyError:
        run(["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", str(NGSHARE_DATA),
             "--shell", "/usr/sbin/nologin", NGSHARE_USER])
    NGSHARE_DATA.mkdir(mode=0o700, parents=True, exist_ok=True)
    run(["chown", "-R", f"{NGSHARE_USER}:{NGSHARE_USER}", str(NGSHARE_DATA)])
    NGSHARE_DATA.chmod(0o700)


GUARDED_EXCHANGE = {"submit": "PrivateSubmit", "collect": "GuardedCollect",
                    "release_assignment": "GuardedReleaseAssignment", "fetch_assignment": "GuardedFetchAssignment",
                    "fetch_feedback": "GuardedFetchFeedback"}


def nbgrader_exchange_config(course_id, ngshare_url, instructor):
    """Every user's nbgrader configuration: the course, and the shared folder or ngshare as the exchange."""
    text = ("# Every user's nbgrader: the course and the exchange (written by hub/hubctl.py).\n"
            f"c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = {course_id!r}\n")
    if ngshare_url:
        return text + ("from ngshare_exchange import configureExchange  # noqa: E402\n"
                       f"configureExchange(c, {ngshare_url!r})\n"  # hub/ngshare_collect.py: collect with caps
                       "c.ExchangeFactory.collect = 'ngshare_collect.GuardedNgshareCollect'\n")
    return text + (f"c.Exchange.root = {str(EXCHANGE)!r}\n"  # hub/course_exchange.py: the guarded exchange
                   + "".join(f"c.ExchangeFactory.{step} = 'course_exchange.{name}'\n"
                             for step, name in GUARDED_EXCHANGE.items())
                   + f"c.TrustedCourseFolders.instructor = {instructor!r}\n")


def build_kit(course_root):
    """What students' kernels import from the course (check helpers, lr_utils, data), from the instructor's
    course folder; students' kernels see a new kit when they restart."""
    kit = student_kit.build(course_root, PREFIX / "kit")
    for module in ("course_exchange.py", "ngshare_collect.py"):  # the exchange classes nbgrader_config names
        shutil.copyfile(HUB_DIR / module, kit / module)
        (kit / module).chmod(0o644)
    run(["chown", "-R", "root:root", str(kit)])
    return kit


def build_environment(course_root, course_id, instructor, ngshare_url=None):
    """The shared environment every user's server runs from: root-owned, read-only for users. Its
    packages are the course's requirements (as in the instructor's course folder) plus the hub's,
    and ngshare_exchange when ``ngshare_url`` is the exchange."""
    env = PREFIX / "env"
    reqs = requirement_files(course_root)
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in reqs)).hexdigest()
    stamp = env / ".requirements.sha256"
    if not (stamp.is_file() and stamp.read_text() == digest):
        log(f"building the student environment in {env} (pip, about a minute)")
        if env.exists():
            shutil.rmtree(env)
        run([PYTHON, "-m", "venv", str(env)])
        pip_install(env / "bin" / "python", [arg for p in reqs for arg in ("-r", str(p))], "pip.log")
        stamp.write_text(digest)
    if ngshare_url:
        install_ngshare_client(env)
    kit = build_kit(course_root)
    site = next((env / "lib").glob("python3*/site-packages"))
    (site / "dl_foundations_course.pth").write_text(f"{kit}\n")
    etc = env / "etc" / "jupyter"
    etc.mkdir(parents=True, exist_ok=True)
    (etc / "nbgrader_config.py").write_text(nbgrader_exchange_config(course_id, ngshare_url, instructor))
    lab_settings = env / "share" / "jupyter" / "lab" / "settings"
    lab_settings.mkdir(parents=True, exist_ok=True)  # no news or update checks: the class has no internet
    shutil.copyfile(HUB_DIR / "lab-overrides.json", lab_settings / "overrides.json")
    configs = PREFIX / "jupyter"
    if configs.exists():
        shutil.rmtree(configs)
    shutil.copytree(HUB_DIR / "jupyter", configs)
    (configs / "instructor" / "nbgrader_config.py").write_text(
        "# The instructor's nbgrader and Formgrader (written by hub/hubctl.py): the course's own configuration\n"
        "# (its hardened autograde) wherever the server runs; the Formgrader reads only the Jupyter config path.\n"
        f"c = get_config()  # noqa: F821\n"
        f"load_subconfig({str(Path(course_root) / 'nbgrader_config.py')!r})  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {course_id!r}\nc.CourseDirectory.root = {str(course_root)!r}\n")
    run(["chown", "-R", "root:root", str(PREFIX)])
    run(["chmod", "-R", "u+rwX,go+rX,go-w", str(PREFIX)])
    return env


# --- the course folder ------------------------------------------------------------------------

def install_course(course_src, course_root, instructor):
    """Copy the course into the instructor's home unless it is there; only the instructor reads it."""
    course_root = Path(course_root)
    if not course_root.exists():
        log(f"copying the course to {course_root}")
        shutil.copytree(course_src, course_root, symlinks=True, ignore=shutil.ignore_patterns(*NOT_COPIED))
        for leftover in course_root.glob("autograded/*/"):
            shutil.rmtree(leftover)
        run(["chown", "-R", f"{instructor}:{instructor}", str(course_root)])
    course_root.chmod(0o700)


LANGUAGE_LINE = re.compile(r'^COURSE_LANGUAGE = "([A-Za-z_]+)"$', re.MULTILINE)


def course_languages(course_root):
    """The languages a course can be taught in: English, its source, and each language of its locale/."""
    locale = Path(course_root) / "locale"
    languages = sorted(p.name for p in locale.iterdir() if (p / "LC_MESSAGES").is_dir()) if locale.is_dir() else []
    return ["en", *languages]


def course_language(course_root):
    """The language the course folder's nbgrader_config.py sets (``COURSE_LANGUAGE``)."""
    found = LANGUAGE_LINE.findall((Path(course_root) / "nbgrader_config.py").read_text())
    return found[0] if len(found) == 1 else "en"


def set_course_language(course_root, language):
    """Set ``COURSE_LANGUAGE`` in the course folder's nbgrader_config.py (its one line that says it)."""
    config = Path(course_root) / "nbgrader_config.py"
    if language not in course_languages(course_root):
        sys.exit(f"--language {language}: the course in {course_root} can be taught in "
                 f"{', '.join(course_languages(course_root))} (a language needs its catalogs in locale/).")
    text, count = LANGUAGE_LINE.subn(f'COURSE_LANGUAGE = "{language}"', config.read_text())
    if count != 1:
        sys.exit(f"{config} has no line `COURSE_LANGUAGE = \"en\"` (or more than one): put the line of the course's "
                 "own nbgrader_config.py back, then run setup again.")
    if language != course_language(course_root):
        config.write_text(text)
        log(f"the course is taught in {language}: COURSE_LANGUAGE set in {config}; run `course release` again "
            "for assignments already released")


def others_can_reach(path):
    """Whether a user other than the owners could open ``path``: every folder above it searchable by others."""
    path = path.resolve()
    return all(os.stat(folder).st_mode & 0o001 for folder in [path, *path.parents]) and bool(
        os.stat(path).st_mode & 0o004)


def lock_checkout(checkout):
    """The checkout setup runs from holds source/ (solutions, hidden tests): if other users can read it,
    make it its owner's alone (mode 700) and say so."""
    if (checkout / "source").is_dir() and others_can_reach(checkout / "source"):
        checkout.chmod(checkout.stat().st_mode & 0o700)
        log(f"{checkout} was readable by every user (its source/ holds the hidden tests): now mode 700")


def install_course_command(env, course_root, instructor):
    text = (HUB_DIR / "course.py").read_text().replace("#!/usr/bin/env python3", f"#!{env}/bin/python", 1)
    COURSE_COMMAND.write_text(text)
    COURSE_COMMAND.chmod(0o755)


# --- the hub ----------------------------------------------------------------------------------

def write_hub_config(settings):
    ETC.mkdir(parents=True, exist_ok=True)
    for name in ("jupyterhub_config.py", "limited_spawner.py", "limits.py"):
        shutil.copyfile(HUB_DIR / name, ETC / name)
    (ETC / "settings.json").write_text(json.dumps(settings, indent=2) + "\n")
    STATE.mkdir(parents=True, exist_ok=True)
    STATE.chmod(0o700)


def ngshare_settings(exchange):
    """What the hub config and the course setup need to know about ngshare (None: the shared folder)."""
    if exchange != "ngshare":
        return None
    ensure_ngshare_account()
    token_file = STATE / f"{SETUP_SERVICE}.token"
    if not token_file.is_file():
        token_file.write_text(secrets.token_hex(32))
    token_file.chmod(0o600)
    return {"python": str(build_ngshare_env() / "bin" / "python"), "port": NGSHARE_PORT,
            "url": f"http://127.0.0.1:{NGSHARE_PORT}/services/ngshare", "setup_service": SETUP_SERVICE,
            "setup_token_file": str(token_file), "user": NGSHARE_USER, "data": str(NGSHARE_DATA),
            "database": f"sqlite:///{NGSHARE_DATA / 'ngshare.db'}", "storage": str(NGSHARE_DATA / "files")}


def settings():
    path = ETC / "settings.json"
    if not path.is_file():
        sys.exit(f"{path} missing: run `python3 hub/hubctl.py setup --roster ROSTER` first.")
    return json.loads(path.read_text())


def running_pid(pid_file, command):
    """The pid in ``pid_file`` if that process is alive and runs ``command`` (a pid may be reused)."""
    try:
        pid = int(pid_file.read_text())
        return pid if command.encode() in Path(f"/proc/{pid}/cmdline").read_bytes() else None
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None


def hub_pid():
    return running_pid(STATE / "jupyterhub.pid", "jupyterhub")


def stop_proxy():
    """A proxy left running by a hub that died would keep the proxy API port: stop it by its pid."""
    pid = running_pid(STATE / "proxy.pid", "configurable-http-proxy")
    if pid:
        os.kill(pid, signal.SIGTERM)
        log(f"stopped a proxy left running (pid {pid})")


def start(timeout=90):
    conf = settings()
    if hub_pid():
        log(f"already running (pid {hub_pid()}) at http://{conf['ip']}:{conf['port']}/")
        return 0
    started = time.monotonic()
    with open(STATE / "jupyterhub.log", "ab") as out:
        hub = subprocess.Popen([f"{conf['env']}/bin/jupyterhub", "-f", str(ETC / "jupyterhub_config.py")],
                               cwd=STATE, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               env={"PATH": f"{conf['env']}/bin:/usr/local/bin:/usr/bin:/bin",
                                    "LANG": os.environ.get("LANG", "C.UTF-8")},
                               start_new_session=True)
    (STATE / "jupyterhub.pid").write_text(str(hub.pid))
    url = f"http://{conf['ip']}:{conf['port']}"
    while time.monotonic() - started < timeout:
        if hub.poll() is not None:
            stop_proxy()
            sys.exit(f"the hub stopped (exit {hub.returncode}); see {STATE / 'jupyterhub.log'}")
        try:
            urllib.request.urlopen(f"{url}/hub/api", timeout=2)
            log(f"hub ready in {time.monotonic() - started:.1f} s at {url}/ (log: {STATE / 'jupyterhub.log'})")
            if conf.get("ngshare"):
                enrol_course(conf)
            return 0
        except OSError:
            time.sleep(0.3)
    sys.exit(f"the hub did not answer at {url} within {timeout} s; see {STATE / 'jupyterhub.log'}")


def http_json(url, token, data=None, form=None):
    """GET, or POST JSON ``data`` / form fields ``form``, with a JupyterHub token; (status, decoded body)."""
    body = json.dumps(data).encode() if data is not None else None
    if form is not None:
        body = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET",
                                     headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def wait_for(url, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if time.monotonic() > deadline:
                sys.exit(f"{url} did not answer within {timeout} s; see {STATE / 'jupyterhub.log'}")
            time.sleep(0.3)


def as_account(account, cmd, text_in=None):
    """Run ``cmd`` as that Unix account (never as root in a home its owner controls: no symlink tricks)."""
    return subprocess.run(cmd, user=account.pw_uid, group=account.pw_gid, extra_groups=[], cwd="/", input=text_in,
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})


def instructor_token(conf):
    """The instructor's hub token for ngshare (it can do nothing else) in ~INSTRUCTOR/.config/dl-foundations/
    hub-token, mode 600; minted by the setup service when missing or no longer valid. ``course`` uses it."""
    hub_api = f"http://{conf['ip']}:{conf['port']}/hub/api"
    account = pwd.getpwnam(conf["instructor"])
    path = Path(account.pw_dir) / INSTRUCTOR_TOKEN
    kept = as_account(account, ["cat", str(path)]).stdout.strip()
    if kept and http_json(f"{hub_api}/user", kept)[0] == 200:
        return kept
    service_token = Path(conf["ngshare"]["setup_token_file"]).read_text().strip()
    code, reply = http_json(f"{hub_api}/users/{conf['instructor']}/tokens", service_token,
                            {"note": "hubctl: course command", "scopes": ["access:services!service=ngshare"]})
    if code != 201:
        sys.exit(f"the hub refused a token for {conf['instructor']} ({code}): {reply}")
    saved = as_account(account, ["sh", "-c", 'umask 077 && mkdir -p "${1%/*}" && cat > "$1" && chmod 600 "$1"',
                                 "sh", str(path)], text_in=reply["token"] + "\n")
    if saved.returncode:
        sys.exit(f"could not write {path} as {conf['instructor']}: {saved.stderr}")
    return reply["token"]


def enrol_course(conf):
    """The course in ngshare with its instructor, and every student of the roster enrolled (idempotent)."""
    ngshare, course = conf["ngshare"]["url"], conf["course_id"]
    wait_for(f"{ngshare}/healthz")
    token = instructor_token(conf)
    code, reply = http_json(f"{ngshare}/course/{course}", token, form={"instructors": json.dumps([conf["instructor"]])})
    if code not in (200, 409):  # 409: the course exists
        sys.exit(f"ngshare did not create the course {course} ({code}): {reply}")
    if conf["students"]:
        people = [{"username": s, "first_name": s, "last_name": "", "email": ""} for s in conf["students"]]
        code, reply = http_json(f"{ngshare}/students/{course}", token, form={"students": json.dumps(people)})
        refused = [r for r in (reply or {}).get("status", []) if not r["success"]]
        if code != 200 or refused:
            sys.exit(f"ngshare did not enrol the students of {course} ({code}): {refused or reply}")
    log(f"ngshare: course {course}, instructor {conf['instructor']}, {len(conf['students'])} students enrolled")


def sweep_class():
    """End every process the users' servers left (their cgroups), and every process of a student of the
    roster: after `stop` no student runs anything on the machine. The instructor's own shells stay."""
    killed = sum(groups.kill_all() for groups in limits.all_user_groups())
    for student in settings()["students"] if (ETC / "settings.json").is_file() else []:
        try:
            uid = pwd.getpwnam(student).pw_uid
        except KeyError:
            continue
        killed += limits.kill_user_processes(uid)
        limits.remove_shared_memory_files(uid)
    if killed:
        log(f"ended {killed} processes the users' servers left behind")


def stop(timeout=30):
    pid = hub_pid()
    if not pid:
        stop_proxy()
        sweep_class()
        log("not running")
        return 0
    os.kill(pid, signal.SIGTERM)  # the hub stops the users' servers and its proxy itself
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and hub_pid():
        time.sleep(0.2)
    if hub_pid():
        os.killpg(pid, signal.SIGKILL)
    (STATE / "jupyterhub.pid").unlink(missing_ok=True)
    stop_proxy()
    sweep_class()
    log("stopped")
    return 0


def status():
    pid = hub_pid()
    conf = settings()
    print(f"hub {'running, pid ' + str(pid) if pid else 'stopped'}; http://{conf['ip']}:{conf['port']}/; "
          f"instructor {conf['instructor']}, {len(conf['students'])} students; course {conf['course_root']}; "
          f"exchange {'ngshare' if conf.get('ngshare') else conf['exchange']}")
    return 0 if pid else 3


def setup(args):
    roster = read_roster(args.roster)
    instructor = roster["instructor"]
    proxy = ensure_system_packages()
    ensure_users([instructor, *roster["students"]], roster["passwords"])
    if args.exchange == "folder":
        ensure_exchange()
        ensure_course_exchange(args.course_id, instructor)
    lock_checkout(Path(args.course))
    course_root = Path(args.course_root or Path(pwd.getpwnam(instructor).pw_dir) / args.course_id)
    install_course(args.course, course_root, instructor)
    if args.language:
        set_course_language(course_root, args.language)
    STATE.mkdir(mode=0o700, parents=True, exist_ok=True)
    ngshare = ngshare_settings(args.exchange)
    env = build_environment(course_root, args.course_id, instructor, ngshare and ngshare["url"])
    install_course_command(env, course_root, instructor)
    write_hub_config({
        "ip": args.ip, "port": args.port, "env": str(env), "state_dir": str(STATE), "proxy": proxy,
        "course_id": args.course_id, "course_root": str(course_root), "instructor": instructor,
        "language": course_language(course_root),
        "students": roster["students"], "exchange": str(EXCHANGE), "ngshare": ngshare,
        "student_config": str(PREFIX / "jupyter" / "student"),
        "instructor_config": str(PREFIX / "jupyter" / "instructor"),
        "limits": {"memory_bytes": limits.parse_size(args.memory_limit), "processes": args.process_limit,
                   "file_size_bytes": limits.parse_size(args.file_size_limit)},
    })
    if args.no_start:
        return 0
    stop()  # a running hub picks up the new users and settings
    return start()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("setup", help="install, create users, build the environment, start the hub")
    make.add_argument("--roster", required=True, help="CSV: username,role[,password]")
    make.add_argument("--port", type=int, default=8000)
    make.add_argument("--ip", default="127.0.0.1", help="address to listen on (default: this machine only)")
    make.add_argument("--course", default=str(REPO), help="the course checkout to install (default: this one)")
    make.add_argument("--course-id", default="dl-foundations")
    make.add_argument("--course-root", help="default: ~INSTRUCTOR/COURSE_ID")
    make.add_argument("--exchange", choices=("folder", "ngshare"), default="folder",
                      help="nbgrader's exchange: a shared folder (default) or the ngshare service")
    make.add_argument("--memory-limit", default="2G", help="RAM of each student's server (default 2G)")
    make.add_argument("--process-limit", type=int, default=256,
                      help="processes and threads of each student's server (default 256)")
    make.add_argument("--file-size-limit", default="100M",
                      help="largest file a student's server may write, in the exchange or anywhere (default 100M)")
    make.add_argument("--language", help="the course's language: en (the default of a new course folder) or zh_CN "
                      "(Simplified Chinese); without it, the course folder keeps the language it has")
    make.add_argument("--no-start", action="store_true", help="set up only")
    for name in ("start", "stop", "status"):
        commands.add_parser(name)
    commands.add_parser("kit", help="copy the check helpers, lr_utils and data from the course again")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        sys.exit("run as root (it creates users and starts servers as them)")
    actions = {"setup": lambda: setup(args), "start": start, "stop": stop, "status": status,
               "kit": lambda: log(f"student kit rebuilt: {build_kit(settings()['course_root'])}")}
    return actions[args.command]() or 0


if __name__ == "__main__":
    sys.exit(main())
