"""Students whose code only calls a broken answer: that answer always raises (its own points lost), and the parts
that call it must not gain their points (while the broken answer fails its own check, the parts' visible checks and
hidden tests would excuse the error; at grading the course's version stands in for it and leaves nothing to excuse).
"""

A2_CALLERS = {"propagate": "w, b, X, Y", "optimize": "w, b, X, Y, num_iterations=100, learning_rate=0.009, "
              "print_cost=False", "predict": "w, b, X", "model": "X_train, Y_train, X_test, Y_test, "
              "num_iterations=2000, learning_rate=0.5, print_cost=False"}
FAKE_NETWORK = "\n\n".join(
    ["class TwoLayerNet:\n    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):\n"
     "        self.params = {'W1': np.zeros((input_size, hidden_size)), 'b1': np.zeros(hidden_size),\n"
     "                       'W2': np.zeros((hidden_size, output_size)), 'b2': np.zeros(output_size)}\n"
     "        self.layers = dict.fromkeys(['Affine1', 'Relu1', 'Affine2'])"]
    + [f"    def {method}(self, x, t=None):\n        return Affine(self.params['W1'], self.params['b1']).forward(x)"
       for method in ("predict", "loss", "accuracy", "gradient", "numerical_gradient")]) + "\n"
# {assignment: (answers, the parts that must lose every test cell)}
ONLY_CALLING = {
    "a2_logistic_regression": ({"answer_sigmoid": "def sigmoid(z):\n    raise ValueError('not yet')\n",
                                **{f"answer_{name}": f"def {name}({arguments}):\n    return sigmoid(0)\n"
                                   for name, arguments in A2_CALLERS.items()}}, {"sigmoid", *A2_CALLERS}),
    "a3_gradient_descent": ({"answer_numerical_gradient": "def numerical_gradient(f, x):\n"
                                                          "    raise ValueError('not yet')\n",
                             "answer_gradient_descent_fn": "def gradient_descent_fn(f, init_x, lr, steps):\n"
                                                           "    return numerical_gradient(f, init_x)\n"},
                            {"numerical_gradient", "gradient_descent_fn"}),
    "a4_neural_network": ({"answer_affine": "class Affine:\n    def __init__(self, W, b):\n"
                                            "        raise ValueError('not yet')\n",
                           "answer_two_layer_net": FAKE_NETWORK}, {"affine", "two_layer_net"}),
}
