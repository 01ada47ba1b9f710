"""Which known mistake a failed hidden test saw: the grader's side, never the student's kernel.

While a test cell runs, ``RecordingView`` records every operation the test makes on the student's
kernel (names read, calls with their arguments before and after and their results, attribute reads
and writes), all as plain data. When the hidden test fails, ``Diagnoser`` replays the record on the
instructor's solution and on each catalogued wrong variant of the part, built here from the source
notebook with the catalog's edits. A mistake is named only when the student's recorded results
match that one variant on every operation and differ from the solution's; otherwise the feedback
says which property of the first differing operation failed (shape, kind, input changed, values),
never the test's code, inputs or expected values.
"""

import ast
import builtins
import contextlib
import functools
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np

from coursekit import checks
from coursekit.grading.grader.mistakes import Catalog, is_catalog
from coursekit.grading.wall.remote import (
    KernelView,
    RemoteObject,
    SharedArray,
    SharedDict,
    SharedList,
    StudentAttributeError,
    StudentCodeError,
)
from coursekit.messages import mistake_says, say
from coursekit.submissions import grade_id, is_answer_cell, is_test_cell, strip_solution_markers

MAX_EVENTS = 5000  # longer records (a training loop driven from the test) are not replayed
MAX_ELEMENTS = 10**6  # nor records holding larger arrays
RTOL, ATOL = 1e-7, 1e-12
ERROR_CHARS = 500  # of an error's message, compared
LABEL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?")

NAMED = say("diagnosis.named", "Your `{where}` matches a known mistake: {says}")
PROPERTIES = {
    "error": say("diagnosis.error", "Your `{where}` raised an error on one of the hidden inputs, where it should "
                                    "return a result."),
    "no_error": say("diagnosis.no-error", "Your `{where}` returned a result on one of the hidden inputs, where it "
                                          "should raise an error."),
    "shape": say("diagnosis.shape", "Your `{where}` returns a result of the wrong shape on one of the hidden inputs."),
    "kind": say("diagnosis.kind", "Your `{where}` returns a different kind of result (booleans, another container, "
                                  "or no numbers at all) on one of the hidden inputs."),
    "changes_input": say("diagnosis.changes-input", "Your `{where}` changes an argument it is given; it should leave "
                                                    "its inputs unchanged."),
    "keeps_input": say("diagnosis.keeps-input", "Your `{where}` leaves an argument unchanged that it should update "
                                                "in place."),
    "values_on_integers": say("diagnosis.values-on-integers", "Your `{where}` returns wrong values on a hidden input "
                                                              "of integers."),
    "values": say("diagnosis.values", "Your `{where}` returns wrong values on one of the hidden inputs."),
    "attribute": say("diagnosis.attribute", "Your `{where}` holds wrong values after the hidden test's calls."),
}


# --- what the record holds: plain copies, and numbers for what stays in the kernel ------------
@dataclass(frozen=True)
class Ref:
    """A student's object (or function, or class), known by its number in the kernel."""

    number: int


@dataclass(frozen=True)
class Shared:
    """An array, list or dict read from a student's object: its number in the kernel and a copy."""

    number: int
    value: object


class Opaque:
    """A value the record cannot hold (a grader-side function given to the student's code): not replayable."""


class Unreplayable(Exception):
    """The record cannot be replayed here."""


def frozen(value):
    """A copy of ``value`` that later changes of the test's objects do not reach."""
    if isinstance(value, RemoteObject):
        return Ref(object.__getattribute__(value, "_coursekit_ref").number)
    origin = getattr(value, "_coursekit_origin", None) if isinstance(value, (SharedArray, SharedList, SharedDict)) \
        else None
    if origin is not None:
        inner = value.view(np.ndarray) if isinstance(value, np.ndarray) else \
            (list(value) if isinstance(value, list) else dict(value))
        return Shared(origin[1], frozen(inner))
    if isinstance(value, np.ndarray):
        return np.array(value.view(np.ndarray), copy=True)
    if isinstance(value, (tuple, list)):
        return type(value)(frozen(v) for v in value) if type(value) in (tuple, list) else \
            [frozen(v) for v in value]
    if isinstance(value, dict):
        return {k: frozen(v) for k, v in value.items()}
    if value is None or value is Ellipsis or isinstance(value, (bool, int, float, complex, str, bytes, slice,
                                                                 np.generic)):
        return value
    return Opaque()


@dataclass
class Event:
    """One operation of a test on the kernel: ``kind`` is name, call, get, set or item."""

    kind: str
    number: int = None
    name: str = None  # the notebook name, method or attribute
    before: object = None  # a call's (args, kwargs); a set's or item's value
    after: object = None  # a call's (args, kwargs) after it; an item's key
    result: object = None
    error: str = None  # "ename: evalue" when the student's code raised


def error_text(ename, evalue):
    """How an error is compared: its class name and its message (as the kernel cut it)."""
    return f"{ename}: {str(evalue)[:ERROR_CHARS]}"


class RecordingView(KernelView):
    """A ``KernelView`` that, between ``start`` and ``stop``, records the operations of a test."""

    def __init__(self, request):
        super().__init__(request)
        self.events, self.labels, self.overflow = None, {}, False

    def start(self):
        self.events, self.overflow = [], False

    def stop(self):
        """The record since ``start`` (None when it grew past MAX_EVENTS or an operation failed to record)."""
        events, self.events = self.events, None
        return None if self.overflow else events

    def _add(self, event):
        if self.events is None:
            return
        if len(self.events) >= MAX_EVENTS:
            self.overflow = True
        else:
            self.events.append(event)

    def _make_ref(self, body):
        ref = super()._make_ref(body)
        number, class_name, name, _ = body
        self.labels[number] = name if class_name == "type" or class_name == "function" else class_name
        return ref

    def label(self, number, attribute=None):
        """``Sigmoid.backward``, ``sigmoid``: how feedback names what the student wrote (None: no clean name)."""
        owner = self.labels.get(number)
        text = f"{owner}.{attribute}" if owner and attribute else owner
        return text if text and LABEL.fullmatch(text) else None

    def lookup(self, names):
        values = super().lookup(names)
        for name, value in values.items():
            if isinstance(value, RemoteObject):
                self._add(Event("name", frozen(value).number, name))
        return values

    def call(self, number, args, kwargs, method=None):
        if self.events is None or self.overflow:
            return super().call(number, args, kwargs, method)
        before = frozen((args, kwargs))
        try:
            result = super().call(number, args, kwargs, method)
        except StudentCodeError as error:
            self._add(Event("call", number, method, before, frozen((args, kwargs)),
                            error=error_text(error.ename, error.evalue)))
            raise
        except BaseException:
            self.overflow = True  # the kernel did not answer: nothing to compare
            raise
        self._add(Event("call", number, method, before, frozen((args, kwargs)), frozen(result)))
        return result

    def getattr(self, number, name):
        try:
            value = super().getattr(number, name)
        except StudentAttributeError as error:
            self._add(Event("get", number, name, error=error_text(error.ename, error.evalue)))
            raise
        self._add(Event("get", number, name, result=frozen(value)))
        return value

    def setattr(self, number, name, value):
        self._add(Event("set", number, name, frozen(value)))
        super().setattr(number, name, value)

    def setitem(self, number, key, value):
        self._add(Event("item", number, before=frozen(value), after=frozen(key)))
        super().setitem(number, key, value)


def too_large(events):
    def size(value):
        if isinstance(value, np.ndarray):
            return value.size
        if isinstance(value, (tuple, list)):
            return sum(map(size, value))
        if isinstance(value, dict):
            return sum(map(size, value.values()))
        return size(value.value) if isinstance(value, Shared) else 1
    return sum(size(e.before) + size(e.after) + size(e.result) for e in events) > MAX_ELEMENTS


# --- replaying a record on the instructor's code ---------------------------------------------
def materialize(value, objects):
    """A fresh argument for the replay: arrays copied, kernel objects replaced by the replay's."""
    if isinstance(value, Ref):
        if value.number not in objects:
            raise Unreplayable(f"object {value.number} was never seen")
        return objects[value.number]
    if isinstance(value, Shared):
        return objects[value.number] if value.number in objects else materialize(value.value, objects)
    if isinstance(value, Opaque):
        raise Unreplayable("a value the record could not hold")
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (tuple, list)):
        return type(value)(materialize(v, objects) for v in value)
    if isinstance(value, dict):
        return {k: materialize(v, objects) for k, v in value.items()}
    return value


PLAIN = (np.ndarray, np.generic, bool, int, float, complex, str, bytes, tuple, list, dict, type(None))


def is_bool(value):
    return isinstance(value, (bool, np.bool_)) or (isinstance(value, np.ndarray) and value.dtype.kind == "b")


def same_array(recorded, replayed):
    """Same shape, both booleans or both numbers, and the same values up to rounding."""
    if not isinstance(replayed, (np.ndarray, np.generic, bool, int, float, complex)) or \
            is_bool(recorded) != is_bool(replayed):
        return False
    recorded, replayed = np.asarray(recorded), np.asarray(replayed)
    if recorded.shape != replayed.shape or "O" in (recorded.dtype.kind, replayed.dtype.kind):
        return False
    if recorded.dtype.kind in "biufc" and replayed.dtype.kind in "biufc":
        return bool(np.allclose(recorded, replayed, rtol=RTOL, atol=ATOL, equal_nan=True))
    return bool(np.array_equal(recorded, replayed))


def agrees(recorded, replayed, objects):
    """Whether the replay gave what the student's code gave; binds kernel numbers to the replay's objects."""
    if isinstance(recorded, Ref):
        if isinstance(replayed, PLAIN):
            return False
        return objects.setdefault(recorded.number, replayed) is replayed
    if isinstance(recorded, Shared):
        if isinstance(replayed, (np.ndarray, list, dict)):
            objects.setdefault(recorded.number, replayed)
        return agrees(recorded.value, replayed, objects)
    if isinstance(recorded, Opaque):
        return False
    if isinstance(recorded, (np.ndarray, np.generic, bool, int, float, complex)):
        return same_array(recorded, replayed)
    if isinstance(recorded, (tuple, list)):
        return isinstance(replayed, (tuple, list)) and len(recorded) == len(replayed) and \
            all(agrees(a, b, objects) for a, b in zip(recorded, replayed, strict=True))
    if isinstance(recorded, dict):
        return isinstance(replayed, dict) and set(recorded) == set(replayed) and \
            all(agrees(v, replayed[k], objects) for k, v in recorded.items())
    return type(recorded) is type(replayed) and recorded == replayed


@dataclass
class Outcome:
    """What the replay of the first differing operation gave (``index`` None: the replay agreed throughout)."""

    index: int = None
    result: object = None
    after: object = None
    error: str = None


def run_event(event, objects):
    """Do one recorded operation on the replay's objects; return ``(agrees, result, after, error)``."""
    if event.kind == "name":
        return True, None, None, None
    target = materialize(Ref(event.number), objects)
    if event.kind == "set":
        setattr(target, event.name, materialize(event.before, objects))
        return True, None, None, None
    if event.kind == "item":
        target[materialize(event.after, objects)] = materialize(event.before, objects)
        return True, None, None, None
    arguments = materialize(event.before, objects) if event.kind == "call" else None
    try:
        if event.kind == "call":
            function = getattr(target, event.name) if event.name else target
            result = function(*arguments[0], **arguments[1])
        else:
            result = getattr(target, event.name)
    except Unreplayable:
        raise
    except Exception as error:  # noqa: BLE001 (the variant's error is compared with the student's)
        text = error_text(type(error).__name__, str(error))
        return event.error == text, None, arguments, text
    if event.error is not None:
        return False, result, arguments, None
    same = agrees(event.result, result, objects) and (event.kind != "call" or agrees(event.after, arguments, objects))
    return same, result, arguments, None


def replay(events, namespace):
    """Replay ``events`` on a namespace of the instructor's code; the first operation that differs."""
    objects = {}
    for index, event in enumerate(events):
        if event.kind == "name":
            if event.name in namespace:
                objects[event.number] = namespace[event.name]
            continue
        same, result, after, error = run_event(event, objects)
        if not same:
            return Outcome(index, result, after, error)
    return Outcome()


# --- the instructor's code, right and wrong ------------------------------------------------------
DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)


@functools.lru_cache(maxsize=4096)  # a diagnosis builds the notebook's namespace once per catalogued variant
def definitions(source):
    """The imports and definitions of a cell, without its other statements (no training, no plots)."""
    tree = ast.parse(source)
    tree.body = [node for node in tree.body if isinstance(node, DEFINITIONS)]
    return compile(tree, "<instructor's notebook>", "exec")


class VariantBuilder:
    """Namespaces of the source notebook's definitions: the solution, or the solution with one mistake."""

    def __init__(self, source_notebook):
        self.cells = []
        for cell in nbformat.reads(source_notebook, as_version=4).cells:
            if cell.cell_type != "code" or is_test_cell(cell):
                continue
            code = strip_solution_markers(cell.source) if is_answer_cell(cell) else cell.source
            self.cells.append((grade_id(cell) if is_answer_cell(cell) else None, code))

    def namespace(self, mistake=None):
        namespace = {"__name__": "coursekit_replay", "__builtins__": builtins}
        for answer, code in self.cells:
            if mistake is not None and answer == mistake.answer_cell:
                code = mistake.answer(code)
            with contextlib.suppress(Exception):  # a cell that needs what is left out defines less
                exec(definitions(code), namespace)  # noqa: S102 (the instructor's code)
        return namespace


@contextlib.contextmanager
def quietly():
    """The replay prints nothing, warns nothing and leaves NumPy's global random state as it was."""
    state = np.random.get_state()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
            warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            yield
        finally:
            np.random.set_state(state)


@dataclass
class Diagnosis:
    """A failed hidden test's verdict: the named mistake, or the property that failed, and where."""

    part: str
    where: str
    mistake: str = None
    says: str = None
    property: str = None

    def sentence(self):
        """The sentence for the student, in the course's language."""
        if self.mistake:
            return str(NAMED.filled(where=self.where, says=mistake_says(self.part, self.mistake, self.says)))
        return str(PROPERTIES[self.property].filled(where=self.where))

    def said_in(self, message):
        """Whether ``message`` already holds the named mistake's sentence (a check's hint gave it)."""
        return bool(self.mistake) and str(mistake_says(self.part, self.mistake, self.says)) in str(message)

    def as_record(self):
        return {"part": self.part, "mistake": self.mistake, "property": self.property}


def failed_property(event, outcome):
    """What differs between the student's operation and the solution's replay of it."""
    if event.error or outcome.error:
        return "error" if event.error else "no_error"
    if event.kind == "call":
        changed = any(not agrees(a, b, {}) for a, b in zip(flat(event.before), flat(event.after), strict=False))
        solution_changed = any(not agrees(a, b, {}) for a, b in
                               zip(flat(event.before), flat(outcome.after), strict=False))
        if changed != solution_changed:
            return "changes_input" if changed else "keeps_input"
    got, want = event.result, outcome.result
    if event.kind == "get":
        return "attribute"
    if isinstance(got, (np.ndarray, np.generic, int, float)) and isinstance(want, (np.ndarray, np.generic, int, float)):
        if np.shape(got) != np.shape(want):
            return "shape"
        if is_bool(got) != is_bool(want):
            return "kind"
        arrays = flat(event.before)
        integers = bool(arrays) and all(a.dtype.kind in "iu" for a in arrays)
        return "values_on_integers" if integers else "values"
    if isinstance(got, (tuple, list, dict)) and type(want) is type(got) and len(got) == len(want):
        return "values"
    return "kind"


def alike(first, second):
    """Whether two replays gave the same plain data (their objects aside)."""
    if isinstance(first, (np.ndarray, np.generic, bool, int, float, complex)):
        return same_array(first, second)
    if isinstance(first, (tuple, list)):
        return isinstance(second, (tuple, list)) and len(first) == len(second) and \
            all(alike(a, b) for a, b in zip(first, second, strict=True))
    if isinstance(first, dict):
        return isinstance(second, dict) and set(first) == set(second) and all(alike(v, second[k])
                                                                            for k, v in first.items())
    return True


def flat(arguments):
    """The arrays among a call's ``(args, kwargs)``, in order."""
    if arguments is None:
        return []
    args, kwargs = arguments
    return [a for a in [*args, *kwargs.values()] if isinstance(a, np.ndarray)]


class Diagnoser:
    """Diagnoses the failed hidden tests of one notebook against an assignment's catalog."""

    def __init__(self, catalog, source_notebook):
        self.catalog, self.builder = catalog, VariantBuilder(source_notebook)

    def diagnose(self, grade_id_, events, view, named_by_checks=()):
        """The ``Diagnosis`` of a failed test from its record, or None when nothing safe can be said.

        ``named_by_checks``: ``(part, name)`` of the mistakes the visible checks named in this notebook (what they
        saw on the visible examples is what exactly that mistake gives). One of them is named here too when the
        replay leaves it among the candidates: always, when the test made no call to replay (it read variables).
        """
        part = self.catalog.part_of_cell(grade_id_)
        if part is None:
            return None
        seen = [m for m in self.catalog.of_part(part) if (m.part, m.name) in set(named_by_checks)]
        if not events or too_large(events):
            return Diagnosis(part, part, seen[0].name, seen[0].says) if len(seen) == 1 else None
        with quietly():
            try:
                np.random.seed(0)
                reference = replay(events, self.builder.namespace())
                if reference.index is None:
                    return None  # the student's code did what the solution does on every call
                matching = [m for m in self.catalog.of_part(part)
                            if replay(events, self.builder.namespace(m)).index is None]
                np.random.seed(1)
                again = replay(events, self.builder.namespace())
            except Unreplayable:
                return Diagnosis(part, part, seen[0].name, seen[0].says) if len(seen) == 1 else None
        event = events[reference.index]
        where = view.label(event.number, event.name) or part
        named = matching if len(matching) == 1 else [m for m in matching if m in seen]
        if len(named) == 1:
            return Diagnosis(part, where, named[0].name, named[0].says)
        if again.index != reference.index or not alike(reference.result, again.result) \
                or not alike(reference.after, again.after):
            return None  # the solution itself gives other values there on another draw: no property to name
        return Diagnosis(part, where, property=failed_property(event, reference))


class NotebookDiagnoses:
    """The diagnoses of one graded notebook: each failed hidden test's sentence and record."""

    def __init__(self, trusted, notebook):
        files = trusted.source_files()
        catalogs = [data for path, data in sorted(files.items()) if is_catalog(path)]
        source = files.get(Path(f"{notebook}.ipynb"))
        self.diagnoser = Diagnoser(Catalog.from_text(catalogs[0].decode()), source.decode()) \
            if catalogs and source is not None else None
        self.records = {}
        self.checks_named_before = len(checks.named_mistakes)  # the visible checks of this notebook name those after

    def note(self, grade_id_, events, failure, view):
        """Add to a failed hidden test's error output what the record says; remember it for the class report."""
        named_by_checks = checks.named_mistakes[self.checks_named_before:]
        try:
            diagnosis = self.diagnoser.diagnose(grade_id_, events, view, named_by_checks) if self.diagnoser else None
        except Exception:  # noqa: BLE001 (a diagnosis that fails says nothing; the test's verdict stands)
            diagnosis = None
        self.records[grade_id_] = diagnosis.as_record() if diagnosis else {"part": None, "mistake": None,
                                                                           "property": None}
        if diagnosis and not diagnosis.said_in(failure.evalue):
            failure.evalue = f"{failure.evalue}\n{diagnosis.sentence()}"
            failure.traceback.append(diagnosis.sentence())
