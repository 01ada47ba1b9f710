"""Kernels started ahead of their notebooks: the next submission's kernel boots while the current one is graded.

A batch worker lays out its submission and starts its kernel before the batch needs it, and has it
import the installed modules the cells grading runs import (NumPy...: most of a short notebook's
time); the clean-room executor then takes that kernel instead of starting one,
and moves it into the notebook's folder before any student code runs.
"""

import ast
import importlib
import importlib.util
import json
import os
import queue
import time
from dataclasses import dataclass
from pathlib import Path

from jupyter_core.utils import run_sync

from coursekit.grading.grader import skipping
from coursekit.grading.grader.trusted import restore_environment
from coursekit.grading.wall.kernel import LimitedKernelManager
from coursekit.grading.wall.limits import MEMORY_ENV, PIDFILE_ENV
from coursekit.grading.wall.sandbox import COURSE_FILES_ENV

_WAITING = []  # at most one kernel started ahead in this process


def kernel_environment(trusted, folder, memory_mb, pidfile):
    """Environment variables of a grading kernel; writes its private copies of the data set and of the
    assignment's helper files into ``folder``."""
    data = trusted.write_datasets(Path(folder) / "kernel-datasets")
    helpers = trusted.write_source_files(Path(folder) / "kernel-course-files", notebooks=False)
    return {PIDFILE_ENV: str(pidfile), MEMORY_ENV: str(memory_mb), "CATVNONCAT_DIR": str(data),
            COURSE_FILES_ENV: str(helpers), "MPLBACKEND": "Agg"}


def kernel_name_of(trusted):
    """The kernel the assignment's (first) notebook asks for, read from the trusted source copy."""
    for path, data in trusted.files.items():
        if path.suffix == ".ipynb" and path.parent == trusted.source_dir:
            return json.loads(data).get("metadata", {}).get("kernelspec", {}).get("name", "python3")
    return "python3"


def imported_modules(source):
    """Absolute module names a cell's code imports (``import a.b``, ``from a.b import c``)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names} | \
        {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module}


def code_sources(notebook):
    """A notebook's cells (JSON) as ``skipping.cells_to_skip`` takes them: the code's text, None for other cells."""
    return ["".join(cell.get("source", "")) if cell.get("cell_type") == "code" else None
            for cell in notebook.get("cells", [])]


def marked_sources(notebook):
    """The text of the code cells a notebook (JSON) marks as skipped at grading."""
    return {"".join(cell.get("source", "")) for cell in notebook.get("cells", []) if cell.get("cell_type") == "code"
            and set(cell.get("metadata", {}).get("tags", [])) & set(skipping.SKIP_TAGS)}


def installed_imports(trusted, at_grading=False):
    """Modules the assignment's notebooks import that come from the installed environment, not from the
    assignment's folder (whose files a submission may replace); ``at_grading``: only those the cells
    grading runs import (Matplotlib stays out of a kernel where only skipped cells draw)."""
    notebooks = [json.loads(data) for path, data in trusted.files.items()
                 if path.suffix == ".ipynb" and path.parent == trusted.source_dir]
    modules = set()
    for notebook in notebooks:
        sources = code_sources(notebook)
        skipped = skipping.cells_to_skip(sources, marked_sources(notebook)) if at_grading else set()
        modules |= {name for index, source in enumerate(sources) if source is not None and index not in skipped
                    for name in imported_modules(source)}
    local = {path.relative_to(trusted.source_dir).parts[0].split(".")[0] for path in trusted.files
             if path.is_relative_to(trusted.source_dir)}
    return sorted(name for name in modules if name.split(".")[0] not in local
                  and importlib.util.find_spec(name.split(".")[0]) is not None)


def import_in_grader(trusted):
    """Import here, in the grader, the installed modules the notebook imports: a batch does it once before it
    forks its workers, whose replays of the instructor's code (the diagnosis of a failed hidden test) import
    them again for every submission otherwise."""
    for name in installed_imports(trusted):
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 (only a head start: a replay that needs the module imports it itself)
            pass


WARM_UP = """def _coursekit_warm_up(names):
    import importlib
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:
            pass
_coursekit_warm_up({names!r})
del _coursekit_warm_up
"""


def warm_up(client, modules, timeout=60):
    """Have the kernel import ``modules`` now, binding no name (the notebook's own imports then find them)."""
    if not modules:
        return
    msg_id = client.execute(WARM_UP.format(names=list(modules)), silent=True, store_history=False)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reply = run_sync(client.get_shell_msg)(timeout=max(0.1, deadline - time.monotonic()))
        if reply.get("parent_header", {}).get("msg_id") == msg_id:
            return


@dataclass
class StartedKernel:
    manager: LimitedKernelManager
    kernel_name: str
    environment: dict


def start_kernel(kernel_name, environment, extra_arguments, cwd, files_from, modules=()):
    """Start a grading kernel now, have it import ``modules``, and keep it for ``take``.

    ``cwd`` is the notebook's folder to be (made now if missing); the kernel's sandbox starts
    it with the files of ``files_from`` (the submission), as nbgrader will lay them out there.
    """
    Path(cwd).mkdir(parents=True, exist_ok=True)
    manager = LimitedKernelManager(kernel_name=kernel_name)
    if manager.has_trait("files_from"):  # the sandboxed kernel manager
        manager.files_from = str(files_from)
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    try:
        run_sync(manager.start_kernel)(extra_arguments=list(extra_arguments), cwd=str(cwd))
    finally:
        restore_environment(saved)
    client = manager.client()
    client.start_channels()
    try:  # booted before nbgrader lays out (and first deletes) the notebook's folder
        run_sync(client.wait_for_ready)(timeout=60)
        warm_up(client, modules)
    except (RuntimeError, queue.Empty):  # it died or hung while booting: the executor starts one as usual
        run_sync(manager.shutdown_kernel)(now=True)
        return
    finally:
        client.stop_channels()
    _WAITING[:] = [StartedKernel(manager, kernel_name, environment)]


def take(kernel_name):
    """The kernel started ahead in this process if it runs ``kernel_name`` (once); else None."""
    started = _WAITING.pop() if _WAITING else None
    if started is not None and started.kernel_name != kernel_name:
        run_sync(started.manager.shutdown_kernel)(now=True)
        return None
    return started
