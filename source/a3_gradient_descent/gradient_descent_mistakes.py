"""Known mistakes of assignment 3, per graded function: the instructor's catalog.

``MISTAKES[function][name]`` holds ``says``, one whole sentence for the student (what is wrong and what to
change, never the fix in code), and ``code``, the wrong answer cell. The code holds solution text: this file
never travels to the release or to a student's kernel (see ``coursekit.grading.grader.mistakes``).
"""

MISTAKES = {
    "loss": {
        "mean": {
            "says": "It averages the squared errors; this notebook's loss is their sum.",
            "code": "def loss(b, w, x, y):\n    errors = y - (b + w * x)\n    return np.mean(errors ** 2)\n",
        },
        "square_root": {
            "says": "It takes the square root of the sum of squared errors; the loss is the sum itself.",
            "code": "def loss(b, w, x, y):\n    errors = y - (b + w * x)\n    return np.sqrt(np.sum(errors ** 2))\n",
        },
        "absolute": {
            "says": "It sums absolute errors; square each error instead.",
            "code": "def loss(b, w, x, y):\n    return np.sum(np.abs(y - (b + w * x)))\n",
        },
    },
    "loss_grid": {
        "transposed": {
            "says": "Its grid has one row per w and one column per b the other way round; give it "
                    "one row per b and one column per w.",
            "code": "def loss_grid(bs, ws, x, y):\n    errors = y - (bs[:, np.newaxis, np.newaxis] "
                    "+ ws[np.newaxis, :, np.newaxis] * x)\n    return np.sum(errors ** 2, axis=2)\n",
        },
        "mean": {
            "says": "It averages the squared errors at each grid point; the loss is their sum.",
            "code": "def loss_grid(bs, ws, x, y):\n    errors = y - (bs[np.newaxis, :, np.newaxis] "
                    "+ ws[:, np.newaxis, np.newaxis] * x)\n    return np.mean(errors ** 2, axis=2)\n",
        },
    },
    "gradients": {
        "sign": {
            "says": "Both gradients have the wrong sign; the derivative of the squared error brings a minus sign.",
            "code": "def gradients(b, w, x, y):\n    errors = y - (b + w * x)\n    return 2 * np.sum(errors), "
                    "2 * np.sum(errors * x)\n",
        },
        "no_factor_2": {
            "says": "Both gradients miss the factor 2 that the derivative of a square brings.",
            "code": "def gradients(b, w, x, y):\n    errors = y - (b + w * x)\n    return -np.sum(errors), "
                    "-np.sum(errors * x)\n",
        },
        "mean_with_sum_loss": {
            "says": "It averages over the examples while the loss sums over them; the gradients must "
                    "be those of the summed loss.",
            "code": "def gradients(b, w, x, y):\n    errors = y - (b + w * x)\n    return -2 * np.mean(errors), "
                    "-2 * np.mean(errors * x)\n",
        },
        "loop_index_typo": {
            "says": "Inside the loop it subtracts the loop counter where it should subtract the bias b.",
            "code": "def gradients(b, w, x, y):\n    b_grad = 0.0\n    w_grad = 0.0\n    for n in "
                    "range(len(x)):\n        b_grad = b_grad - 2.0 * (y[n] - n - w * x[n]) * 1.0\n"
                    "        w_grad = w_grad - 2.0 * (y[n] - n - w * x[n]) * x[n]\n    return b_grad, "
                    "w_grad\n",
        },
    },
    "gradient_descent": {
        "b_before_w_gradient": {
            "says": "It updates b before computing the gradient for w; compute both gradients at the "
                    "same point, then update both.",
            "code": "def gradient_descent(b0, w0, x, y, lr, iterations):\n    b, w = b0, w0\n    b_history, "
                    "w_history, loss_history = [b], [w], [loss(b, w, x, y)]\n    for _ in range(iterations):\n"
                    "        db, _ = gradients(b, w, x, y)\n        b = b - lr * db\n        _, dw "
                    "= gradients(b, w, x, y)\n        w = w - lr * dw\n        b_history.append(b)\n"
                    "        w_history.append(w)\n        loss_history.append(loss(b, w, x, y))\n "
                    "   return b_history, w_history, loss_history\n\n",
        },
        "uphill": {
            "says": "It adds the gradients, which climbs the loss; step against the gradients.",
            "code": "def gradient_descent(b0, w0, x, y, lr, iterations):\n    b, w = b0, w0\n    b_history, "
                    "w_history, loss_history = [b], [w], [loss(b, w, x, y)]\n    for _ in range(iterations):\n"
                    "        db, dw = gradients(b, w, x, y)\n        b, w = b + lr * db, w + lr * "
                    "dw\n        b_history.append(b)\n        w_history.append(w)\n        loss_history.append(l"
                    "oss(b, w, x, y))\n    return b_history, w_history, loss_history\n\n",
        },
        "no_start": {
            "says": "Its histories leave out the starting point; they should begin with the initial b, w and loss.",
            "code": "def gradient_descent(b0, w0, x, y, lr, iterations):\n    b, w = b0, w0\n    b_history, "
                    "w_history, loss_history = [b], [w], [loss(b, w, x, y)]\n    for _ in range(iterations):\n"
                    "        db, dw = gradients(b, w, x, y)\n        b, w = b - lr * db, w - lr * "
                    "dw\n        b_history.append(b)\n        w_history.append(w)\n        loss_history.append(l"
                    "oss(b, w, x, y))\n    return b_history[1:], w_history[1:], loss_history[1:]\n"
                    "\n",
        },
    },
    "adagrad": {
        "sum_of_gradients": {
            "says": "It adds up the gradients themselves; AdaGrad adds up their squares.",
            "code": "def adagrad(b0, w0, x, y, lr, iterations):\n    squares_b = squares_w = 0.0\n"
                    "    b, w = b0, w0\n    b_history, w_history, loss_history = [b], [w], [loss(b, "
                    "w, x, y)]\n    for _ in range(iterations):\n        db, dw = gradients(b, w, "
                    "x, y)\n        squares_b += db\n        squares_w += dw\n        b, w = b - lr "
                    "/ np.sqrt(squares_b) * db, w - lr / np.sqrt(squares_w) * dw\n        b_history.append(b)\n"
                    "        w_history.append(w)\n        loss_history.append(loss(b, w, x, y))\n "
                    "   return b_history, w_history, loss_history\n\n",
        },
        "no_square_root": {
            "says": "It divides by the sum of squared gradients; divide by its square root.",
            "code": "def adagrad(b0, w0, x, y, lr, iterations):\n    squares_b = squares_w = 0.0\n"
                    "    b, w = b0, w0\n    b_history, w_history, loss_history = [b], [w], [loss(b, "
                    "w, x, y)]\n    for _ in range(iterations):\n        db, dw = gradients(b, w, "
                    "x, y)\n        squares_b += db ** 2\n        squares_w += dw ** 2\n        b, "
                    "w = b - lr / squares_b * db, w - lr / squares_w * dw\n        b_history.append(b)\n"
                    "        w_history.append(w)\n        loss_history.append(loss(b, w, x, y))\n "
                    "   return b_history, w_history, loss_history\n\n",
        },
        "one_sum_for_both": {
            "says": "It keeps one sum of squares for both parameters; keep a separate sum for b and for w.",
            "code": "def adagrad(b0, w0, x, y, lr, iterations):\n    squares_b = squares_w = 0.0\n"
                    "    b, w = b0, w0\n    b_history, w_history, loss_history = [b], [w], [loss(b, "
                    "w, x, y)]\n    for _ in range(iterations):\n        db, dw = gradients(b, w, "
                    "x, y)\n        squares_b += db ** 2 + dw ** 2\n        squares_w = squares_b\n"
                    "        b, w = b - lr / np.sqrt(squares_b) * db, w - lr / np.sqrt(squares_w) "
                    "* dw\n        b_history.append(b)\n        w_history.append(w)\n        loss_history.append"
                    "(loss(b, w, x, y))\n    return b_history, w_history, loss_history\n\n",
        },
    },
    "numerical_diff": {
        "forward": {
            "says": "It uses a one-sided difference; use the central difference, f at x + h minus "
                    "f at x - h, divided by 2h.",
            "code": "def numerical_diff(f, x):\n    h = 1e-4\n    return (f(x + h) - f(x)) / h\n",
        },
        "tiny_h": {
            "says": "Its step h is so small that the difference is lost in rounding; use a step of about 1e-4.",
            "code": "def numerical_diff(f, x):\n    h = 1e-50\n    return (f(x + h) - f(x - h)) / (2 * h)\n",
        },
    },
    "numerical_gradient": {
        "no_restore": {
            "says": "It leaves each entry moved by h; put each entry back to its original value after evaluating f.",
            "code": "def numerical_gradient(f, x):\n    h = 1e-4\n    x = np.array(x, dtype=float)\n"
                    "    grad = np.zeros_like(x)\n    for index in np.ndindex(x.shape):\n        original "
                    "= x[index]\n        x[index] = original + h\n        f_plus = f(x)\n        x[index] "
                    "= original - h\n        f_minus = f(x)\n        grad[index] = (f_plus - f_minus) "
                    "/ (2 * h)\n    return grad\n\n",
        },
        "mutates_caller": {
            "says": "It changes the entries of the caller's array and leaves them changed; work on "
                    "a floating-point copy of x.",
            "code": "def numerical_gradient(f, x):\n    h = 1e-4\n\n    grad = np.zeros_like(x)\n "
                    "   for index in np.ndindex(x.shape):\n        original = x[index]\n        x[index] "
                    "= original + h\n        f_plus = f(x)\n        x[index] = original - h\n     "
                    "   f_minus = f(x)\n        grad[index] = (f_plus - f_minus) / (2 * h)\n    return "
                    "grad\n\n",
        },
        "book_in_place_on_integers": {
            "says": "It changes x itself, which fails on an array of integers; work on a floating-point copy of x.",
            "code": "def numerical_gradient(f, x):\n    h = 1e-4\n\n    grad = np.zeros_like(x)\n "
                    "   for index in np.ndindex(x.shape):\n        original = x[index]\n        x[index] "
                    "= original + h\n        f_plus = f(x)\n        x[index] = original - h\n     "
                    "   f_minus = f(x)\n        x[index] = original\n        grad[index] = (f_plus "
                    "- f_minus) / (2 * h)\n    return grad\n\n",
        },
    },
    "gradient_descent_fn": {
        "in_place_on_init_x": {
            "says": "It updates init_x in place, which changes the caller's array; start from a copy.",
            "code": "def gradient_descent_fn(f, init_x, lr, steps):\n    x = init_x\n    for _ in "
                    "range(steps):\n        x -= lr * numerical_gradient(f, x)\n    return x\n",
        },
        "uphill": {
            "says": "It adds the gradient, which climbs the function; step against the gradient.",
            "code": "def gradient_descent_fn(f, init_x, lr, steps):\n    x = np.array(init_x, dtype=float)\n"
                    "    for _ in range(steps):\n        x = x + lr * numerical_gradient(f, x)\n  "
                    "  return x\n",
        },
        "one_step_short": {
            "says": "It takes one step fewer than asked; take exactly steps steps.",
            "code": "def gradient_descent_fn(f, init_x, lr, steps):\n    x = np.array(init_x, dtype=float)\n"
                    "    for _ in range(steps - 1):\n        x = x - lr * numerical_gradient(f, x)\n"
                    "    return x\n",
        },
    },
}

# The answers each part calls: while the part's tests run at grading, the course's version stands in for them
# (coursekit.grading.grader.course_versions), so a mistake in one costs its own points only.
USES = {"gradient_descent": ("gradients", "loss"), "adagrad": ("gradients", "loss"),
        "gradient_descent_fn": ("numerical_gradient",)}
