"""Plain data across the kernel boundary: JSON with tagged arrays, never pickle.

Both sides encode and decode. Decoding builds only numbers, strings, None, slices,
NumPy arrays (``allow_pickle=False``), tuples, lists and dicts, plus what the caller's
hooks build from a reference number: so nothing a student sends can run code in the grader.

Tags: ``float``, ``array`` (``[dtype descr, shape, base64 of the C-order bytes]``),
``npscalar``, ``tuple``, ``list``, ``dict``, ``slice``, ``ellipsis``, ``opaque`` (a description
only), ``ref`` (a value that stays in the kernel: ``[number, class name, name, method names]``
from the kernel, ``number`` from the grader), ``shared`` (``[number, tree]``: a copy of a kernel
array, list or dict that assignments write through to), ``fresh`` (an array, list or dict a call
put in place of one it was given) and ``same`` (an array a call left as it was given).
"""

import base64
import json

import numpy as np

SCALARS = (type(None), bool, int, float, str)
MAX_DEPTH = 20


UNCHANGED = type("Unchanged", (), {"__repr__": lambda self: "<unchanged>"})()


def encode(value, refer=None, keep=None, share=None, fresh=None, same=None, depth=0):
    """A JSON-ready tree for ``value``.

    ``refer(value)`` may return a tree that stands for ``value`` (checked first);
    ``keep(value)`` turns a value that is not plain data into a reference tree;
    ``share(value)`` gives arrays, lists and dicts a number so they are sent as ``shared``;
    ``fresh(value)`` says which arrays, lists and dicts to send as ``fresh``;
    ``same(array)`` says which arrays to send as ``same`` (decoded as ``UNCHANGED``).
    """
    hooks = {"share": share, "fresh": fresh}
    inner = {"refer": refer, "keep": keep, "share": share, "fresh": fresh, "same": same, "depth": depth + 1}
    if depth > MAX_DEPTH:
        return {"opaque": "nesting too deep"}
    if refer is not None:
        tree = refer(value)
        if tree is not None:
            return tree
    if isinstance(value, np.generic) and not isinstance(value, np.object_):
        return {"npscalar": encode(np.asarray(value), depth=depth + 1)}
    if isinstance(value, SCALARS):
        return value if not isinstance(value, float) else {"float": float.__repr__(value)}
    if isinstance(value, np.ndarray) and not value.dtype.hasobject:
        if same is not None and same(value):
            return {"same": None}
        array = np.asarray(value)
        body = [np.lib.format.dtype_to_descr(array.dtype), list(array.shape),
                base64.b64encode(array.tobytes()).decode("ascii")]
        return marked(value, {"array": body}, **hooks)
    if isinstance(value, (tuple, list)):
        items = [encode(v, **inner) for v in value]
        return {"tuple": items} if isinstance(value, tuple) else marked(value, {"list": items}, **hooks)
    if isinstance(value, dict):
        pairs = [[encode(k, refer, depth=depth + 1), encode(v, **inner)] for k, v in value.items()]
        return marked(value, {"dict": pairs}, **hooks)
    if isinstance(value, slice):
        return {"slice": [encode(v, depth=depth + 1) for v in (value.start, value.stop, value.step)]}
    if value is Ellipsis:
        return {"ellipsis": None}
    if keep is not None:
        return keep(value)
    return {"opaque": f"{type(value).__name__}: {safe_repr(value)}"}


def marked(value, tree, share=None, fresh=None):
    if fresh is not None and fresh(value):
        tree = {"fresh": tree}
    return {"shared": [share(value), tree]} if share is not None else tree


def safe_repr(value, limit=200):
    try:
        text = repr(value)
    except Exception as error:  # a student's __repr__ may raise anything
        text = f"<repr failed: {type(error).__name__}>"
    return text[:limit]


def safe_str(value, limit=2000):
    try:
        return str(value)[:limit]
    except Exception as error:  # a student's __str__ may raise anything
        return f"<str failed: {type(error).__name__}>"


class Opaque:
    """Stands for a value that cannot cross as plain data (an object array, a too deep nesting)."""

    def __init__(self, description):
        self.description = description

    def __repr__(self):
        return f"<student object {self.description}>"


def decode(tree, make_ref=None, make_shared=None, seen_fresh=None, depth=0):
    """Rebuild plain data from ``encode``'s tree.

    ``make_ref(body)`` builds what a ``ref`` stands for; ``make_shared(number, value)`` wraps
    a ``shared`` value (default: the plain value); ``seen_fresh(value)`` is told of ``fresh`` ones.
    """
    if tree is None or isinstance(tree, (bool, int, str)):
        return tree
    if depth > 2 * MAX_DEPTH + 4 or not isinstance(tree, dict) or len(tree) != 1:
        raise ValueError("malformed value from the other side of the kernel boundary")
    ((tag, body),) = tree.items()
    again = lambda t: decode(t, make_ref, make_shared, seen_fresh, depth + 1)  # noqa: E731
    if tag == "float":
        return float(body)
    if tag == "array":
        return decode_array(*body)
    if tag == "same":
        return UNCHANGED
    if tag == "npscalar":
        array = decode(body, depth=depth + 1)
        if not isinstance(array, np.ndarray) or array.shape != ():
            raise ValueError("malformed scalar")
        return array[()]
    if tag == "tuple":
        return tuple(again(v) for v in body)
    if tag == "list":
        return [again(v) for v in body]
    if tag == "dict":
        return {decode(k, depth=depth + 1): again(v) for k, v in body}
    if tag == "slice":
        start, stop, step = (decode(v, depth=depth + 1) for v in body)
        return slice(start, stop, step)
    if tag == "ellipsis":
        return Ellipsis
    if tag == "opaque":
        return Opaque(str(body))
    if tag == "ref" and make_ref is not None:
        return make_ref(body)
    if tag == "shared":
        number, inner = body
        value = again(inner)
        if not isinstance(value, (np.ndarray, list, dict)) or not isinstance(number, int):
            raise ValueError("malformed shared value")
        return make_shared(number, value) if make_shared is not None else value
    if tag == "fresh":
        value = again(body)
        if not isinstance(value, (np.ndarray, list, dict)):
            raise ValueError("malformed fresh value")
        if seen_fresh is not None:
            seen_fresh(value)
        return value
    raise ValueError(f"unknown tag {tag!r} from the other side of the kernel boundary")


def decode_array(descr, shape, data):
    """An array from its dtype description, shape and bytes; never an object array."""
    dtype = np.lib.format.descr_to_dtype([tuple(field) for field in descr] if isinstance(descr, list) else descr)
    if dtype.hasobject:
        raise ValueError("object arrays do not cross the kernel boundary")
    return np.frombuffer(bytearray(base64.b64decode(data)), dtype=dtype).reshape([int(n) for n in shape])


def dumps(tree):
    return json.dumps(tree)


def loads(text):
    return json.loads(text)
