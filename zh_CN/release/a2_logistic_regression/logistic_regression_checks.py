"""Visible checks of the logistic-regression assignment.

Each ``check_*`` function runs the student's answer on fixed inputs and raises ``CheckFailed``
with one message saying what is wrong (type, shape, values expected against got) and a hint
for the classic mistakes. It prints nothing, so hidden tests can call it too. The expected
values are results on these fixed inputs only: no reference solution lives here.
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
    mismatched_field,
    passed,
    recognise_mistakes,
)
from course_messages import say

__all__ = [
    "check_dimensions", "check_flatten", "check_standardize", "check_sigmoid", "check_initialize_with_zeros",
    "check_propagate", "check_optimize", "check_predict", "check_model", "passed",
    "check_propagate_alone", "check_optimize_alone", "check_predict_alone", "check_model_alone", "model_answers",
    "excused_by", "failing_answers", "matches_any", "mismatched_field",
]
recognise_mistakes(__file__)  # a catalogued mistake's sentence is its hint (mistake_hints.json)

# A neuron with two inputs and four examples, shared by the propagate and optimize checks.
W = np.array([[0.5], [-1.0]])
B = 0.25
X = np.array([[1.0, -2.0, 0.5, 3.0], [2.0, 0.5, -1.5, 1.0]])
Y = np.array([[1, 0, 1, 0]])

# Model check: three features, eight training and four test examples.
X_TRAIN = np.array([[-0.8, -1.3, -0.2, 0.4, 1.1, 0.1, -0.6, -0.8],
                    [0.7, 1.6, 0.3, -1.2, -1.0, 1.6, 0.2, -1.7],
                    [-0.1, -1.2, -0.6, -0.5, -0.7, 0.6, -0.1, -0.6]])
Y_TRAIN = np.array([[0, 1, 0, 1, 0, 0, 1, 1]])
X_TEST = np.array([[-1.0, -0.2, -1.3, 0.0], [0.0, -0.3, -1.0, -0.4], [-1.1, -1.4, 0.2, -1.1]])
Y_TEST = np.array([[1, 0, 0, 1]])
MODEL_KEYS = {"costs", "Y_prediction_test", "Y_prediction_train", "w", "b", "learning_rate", "num_iterations"}


def call(function, args, what, hint):
    """``function(*args)``; an exception becomes a CheckFailed naming the call, with a hint."""
    try:
        return function(*args)
    except Exception as error:
        # At grading the student's error arrives wrapped; its ename and evalue are the original's.
        fail(say("a2.raised", "{what} raised {error}", what=what, error=describe_error(error)), hint)


def expect_integer(value, what, hint=None):
    """A Python or NumPy integer (not a float, not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        fail(say("a2.not-integer", "{what} should be an integer, got {got}: {value}", what=what,
                 got=type(value).__name__, value=repr(value)), hint)


def expect_float(value, what, hint=None):
    """A Python float or a NumPy floating-point scalar, not an array and not an int."""
    if isinstance(value, np.ndarray):
        fail(say("a2.float-got-array", "{what} should be a float, got an array of shape {shape}", what=what,
                 shape=value.shape), hint)
    if not isinstance(value, (float, np.floating)):
        fail(say("a2.not-float", "{what} should be a float, got {got}: {value}", what=what,
                 got=type(value).__name__, value=repr(value)), hint)


def expect_keys(mapping, keys, what):
    expect_type(mapping, dict, what)
    missing = sorted(set(keys) - set(mapping))
    if missing:
        fail(say("a2.missing-keys", "{what} is missing the key(s) {missing}; it has {present}", what=what,
                 missing=missing, present=sorted(mapping)))


def expect_labels(predictions, m, what):
    """An array (1, m) of 0s and 1s stored as numbers."""
    expect_shape(predictions, (1, m), what, say("a2.labels.shape-hint", "predictions are a row: one 0/1 label per "
                                                                        "column of X"))
    if not np.issubdtype(predictions.dtype, np.number):
        fail(say("a2.labels.not-numbers", "{what} should hold numbers 0 and 1, got dtype {dtype}", what=what,
                 dtype=predictions.dtype),
             say("a2.labels.boolean-hint", "turn a boolean array into numbers with .astype(int) or .astype(float)"))
    if not np.isin(predictions, (0, 1)).all():
        fail(say("a2.labels.values", "{what} should hold only 0 and 1, got {values}", what=what,
                 values=np.unique(predictions)))


def check_dimensions(m_train, m_test, num_px, dataset):
    """Compare the three sizes with the arrays of ``dataset`` (the tuple load_dataset returns)."""
    train_images, _, test_images, _, _ = dataset
    sizes = {"m_train": m_train, "m_test": m_test, "num_px": num_px}
    expected = {"m_train": train_images.shape[0], "m_test": test_images.shape[0],
                "num_px": train_images.shape[1]}
    for name, value in sizes.items():
        expect_integer(value, name, say("a2.dimensions.integer-hint", "read the sizes from .shape, which holds "
                                                                      "integers"))
    for name, value in sizes.items():
        if value != expected[name]:
            fail(say("a2.dimensions.value", "{name} should be {expected}, got {got}", name=name,
                     expected=expected[name], got=value),
                 say("a2.dimensions.hint", "train_set_x_orig has shape {train} = (m_train, num_px, num_px, 3) and "
                                           "test_set_x_orig {test}; labels are (1, m), so their shape[0] is 1",
                     train=train_images.shape, test=test_images.shape))


def check_flattened(flattened, images, name):
    m, rows = images.shape[0], images[0].size
    expect_array(flattened, name)
    if flattened.shape == (m, rows):
        fail(say("a2.flatten.one-per-row", "{name} has shape {shape}: one picture per row", name=name,
                 shape=flattened.shape), say("a2.flatten.transpose-hint", "did you transpose?"))
    expect_shape(flattened, (rows, m), name, say("a2.flatten.shape-hint", "one column per picture: "
                                                                          "(num_px * num_px * 3, m)"))
    if not np.array_equal(flattened.T.reshape(images.shape), images):
        fail(say("a2.flatten.columns", "{name} has the right shape but its columns are not the pictures (column 0 "
                                       "starts {column}, picture 0 starts {picture})", name=name,
                 column=flattened[:5, 0], picture=images[0].ravel()[:5]),
             say("a2.flatten.columns-hint", "column j must be picture j's pixels in order, X[j].ravel(). "
                                            "X.reshape(-1, m) has the right shape but mixes pixels of different "
                                            "pictures: reshape to (m, -1), then transpose"))


def check_flatten(train_set_x_flatten, test_set_x_flatten, dataset):
    """Every column must be one picture's pixels, in order; ``dataset`` as load_dataset returns it."""
    train_images, _, test_images, _, _ = dataset
    check_flattened(train_set_x_flatten, train_images, "train_set_x_flatten")
    check_flattened(test_set_x_flatten, test_images, "test_set_x_flatten")


def check_scaled(scaled, flattened, name):
    expect_shape(scaled, np.shape(flattened), name, say("a2.standardize.shape-hint", "scaling keeps the flattened "
                                                                                     "shape"))
    expected = np.asarray(flattened) / 255
    if np.array_equal(scaled, flattened):
        fail(say("a2.standardize.unchanged", "{name} holds the flattened pixel values unchanged", name=name),
             say("a2.standardize.divide-hint", "did you divide by 255?"))
    if not np.issubdtype(scaled.dtype, np.floating):
        fail(say("a2.standardize.dtype", "{name} should hold floats between 0 and 1, got dtype {dtype}", name=name,
                 dtype=scaled.dtype),
             say("a2.standardize.division-hint", "use true division /, not floor division //"))
    if not np.allclose(scaled, expected):
        hint = say("a2.standardize.centring-hint", "no centring here: only divide the pixel values by 255") \
            if scaled.min() < 0 else \
            say("a2.standardize.255-hint", "divide every pixel by 255, the largest value a pixel can take (not by "
                                           "a maximum of the data)")
        fail(say("a2.standardize.values", "{name} should be the flattened pixels divided by 255.\n"
                                          "  expected (first values): {expected}\n  got:      {got}", name=name,
                 expected=expected[:4, 0], got=scaled[:4, 0]), hint)


def check_standardize(train_set_x, test_set_x, train_set_x_flatten, test_set_x_flatten, dataset):
    """The scaled arrays must be the flattened ones divided by 255, and hold the pictures' own pixels
    (``dataset`` as load_dataset returns it), whatever the flattened arrays hold."""
    train_images, _, test_images, _, _ = dataset
    for scaled, flattened, images, name in ((train_set_x, train_set_x_flatten, train_images, "train_set_x"),
                                            (test_set_x, test_set_x_flatten, test_images, "test_set_x")):
        check_scaled(scaled, flattened, name)
        if not np.allclose(np.sort(np.ravel(scaled)), np.sort(images.ravel()) / 255):
            fail(say("a2.standardize.not-pictures", "{name} does not hold the pictures' pixels divided by 255",
                     name=name),
                 say("a2.standardize.not-pictures-hint", "scale the flattened pictures of the cell above "
                                                         "({name}_flatten / 255); fix the flattening first if its "
                                                         "check fails", name=name))


def check_sigmoid(sigmoid):
    expect_close(expect_real_number(sigmoid(0.0), "sigmoid(0.0)"), 0.5, "sigmoid(0.0)")
    z = np.array([-1.0, 0.0, 2.0])
    expected = [0.2689414213699951, 0.5, 0.8807970779778823]
    exp_hint = say("a2.sigmoid.exp-hint", "use np.exp, which works element by element; math.exp takes only single "
                                          "numbers")
    got = call(sigmoid, (z.copy(),), "sigmoid(np.array([-1.0, 0.0, 2.0]))", exp_hint)
    expect_array(got, "sigmoid(np.array([-1.0, 0.0, 2.0]))", exp_hint)
    if np.allclose(got, 1 - np.asarray(expected)):
        fail(say("a2.sigmoid.mirrored", "{what} gives {got}, mirrored", what="sigmoid(np.array([-1.0, 0.0, 2.0]))",
                 got=got), say("a2.sigmoid.sign-hint", "the exponent is -z: 1 / (1 + np.exp(-z))"))
    expect_close(got, expected, "sigmoid(np.array([-1.0, 0.0, 2.0]))")
    z = np.array([[3.0, -0.5], [0.25, -4.0]])
    expected = [[0.9525741268224334, 0.3775406687981454], [0.5621765008857981, 0.01798620996209156]]
    expect_close(sigmoid(z), expected, say("a2.sigmoid.of-2x2", "sigmoid of a (2, 2) array"))


def check_initialize_with_zeros(initialize_with_zeros):
    for dim in (2, 5):
        result = initialize_with_zeros(dim)
        expect_type(result, (tuple, list), f"initialize_with_zeros({dim})", say("a2.init.return-hint", "return w, b"))
        w, b = result
        w_from = say("a2.init.w-from", "w from initialize_with_zeros({dim})", dim=dim)
        expect_shape(w, (dim, 1), w_from, say("a2.init.column-hint", "a column: np.zeros((dim, 1))"))
        if not np.issubdtype(w.dtype, np.floating):
            fail(say("a2.init.w-dtype", "w should hold floats, got dtype {dtype}", dtype=w.dtype),
                 say("a2.init.floats-hint", "np.zeros((dim, 1)) gives floats"))
        expect_close(w, np.zeros((dim, 1)), w_from)
        expect_float(b, "b", say("a2.init.b-hint", "write b = 0.0, not b = 0"))
        expect_close(b, 0.0, "b")


def fail_m_times_too_large(what):
    fail(say("a2.m-times-too-large", "{what} is m times too large", what=what),
         say("a2.divide-by-m-hint", "did you divide by m?"))


def check_propagate(propagate, sigmoid):
    with depends_on("propagate", sigmoid=lambda: check_sigmoid(sigmoid)):
        check_propagate_alone(propagate)


def check_propagate_alone(propagate):
    inputs = [W.copy(), B, X.copy(), Y.copy()]
    result = propagate(*inputs)
    expect_unchanged(W, inputs[0], "w")
    expect_unchanged(X, inputs[2], "X")
    expect_type(result, (tuple, list), "propagate(w, b, X, Y)", say("a2.propagate.return-hint", "return grads, cost"))
    grads, cost = result
    expect_keys(grads, ("dw", "db"), "grads")
    dw, db = grads["dw"], grads["db"]
    m = X.shape[1]
    expected_dw = np.array([[0.18880862442245283], [-0.14631664268203962]])
    expected_db, expected_cost = 0.001344013700973229, 0.7544142949621546
    without_b = np.array([[0.15273221769584072], [-0.1748515155586801]])
    expect_shape(dw, (2, 1), "dw", say("a2.propagate.dw-shape-hint", "dw has the shape of w: X @ (A - Y).T, did "
                                                                    "you transpose?"))
    if np.allclose(dw, m * expected_dw):
        fail_m_times_too_large("dw")
    if np.allclose(dw, without_b):
        fail(say("a2.propagate.dw-without-b", "dw is what you get with b = 0"),
             say("a2.propagate.forgot-b-hint", "did you forget b? Z = w.T @ X + b"))
    expect_close(dw, expected_dw, "dw")
    expect_float(db, "db", say("a2.propagate.db-hint", "db is a single number: np.sum(A - Y) / m, without axis or "
                                                       "keepdims"))
    if np.isclose(db, m * expected_db):
        fail_m_times_too_large("db")
    expect_close(db, expected_db, "db")
    cost = expect_real_number(cost, "cost", say("a2.propagate.cost-number-hint", "the cost is one number: the mean "
                                                                                 "of the losses"))
    if np.isclose(cost, -expected_cost):
        fail(say("a2.propagate.negative-cost", "cost is {cost}; a cross-entropy is never negative", cost=cost),
             say("a2.propagate.minus-hint", "did you forget the minus sign?"))
    if np.isclose(cost, m * expected_cost):
        fail_m_times_too_large("cost")
    expect_close(cost, expected_cost, "cost",
                 say("a2.propagate.cost-hint", "J = -mean(Y * log(A) + (1 - Y) * log(1 - A)): both terms, and log "
                                               "of A, not of Z"))


def check_optimize(optimize, propagate, sigmoid):
    with depends_on("optimize", propagate=lambda: check_propagate_alone(propagate),
                    sigmoid=lambda: check_sigmoid(sigmoid)):
        check_optimize_alone(optimize)


def check_optimize_alone(optimize):
    inputs = [W.copy(), B, X.copy(), Y.copy()]
    result = optimize(*inputs, num_iterations=201, learning_rate=0.1)
    expect_unchanged(W, inputs[0], "w")
    expect_type(result, (tuple, list), "optimize(...)", say("a2.optimize.return-hint", "return params, grads, costs"))
    params, grads, costs = result
    expect_keys(params, ("w", "b"), "params")
    expect_keys(grads, ("dw", "db"), "grads")
    expect_type(costs, list, "costs")
    expected_costs = [0.7544142949621546, 0.6673102153924888, 0.666796627704437]
    if len(costs) != 3:
        fail(say("a2.optimize.cost-count", "201 iterations should record 3 costs (iterations 0, 100 and 200), got "
                                           "{count}", count=len(costs)),
             say("a2.optimize.cost-count-hint", "append the cost only when i % 100 == 0"))
    if costs[-1] > costs[0]:
        fail(say("a2.optimize.cost-grows", "the cost grows from {first:.6f} to {last:.6f}", first=costs[0],
                 last=costs[-1]),
             say("a2.optimize.direction-hint", "step against the gradient: w = w - learning_rate * dw (did you use + "
                                               "or += ?)"))
    expect_close(np.array(costs), expected_costs, "costs",
                 say("a2.optimize.costs-hint", "is it the cost before each update, with the given learning_rate?"))
    expect_shape(params["w"], (2, 1), "params['w']")
    expect_close(params["w"], [[0.13480482920605816], [-0.36554541394020124]], "params['w']",
                 say("a2.optimize.w-hint", "update w with the learning_rate you were given, once per iteration"))
    expect_float(params["b"], "params['b']")
    expect_close(params["b"], 0.11122661037026875, "params['b']", say("a2.optimize.b-hint", "did you update b too?"))
    expect_close(grads["dw"], [[-0.0001438304763558551], [-0.0009864276680811301]], "grads['dw']",
                 say("a2.optimize.grads-hint", "return the gradients of the last iteration"))
    expect_close(grads["db"], 0.002078270720840214, "grads['db']")


def check_predict(predict, sigmoid):
    with depends_on("predict", sigmoid=lambda: check_sigmoid(sigmoid)):
        check_predict_alone(predict)


def check_predict_alone(predict):
    x = np.array([[1.0, -2.0, 0.5, 3.0, 0.5, 0.2], [2.0, 0.5, -1.5, 1.0, 0.4, 0.2]])
    inputs = [W.copy(), B, x.copy()]
    got = predict(*inputs)
    expect_unchanged(x, inputs[2], "X")
    expect_labels(got, 6, "predict(w, b, X)")
    expect_close(got, [[0, 0, 1, 1, 1, 1]], "predict(w, b, X)",
                 say("a2.predict.hint", "1 where A = sigmoid(w.T @ X + b) > 0.5: threshold A, not Z, and keep b"))
    at_half = predict(np.zeros((2, 1)), 0.0, x.copy())
    expect_labels(at_half, 6, say("a2.predict.zero-weights", "predict with w = 0 and b = 0"))
    if at_half.any():
        fail(say("a2.predict.at-half", "with w = 0 and b = 0 every A is exactly 0.5, which must give 0"),
             say("a2.predict.at-half-hint", "use A > 0.5, not A >= 0.5"))


def model_answers(sigmoid, initialize_with_zeros, propagate, optimize, predict):
    """``{answer: its visible check}`` of the answers model uses, for ``depends_on``."""
    return {"sigmoid": lambda: check_sigmoid(sigmoid),
            "initialize_with_zeros": lambda: check_initialize_with_zeros(initialize_with_zeros),
            "propagate": lambda: check_propagate_alone(propagate), "optimize": lambda: check_optimize_alone(optimize),
            "predict": lambda: check_predict_alone(predict)}


def check_model(model, answers):
    """``answers``: ``model_answers(...)``."""
    with depends_on("model", **answers):
        check_model_alone(model)


def check_model_alone(model):
    inputs = [X_TRAIN.copy(), Y_TRAIN.copy(), X_TEST.copy(), Y_TEST.copy()]
    result = model(*inputs, num_iterations=300, learning_rate=0.1)
    expect_unchanged(X_TRAIN, inputs[0], "X_train")
    expect_keys(result, MODEL_KEYS, say("a2.model.dictionary", "the dictionary model returns"))
    costs = result["costs"]
    expect_type(costs, list, "costs")
    if len(costs) != 3:
        fail(say("a2.model.cost-count", "300 iterations should record 3 costs, got {count}", count=len(costs)),
             say("a2.model.pass-on-hint", "pass num_iterations and learning_rate on to optimize"))
    expect_close(np.array(costs), [0.6931471805599453, 0.46995549454382174, 0.41202002975568874], "costs",
                 say("a2.model.costs-hint", "start from zeros and pass learning_rate on to optimize"))
    expect_shape(result["w"], (3, 1), "w")
    expect_close(result["w"], [[-2.0844220000118714], [-1.357487232680907], [-0.8491752115342887]], "w")
    expect_close(result["b"], -0.7253062038368063, "b")
    if np.shape(result["Y_prediction_train"]) == (1, 4) and np.shape(result["Y_prediction_test"]) == (1, 8):
        fail(say("a2.model.swapped", "Y_prediction_train has the shape of the test labels and Y_prediction_test "
                                     "that of the training labels"),
             say("a2.model.swapped-hint", "did you swap train and test?"))
    expect_labels(result["Y_prediction_train"], 8, "Y_prediction_train")
    expect_labels(result["Y_prediction_test"], 4, "Y_prediction_test")
    expect_close(result["Y_prediction_train"], [[1, 1, 0, 1, 0, 0, 1, 1]], "Y_prediction_train")
    expect_close(result["Y_prediction_test"], [[1, 1, 1, 1]], "Y_prediction_test")
    expect_close(result["learning_rate"], 0.1, "learning_rate")
    expect_close(result["num_iterations"], 300, "num_iterations")
