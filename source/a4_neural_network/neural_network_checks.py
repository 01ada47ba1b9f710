"""Checks of the neural_network notebook (assignment a4_neural_network), built on coursekit.checks.

``check_<answer>(...)`` runs a student's function or class on the worked examples of the notebook
and raises CheckFailed with one sentence on the first thing that is wrong: type, shape or values
(expected against got), with a hint for the classic mistakes. The expected values are results on
these fixed inputs, written out; no reference solution lives here.

The hidden tests reuse these checks, ``expect_matches`` to compare without showing the expected
values, and ``expect_gradient`` to judge a backward pass against numerical derivatives.

Classes are used only by constructing them, calling their methods and reading their attributes:
at grading time they are stand-ins for the student's classes, which live in the student's kernel.
"""

import contextlib
import functools

import numpy as np

from coursekit.checks import (
    CheckFailed,
    dependency_note,
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
    fails,
    matches_any,
    passed,
    recognise_mistakes,
)
from coursekit.digits import load_digits_scaled
from coursekit.messages import say

__all__ = [
    "check_step_function", "check_sigmoid", "check_relu", "check_softmax", "check_mean_squared_error",
    "check_cross_entropy_error", "check_numerical_gradient", "check_mul_add_layers", "check_relu_layer",
    "check_sigmoid_layer", "check_affine", "check_softmax_with_loss", "check_softmax_with_loss_alone",
    "check_relative_error",
    "check_two_layer_net", "check_network_numerical_gradient", "check_gradient_check", "check_train_network",
    "network_answers", "check_network_structure", "check_two_layer_net_alone",
    "dependency_note", "excused_by", "failing_answers", "fails", "matches_any",
    "NETWORK_TOLERANCE", "calling", "call", "checking_digits", "expect_gradient", "expect_history",
    "expect_matches", "expect_number", "expect_unchanged", "fail", "set_params", "passed",
]
recognise_mistakes(__file__)  # a catalogued mistake's sentence is its hint (mistake_hints.json)

# Hints for mistakes that end in an exception, keyed by a piece of the error's text.
ERROR_HINTS = {
    "NotImplementedError": say("a4.ERROR_HINTS.replace-raise-notimplementederror-with",
            "replace `raise NotImplementedError()` with your code."),
    "IndexError": say("a4.ERROR_HINTS.an-index-does-not",
            "an index does not fit its array: a mini-batch takes its targets from t_train with the same indices as "
            "its inputs (x_train[batch], t_train[batch]), and labels index the classes."),
    "could not be broadcast": say("a4.ERROR_HINTS.check-the-shapes-a",
            "check the shapes: a sum or max over axis=-1 needs keepdims=True to line up with the rows, and labels "
            "and one-hot targets need different handling."),
    "has no attribute 'mask'": say("a4.ERROR_HINTS.forward-must-store-what",
            "forward must store what backward needs (here self.mask) on self."),
    "has no attribute 'out'": say("a4.ERROR_HINTS.forward-must-store-its",
            "forward must store its output on self (self.out) for backward."),
    "has no attribute 'x'": say("a4.ERROR_HINTS.forward-must-store-its-2",
            "forward must store its (flattened) input on self for backward."),
    "shapes": say("a4.ERROR_HINTS.check-the-shapes-of",
            "check the shapes of the matrix product; an input of more than 2 dimensions must be flattened per "
            "example first: x.reshape(x.shape[0], -1)."),
    "cannot reshape": say("a4.ERROR_HINTS.take-sizes-from-the",
            "take sizes from the arrays' .shape (or let reshape compute one with -1); do not type them in."),
    "positional argument": say("a4.ERROR_HINTS.call-with-the-arguments",
            "call each function and method with the arguments its definition lists, in that order: "
            "net.gradient(x, t), layer.backward(dout)."),
}
# Numerical derivatives: central differences of step H in float64 along random directions, judged by
# the relative error. A correct backward pass gives about 1e-10 (truncation h^2 f'''/6 and rounding
# 1e-16 |f| / h are both near 1e-10 here); the mistakes it must catch give 1e-3 and more.
H = 1e-5
GRADIENT_TOLERANCE = 1e-7
# A network's loss may carry the delta 1e-7 inside its log (the notebook allows it), which moves the
# slope of the loss by about delta / y: up to 1e-5 for the probabilities of the hidden tests. So the
# network's gradients are held to 1e-4, still far below the 1e-2 and more of a real mistake.
NETWORK_TOLERANCE = 1e-4

# Shopping example of the notebook: 2 apples at 100, 3 oranges at 150, tax 1.1.
APPLE, APPLE_NUM, ORANGE, ORANGE_NUM, TAX = 100.0, 2.0, 150.0, 3.0, 1.1

# A 2-3-2 network on two examples, shared by the TwoLayerNet and gradient_check checks.
NET_PARAMS = {
    "W1": np.array([[0.5, -0.3, 0.8], [-0.2, 0.6, 0.1]]),
    "b1": np.array([0.1, -0.1, 0.05]),
    "W2": np.array([[0.4, -0.7], [0.3, 0.9], [-0.6, 0.2]]),
    "b2": np.array([0.05, -0.05]),
}
NET_X = np.array([[1.0, 2.0], [-1.5, 0.5]])
NET_T = np.array([1, 0])


@contextlib.contextmanager
def calling(what, hint=None):
    """Run a call of the student's code; an exception becomes a CheckFailed naming the call."""
    try:
        yield
    except CheckFailed:
        raise
    except Exception as error:
        text = describe_error(error)
        fail(say("a4.calling.raised", "{what} raised {error}", what=what, error=text),
             hint or next((h for key, h in ERROR_HINTS.items() if key in text), None))


def call(function, what, *args, hint=None):
    with calling(what, hint):
        return function(*args)


def expect_number(value, what, hint=None):
    return expect_real_number(value, what, hint or say("a4.expect_number.return-one-number-a",
            "return one number (a float), not an array"))


def expect_matches(got, expected, what, rtol=1e-6, atol=1e-8):
    """Compare with ``expected`` like expect_close, but never show it (for hidden tests)."""
    expected = np.asarray(expected, dtype=float)
    if expected.shape == ():
        got = expect_real_number(got, what)
    else:
        expect_array(got, what)
    got_array = np.asarray(got)
    if got_array.shape != expected.shape:
        fail(say("a4.expect_matches.gives-an-array-of",
                "{what} gives an array of the wrong shape {shape}.", what=what, shape=got_array.shape))
    if not np.issubdtype(got_array.dtype, np.number) or not np.allclose(got_array, expected, rtol, atol):
        fail(say("a4.expect_matches.gives-wrong-values", "{what} gives wrong values.", what=what))


def relative_gap(a, b):
    return abs(a - b) / max(1e-8, abs(a) + abs(b))


def expect_gradient(f, x, grad, what, seed=0, directions=4, tolerance=GRADIENT_TOLERANCE):
    """``grad`` must be the gradient of the number ``f(x)`` at ``x``: checked along random directions.

    For each direction v the central difference (f(x + H v) - f(x - H v)) / 2H must match the sum of
    grad * v to a relative error below ``tolerance``. The message names no expected value.
    """
    expect_shape(grad, np.shape(x), what, say("a4.expect_gradient.a-gradient-has-the",
            "a gradient has the shape of what it is taken with respect to"))
    if not np.issubdtype(grad.dtype, np.floating):
        fail(say("a4.expect_gradient.should-hold-floats-got",
                "{what} should hold floats, got dtype {dtype}", what=what, dtype=grad.dtype))
    rng = np.random.default_rng(seed)
    for _ in range(directions):
        direction = rng.standard_normal(np.shape(x))
        numerical = (f(x + H * direction) - f(x - H * direction)) / (2 * H)
        if not relative_gap(numerical, float(np.sum(grad * direction))) < tolerance:
            fail(say("a4.expect_gradient.disagrees-with-the-numerical",
                    "{what} disagrees with the numerical derivative of the forward pass.", what=what))


def set_params(net, params):
    """Write ``params`` into the arrays of ``net.params`` in place (the layers share those arrays)."""
    arrays = net.params  # one read: item assignments on its arrays write through to the network's
    for key, value in params.items():
        arrays[key][:] = value


def as_code(array):
    return f"np.array({np.asarray(array).tolist()})"


# --- activations -----------------------------------------------------------------------------------

def check_activation(function, name, x, expected, hint):
    what = f"{name}({as_code(x)})"
    before = x.copy()
    got = call(function, what, x)
    expect_shape(got, x.shape, what, say("a4.activation.work-on-the-whole",
            "work on the whole array at once; the result has the shape of x"))
    if not np.issubdtype(got.dtype, np.number):
        fail(say("a4.activation.should-hold-numbers-got",
                "{what} should hold numbers, got dtype {dtype}", what=what, dtype=got.dtype),
            say("a4.activation.turn-booleans-into-numbers", "turn booleans into numbers with .astype(int)"))
    expect_close(got, expected, what, hint)
    expect_unchanged(before, x, say("a4.activation.the-argument-of", "The argument of {name}", name=name))


def check_step_function(step_function):
    x = np.array([-1.0, 0.0, 0.5, 2.0])
    check_activation(step_function, "step_function", x, [0, 0, 1, 1], "1 where x > 0 and 0 elsewhere, 0 included")
    check_activation(step_function, "step_function", np.array([[3, -2], [0, 1]]), [[1, 0], [0, 1]], None)


def check_sigmoid(sigmoid):
    x = np.array([-1.0, 0.0, 2.0])
    check_activation(sigmoid, "sigmoid", x, [0.2689414213699951, 0.5, 0.8807970779778823],
                     say("a4.sigmoid.np-exp-x-with", "1 / (1 + np.exp(-x)), with the minus sign"))
    check_activation(sigmoid, "sigmoid", np.array([[3.0, -0.5]]), [[0.9525741268224334, 0.3775406687981454]], None)


def check_relu(relu):
    x = np.array([-2.0, -0.5, 0.0, 1.5])
    check_activation(relu, "relu", x, [0.0, 0.0, 0.0, 1.5], say("a4.relu.np-maximum-x-keeps",
            "np.maximum(0, x) keeps positive entries, 0 elsewhere"))
    check_activation(relu, "relu", np.array([[4, -1], [-3, 2]]), [[4, 0], [0, 2]], None)


# --- softmax and losses ----------------------------------------------------------------------------

SOFTMAX_ROW = [0.01821127329554753, 0.24519181293507392, 0.7365969137693786]


def check_softmax(softmax):
    x = np.array([0.3, 2.9, 4.0])
    check_activation(softmax, "softmax", x, SOFTMAX_ROW, say("a4.softmax.np-exp-x-np",
            "np.exp(x) / np.sum(np.exp(x)): the entries sum to 1"))
    batch = np.array([[0.3, 2.9, 4.0], [1.0, 1.0, 1.0]])
    what = f"softmax({as_code(batch)})"
    got = call(softmax, what, batch.copy())
    expect_shape(got, batch.shape, what, say("a4.softmax.a-batch-keeps-its",
            "a batch keeps its shape: one row of probabilities per example"))
    if np.allclose(got.sum(), 1) and not np.allclose(got.sum(axis=1), 1):
        fail(say("a4.softmax.makes-the-whole-batch", "{what} makes the whole batch sum to 1, not each row", what=what),
             say("a4.softmax.take-the-max-and",
                     "take the max and the sum over the last axis with keepdims=True: axis=-1, keepdims=True"))
    expect_close(got, [SOFTMAX_ROW, [1 / 3] * 3], what, say("a4.softmax.each-row-is-the",
            "each row is the softmax of that row alone"))
    large = np.array([[1000.0, 1001.0, 1002.0]])
    with np.errstate(over="ignore", invalid="ignore"):
        got = call(softmax, "softmax(np.array([[1000.0, 1001.0, 1002.0]]))", large)
    if not np.all(np.isfinite(got)):
        fail(say("a4.softmax.softmax-np-array-gives",
                "softmax(np.array([[1000.0, 1001.0, 1002.0]])) gives nan or inf"),
             say("a4.softmax.subtract-each-row-s",
                     "subtract each row's maximum before np.exp: np.exp(1000) overflows"))
    expect_close(got, [[0.09003057317038046, 0.24472847105479764, 0.6652409557748219]],
                 "softmax(np.array([[1000.0, 1001.0, 1002.0]]))")


# The example of the notebook: the network says 0.6 for the true class 2, then 0.1 for class 7.
EXAMPLE_Y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
EXAMPLE_T = np.eye(10)[2]


def check_mean_squared_error(mean_squared_error):
    for t, expected in ((EXAMPLE_T, 0.09750000000000003), (np.eye(10)[7], 0.5975)):
        what = say("a4.mean_squared_error.mean-squared-error-y",
                "mean_squared_error(y, t) with the true class {true_class}", true_class=int(np.argmax(t)))
        got = expect_number(call(mean_squared_error, what, EXAMPLE_Y.copy(), t.copy()), what)
        if np.isclose(got, 2 * expected):
            fail(say("a4.mean_squared_error.gives-twice-too-much",
                    "{what} gives {got}, twice too much", what=what, got=got),
                say("a4.mean_squared_error.the-error-is-one", "the error is one half of the sum of squares"))
        if np.isclose(got, expected / EXAMPLE_Y.size):
            fail(say("a4.mean_squared_error.gives", "{what} gives {got}", what=what, got=got),
        say("a4.mean_squared_error.sum-the-squares-times", "sum the squares (times 1/2); do not take their mean"))
        expect_close(got, expected, what, "0.5 * np.sum((y - t) ** 2)")


def check_cross_entropy_error(cross_entropy_error):
    what = say("a4.cross_entropy_error.cross-entropy-error-y",
            "cross_entropy_error(y, t) for one example with a one-hot t, true class 2")
    got = expect_number(call(cross_entropy_error, what, EXAMPLE_Y.copy(), EXAMPLE_T.copy()), what)
    if np.isclose(got, -0.510825457099338):
        fail(say("a4.cross_entropy_error.gives-a-negative-loss",
                "{what} gives {got}, a negative loss", what=what, got=got),
            say("a4.cross_entropy_error.the-error-is-minus",
                    "the error is minus the log of the true class's probability"))
    expect_close(got, 0.510825457099338, what, say("a4.cross_entropy_error.log-delta-only-the",
            "-log(0.6 + delta): only the true class counts"))
    y = np.array([[0.1, 0.7, 0.2], [0.3, 0.3, 0.4]])
    kinds = (say("a4.cross_entropy_error.labels", "labels [1, 2]"),
             say("a4.cross_entropy_error.one-hot-targets", "one-hot targets"))
    for t, kind in zip((np.array([1, 2]), np.eye(3)[[1, 2]]), kinds):
        what = say("a4.cross_entropy_error.cross-entropy-error-y-3",
                "cross_entropy_error(y, t) on a batch of 2 with {kind}", kind=kind)
        got = expect_number(call(cross_entropy_error, what, y.copy(), t.copy()), what)
        if np.isclose(got, 2 * 0.636482641477893):
            fail(say("a4.cross_entropy_error.gives-the-sum-over",
                    "{what} gives {got}, the sum over the batch", what=what, got=got),
                say("a4.cross_entropy_error.divide-by-the-batch", "divide by the batch size: the loss is a mean"))
        expect_close(got, 0.636482641477893, what,
                     say("a4.cross_entropy_error.labels-pick-y-np",
                             "labels pick y[np.arange(batch_size), t]; one-hot targets can be turned into labels "
                             "with np.argmax(t, axis=1)"))
    what = say("a4.cross_entropy_error.cross-entropy-error-y-2",
            "cross_entropy_error(y, t) when the true class has probability 0")
    got = expect_number(call(cross_entropy_error, what, np.array([[0.0, 1.0]]), np.array([0])), what)
    if not np.isfinite(got) or got < 10:
        fail(say("a4.cross_entropy_error.gives-it-should-be",
                "{what} gives {got}; it should be large but finite", what=what, got=got),
             say("a4.cross_entropy_error.add-a-small-delta",
                     "add a small delta inside the log, np.log(y + 1e-7): log(0) is -inf"))


# --- numerical gradient ----------------------------------------------------------------------------

def check_numerical_gradient(numerical_gradient, function_2, HeldWeights):  # noqa: N803 (the notebook's class)
    x = np.array([3.0, 4.0])
    what = "numerical_gradient(function_2, np.array([3.0, 4.0]))"
    got = call(numerical_gradient, what, function_2, x)
    expect_shape(got, (2,), what, say("a4.numerical_gradient.the-gradient-has-the", "the gradient has the shape of x"))
    if np.allclose(got, [6.0001, 8.0001], atol=2e-4) and not np.allclose(got, [6, 8], atol=1e-6):
        fail(say("a4.numerical_gradient.gives-a-forward-difference",
                "{what} gives {got}: a forward difference", what=what, got=got),
            say("a4.numerical_gradient.use-the-central-difference",
                    "use the central difference (f(x+h) - f(x-h)) / (2*h)"))
    if not np.array_equal(x, [3.0, 4.0]):
        fail(say("a4.numerical_gradient.changed-x-to-not",
                "{what} changed x to {x}, not back to exactly [3. 4.]", what=what, x=np.array2string(x, precision=17)),
             say("a4.numerical_gradient.put-each-entry-back",
                     "put each entry back to its original value (x[index] = original) after the two calls of f; "
                     "adding h and subtracting it again leaves a rounding error"))
    expect_close(got, [6.0, 8.0], what, say("a4.numerical_gradient.central-differences-with-h",
            "central differences with h = 1e-4, one entry of x at a time"),
                 rtol=1e-6, atol=1e-6)
    x = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    what = f"numerical_gradient(function_2, {as_code(x)})"
    got = call(numerical_gradient, what, function_2, x)
    expect_shape(got, (2, 3), what, say("a4.numerical_gradient.any-shape-loop-over",
            "any shape: loop over every index, e.g. with np.ndindex(x.shape)"))
    expect_close(got, 2 * x, what, rtol=1e-6, atol=1e-6)
    held = call(HeldWeights, "HeldWeights(W)", np.array([[1.0, -2.0], [0.5, 3.0]]))
    what = "numerical_gradient(held, held.W), held = HeldWeights(np.array([[1.0, -2.0], [0.5, 3.0]]))"
    with calling(say("a4.numerical_gradient.reading-held-w", "reading held.W")):
        weights = held.W
    got = call(numerical_gradient, what, held, weights)
    expect_shape(got, (2, 2), what)
    expect_close(got, [[2.0, -4.0], [1.0, 6.0]], what,
                 say("a4.numerical_gradient.held-reads-the-array",
                         "held reads the array it holds, as a network's loss reads self.params: change the entries "
                         "of the x you were given (x[index] = original + h), not of a copy, and put them back after"),
                 rtol=1e-6, atol=1e-6)


# --- layers ------------------------------------------------------------------------------------------

def check_mul_add_layers(MulLayer, AddLayer):
    apple_layer, tax_layer = MulLayer(), MulLayer()
    with calling(say("a4.mul_add_layers.the-forward-pass-of", "the forward pass of the apples alone")):
        price = tax_layer.forward(apple_layer.forward(APPLE, APPLE_NUM), TAX)
    expect_close(expect_number(price, say("a4.mul_add_layers.the-price-of-apples", "the price of 2 apples with tax")),
                 220.0, say("a4.mul_add_layers.the-price-of-apples", "the price of 2 apples with tax"),
                 "MulLayer.forward(x, y) returns x * y")
    with calling(say("a4.mul_add_layers.the-backward-pass-of-3", "the backward pass of the apples alone")):
        dapple_price, dtax = tax_layer.backward(1.0)
        dapple, dapple_num = apple_layer.backward(dapple_price)
    expect_close(np.array([dapple, dapple_num, dtax]), [2.2, 110.0, 200.0], "(dapple, dapple_num, dtax)",
                 say("a4.mul_add_layers.the-backward-pass-of",
                         "the backward pass of x * y returns (dout * y, dout * x): the inputs swapped"))
    apple_layer, orange_layer, add_layer, tax_layer = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    with calling(say("a4.mul_add_layers.the-forward-pass-with", "the forward pass with oranges")):
        fruit = add_layer.forward(apple_layer.forward(APPLE, APPLE_NUM), orange_layer.forward(ORANGE, ORANGE_NUM))
        price = tax_layer.forward(fruit, TAX)
    expect_close(expect_number(price, say("a4.mul_add_layers.the-price-of-apples-2",
            "the price of 2 apples and 3 oranges with tax")), 715.0,
                 say("a4.mul_add_layers.the-price-of-apples-2",
                     "the price of 2 apples and 3 oranges with tax"), "AddLayer.forward(x, y) returns x + y")
    with calling(say("a4.mul_add_layers.the-backward-pass-with", "the backward pass with oranges")):
        dfruit, dtax = tax_layer.backward(1.0)
        dapple_price, dorange_price = add_layer.backward(dfruit)
        dapple, dapple_num = apple_layer.backward(dapple_price)
        dorange, dorange_num = orange_layer.backward(dorange_price)
    expect_close(np.array([dapple, dapple_num, dorange, dorange_num, dtax]), [2.2, 110.0, 3.3, 165.0, 650.0],
                 "(dapple, dapple_num, dorange, dorange_num, dtax)",
                 say("a4.mul_add_layers.the-backward-pass-of-2",
                         "the backward pass of x + y passes dout on unchanged to both inputs"))


def check_layer(layer, name, x, dout, expected_out, expected_dx, out_hint, dx_hint):
    """forward(x) then backward(dout) on one layer; neither argument may change."""
    x_before, dout_before = x.copy(), dout.copy()
    with calling(f"{name}.forward(x)"):
        out = layer.forward(x)
    expect_shape(out, np.shape(expected_out), f"{name}.forward(x)")
    expect_close(out, expected_out, f"{name}.forward(x)", out_hint)
    expect_unchanged(x_before, x, say("a4.layer.x-the-argument-of", "x (the argument of {name}.forward)", name=name))
    with calling(f"{name}.backward(dout)"):
        dx = layer.backward(dout)
    expect_unchanged(dout_before, dout, say("a4.layer.dout-the-argument-of",
            "dout (the argument of {name}.backward)", name=name))
    expect_shape(dx, np.shape(expected_dx), f"{name}.backward(dout)", say("a4.layer.dx-has-the-shape",
            "dx has the shape of the input x"))
    expect_close(dx, expected_dx, f"{name}.backward(dout)", dx_hint)


def check_relu_layer(Relu):
    x = np.array([[1.0, -0.5], [-2.0, 3.0]])
    dout = np.array([[0.5, 2.0], [-1.0, -0.25]])
    check_layer(Relu(), "Relu()", x, dout, [[1.0, 0.0], [0.0, 3.0]], [[0.5, 0.0], [0.0, -0.25]],
                say("a4.relu_layer.keep-positive-entries-of", "keep positive entries of x, 0 elsewhere"),
                say("a4.relu_layer.dout-passes-where-x",
                        "dout passes where x was positive and is 0 elsewhere; build a new array (dout.copy(), "
                        "np.where)"))


def check_sigmoid_layer(Sigmoid):
    x = np.array([[1.0, -0.5], [-2.0, 3.0]])
    dout = np.array([[1.0, 2.0], [-1.0, 0.5]])
    out = [[0.7310585786300049, 0.3775406687981454], [0.11920292202211755, 0.9525741268224334]]
    dx = [[0.19661193324148185, 0.470007424403189], [-0.1049935854035065, 0.022588329865456]]
    check_layer(Sigmoid(), "Sigmoid()", x, dout, out, dx, "1 / (1 + np.exp(-x))",
                say("a4.sigmoid_layer.dx-dout-out-out", "dx = dout * out * (1 - out), with out the output of forward"))


AFFINE_W = np.array([[0.2, -0.5, 1.0], [0.7, 0.1, -0.3]])
AFFINE_B = np.array([0.5, -1.0, 0.25])


def check_affine(Affine):
    x = np.array([[1.0, 2.0], [-1.0, 0.5]])
    dout = np.array([[1.0, -2.0, 0.5], [0.25, 1.0, -1.0]])
    layer = call(Affine, "Affine(W, b)", AFFINE_W.copy(), AFFINE_B.copy())
    check_layer(layer, "Affine(W, b)", x, dout, [[2.1, -1.3, 0.65], [0.65, -0.45, -0.9]],
                [[1.7, 0.35], [-1.45, 0.575]], "x @ W + b",
                say("a4.affine.dx-dout-w-t", "dx = dout @ W.T, reshaped to the shape of the input x"))
    with calling(say("a4.affine.reading-layer-dw-and", "reading layer.dW and layer.db after backward"),
                 say("a4.affine.backward-must-set-self", "backward must set self.dW and self.db")):
        dW, db = layer.dW, layer.db
    expect_shape(dW, (2, 3), "layer.dW", say("a4.affine.dw-has-the-shape", "dW has the shape of W: x.T @ dout"))
    expect_close(dW, [[0.75, -3.0, 1.5], [2.125, -3.5, 0.5]], "layer.dW", "dW = x.T @ dout")
    expect_shape(db, (3,), "layer.db",
                 say("a4.affine.db-has-the-shape",
                         "db has the shape of b: sum dout over the examples, np.sum(dout, axis=0)"))
    expect_close(db, [1.25, -1.0, -0.5], "layer.db", "db = np.sum(dout, axis=0)")
    images = np.arange(8, dtype=float).reshape(2, 1, 2, 2) / 4
    layer = call(Affine, "Affine(W, b)", np.ones((4, 3)) / 4, np.zeros(3))
    with calling(say("a4.affine.affine-forward-on-a-2", "Affine.forward on a batch of 2 images of shape (1, 2, 2)")):
        out = layer.forward(images)
    expect_shape(out, (2, 3), say("a4.affine.affine-forward-on-a", "Affine.forward on a batch of shape (2, 1, 2, 2)"),
                 say("a4.affine.flatten-each-example-first", "flatten each example first: x.reshape(x.shape[0], -1)"))
    expect_close(out, [[0.375] * 3, [1.375] * 3], say("a4.affine.affine-forward-on-a",
            "Affine.forward on a batch of shape (2, 1, 2, 2)"))
    with calling(say("a4.affine.affine-backward-after-a", "Affine.backward after a batch of shape (2, 1, 2, 2)")):
        dx = layer.backward(np.ones((2, 3)))
    expect_shape(dx, (2, 1, 2, 2), say("a4.affine.affine-backward-after-a",
            "Affine.backward after a batch of shape (2, 1, 2, 2)"),
                 say("a4.affine.return-dx-in-the",
                         "return dx in the shape of the original input: remember x.shape in forward, reshape dx to it"))


def check_softmax_with_loss(SoftmaxWithLoss, softmax, cross_entropy_error):  # noqa: N803
    with depends_on("SoftmaxWithLoss", softmax=lambda: check_softmax(softmax),
                    cross_entropy_error=lambda: check_cross_entropy_error(cross_entropy_error)):
        check_softmax_with_loss_alone(SoftmaxWithLoss)


def check_softmax_with_loss_alone(SoftmaxWithLoss):  # noqa: N803
    scores = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]])
    labels = np.array([0, 2])
    expected_dx = [[-0.17049943055701605, 0.12121648535235696, 0.04928294520465909],
                   [0.05805726733707058, 0.42898840530422855, -0.4870456726412992]]
    for t, kind in ((labels, "labels [0, 2]"), (np.eye(3)[labels], say("a4.softmax_with_loss_alone.one-hot-targets",
            "one-hot targets"))):
        layer = call(SoftmaxWithLoss, "SoftmaxWithLoss()")
        what = say("a4.softmax_with_loss.forward-with", "SoftmaxWithLoss().forward(x, t) with {kind}", kind=kind)
        with calling(what):
            loss = layer.forward(scores.copy(), t.copy())
        loss = expect_number(loss, what)
        expect_close(loss, 2.0351021059743366, what,
                     say("a4.softmax_with_loss_alone.the-loss-is-the",
                             "the loss is the mean cross-entropy of softmax(x) against t, over the batch"))
        what = say("a4.softmax_with_loss.backward-with", "SoftmaxWithLoss().backward(1) with {kind}", kind=kind)
        with calling(what):
            dx = layer.backward(1)
        expect_shape(dx, (2, 3), what, say("a4.softmax_with_loss_alone.dx-has-the-shape",
                "dx has the shape of the scores x"))
        if np.allclose(dx, 2 * np.asarray(expected_dx)):
            fail(say("a4.softmax_with_loss_alone.is-twice-too-large", "{what} is twice too large", what=what),
                 say("a4.softmax_with_loss_alone.divide-y-t-by",
                         "divide (y - t) by the batch size: the loss is a mean over it"))
        expect_close(dx, expected_dx, what, "dx = (softmax(x) - one-hot t) / batch_size")


# --- gradient check, the network, training ---------------------------------------------------------

def check_relative_error(relative_error):
    a, b = np.array([1.0, 2.0, -3.0]), np.array([1.0, 2.2, -3.0])
    what = "relative_error(np.array([1.0, 2.0, -3.0]), np.array([1.0, 2.2, -3.0]))"
    got = expect_number(call(relative_error, what, a, b), what)
    expect_close(got, 0.2 / 4.2, what, say("a4.relative_error.the-largest-of-a",
            "the largest of |a - b| / max(1e-8, |a| + |b|), entry by entry"))
    what = say("a4.relative_error.relative-error-of-two", "relative_error of two zero arrays")
    expect_close(expect_number(call(relative_error, what, np.zeros(3), np.zeros(3)), what), 0.0, what,
                 say("a4.relative_error.e-in-the-denominator",
                         "1e-8 in the denominator keeps 0 / 0 away: np.maximum(1e-8, |a| + |b|)"))
    what = "relative_error(np.array([[1e-9, 0.5]]), np.array([[3e-9, 0.5]]))"
    got = expect_number(call(relative_error, what, np.array([[1e-9, 0.5]]), np.array([[3e-9, 0.5]])), what)
    expect_close(got, 0.2, what, say("a4.relative_error.the-denominator-of-each",
            "the denominator of each entry is max(1e-8, |a| + |b|)"))


# Results of the 2-3-2 network with NET_PARAMS on NET_X, NET_T.
NET_SCORES = [[-0.26, 0.74], [0.245, 0.535]]
NET_LOSS = 0.580942182660996
NET_GRADIENT = {
    "W1": [[0.1479177817534973, -0.33808068623018195, -0.10757656854799805],
           [0.2958355635069946, -0.07556543288226929, -0.2151531370959961]],
    "b1": [0.1479177817534973, 0.09091641346845705, -0.10757656854799805],
    "W2": [[0.02689414213699951, -0.02689414213699951], [-0.07832217465474553, 0.07832217465474553],
           [0.14119424621924745, -0.14119424621924745]],
    "b2": [-0.15152735578076176, 0.15152735578076176],
}


def network_answers(Affine, Relu, SoftmaxWithLoss, softmax, cross_entropy_error):  # noqa: N803
    """``{answer: its visible check}`` of the answers a TwoLayerNet is built from, for ``depends_on``."""
    return {"Affine": lambda: check_affine(Affine), "Relu": lambda: check_relu_layer(Relu),
            "SoftmaxWithLoss": lambda: check_softmax_with_loss_alone(SoftmaxWithLoss),
            "softmax": lambda: check_softmax(softmax),
            "cross_entropy_error": lambda: check_cross_entropy_error(cross_entropy_error)}


def check_two_layer_net(TwoLayerNet, answers):  # noqa: N803
    """The network's parts, then its values on the 2-3-2 example; ``answers``: ``network_answers(...)``."""
    net = check_network_structure(TwoLayerNet)
    with depends_on("TwoLayerNet", **answers):
        check_network_values(net)


def check_two_layer_net_alone(TwoLayerNet):  # noqa: N803
    check_network_values(check_network_structure(TwoLayerNet))


def check_network_structure(TwoLayerNet):  # noqa: N803
    """A TwoLayerNet(2, 3, 2) with the parameters and layers the notebook asks for (returned)."""
    net = call(TwoLayerNet, "TwoLayerNet(2, 3, 2)", 2, 3, 2)
    with calling(say("a4.network_structure.reading-net-params", "reading net.params"),
                 say("a4.network_structure.store-the-parameters-in", "store the parameters in a dict self.params")):
        params = net.params
    expect_type(params, dict, "net.params")
    if sorted(params) != ["W1", "W2", "b1", "b2"]:
        fail(say("a4.network_structure.net-params-should-have",
                "net.params should have the keys W1, b1, W2, b2, got {params}", params=sorted(params)))
    for key, shape in (("W1", (2, 3)), ("b1", (3,)), ("W2", (3, 2)), ("b2", (2,))):
        expect_shape(params[key], shape, say("a4.network_structure.params-of-net",
                "net.params['{entry}'] of TwoLayerNet(2, 3, 2)", entry=key))
    with calling(say("a4.network_structure.reading-net-layers", "reading net.layers"),
                 say("a4.network_structure.store-the-layers-in", "store the layers in an OrderedDict self.layers")):
        names = list(net.layers)
    if names != ["Affine1", "Relu1", "Affine2"]:
        fail(say("a4.network_structure.net-layers-should-hold",
                "net.layers should hold the layers 'Affine1', 'Relu1', 'Affine2' in this order, got {names}",
                names=names))
    return net


def check_network_values(net):
    with calling(say("a4.network_values.writing-into-net-params",
            "writing into net.params['W1'] and the other parameters")):
        set_params(net, NET_PARAMS)
    x = NET_X.copy()
    with calling("net.predict(x)"):
        scores = net.predict(x)
    expect_shape(scores, (2, 2), "net.predict(x)")
    expect_close(scores, NET_SCORES, "net.predict(x)",
                 say("a4.network_values.the-layers-must-use",
                         "the layers must use the arrays of self.params (Affine(self.params['W1'], "
                         "self.params['b1']))"))
    expect_unchanged(NET_X, x, say("a4.network_values.x-the-argument-of", "x (the argument of net.predict)"))
    with calling("net.loss(x, t)"):
        loss = expect_number(net.loss(x, NET_T.copy()), "net.loss(x, t)")
    expect_close(loss, NET_LOSS, "net.loss(x, t)", say("a4.network_values.the-loss-of-the",
            "the loss of the last layer on the scores of predict"))
    for t, kind in ((NET_T, "labels"), (np.eye(2)[NET_T], say("a4.network_values.one-hot-targets", "one-hot targets"))):
        what = say("a4.network_values.accuracy-with", "net.accuracy(x, t) with {kind}", kind=kind)
        with calling(what):
            accuracy = expect_number(net.accuracy(x, t.copy()), what)
        expect_close(accuracy, 0.5, what,
                     say("a4.network_values.the-fraction-of-examples",
                             "the fraction of examples whose highest score is the true class: a number between 0 and "
                             "1"))
    with calling("net.gradient(x, t)"):
        grads = net.gradient(x, NET_T.copy())
    expect_type(grads, dict, "net.gradient(x, t)")
    for key, expected in NET_GRADIENT.items():
        if key not in grads:
            fail(say("a4.network_values.net-gradient-x-t", "net.gradient(x, t) has no key '{entry}'", entry=key),
                 say("a4.network_values.return-a-dict-with", "return a dict with the keys of self.params"))
        expect_shape(grads[key], np.shape(expected), f"net.gradient(x, t)['{key}']")
        expect_close(grads[key], expected, f"net.gradient(x, t)['{key}']",
                     say("a4.network_values.backward-through-the-last",
                             "backward through the last layer, then through the layers in reverse order; the "
                             "gradients are the Affine layers' dW and db"))
    with calling(say("a4.network_values.net-params-after-net", "net.params after net.gradient(x, t)")):
        after = net.params
    for key, value in NET_PARAMS.items():
        expect_unchanged(value, after[key], say("a4.network_values.net-params-net-gradient",
                "net.params['{entry}'] (net.gradient must not update it)", entry=key))


def check_network_numerical_gradient(TwoLayerNet, numerical_gradient, function_2, HeldWeights,  # noqa: N803
                                     answers):
    """net.numerical_gradient(x, t) of the 2-3-2 network: the notebook's numerical_gradient on each parameter."""
    net = call(TwoLayerNet, "TwoLayerNet(2, 3, 2)", 2, 3, 2)
    with calling(say("a4.network_numerical_gradient.writing-into-net-params",
            "writing into net.params['W1'] and the other parameters")):
        set_params(net, NET_PARAMS)
    with depends_on("net.numerical_gradient", **answers,
                    numerical_gradient=lambda: check_numerical_gradient(numerical_gradient, function_2, HeldWeights)):
        with calling("net.numerical_gradient(x, t)"):
            numerical = net.numerical_gradient(NET_X.copy(), NET_T.copy())
        expect_type(numerical, dict, "net.numerical_gradient(x, t)")
        for key, expected in NET_GRADIENT.items():
            if key not in numerical:
                fail(say("a4.network_numerical_gradient.net-numerical-gradient-x",
                        "net.numerical_gradient(x, t) has no key '{entry}'", entry=key),
                    say("a4.network_numerical_gradient.return-a-dict-with",
                            "return a dict with the keys of self.params"))
            expect_close(numerical[key], expected, f"net.numerical_gradient(x, t)['{key}']",
                         say("a4.network_numerical_gradient.numerical-gradient-of-a",
                                 "numerical_gradient of a function of the parameter that returns self.loss(x, t), "
                                 "given self.params[key] itself (not a copy), so that its changes reach the layers"),
                         rtol=1e-5, atol=1e-7)


def check_gradient_check(gradient_check, TwoLayerNet, relative_error, numerical_gradient, function_2,
                         HeldWeights, answers):  # noqa: N803
    with depends_on("gradient_check", TwoLayerNet=lambda: check_two_layer_net_alone(TwoLayerNet), **answers,
                    numerical_gradient=lambda: check_numerical_gradient(numerical_gradient, function_2, HeldWeights),
                    relative_error=lambda: check_relative_error(relative_error)):
        check_gradient_check_alone(gradient_check, TwoLayerNet)


def check_gradient_check_alone(gradient_check, TwoLayerNet):
    net = call(TwoLayerNet, "TwoLayerNet(2, 3, 2)", 2, 3, 2)
    with calling(say("a4.gradient_check_alone.writing-into-net-params", "writing into net.params")):
        set_params(net, NET_PARAMS)
    what = say("a4.gradient_check_alone.gradient-check-net-x", "gradient_check(net, x, t) on a correct network")
    errors = call(gradient_check, what, net, NET_X.copy(), NET_T.copy())
    expect_type(errors, dict, what, say("a4.gradient_check_alone.return-a-dict",
            "return a dict {parameter name: relative error}"))
    if sorted(errors) != ["W1", "W2", "b1", "b2"]:
        fail(say("a4.gradient_check_alone.should-have-the-keys",
                "{what} should have the keys W1, b1, W2, b2, got {errors}", what=what, errors=sorted(errors)))
    for key, error in errors.items():
        error = expect_number(error, f"{what}['{key}']", say("a4.gradient_check_alone.relative-error-returns-one",
                "relative_error returns one number"))
        if not 0 <= error < 1e-6:
            fail(say("a4.gradient_check_alone.gives-for-backpropagation-and",
                    "{what} gives {error:.3g} for {entry}; backpropagation and the numerical gradient agree to about "
                    "1e-7 here", what=what, error=error, entry=key),
                 say("a4.gradient_check_alone.compare-net-gradient-x",
                         "compare net.gradient(x, t) with net.numerical_gradient(x, t)"))


def expect_history(history, epochs, what):
    expect_type(history, dict, what, say("a4.expect_history.return-the-dict",
            "return the dict {'loss': [...], 'train_acc': [...], 'test_acc': [...]}"))
    for key in ("loss", "train_acc", "test_acc"):
        if key not in history:
            fail(say("a4.expect_history.the-history-has-no", "the history has no key '{entry}'", entry=key),
                 "return {'loss': [...], 'train_acc': [...], 'test_acc': [...]}")
        expect_type(history[key], list, f"history['{key}']")
        if len(history[key]) != epochs:
            fail(say("a4.expect_history.history-of-has-entries",
                    "history['{entry}'] of {what} has {count} entries, one per epoch: {epochs} expected", entry=key,
                    what=what, count=len(history[key]), epochs=epochs),
                 say("a4.expect_history.an-epoch-is-len",
                         "an epoch is len(x_train) // batch_size iterations; record at the end of each one"))
        for value in history[key]:
            expect_number(value,
        say("a4.expect_history.an-entry-of-history", "an entry of history['{entry}']", entry=key))


def checking_digits():
    """``(x_train, t_train, x_test, t_test)`` for the checks: every fifth digit is a test digit (fast to load)."""
    x, t = scaled_digits()
    test = np.arange(len(t)) % 5 == 0
    return x[~test], t[~test], x[test], t[test]


@functools.cache
def scaled_digits():
    """The digits, read once per process (callers get copies through the indexing in checking_digits)."""
    return load_digits_scaled()


def check_train_network(train_network, TrainingCheckNet):  # noqa: N803 (the notebook's class)
    """Train the course's TrainingCheckNet(64, 20, 10) for 3 short epochs on the digits: the history must fit and
    the loss go down. Not your TwoLayerNet: train_network is judged on its own."""
    x_train, t_train, x_test, t_test = checking_digits()
    net = call(TrainingCheckNet, "TrainingCheckNet(64, 20, 10, 0)", 64, 20, 10, 0)
    what = "train_network(net, x_train, t_train, x_test, t_test, 42, 100, 0.2, 0)"
    history = call(train_network, what, net, x_train, t_train, x_test, t_test, 42, 100, 0.2, 0)
    expect_history(history, 3, what)
    losses = np.array(history["loss"], dtype=float)
    if not losses[-1] < 0.9 * losses[0]:
        fail(say("a4.train_network.the-loss-per-epoch",
                "the loss per epoch of {what} does not go down: {losses}", what=what, losses=losses),
             say("a4.train_network.update-every-parameter-in",
                     "update every parameter in place against its gradient: network.params[key] -= learning_rate * "
                     "grads[key] (a new array in params would not reach the layers)"))
    accuracy = history["test_acc"][-1]
    if not 0.5 < accuracy <= 1:
        fail(say("a4.train_network.after-epochs-the-test",
                "after 3 epochs the test accuracy in the history is {accuracy}; this network reaches about 0.8",
                accuracy=accuracy),
             say("a4.train_network.record-network-accuracy-x",
                     "record network.accuracy(x_test, t_test), a fraction between 0 and 1"))
