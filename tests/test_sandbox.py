"""The grading kernel's sandbox, seen from inside a kernel, and the refusal to grade without it."""

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from jupyter_client import BlockingKernelClient
from jupyter_core.utils import run_sync
from nbformat.v4 import new_notebook

from coursekit.grading.batch.harness import TempCourse
from coursekit.grading.grader.cleanroom import CleanRoomExecute
from coursekit.grading.wall import sandbox
from coursekit.grading.wall.cgroup import KernelGroup
from coursekit.grading.wall.kernel import LimitedKernelManager
from coursekit.submissions import answers_of, fill_answers

PROBE = r'''
import json, os, resource, socket, sys
def attempt(action):
    try:
        action()
        return "done"
    except OSError as error:
        return type(error).__name__
facts = {
    "uid": os.getuid(), "cwd": os.getcwd(), "files": sorted(os.listdir(".")),
    "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
    "dev_shm": os.listdir("/dev/shm"), "home": os.path.expanduser("~"),
    "env": sorted(os.environ), "data": sorted(os.listdir(os.environ["CATVNONCAT_DIR"])),
    "course_visible": sorted(os.listdir(COURSE)), "gradebook_visible": os.path.exists(COURSE + "/gradebook.db"),
    "write_here": attempt(lambda: open("written.txt", "w").write("x")),
    "write_data": attempt(lambda: open(os.path.join(os.environ["CATVNONCAT_DIR"], "x"), "w")),
    "write_env": attempt(lambda: open(os.path.join(sys.prefix, "zz.pth"), "w")),
    "network": attempt(lambda: socket.create_connection(("1.1.1.1", 53), timeout=1)),
    "limits": {name: resource.getrlimit(getattr(resource, name))[0]
               for name in ("RLIMIT_AS", "RLIMIT_NPROC", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_CPU")},
}
print(json.dumps(facts))
'''


def probe(folder, course, code=PROBE, files_from=""):
    manager = LimitedKernelManager(kernel_name="python3", files_from=str(files_from))
    run_sync(manager.start_kernel)(cwd=str(folder), extra_arguments=["--IPKernelApp.log_level=ERROR"])
    client = BlockingKernelClient()
    client.load_connection_info(manager.get_connection_info())
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        printed = []
        reply = client.execute_interactive(f"COURSE = {str(course)!r}\n" + code, timeout=60,
                                           output_hook=lambda m: printed.append(m["content"].get("text", "")))
        assert reply["content"]["status"] == "ok", reply["content"]
        return json.loads("".join(printed)), manager.get_connection_info()
    finally:
        client.stop_channels()
        run_sync(manager.shutdown_kernel)(now=True)


@pytest.fixture(scope="module")
def inside(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    folder = course / "autograded" / "student" / "a1"
    folder.mkdir(parents=True)
    (folder / "helper.py").write_text("x = 1\n")
    (folder / "a1.ipynb").write_text("{}")  # the graded notebook, with the instructor's tests put back
    (folder / "link.py").symlink_to(course / "gradebook.db")
    (course / "gradebook.db").write_text("secret")
    data = tmp_path_factory.mktemp("data")
    (data / "train.h5").write_bytes(b"data")
    saved = os.environ.get(sandbox.DATA_ENV)
    os.environ[sandbox.DATA_ENV] = str(data)
    try:
        facts, connection = probe(folder, course)
    finally:
        os.environ.pop(sandbox.DATA_ENV) if saved is None else os.environ.__setitem__(sandbox.DATA_ENV, saved)
    return facts, connection, folder


def test_kernel_runs_as_its_own_user_in_its_own_pid_namespace(inside):
    facts, _, _ = inside
    assert facts["uid"] not in (0, os.getuid())
    assert os.getpid() not in facts["pids"] and max(facts["pids"]) < 10


def test_kernel_sees_a_private_copy_of_its_files_and_nothing_of_the_course(inside):
    facts, _, folder = inside
    assert facts["cwd"] == str(folder)
    assert facts["files"] == ["helper.py"]  # no notebook (hidden tests), no symbolic link
    assert facts["course_visible"] == ["autograded"] and facts["gradebook_visible"] is False
    assert facts["write_here"] == "done" and not (folder / "written.txt").exists()
    assert facts["dev_shm"] == [] and facts["home"] == "/tmp"
    assert not [name for name in facts["env"] if name.startswith("COURSEKIT")]


def test_kernel_cannot_write_its_data_or_environment_nor_reach_the_network(inside):
    facts, connection, _ = inside
    assert facts["data"] == ["train.h5"]
    assert facts["write_data"] == "OSError" and facts["write_env"] == "OSError"
    assert facts["network"] == "OSError"
    assert connection["transport"] == "ipc"


LARGE_FILES_PROBE = r'''
import hashlib, json, os
from ipykernel.connect import get_connection_file
def listing(folder):
    try:
        return sorted(os.listdir(folder))
    except OSError as error:
        return type(error).__name__
def attempt(action):
    try:
        action()
        return "done"
    except OSError as error:
        return type(error).__name__
def digest(name):
    return hashlib.sha256(open(name, "rb").read()).hexdigest()
here = os.stat(".").st_dev
facts = {
    "digests": {name: digest(name) for name in ("top.bin", "data/big.bin", "data/small.txt")},
    "own_mount": {name: os.stat(name).st_dev != here for name in ("top.bin", "data/big.bin", "data/small.txt")},
    "rewrite": attempt(lambda: open("top.bin", "r+b").write(b"changed")),
    "truncate": attempt(lambda: open("data/big.bin", "wb")),
    "delete": attempt(lambda: os.remove("top.bin")),
    "rename": attempt(lambda: os.rename("data/big.bin", "data/moved.bin")),
    "chmod": attempt(lambda: os.chmod("top.bin", 0o666)),
    "rewrite_small": attempt(lambda: open("data/small.txt", "w").write("mine")),
    "new_file_beside": attempt(lambda: open("data/new.txt", "w").write("new")),
    "staged": listing(os.path.dirname(get_connection_file()) + "/files"),
}
print(json.dumps(facts))
'''


def other_file_system(path):
    """A folder for scratch files on another file system than ``path``, or None."""
    for candidate in ("/dev/shm", "/var/tmp"):
        if os.path.isdir(candidate) and os.stat(candidate).st_dev != os.stat(path).st_dev:
            return candidate
    return None


@pytest.mark.parametrize("same_file_system", [True, False], ids=["hard-linked", "across-file-systems"])
def test_kernel_reads_large_files_in_place_and_cannot_change_them(tmp_path, same_file_system):
    """A submission's large files are mounted read-only in the kernel's folder (not copied into its memory):
    writing, truncating, deleting, renaming them fails and the submission stays byte-identical; small files
    stay private, writable copies."""
    scratch = tempfile.gettempdir() if same_file_system else other_file_system(tempfile.gettempdir())
    if scratch is None:
        pytest.skip("no second file system here")
    submission = Path(tempfile.mkdtemp(dir=scratch))  # beside the kernel's run folder, or on another file system
    try:
        (submission / "data").mkdir()
        (submission / "top.bin").write_bytes(os.urandom(sandbox.BIND_MB * 2**20 + 5))
        (submission / "data" / "big.bin").write_bytes(os.urandom(3 * 2**20))
        (submission / "data" / "small.txt").write_text("small")
        before = {str(p.relative_to(submission)): p.read_bytes() for p in submission.rglob("*") if p.is_file()}
        folder = tmp_path / "autograded" / "student" / "a1"
        folder.mkdir(parents=True)
        facts, _ = probe(folder, tmp_path, LARGE_FILES_PROBE, files_from=submission)
        after = {str(p.relative_to(submission)): p.read_bytes() for p in submission.rglob("*") if p.is_file()}
    finally:
        shutil.rmtree(submission)
    assert after == before
    assert facts["digests"] == {name: hashlib.sha256(data).hexdigest() for name, data in before.items()}
    assert facts["own_mount"] == {"top.bin": True, "data/big.bin": True, "data/small.txt": False}
    changes = ("rewrite", "truncate", "delete", "rename", "chmod")
    assert [change for change in changes if facts[change] == "done"] == []
    assert facts["rewrite_small"] == "done" and facts["new_file_beside"] == "done"
    # its run folder's links to the submission: hidden from the kernel, and removed once it listens (as root)
    assert facts["staged"] in ([], "PermissionError", "FileNotFoundError")


def test_kernel_runs_under_limits(inside):
    limits = inside[0]["limits"]
    assert limits["RLIMIT_NPROC"] == sandbox.SandboxLimits.processes
    assert limits["RLIMIT_FSIZE"] == sandbox.SandboxLimits.file_mb * 2**20
    assert limits["RLIMIT_NOFILE"] == 1024 and 0 < limits["RLIMIT_CPU"] <= 3600


def test_grading_refuses_without_the_sandbox_and_says_how_to_enable_it(monkeypatch, tmp_path):
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: None)
    sandbox.problem.cache_clear()
    try:
        with pytest.raises(sandbox.SandboxUnavailable, match="apt-get install bubblewrap.*unsafe_no_sandbox"):
            run_sync(LimitedKernelManager(kernel_name="python3").start_kernel)(cwd=str(tmp_path))
    finally:
        sandbox.problem.cache_clear()


def test_explicit_opt_out_runs_the_kernel_without_sandbox(monkeypatch, tmp_path):
    monkeypatch.setenv(sandbox.UNSAFE_ENV, "1")
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: None)
    manager = LimitedKernelManager(kernel_name="python3")
    run_sync(manager.start_kernel)(cwd=str(tmp_path), extra_arguments=["--IPKernelApp.log_level=ERROR"])
    try:
        assert manager.transport == "tcp" and run_sync(manager.is_alive)()
    finally:
        run_sync(manager.shutdown_kernel)(now=True)
    assert Path(tmp_path).is_dir()


class FlakyKernelManager(LimitedKernelManager):
    """Fails its first start, as a kernel whose port was taken did."""

    attempts = 0

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        FlakyKernelManager.attempts += 1
        if FlakyKernelManager.attempts == 1:
            raise RuntimeError("Address already in use")
        return await super()._async_launch_kernel(kernel_cmd, **kw)


def test_a_kernel_that_fails_to_start_is_started_once_more(tmp_path):
    from coursekit.grading.grader.cleanroom import CleanRoomExecute

    executor = CleanRoomExecute(kernel_manager_class=FlakyKernelManager,
                                extra_arguments=["--IPKernelApp.log_level=ERROR"])
    executor.nb, executor.resources = new_notebook(), {}
    executor.km = executor.create_kernel_manager()
    run_sync(executor.async_start_new_kernel)(cwd=str(tmp_path))
    try:
        assert FlakyKernelManager.attempts == 2 and run_sync(executor.km.is_alive)()
    finally:
        run_sync(executor.km.shutdown_kernel)(now=True)


def cgroup_skip_reason():
    group = KernelGroup.create(2**30, 16)
    if group is None:
        return "needs writable cgroup v1 memory and pids controllers (root); elsewhere per-process limits hold"
    group.remove()
    return None


@pytest.mark.skipif(cgroup_skip_reason() is not None, reason=cgroup_skip_reason() or "")
def test_one_memory_limit_holds_all_of_a_submission_and_costs_only_it(tmp_path):
    """The hog's processes and memory files together stop at the limit the README states (4 GiB);
    a classmate graded at the same time keeps full marks."""
    import nbformat
    from hostile import MEMORY_HOG

    limit_mib = CleanRoomExecute().memory_limit_mb
    assert limit_mib == 4096  # README, "Security model": 4 GiB per submission, all processes and memory folders
    toy = Path(__file__).parent / "fixtures" / "toy_course" / "source"
    course = TempCourse(tmp_path / "course", ["toy"], source_dir=toy, cell_timeout=60)
    release = course.release_notebook("toy")
    solution = answers_of(course.source_notebook("toy"))
    result = course.autograde("toy", {"hog": fill_answers(release, {**solution, "answer_double": MEMORY_HOG}),
                                      "classmate": fill_answers(release, solution)}, workers=2)
    assert result.scores["classmate"] == result.max_scores
    graded = nbformat.read(course.root / "autograded" / "hog" / "toy" / "toy.ipynb", as_version=4)
    memory = graded.metadata["coursekit"]["kernel_memory"]
    assert memory["limit_mib"] == limit_mib
    assert limit_mib - 256 <= memory["peak_mib"] <= limit_mib  # pushed to the limit, never past it
    printed = json.dumps([cell.get("outputs", []) for cell in graded.cells])
    assert "HOG children ended with" in printed and "-9" in printed  # the out-of-memory killer stopped a child
    assert result.scores["hog"]["test_triple"] == result.max_scores["test_triple"]  # its other answers count
