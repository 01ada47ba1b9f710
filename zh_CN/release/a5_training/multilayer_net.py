"""A fully connected network for the experiments of assignment 5 (given code, nothing to write here).

The layers are the working versions of assignment 4 (Affine, ReLU, Sigmoid, Tanh, softmax with
cross-entropy loss): read this file only after that assignment's deadline. What this assignment is
about comes from you: the net takes your optimizers, your ``init_scale``, your ``Dropout`` and
``BatchNormalization`` classes and your weight-decay functions as arguments.
"""

import numpy as np

from course_messages import say


class Affine:
    """``x @ W + b``; keeps ``W`` and ``b`` by reference, so in-place updates of the net's params reach it."""

    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x, train_flg=True):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T


class Relu:
    def forward(self, x, train_flg=True):
        self.negative = x <= 0
        return np.where(self.negative, 0.0, x)

    def backward(self, dout):
        return np.where(self.negative, 0.0, dout)


class Sigmoid:
    def forward(self, x, train_flg=True):
        self.out = 0.5 * (1 + np.tanh(0.5 * x))  # the logistic function, without overflow for large |x|
        return self.out

    def backward(self, dout):
        return dout * self.out * (1 - self.out)


class Tanh:
    def forward(self, x, train_flg=True):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1 - self.out ** 2)


ACTIVATIONS = {"relu": Relu, "sigmoid": Sigmoid, "tanh": Tanh}


def softmax(scores):
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


class SoftmaxWithLoss:
    """Softmax and the mean cross-entropy against integer labels ``t``."""

    def forward(self, scores, t):
        self.probabilities, self.t = softmax(scores), t
        picked = self.probabilities[np.arange(len(t)), t]
        return float(-np.mean(np.log(picked + 1e-7)))

    def backward(self):
        grad = self.probabilities.copy()
        grad[np.arange(len(self.t)), self.t] -= 1
        return grad / len(self.t)


class MultiLayerNet:
    """Affine -> [batch norm] -> activation -> [dropout], repeated, then Affine -> softmax loss.

    - ``weight_scale``: the standard deviation of the initial weights, a number, or a function of the
      number of inputs of a layer (for example ``lambda n_in: init_scale("he", n_in)``).
    - ``dropout``: your ``Dropout`` class (built as ``Dropout(dropout_ratio)`` after each activation) or None.
    - ``batch_norm``: your ``BatchNormalization`` class (built as ``BatchNormalization(gamma, beta)``
      before each activation) or None.
    - ``weight_decay``: ``(weight_decay_lambda, weight_decay_loss, weight_decay_grads)`` with your two
      functions, or None.

    ``params`` holds ``W1, b1, ..., gamma1, beta1, ...``; the layers hold the same arrays, so an
    optimizer must change them in place.
    """

    def __init__(self, input_size, hidden_sizes, output_size, activation="relu", weight_scale=0.01,
                 dropout=None, dropout_ratio=0.5, batch_norm=None, weight_decay=None, seed=0):
        if activation not in ACTIVATIONS:
            raise ValueError(say("a5.multilayer_net.activation",
                                 "activation must be one of {choices}, got {activation!r}",
                                 choices=sorted(ACTIVATIONS), activation=activation))
        self.weight_decay = weight_decay
        rng = np.random.default_rng(seed)
        sizes = [input_size, *hidden_sizes, output_size]
        self.params, self.layers = {}, []
        for index, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            scale = weight_scale(n_in) if callable(weight_scale) else weight_scale
            self.params[f"W{index}"] = scale * rng.standard_normal((n_in, n_out))
            self.params[f"b{index}"] = np.zeros(n_out)
            self.layers.append((f"{index}", Affine(self.params[f"W{index}"], self.params[f"b{index}"])))
            if index == len(sizes) - 1:
                break
            if batch_norm is not None:
                gamma, beta = np.ones(n_out), np.zeros(n_out)
                self.params[f"gamma{index}"], self.params[f"beta{index}"] = gamma, beta
                self.layers.append((f"bn{index}", batch_norm(gamma, beta)))
            self.layers.append(("", ACTIVATIONS[activation]()))
            if dropout is not None:
                self.layers.append(("", dropout(dropout_ratio)))
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x, train_flg=False):
        for _, layer in self.layers:
            x = layer.forward(x, train_flg)
        return x

    def loss(self, x, t, train_flg=False):
        """Mean cross-entropy, plus the weight-decay term when the net has one."""
        loss = self.last_layer.forward(self.predict(x, train_flg), t)
        if self.weight_decay is not None:
            weight_decay_lambda, weight_decay_loss, _ = self.weight_decay
            loss += weight_decay_loss(self.params, weight_decay_lambda)
        return loss

    def cross_entropy(self, x, t):
        """Mean cross-entropy in test mode, without the weight-decay term."""
        return self.last_layer.forward(self.predict(x), t)

    def accuracy(self, x, t):
        return float(np.mean(self.predict(x).argmax(axis=1) == t))

    def gradient(self, x, t):
        """``(loss, grads)`` on one batch in training mode, by backpropagation."""
        loss = self.loss(x, t, train_flg=True)
        dout = self.last_layer.backward()
        grads = {}
        for name, layer in reversed(self.layers):
            dout = layer.backward(dout)
            if isinstance(layer, Affine):
                grads[f"W{name}"], grads[f"b{name}"] = layer.dW, layer.db
            elif name.startswith("bn"):
                grads[f"gamma{name[2:]}"], grads[f"beta{name[2:]}"] = layer.dgamma, layer.dbeta
        if self.weight_decay is not None:
            weight_decay_lambda, _, weight_decay_grads = self.weight_decay
            grads = weight_decay_grads(self.params, grads, weight_decay_lambda)
        return loss, grads


def train(net, optimizer, x_train, t_train, steps, batch_size=100, x_test=None, t_test=None, every=None, seed=0):
    """Mini-batch training: ``steps`` updates on random batches (drawn with ``seed``).

    Returns ``{"loss": [loss of each step's batch], "step": [...], "train_acc": [...], "test_acc": [...],
    "train_cross_entropy": [...], "test_cross_entropy": [...]}``: every ``every`` steps and after the last one,
    accuracy and cross-entropy (test mode, no weight-decay term) on the training set and, if given, the test set.
    """
    rng = np.random.default_rng(seed)
    keys = ("loss", "step", "train_acc", "test_acc", "train_cross_entropy", "test_cross_entropy")
    history = {key: [] for key in keys}
    for step in range(1, steps + 1):
        batch = rng.choice(len(x_train), size=min(batch_size, len(x_train)), replace=False)
        loss, grads = net.gradient(x_train[batch], t_train[batch])
        optimizer.update(net.params, grads)
        history["loss"].append(loss)
        if every and (step % every == 0 or step == steps):
            history["step"].append(step)
            for name, x, t in (("train", x_train, t_train), ("test", x_test, t_test)):
                if x is not None:
                    history[f"{name}_acc"].append(net.accuracy(x, t))
                    history[f"{name}_cross_entropy"].append(net.cross_entropy(x, t))
    return history
