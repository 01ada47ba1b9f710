"""The course's version of the answers a part uses, served to the student's kernel while that part's tests run.

The mistake catalog's ``USES`` says which answers each part calls (``{part: (name, ...)}``). While a test cell of
the part runs, those names in the student's kernel are ``kernel_side.CourseVersion`` stand-ins: a call reaches
``CourseVersions.serve`` here, which runs the instructor's solution (the source notebook's definitions, built in
this process) on the plain data sent and answers with plain data. So a mistake in an answer costs its own points
only, and code that only calls a broken answer gains nothing. Functions of plain data can stand in; classes and
functions given functions cannot (those parts keep ``checks.excused_by``).
"""

import contextlib
import signal
import threading

from coursekit.grading.grader.diagnosis import quietly
from coursekit.grading.inkernel import wire


class TookTooLong(Exception):
    """The course's version ran past the time the test had left (arguments the student's code chose)."""


class CourseVersions:
    """The solution's functions that stand in for a notebook's answers (``builder``: a ``VariantBuilder`` of the
    source notebook), and the catalog that says which part uses which."""

    def __init__(self, catalog, builder):
        self.catalog, self.builder, self._namespace = catalog, builder, None

    def of_cell(self, grade_id):
        """The names the course's version stands in for while the test cell ``grade_id`` runs."""
        return self.catalog.uses.get(self.catalog.part_of_cell(grade_id), ())

    def solution(self):
        """The source notebook's definitions (built on first use)."""
        if self._namespace is None:
            with quietly():
                self._namespace = self.builder.namespace()
        return self._namespace

    def serve(self, request, seconds, names=()):
        """The answer to a stand-in's ``request`` (``{"course_version": name, "arguments": [args, kwargs]}``),
        for ``names`` only: ``{"result": tree}`` or ``{"error": text}``."""
        try:
            name = request["course_version"]
            if name not in names or not callable(self.solution().get(name)):
                return {"error": f"the course's version of {name!r} does not stand in now"}
            args, kwargs = wire.decode(request["arguments"])
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise ValueError("malformed arguments")
        except (ValueError, TypeError, KeyError, RecursionError):
            return {"error": "the grader could not read that call"}
        try:
            with quietly(), time_limit(seconds):
                result = self.solution()[name](*args, **kwargs)
        except Exception as error:  # noqa: BLE001 (the arguments the student's code sent may break it)
            return {"error": f"the course's {name} raised {type(error).__name__}: {wire.safe_str(error, 300)}"}
        return {"result": wire.encode(result)}


@contextlib.contextmanager
def time_limit(seconds):
    """Raise TookTooLong in the block after ``seconds`` (where signals can be set: the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(*_):
        raise TookTooLong(f"no answer within the {seconds:.0f} s the test had left")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.01))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
