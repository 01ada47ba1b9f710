"""Runs inside the student's kernel at grading time: the course's versions of answers, standing in for the
student's while the tests of a part that uses them run (the grader's ``course_versions`` says which).

No course code comes here. A stand-in function sends its arguments to the grader, which runs the course's
function and answers with the result; a function among the arguments (``f`` of ``numerical_gradient(f, x)``)
stays here, and the grader asks for each call the course's code makes of it before it answers. A stand-in class
makes objects whose attributes live here, as the course's object would keep them; each method call sends the
object's attributes and the arguments, the grader runs the course's method on them and answers with the result
and the attributes after. Arrays, lists and dicts sent are numbered: what the grader hands back under a number is
the kernel's own value, changed in place as the course's code changed it (a layer keeps the very weight array a
network gave it). Plain data both ways.
"""

import numpy as np
from IPython import get_ipython

from coursekit.grading.inkernel import wire

GRADER = {}  # "ident": the grader's routing identity; "request": the grader's message being answered now
STOOD_IN = {}  # name -> the student's value (or MISSING) while the course's version stands in for it
MISSING = object()


def ask_grader(request, args, kwargs, attributes=None):
    """The grader's answer to a call of the course's code: ``{"result", "attributes"}``, decoded."""
    if GRADER.get("request") is None:
        raise RuntimeError(f"the course's {request['course_version']} answers only while a test runs")
    given, functions = [], []  # what was sent: arrays, lists and dicts; functions and other objects

    def share(value):
        given.append(value)
        return len(given) - 1

    def keep(value):
        functions.append(value)
        return {"ref": [len(functions) - 1, type(value).__name__, None, []]}

    request = {**request, "arguments": wire.encode([list(args), kwargs], share=share, keep=keep)}
    if attributes is not None:
        request["attributes"] = wire.encode(attributes, share=share)
    answer = wire.loads(ask(wire.dumps(request)))
    while isinstance(answer, dict) and "call" in answer:  # the course's code calls a function it was given
        answer = wire.loads(ask(wire.dumps(call_back(functions, answer["call"]))))
    if not isinstance(answer, dict) or "error" in answer or "result" not in answer:
        raise RuntimeError(str(answer.get("error") if isinstance(answer, dict) else "the grader did not answer"))
    own = lambda number, value: kept(given, number, value)  # noqa: E731
    return {key: wire.decode(tree, make_shared=own) for key, tree in answer.items() if key in ("result", "attributes")}


def call_back(functions, call):
    """Run one of ``functions`` as the course's code asks (``{"ref": number, "arguments": [args, kwargs]}``):
    ``{"returned": tree}``, or ``{"raised": text}`` when it raises."""
    try:
        args, kwargs = wire.decode(call["arguments"])
        return {"returned": wire.encode(functions[call["ref"]](*args, **kwargs))}
    except Exception as error:  # noqa: BLE001 (the student's function may raise anything; the course's code hears it)
        return {"raised": f"{type(error).__name__}: {wire.safe_str(error, 300)}"}


def ask(text):
    """Send ``text`` to the grader on the kernel's stdin channel, as ``input()`` would, and wait for its answer (an
    interrupt stops the wait). Unlike ``input()``, the streams are not flushed first: a thread round trip each."""
    kernel = get_ipython().kernel
    socket = kernel.stdin_socket
    while socket.poll(0):  # a stale answer, left by a call an interrupt stopped
        socket.recv_multipart()
    kernel.session.send(socket, "input_request", {"prompt": text, "password": False}, GRADER["request"],
                        ident=[GRADER["ident"]])
    while True:
        if socket.poll(10):
            _, reply = kernel.session.recv(socket)
            if reply is not None:
                return reply["content"]["value"]


def kept(given, number, value):
    """The kernel's value the grader numbered ``number``, made to hold ``value`` (else ``value`` itself)."""
    original = given[number] if isinstance(number, int) and 0 <= number < len(given) else None
    if isinstance(original, np.ndarray) and isinstance(value, np.ndarray) and original.shape == value.shape \
            and original.dtype == value.dtype and original.flags.writeable:
        if not np.array_equal(original, value, equal_nan=original.dtype.kind in "fc"):
            np.copyto(original, value)
        return original
    if isinstance(original, list) and isinstance(value, list):
        original[:] = value
        return original
    if isinstance(original, dict) and isinstance(value, dict):
        original.clear()
        original.update(value)
        return original
    return value


class CourseFunction:
    """The course's version of a function: each call is answered by the grader."""

    def __init__(self, name):
        self.__name__ = self.__qualname__ = name

    def __call__(self, *args, **kwargs):
        return ask_grader({"course_version": self.__name__}, args, kwargs)["result"]

    def __repr__(self):
        return f"<the course's {self.__name__}>"


class CourseObject:
    """An object of the course's version of a class: its attributes live here, its methods run in the grader."""

    _course_name = None

    def __init__(self, *args, **kwargs):
        self.__dict__.update(ask_grader({"course_version": self._course_name}, args, kwargs)["attributes"])


def course_method(class_name, method):
    def run(self, *args, **kwargs):
        answer = ask_grader({"course_version": class_name, "method": method}, args, kwargs, dict(self.__dict__))
        self.__dict__.update(answer["attributes"])
        return answer["result"]

    run.__name__ = run.__qualname__ = method
    return run


def course_class(name, methods):
    """The course's version of the class ``name`` with the given public methods."""
    return type(name, (CourseObject,), {"_course_name": name, **{m: course_method(name, m) for m in methods}})


def stand_in(namespace, versions):
    """Put the student's values back into ``namespace``, then let the course's versions stand in for ``versions``
    (``{name: None for a function, or the class's method names}``)."""
    for name, value in STOOD_IN.items():
        if value is MISSING:
            namespace.pop(name, None)
        else:
            namespace[name] = value
    STOOD_IN.clear()
    for name, methods in versions.items():
        STOOD_IN[name] = namespace.get(name, MISSING)
        namespace[name] = CourseFunction(name) if methods is None else course_class(name, methods)
