"""nbgrader's Execute, hardened: test cells run in the grader, student cells in a limited kernel.

- Answer and read-only cells run in the student's kernel, started under an address-space
  limit (or taken over from a batch worker that started it ahead); every process it starts
  is killed when the notebook is done.
- Test cells run in this process with untouched builtins, NumPy and check modules (the
  instructor's copies from ``source/``). Names they read from the notebook are fetched from
  the kernel as plain data; student functions, classes and objects stay in the kernel, and
  the test's operations on them are remote calls, sent over a Jupyter comm.
- A cell that kills or hangs the kernel beyond an interrupt costs only itself: the kernel is
  restarted, the cells that had run cleanly are replayed, and grading goes on.
- Hidden tests' code and tracebacks never reach the notebook's outputs; only their messages.
- Cells no test needs (experiments, figures, timing demos) are left out, as the instructor's
  notebook marks them (coursekit.grading.grader.skipping); the submission's own tags decide nothing.
"""

import builtins
import contextlib
import functools
import io
import os
import secrets
import shutil
import tempfile
import time
import traceback
import warnings
from pathlib import Path

import nbformat
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import ValidationError
from nbformat.v4 import new_code_cell, new_notebook, new_output
from nbgrader.api import Gradebook
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, Unicode

from coursekit.grading.grader import metadata_schema, prestart, seed, skipping
from coursekit.grading.grader.course_versions import CourseVersions
from coursekit.grading.grader.diagnosis import NotebookDiagnoses, RecordingView
from coursekit.grading.grader.trusted import TrustedFiles, restore_environment
from coursekit.grading.wall import sandbox
from coursekit.grading.wall.channel import CommChannel, KernelDied, NoAnswer, TimedOut
from coursekit.grading.wall.kernel import LimitedKernelManager
from coursekit.grading.wall.limits import PIDFILE_ENV, kill_process_groups
from coursekit.grading.wall.output_budget import CELL_BYTES, NOTEBOOK_BYTES, OutputBudget
from coursekit.grading.wall.remote import KernelUnavailable, StudentCodeError, free_names
from coursekit.i18n_course import CourseLanguage
from coursekit.messages import LANGUAGE_FILE, SOURCE_LANGUAGE, say, speaking
from coursekit.submissions import is_test_cell

metadata_schema.install()  # nbgrader checks its own schema once, not on every cell

HIDDEN_BEGIN, HIDDEN_END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
FATAL = (DeadKernelError, CellTimeoutError, RuntimeError)
INTERRUPT_GRACE = 5  # seconds a student's call gets to stop after an interrupt


def split_hidden(source):
    """``(visible, hidden)`` code of a test cell; marker lines dropped, line numbers kept."""
    visible, hidden, in_hidden = [], [], False
    for line in source.split("\n"):
        if HIDDEN_BEGIN in line:
            in_hidden = True
            line = ""
        elif HIDDEN_END in line:
            in_hidden = False
            line = ""
        (hidden if in_hidden else visible).append(line)
        (visible if in_hidden else hidden).append("")
    return "\n".join(visible), "\n".join(hidden)


def trusted_test_sources(nbgrader_resources):
    """``{grade_id: source}`` of the notebook's test cells, as the gradebook holds them."""
    with Gradebook(nbgrader_resources["db_url"]) as gb:
        notebook = gb.find_notebook(nbgrader_resources["notebook"], nbgrader_resources["assignment"])
        solutions = {cell.name for cell in notebook.solution_cells}
        tests = {cell.name for cell in notebook.grade_cells} - solutions
        return {cell.name: cell.source for cell in notebook.source_cells if cell.name in tests}


def cells_skipped_at_grading(nb, trusted, notebook_name, test_sources):
    """Indices of ``nb``'s cells grading leaves out, as the trusted source notebook marks them."""
    source = trusted.source_dir / f"{notebook_name}.ipynb"
    if source not in trusted.files:
        return set()
    marked = skipping.marked_sources(nbformat.reads(trusted.files[source].decode(), as_version=4))
    sources = [None if cell.cell_type != "code" else
               test_sources.get(cell.metadata.nbgrader.get("grade_id"), cell.source) if is_test_cell(cell)
               else cell.source for cell in nb.cells]
    return skipping.cells_to_skip(sources, marked)


def error_output(ename, evalue, lines):
    return new_output("error", ename=ename, evalue=evalue, traceback=lines)


class CleanRoomExecute(Execute):
    """Execute a submission with test cells judged outside the student's kernel."""

    trusted_root = Unicode(
        "", help="Course folder whose source/<assignment>/ and datasets the grader trusts."
    ).tag(config=True)
    memory_limit_mb = Integer(4096, help="Address-space limit of the student's kernel (MiB).").tag(config=True)
    notebook_time_limit = Integer(
        600, help="Seconds a whole notebook may take, its cells and its tests' calls together; "
                  "what is left after that is not run and scores nothing.").tag(config=True)
    cell_output_bytes = Integer(CELL_BYTES, help="Output a cell keeps (characters); the rest is cut, "
                                                 "and the cell says so.").tag(config=True)
    notebook_output_bytes = Integer(NOTEBOOK_BYTES, help="Output a whole notebook keeps (characters).").tag(
        config=True)
    grading_seed = Integer(
        None, allow_none=True, help="Seed of the hidden tests' inputs (grader.seed); default: a fresh "
                                    "one per grading run, recorded in the autograded notebook.").tag(config=True)
    unsafe_no_sandbox = Bool(
        False, help="Run students' kernels WITHOUT their sandbox: only on a machine where the students' code "
                    "is trusted (see the README's security model).").tag(config=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("kernel_manager_class", LimitedKernelManager)
        super().__init__(**kwargs)
        self.skip_cells_with_tag = f"coursekit-{secrets.token_hex(16)}"  # a submission's tags skip nothing
        self._skipped = set()
        self._deadline, self._cell_timeout = float("inf"), self.timeout  # preprocess() sets them per notebook
        self._budget = OutputBudget(self.cell_output_bytes, self.notebook_output_bytes)
        self._versions, self._serving, self._language = None, (), SOURCE_LANGUAGE  # preprocess() sets them per notebook

    # --- the whole notebook -------------------------------------------------------------
    def preprocess(self, nb, resources, km=None):
        assignment = resources["nbgrader"]["assignment"]
        self._trusted = TrustedFiles.for_course(Path(self.trusted_root), assignment)
        self._test_sources = trusted_test_sources(resources["nbgrader"])
        self._skipped = cells_skipped_at_grading(nb, self._trusted, resources["nbgrader"]["notebook"],
                                                 self._test_sources)
        self._scratch = Path(tempfile.mkdtemp(prefix="coursekit-grade-"))
        self._replay, self._channel = [], None
        self._view = RecordingView(self.request)
        self._diagnoses = NotebookDiagnoses(self._trusted, resources["nbgrader"]["notebook"])
        diagnoser = self._diagnoses.diagnoser
        self._versions = CourseVersions(diagnoser.catalog, diagnoser.builder) if diagnoser else None
        self._serving, self._judged, self._lost = (), set(), set()  # parts whose test cells ran, and failed
        self._timing, self._requests = {"started": time.monotonic(), "cells": {}}, 0
        self._deadline, self._cell_timeout = time.monotonic() + self.notebook_time_limit, self.timeout
        self._budget = OutputBudget(self.cell_output_bytes, self.notebook_output_bytes)
        self._memory = None
        self._language = CourseLanguage(config=self.config).language
        pidfile = os.environ.get(PIDFILE_ENV) or str(self._scratch / "kernel.pids")
        started = prestart.take(self.kernel_name or nb.metadata.get("kernelspec", {}).get("name", "python3")) \
            if km is None else None
        settings = started.environment if started else prestart.kernel_environment(
            self._trusted, self._scratch, self.memory_limit_mb, pidfile)
        if self.unsafe_no_sandbox:
            settings = {**settings, sandbox.UNSAFE_ENV: "1"}
        saved = {name: os.environ.get(name) for name in settings}
        os.environ.update(settings)
        try:
            with seed.grading_run(self.grading_seed) as run_seed, speaking(self._language):
                nb, resources = super().preprocess(nb, resources, started.manager if started else km)
        finally:
            self.timeout = self._cell_timeout
            self._close_channel()
            if started:  # nbclient leaves a kernel it did not start running
                self._stop_kernel()
            kill_process_groups(pidfile)
            restore_environment(saved)
            tampered = self._trusted.restore_if_changed()
            shutil.rmtree(self._scratch, ignore_errors=True)
        first = self._timing.get("first_cell", time.monotonic())
        nb.metadata.setdefault("coursekit", {})["timing"] = {
            "kernel_start": round(first - self._timing["started"], 4),
            "execution": round(time.monotonic() - first, 4), "cells": self._timing["cells"]}
        nb.metadata.coursekit["grading_seed"] = run_seed
        nb.metadata.coursekit["diagnoses"] = self._diagnoses.records
        nb.metadata.coursekit["kernel_memory"] = {"enforced": "per-process limits only"} if self._memory is None \
            else {"enforced": "cgroup: all the kernel's processes and memory folders together", **self._memory}
        if tampered:
            nb.metadata.setdefault("coursekit", {})["tampered"] = tampered
            resources.setdefault("coursekit", {})["tampered"] = tampered
        return nb, resources

    # --- starting the kernel: a kernel that fails to start is started once more ----------
    async def async_start_new_kernel(self, **kwargs):
        try:
            await super().async_start_new_kernel(**kwargs)
        except sandbox.SandboxUnavailable:
            raise
        except Exception as error:
            self.log.warning("The grading kernel did not start (%s); starting it once more", error)
            await super().async_start_new_kernel(**kwargs)

    async def async_start_new_kernel_client(self):
        try:
            return await super().async_start_new_kernel_client()
        except Exception as error:  # nbclient has shut the kernel down
            self.log.warning("The grading kernel did not answer (%s); starting it once more", error)
            self.km = self.km or self.create_kernel_manager()
            await self.async_start_new_kernel()
            return await super().async_start_new_kernel_client()

    start_new_kernel = run_sync(async_start_new_kernel)
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    # --- one cell ---------------------------------------------------------------------
    def _stop_kernel(self):
        with contextlib.suppress(Exception):  # the kernel's processes are killed right after in any case
            self.kc.stop_channels()
            run_sync(self.km.shutdown_kernel)(now=True)
        self.kc = self.km = None

    def _remaining(self):
        """Seconds left of the notebook's time limit."""
        return min(self._deadline - time.monotonic(), 10**9)

    def preprocess_cell(self, cell, resources, index):
        started, requests = time.monotonic(), self._requests
        cell, resources = self._run_cell(cell, resources, index)
        if cell.cell_type == "code" and index not in self._skipped:  # where the time went (bench/grading_profile.py)
            label = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index}"
            self._timing["cells"][label] = [round(time.monotonic() - started, 4), self._requests - requests]
        used = self.km.memory_used() if hasattr(self.km, "memory_used") else None
        self._memory = used or self._memory  # the group's peak so far (it is gone once the kernel is)
        return cell, resources

    def _run_cell(self, cell, resources, index):
        if index in self._skipped:
            return cell, self.resources
        if cell.cell_type == "code" and self._remaining() <= 0:
            cell.outputs = [error_output(
                "NotebookTimeLimit", f"grading stopped after {self.notebook_time_limit} s",
                [f"NotebookTimeLimit: this notebook took longer than {self.notebook_time_limit} s to grade; "
                 "this cell was not run."])]
            return cell, self.resources
        self.timeout = max(1, min(self._cell_timeout or 30, int(self._remaining()) + 1))
        if "first_cell" not in self._timing:
            self._timing["first_cell"] = time.monotonic()
            with contextlib.suppress(*FATAL):  # a kernel that fails here fails the first cell next
                self._prepare_kernel()
        if cell.cell_type == "code" and is_test_cell(cell):
            trusted_source = self._test_sources.get(cell.metadata.nbgrader.get("grade_id"))
            if trusted_source is None:  # never run student code here
                cell.outputs = [error_output("UntrustedTestCell", "this cell is not one of the assignment's tests",
                                             ["UntrustedTestCell: this cell claims to be a test but is not one of "
                                              "the assignment's tests; it was not run."])]
                return cell, self.resources
            cell.outputs = self._judge_test_cell(cell, trusted_source)
            self.code_cells_executed += 1
            cell.execution_count = self.code_cells_executed
            return cell, self.resources
        self._budget.new_cell()
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except FATAL as error:
            self._note_cut_output(cell)
            cell.outputs.append(error_output(
                "KernelLost", str(error),
                [f"KernelLost: this cell stopped the kernel ({error}); it was restarted and the "
                 "cells before it run again, so later cells still count."]))
            self._restart_kernel()
            return cell, self.resources
        self._note_cut_output(cell)
        ran_cleanly = cell.get("execution_count") is not None and not any(
            out.output_type == "error" for out in cell.get("outputs", []))
        if cell.cell_type == "code" and ran_cleanly:
            self._replay.append(cell.source)
        return cell, self.resources

    # --- what a student's cell hands back: bounded, and valid -----------------------------------
    def output(self, outs, msg, display_id, cell_index):
        """nbclient's handling of one output message, within the output budget; invalid outputs dropped."""
        admitted = self._budget.admit(msg)
        if admitted is None:
            return None
        try:
            return super().output(outs, admitted, display_id, cell_index)
        except ValidationError:
            self._budget.cut += 1
            return None

    def _note_cut_output(self, cell):
        """Say in the cell what its output lost; keep its execution count a number, as nbformat wants."""
        if self.kc is not None and hasattr(self.kc, "dropped_messages"):
            self._budget.dropped_messages += self.kc.dropped_messages()
        note = self._budget.note()
        if cell.cell_type == "code":
            count = cell.get("execution_count")
            cell.execution_count = count if isinstance(count, int) and not isinstance(count, bool) else None
            if note:
                cell.outputs.append(new_output("stream", name="stdout", text=note))

    def _prepare_kernel(self):
        """Before any student code: the notebook's folder as working directory, the course's language there
        (whatever ``course_language.txt`` the submission holds or lacks), and the test channel."""
        path = self.resources.get("metadata", {}).get("path")
        cap = (f"__import__('coursekit.grading.inkernel.kernel_side', fromlist=['_'])"
               f".cap_output({self.cell_output_bytes})\n")
        language = (f"try:\n    __import__('pathlib').Path({LANGUAGE_FILE!r}).write_text({self._language!r} + '\\n')\n"
                    "except OSError:\n    pass\n")
        self._open_channel(cap + (f"__import__('os').chdir({str(path)!r})\n" + language if path else ""))

    def _open_channel(self, first=""):
        """Have the kernel answer the grader's requests on a new comm (after running ``first``)."""
        self._close_channel()
        channel = CommChannel(self.km, self.kc)
        try:
            cell = self._run_in_kernel(first + channel.setup_code())
        except BaseException:
            channel.close()
            raise
        errors = [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]
        if errors:
            channel.close()
        else:
            self._channel = channel
        return errors

    def _close_channel(self):
        if self._channel is not None:
            self._channel.close()
            self._channel = None

    def _restart_kernel(self):
        self._close_channel()
        run_sync(self.km.restart_kernel)(now=True)
        run_sync(self.kc.wait_for_ready)(timeout=self.startup_timeout)
        with contextlib.suppress(*FATAL):
            self._prepare_kernel()
        for source in self._replay:
            try:
                self._run_in_kernel(source)
            except FATAL:
                run_sync(self.km.restart_kernel)(now=True)
                run_sync(self.kc.wait_for_ready)(timeout=self.startup_timeout)
                return

    def _run_in_kernel(self, source):
        """Run code in the kernel outside the notebook (nbclient writes the cell back into self.nb)."""
        cell = new_code_cell(source)
        notebook, self.nb = self.nb, new_notebook(cells=[cell], metadata=self.nb.metadata)
        try:
            self.execute_cell(cell, 0, store_history=False)
        finally:
            self.nb = notebook
        return cell

    # --- the student's kernel as seen by a test ---------------------------------------------
    def request(self, payload):
        """Send one request to the kernel-side server; return its answer (a JSON tree).

        A call that runs longer than the cell time limit is interrupted; a kernel that dies or
        ignores the interrupt is restarted (cells that ran cleanly are replayed).
        """
        if self._channel is None:
            try:
                errors = self._open_channel()
            except FATAL as error:
                self._lose_kernel(f"the student's kernel stopped while the test ran ({error})")
            if errors:
                raise KernelUnavailable(f"the student's kernel did not answer the test ({errors[0]})")
        channel, limit = self._channel, max(1, int(min(self._cell_timeout or 30, self._remaining())))
        self._requests += 1
        msg_id = channel.send(payload)
        serve = functools.partial(self._versions.serve, names=self._serving) if self._serving else None
        try:
            return channel.receive(msg_id, limit, serve)
        except NoAnswer:
            self._close_channel()
            raise KernelUnavailable("the student's kernel did not answer the test") from None
        except KernelDied:
            self._lose_kernel("the student's kernel stopped while the test ran")
        except TimedOut:
            run_sync(self.km.interrupt_kernel)()
        try:
            channel.receive(msg_id, INTERRUPT_GRACE)
        except NoAnswer:
            pass
        except (TimedOut, KernelDied):
            self._lose_kernel(f"the student's code ran longer than {limit} s and did not stop when interrupted")
        raise KernelUnavailable(f"the student's code ran longer than {limit} s; it was interrupted")

    def _lose_kernel(self, reason):
        self._restart_kernel()
        raise KernelUnavailable(reason) from None

    def _fetch_names(self, source):
        names = free_names(source)
        return self._view.lookup(names) if names else {}

    # --- running a test cell here ------------------------------------------------------------
    def _judge_test_cell(self, cell, source):
        """Run the gradebook's ``source`` of a test cell here; return the cell's outputs."""
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "test")
        try:
            self._stand_in(self._versions.of_cell(grade_id, self._judged, self._lost) if self._versions else {})
            outputs = self._run_test_cell(grade_id, source)
        finally:
            self._stand_in({})
        if self._versions:  # what the next cells' stand-ins follow
            part = self._versions.catalog.part_of_cell(grade_id)
            self._judged.add(part)
            if any(output.output_type == "error" for output in outputs):
                self._lost.add(part)
        return outputs

    def _stand_in(self, versions):
        """Let the course's versions stand in for ``versions`` in the kernel (``CourseVersions.of_cell``; none:
        the student's values back)."""
        if versions or self._serving:
            self._serving = tuple(versions)
            with contextlib.suppress(KernelUnavailable, StudentCodeError):  # then the test's own request fails
                self.request({"op": "stand_in", "versions": versions})

    def _run_test_cell(self, grade_id, source):
        visible, hidden = split_hidden(source)
        stdout = io.StringIO()
        self._view.start()  # the test's operations on the kernel, for naming a known mistake
        try:
            namespace = {"__name__": "__main__", "__builtins__": builtins, **self._fetch_names(source)}
        except (KernelUnavailable, StudentCodeError) as error:
            return [error_output("KernelUnavailable", str(error), [f"KernelUnavailable: {error}"])]
        except SyntaxError as error:
            return [error_output("SyntaxError", str(error), [f"SyntaxError in the test cell: {error}"])]
        failure = None
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()), \
                warnings.catch_warnings(), self._trusted.in_use(self._scratch / "grader-datasets", source):
            warnings.simplefilter("ignore")
            for part, is_hidden in ((visible, False), (hidden, True)):
                if not part.strip():
                    continue
                filename = f"<{'hidden' if is_hidden else 'test'} {grade_id}>"
                try:
                    exec(compile(part, filename, "exec"), namespace)  # noqa: S102 (instructor's test code)
                except Exception as error:  # any failure of the test is the cell's result
                    failure = self._describe_failure(error, is_hidden, filename)
                    break
        events = self._view.stop()
        if failure is not None and is_hidden:
            self._diagnoses.note(grade_id, events, failure, self._view)
        outputs = [new_output("stream", name="stdout", text=stdout.getvalue())] if stdout.getvalue() else []
        return outputs + ([failure] if failure else [])

    def _describe_failure(self, error, is_hidden, filename):
        if isinstance(error, StudentCodeError):
            ename, evalue = error.ename, error.evalue
            lines = [str(say("grader.student-error", "Your code raised an error while the test called it:")),
                     *error.student_traceback]
        else:
            ename, evalue = type(error).__name__, str(error)
            lines = traceback.format_exception_only(type(error), error)
            if not is_hidden:
                frames = [f for f in traceback.extract_tb(error.__traceback__) if "coursekit/grading" not in f.filename]
                lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames), *lines]
        if is_hidden:
            lines = [str(say("grader.hidden-failed", "A hidden test failed:")),
                     *(line for line in lines if filename not in line)]
        return error_output(ename, evalue, [line.rstrip("\n") for line in lines])

