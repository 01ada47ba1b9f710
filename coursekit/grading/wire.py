"""Plain data across the kernel boundary: JSON with tagged arrays, never pickle.

The student's kernel encodes; the grader decodes. Decoding builds only numbers,
strings, None, NumPy arrays (``allow_pickle=False``), tuples, lists and dicts, so
nothing a student sends can run code in the grader.
"""

import base64
import io
import json

import numpy as np

SCALARS = (type(None), bool, int, float, str)


def encode(value, callable_ref=None, depth=0):
    """A JSON-ready tree for ``value``; ``callable_ref(value)`` may name a callable to pass by reference."""
    if depth > 20:
        return {"opaque": "nesting too deep"}
    if isinstance(value, np.generic) and not isinstance(value, np.object_):
        return {"npscalar": encode(np.asarray(value), depth=depth + 1)}
    if isinstance(value, SCALARS):
        return value if not isinstance(value, float) else {"float": float.__repr__(value)}
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            return {"opaque": f"numpy array of dtype object, shape {value.shape}"}
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        return {"ndarray": base64.b64encode(buffer.getvalue()).decode("ascii")}
    if isinstance(value, (tuple, list)):
        items = [encode(v, callable_ref, depth + 1) for v in value]
        return {"tuple": items} if isinstance(value, tuple) else {"list": items}
    if isinstance(value, dict):
        return {"dict": [[encode(k, None, depth + 1), encode(v, callable_ref, depth + 1)]
                         for k, v in value.items()]}
    name = callable_ref(value) if callable_ref else None
    if name:
        return {"callable": name}
    return {"opaque": f"{type(value).__name__}: {safe_repr(value)}"}


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
    """Stands for a value that cannot cross as plain data (a module, a class instance...)."""

    def __init__(self, description):
        self.description = description

    def __repr__(self):
        return f"<student object {self.description}>"


def decode(tree, make_callable=None):
    """Rebuild plain data from ``encode``'s tree; ``make_callable(name)`` builds callable references."""
    if tree is None or isinstance(tree, (bool, int, str)):
        return tree
    if not isinstance(tree, dict) or len(tree) != 1:
        raise ValueError("malformed value from the student's kernel")
    ((tag, body),) = tree.items()
    if tag == "float":
        return float(body)
    if tag == "ndarray":
        return np.load(io.BytesIO(base64.b64decode(body)), allow_pickle=False)
    if tag == "npscalar":
        return decode(body)[()]
    if tag == "tuple":
        return tuple(decode(v, make_callable) for v in body)
    if tag == "list":
        return [decode(v, make_callable) for v in body]
    if tag == "dict":
        return {decode(k): decode(v, make_callable) for k, v in body}
    if tag == "callable" and make_callable is not None:
        return make_callable(str(body))
    if tag == "opaque":
        return Opaque(str(body))
    raise ValueError(f"unknown tag {tag!r} from the student's kernel")


def dumps(tree):
    return json.dumps(tree)


def loads(text):
    return json.loads(text)
