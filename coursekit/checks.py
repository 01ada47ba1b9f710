"""Diagnostic checks shared by the assignments' visible tests.

Each check raises ``CheckFailed`` (an AssertionError) with one sentence that says
what is wrong: the type, the shape or the values, expected against got, and a hint.
No reference solutions live here: students can read this file.
"""

import contextlib
import json
import re
import traceback
from pathlib import Path

import numpy as np

from coursekit.messages import SOURCE_LANGUAGE, mistake_says, say, speaking


class CheckFailed(AssertionError):
    """A visible check failed; the message says what and why."""

    def _render_traceback_(self):
        """IPython shows a failed check as its message alone, with no frames through helper modules."""
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]


HINTS_FILE = "mistake_hints.json"  # beside an assignment's checks module; written by `make release`
ERROR_PLACE = re.compile(r" \((?:in [^()\n]*|in the cell), line \d+ of its cell\)")
_known_mistakes = {}  # {what a check saw: (part, name, says)}
_ambiguous = set()  # what checks of two assignments loaded in one process saw for different mistakes
named_mistakes = []  # (part, name) of each catalogued mistake a check named in this process, in order


def recognise_mistakes(checks_file):
    """Let the checks name the assignment's catalogued mistakes: read the ``mistake_hints.json`` beside
    ``checks_file`` (the assignment's checks module; ``coursekit.mistake_hints`` writes it). A grader that
    loads several assignments names none where two of them would name different mistakes."""
    try:
        table = json.loads(Path(checks_file).with_name(HINTS_FILE).read_text(encoding="utf-8"))
        known = {seen: (part, name, table["says"][part][name]) for seen, (part, name) in table["seen"].items()}
    except (OSError, ValueError, KeyError, TypeError):  # no table (the instructor's source before `make release`)
        return
    for seen, mistake in known.items():
        if _known_mistakes.setdefault(seen, mistake) != mistake:
            _ambiguous.add(seen)
    for seen in _ambiguous:
        _known_mistakes.pop(seen, None)


def seen_of(message):
    """What a check saw, as known mistakes are recognised: the message in English, without where the
    student's code raised an error (the line differs from one student to the next)."""
    with speaking(SOURCE_LANGUAGE):
        return ERROR_PLACE.sub("", str(message))


def fail(message, hint=None):
    """Raise CheckFailed with ``message`` (a ``say(...)`` message) and, when given, a hint; both are put into
    the course's language when shown. When what the check saw is what one catalogued mistake gives, that
    mistake's sentence is the hint. The error's ``seen`` holds what the check saw."""
    seen = seen_of(message)
    if seen in _known_mistakes:
        part, name, says = _known_mistakes[seen]
        hint = mistake_says(part, name, says)
        named_mistakes.append((part, name))
    error = CheckFailed(str(say("checks.with-hint", "{message}\nHint: {hint}", message=message, hint=hint) if hint
                            else message))
    error.seen = seen
    raise error


def short(value, limit=300):
    """A printable summary of a value, cut to ``limit`` characters."""
    text = np.array2string(value, precision=6, threshold=20) if isinstance(value, np.ndarray) else repr(value)
    return text if len(text) <= limit else text[:limit] + " ..."


STUDENT_FRAME = re.compile(r'File "([^"]*(?:ipykernel_|<ipython-input)[^"]*)", line (\d+), in (\S+)')


def describe_error(error):
    """``"TypeError: ... (in update, line 7 of its cell)"``: an error the student's code raised, with where (a
    message put into words when shown, so a known mistake is recognised by its English in any course language).

    At grading the error arrives wrapped (ename, evalue, the student's traceback as text); when
    validating it is the exception itself.
    """
    text = f"{getattr(error, 'ename', type(error).__name__)}: {getattr(error, 'evalue', error)}"
    lines = getattr(error, "student_traceback", None)
    if lines is None:
        lines = [f'File "{frame.filename}", line {frame.lineno}, in {frame.name}'
                 for frame in traceback.extract_tb(error.__traceback__)]
    places = [match for line in lines for match in STUDENT_FRAME.finditer(str(line))]
    if places:
        _, line, function = places[-1].groups()
        if function == "<module>":
            return say("checks.error-in-cell", "{error} (in the cell, line {line} of its cell)", error=text, line=line)
        return say("checks.error-in-function", "{error} (in {function}, line {line} of its cell)", error=text,
                   function=function, line=line)
    return text


def expect_type(value, types, what, hint=None):
    """Check ``isinstance(value, types)``; ``types`` a type or a tuple of types."""
    if not isinstance(value, types):
        names = " or ".join(t.__name__ for t in (types if isinstance(types, tuple) else (types,)))
        fail(say("checks.wrong-type", "{what} should be a {expected}, got {got}: {value}", what=what,
                 expected=names, got=type(value).__name__, value=short(value)), hint)


def expect_real_number(value, what, hint=None):
    """Python or NumPy real scalar (a 0-d array counts as a scalar too)."""
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        fail(say("checks.not-a-number", "{what} should be a number (float), got {got}: {value}", what=what,
                 got=type(value).__name__, value=short(value)), hint)
    return float(value)


def expect_array(value, what, hint=None):
    expect_type(value, np.ndarray, what, hint)


def expect_shape(array, shape, what, hint=None):
    """Check an array's shape against a tuple."""
    expect_array(array, what, hint)
    if array.shape != tuple(shape):
        fail(wrong_shape(what, tuple(shape), array.shape), hint)


def wrong_shape(what, expected, got):
    return say("checks.wrong-shape", "{what} should have shape {expected}, got shape {got}", what=what,
               expected=expected, got=got)


def expect_close(got, expected, what, hint=None, rtol=1e-6, atol=1e-8):
    """Compare values (scalars or arrays of the same shape), reporting expected against got."""
    expected = np.asarray(expected, dtype=float)
    got_array = np.asarray(got)
    if got_array.shape != expected.shape:
        fail(wrong_shape(what, expected.shape, got_array.shape), hint)
    if not np.issubdtype(got_array.dtype, np.number) or not np.allclose(got_array, expected, rtol, atol):
        shown = got_array if np.issubdtype(got_array.dtype, np.number) else got  # both in NumPy's style
        fail(say("checks.wrong-values", "{what} has wrong values.\n  expected: {expected}\n  got:      {got}",
                 what=what, expected=short(expected), got=short(shown)), hint)


def expect_unchanged(before, after, what):
    """An input array must not be modified by the function under test."""
    if not np.array_equal(before, after):
        fail(say("checks.modified-in-place", "{what} was modified in place; work on a copy or build a new array "
                 "instead.", what=what))


def fails(check):
    """Whether ``check()`` (a visible check of another answer) fails, or raises anything."""
    try:
        check()
    except Exception:  # a check fails with CheckFailed; the student's code may raise anything
        return True
    return False


def dependency_note(answer, check):
    """" It uses your `answer`, which fails its own check: fix that first." when ``check()`` fails, else ""."""
    return str(say("checks.dependency-note", " It uses your `{answer}`, which fails its own check: fix that first.",
                   answer=answer)) if fails(check) else ""


def unanswered(error):
    """Whether ``error`` comes from an answer not written yet (``raise NotImplementedError()``), raised by the code
    or caught by a check: an unanswered part is never excused by another part's mistake."""
    return "NotImplementedError" in f"{getattr(error, 'ename', type(error).__name__)}: {error}"


def failing_answers(checks):
    """The answers of ``{answer: function running its visible check}`` whose check fails."""
    return [answer for answer, check in checks.items() if fails(check)]


@contextlib.contextmanager
def excused_by(**checks):
    """A block of a hidden test calling code that uses other answers (``{answer: its visible check}``): an
    error that code raises (not a failed check or assertion; one that ``calling`` turned into a failed check counts
    as the code's) ends the block without failing the test while one of those answers fails its own check, since the
    code cannot be judged past it; that mistake costs its points there."""
    try:
        yield
    except Exception as error:  # the student's code may raise anything
        raised_by_code = not isinstance(error, AssertionError) or isinstance(error.__context__, Exception)
        if not raised_by_code or unanswered(error) or not failing_answers(checks):
            raise


@contextlib.contextmanager
def depends_on(name, **checks):
    """A check of ``name`` that uses other answers. While one of them fails its own check, what this check
    saw may come from that answer's mistake: the check then does not fail (the mistake costs its points
    once, where it is) but prints which answer to fix first. ``checks``: ``{answer: function running its
    visible check}``. Hidden tests judge ``name`` with the course's version of those answers or the
    student's, so a mistake of ``name`` itself still costs its hidden points."""
    try:
        yield
    except Exception as error:  # a failed check, or an error of the student's code the check did not catch
        failing = [] if unanswered(error) else failing_answers(checks)
        if not failing:
            raise
        if len(failing) == 1:
            print(say("checks.depends-on-one", "{name} uses your `{answer}`, which fails its own check: fix that "
                      "first. Until then this check cannot tell a mistake of {name} from that one, and leaves the "
                      "rest of {name} unchecked.", name=name, answer=failing[0]))
        else:
            print(say("checks.depends-on-several", "{name} uses your {answers}, which fail their own check: fix "
                      "that first. Until then this check cannot tell a mistake of {name} from that one, and leaves "
                      "the rest of {name} unchecked.", name=name,
                      answers=" and ".join(f"`{answer}`" for answer in failing)))


def matches_any(got, expectations, rtol=1e-6, atol=1e-8, shapes=None):
    """Whether ``got`` matches one of ``expectations`` (functions computing an expected value, called in
    order until one matches; one that raises counts as no match), in the shape of the expectation it matches.

    ``shapes``: where the answer's shape is known whatever the student's other answers (an elementwise
    function's result has the shape of its input; the notebook's text may allow ``[(n,), (1, n)]``), the
    shapes ``got`` may have; it is then compared with each expectation of its size. A value computed with the
    student's own code counts only in those shapes: a sigmoid hard-coded to the visible example cannot vouch
    for a derivative hard-coded to it. Without ``shapes``, a shape that follows from the student's mistake in
    another part (a flat w in a2's model) still counts, so that mistake costs its points once."""
    got = np.asarray(got)
    allowed = None if shapes is None else {tuple(shape) for shape in shapes}
    for expectation in expectations:
        try:
            expected = np.asarray(expectation(), dtype=float)
        except Exception:  # an expectation computed with the student's own code may fail
            continue
        if got.shape not in (allowed or {expected.shape}) or got.size != expected.size or \
                not np.issubdtype(got.dtype, np.number):
            continue
        if np.allclose(got.reshape(expected.shape), expected, rtol, atol, equal_nan=True):
            return True
    return False


def mismatched_field(got, expectations, names, rtol=1e-6, atol=1e-8):
    """None when the fields ``got`` (a sequence of values) all match the fields of one of ``expectations``
    (functions computing such a sequence; one that raises counts as no match); else the name (from ``names``)
    of the first field that none matches, or of the first field when each matches a different expectation."""
    def field_matches(index, expected):
        return matches_any(got[index], [lambda: expected[index]], rtol, atol)

    computed = []  # in order, and only until one matches: the next may be costly (the student's own code)
    for expectation in expectations:
        try:
            expected = expectation()
        except Exception:  # an expectation computed with the student's own code may fail
            continue
        if all(field_matches(index, expected) for index in range(len(names))):
            return None
        computed.append(expected)
    return next((name for index, name in enumerate(names)
                 if not any(field_matches(index, expected) for expected in computed)), names[0])


def passed(name):
    print(say("checks.passed", "All visible checks of {name} passed.", name=name))


def class_name(obj):
    """The name of ``obj``'s class. Works on the grader's stand-ins for students' objects too."""
    remote = getattr(type(obj), "_coursekit_class_name", None)
    return remote(obj) if remote is not None else type(obj).__name__


def method_names(value):
    """Names of the callables defined by ``value``'s class (by ``value`` itself if it is a class),
    dunder names left out; read from the classes' own dictionaries, so no code of theirs runs."""
    cls = value if isinstance(value, type) else type(value)
    names = set()
    for klass in type.__dict__["__mro__"].__get__(cls):
        for name, attr in type.__dict__["__dict__"].__get__(klass).items():
            if isinstance(name, str) and not (name.startswith("__") and name.endswith("__")) and (
                    callable(attr) or isinstance(attr, (staticmethod, classmethod))):
                names.add(name)
    return sorted(names)


def has_method(obj, name):
    """Whether ``obj``'s class (or ``obj``, if it is a class) defines a method ``name``; no code of
    the object runs (a ``__getattr__`` cannot fake one). Works on the grader's stand-ins too."""
    remote = getattr(type(obj), "_coursekit_has_method", None)
    return remote(obj, name) if remote is not None else name in method_names(obj)
