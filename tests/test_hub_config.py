"""hub/ without root: the roster is checked, the hub's config gives each role its environment, and
`course collect` leaves submitted/ to the instructor alone."""

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from traitlets.config.loader import PyFileConfigLoader

from coursekit.paths import COURSE_ROOT

sys.path.insert(0, str(COURSE_ROOT / "hub"))
import course as course_command  # noqa: E402
import hubctl  # noqa: E402
import limits  # noqa: E402


def write(path, text):
    path.write_text(text)
    return path


def test_roster_gives_the_instructor_and_the_students(tmp_path):
    roster = hubctl.read_roster(write(tmp_path / "r.csv", "username,role,password\nprof,Instructor,\n"
                                      "zoe,student,pw1\nalex,student,\n"))
    assert roster == {"instructor": "prof", "students": ["alex", "zoe"], "passwords": {"zoe": "pw1"}}


@pytest.mark.parametrize("text, message", [
    ("name,role\nprof,instructor\n", "header 'username,role"),
    ("username,role\nProf Smith,instructor\n", "not a valid Unix user name"),
    ("username,role\nprof,teacher\n", "role 'teacher'"),
    ("username,role\nzoe,student\n", "exactly one instructor"),
    ("username,role\np1,instructor\np2,instructor\n", "exactly one instructor"),
])
def test_a_bad_roster_is_named(tmp_path, text, message):
    with pytest.raises(SystemExit, match=message):
        hubctl.read_roster(write(tmp_path / "r.csv", text))


def load_hub_config(tmp_path, ngshare=None, limits=None):
    shutil.copy(COURSE_ROOT / "hub" / "jupyterhub_config.py", tmp_path)
    settings = {"ip": "127.0.0.1", "port": 8000, "env": "/opt/x/env", "state_dir": str(tmp_path), "proxy": "chp",
                "course_id": "dl-foundations", "course_root": "/home/prof/dl-foundations", "instructor": "prof",
                "students": ["alex", "zoe"], "exchange": "/ex", "student_config": "/opt/x/jupyter/student",
                "instructor_config": "/opt/x/jupyter/instructor", "ngshare": ngshare, "limits": limits or {}}
    write(tmp_path / "settings.json", json.dumps(settings))
    return PyFileConfigLoader("jupyterhub_config.py", path=str(tmp_path)).load_config()


def test_hub_config_gives_each_role_its_environment(tmp_path):
    c = load_hub_config(tmp_path)
    assert c.Authenticator.allowed_users == {"prof", "alex", "zoe"}
    assert c.Authenticator.admin_users == {"prof"}
    assert c.Spawner.cmd == ["/opt/x/env/bin/jupyterhub-singleuser"] and c.Spawner.default_url == "/lab"
    spawned = {}
    for name in ("prof", "zoe"):
        spawner = SimpleNamespace(user=SimpleNamespace(name=name), environment=dict(c.Spawner.environment))
        c.Spawner.pre_spawn_hook(spawner)
        spawned[name] = spawner.environment
    assert spawned["prof"]["PYTHONPATH"] == "/home/prof/dl-foundations"
    assert spawned["prof"]["JUPYTER_CONFIG_PATH"] == "/opt/x/jupyter/instructor"
    assert "PYTHONPATH" not in spawned["zoe"] and spawned["zoe"]["JUPYTER_CONFIG_PATH"] == "/opt/x/jupyter/student"
    assert spawned["zoe"]["OPENBLAS_NUM_THREADS"] == spawned["zoe"]["OMP_NUM_THREADS"] == "1"
    assert "OPENBLAS_NUM_THREADS" not in spawned["prof"]
    assert c.Spawner.environment["PATH"].startswith("/opt/x/env/bin:")


def test_the_exchange_is_the_folder_or_ngshare(tmp_path):
    folder = hubctl.nbgrader_exchange_config("dl-foundations", None, "prof")
    assert "c.Exchange.root" in folder and "ngshare" not in folder
    for step in ("submit", "collect", "release_assignment", "fetch_assignment", "fetch_feedback"):
        assert f"c.ExchangeFactory.{step} = 'course_exchange." in folder, (step, folder)
    assert "c.TrustedCourseFolders.instructor = 'prof'" in folder
    assert "JupyterHub.services" not in str(load_hub_config(tmp_path))
    url = "http://127.0.0.1:10101/services/ngshare"
    ngshare = hubctl.nbgrader_exchange_config("dl-foundations", url, "prof")
    assert f"configureExchange(c, {url!r})" in ngshare and "Exchange.root" not in ngshare
    assert ngshare.index("configureExchange(c") < ngshare.index("'ngshare_collect.GuardedNgshareCollect'")
    token = write(tmp_path / "setup.token", "secret\n")
    c = load_hub_config(tmp_path, {"python": "/opt/x/ngshare/bin/python", "port": 10101, "url": url,
                                   "setup_service": "course-setup", "setup_token_file": str(token),
                                   "user": "ngshare", "data": "/var/lib/ng", "database": "sqlite:////var/lib/ng/db",
                                   "storage": "/var/lib/ng/files"})
    service, setup = c.JupyterHub.services
    assert service["user"] == "ngshare" and "--admins" in service["command"] and "prof" in service["command"]
    assert setup == {"name": "course-setup", "api_token": "secret"}
    roles = {role["name"]: role["scopes"] for role in c.JupyterHub.load_roles}
    assert roles == {"user": ["self", "access:services!service=ngshare"], "course-setup": ["tokens!user=prof"]}


def test_student_config_hides_the_instructors_tools():
    student = COURSE_ROOT / "hub" / "jupyter" / "student"
    server = json.loads((student / "jupyter_server_config.json").read_text())["ServerApp"]["jpserver_extensions"]
    assert not server["nbgrader.server_extensions.formgrader"] and not server["nbgrader.server_extensions.course_list"]
    assert server["nbgrader.server_extensions.assignment_list"]
    lab = json.loads((student / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:course-list",
            "@jupyter/nbgrader:create-assignment"} <= {name for name, off in lab.items() if off}


def test_collect_leaves_submissions_to_the_instructor_alone(tmp_path):
    notebook = tmp_path / "submitted" / "zoe" / "a1" / "n.ipynb"
    notebook.parent.mkdir(parents=True)
    notebook.write_text("{}")
    for path in (tmp_path / "submitted", notebook.parent.parent, notebook.parent):
        path.chmod(0o777)
    notebook.chmod(0o666)
    course_command.lock_submissions(tmp_path)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path, tmp_path / "submitted",
                                                              notebook.parent.parent, notebook.parent, notebook)}
    assert modes == {tmp_path.name: 0o700, "submitted": 0o700, "zoe": 0o700, "a1": 0o700, "n.ipynb": 0o600}


def test_students_servers_get_the_limits_of_the_settings(tmp_path):
    c = load_hub_config(tmp_path, limits={"memory_bytes": 2 ** 30, "processes": 128, "file_size_bytes": 10 ** 6})
    assert c.JupyterHub.spawner_class == "limited_spawner.LimitedSpawner"
    assert (c.LimitedSpawner.memory_limit_bytes, c.LimitedSpawner.process_limit,
            c.LimitedSpawner.file_size_limit_bytes) == (2 ** 30, 128, 10 ** 6)
    assert c.LimitedSpawner.unlimited_users == {"prof"}


@pytest.mark.parametrize("text, size", [("2G", 2 * 1024 ** 3), ("512M", 512 * 1024 ** 2), ("100k", 102400),
                                        ("1.5G", int(1.5 * 1024 ** 3)), ("4096", 4096)])
def test_sizes_on_the_command_line(text, size):
    assert limits.parse_size(text) == size


def test_a_size_that_is_not_one_is_named():
    with pytest.raises(ValueError, match="'TWO GIGS' is not a size"):
        limits.parse_size("two gigs")


def test_setup_locks_a_checkout_others_can_read(capsys):
    with tempfile.TemporaryDirectory(dir="/tmp") as folder:  # /tmp: every user reaches it (pytest's tmp_path: not)
        checkout = Path(folder) / "checkout"
        (checkout / "source").mkdir(parents=True)
        for each in (Path(folder), checkout, checkout / "source"):
            each.chmod(0o755)
        hubctl.lock_checkout(checkout)
        assert stat.S_IMODE(checkout.stat().st_mode) == 0o700 and "now mode 700" in capsys.readouterr().out
        hubctl.lock_checkout(checkout)  # private now: nothing to do or say
        assert capsys.readouterr().out == ""


def test_feedback_failures_are_named_with_their_reason():
    log = ("[GenerateFeedbackApp | INFO] Converting notebook /c/autograded/bob/a1/n.ipynb\n"
           "[GenerateFeedbackApp | ERROR] There was an error processing assignment: /c/autograded/alice/a1\n"
           "[GenerateFeedbackApp | ERROR] Traceback (most recent call last):\n"
           "  File \"x.py\", line 1, in convert\n    raise RuntimeError()\n"
           "RuntimeError: Encountered nested begin hidden tests statements\n"
           "[GenerateFeedbackApp | ERROR] There was an error processing assignment 'a1' for student 'alice'\n")
    assert course_command.failure_reasons(log) == {
        "alice": "RuntimeError: Encountered nested begin hidden tests statements"}


def test_user_groups_set_their_limits_and_list_their_running_processes(tmp_path):
    """hub/limits.py on a stand-in for /sys/fs/cgroup (the real groups: tests/test_hub_attacks.py)."""
    for controller, files in {"memory": {"memory.limit_in_bytes": str(2 ** 30),
                                         "memory.memsw.limit_in_bytes": str(2 ** 30)},
                              "pids": {"pids.max": "max"}}.items():
        (tmp_path / controller / "cgroup.procs").parent.mkdir()
        (tmp_path / controller / "cgroup.procs").write_text("")
        group = tmp_path / controller / "dl-foundations" / "zoe"
        group.mkdir(parents=True)
        for name, text in {**files, "cgroup.procs": f"{os.getpid()}\n999999999\n"}.items():
            (group / name).write_text(text)
    groups = limits.UserGroups("zoe", tmp_path)
    assert groups.create(3 * 2 ** 30, 128) == {"memory_bytes": 3 * 2 ** 30, "processes": 128}
    assert (tmp_path / "memory/dl-foundations/zoe/memory.memsw.limit_in_bytes").read_text() == str(3 * 2 ** 30)
    assert groups.pids() == {os.getpid()}  # the other pid does not exist
    assert [g.folders for g in limits.all_user_groups(tmp_path)] == [groups.folders]


def test_instructor_server_sends_the_formgrader_policy():
    """The instructor's JupyterLab (and its Formgrader) sends the policy the grading browser test proves."""
    from coursekit.grading.grader.safe_html import FORMGRADER_CSP

    config = json.loads((COURSE_ROOT / "hub" / "jupyter" / "instructor" / "jupyter_server_config.json").read_text())
    assert config["ServerApp"]["tornado_settings"]["headers"]["Content-Security-Policy"] == FORMGRADER_CSP


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root")
def test_the_sweep_by_uid_ends_detached_processes_of_that_uid_only():
    """The fallback where no cgroup holds a student's processes: every process of the uid dies, nobody else's."""
    import pwd
    import subprocess

    spare = next(uid for uid in range(61000, 62000) if uid not in {p.pw_uid for p in pwd.getpwall()})
    theirs = [subprocess.Popen(["setpriv", f"--reuid={spare}", f"--regid={spare}", "--clear-groups", "setsid",
                                "sleep", "300"]) for _ in range(2)]
    ours = subprocess.Popen(["sleep", "300"])
    try:
        deadline = time.monotonic() + 10
        while sum(1 for p in Path("/proc").iterdir() if p.name.isdigit() and limits.owner(p) == spare) < 2:
            assert time.monotonic() < deadline, "the spare uid's processes did not start"
            time.sleep(0.05)
        assert limits.kill_user_processes(spare, timeout=5) >= 2
        assert not [p for p in Path("/proc").iterdir()
                    if p.name.isdigit() and limits.owner(p) == spare and limits.running(p.name)]
        assert ours.poll() is None
    finally:
        ours.kill()
        for process in theirs:
            process.kill()
            process.wait()
        ours.wait()


def language_course(folder):
    """A course folder with the course's nbgrader_config.py, its Chinese catalogs folder and a1's source."""
    shutil.copy(COURSE_ROOT / "nbgrader_config.py", folder)
    (folder / "locale" / "zh_CN" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copytree(COURSE_ROOT / "source" / "a1_numpy_basics", folder / "source" / "a1_numpy_basics",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def test_setup_language_sets_the_course_language_and_its_release_folder(tmp_path, capsys):
    course = language_course(tmp_path)
    assert hubctl.course_languages(course) == ["en", "zh_CN"] and hubctl.course_language(course) == "en"
    hubctl.set_course_language(course, "zh_CN")
    assert "taught in zh_CN" in capsys.readouterr().out and hubctl.course_language(course) == "zh_CN"
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    assert config.CourseLanguage.language == "zh_CN"
    assert config.CourseDirectory.release_directory == "zh_CN/release"
    hubctl.set_course_language(course, "zh_CN")  # already so: nothing written, nothing said
    assert capsys.readouterr().out == ""
    hubctl.set_course_language(course, "en")
    assert PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config() \
        .CourseDirectory.release_directory == "release"


def test_setup_refuses_a_language_the_course_has_no_catalogs_for(tmp_path):
    course = language_course(tmp_path)
    with pytest.raises(SystemExit, match="can be taught in en, zh_CN"):
        hubctl.set_course_language(course, "fr")
    (course / "nbgrader_config.py").write_text("c = get_config()\n")
    with pytest.raises(SystemExit, match="no line `COURSE_LANGUAGE"):
        hubctl.set_course_language(course, "zh_CN")


def test_course_release_in_a_chinese_course_hands_out_the_chinese_notebook(tmp_path):
    """`course release` runs nbgrader generate_assignment then release_assignment in the course folder:
    with the language set, generate writes the Chinese notebook into zh_CN/release/, where release takes it."""
    course = language_course(tmp_path)
    hubctl.set_course_language(course, "zh_CN")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", "a1_numpy_basics", "--force"],
                   cwd=course, env=env, check=True, capture_output=True)
    (released,) = (course / "zh_CN" / "release" / "a1_numpy_basics").glob("*.ipynb")
    committed = COURSE_ROOT / "zh_CN" / "release" / "a1_numpy_basics" / released.name
    assert not (course / "release").exists()
    markdown = [[c.source for c in nbformat.read(path, 4).cells if c.cell_type == "markdown"]
                for path in (released, committed)]
    assert markdown[0] == markdown[1] and "作业" in markdown[0][0]
