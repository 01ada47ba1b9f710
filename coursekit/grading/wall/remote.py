"""The grader's view of a student's kernel: names a test reads, proxies of student objects, student errors.

Only plain data crosses the boundary. A student's function, class or object stays in its kernel;
the grader holds a ``RemoteObject`` that forwards calls, method calls, attribute reads and
attribute writes, and nothing else: no student dunder (``__eq__``, ``__array__``, ``__getattr__``,
``__bool__``...) ever runs in the grader. Arrays, lists and dicts read from an object's attributes
are local copies (``SharedArray``, ``SharedList``, ``SharedDict``) whose item assignments are also
made in the kernel, so a test can perturb one parameter of a student's network.
"""

import ast
import builtins

import numpy as np

from coursekit.grading.inkernel import wire


class StudentCodeError(Exception):
    """The student's code raised while a test called it; the message is the student's error."""

    def __init__(self, ename, evalue, student_traceback):
        super().__init__(f"{ename}: {evalue}")
        self.ename, self.evalue, self.student_traceback = ename, evalue, student_traceback


class StudentAttributeError(StudentCodeError, AttributeError):
    """Reading an attribute of a student's object raised AttributeError (``hasattr`` says False)."""


class KernelUnavailable(Exception):
    """The student's kernel did not answer (timeout, crash) or answered with malformed data."""


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


class KernelView:
    """Remote operations on the student's kernel, over ``request(payload) -> response tree``."""

    def __init__(self, request):
        self._request = request

    # --- what crosses ---------------------------------------------------------------------
    def encode(self, value):
        return wire.encode(value, refer=reference_of)

    def decode(self, tree, seen_fresh=None):
        try:
            return wire.decode(tree, self._make_ref, self._make_shared, seen_fresh)
        except (ValueError, TypeError, KeyError, RecursionError):
            raise KernelUnavailable("the student's kernel answered with malformed data") from None

    def _make_ref(self, body):
        number, class_name, name, methods = body
        if not isinstance(number, int) or not all(isinstance(m, str) for m in methods):
            raise ValueError("malformed reference")
        return RemoteObject(self, number, str(class_name), None if name is None else str(name), methods)

    def _make_shared(self, number, value):
        kind = {np.ndarray: SharedArray, list: SharedList, dict: SharedDict}[type(value)]
        return kind.wrap(value, self, number)

    # --- operations -----------------------------------------------------------------------
    def ask(self, payload):
        """Send one request; return the response tree, raising the student's error if any."""
        response = self._request(payload)
        if not isinstance(response, dict):
            raise KernelUnavailable("the student's kernel answered with malformed data")
        if "error" in response:
            error = response["error"]
            kind = StudentAttributeError if payload["op"] == "getattr" and error.get("ename") == "AttributeError" \
                else StudentCodeError
            raise kind(str(error.get("ename")), str(error.get("evalue")),
                       [str(line) for line in error.get("traceback", [])])
        return response

    def lookup(self, names):
        """``{name: value}`` of the notebook's names (missing ones left out)."""
        values = self.ask({"op": "lookup", "names": names}).get("values", {})
        return {name: self.decode(tree) for name, tree in values.items()
                if name in names and tree != {"missing": True}}

    def call(self, number, args, kwargs, method=None):
        """Call a kernel object (or its method); copy in-place changes of the arguments back."""
        payload = {"op": "call", "ref": number, "args": self.encode(args), "kwargs": self.encode(kwargs)}
        if method is not None:
            payload["method"] = method
        response = self.ask(payload)
        replaced = set()
        after = self.decode(response["args_after"], lambda value: replaced.add(id(value)))
        kwargs_after = self.decode(response["kwargs_after"], lambda value: replaced.add(id(value)))
        copy_back(args, after, replaced)
        copy_back(kwargs, kwargs_after, replaced)
        return self.decode(response["result"])

    def getattr(self, number, name):
        return self.decode(self.ask({"op": "getattr", "ref": number, "name": name})["result"])

    def setattr(self, number, name, value):
        self.ask({"op": "setattr", "ref": number, "name": name, "value": self.encode(value)})

    def setitem(self, number, key, value):
        self.ask({"op": "setitem", "ref": number, "key": self.encode(key), "value": self.encode(value)})


def reference_of(value):
    """How the grader sends a value that lives in the kernel: its reference number."""
    if isinstance(value, RemoteObject):
        return {"ref": object.__getattribute__(value, "_coursekit_ref").number}
    if isinstance(value, (SharedArray, SharedList, SharedDict)) and value._coursekit_origin is not None:
        return {"ref": value._coursekit_origin[1]}
    return None


class _Ref:
    __slots__ = ("view", "number", "class_name", "name", "methods")

    def __init__(self, view, number, class_name, name, methods):
        self.view, self.number, self.class_name, self.name, self.methods = \
            view, number, class_name, name, frozenset(methods)


class RemoteObject:
    """A student's function, class or object, which stays in the student's kernel.

    Supported: calling it, calling its methods, reading and setting its attributes. Anything
    else (``==`` beyond identity, ``bool``, ``float``, ``np.asarray``...) never reaches the student's code.
    """

    def __init__(self, view, number, class_name, name, methods):
        object.__setattr__(self, "_coursekit_ref", _Ref(view, number, class_name, name, methods))

    def __getattr__(self, name):
        ref = object.__getattribute__(self, "_coursekit_ref")
        if name in ("__name__", "__qualname__") and ref.name is not None:
            return ref.name
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(f"{name} of a student's object is not available to tests")
        if name in ref.methods:
            return RemoteMethod(ref, name)
        return ref.view.getattr(ref.number, name)

    def __setattr__(self, name, value):
        ref = object.__getattribute__(self, "_coursekit_ref")
        ref.view.setattr(ref.number, name, value)

    def __delattr__(self, name):
        raise TypeError("tests may not delete attributes of a student's object")

    def __call__(self, *args, **kwargs):
        ref = object.__getattribute__(self, "_coursekit_ref")
        return ref.view.call(ref.number, args, kwargs)

    def __bool__(self):
        raise TypeError("a student's object has no truth value in a test; test plain data it returns")

    def __repr__(self):
        ref = object.__getattribute__(self, "_coursekit_ref")
        kind = "class" if ref.class_name == "type" else ref.class_name
        return f"<student {kind} {ref.name}>" if ref.name is not None else f"<student {kind} object>"

    def _coursekit_class_name(self):
        return object.__getattribute__(self, "_coursekit_ref").class_name

    def _coursekit_has_method(self, name):
        return name in object.__getattribute__(self, "_coursekit_ref").methods


class RemoteMethod:
    """A method of a student's object: calling it runs ``obj.name(*args, **kwargs)`` in the kernel."""

    def __init__(self, ref, name):
        self._ref, self.__name__ = ref, name

    def __call__(self, *args, **kwargs):
        return self._ref.view.call(self._ref.number, args, kwargs, method=self.__name__)

    def __repr__(self):
        return f"<method {self.__name__} of a student {self._ref.class_name} object>"


def plain(value):
    """``value`` with shared arrays seen as ordinary arrays (same memory), in tuples, lists and dicts too."""
    if isinstance(value, SharedArray):
        return value.view(np.ndarray)
    if isinstance(value, (tuple, list)):
        return type(value)(plain(v) for v in value) if type(value) in (tuple, list) else value
    if isinstance(value, dict) and type(value) is dict:
        return {k: plain(v) for k, v in value.items()}
    return value


class SharedArray(np.ndarray):
    """A copy of an array read from a student's object. ``a[i, j] = v`` (and ``a[s] += v``) also
    assigns in the kernel's array; everything else is local, and derived arrays are plain."""

    _coursekit_origin = None

    @classmethod
    def wrap(cls, array, view, number):
        shared = array.view(cls)
        shared._coursekit_origin = (view, number)
        return shared

    def __array_finalize__(self, obj):
        self._coursekit_origin = None

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        if self._coursekit_origin is not None:
            view, number = self._coursekit_origin
            view.setitem(number, key, value)

    def __getitem__(self, key):
        item = super().__getitem__(key)
        return item.view(np.ndarray) if isinstance(item, np.ndarray) else item

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        if out is not None:
            kwargs["out"] = tuple(plain(o) for o in out)
        result = getattr(ufunc, method)(*(plain(x) for x in inputs), **kwargs)
        if out is None:
            return result
        return out[0] if len(out) == 1 else out

    def __array_function__(self, func, types, args, kwargs):
        return func(*plain(args), **plain(kwargs))

    def __repr__(self):
        return repr(self.view(np.ndarray))

    def __reduce__(self):
        return self.view(np.ndarray).__reduce__()


class _WritesThrough:
    """A copy of a container read from a student's object whose item assignments also reach the kernel's."""

    _coursekit_origin = None

    @classmethod
    def wrap(cls, items, view, number):
        shared = cls(items)
        shared._coursekit_origin = (view, number)
        return shared

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        view, number = self._coursekit_origin
        view.setitem(number, key, value)


class SharedList(_WritesThrough, list):
    """A copy of a list read from a student's object; ``lst[i] = v`` also assigns in the kernel's list."""


class SharedDict(_WritesThrough, dict):
    """A copy of a dict read from a student's object; ``d[k] = v`` also assigns in the kernel's dict."""


def copy_back(original, after, replaced=frozenset()):
    """Make ``original`` (the test's argument) hold what the student's code left in its copy.

    Arrays, lists and dicts the code changed in place are changed in place; list items and dict
    entries it rebound (``replaced``: ids of those) are rebound. Returns whether ``original`` was
    updated (False: the caller rebinds it). Only local copies change: the kernel holds these values.
    """
    if after is wire.UNCHANGED:
        return True
    if id(after) in replaced:
        return False
    if isinstance(original, np.ndarray) and isinstance(after, np.ndarray):
        if original.shape != after.shape or not original.flags.writeable:
            return False
        np.copyto(original.view(np.ndarray), after, casting="unsafe")
        return True
    if isinstance(original, tuple) and isinstance(after, (tuple, list)):
        for item, item_after in zip(original, after, strict=False):
            copy_back(item, item_after, replaced)
        return len(original) == len(after)
    if isinstance(original, list) and isinstance(after, list):
        for index, item_after in enumerate(after[:len(original)]):
            if not copy_back(original[index], item_after, replaced):
                list.__setitem__(original, index, item_after)
        list.__setitem__(original, slice(len(after), None), after[len(original):])
        return True
    if isinstance(original, dict) and isinstance(after, dict):
        for key in [k for k in original if k not in after]:
            dict.__delitem__(original, key)
        for key, item_after in after.items():
            if key not in original or not copy_back(original[key], item_after, replaced):
                dict.__setitem__(original, key, item_after)
        return True
    return False
