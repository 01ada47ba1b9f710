"""Known mistakes of assignment 4, per graded answer: the instructor's catalog.

``MISTAKES[part][name]`` holds ``says``, one whole sentence for the student (what is wrong and
what to change, never the fix in code), and ``edits``, the mistake written as ``(solution text,
replacement)`` edits of the answer cell ``answer_<part>``. The edits hold solution text: this file
never travels to the release or to a student's kernel (nbgrader_config.py and
``coursekit.grading.grader.trusted`` leave ``*_mistakes.py`` out). ``CELLS`` names the part a hidden test
judges when its grade_id does not (``hidden_<part>``).
"""

MISTAKES = {
    "step_function": {
        "booleans": {
            "says": "It returns booleans (True/False); the step function should return the numbers 0 and 1.",
            "edits": [("(x > 0).astype(int)", "x > 0")],
        },
        "one_at_zero": {
            "says": "It returns 1 at x = 0; the step is 1 only where x is strictly positive.",
            "edits": [("x > 0", "x >= 0")],
        },
    },
    "sigmoid": {
        "exponent_sign": {
            "says": "It uses e to the power x in the denominator; the sigmoid divides by 1 plus e to the power -x.",
            "edits": [("np.exp(-x)", "np.exp(x)")],
        },
    },
    "relu": {
        "minimum": {
            "says": "It keeps the negative values and zeroes the positive ones; ReLU keeps the larger of 0 and x.",
            "edits": [("np.maximum(0, x)", "np.minimum(0, x)")],
        },
    },
    "softmax": {
        "no_max_subtraction": {
            "says": "It overflows on large inputs; subtract each row's largest value before taking exponentials.",
            "edits": [("x - np.max(x, axis=-1, keepdims=True)", "x")],
        },
        "vector_only_on_a_batch": {
            "says": "On a batch it normalizes over the whole array; each row of a batch should sum to 1 on its own.",
            "edits": [("np.max(x, axis=-1, keepdims=True)", "np.max(x)"),
                      ("np.sum(exponentials, axis=-1, keepdims=True)", "np.sum(exponentials)")],
        },
    },
    "mean_squared_error": {
        "no_half": {
            "says": "It leaves out the factor one half in front of the sum of squared differences.",
            "edits": [("0.5 * np.sum", "np.sum")],
        },
        "mean": {
            "says": "It averages the squared differences; this loss is one half of their sum.",
            "edits": [("0.5 * np.sum", "0.5 * np.mean")],
        },
    },
    "cross_entropy_error": {
        "sum_over_the_batch": {
            "says": "It sums the loss over the batch; divide it by the number of examples in the batch.",
            "edits": [(" / batch_size", "")],
        },
        "ignores_labels": {
            "says": "It treats the targets as one-hot even when they are class labels; "
                    "pick each example's probability of its own label.",
            "edits": [("    if np.size(t) == y.size:\n        t = np.argmax(t, axis=1)\n"
                       "    labels = np.reshape(t, -1)\n    batch_size = y.shape[0]\n"
                       "    return -np.sum(np.log(y[np.arange(batch_size), labels] + 1e-7)) / batch_size\n",
                       "    return -np.sum(t * np.log(y + 1e-7)) / y.shape[0]\n")],
        },
    },
    "numerical_gradient": {
        "forward_difference": {
            "says": "It uses a one-sided difference; use the central difference, f at x + h minus f at x - h, "
                    "divided by 2h.",
            "edits": [("x[index] = original - h\n        f_minus = f(x)\n        x[index] = original\n",
                       "x[index] = original\n        f_minus = f(x)\n"),
                      ("(f_plus - f_minus) / (2 * h)", "(f_plus - f_minus) / h")],
        },
        "x_not_restored": {
            "says": "It leaves x changed; put each entry back to its original value after evaluating f.",
            "edits": [("        x[index] = original\n", "")],
        },
        "works_on_a_copy": {
            "says": "It changes the entries of a copy of x, so f never sees the change; "
                    "change the entries of the x you are given.",
            "edits": [("    grad = np.zeros_like(x, dtype=float)",
                       "    x = x.copy()\n    grad = np.zeros_like(x, dtype=float)")],
        },
    },
    "mul_add_layers": {
        "mul_inputs_not_swapped": {
            "says": "The multiplication layer's backward pass sends each input its own value times dout; "
                    "each input's gradient is dout times the other input.",
            "edits": [("dout * self.y, dout * self.x", "dout * self.x, dout * self.y")],
        },
    },
    "relu_layer": {
        "backward_writes_into_dout": {
            "says": "The backward pass writes zeros into the dout it is given; work on a copy and leave dout "
                    "unchanged.",
            "edits": [("dx = dout.copy()\n        dx[self.mask] = 0", "dout[self.mask] = 0\n        dx = dout")],
        },
    },
    "sigmoid_layer": {
        "dout_times_out": {
            "says": "The backward pass multiplies dout by the layer's output only; the sigmoid's derivative "
                    "is the output times one minus the output.",
            "edits": [("dout * self.out * (1 - self.out)", "dout * self.out")],
        },
    },
    "affine": {
        "db_without_sum": {
            "says": "The bias gradient keeps one row per example; add up the rows of dout over the batch.",
            "edits": [("np.sum(dout, axis=0)", "dout")],
        },
        "dx_left_flat": {
            "says": "The backward pass returns dx flattened; give it the shape of the original input.",
            "edits": [("return dx.reshape(self.x_shape)", "return dx")],
        },
        "breaks_on_3d_input": {
            "says": "The forward pass uses an input of more than two dimensions as it is; flatten each "
                    "example into one row first.",
            "edits": [("self.x = x.reshape(x.shape[0], -1)", "self.x = x")],
        },
    },
    "softmax_with_loss": {
        "backward_not_divided_by_batch": {
            "says": "The backward pass does not divide by the batch size, as the mean loss of the forward pass "
                    "asks.",
            "edits": [("dout * dx / batch_size", "dout * dx")],
        },
    },
    "relative_error": {
        "absolute_error": {
            "says": "It returns the absolute difference; divide it by the sizes of the two values to make it "
                    "relative.",
            "edits": [("np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))", "np.abs(a - b)")],
        },
    },
    "two_layer_net": {
        "numerical_gradient_as_gradient": {
            "says": "The gradient method returns numerical gradients; compute them by backpropagation through "
                    "the layers.",
            "edits": [('        self.loss(x, t)\n        dout = self.last_layer.backward(1)',
                       '        return self.numerical_gradient(x, t)\n        dout = self.last_layer.backward(1)')],
        },
        "layers_copy_the_params": {
            "says": "The layers hold copies of the parameters, so changing the network's parameters does not "
                    "reach them; give the layers the arrays of the params dictionary themselves.",
            "edits": [('Affine(self.params["W1"], self.params["b1"])',
                       'Affine(self.params["W1"].copy(), self.params["b1"].copy())'),
                      ('Affine(self.params["W2"], self.params["b2"])',
                       'Affine(self.params["W2"].copy(), self.params["b2"].copy())')],
        },
        "initial_scale_typed_in": {
            "says": "The weights start with a fixed scale; scale them by the weight_init_std the network is given.",
            "edits": [('"W1": weight_init_std * np.random.randn', '"W1": 0.01 * np.random.randn'),
                      ('"W2": weight_init_std * np.random.randn', '"W2": 0.01 * np.random.randn')],
        },
    },
    "gradient_check": {
        "backprop_against_itself": {
            "says": "It compares the backpropagation gradients with themselves; compare them with the numerical "
                    "gradients.",
            "edits": [("relative_error(backprop[key], numerical[key])",
                       "relative_error(backprop[key], backprop[key])")],
        },
    },
    "train_network": {
        "params_rebound_not_updated": {
            "says": "It binds new arrays to the network's parameters, which the layers never see; update the "
                    "parameter arrays in place.",
            "edits": [("network.params[key] -= learning_rate * grads[key]",
                       "network.params[key] = network.params[key] - learning_rate * grads[key]")],
        },
        "history_every_iteration": {
            "says": "It records the history after every iteration; record it once per epoch.",
            "edits": [("        if (iteration + 1) % iterations_per_epoch == 0:\n", "        if True:\n")],
        },
        "losses_never_reset": {
            "says": "Each epoch's loss averages the losses of all epochs so far; start a new list of losses "
                    "every epoch.",
            "edits": [("            epoch_losses = []\n", "")],
        },
        "train_acc_of_last_batch": {
            "says": "The training accuracy is measured on the last mini-batch; measure it on the whole "
                    "training set.",
            "edits": [("network.accuracy(x_train, t_train)", "network.accuracy(x_batch, t_batch)")],
        },
        "targets_from_inputs": {
            "says": "The mini-batch's targets are taken from the inputs; take them from the training targets.",
            "edits": [("x_train[batch], t_train[batch]", "x_train[batch], x_train[batch]")],
        },
        "learning_rate_twice": {
            "says": "Each step moves the parameters twice; subtract the learning rate times the gradient once "
                    "per iteration.",
            "edits": [("            network.params[key] -= learning_rate * grads[key]\n",
                       "            network.params[key] -= learning_rate * grads[key]\n"
                       "            network.params[key] -= learning_rate * grads[key]\n")],
        },
    },
}

CELLS = {"hidden_gradient_backprop": "two_layer_net"}

# The answers each part calls: while the part's tests run at grading, the course's version stands in for them
# (coursekit.grading.grader.course_versions), so a mistake in one costs its own points only.
USES = {
    "softmax_with_loss": ("softmax", "cross_entropy_error"),
    "two_layer_net": ("Affine", "Relu", "SoftmaxWithLoss", "softmax", "cross_entropy_error"),
}
