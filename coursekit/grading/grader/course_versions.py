"""The course's version of the answers a part uses, served to the student's kernel while that part's tests run.

The mistake catalog's ``USES`` says which answers each part calls (``{part: (name, ...)}``). While a test cell of
the part runs, those of them that lost points in their own tests (or whose tests have not run yet) are stand-ins
in the student's kernel (``inkernel.stand_ins``): a call of a function, or of a class or one of its objects'
methods, reaches ``CourseVersions.serve`` here, which runs the instructor's solution (the source notebook's
definitions, built in this process) on the plain data sent and answers with plain data. So a mistake in an answer
costs its own points only, and code that only calls a broken answer gains nothing; an answer that passed all its
tests keeps running as the student wrote it (the hidden tests accept results computed with it). A function the
kernel passes to the course's code (``f`` of a3's ``numerical_gradient(f, x)``) stays in the kernel: the course's
code calls it back there (``KernelFunction``). A class whose objects hold other objects cannot stand in: those
parts keep ``checks.excused_by``.
"""

import ast
import contextlib
import functools
import signal
import threading

from coursekit.checks import method_names
from coursekit.grading.grader.diagnosis import quietly
from coursekit.grading.inkernel import wire


class TookTooLong(Exception):
    """The course's version ran past the time the test had left (arguments the student's code chose)."""


class CourseVersions:
    """The solution's functions and classes that stand in for a notebook's answers (``builder``: a
    ``VariantBuilder`` of the source notebook), and the catalog that says which part uses which."""

    def __init__(self, catalog, builder):
        self.catalog, self.builder, self._namespace = catalog, builder, None
        self.part_defining = {name: answer.removeprefix("answer_") for answer, code in builder.cells if answer
                              for name in defined_names(code)}

    def solution(self):
        """The source notebook's definitions (built on first use)."""
        if self._namespace is None:
            with quietly():
                self._namespace = self.builder.namespace()
        return self._namespace

    def of_cell(self, grade_id, judged=(), lost=()):
        """``{name: None for a function, or the class's public method names}`` of the answers the course's version
        stands in for while the test cell ``grade_id`` runs: those its part uses whose part lost points in a test
        cell (``lost``), uses such an answer (its own tests may have passed only with the course's version), or has
        had none judged yet (``judged``)."""
        doubtful = self.doubtful(judged, lost)
        names = [name for name in self.catalog.uses.get(self.catalog.part_of_cell(grade_id), ())
                 if self.part_defining.get(name) in doubtful or self.part_defining.get(name) not in judged]
        return {name: public_methods(self.solution()[name]) if isinstance(self.solution().get(name), type) else None
                for name in names}

    def doubtful(self, judged, lost):
        """The parts that lost points, and the parts using (directly or not) an answer of one of those or of a part
        not judged yet."""
        doubtful, grown = set(lost), True
        while grown:
            grown = False
            for part, names in self.catalog.uses.items():
                if part not in doubtful and any(self.part_defining.get(name) in doubtful
                                                or self.part_defining.get(name) not in judged for name in names):
                    doubtful.add(part)
                    grown = True
        return doubtful

    def serve(self, request, seconds, call_kernel=None, names=()):
        """The answer to a stand-in's ``request`` for one of ``names``: ``{"result", "attributes"}`` (trees) or
        ``{"error": text}``. ``request``: ``{"course_version": name, "arguments": [args, kwargs]}``, with
        ``"method"`` and the object's ``"attributes"`` for a method of an object of a class. A function among the
        arguments is a ``KernelFunction`` calling back through ``call_kernel(call) -> answer``."""
        numbers = {}  # id of an array, list or dict the kernel sent -> its number there

        def remember(number, value):
            numbers[id(value)] = number
            return value

        def decode(tree):
            make_ref = (lambda body: KernelFunction(body[0], call_kernel)) if call_kernel is not None else None
            return wire.decode(tree, make_ref=make_ref, make_shared=remember)

        try:
            name, method = request["course_version"], request.get("method")
            version = self.solution().get(name)
            if name not in names or version is None:
                return {"error": f"the course's version of {name!r} does not stand in now"}
            if method is not None and (not isinstance(version, type) or method not in public_methods(version)):
                return {"error": f"the course's {name} has no method {method!r}"}
            args, kwargs = decode(request["arguments"])
            attributes = decode(request["attributes"]) if method is not None else None
            if not (isinstance(args, list) and by_name(kwargs) and (method is None or by_name(attributes))):
                raise ValueError("malformed arguments")
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return {"error": "the grader could not read that call"}
        try:
            with quietly(), time_limit(seconds):
                result, state = run(version, method, args, kwargs, attributes)
        except Exception as error:  # noqa: BLE001 (the arguments the student's code sent may break it)
            return {"error": f"the course's {name} raised {type(error).__name__}: {wire.safe_str(error, 300)}"}

        def given(value):  # what the kernel sent comes back as its own value, holding what the course's code left
            return {"shared": [numbers[id(value)], wire.encode(value)]} if id(value) in numbers else None

        answer = {"result": wire.encode(result, refer=given)}
        if state is not None:
            answer["attributes"] = wire.encode(state, refer=given)
        return answer


class StudentFunctionError(Exception):
    """A function the student's kernel gave the course's code raised; the message is its error."""


class KernelFunction:
    """A function the student's kernel gave the course's code (``f`` of ``numerical_gradient(f, x)``): a call runs
    it there, on plain data."""

    def __init__(self, number, call_kernel):
        if not isinstance(number, int):
            raise ValueError("malformed reference")
        self.number, self.call_kernel = number, call_kernel

    def __call__(self, *args, **kwargs):
        answer = self.call_kernel({"ref": self.number, "arguments": wire.encode([list(args), kwargs])})
        if "raised" in answer:
            raise StudentFunctionError(wire.safe_str(answer["raised"], 300))
        return wire.decode(answer["returned"])


def run(version, method, args, kwargs, attributes):
    """``(result, the object's attributes after or None)`` of a call of the course's function, class or method."""
    if method is not None:
        instance = object.__new__(version)
        vars(instance).update(attributes)
        return getattr(instance, method)(*args, **kwargs), vars(instance)
    if isinstance(version, type):
        return None, vars(version(*args, **kwargs))
    return version(*args, **kwargs), None


@functools.lru_cache(maxsize=256)  # the same answer cells, parsed once per process rather than per submission
def defined_names(code):
    """The functions and classes an answer cell defines at its top level."""
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return ()
    return tuple(node.name for node in body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))


def by_name(value):
    """Whether ``value`` is a dict keyed by strings (keyword arguments, an object's attributes)."""
    return isinstance(value, dict) and all(isinstance(key, str) for key in value)


def public_methods(cls):
    return [name for name in method_names(cls) if not name.startswith("_")]


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
