"""The grader's view of a student's kernel: names a test reads, remote calls, student errors."""

import ast
import builtins

import numpy as np

from coursekit.grading import wire


class StudentCodeError(Exception):
    """The student's code raised while a test called it; the message is the student's error."""

    def __init__(self, ename, evalue, student_traceback):
        super().__init__(f"{ename}: {evalue}")
        self.ename, self.evalue, self.student_traceback = ename, evalue, student_traceback


class KernelUnavailable(Exception):
    """The student's kernel did not answer (timeout, crash)."""


def free_names(source):
    """Names a test reads but does not bind itself and that are not builtins."""
    tree = ast.parse(source)
    loaded, bound = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return sorted(loaded - bound - set(dir(builtins)))


class RemoteFunction:
    """A student's function: calling it runs it in the student's kernel on copies of the arguments.

    Arrays given as arguments are updated with their values after the call, so a test sees
    in-place changes as it would in one process.
    """

    def __init__(self, name, kernel):
        self.__name__ = name
        self._kernel = kernel

    def __repr__(self):
        return f"<student function {self.__name__}>"

    def __call__(self, *args, **kwargs):
        response = self._kernel.request({
            "op": "call", "name": self.__name__,
            "args": wire.encode(args, callable_ref=callable_name),
            "kwargs": wire.encode(kwargs, callable_ref=callable_name),
        })
        if "error" in response:
            error = response["error"]
            raise StudentCodeError(str(error["ename"]), str(error["evalue"]),
                                   [str(line) for line in error.get("traceback", [])])
        copy_back(args, self._kernel.decode(response["args_after"]))
        copy_back(kwargs, self._kernel.decode(response["kwargs_after"]))
        return self._kernel.decode(response["result"])


def callable_name(value):
    return value.__name__ if isinstance(value, RemoteFunction) else None


def copy_back(original, after):
    """Write array values the student's function left in its arguments back into ours."""
    if isinstance(original, np.ndarray) and isinstance(after, np.ndarray):
        if original.shape == after.shape and original.flags.writeable:
            np.copyto(original, after, casting="unsafe")
    elif isinstance(original, (tuple, list)) and isinstance(after, (tuple, list)):
        for item, item_after in zip(original, after, strict=False):
            copy_back(item, item_after)
    elif isinstance(original, dict) and isinstance(after, dict):
        for key, item in original.items():
            if key in after:
                copy_back(item, after[key])
