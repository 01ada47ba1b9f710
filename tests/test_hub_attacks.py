"""A hostile student on the real hub with the shared-folder exchange (``hubctl setup``, the default).

Real Unix users (instructor; students alice, bob and carol), PAM, the hub's LimitedSpawner. alice and bob
fetch, answer and submit a1 through their own servers; carol never submits. Then alice attacks, as the Unix
user alice and from her own kernel: links to the instructor's files in a submission of hers, a submission
named after bob with a future timestamp, renaming or writing the course's folders in the exchange and bob's
submission, a marker line (``### BEGIN HIDDEN TESTS``) in her answer, a memory hog, a file bigger than the
file cap, a flood of processes, and processes left behind (detached, renamed) when her server stops; bob
leaves some behind at ``hubctl stop``. Each test asserts the attack failed. Needs root and a Debian machine
(CI has them); the fixture decides at run time (tests/hub_machine.py).
"""

import csv
import io
import json
import os
import re
import secrets
import shlex
import subprocess
import time
from pathlib import Path

import pytest
from hub_machine import (
    CHECKOUT_MODE,
    COURSE,
    ETC,
    HUBCTL,
    INSTRUCTOR,
    LEFT_BEHIND,
    REPO,
    Student,
    Timer,
    as_user,
    free_port,
    hidden_test_lines,
    inbound_stamp,
    machine_skip_reason,
    prepare_machine,
    processes_of,
    sh,
    stop_hub,
    write_roster,
)

from coursekit.submissions import answers_of, load_notebook

pytestmark = pytest.mark.skipif(machine_skip_reason() is not None, reason=machine_skip_reason() or "")

A1, NOTEBOOK = "a1_numpy_basics", "numpy_basics.ipynb"
ALL_ANSWERS = answers_of(load_notebook(REPO / "source" / A1 / NOTEBOOK))
MARKER = "\n### BEGIN HIDDEN TESTS\n"
# alice answers everything right, with nbgrader's marker line in one answer; bob only the first question.
ANSWERS = {"alice": {**ALL_ANSWERS, "answer_basic_sigmoid": ALL_ANSWERS["answer_basic_sigmoid"] + MARKER},
           "bob": {"answer_basic_sigmoid": ALL_ANSWERS["answer_basic_sigmoid"]}}
MEMORY_LIMIT = "1G"
SHM_MB = 600  # a file in /dev/shm and an array of this size each fit in MEMORY_LIMIT, both together do not
FILE_SIZE_LIMIT_MB = 50
EXCHANGE = Path("/usr/local/share/nbgrader/exchange")
COURSE_EXCHANGE = EXCHANGE / COURSE


def instructor_runs(command, check=True):
    done = as_user(INSTRUCTOR, command)
    assert not check or done.returncode == 0, done.stdout + done.stderr
    return done


def plant_entries(course_root):
    """alice's own entries in inbound/: one holding links to the instructor's secrets and a FIFO, and one
    named after bob with a timestamp a day ahead. Returns the shell's result."""
    inbound = COURSE_EXCHANGE / "inbound"
    links = shlex.quote(str(inbound / f"alice+{A1}+{inbound_stamp()}+links"))
    as_bob = shlex.quote(str(inbound / f"bob+{A1}+{inbound_stamp(24 * 60)}+notbob"))
    script = (f"mkdir {links} && ln -s {course_root}/source/{A1}/{NOTEBOOK} {links}/{NOTEBOOK} && "
              f"ln -s {course_root}/gradebook.db {links}/gradebook.db && ln -s {course_root}/source {links}/source && "
              f"mkfifo {links}/pipe && mkdir {as_bob} && cp ~/{A1}/{NOTEBOOK} {as_bob}/ && "
              f"echo 'alice was here' > {as_bob}/timestamp.txt")
    return as_user("alice", script)


def rearrangements(bob_entry):
    """What alice tries on the exchange's folders: {attempt: shell command}."""
    course, outbound, feedback = COURSE_EXCHANGE, COURSE_EXCHANGE / "outbound", COURSE_EXCHANGE / "feedback"
    entry = shlex.quote(str(bob_entry))
    return {
        "rename the course folder": f"mv {course} {course}.old",
        "rename outbound": f"mv {outbound} {outbound}.old",
        "rename inbound": f"mv {course}/inbound {course}/inbound.old",
        "rename feedback": f"mv {feedback} {feedback}.old",
        "rename the release": f"mv {outbound}/{A1} {outbound}/{A1}.old",
        "write into the release": f"echo payload > {outbound}/{A1}/payload.py",
        "replace the released notebook": f"echo '{{}}' > {outbound}/{A1}/{NOTEBOOK}",
        "write into feedback": f"echo x > {feedback}/planted.html",
        "rename bob's submission": f"mv {entry} {entry}.gone",
        "delete bob's submission": f"rm -rf {entry}",
        "read bob's submission": f"cat {entry}/{NOTEBOOK}",
        "list inbound": f"ls {course}/inbound",
    }


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    timer, seen = Timer(), {}
    seen["timer"] = timer
    prepare_machine()
    passwords = {user: secrets.token_urlsafe(12) for user in (INSTRUCTOR, "alice", "bob", "carol")}
    port = free_port()
    with timer.measure("setup"):
        setup = subprocess.run([*HUBCTL, "setup", "--roster", str(write_roster(tmp_path_factory.mktemp("hub"),
                                                                                passwords)),
                                "--port", str(port), "--memory-limit", MEMORY_LIMIT,
                                "--file-size-limit", f"{FILE_SIZE_LIMIT_MB}M", "--no-start"],
                               capture_output=True, text=True, timeout=900)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    seen["setup"] = setup.stdout
    seen["checkout mode after setup"] = os.stat(REPO).st_mode  # stop_hub() gives the checkout its mode back
    try:
        with timer.measure("hub start"):
            sh([*HUBCTL, "start"], timeout=180)
        settings = json.loads((ETC / "settings.json").read_text())
        seen["settings"] = settings
        course_root = settings["course_root"]
        instructor_runs(f"course release {A1}")
        base = f"http://127.0.0.1:{port}"
        students = seen["students"] = {name: Student(base, name, passwords[name]) for name in ("alice", "bob")}
        for name, student in students.items():
            with timer.measure(f"server start ({name})"):
                student.start_server()
            student.act("fetch")
            student.answer(ANSWERS[name])
            student.act("submit")
        bob_entry = sorted((COURSE_EXCHANGE / "inbound").glob(f"bob+{A1}+*"))[-1]
        seen["inbound modes"] = {p.name.split("+")[0]: (oct(p.stat().st_mode & 0o7777), p.group())
                                 for p in (COURSE_EXCHANGE / "inbound").iterdir()}
        seen["planted"] = plant_entries(course_root)
        seen["rearranged"] = {what: as_user("alice", command) for what, command in rearrangements(bob_entry).items()}
        with timer.measure("collect (first)"):
            seen["collect"] = instructor_runs(f"course collect {A1}")
        seen["collect report"] = json.loads(Path(course_root, "reports", f"collect-{A1}.json").read_text())
        submitted = Path(course_root, "submitted")
        seen["submitted"] = {p.relative_to(course_root).as_posix(): p for p in submitted.rglob("*")}
        students["bob"].act("submit")  # a resubmission: the next plain collect takes it
        seen["recollect"] = instructor_runs(f"course collect {A1}")
        with timer.measure("grade"):
            instructor_runs(f"course grade {A1}")
        with timer.measure("feedback"):
            seen["feedback"] = instructor_runs(f"course feedback {A1}", check=False)
        for name, student in students.items():
            student.act("fetch_feedback", check=False)
            seen[f"feedback files ({name})"] = sorted(Path(f"/home/{name}/{A1}/feedback").glob("*/*.html"))
        seen["export"] = instructor_runs(f"course export --to {course_root}/grades.csv")
        seen["grades"] = list(csv.DictReader(io.StringIO(Path(course_root, "grades.csv").read_text())))
        seen["export by root"] = subprocess.run(["course", "export", "--to", f"{course_root}/grades-root.csv"],
                                                capture_output=True, text=True, cwd="/")
        alice = students["alice"]
        with timer.measure("alice's kernel: environment, file cap, processes, memory"):
            seen["blas"] = alice.run_code("import os; print(os.environ.get('OPENBLAS_NUM_THREADS'))")
            seen["big file"] = alice.run_code(
                f"open('/home/alice/big.bin', 'wb').write(b'0' * {(FILE_SIZE_LIMIT_MB + 10) * 2 ** 20})")
            seen["flood"] = alice.run_code(
                "import subprocess\nstarted = []\ntry:\n    for _ in range(400):\n"
                "        started.append(subprocess.Popen(['sleep', '60']))\nexcept OSError as error:\n"
                "    print('stopped by', type(error).__name__)\nprint(len(started), 'started')\n"
                "for p in started:\n    p.kill()\n    p.wait()\n")
            seen["hog"] = alice.run_code("import numpy as np\nx = np.ones(2 * 2 ** 30 // 8)\nprint('survived')")
            # /dev/shm is RAM: what she keeps there counts against her server's memory limit
            seen["shm"] = alice.run_code(f"for i in range({SHM_MB // 40}):\n"  # 40 MB files: under the file cap
                                         f"    open(f'/dev/shm/alice-blob-{{i}}', 'wb').write(b'x' * 40 * 2 ** 20)")
            seen["memory beside shm"] = alice.run_code(
                f"import numpy as np\nx = np.ones({SHM_MB} * 2 ** 20 // 8)\nprint('survived')")
            memory_group = Path("/sys/fs/cgroup/memory/dl-foundations/alice")
            if memory_group.is_dir():  # cgroup v1 memory controller mounted (CI and this kind of machine)
                seen["memory group"] = {name: int((memory_group / name).read_text()) for name in
                                        ("memory.limit_in_bytes", "memory.max_usage_in_bytes")}
                seen["memory group"].update(line.split() for line in (memory_group / "memory.oom_control").open())
            seen["server after hog"] = alice.server("api/status")
            seen["left behind"] = alice.run_code(LEFT_BEHIND)
            time.sleep(1)
            seen["alice's processes before stop"] = processes_of("alice")
        with timer.measure("alice's server stop"):
            alice.stop_server()
        time.sleep(1)
        seen["alice's processes after stop"] = processes_of("alice")
        seen["alice's /dev/shm after stop"] = [p.name for p in Path("/dev/shm").iterdir() if p.owner() == "alice"]
        seen["bob left behind"] = students["bob"].run_code(LEFT_BEHIND)
        time.sleep(1)
        seen["bob's processes before hubctl stop"] = processes_of("bob")
    finally:
        stop_hub()
    seen["bob's processes after hubctl stop"] = processes_of("bob")
    yield seen


def test_exchange_folders_are_the_instructors_and_submissions_private(attacked):
    modes = {name: sh(["stat", "-c", "%U %a", str(COURSE_EXCHANGE / name)]).stdout.split()
             for name in ("", "outbound", "inbound", "feedback")}
    assert modes == {"": [INSTRUCTOR, "755"], "outbound": [INSTRUCTOR, "755"], "inbound": [INSTRUCTOR, "3733"],
                     "feedback": [INSTRUCTOR, "711"]}, modes
    assert sh(["stat", "-c", "%U %a", str(EXCHANGE)]).stdout.split() == ["root", "1777"]
    expected = ("0o750", INSTRUCTOR)  # other students cannot enter a submission
    assert attacked["inbound modes"] == {"alice": expected, "bob": expected}, attacked["inbound modes"]


def test_alice_cannot_rearrange_the_exchange_or_touch_bobs_submission(attacked):
    outcomes = {what: done.returncode for what, done in attacked["rearranged"].items()}
    assert all(code != 0 for code in outcomes.values()), outcomes
    assert (COURSE_EXCHANGE / "outbound" / A1 / NOTEBOOK).is_file()
    assert not list(COURSE_EXCHANGE.parent.glob(f"{COURSE}*.old"))


def test_links_in_a_submission_are_refused_and_nothing_of_the_instructors_is_collected(attacked):
    assert attacked["planted"].returncode == 0, attacked["planted"].stderr  # the attack itself went through
    refused = {r["entry"].rsplit("+", 1)[1]: r["reason"] for r in attacked["collect report"]["refused"]}
    assert "is a symbolic link" in refused["links"], refused
    files = attacked["submitted"]
    assert not [name for name, path in files.items() if path.is_symlink()], files
    assert not [name for name in files if "gradebook" in name or "/source" in name or name.endswith("pipe")], files
    collected = (Path(attacked["settings"]["course_root"]) / "submitted" / "alice" / A1 / NOTEBOOK).read_text()
    assert not [line for line in hidden_test_lines(A1, NOTEBOOK) if json.dumps(line)[1:-1] in collected]
    assert "REFUSED" in attacked["collect"].stderr and "alice" in attacked["collect"].stderr


def test_a_submission_claiming_bob_is_refused_and_bobs_own_is_collected_and_resubmitted(attacked):
    refused = {r["entry"].rsplit("+", 1)[1]: r["reason"] for r in attacked["collect report"]["refused"]}
    assert "it names bob but belongs to alice" in refused["notbob"], refused
    assert sorted(attacked["collect report"]["collected"]) == ["alice", "bob"]
    bob = Path(attacked["settings"]["course_root"]) / "submitted" / "bob" / A1
    assert "alice was here" not in (bob / "timestamp.txt").read_text()
    assert "Updated submission: bob" in attacked["recollect"].stderr, attacked["recollect"].stderr


def test_a_marker_line_fails_only_its_owners_feedback(attacked):
    done = attacked["feedback"]
    assert done.returncode == 1 and "Feedback NOT generated" in done.stderr, done.stderr
    report = done.stderr[done.stderr.index("Feedback NOT generated"):]
    assert "alice:" in report and "bob" not in report, report
    assert attacked["feedback files (bob)"] and not attacked["feedback files (alice)"]


def test_export_lists_every_student_of_the_roster(attacked):
    scores = {row["student_id"]: float(row["score"]) for row in attacked["grades"] if row["assignment"] == A1}
    assert set(scores) == {"alice", "bob", "carol"} and scores["carol"] == 0, scores
    assert scores["alice"] > scores["bob"] > 0, scores


def test_one_blas_thread_and_a_file_size_cap_on_a_student_server(attacked):
    assert attacked["blas"] == ("ok", "1\n"), attacked["blas"]
    outcome, text = attacked["big file"]
    assert outcome == "error" and "File too large" in text, attacked["big file"]


def test_a_student_server_is_held_to_its_process_and_memory_limits(attacked):
    if "memory group" not in attacked:
        pytest.skip("no cgroup v1 memory controller here: the spawner falls back to rlimits (docs/jupyterhub.md)")
    outcome, text = attacked["flood"]
    started = int(re.search(r"(\d+) started", text)[1])
    assert outcome == "ok" and "stopped by" in text and started < 256, text
    assert attacked["hog"][0] == "died" and "survived" not in attacked["hog"][1], attacked["hog"]
    assert attacked["shm"][0] == "ok", attacked["shm"]
    assert attacked["memory beside shm"][0] == "died", attacked["memory beside shm"]
    group = attacked["memory group"]
    assert group["memory.limit_in_bytes"] == 2 ** 30 and int(group["oom_kill"]) >= 2, group  # the two kills above
    assert group["memory.max_usage_in_bytes"] <= 2 ** 30, group
    assert attacked["server after hog"]["kernels"] >= 0  # her server still answers


def test_no_process_of_a_student_survives_their_server_or_hubctl_stop(attacked):
    assert attacked["left behind"] == ("ok", "planted\n") and attacked["bob left behind"] == ("ok", "planted\n")
    assert "sleep 900" in attacked["alice's processes before stop"], attacked["alice's processes before stop"]
    assert "innocent-editor" in attacked["bob's processes before hubctl stop"]
    assert attacked["alice's processes after stop"] == "", attacked["alice's processes after stop"]
    assert attacked["alice's /dev/shm after stop"] == []
    assert attacked["bob's processes after hubctl stop"] == "", attacked["bob's processes after hubctl stop"]


def test_root_runs_course_as_the_instructor_without_sudo(attacked):
    done = attacked["export by root"]
    assert done.returncode == 0, done.stdout + done.stderr
    written = Path(attacked["settings"]["course_root"], "grades-root.csv")
    assert written.owner() == INSTRUCTOR and "carol" in written.read_text()


def test_setup_locks_a_world_readable_checkout(attacked):
    mode = attacked["checkout mode after setup"]
    assert mode & 0o077 == 0, oct(mode)
    assert os.stat(REPO).st_mode & 0o7777 == CHECKOUT_MODE  # and the test gave it back


def test_prints_timings(attacked, capsys):
    with capsys.disabled():
        print(f"\nhub attack test timings in s (load average {os.getloadavg()[0]:.1f}):")
        for name, seconds in attacked["timer"].items():
            print(f"  {name:<58} {seconds:7.1f}")
        print("alice on the exchange (exit status, error):")
        for what, done in attacked["rearranged"].items():
            print(f"  {what:<32} {done.returncode} {done.stderr.strip()[-80:]}")
        print("collect refused:", *(f"  {r['entry']}: {r['reason']}" for r in attacked["collect report"]["refused"]),
              sep="\n")
        for what in ("blas", "big file", "flood", "hog", "shm", "memory beside shm"):
            print(f"  {what:<20} {attacked[what][0]:<6} {attacked[what][1].strip()[-80:]}")
        print("  memory group", attacked.get("memory group", "none (no cgroup v1 memory controller)"))
    assert attacked["timer"]["hub start"] > 0
