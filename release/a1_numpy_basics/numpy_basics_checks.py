"""Checks of the numpy_basics notebook (assignment a1_numpy_basics), built on coursekit.checks.

``check_<function>(function)`` runs a student's function on the worked examples shown in
the notebook and raises CheckFailed with one sentence on the first thing that is wrong:
type, shape or values (expected against got), with a hint for the classic mistakes.
The expected values are those examples, written out; no reference solution lives here.
The hidden tests reuse these checks, and ``expect_matches`` to compare without showing
the expected values.
"""

import numpy as np

from course_checks import (
    depends_on,
    describe_error,
    excused_by,
    expect_array,
    expect_close,
    expect_real_number,
    expect_shape,
    expect_type,
    expect_unchanged,
    fail,
    failing_answers,
    matches_any,
    passed,
    recognise_mistakes,
)
from course_messages import argument_of, on_case, say

__all__ = [
    "check_basic_sigmoid", "check_sigmoid", "check_sigmoid_derivative", "check_image2vector",
    "check_normalize_rows", "check_softmax", "check_L1", "check_L2",
    "check_sigmoid_derivative_alone", "excused_by", "failing_answers", "matches_any",
    "expect_matches", "expect_type", "expect_unchanged", "passed", "say", "on_case", "argument_of",
]
recognise_mistakes(__file__)  # a catalogued mistake's sentence is its hint (mistake_hints.json)

# Hints for mistakes that end in an exception, keyed by a piece of the error's text.
ERROR_HINTS = {
    "NotImplementedError": say("a1.error.not-implemented", "replace `raise NotImplementedError()` with your code."),
    "converted to Python scalars": say("a1.error.math-exp", "math.exp takes one number; np.exp works on a whole "
                                                            "array at once."),
    "could not be broadcast": say("a1.error.broadcast", "a sum, max or norm over axis=1 has shape (n,); "
                                                        "keepdims=True keeps it a column (n, 1) that lines up "
                                                        "with the rows."),
    "cannot reshape array": say("a1.error.reshape", "do not type sizes in: take them from image.shape, or let "
                                                    "reshape compute one with -1."),
}


def call(function, what, *args):
    """``function(*args)``; an exception becomes a CheckFailed naming the likely mistake."""
    try:
        return function(*args)
    except Exception as error:
        # At grading time the grader reports the student's error as ename and evalue.
        text = describe_error(error)
    fail(say("a1.raised", "{what} raised {error}", what=what, error=text),
         next((h for key, h in ERROR_HINTS.items() if key in text), None))


def expect_matches(got, expected, what):
    """Compare with ``expected`` like expect_close, but never show it (for hidden tests)."""
    expected = np.asarray(expected, dtype=float)
    if expected.shape == ():
        got = expect_real_number(got, what)
    else:
        expect_array(got, what)
    got_array = np.asarray(got)
    if got_array.shape != expected.shape:
        fail(say("a1.hidden-shape", "{what} gives an array of the wrong shape {shape}.", what=what,
                 shape=got_array.shape))
    if not np.issubdtype(got_array.dtype, np.number) or not np.allclose(got_array, expected, 1e-6, 1e-8):
        fail(say("a1.hidden-values", "{what} gives wrong values.", what=what))


def as_code(array):
    return f"np.array({array.tolist()})"


def hint_for(hint, got):
    """A hint given as text, or as a function of the wrong result."""
    return hint(got) if callable(hint) else hint


def check_on_array(function, name, x, expected, value_hint, shape_hint=None):
    """Call ``function(x)`` and compare the result with ``expected``; x must stay as it was."""
    what = f"{name}({as_code(x)})"
    before = x.copy()
    got = call(function, what, x)
    expect_shape(got, np.shape(expected), what, hint_for(shape_hint, got))
    expect_close(got, expected, what, hint_for(value_hint, got))
    expect_unchanged(before, x, say("a1.the-argument", "The argument of {name}", name=name))


# basic_sigmoid and sigmoid ---------------------------------------------------------------------------

SIGMOID_HINT = say("a1.sigmoid.hint", "sigmoid(x) = 1 / (1 + e^(-x)): mind the minus sign and the parentheses.")
ELEMENTWISE_HINT = say("a1.sigmoid.elementwise-hint", "an elementwise function returns an array of its argument's "
                                                      "shape; use np.exp, not math.exp.")


def check_basic_sigmoid(basic_sigmoid):
    for x, expected in ((3, 0.9525741268224334), (0, 0.5), (-1.5, 0.18242552380635635)):
        what = f"basic_sigmoid({x})"
        got = call(basic_sigmoid, what, x)
        expect_type(got, float, what, say("a1.basic_sigmoid.type-hint", "return one number, the result of "
                                                                         "arithmetic with math.exp."))
        expect_close(got, expected, what, SIGMOID_HINT)


def check_sigmoid(sigmoid):
    examples = (
        (np.array([1, 2, 3]), [0.7310585786300049, 0.8807970779778823, 0.9525741268224334]),
        (np.array([[-1.0, 0.0], [0.5, 2.0]]), [[0.2689414213699951, 0.5], [0.6224593312018546, 0.8807970779778823]]),
    )
    for x, expected in examples:
        check_on_array(sigmoid, "sigmoid", x, expected, SIGMOID_HINT, ELEMENTWISE_HINT)
    got = call(sigmoid, "sigmoid(0)", 0)
    expect_close(expect_real_number(got, "sigmoid(0)"), 0.5, "sigmoid(0)", SIGMOID_HINT)


def check_sigmoid_derivative(sigmoid_derivative, sigmoid):
    with depends_on("sigmoid_derivative", sigmoid=lambda: check_sigmoid(sigmoid)):
        check_sigmoid_derivative_alone(sigmoid_derivative)


def check_sigmoid_derivative_alone(sigmoid_derivative):
    hint = say("a1.sigmoid_derivative.hint", "the derivative is s * (1 - s) where s = sigmoid(x): apply sigmoid "
                                             "first (and make sure sigmoid passes its own check).")
    examples = (
        (np.array([1, 2, 3]), [0.19661193324148185, 0.10499358540350662, 0.045176659730912]),
        (np.array([[-1.0, 0.0], [0.5, 2.0]]), [[0.19661193324148185, 0.25], [0.2350037122015945, 0.10499358540350662]]),
    )
    for x, expected in examples:
        check_on_array(sigmoid_derivative, "sigmoid_derivative", x, expected, hint,
                       say("a1.sigmoid_derivative.shape-hint", "multiply elementwise with *; np.dot would multiply "
                                                               "matrices."))


# image2vector ----------------------------------------------------------------------------------------

def column_hint(got):
    shape = np.shape(got)
    if len(shape) == 1:
        return say("a1.image2vector.flat-hint", "return a column of shape (a*b*c, 1), not a flat vector of shape "
                                                "(a*b*c,).")
    if len(shape) == 2 and shape[0] == 1:
        return say("a1.image2vector.row-hint", "return a column of shape (a*b*c, 1), not a row of shape (1, a*b*c).")
    return say("a1.image2vector.column-hint", "all a*b*c numbers go into one column: shape (a*b*c, 1), with a, b, "
                                              "c read from image.shape.")


def check_image2vector(image2vector):
    order_hint = say("a1.image2vector.order-hint", "keep reshape's default order (C order: the last axis, the colour "
                                                   "channel, changes fastest); order='F' or a transpose scrambles the "
                                                   "pixels.")
    red, green, blue, gray = [0.9, 0.1, 0.1], [0.2, 0.8, 0.2], [0.1, 0.2, 0.9], [0.5, 0.5, 0.5]
    examples = (
        (np.array([[red, green], [blue, gray]]), [[v] for v in red + green + blue + gray]),
        (np.arange(24).reshape(3, 4, 2), [[v] for v in range(24)]),
    )
    for image, expected in examples:
        check_on_array(image2vector, "image2vector", image, expected, order_hint, column_hint)


# normalize_rows --------------------------------------------------------------------------------------

def check_normalize_rows(normalize_rows):
    hint = say("a1.normalize_rows.hint", "divide each row by the norm of that same row: a norm over axis=1, kept as "
                                         "a column of shape (n, 1) with keepdims=True.")
    examples = (
        (np.array([[3.0, 0.0, 4.0], [2.0, 6.0, 9.0]]), [[0.6, 0.0, 0.8], [2 / 11, 6 / 11, 9 / 11]]),
        (np.array([[1.0, 1.0], [0.0, -5.0]]), [[0.7071067811865475, 0.7071067811865475], [0.0, -1.0]]),
    )
    for x, expected in examples:
        check_on_array(normalize_rows, "normalize_rows", x, expected, hint,
                       say("a1.normalize_rows.shape-hint", "the result has the shape of x: only the lengths of its "
                                                           "rows change."))


# softmax ---------------------------------------------------------------------------------------------

def softmax_hint(got):
    if np.allclose(np.sum(got, axis=1), 1.0):
        return say("a1.softmax.row-hint", "each entry is e^x[i, j] divided by the sum of e^x[i, k] over its own "
                                          "row i.")
    return say("a1.softmax.sum-hint", "each row must sum to 1: divide by the sum of the exponentials over axis=1, "
                                      "with keepdims=True.")


def check_softmax(softmax):
    examples = (
        (np.array([[1.0, 2.0, 3.0], [4.0, 4.0, 4.0]]),
         [[0.09003057317038046, 0.24472847105479767, 0.6652409557748219], [1 / 3, 1 / 3, 1 / 3]]),
        (np.array([[0.0, np.log(3.0)]]), [[0.25, 0.75]]),
    )
    for x, expected in examples:
        check_on_array(softmax, "softmax", x, expected, softmax_hint,
                       say("a1.softmax.shape-hint", "softmax returns one probability per entry: an array of the "
                                                    "shape of x."))


# L1 and L2 -------------------------------------------------------------------------------------------

YHAT = np.array([0.8, 0.1, 0.3, 0.6, 0.95])
Y = np.array([1, 0, 0, 1, 1])


def check_loss(loss, name, expected, hint):
    """``loss(YHAT, Y)`` must be one number equal to ``expected``; the inputs must stay as they were."""
    yhat, y = YHAT.copy(), Y.copy()
    what = f"{name}({as_code(yhat)}, {as_code(y)})"
    got = call(loss, what, yhat, y)
    value = expect_real_number(got, what, say("a1.loss.number-hint", "add the differences up into one number "
                                                                      "(np.sum does that)."))
    expect_close(value, expected, what, hint_for(hint, value))
    expect_unchanged(YHAT, yhat, say("a1.loss.argument-yhat", "The argument yhat of {name}", name=name))
    expect_unchanged(Y, y, say("a1.loss.argument-y", "The argument y of {name}", name=name))


def check_L1(L1):
    check_loss(L1, "L1", 1.05, say("a1.L1.hint", "L1 adds up |yhat - y|: the absolute value of each difference, "
                                                 "then the sum (not the mean)."))


def l2_hint(value):
    if np.isclose(value**2, 0.3025):
        return say("a1.L2.root-hint", "L2 here is the sum of the squared differences, without a square root.")
    return say("a1.L2.hint", "L2 adds up (yhat - y)^2: square each difference, then take the sum (not the mean).")


def check_L2(L2):
    check_loss(L2, "L2", 0.3025, l2_hint)
