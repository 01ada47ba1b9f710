"""Checks of the gradient-descent notebook (assignment a3_gradient_descent), built on coursekit.checks.

``check_<function>(...)`` runs a student's function on the worked examples of the notebook and
raises CheckFailed with one message on the first thing that is wrong: type, shape or values
(expected against got), with a hint when the result is that of a classic mistake. The expected
values are those examples' results, written out; no reference solution lives here. Hidden
tests reuse these checks, and ``expect_matches`` to compare without showing expected values.

The loss convention of the assignment is the SUM of squared errors over the points.
"""

import numpy as np

from course_checks import (
    dependency_note,
    depends_on,
    describe_error,
    expect_array,
    expect_close,
    expect_real_number,
    expect_shape,
    expect_type,
    expect_unchanged,
    fail,
    matches_any,
    passed,
    recognise_mistakes,
)
from course_messages import argument_of, on_case, say

__all__ = [
    "X_DATA", "Y_DATA", "X_SMALL", "Y_SMALL", "check_loss", "check_loss_grid", "check_gradients",
    "check_gradient_descent", "check_adagrad", "check_numerical_diff", "check_numerical_gradient",
    "check_gradient_descent_fn",
    "expect_matches", "expect_histories", "expect_unchanged", "dependency_note", "matches_any", "passed", "say",
    "on_case", "argument_of", "result_of",
]
recognise_mistakes(__file__)  # a catalogued mistake's sentence is its hint (mistake_hints.json)

# The ten points of the assignment, and three small ones for hand-checkable examples.
X_DATA = np.array([338.0, 333.0, 328.0, 207.0, 226.0, 25.0, 179.0, 60.0, 208.0, 606.0])
Y_DATA = np.array([640.0, 633.0, 619.0, 393.0, 428.0, 27.0, 193.0, 66.0, 226.0, 1591.0])
X_SMALL = np.array([1.0, 2.0, 3.0])
Y_SMALL = np.array([2.0, 3.0, 5.0])

ERROR_HINTS = {
    "NotImplementedError": say("a3.error.not-implemented", "replace `raise NotImplementedError()` with your code."),
    "could not be broadcast": say("a3.error.broadcast", "give bs one axis and ws another (bs[np.newaxis, :, "
                                                        "np.newaxis], ws[:, np.newaxis, np.newaxis]) so that they "
                                                        "spread over a grid."),
    "Cannot cast ufunc": say("a3.error.cast", "an integer array cannot take float results in place: start from a "
                                              "float copy, np.array(x, dtype=float)."),
    "not enough values to unpack": say("a3.error.unpack", "return a tuple: gradients returns (dL/db, dL/dw); the "
                                                          "descents return (b_history, w_history, loss_history)."),
}
SUM_CONVENTION = say("a3.sum-convention", "this assignment's loss is the SUM of the squared errors over the points, "
                                          "not their mean.")


def call(function, what, *args):
    """``function(*args)``; an exception becomes a CheckFailed naming the likely mistake."""
    try:
        return function(*args)
    except Exception as error:
        # At grading time the grader reports the student's error as ename and evalue.
        text = describe_error(error)
    fail(say("a3.raised", "{what} raised {error}", what=what, error=text),
         next((h for key, h in ERROR_HINTS.items() if key in text), None))


def expect_matches(got, expected, what, rtol=1e-6, atol=1e-8):
    """Compare with ``expected`` like expect_close, but never show it (for hidden tests)."""
    expected = np.asarray(expected, dtype=float)
    if expected.shape == ():
        got = expect_real_number(got, what)
    got_array = np.asarray(got)
    if got_array.shape != expected.shape:
        fail(say("a3.hidden-shape", "{what} gives a result of the wrong shape {shape}.", what=what,
                 shape=got_array.shape))
    if not np.issubdtype(got_array.dtype, np.number) or not np.allclose(got_array, expected, rtol, atol):
        fail(say("a3.hidden-values", "{what} gives wrong values.", what=what))


def known_mistake(got, mistakes, rtol=1e-6):
    """The hint of the first ``{hint: result of that mistake}`` entry that ``got`` equals, else None."""
    got = np.asarray(got, dtype=float)
    for hint, value in mistakes.items():
        if got.shape == np.shape(value) and np.allclose(got, value, rtol=rtol, atol=1e-12):
            return hint
    return None


def as_code(value):
    return f"np.array({value.tolist()})" if isinstance(value, np.ndarray) else repr(value)


def call_unchanged(function, name, *args):
    """Call ``function`` on copies of ``args``; every array argument must stay as it was."""
    copies = [arg.copy() if isinstance(arg, np.ndarray) else arg for arg in args]
    shown = ", ".join("x_data" if arg is X_DATA else "y_data" if arg is Y_DATA else as_code(arg) for arg in args)
    what = f"{name}({shown})"
    got = call(function, what, *copies)
    for index, (arg, copy) in enumerate(zip(args, copies, strict=True)):
        if isinstance(arg, np.ndarray):
            expect_unchanged(arg, copy, say("a3.argument", "Argument {number} of {name}", number=index + 1,
                                            name=name))
    return what, got


# loss ------------------------------------------------------------------------------------------------

def result_of(name, what):
    """``dL/db from gradients(...)``: one of the results a call returned."""
    return say("a3.result-of", "{name} from {what}", name=name, what=what)


def check_loss(loss):
    """loss(b, w, x, y) on the small example and on the ten points."""
    for b, w, x, y, expected in ((0, 1, X_SMALL, Y_SMALL, 6.0), (-120, -4, X_DATA, Y_DATA, 36708190.0)):
        what, got = call_unchanged(loss, "loss", b, w, x, y)
        value = expect_real_number(got, what, say("a3.loss.number-hint", "add the squared errors up into one number "
                                                                         "(np.sum does that)."))
        hint = known_mistake(value, {
            SUM_CONVENTION: expected / len(x),
            say("a3.loss.root-hint", "no square root: the loss is the sum of the squared errors itself."):
                np.sqrt(expected),
        }) or say("a3.loss.hint", "the error of point n is y[n] - (b + w * x[n]); square each error, then add them "
                                  "up.")
        expect_close(value, expected, what, hint)


# loss_grid -------------------------------------------------------------------------------------------

GRID_BS, GRID_WS = np.array([-1.0, 0.0, 1.0]), np.array([0.5, 1.5])
GRID_EXPECTED = [[35.5, 18.5, 7.5], [5.5, 0.5, 1.5]]


def check_loss_grid(loss_grid):
    """loss_grid(bs, ws, x, y) on a 2 x 3 grid: Z[i, j] is the loss at b = bs[j], w = ws[i]."""
    what, got = call_unchanged(loss_grid, "loss_grid", GRID_BS, GRID_WS, X_SMALL, Y_SMALL)
    layout = say("a3.loss_grid.layout-hint", "plt.contourf(bs, ws, Z) wants one row per w and one column per b: Z "
                                             "has shape (len(ws), len(bs)) and Z[i, j] is the loss at b = bs[j], "
                                             "w = ws[i].")
    transposed = say("a3.loss_grid.transposed-hint", "plt.contourf(bs, ws, Z) wants one row per w and one column per "
                                                     "b: Z has shape (len(ws), len(bs)) and Z[i, j] is the loss at "
                                                     "b = bs[j], w = ws[i]. Yours looks transposed.")
    expect_shape(got, (2, 3), what, transposed if np.shape(got) == (3, 2) else layout)
    hint = known_mistake(got, {SUM_CONVENTION: np.array(GRID_EXPECTED) / 3}) or layout
    expect_close(got, GRID_EXPECTED, what, hint)


# gradients -------------------------------------------------------------------------------------------

def check_gradients(gradients):
    """gradients(b, w, x, y) returns (dL/db, dL/dw) on the small example and on the ten points."""
    examples = (
        (0, 1, X_SMALL, Y_SMALL, (-8.0, -18.0), (-2.0, -2.0)),
        (-120, -4, X_DATA, Y_DATA, (-32112.0, -11306776.0), None),
    )
    for b, w, x, y, expected, loop_index_typo in examples:
        what, got = call_unchanged(gradients, "gradients", b, w, x, y)
        expect_type(got, (tuple, list), what, say("a3.gradients.tuple-hint", "return the two derivatives as a tuple: "
                                                                             "return db, dw"))
        if len(got) != 2:
            fail(say("a3.gradients.count", "{what} should return 2 numbers (dL/db, dL/dw), got {count}", what=what,
                     count=len(got)))
        values = [expect_real_number(v, result_of(name, what)) for v, name in zip(got, ("dL/db", "dL/dw"), strict=True)]
        mistakes = {
            say("a3.gradients.sign-hint", "mind the sign: dL/db = -2 * sum(y - (b + w * x)), and dL/dw has the same "
                                          "minus sign."): [-v for v in expected],
            say("a3.gradients.factor-hint", "the derivative of (error)^2 is 2 * error * (derivative of the error): the "
                                            "factor 2 is missing."): [v / 2 for v in expected],
            say("a3.gradients.swapped-hint", "(dL/dw, dL/db) swapped: return dL/db first, then dL/dw."): expected[::-1],
            say("a3.gradients.sum-hint", "this assignment's loss is the SUM of the squared errors over the points, "
                                         "not their mean. So its gradient is a sum too, not a mean."):
                [v / len(x) for v in expected],
        }
        if loop_index_typo:
            mistakes[say("a3.gradients.typo-hint", "the error of point n is y[n] - b - w * x[n]: is there an n where b "
                                                   "should be?")] = loop_index_typo
        hint = known_mistake(values, mistakes) or say("a3.gradients.hint", "dL/db = -2 * sum(y - (b + w * x)) and "
                                                                           "dL/dw = -2 * sum((y - (b + w * x)) * x).")
        expect_close(values, expected, result_of("(dL/db, dL/dw)", what), hint)


# gradient_descent and adagrad ------------------------------------------------------------------------

def expect_histories(got, iterations, what):
    """Three histories of iterations + 1 numbers each; returns them as float arrays (b, w, loss)."""
    expect_type(got, (tuple, list), what, say("a3.histories.return-hint", "return b_history, w_history, "
                                                                          "loss_history"))
    if len(got) != 3:
        fail(say("a3.histories.count", "{what} should return 3 histories (b, w, loss), got {count} values",
                 what=what, count=len(got)))
    histories = []
    for history, name in zip(got, ("b_history", "w_history", "loss_history"), strict=True):
        array = np.asarray(history)
        if array.shape != (iterations + 1,):
            fail(say("a3.histories.length", "{history} should hold {count} numbers (the start and one per "
                                            "iteration), got shape {shape}", history=result_of(name, what),
                     count=iterations + 1, shape=array.shape),
                 say("a3.histories.length-hint", "record the starting point first, then the values after each "
                                                 "update."))
        if not np.issubdtype(array.dtype, np.number):
            fail(say("a3.histories.dtype", "{history} should hold numbers, got dtype {dtype}",
                     history=result_of(name, what), dtype=array.dtype))
        histories.append(array.astype(float))
    return histories


def check_descent(function, name, examples, value_hint):
    """Run each (args, expected histories, {hint: histories of a mistake}) example."""
    for args, expected, mistakes in examples:
        what, got = call_unchanged(function, name, *args)
        histories = expect_histories(got, args[-1], what)
        hint = known_mistake(histories, mistakes, rtol=1e-5) or value_hint
        for history, wanted, label in zip(histories, expected, ("b_history", "w_history", "loss_history"),
                                          strict=True):
            expect_close(history, wanted, result_of(label, what), hint, rtol=1e-5)


def descent_dependencies(gradients, loss):
    """The visible checks of the answers the descents call, for ``depends_on``."""
    return {"gradients": lambda: check_gradients(gradients), "loss": lambda: check_loss(loss)}


def check_gradient_descent(gradient_descent, gradients, loss):
    """Three steps on the small example and two on the ten points, from the notebook's start."""
    small = [[0.0, 0.2, 0.3328, 0.420768], [0.0, 0.46, 0.7672, 0.972448],
             [38.0, 17.0264, 7.6892992, 3.532440708096001]]
    b_first = [[0.0, 0.2, 0.33568, 0.427502592], [0.0, 0.436, 0.7336384, 0.93691933696],
               [38.0, 17.771744, 8.367443871907842, 3.995809214457936]]
    uphill = [[0.0, -0.2, -0.4672, -0.823968], [0.0, -0.46, -1.0728, -1.889248],
              [38.0, 67.3464, 119.4747712, 212.071308624896]]
    data = [[-120.0, -119.9967888, -119.9941452065776], [-4.0, -2.8693224, -1.9361549842745602],
            [36708190.0, 25040379.3496748, 17092872.52176081]]
    examples = (
        ((0.0, 0.0, X_SMALL, Y_SMALL, 0.01, 3), small, {
            say("a3.gradient_descent.order-hint", "compute both gradients at the current (b, w) first, then update "
                                                  "both: here w's gradient was taken after b had already moved."):
                b_first,
            say("a3.gradient_descent.uphill-hint", "step against the gradient: b = b - lr * dL/db (the loss should "
                                                   "fall)."): uphill,
        }),
        ((-120, -4, X_DATA, Y_DATA, 1e-7, 2), data, {}),
    )
    with depends_on("gradient_descent", **descent_dependencies(gradients, loss)):
        check_descent(gradient_descent, "gradient_descent", examples,
                      say("a3.gradient_descent.hint", "each iteration: `(db, dw) = gradients(b, w, x, y)`, then "
                                                      "`b = b - lr * db` and `w = w - lr * dw`; `loss_history[k]` is "
                                                      "the loss at `(b_history[k], w_history[k])`."))


def check_adagrad(adagrad, gradients, loss):
    """Three steps with lr = 1 on the small example and two on the ten points."""
    small = [[0.0, 1.0, 1.0995037190209989, 1.092086292820843], [0.0, 1.0, 1.129339184067768, 1.1548636753141006],
             [38.0, 1.0, 0.44329792930146084, 0.418973490522679]]
    no_root = [[0.0, 0.05, 0.07498988999738784, 0.09172335270464826],
               [0.0, 0.021739130434782608, 0.032604843436334185, 0.03987873164661887],
               [38.0, 36.02715973534972, 35.061473317675514, 34.42250892740395]]
    data = [[-120.0, -119.0, -118.35544204123374], [-4.0, -3.0, -2.3545433579600106],
            [36708190.0, 26247740.0, 20428957.928189725]]
    examples = (
        ((0.0, 0.0, X_SMALL, Y_SMALL, 1.0, 3), small, {
            say("a3.adagrad.root-hint", "divide by the square ROOT of the sum of squared gradients: "
                                        "lr / np.sqrt(sum)."): no_root,
        }),
        ((-120, -4, X_DATA, Y_DATA, 1.0, 2), data, {}),
    )
    with depends_on("adagrad", **descent_dependencies(gradients, loss)):
        check_descent(adagrad, "adagrad", examples,
                      say("a3.adagrad.hint", "keep one running sum per parameter of its SQUARED gradients (this "
                                             "step's included), and step by lr / np.sqrt(sum) * gradient. The first "
                                             "step moves each parameter by exactly lr."))


# numerical_diff --------------------------------------------------------------------------------------

def check_numerical_diff(numerical_diff, function_1):
    """numerical_diff(function_1, x) at x = 5 and 10, function_1 being the notebook's 0.01 x^2 + 0.1 x."""
    for x, expected, forward in ((5.0, 0.1999999999990898, 0.20000099999917254),
                                 (10.0, 0.2999999999986347, 0.3000009999976072)):
        what = f"numerical_diff(function_1, {x})"
        value = expect_real_number(call(numerical_diff, what, function_1, x), what,
                                   say("a3.numerical_diff.number-hint", "return one number."))
        hint = known_mistake(value, {
            say("a3.numerical_diff.forward-hint", "that is the forward difference (f(x + h) - f(x)) / h; use the "
                                                  "central one, (f(x + h) - f(x - h)) / (2 * h)."): forward,
            say("a3.numerical_diff.tiny-h-hint", "x + h == x when h is far too small: use h = 1e-4."): 0.0,
        }, rtol=1e-9) or say("a3.numerical_diff.hint", "the central difference (f(x + h) - f(x - h)) / (2 * h) with "
                                                       "h = 1e-4.")
        expect_close(value, expected, what, hint, rtol=1e-9, atol=1e-12)


# numerical_gradient ----------------------------------------------------------------------------------

def check_numerical_gradient(numerical_gradient, function_2, rosenbrock):
    """The book's examples with function_2 (sum of squares), a 2 x 2 and an integer array, and rosenbrock."""
    examples = (
        (function_2, "function_2", np.array([3.0, 4.0]), [6.00000000000378, 7.999999999999119], None),
        (function_2, "function_2", np.array([[1.0, -2.0], [0.5, 3.0]]),
         [[1.9999999999953388, -3.9999999999995595], [0.9999999999976694, 6.000000000012662]],
         say("a3.numerical_gradient.index-hint", "the gradient has the shape of x: loop over every index of x "
                                                 "(np.ndindex(x.shape) gives them all).")),
        (function_2, "function_2", np.array([3, 4]), [6.00000000000378, 7.999999999999119],
         say("a3.numerical_gradient.integer-hint", "an integer array cannot hold x[i] + h (3 + 0.0001 is stored as "
                                                   "3): work on a float copy, np.array(x, dtype=float), and return a "
                                                   "float array.")),
        (rosenbrock, "rosenbrock", np.array([-1.0, 0.5, 2.0]),
         [-204.00000400002227, -450.99999800015667, 350.0000000005343],
         say("a3.numerical_gradient.restore-hint", "after perturbing an entry, put its original value back before "
                                                   "moving to the next one.")),
    )
    for f, f_name, x, expected, hint in examples:
        what = f"numerical_gradient({f_name}, {as_code(x)})"
        before = x.copy()
        got = call(numerical_gradient, what, f, x)
        expect_unchanged(before, x, say("a3.numerical_gradient.argument", "The argument x of numerical_gradient "
                                                                          "({what})", what=what))
        expect_shape(got, x.shape, what, say("a3.numerical_gradient.shape-hint", "return an array of the shape of x: "
                                                                                 "one partial derivative per entry."))
        expect_close(got, expected, what, hint or say("a3.numerical_gradient.hint", "entry i is "
                                                                                    "`(f(x + h e_i) - f(x - h e_i)) / "
                                                                                    "(2 h)`, h = 1e-4."),
                     rtol=1e-7, atol=1e-9)


# gradient_descent_fn ---------------------------------------------------------------------------------

def check_gradient_descent_fn(gradient_descent_fn, function_2, numerical_gradient, rosenbrock):
    """The book's run: function_2 from (-3, 4), lr = 0.1, 100 steps; and 2 steps from an integer start."""
    examples = (
        (np.array([-3.0, 4.0]), 0.1, 100, [-6.111107928998789e-10, 8.148143905314271e-10]),
        (np.array([-3, 4]), 0.25, 2, [-0.75, 1.0]),
    )
    for init_x, lr, steps, expected in examples:
        what = f"gradient_descent_fn(function_2, {as_code(init_x)}, lr={lr}, steps={steps})"
        before = init_x.copy()
        got = call(gradient_descent_fn, what, function_2, init_x, lr, steps)
        if not np.array_equal(before, init_x):
            fail(say("a3.gradient_descent_fn.changed-init", "{what} changed its argument init_x", what=what),
                 say("a3.gradient_descent_fn.copy-hint", "start from a float copy: x = np.array(init_x, dtype=float)."))
        final_hint = say("a3.gradient_descent_fn.final-hint", "return the final x, an array of the shape of init_x.")
        expect_array(got, what, final_hint)
        expect_shape(got, init_x.shape, what, final_hint)
        with depends_on("gradient_descent_fn", numerical_gradient=lambda: check_numerical_gradient(
                numerical_gradient, function_2, rosenbrock)):
            hint = say("a3.gradient_descent_fn.hint", "repeat `steps` times: x = x - lr * numerical_gradient(f, x).")
            expect_close(got, expected, what, hint, rtol=1e-6, atol=1e-11)
