"""The kernel manager of grading kernels: every kernel starts in its sandbox, under the limits wrapper.

The kernel runs in ``coursekit.grading.wall.sandbox`` (bubblewrap) with its Jupyter channels on Unix
sockets in a private folder (``ipc`` transport: the kernel has no network). Where the sandbox
cannot run, starting a kernel raises SandboxUnavailable, unless the instructor opted out
explicitly (``COURSEKIT_UNSAFE_NO_SANDBOX=1``, set by ``CleanRoomExecute.unsafe_no_sandbox``
or ``course-grade --unsafe-no-sandbox``).
"""

import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import Type, Unicode, default

from coursekit.grading.wall import sandbox
from coursekit.grading.wall.cgroup import KernelGroup
from coursekit.grading.wall.limits import MEMORY_ENV
from coursekit.grading.wall.output_budget import MAX_MESSAGE_BYTES

# IOPub topics of what a notebook shows (ipykernel's); comm messages (``comm-<id>``: the answers to the
# tests' calls, which can be large arrays) are left to the grader's own channel (coursekit.grading.wall.channel).
NOTEBOOK_TOPICS = (b"kernel.", b"stream.", b"execute_result", b"display_data", b"update_display_data",
                   b"clear_output", b"<IDS|")  # the last: messages sent without a topic (execute_result)


class LimitedKernelClient(AsyncKernelClient):
    """A client whose sockets refuse any message over MAX_MESSAGE_BYTES: ZeroMQ drops it unread.
    Its IOPub socket receives only what a notebook shows (NOTEBOOK_TOPICS)."""

    _iopub_monitor = None

    @default("context")
    def _context_default(self):
        self._created_context = True
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
        return context

    def start_channels(self, *args, **kwargs):
        super().start_channels(*args, **kwargs)
        if self._iopub_monitor is None and self._iopub_channel is not None:
            self.iopub_channel.socket.setsockopt(zmq.UNSUBSCRIBE, b"")
            for topic in NOTEBOOK_TOPICS:
                self.iopub_channel.socket.setsockopt(zmq.SUBSCRIBE, topic)
            monitor = self.iopub_channel.socket.get_monitor_socket(zmq.EVENT_DISCONNECTED)
            self._iopub_monitor = zmq.Socket.shadow(monitor.underlying), monitor

    def dropped_messages(self):
        """How often IOPub dropped its connection since the last call (an oversized message each time)."""
        if self._iopub_monitor is None:
            return 0
        events = 0
        while self._iopub_monitor[0].poll(0):
            self._iopub_monitor[0].recv_multipart()
            events += 1
        return events


class LimitedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels start sandboxed, through the limits wrapper (limits, pid record)."""

    client_factory = Type(LimitedKernelClient)
    files_from = Unicode("", help="Folder whose files the kernel's working folder starts with "
                                  "(default: the folder the kernel is started in).").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._run_dir = None
        self._sandboxed = not sandbox.unsafe_requested()
        self._group = None

    def memory_group(self):
        """The kernel's memory and pids groups (made on first use, kept across restarts), or None
        where the machine has none to give: then only the per-process limits hold."""
        memory_mb = int(os.environ.get(MEMORY_ENV, "0"))
        if self._group is None and memory_mb > 0:
            self._group = KernelGroup.create(memory_mb * 2**20, sandbox.SandboxLimits.processes)
        return self._group

    def memory_used(self):
        """``{"limit_mib", "peak_mib"}`` of the kernel's memory group so far (all its processes and
        memory files), or None without a group."""
        if self._group is None:
            return None
        return {"limit_mib": self._group.limit_bytes() // 2**20, "peak_mib": self._group.peak_bytes() // 2**20}

    async def _async_pre_start_kernel(self, **kw):
        if self._sandboxed:
            sandbox.require()
            if self._run_dir is None:
                self._run_dir = Path(tempfile.mkdtemp(prefix="coursekit-kernel-"))
                self.transport, self.ip = "ipc", str(self._run_dir / "kernel")
                self.connection_file = str(self._run_dir / "kernel.json")
            self._folder = Path(os.path.abspath(kw.get("cwd") or os.getcwd()))
        return await super()._async_pre_start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if self._sandboxed:
            data = os.environ.get(sandbox.DATA_ENV)
            files = sandbox.stage(Path(self.files_from or self._folder).resolve(), self._run_dir / "files",
                                  os.environ.get(sandbox.COURSE_FILES_ENV))
            layout = sandbox.Layout(self._folder, files, self._run_dir, Path(data).resolve() if data else None)
            uid = sandbox.kernel_uid()
            sandbox.hand_over(self._run_dir, uid, layout.data_dir)
            environment = {**os.environ, **(self.kernel_spec.env if self.kernel_spec else {})}
            cmd = sandbox.command(layout, cmd, environment, uid)
        group = self.memory_group()
        joined = [arg for path in (group.paths if group else []) for arg in ("--cgroup", path)]
        return [sys.executable, "-m", "coursekit.grading.wall.limits", *joined, "--", *cmd]

    async def _async_post_start_kernel(self, **kw):
        if self._sandboxed and os.geteuid() == 0:
            await self._seal_when_listening()
        await super()._async_post_start_kernel(**kw)

    async def _seal_when_listening(self, timeout=60):
        """Wait until the kernel has made its sockets (before any code is sent to it), then seal its run folder."""
        sockets = sandbox.socket_paths(self.get_connection_info())
        deadline = time.monotonic() + timeout
        while not all(os.path.exists(path) for path in sockets):
            if time.monotonic() > deadline or not await self._async_is_alive():
                return  # a kernel that never listens fails its start, and is killed with its folder
            await asyncio.sleep(0.01)
        sandbox.seal(self._run_dir, self.get_connection_info())

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        if not restart and self._run_dir is not None:
            shutil.rmtree(self._run_dir, ignore_errors=True)
            self._run_dir = None
        if not restart and self._group is not None:
            self._group.remove()
            self._group = None
