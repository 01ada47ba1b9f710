"""Visible checks of assignment 5 (making training work).

Each ``check_*`` function runs the student's answer on fixed inputs and raises ``CheckFailed`` with
one message saying what is wrong (type, shape, values expected against got) and a hint for the
classic mistakes. It prints nothing, so hidden tests can call it too. Expected values are results on
these fixed inputs only; no reference solution lives here. The checks use the student's classes
only by constructing them, calling their methods and reading their attributes.
"""

import numpy as np

from coursekit.checks import (
    describe_error,
    expect_close,
    expect_real_number,
    expect_shape,
    expect_unchanged,
    fail,
    passed,
    recognise_mistakes,
)
from coursekit.messages import say

__all__ = [
    "check_sgd", "check_momentum", "check_adagrad", "check_adam", "check_init_scale", "check_dropout",
    "check_batch_norm", "check_batch_norm_gradients", "check_weight_decay", "check_optimizer",
    "expect_values", "numerical_gradient", "passed",
]
recognise_mistakes(__file__)  # a catalogued mistake's sentence is its hint (mistake_hints.json)

# --- optimizers: two parameters, three updates with different gradients ---------------------------
PARAMS = {"W": np.array([[0.5, -1.2, 0.3], [2.0, 0.1, -0.7]]), "b": np.array([0.25, -0.5, 1.0])}
GRADS = [
    {"W": np.array([[0.4, -0.3, 1.5], [-0.8, 0.2, 0.6]]), "b": np.array([-0.5, 0.9, 0.3])},
    {"W": np.array([[-0.2, -0.6, 0.7], [0.5, 1.1, -0.4]]), "b": np.array([0.3, 0.2, -1.2])},
    {"W": np.array([[0.9, 0.4, -0.3], [0.6, -0.5, 0.8]]), "b": np.array([-0.7, 0.6, 0.4])},
]
# The parameters after the first and after the third update, for the settings each check uses.
AFTER = {
    "SGD": (
        {"W": [[0.46, -1.17, 0.15], [2.08, 0.08, -0.76]], "b": [0.3, -0.59, 0.97]},
        {"W": [[0.39, -1.15, 0.11], [1.97, 0.02, -0.8]], "b": [0.34, -0.67, 1.05]},
    ),
    "Momentum": (
        {"W": [[0.46, -1.17, 0.15], [2.08, 0.08, -0.76]], "b": [0.3, -0.59, 0.97]},
        {"W": [[0.3484, -1.0588, -0.162], [2.0452, -0.0968, -0.8544]], "b": [0.388, -0.8156, 1.1028]},
    ),
    "AdaGrad": (
        {"W": [[1.249999687646941e-07, -0.7000001666666111, -0.19999996666666886],
               [2.4999999375000077, -0.399999750000125, -1.1999999166666806]],
         "b": [0.74999990000002, -0.9999999444444507, 0.5000001666666112]},
        {"W": [[-0.22415981829008522, -0.5088603649122209, -0.32227694711719734],
               [1.9666723622883253, -0.6878105324848165, -1.2940404988869474]],
         "b": [0.8769269341991424, -1.3811924095229606, 0.8312252355117588]},
    ),
    "Adam": (
        {"W": [[0.3000000499999875, -1.0000000666666444, 0.10000001333333242],
               [2.199999975000003, -0.09999990000005002, -0.8999999666666723]],
         "b": [0.449999960000008, -0.6999999777777803, 0.8000000666666445]},
        {"W": [[0.12424620995439323, -0.768558055031384, -0.16959535374749904],
               [2.1308441432725505, -0.32738704672987473, -1.0226584821074782]],
         "b": [0.5900867002106829, -1.026585295461699, 0.9657997958881109]},
    ),
}
HINTS = {
    "SGD": say("a5.HINTS.param-param-lr-grad", "param <- param - lr * grad, for every key of params"),
    "Momentum": say("a5.HINTS.v-momentum-v-lr",
            "v <- momentum * v - lr * grad, then param <- param + v; v starts at zeros and is kept between calls "
            "(one v per key)"),
    "AdaGrad": say("a5.HINTS.h-h-grad-grad",
            "h <- h + grad * grad (the squares), then param <- param - lr * grad / (sqrt(h) + 1e-7); h starts at "
            "zeros and is kept between calls"),
    "Adam": say("a5.HINTS.count-the-step-first",
            "count the step first (t <- t + 1), update m and v, correct them by 1 - beta1**t and 1 - beta2**t, then "
            "param <- param - lr * m_hat / (sqrt(v_hat) + 1e-7); m, v and t are kept between calls"),
}
OPTIMIZER_RTOL, OPTIMIZER_ATOL = 1e-5, 1e-6  # room for where the small epsilon sits


def student_error(error):
    """``(name, message)`` of an error raised by student code (at grading it arrives wrapped)."""
    return getattr(error, "ename", type(error).__name__), getattr(error, "evalue", error)


def attempt(call, what, hint=None):
    """``call()``; an exception becomes a CheckFailed naming ``what``, with a hint."""
    try:
        return call()
    except Exception as error:
        fail(say("a5.attempt.raised", "{what} raised {error}", what=what, error=describe_error(error)), hint)


def expect_values(got, expected, what, hint=None, quiet=False, rtol=1e-6, atol=1e-8):
    """``expect_close``; with ``quiet`` the message names what is wrong but shows no expected values."""
    if not quiet:
        expect_close(got, expected, what, hint, rtol=rtol, atol=atol)
        return
    expected, got = np.asarray(expected, dtype=float), np.asarray(got)
    if got.shape != expected.shape:
        fail(say("a5.expect_values.should-have-shape-got",
                "{what} should have shape {shape}, got shape {shape2}", what=what, shape=expected.shape,
                shape2=got.shape), hint)
    if not np.issubdtype(got.dtype, np.number) or not np.allclose(got, expected, rtol, atol):
        fail(say("a5.expect_values.has-wrong-values", "{what} has wrong values", what=what), hint)


def copied(arrays):
    return {key: np.array(value, dtype=float) for key, value in arrays.items()}


def check_optimizer(make, name, settings, after=None, params=None, grads_sequence=None, quiet=False):
    """Build ``make(**settings)``, apply the updates in place and compare with ``after`` (1st, last).

    Also checks that the caller's arrays were changed in place and that the gradients were left alone.
    ``quiet``: failure messages show no expected values (for hidden tests).
    """
    params = copied(PARAMS if params is None else params)
    grads_sequence = GRADS if grads_sequence is None else grads_sequence
    after = AFTER[name] if after is None else after
    described = f"{name}({', '.join(f'{key}={value}' for key, value in settings.items())})"
    optimizer = attempt(lambda: make(**settings), described)
    held = dict(params)  # the arrays the caller holds, as a network's layers do
    for step, grads in enumerate(grads_sequence, start=1):
        given = copied(grads)
        attempt(lambda given=given: optimizer.update(params, given), f"{described}.update(params, grads)",
                HINTS[name])
        for key in grads:
            expect_unchanged(grads[key], given[key], say("a5.optimizer.grads-update-must-only",
                    "grads[{entry!r}] (update must only read the gradients)", entry=key))
        if step not in (1, len(grads_sequence)):
            continue
        expected = after[0] if step == 1 else after[1]
        when = say("a5.optimizer.after-one-update",
                   "after one update") if step == 1 else say("a5.optimizer.after-updates",
                           "after {step} updates", step=step)
        for key in expected:
            if key not in params:
                fail(say("a5.optimizer.params-has-no-key",
                        "params has no key {entry!r} any more {when}", entry=key, when=when),
                    say("a5.optimizer.change-the-values-never", "change the values, never the keys of params"))
            expect_shape(params[key], np.shape(expected[key]), f"params[{key!r}] {when}")
            close = [np.allclose(params[key], values[key], OPTIMIZER_RTOL, OPTIMIZER_ATOL) for values in after]
            if step > 1 and close[0] and not close[1]:
                fail(say("a5.optimizer.params-did-not-change",
                        "params[{entry!r}] did not change after the first update", entry=key),
                    say("a5.optimizer.update-every-time-update", "update every time update is called"))
            expect_values(params[key], expected[key], f"{described}: params[{key!r}] {when}", HINTS[name], quiet,
                          rtol=OPTIMIZER_RTOL, atol=OPTIMIZER_ATOL)
            if not np.allclose(held[key], expected[key], OPTIMIZER_RTOL, OPTIMIZER_ATOL):
                fail(say("a5.optimizer.params-has-the-right",
                        "params[{entry!r}] has the right values {when}, but the array the caller holds did not change: "
                        "update replaced it with a new array", entry=key, when=when),
                     say("a5.optimizer.change-the-arrays-in",
                             "change the arrays in place (params[key] -= ...), not params[key] = params[key] - ...: "
                             "a network's layers hold the same arrays and would never see the new values"))


def check_sgd(SGD):  # noqa: N803 (the student's class)
    check_optimizer(SGD, "SGD", {"lr": 0.1})


def check_momentum(Momentum):  # noqa: N803
    check_optimizer(Momentum, "Momentum", {"lr": 0.1, "momentum": 0.8})


def check_adagrad(AdaGrad):  # noqa: N803
    check_optimizer(AdaGrad, "AdaGrad", {"lr": 0.5})


def check_adam(Adam):  # noqa: N803
    check_optimizer(Adam, "Adam", {"lr": 0.2, "beta1": 0.7, "beta2": 0.9})


# --- initial weights ------------------------------------------------------------------------------
INIT_SCALES = {("std=1", 50): 1.0, ("std=0.01", 50): 0.01, ("xavier", 50): 0.1414213562373095,
               ("he", 50): 0.2, ("xavier", 4): 0.5, ("he", 8): 0.5}


def check_init_scale(init_scale):
    for (method, n_in), expected in INIT_SCALES.items():
        what = f"init_scale({method!r}, {n_in})"
        got = expect_real_number(attempt(lambda m=method, n=n_in: init_scale(m, n), what), what,
                                 say("a5.init_scale.return-one-number-the",
                                         "return one number: the standard deviation"))
        hint = {"xavier": "Xavier: 1 / sqrt(n_in)", "he": "He: sqrt(2 / n_in)"}.get(method)
        expect_close(got, expected, what, hint)
    try:
        init_scale("lecun", 10)
    except Exception as error:
        name, message = student_error(error)
        if name != "ValueError":
            fail(say("a5.init_scale.init-scale-lecun-raised",
                    "init_scale('lecun', 10) raised {name}; it should raise a ValueError naming the method", name=name),
                 say("a5.init_scale.raise-valueerror-f-unknown",
                         "raise ValueError(f'unknown method {method!r}: use ...')"))
        missing = [word for word in ("lecun", "std=1", "std=0.01", "xavier", "he") if word not in str(message)]
        if missing:
            fail(say("a5.init_scale.init-scale-lecun-raised-2",
                    "init_scale('lecun', 10) raised ValueError({message!r}): its message should name the method and "
                    "the methods that exist; it lacks {missing}", message=str(message),
                    missing=", ".join(map(repr, missing))),
                 say("a5.init_scale.raise-valueerror-f-unknown-2",
                         "raise ValueError(f'unknown method {method!r}: use one of {sorted(scales)}')"))
    else:
        fail(say("a5.init_scale.init-scale-lecun-returned",
                "init_scale('lecun', 10) returned a value; an unknown method should raise a ValueError"))


# --- dropout ---------------------------------------------------------------------------------------
def dropout_input(shape, seed):
    """Values with no zeros, of both signs."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


def scale_of(out, x, where, what):
    """The one factor with ``out == factor * x`` on ``where``; fail if there is none."""
    ratios = out[where] / x[where]
    if ratios.size and not np.allclose(ratios, ratios.flat[0]):
        fail(say("a5.scale_of.the-entries-kept-are",
                "{what}: the entries kept are not all the input times the same factor (factors from {min:.4f} to "
                "{max:.4f})", what=what, min=ratios.min(), max=ratios.max()),
             say("a5.scale_of.multiply-x-by-a",
                     "multiply x by a 0/1 mask (and, for inverted dropout, by one constant)"))
    return float(ratios.flat[0]) if ratios.size else 0.0


def check_dropout(Dropout, ratio=0.4, shape=(200, 150), seed=5, tolerance=0.015):  # noqa: N803
    """Invariants: each output 0 or scaled input; backward zeros = forward zeros; test mode deterministic."""
    x = dropout_input(shape, seed)
    dout = dropout_input(shape, seed + 1)
    layer = attempt(lambda: Dropout(ratio), f"Dropout({ratio})")
    given = x.copy()
    out = attempt(lambda: layer.forward(given, True), "forward(x, True)")
    expect_unchanged(x, given, say("a5.dropout.x-forward-must-not", "x (forward must not change its input)"))
    expect_shape(out, shape, "forward(x, True)")
    dropped = out == 0
    rate = dropped.mean()
    if abs(rate - ratio) > tolerance:
        fail(say("a5.dropout.forward-x-true-with",
                "forward(x, True) with dropout_ratio {ratio} set {rate:.1%} of the entries to 0; expected about "
                "{ratio:.0%}", ratio=ratio, rate=rate),
             say("a5.dropout.drop-an-entry-when",
                     "drop an entry when np.random.rand(...) < dropout_ratio (keep it otherwise)"))
    train_scale = scale_of(out, x, ~dropped, "forward(x, True)")
    dx = attempt(lambda: layer.backward(dout.copy()), "backward(dout)")
    expect_shape(dx, shape, "backward(dout)")
    if not np.array_equal(dx == 0, dropped):
        fail(say("a5.dropout.backward-dout-is-zero",
                "backward(dout) is zero at {count_nonzero} places, forward was zero at {count_nonzero2}, and not the "
                "same places", count_nonzero=np.count_nonzero(dx == 0), count_nonzero2=np.count_nonzero(dropped)),
             say("a5.dropout.keep-the-mask-of",
                     "keep the mask of forward (self.mask) and use it in backward: no new random numbers there"))
    backward_scale = scale_of(dx, dout, ~dropped, "backward(dout)")
    if not np.isclose(backward_scale, train_scale):
        fail(say("a5.dropout.backward-multiplies-dout-by",
                "backward multiplies dout by {backward_scale:.4f} where forward multiplied x by {train_scale:.4f}",
                backward_scale=backward_scale, train_scale=train_scale),
             say("a5.dropout.backward-applies-the-same",
                     "backward applies the same mask, and the same scaling, as forward"))
    second = attempt(lambda: layer.forward(x.copy(), True), say("a5.dropout.a-second-forward-x",
            "a second forward(x, True)"))
    if np.array_equal(np.asarray(second) == 0, dropped):
        fail(say("a5.dropout.two-calls-of-forward", "two calls of forward(x, True) dropped exactly the same entries"),
             say("a5.dropout.draw-a-new-mask", "draw a new mask at every forward call"))
    test_out = attempt(lambda: layer.forward(x.copy(), False), "forward(x, False)")
    expect_shape(test_out, shape, "forward(x, False)")
    if np.any(test_out == 0):
        fail(say("a5.dropout.forward-x-false-set",
                "forward(x, False) set entries to 0; at test time no unit is dropped"))
    test_scale = scale_of(test_out, x, np.ones(shape, bool), "forward(x, False)")
    again = attempt(lambda: layer.forward(x.copy(), False), say("a5.dropout.a-second-forward-x-2",
            "a second forward(x, False)"))
    if not np.array_equal(again, test_out):
        fail(say("a5.dropout.forward-x-false-gave",
                "forward(x, False) gave different results on the same input; test mode must be deterministic"))
    keep = 1 - ratio
    inverted = np.isclose(train_scale, 1 / keep) and np.isclose(test_scale, 1.0)
    book = np.isclose(train_scale, 1.0) and np.isclose(test_scale, keep)
    if not (inverted or book):
        fail(say("a5.dropout.training-mode-scales-the",
                "training mode scales the kept entries by {train_scale:.4f} and test mode scales x by "
                "{test_scale:.4f}; with dropout_ratio {ratio} the expected output must be the same in both modes",
                train_scale=train_scale, test_scale=test_scale, ratio=ratio),
             say("a5.dropout.inverted-dropout-x-mask",
                     "inverted dropout: x * mask / {keep:g} in training, x at test; or the book's: x * mask in "
                     "training, x * {keep:g} at test", keep=keep))


# --- batch normalization -------------------------------------------------------------------------
BN_X = np.array([[1.0, 20.0, -3.0], [2.0, 24.0, -1.0], [4.0, 18.0, -2.5], [0.5, 30.0, 0.5], [3.0, 22.0, -1.5]])
BN_GAMMA, BN_BETA = np.array([1.5, 0.5, 2.0]), np.array([0.1, -0.2, 0.3])
BN_OUT = [[-1.1884334962994916, -0.5399500508228312, -2.1494896611335244],
          [-0.017130317845408416, -0.05430712107592958, 1.1164965537111746],
          [2.325476039062758, -0.7827715156962822, -1.3329931074223493],
          [-1.774085085526533, 0.674157273544423, 3.5659862148446986],
          [1.154172860608675, -0.2971285859493804, 0.3]]
BN_RUNNING = {"running_mean": [0.976, 12.568, -1.04], "running_var": [1.5744, 16.2816, 1.44]}


def numerical_gradient(f, array, h=1e-5):
    """Central differences of the scalar ``f()`` with respect to every element of ``array`` (changed and restored)."""
    grad = np.zeros_like(array, dtype=float)
    for index in np.ndindex(array.shape):
        kept = array[index]
        array[index] = kept + h
        plus = f()
        array[index] = kept - h
        minus = f()
        array[index] = kept
        grad[index] = (plus - minus) / (2 * h)
    return grad


def check_batch_norm_gradients(BatchNormalization, x, gamma, beta, dout, what, quiet=False):  # noqa: N803
    """dx, dgamma and dbeta of backward(dout) against numerical gradients of sum(forward(x) * dout)."""
    x, gamma, beta = x.copy(), gamma.copy(), beta.copy()
    same_layer = BatchNormalization(gamma.copy(), beta.copy())  # for x's changes (training mode reads only the batch)

    def weighted_sum(layer=None):
        layer = BatchNormalization(gamma.copy(), beta.copy()) if layer is None else layer
        return float(np.sum(layer.forward(x.copy(), True) * dout))

    expected = {"dx": numerical_gradient(lambda: weighted_sum(same_layer), x),
                "dgamma": numerical_gradient(weighted_sum, gamma),
                "dbeta": numerical_gradient(weighted_sum, beta)}
    layer = attempt(lambda: BatchNormalization(gamma.copy(), beta.copy()), "BatchNormalization(gamma, beta)")
    attempt(lambda: layer.forward(x.copy(), True), "forward(x, True)")
    got = {"dx": attempt(lambda: layer.backward(dout.copy()), "backward(dout)",
                         say("a5.batch_norm_gradients.follow-the-computation-graph",
                                 "follow the computation graph of forward backwards, node by node"))}
    for name in ("dgamma", "dbeta"):
        got[name] = attempt(lambda name=name: getattr(layer, name), say("a5.batch_norm_gradients.the-attribute",
                "the attribute {name}", name=name),
                            say("a5.batch_norm_gradients.backward-must-set-self",
                                    "backward must set self.{name}", name=name))
    hints = {"dx": say("a5.batch_norm_gradients.the-mean-and-the",
            "the mean and the variance depend on every x of the batch: dx has three terms"),
             "dgamma": say("a5.batch_norm_gradients.dgamma-sum-over-the",
                     "dgamma = sum over the batch of dout * x_hat"),
                 "dbeta": say("a5.batch_norm_gradients.dbeta-sum-over-the", "dbeta = sum over the batch of dout")}
    for name, value in expected.items():
        expect_shape(got[name], value.shape, f"{name} {what}")
        expect_values(got[name], value, say("a5.batch_norm_gradients.against-a-numerical-gradient",
                "{name} {what} (against a numerical gradient)", name=name, what=what), hints[name], quiet,
                      rtol=1e-4, atol=1e-6)


def check_batch_norm(BatchNormalization):  # noqa: N803
    x = BN_X.copy()
    layer = attempt(lambda: BatchNormalization(np.ones(3), np.zeros(3)), "BatchNormalization(gamma, beta)")
    out = attempt(lambda: layer.forward(x, True), "forward(x, True)")
    expect_unchanged(BN_X, x, say("a5.batch_norm.x-forward-must-not", "x (forward must not change its input)"))
    expect_shape(out, BN_X.shape, "forward(x, True)")
    if not np.allclose(out.mean(axis=0), 0, atol=1e-6):
        fail(say("a5.batch_norm.with-gamma-and-beta",
                "with gamma = 1 and beta = 0 each feature (column) of forward(x, True) should have mean 0, got {mean}",
                mean=out.mean(axis=0)),
             say("a5.batch_norm.normalize-each-column-mean",
                     "normalize each column: mean and variance over axis=0, the batch"))
    if not np.allclose(out.std(axis=0), 1, atol=1e-3):
        fail(say("a5.batch_norm.with-gamma-and-beta-2",
                "with gamma = 1 and beta = 0 each feature (column) of forward(x, True) should have standard "
                "deviation 1, got {std}", std=out.std(axis=0)),
             say("a5.batch_norm.divide-by-np-sqrt",
                     "divide by np.sqrt(var + 1e-7), the variance over axis=0 (np.var, dividing by N)"))
    layer = attempt(lambda: BatchNormalization(BN_GAMMA.copy(), BN_BETA.copy(), momentum=0.8),
                    "BatchNormalization(gamma, beta, momentum=0.8)")
    out = attempt(lambda: layer.forward(BN_X.copy(), True), "forward(x, True)")
    expect_close(out, BN_OUT, say("a5.batch_norm.forward-x-true-with", "forward(x, True) with gamma and beta"),
                 "gamma * x_hat + beta", rtol=1e-3, atol=1e-5)
    attempt(lambda: layer.forward(BN_X[::-1] * 2 - 1, True), say("a5.batch_norm.a-second-forward-x",
            "a second forward(x, True)"))
    for name, expected in BN_RUNNING.items():
        got = attempt(lambda name=name: getattr(layer, name), say("a5.batch_norm.the-attribute",
                "the attribute {name}", name=name))
        expect_close(got, expected, say("a5.batch_norm.after-two-training-batches",
                "{name} after two training batches with momentum 0.8", name=name),
                     say("a5.batch_norm.starts-at-zeros-after",
                             "{name} starts at zeros; after each training batch: running = momentum * running + (1 - "
                             "momentum) * batch statistic (variance: np.var)", name=name))
    rows = BN_X[:2].copy()
    test_out = attempt(lambda: layer.forward(rows, False), "forward(x, False)")
    mean, var = (np.asarray(BN_RUNNING[name]) for name in ("running_mean", "running_var"))
    expected = BN_GAMMA * (rows - mean) / np.sqrt(var + 1e-7) + BN_BETA
    expect_close(test_out, expected, say("a5.batch_norm.forward-x-false-on", "forward(x, False) on two rows"),
                 say("a5.batch_norm.test-mode-normalizes-with",
                         "test mode normalizes with running_mean and running_var, not with the batch's statistics"),
                     rtol=1e-3, atol=1e-5)
    running_mean = attempt(lambda: layer.running_mean, say("a5.batch_norm.the-attribute-running-mean",
            "the attribute running_mean"))
    expect_close(running_mean, BN_RUNNING["running_mean"], say("a5.batch_norm.running-mean-after-forward",
            "running_mean after forward(x, False)"),
                 say("a5.batch_norm.test-mode-must-not", "test mode must not change the running averages"))
    dout = np.array([[0.3, -1.2, 0.8], [1.1, 0.4, -0.5], [-0.7, 0.9, 0.2], [0.5, -0.3, -1.4], [-0.2, 1.5, 0.6]])
    check_batch_norm_gradients(BatchNormalization, BN_X, BN_GAMMA, BN_BETA, dout, say("a5.batch_norm.for-a-batch-of",
            "for a batch of 5"))


# --- weight decay ----------------------------------------------------------------------------------
WD_PARAMS = {"W1": np.array([[0.5, -1.0], [2.0, 0.25]]), "b1": np.array([3.0, -4.0]),
             "W2": np.array([[1.5], [-0.5]]), "b2": np.array([2.0])}
WD_GRADS = {"W1": np.array([[0.1, 0.2], [-0.3, 0.4]]), "b1": np.array([0.5, -0.6]),
            "W2": np.array([[0.7], [-0.8]]), "b2": np.array([0.9])}


def check_weight_decay(weight_decay_loss, weight_decay_grads):
    params, lam = copied(WD_PARAMS), 0.1
    loss = expect_real_number(attempt(lambda: weight_decay_loss(params, lam), "weight_decay_loss(params, 0.1)"),
                              "weight_decay_loss(params, 0.1)")
    if np.isclose(loss, 0.5 * lam * sum(np.sum(v ** 2) for v in WD_PARAMS.values())):
        fail(say("a5.weight_decay.weight-decay-loss-counts", "weight_decay_loss counts the biases too"),
             say("a5.weight_decay.only-the-weights-the", "only the weights: the keys that start with 'W'"))
    expect_close(loss, 0.390625, "weight_decay_loss(params, 0.1)",
                 say("a5.weight_decay.lambda-sum-of-the",
                         "0.5 * lambda * (sum of the squares of every weight matrix)"))
    grads = copied(WD_GRADS)
    result = attempt(lambda: weight_decay_grads(params, grads, lam), "weight_decay_grads(params, grads, 0.1)")
    for key in WD_GRADS:
        expect_unchanged(WD_GRADS[key], grads[key], say("a5.weight_decay.grads-return-a-new",
                "grads[{entry!r}] (return a new dictionary)", entry=key))
        expect_unchanged(WD_PARAMS[key], params[key], f"params[{key!r}]")
    if not isinstance(result, dict) or set(result) != set(WD_GRADS):
        fail(say("a5.weight_decay.weight-decay-grads-should",
                "weight_decay_grads should return a dict with the keys {wd_grads}, got {result!r}",
                wd_grads=sorted(WD_GRADS), result=result))
    for key in WD_GRADS:
        if key.startswith("W") and np.allclose(result[key], WD_GRADS[key]):
            fail(say("a5.weight_decay.the-gradient-of-is",
                    "the gradient of {entry} is unchanged: the weight-decay term is missing", entry=key),
                 say("a5.weight_decay.add-lambda-w-to", "add lambda * W to the gradient of every weight matrix W"))
    expected = {"W1": [[0.15, 0.1], [-0.1, 0.425]], "b1": [0.5, -0.6], "W2": [[0.85], [-0.85]], "b2": [0.9]}
    for key, value in expected.items():
        expect_close(result[key], value, f"weight_decay_grads(...)[{key!r}]",
                     "weights: grad + lambda * W; biases: unchanged")
