"""Known mistakes of assignment 5, per graded answer: the instructor's catalog.

``MISTAKES[part][name]`` holds ``says``, one whole sentence for the student (what is wrong and what to change,
never the fix in code), and ``edits``, the mistake written as ``(solution text, replacement)`` edits of the
answer cell ``answer_<part>``. The edits hold solution text: this file never travels to the release or to a
student's kernel (see ``coursekit.grading.grader.mistakes``).
"""

MISTAKES = {
    "sgd": {
        "ascends": {
            "says": "It adds the gradient step, which climbs the loss; subtract the learning rate times the gradient.",
            "edits": [
                (
                    "params[key] -= self.lr",
                    "params[key] += self.lr",
                ),
            ],
        },
        "rebinds_params": {
            "says": "It binds new arrays to the parameters, which the network's layers never see; "
                    "update the parameter arrays in place.",
            "edits": [
                (
                    "params[key] -= self.lr * grads[key]",
                    "params[key] = params[key] - self.lr * grads[key]",
                ),
            ],
        },
        "fixed_rate": {
            "says": "It uses a learning rate typed in; use the lr the optimizer was given.",
            "edits": [
                (
                    "self.lr * grads[key]",
                    "0.01 * grads[key]",
                ),
            ],
        },
        "scales_grads": {
            "says": "It scales the gradients it is given in place; leave grads unchanged.",
            "edits": [
                (
                    "params[key] -= self.lr * grads[key]",
                    "grads[key] *= self.lr\n            params[key] -= grads[key]",
                ),
            ],
        },
    },
    "momentum": {
        "v_sign_flipped": {
            "says": "Its velocity adds the gradient step; the velocity should subtract the learning "
                    "rate times the gradient.",
            "edits": [
                (
                    "- self.lr * grads[key]",
                    "+ self.lr * grads[key]",
                ),
            ],
        },
        "velocity_forgotten": {
            "says": "It starts a new velocity at every update; keep the velocity from one update to the next.",
            "edits": [
                (
                    "if self.v is None:",
                    "if True:",
                ),
            ],
        },
        "rebinds_params": {
            "says": "It binds new arrays to the parameters, which the network's layers never see; "
                    "update the parameter arrays in place.",
            "edits": [
                (
                    "params[key] += self.v[key]",
                    "params[key] = params[key] + self.v[key]",
                ),
            ],
        },
        "momentum_on_gradient": {
            "says": "It multiplies the gradient step by the momentum too; only the old velocity is "
                    "scaled by the momentum.",
            "edits": [
                (
                    "self.momentum * self.v[key] - self.lr * grads[key]",
                    "self.momentum * (self.v[key] - self.lr * grads[key])",
                ),
            ],
        },
        "tuned_to_the_visible_check": {
            "says": "It uses a momentum typed in; use the momentum the optimizer was given.",
            "edits": [
                (
                    "self.momentum = momentum",
                    "self.momentum = 0.8",
                ),
            ],
        },
    },
    "adagrad": {
        "sums_gradients": {
            "says": "It adds up the gradients themselves; AdaGrad adds up their squares.",
            "edits": [
                (
                    "self.h[key] += grads[key] * grads[key]",
                    "self.h[key] += grads[key]",
                ),
            ],
        },
        "no_memory": {
            "says": "It starts its sums of squares anew at every update; keep them from one update to the next.",
            "edits": [
                (
                    "if self.h is None:",
                    "if True:",
                ),
            ],
        },
        "rebinds_params": {
            "says": "It binds new arrays to the parameters, which the network's layers never see; "
                    "update the parameter arrays in place.",
            "edits": [
                (
                    "params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)",
                    "params[key] = params[key] - self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)",
                ),
            ],
        },
        "no_square_root": {
            "says": "It divides by the sum of squared gradients; divide by its square root.",
            "edits": [
                (
                    "np.sqrt(self.h[key]) + 1e-7",
                    "self.h[key] + 1e-7",
                ),
            ],
        },
        "no_epsilon": {
            "says": "It divides by the square root alone, which is zero for a parameter whose gradients "
                    "were all zero; add the small constant to it.",
            "edits": [
                (
                    "(np.sqrt(self.h[key]) + 1e-7)",
                    "np.sqrt(self.h[key])",
                ),
            ],
        },
    },
    "adam": {
        "counter_after_correction": {
            "says": "It counts the step after the bias correction; count it before, so the first step is step 1.",
            "edits": [
                (
                    "        self.t += 1\n",
                    "",
                ),
                (
                    "params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + 1e-7)\n",
                    "params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + 1e-7)\n        self.t += 1\n",
                ),
            ],
        },
        "no_correction": {
            "says": "It uses the moving averages without the bias correction; divide them by one minus "
                    "beta to the power of the step count.",
            "edits": [
                (
                    "self.m[key] / (1 - self.beta1 ** self.t)",
                    "self.m[key]",
                ),
                (
                    "self.v[key] / (1 - self.beta2 ** self.t)",
                    "self.v[key]",
                ),
            ],
        },
        "counter_per_key": {
            "says": "It counts one step per parameter; count one step per update.",
            "edits": [
                (
                    "        self.t += 1\n        for key in params:\n",
                    "        for key in params:\n            self.t += 1\n",
                ),
            ],
        },
        "rebinds_params": {
            "says": "It binds new arrays to the parameters, which the network's layers never see; "
                    "update the parameter arrays in place.",
            "edits": [
                (
                    "params[key] -= self.lr * m_hat",
                    "params[key] = params[key] - self.lr * m_hat",
                ),
            ],
        },
        "no_epsilon": {
            "says": "It divides by the square root alone, which is zero for a parameter whose gradients "
                    "were all zero; add the small constant to it.",
            "edits": [
                (
                    "(np.sqrt(v_hat) + 1e-7)",
                    "np.sqrt(v_hat)",
                ),
            ],
        },
    },
    "init_scale": {
        "xavier_without_root": {
            "says": "Its Xavier scale misses the square root; take the square root of one over the number of inputs.",
            "edits": [
                (
                    "\"xavier\": np.sqrt(1 / n_in)",
                    "\"xavier\": 1 / n_in",
                ),
            ],
        },
        "he_as_xavier": {
            "says": "Its He scale is the Xavier scale; He uses two over the number of inputs under the root.",
            "edits": [
                (
                    "\"he\": np.sqrt(2 / n_in)",
                    "\"he\": np.sqrt(1 / n_in)",
                ),
            ],
        },
        "he_root_of_2_over_n": {
            "says": "Its He scale divides the root of two by the number of inputs; take the root of "
                    "the whole fraction.",
            "edits": [
                (
                    "\"he\": np.sqrt(2 / n_in)",
                    "\"he\": np.sqrt(2) / n_in",
                ),
            ],
        },
        "unknown_method_key_error": {
            "says": "An unknown method raises a KeyError; raise a ValueError that names the methods it knows.",
            "edits": [
                (
                    "    if method not in scales:\n        raise ValueError(f\"unknown method "
                        "{method!r}: use one of {sorted(scales)}\")\n",
                    "",
                ),
            ],
        },
        "error_names_no_method": {
            "says": "Its error for an unknown method does not name the methods it knows; list them in the message.",
            "edits": [
                (
                    ": use one of {sorted(scales)}",
                    ", sorry",
                ),
            ],
        },
    },
    "dropout": {
        "new_mask_in_backward": {
            "says": "The backward pass draws a new mask; use the mask of the forward pass.",
            "edits": [
                (
                    "return dout * self.mask",
                    "return dout * (np.random.rand(*dout.shape) >= self.dropout_ratio) / (1 - self.dropout_ratio)",
                ),
            ],
        },
        "no_scaling": {
            "says": "The kept values are not scaled up in training; divide them by the share of units kept.",
            "edits": [
                (
                    ") / (1 - self.dropout_ratio)",
                    ") * 1.0",
                ),
            ],
        },
        "keeps_the_ratio": {
            "says": "It keeps the share of units it should drop; drop each unit with the dropout ratio.",
            "edits": [
                (
                    ">= self.dropout_ratio",
                    "< self.dropout_ratio",
                ),
            ],
        },
        "scaled_in_both_modes": {
            "says": "It scales the output at test time too; at test time return the input unchanged.",
            "edits": [
                (
                    "return x.copy()",
                    "return x * (1 - self.dropout_ratio)",
                ),
            ],
        },
    },
    "batch_norm": {
        "variance_over_features": {
            "says": "It takes the variance of each example over its features; take each feature's "
                    "variance over the batch.",
            "edits": [
                (
                    "x.var(axis=0)",
                    "x.var(axis=1, keepdims=True)",
                ),
            ],
        },
        "no_running_averages": {
            "says": "It never updates the running mean and variance in training; move them toward "
                    "each batch's statistics.",
            "edits": [
                (
                    "        self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) "
                        "* mean\n        self.running_var = self.momentum * self.running_var + (1 "
                        "- self.momentum) * var\n",
                    "",
                ),
            ],
        },
        "test_mode_batch_statistics": {
            "says": "At test time it normalizes with the batch's own statistics; use the running mean and variance.",
            "edits": [
                (
                    "(x - self.running_mean) / np.sqrt(self.running_var + 1e-7)",
                    "(x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + 1e-7)",
                ),
            ],
        },
        "backward_without_batch_terms": {
            "says": "The backward pass divides by the standard deviation only; the batch mean and "
                    "variance depend on every input and add two more terms.",
            "edits": [
                (
                    "return (n * dx_hat - dx_hat.sum(axis=0) - self.x_hat * (dx_hat * self.x_hat).sum(axis=0"
                        ")) / (n * self.std)",
                    "return dx_hat / self.std",
                ),
            ],
        },
    },
    "weight_decay": {
        "gradient_missing": {
            "says": "It leaves the decay out of the weights' gradients; add the decay rate times each weight matrix.",
            "edits": [
                (
                    "grad + weight_decay_lambda * params[key] if",
                    "grad if",
                ),
            ],
        },
        "biases_too": {
            "says": "It decays the biases too; only the weight matrices are decayed.",
            "edits": [
                (
                    " if key.startswith(\"W\"))",
                    ")",
                ),
                (
                    "if key.startswith(\"W\") else grad",
                    "if True else grad",
                ),
            ],
        },
        "no_half": {
            "says": "Its penalty misses the factor one half.",
            "edits": [
                (
                    "return 0.5 * weight_decay_lambda",
                    "return weight_decay_lambda",
                ),
            ],
        },
        "changes_grads": {
            "says": "It adds the decay into the gradients it is given, in place; return new gradients "
                    "and leave grads unchanged.",
            "edits": [
                (
                    "    return {key: grad + weight_decay_lambda * params[key] if key.startswith(\"W\") "
                        "else grad\n            for key, grad in grads.items()}\n",
                    "    for key in grads:\n        if key.startswith(\"W\"):\n            grads[key] "
                        "+= weight_decay_lambda * params[key]\n    return grads\n",
                ),
            ],
        },
    },
}
