"""Requests to the student's kernel over a Jupyter comm: one shell message out, one IOPub message back.

The comm rides on the kernel's own Jupyter channels (its shell and IOPub addresses, whatever
the transport: tcp or ipc), and ipykernel handles comm messages on the kernel's main thread,
as it does code: an interrupt stops a student's call that runs too long. The grader's end uses
two plain blocking ZeroMQ sockets of its own on those channels, its IOPub socket subscribed
only to this comm's messages and the kernel's status: a request costs about a millisecond,
where running code for it (an ``execute_request``) cost about ten.

While the kernel answers, the student's code may call the course's version of an answer another part uses
(``inkernel.stand_ins``): it asks on the kernel's stdin channel, as ``input()`` does, and ``receive``
answers with ``serve`` (the grader's ``course_versions``) before it goes on waiting.

Every request adds three IOPub messages (busy, answer, idle) that nbclient's own IOPub socket
receives too; ZeroMQ drops messages beyond a queue of 1000, so both queues are emptied as
requests go (stale messages only: nbclient runs no cell while a test makes requests).
"""

import json
import time
import uuid

import zmq
from jupyter_client import BlockingKernelClient
from jupyter_core.utils import run_sync

MAX_ANSWER_BYTES = 256 * 2**20  # an answer from the kernel larger than this never reaches the grader's memory


class NoAnswer(Exception):
    """The kernel went idle without answering (its side of the comm is gone)."""


class TimedOut(Exception):
    """No answer within the time limit."""


class KernelDied(Exception):
    """The kernel process ended while a request was pending."""


class CommChannel:
    """The grader's end of the comm that ``kernel_side.listen`` opens in the kernel."""

    def __init__(self, kernel_manager, notebook_client):
        self.comm_id = uuid.uuid4().hex
        self.kernel_manager = kernel_manager
        client = BlockingKernelClient()
        client.load_connection_info(kernel_manager.get_connection_info())
        self.session = client.session
        self.ident = uuid.uuid4().hex.encode()  # the kernel sends its stdin requests to the sender of the shell request
        self.shell = client.connect_shell(identity=self.ident)
        self.stdin = zmq.Context.instance().socket(zmq.DEALER)
        self.stdin.setsockopt(zmq.IDENTITY, self.ident)
        self.stdin.setsockopt(zmq.MAXMSGSIZE, MAX_ANSWER_BYTES)
        self.stdin.connect(client._make_url("stdin"))
        self.iopub = zmq.Context.instance().socket(zmq.SUB)
        self.iopub.setsockopt(zmq.RCVHWM, 0)
        for topic in (f"comm-{self.comm_id}".encode(), b"kernel."):  # the answers, and status messages
            self.iopub.setsockopt(zmq.SUBSCRIBE, topic)
        self.iopub.setsockopt(zmq.MAXMSGSIZE, MAX_ANSWER_BYTES)  # a larger answer is dropped, never read whole
        self.iopub.connect(client._make_url("iopub"))
        self.notebook_iopub = zmq.Socket.shadow(notebook_client.iopub_channel.socket.underlying)

    def setup_code(self):
        """Code to run in the kernel (once per kernel) so that it answers on this comm."""
        return (f"__import__('coursekit.grading.inkernel.kernel_side', fromlist=['listen'])"
                f".listen({self.comm_id!r}, {self.ident.hex()!r})")

    def send(self, payload):
        drain(self.iopub)
        message = self.session.send(self.shell, "comm_msg", {"comm_id": self.comm_id, "data": payload})
        return message["header"]["msg_id"]

    def receive(self, msg_id, timeout, serve=None):
        """The data of the kernel's answer to ``msg_id``; raises TimedOut, NoAnswer or KernelDied.

        ``serve(request, seconds, call_kernel)`` answers what the kernel asks meanwhile (plain data both ways)."""
        deadline = time.monotonic() + timeout
        poller = zmq.Poller()
        poller.register(self.iopub, zmq.POLLIN)
        poller.register(self.stdin, zmq.POLLIN)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimedOut
            ready = dict(poller.poll(int(1000 * min(remaining, 1.0))))
            if self.stdin in ready:
                self._answer_stdin(serve, deadline)
            if self.iopub not in ready:
                if not ready and not run_sync(self.kernel_manager.is_alive)():
                    raise KernelDied
                continue
            msg_type, content = self._read(msg_id)
            if msg_type == "comm_msg":
                drain(self.notebook_iopub)
                return content.get("data")
            if msg_type == "status" and content.get("execution_state") == "idle":
                raise NoAnswer

    def _read(self, msg_id):
        """``(msg_type, content)`` of the next IOPub message if it answers ``msg_id``, else ``(None, None)``.

        Only the frames needed are decoded (JSON); the signature is not checked, as the kernel
        holds the key anyway: what it sends is a claim, judged as data.
        """
        try:
            _, frames = self.session.feed_identities(self.iopub.recv_multipart())
            if self.session.unpack(frames[2]).get("msg_id") != msg_id:  # parent header
                return None, None
            content = self.session.unpack(frames[4])
            return self.session.unpack(frames[1]).get("msg_type"), content if isinstance(content, dict) else {}
        except (ValueError, TypeError, IndexError, AttributeError):  # not a Jupyter message
            return None, None

    def _answer_stdin(self, serve, deadline):
        """Answer one request the kernel sent on its stdin channel."""
        message, request = self._read_stdin()
        if message is not None:
            self._respond(message, request, serve, deadline)

    def _read_stdin(self):
        """``(message, request)`` of the next message on the stdin channel, or ``(None, None)``."""
        try:
            _, message = self.session.recv(self.stdin, zmq.NOBLOCK)
            return message, json.loads(message["content"]["prompt"])
        except (ValueError, TypeError, KeyError, IndexError, zmq.ZMQError):  # not a request from our kernel side
            return None, None

    def _respond(self, message, request, serve, deadline):
        """Reply to the kernel's ``request`` with ``serve(request, seconds, call_kernel)``, or an error. Meanwhile
        the course's code may call a function the kernel sent (``call_kernel``): a reply asking for the call, then a
        request back with what the function returned, which may itself first ask for the course's code."""
        pending = [message]  # the kernel's request the next reply answers

        def call_kernel(call):
            self._reply(pending[0], {"call": call})
            while True:
                if not self.stdin.poll(max(0, int(1000 * (deadline - time.monotonic())))):
                    raise TimedOut
                returned_message, returned = self._read_stdin()
                if returned_message is None:
                    continue
                if isinstance(returned, dict) and ("returned" in returned or "raised" in returned):
                    pending[0] = returned_message
                    return returned
                self._respond(returned_message, returned, serve, deadline)

        answer = serve(request, deadline - time.monotonic(), call_kernel) if serve is not None else \
            {"error": "nothing answers the kernel's requests now"}
        self._reply(pending[0], answer)

    def _reply(self, message, answer):
        self.session.send(self.stdin, "input_reply", {"value": json.dumps(answer)}, parent=message)

    def close(self):
        self.shell.close(linger=0)
        self.stdin.close(linger=0)
        self.iopub.close(linger=0)


def drain(socket):
    """Drop every message waiting on ``socket``."""
    while True:
        try:
            socket.recv_multipart(zmq.NOBLOCK)
        except zmq.Again:
            return
