"""Kernels started ahead of their notebooks: the next submission's kernel boots while the current one is graded.

A batch worker lays out its submission and starts its kernel before the batch needs it; the
clean-room executor then takes that kernel instead of starting one, and moves it into the
notebook's folder before any student code runs.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path

from jupyter_core.utils import run_sync

from coursekit.grading.kernel import LimitedKernelManager
from coursekit.grading.limits import MEMORY_ENV, PIDFILE_ENV
from coursekit.grading.sandbox import COURSE_FILES_ENV
from coursekit.grading.trusted import restore_environment

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


@dataclass
class StartedKernel:
    manager: LimitedKernelManager
    kernel_name: str
    environment: dict


def start_kernel(kernel_name, environment, extra_arguments, cwd, files_from):
    """Start a grading kernel now (it boots in the background) and keep it for ``take``.

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
    except RuntimeError:  # it died while booting: the executor starts one as usual
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
