"""Runs inside the student's kernel at grading time: answers the grader's requests.

Values that are not plain data (functions, classes, objects) stay here under a number, and
the grader refers to them by it. Whatever this module sends back is only the student's
claim: the grader decodes it as plain data and judges it with its own, untouched code.

While a part's tests run, the answers that part uses may be stood in for by the course's version
(``stand_ins``): the student's code calling one asks the grader, which runs the course's code on its side.
"""

import traceback

import numpy as np
from IPython import get_ipython

from coursekit.checks import method_names
from coursekit.grading.inkernel import stand_ins, wire

HANDLES = {}  # number -> value the grader refers to
NUMBERS = {}  # id(value) -> number, so one value keeps one number


def user_namespace():
    return get_ipython().user_ns


def keep(value):
    """A reference tree for ``value``, which stays here: number, class name, name, method names."""
    number = NUMBERS.get(id(value))
    if number is None:
        number = len(HANDLES)
        HANDLES[number], NUMBERS[id(value)] = value, number
    try:
        name = getattr(value, "__name__", None) if callable(value) else None
    except Exception:  # a student's __getattr__ may raise anything
        name = None
    return {"ref": [number, type.__dict__["__name__"].__get__(type(value)),
                    name if isinstance(name, str) else None, method_names(value)]}


def share(value):
    """The number of an array, list or dict read from an object (so assignments can reach it)."""
    return keep(value)["ref"][0]


def send(value, shared=False, fresh=None, same=None):
    return wire.encode(value, keep=keep, share=share if shared else None, fresh=fresh, same=same)


def containers(value, found, depth=0):
    """Append the arrays, lists and dicts reachable from ``value`` to ``found``."""
    if isinstance(value, (np.ndarray, list, dict)):
        found.append(value)
    if isinstance(value, (tuple, list, dict)) and depth < wire.MAX_DEPTH:
        for item in value.values() if isinstance(value, dict) else value:
            containers(item, found, depth + 1)
    return found


def receive(tree):
    return wire.decode(tree, make_ref=HANDLES.__getitem__)


def student_error(error):
    lines = traceback.format_exception(type(error), error, error.__traceback__)
    return {"error": {"ename": type(error).__name__, "evalue": wire.safe_str(error),
                      "traceback": [line for line in lines if __file__ not in line]}}


def lookup(names, namespace):
    """The names a test cell reads: a new cell starts with no references."""
    HANDLES.clear()
    NUMBERS.clear()
    values = {}
    for name in names:
        if name not in namespace:
            values[name] = {"missing": True}
            continue
        values[name] = tree = send(namespace[name])
        if isinstance(tree, dict) and "ref" in tree:
            tree["ref"][2] = name
    return {"values": values}


def call(request):
    args, kwargs = receive(request["args"]), receive(request["kwargs"])
    target = HANDLES[request["ref"]]
    if "method" in request:
        target = getattr(target, request["method"])
    given = containers((args, kwargs), [])  # kept alive, so their ids stay theirs
    known = {id(item) for item in given}
    before = {id(item): state(item) for item in given if isinstance(item, np.ndarray)}
    result = target(*args, **kwargs)
    replaced = lambda item: id(item) not in known  # noqa: E731
    unchanged = lambda array: before.get(id(array)) == state(array)  # noqa: E731
    return {"result": send(result), "args_after": send(args, fresh=replaced, same=unchanged),
            "kwargs_after": send(kwargs, fresh=replaced, same=unchanged)}


def state(array):
    return array.dtype, array.shape, array.tobytes()


def get_attribute(request):
    return {"result": send(getattr(HANDLES[request["ref"]], request["name"]), shared=True)}


def set_attribute(request):
    setattr(HANDLES[request["ref"]], request["name"], receive(request["value"]))
    return {}


def set_item(request):
    HANDLES[request["ref"]][receive(request["key"])] = receive(request["value"])
    return {}


def stand_in(request):
    stand_ins.stand_in(user_namespace(), request["versions"])
    return {}


OPERATIONS = {"call": call, "getattr": get_attribute, "setattr": set_attribute, "setitem": set_item,
              "stand_in": stand_in}


def answer(request):
    """The response to one request (a dict); the student's errors are reported, not raised."""
    if request["op"] == "lookup":
        return lookup(request["names"], user_namespace())
    try:
        return OPERATIONS[request["op"]](request)
    except BaseException as error:  # the student's error is reported, not raised here
        return student_error(error)


def listen(comm_id, grader_ident):
    """Answer each request arriving on comm ``comm_id`` with one message on the same comm; the course's versions
    ask the grader (routing identity ``grader_ident``, hex) on the kernel's stdin channel, as ``input()`` does."""
    from comm import create_comm, get_comm_manager

    stand_ins.GRADER["ident"] = bytes.fromhex(grader_ident)
    channel = create_comm(comm_id=comm_id, primary=False, target_name="coursekit.grading")
    get_comm_manager().register_comm(channel)

    def on_request(message):
        stand_ins.GRADER["request"] = message
        try:
            channel.send(answer(message["content"]["data"]))
        finally:
            stand_ins.GRADER["request"] = None

    channel.on_msg(on_request)


def cap_output(limit):
    """Keep at most ``limit`` characters of what each cell writes to stdout and stderr, and say how much
    was cut; a flood then never grows the kernel's output buffer (the grader bounds output in any case).

    IPython swaps each stream's ``write`` around every cell (to keep output history), so the cap is
    put back before each cell.
    """
    import sys

    state = {"left": limit, "cut": 0}

    def capped(original):
        def write(text):
            if not isinstance(text, str):
                return original(text)
            kept = text[:max(state["left"], 0)]
            state["left"] -= len(kept)
            state["cut"] += len(text) - len(kept)
            if kept:
                original(kept)
            return len(text)
        write.uncapped = original
        return write

    def new_cell(*_):
        state["left"], state["cut"] = limit, 0
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            if not hasattr(stream.write, "uncapped"):
                stream.write = capped(stream.write)

    def say_what_was_cut(*_):
        if state["cut"]:
            write = getattr(sys.stdout.write, "uncapped", sys.stdout.write)
            write(f"\n[grader: {state['cut']:,} characters of this cell's output were cut: "
                  f"a cell keeps at most {limit:,}.]\n")

    shell = get_ipython()
    shell.events.register("pre_run_cell", new_cell)
    shell.events.register("post_run_cell", say_what_was_cut)
