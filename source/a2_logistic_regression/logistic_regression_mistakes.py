"""Known mistakes of assignment 2, per graded answer: the instructor's catalog.

``MISTAKES[part][name]`` holds ``says``, one whole sentence for the student (what is wrong and what to change,
never the fix in code), and ``edits``, the mistake written as ``(solution text, replacement)`` edits of the
answer cell ``answer_<part>``. The edits hold solution text: this file never travels to the release or to a
student's kernel (see ``coursekit.grading.grader.mistakes``).
"""

MISTAKES = {
    "dimensions": {
        "sizes_from_axis_1": {
            "says": "It reads the number of examples from the second axis; the pictures are counted "
                    "along the first axis.",
            "edits": [
                (
                    "train_set_x_orig.shape[0]",
                    "train_set_x_orig.shape[1]",
                ),
                (
                    "test_set_x_orig.shape[0]",
                    "test_set_x_orig.shape[1]",
                ),
            ],
        },
        "sizes_from_labels": {
            "says": "It counts the examples along the labels' first axis, which has length 1; count "
                    "them along the pictures' first axis.",
            "edits": [
                (
                    "m_train = train_set_x_orig.shape[0]",
                    "m_train = train_set_y.shape[0]",
                ),
                (
                    "m_test = test_set_x_orig.shape[0]",
                    "m_test = test_set_y.shape[0]",
                ),
            ],
        },
        "test_size_from_train": {
            "says": "It takes the number of test examples from the training set; count the test pictures.",
            "edits": [
                (
                    "m_test = test_set_x_orig.shape[0]",
                    "m_test = train_set_x_orig.shape[0]",
                ),
            ],
        },
        "pixel_count_as_num_px": {
            "says": "It multiplies the height by the width; num_px is the side of one square picture.",
            "edits": [
                (
                    "num_px = train_set_x_orig.shape[1]",
                    "num_px = train_set_x_orig.shape[1] * train_set_x_orig.shape[2]",
                ),
            ],
        },
        "constant_arrays": {
            "says": "It reads num_px from the colour channels' axis; read it from the pictures' height.",
            "edits": [
                (
                    "num_px = train_set_x_orig.shape[1]",
                    "num_px = train_set_x_orig.shape[3]",
                ),
            ],
        },
    },
    "flatten": {
        "sizes_from_axis_1": {
            "says": "It reshapes the whole array at once without a transpose, which mixes the pixels "
                    "of different pictures; flatten each picture into a row first, then transpose.",
            "edits": [
                (
                    "train_set_x_orig.reshape(train_set_x_orig.shape[0], -1).T",
                    "train_set_x_orig.reshape(-1, train_set_x_orig.shape[0])",
                ),
                (
                    "test_set_x_orig.reshape(test_set_x_orig.shape[0], -1).T",
                    "test_set_x_orig.reshape(-1, test_set_x_orig.shape[0])",
                ),
            ],
        },
        "sizes_from_labels": {
            "says": "It leaves one picture per row; transpose so that each picture is a column.",
            "edits": [
                (
                    "(train_set_x_orig.shape[0], -1).T",
                    "(train_set_x_orig.shape[0], -1)",
                ),
                (
                    "(test_set_x_orig.shape[0], -1).T",
                    "(test_set_x_orig.shape[0], -1)",
                ),
            ],
        },
        "test_size_from_train": {
            "says": "It transposes the pictures before flattening, which puts their pixels in another "
                    "order; flatten each picture in its own order.",
            "edits": [
                (
                    "train_set_x_orig.reshape(train_set_x_orig.shape[0], -1).T",
                    "train_set_x_orig.T.reshape(-1, train_set_x_orig.shape[0])",
                ),
                (
                    "test_set_x_orig.reshape(test_set_x_orig.shape[0], -1).T",
                    "test_set_x_orig.T.reshape(-1, test_set_x_orig.shape[0])",
                ),
            ],
        },
        "pixel_count_as_num_px": {
            "says": "It scales the pixel values while flattening; flattening should keep them as they are.",
            "edits": [
                (
                    ".T\n",
                    ".T / 255\n",
                ),
            ],
        },
        "constant_arrays": {
            "says": "It fills the arrays with a constant instead of the pictures' pixels; reshape "
                    "the pictures themselves.",
            "edits": [
                (
                    "train_set_x_orig.reshape(train_set_x_orig.shape[0], -1).T",
                    "np.full((train_set_x_orig[0].size, train_set_x_orig.shape[0]), 255.0)",
                ),
                (
                    "test_set_x_orig.reshape(test_set_x_orig.shape[0], -1).T",
                    "np.full((test_set_x_orig[0].size, test_set_x_orig.shape[0]), 255.0)",
                ),
            ],
        },
    },
    "standardize": {
        "sizes_from_axis_1": {
            "says": "It leaves the pixel values unscaled; divide them by 255.",
            "edits": [
                (
                    " / 255",
                    "",
                ),
            ],
        },
        "sizes_from_labels": {
            "says": "It uses integer division, which turns almost every pixel value into 0; divide with true division.",
            "edits": [
                (
                    " / 255",
                    " // 255",
                ),
            ],
        },
        "test_size_from_train": {
            "says": "It standardizes with the data's mean and standard deviation; this assignment "
                    "divides the pixel values by 255.",
            "edits": [
                (
                    "train_set_x_flatten / 255",
                    "(train_set_x_flatten - train_set_x_flatten.mean()) / train_set_x_flatten.std()",
                ),
                (
                    "test_set_x_flatten / 255",
                    "(test_set_x_flatten - test_set_x_flatten.mean()) / test_set_x_flatten.std()",
                ),
            ],
        },
        "pixel_count_as_num_px": {
            "says": "It divides by 256; the largest pixel value is 255.",
            "edits": [
                (
                    " / 255",
                    " / 256",
                ),
            ],
        },
        "constant_arrays": {
            "says": "It replaces the pixels with ones; divide the pictures' own pixel values by 255.",
            "edits": [
                (
                    "train_set_x_flatten / 255",
                    "np.ones(train_set_x_flatten.shape)",
                ),
                (
                    "test_set_x_flatten / 255",
                    "np.ones(test_set_x_flatten.shape)",
                ),
            ],
        },
    },
    "sigmoid": {
        "math_exp": {
            "says": "It uses math.exp, which takes single numbers only; use NumPy's exponential, which "
                    "works on whole arrays.",
            "edits": [
                (
                    "def sigmoid",
                    "import math\n\n\ndef sigmoid",
                ),
                (
                    "np.exp",
                    "math.exp",
                ),
            ],
        },
        "exponent_sign": {
            "says": "It computes e to the power z in the denominator; the sigmoid divides 1 by 1 plus "
                    "e to the power -z.",
            "edits": [
                (
                    "np.exp(-z)",
                    "np.exp(z)",
                ),
            ],
        },
        "precedence": {
            "says": "It divides 1 by 1 and then adds the exponential; put the whole denominator in parentheses.",
            "edits": [
                (
                    "1 / (1 + np.exp(-z))",
                    "1 / 1 + np.exp(-z)",
                ),
            ],
        },
    },
    "initialize_with_zeros": {
        "int_b": {
            "says": "It starts b as an integer; start it as a floating-point zero.",
            "edits": [
                (
                    "b = 0.0",
                    "b = 0",
                ),
            ],
        },
        "flat_w": {
            "says": "It makes w a flat array; w should be a column with one row per feature.",
            "edits": [
                (
                    "np.zeros((dim, 1))",
                    "np.zeros(dim)",
                ),
            ],
        },
        "row_w": {
            "says": "It makes w a row; w should be a column with one row per feature.",
            "edits": [
                (
                    "np.zeros((dim, 1))",
                    "np.zeros((1, dim))",
                ),
            ],
        },
        "int_w": {
            "says": "It makes w an array of integers; w should hold floating-point zeros.",
            "edits": [
                (
                    "np.zeros((dim, 1))",
                    "np.zeros((dim, 1), dtype=int)",
                ),
            ],
        },
    },
    "propagate": {
        "no_1_over_m": {
            "says": "It sums the cost and the gradients over the examples; average them over the examples.",
            "edits": [
                (
                    "-np.mean(",
                    "-np.sum(",
                ),
                (
                    "X @ (A - Y).T / m",
                    "X @ (A - Y).T",
                ),
                (
                    "np.mean(A - Y)",
                    "np.sum(A - Y)",
                ),
            ],
        },
        "forgot_b": {
            "says": "It leaves out the bias b when computing the activations.",
            "edits": [
                (
                    "sigmoid(w.T @ X + b)",
                    "sigmoid(w.T @ X)",
                ),
            ],
        },
        "db_as_array": {
            "says": "It returns db as an array; db should be one number, the mean of A - Y.",
            "edits": [
                (
                    "db = np.mean(A - Y)",
                    "db = np.sum(A - Y, axis=1, keepdims=True) / m",
                ),
            ],
        },
        "dw_transposed": {
            "says": "Its dw is a row; dw should have the shape of w, a column.",
            "edits": [
                (
                    "dw = X @ (A - Y).T / m",
                    "dw = (A - Y) @ X.T / m",
                ),
            ],
        },
    },
    "optimize": {
        "plus_instead_of_minus": {
            "says": "It moves the parameters along the gradient, which raises the cost; subtract the "
                    "learning rate times the gradient.",
            "edits": [
                (
                    "w = w - learning_rate",
                    "w = w + learning_rate",
                ),
                (
                    "b = b - learning_rate",
                    "b = b + learning_rate",
                ),
            ],
        },
        "cost_every_iteration": {
            "says": "It records the cost at every iteration; record it once every 100 iterations.",
            "edits": [
                (
                    "        if i % 100 == 0:\n            costs.append(cost)\n",
                    "        costs.append(cost)\n        if i % 100 == 0:\n",
                ),
            ],
        },
        "hard_coded_rate": {
            "says": "It uses a learning rate typed in; use the learning_rate it is given.",
            "edits": [
                (
                    "learning_rate * grads",
                    "0.009 * grads",
                ),
            ],
        },
        "updates_callers_w": {
            "says": "It updates w in place, which changes the caller's array; compute a new w and "
                    "leave the given one unchanged.",
            "edits": [
                (
                    "w = w - learning_rate * grads[\"dw\"]",
                    "w -= learning_rate * grads[\"dw\"]",
                ),
            ],
        },
    },
    "predict": {
        "at_least_half": {
            "says": "It predicts 1 at a probability of exactly 0.5; predict 1 only above 0.5.",
            "edits": [
                (
                    "A > 0.5",
                    "A >= 0.5",
                ),
            ],
        },
        "threshold_on_z": {
            "says": "It compares the linear scores with 0.5; compare the probabilities, the sigmoid "
                    "of the scores, with 0.5.",
            "edits": [
                (
                    "(A > 0.5)",
                    "(w.T @ X + b > 0.5)",
                ),
            ],
        },
        "forgot_b": {
            "says": "It leaves out the bias b when computing the probabilities.",
            "edits": [
                (
                    "sigmoid(w.T @ X + b)",
                    "sigmoid(w.T @ X)",
                ),
            ],
        },
        "flat_shape": {
            "says": "It returns a flat array of predictions; return a row with one prediction per example.",
            "edits": [
                (
                    "(A > 0.5)",
                    "(A[0] > 0.5)",
                ),
            ],
        },
    },
    "model": {
        "optimize_defaults": {
            "says": "It calls optimize with its default number of iterations and learning rate; pass "
                    "on the ones model is given.",
            "edits": [
                (
                    "num_iterations, learning_rate, print_cost)",
                    "print_cost=print_cost)",
                ),
            ],
        },
        "hard_coded_rate": {
            "says": "It passes a learning rate typed in to optimize; pass on the learning_rate model is given.",
            "edits": [
                (
                    "num_iterations, learning_rate, print_cost)",
                    "num_iterations, 0.005, print_cost)",
                ),
            ],
        },
        "hard_coded_iterations": {
            "says": "It passes a number of iterations typed in to optimize; pass on the num_iterations model is given.",
            "edits": [
                (
                    "num_iterations, learning_rate, print_cost)",
                    "2000, learning_rate, print_cost)",
                ),
            ],
        },
        "train_test_swapped": {
            "says": "It swaps the training and test predictions; the training accuracy comes from "
                    "the training set and the test accuracy from the test set.",
            "edits": [
                (
                    "predict(w, b, X_test)",
                    "PREDICT_TRAIN",
                ),
                (
                    "predict(w, b, X_train)",
                    "predict(w, b, X_test)",
                ),
                (
                    "PREDICT_TRAIN",
                    "predict(w, b, X_train)",
                ),
            ],
        },
    },
}

# The answers each part calls: while the part's tests run at grading, the course's version stands in for them
# (coursekit.grading.grader.course_versions), so a mistake in one costs its own points only.
USES = {
    "propagate": ("sigmoid",),
    "optimize": ("propagate", "sigmoid"),
    "predict": ("sigmoid",),
    "model": ("initialize_with_zeros", "optimize", "predict", "propagate", "sigmoid"),
}
