"""How much output a student's notebook may hand the grader: per message, per cell and per notebook.

Limits apply while messages arrive, before anything accumulates in the grader's memory:

- the grader's IOPub socket (``LimitedKernelClient``) refuses any single message larger than
  ``MAX_MESSAGE_BYTES`` (one long line included): ZeroMQ drops it unread and reconnects;
- of the messages that arrive, a cell keeps at most ``cell_bytes`` of output and a notebook
  ``notebook_bytes``; a stream is cut at the limit, later outputs are dropped.

What was cut is said in the cell's output (and so in the feedback).
"""

import json

MAX_MESSAGE_BYTES = 8 * 2**20
CELL_BYTES = 2 * 2**20
NOTEBOOK_BYTES = 16 * 2**20


def content_size(msg_type, content):
    """Characters an output message adds to the notebook."""
    if msg_type == "stream":
        return len(str(content.get("text", "")))
    if msg_type == "error":
        return sum(len(str(line)) for line in content.get("traceback", [])) + len(str(content.get("evalue", "")))
    return len(json.dumps(content.get("data", {}), default=str))


def in_mib(size):
    return f"{size / 2**20:g} MiB"


class OutputBudget:
    """Output room left for the current cell and the whole notebook, and what was cut."""

    def __init__(self, cell_bytes=CELL_BYTES, notebook_bytes=NOTEBOOK_BYTES):
        self.cell_bytes, self.notebook_bytes = cell_bytes, notebook_bytes
        self.notebook_room = notebook_bytes
        self.new_cell()

    def new_cell(self):
        self.cell_room, self.cut, self.dropped_messages = self.cell_bytes, 0, 0

    def admit(self, msg):
        """``msg`` as the notebook may keep it (a stream cut to the room left), or None to drop it."""
        content = msg.get("content", {})
        size = content_size(msg["msg_type"], content)
        room = min(self.cell_room, self.notebook_room)
        kept = min(size, room) if msg["msg_type"] == "stream" else (size if size <= room else 0)
        self.cell_room -= kept
        self.notebook_room -= kept
        self.cut += size - kept
        if kept == size:
            return msg
        if kept == 0:
            return None
        return {**msg, "content": {**content, "text": str(content.get("text", ""))[:kept]}}

    def note(self):
        """A line saying what this cell lost, or None when nothing was cut."""
        if not self.cut and not self.dropped_messages:
            return None
        parts = []
        if self.cut:
            parts.append(f"{self.cut:,} characters of this cell's output were cut (a cell keeps at most "
                         f"{in_mib(self.cell_bytes)} of output, a notebook {in_mib(self.notebook_bytes)})")
        if self.dropped_messages:
            parts.append(f"{self.dropped_messages} output message(s) larger than {in_mib(MAX_MESSAGE_BYTES)} "
                         "were dropped unread")
        return "\n[grader: " + "; ".join(parts) + ".]\n"
