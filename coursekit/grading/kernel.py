"""The kernel manager of grading kernels: every kernel starts under coursekit.grading.limits."""

import sys

from jupyter_client.manager import AsyncKernelManager


class LimitedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels start through the limits wrapper (memory cap, pid record)."""

    def format_kernel_cmd(self, extra_arguments=None):
        return [sys.executable, "-m", "coursekit.grading.limits", "--"] + super().format_kernel_cmd(extra_arguments)
