"""Runs inside the student's kernel at grading time: answers the grader's requests.

Whatever this module sends back is only the student's claim: the grader decodes it as
plain data and judges it with its own, untouched code.
"""

import traceback

from coursekit.grading import wire


def user_namespace():
    return get_ipython().user_ns  # noqa: F821 (defined inside an IPython kernel)


def lookup(names, namespace):
    values = {}
    for name in names:
        if name not in namespace:
            values[name] = {"missing": True}
        else:
            value = namespace[name]
            values[name] = {"callable": name} if callable(value) else wire.encode(value)
    return {"values": values}


def call(name, args_tree, kwargs_tree, namespace):
    resolve = namespace.__getitem__
    args = wire.decode(args_tree, resolve)
    kwargs = wire.decode(kwargs_tree, resolve)
    try:
        result = namespace[name](*args, **kwargs)
    except BaseException as error:  # the student's error is reported, not raised here
        lines = traceback.format_exception(type(error), error, error.__traceback__)
        return {"error": {"ename": type(error).__name__, "evalue": wire.safe_str(error),
                          "traceback": [line for line in lines if __file__ not in line]}}
    return {"result": wire.encode(result), "args_after": wire.encode(args), "kwargs_after": wire.encode(kwargs)}


def serve(request_path, response_path):
    """Read one request, write one response (both JSON files)."""
    with open(request_path) as handle:
        request = wire.loads(handle.read())
    namespace = user_namespace()
    if request["op"] == "lookup":
        response = lookup(request["names"], namespace)
    else:
        response = call(request["name"], request["args"], request["kwargs"], namespace)
    with open(response_path, "w") as handle:
        handle.write(wire.dumps(response))
