"""The handwritten digits bundled with scikit-learn, split and scaled for the course.

1797 images of 8x8 pixels (values 0..16), ten classes. Nothing is downloaded: the file ships
inside the scikit-learn package.
"""

import importlib.util
from pathlib import Path

import numpy as np

PIXEL_MAX = 16.0


def load_digits_scaled():
    """All the digits as ``(x, t)``: x float64 (1797, 64) in [0, 1], t int64 labels 0..9, in the file's order.

    Reads scikit-learn's bundled file without importing scikit-learn (which takes seconds), so that
    grading code can use the digits cheaply.
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("The digits ship with scikit-learn, which is not installed: run `make setup`.")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"
    data = np.loadtxt(path, delimiter=",")
    return data[:, :-1] / PIXEL_MAX, data[:, -1].astype(np.int64)


def load_digits_split(test_size=0.2, seed=0):
    """Return ``(x_train, t_train, x_test, t_test)``: a stratified, seeded split of the digits.

    ``x`` is float64 of shape ``(n, 64)`` scaled to [0, 1]; ``t`` is int64 labels 0..9.
    """
    from sklearn.model_selection import train_test_split

    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be a fraction between 0 and 1, got {test_size!r}.")
    x, t = load_digits_scaled()
    x_train, x_test, t_train, t_test = train_test_split(
        x, t, test_size=test_size, random_state=seed, stratify=t
    )
    return x_train, t_train, x_test, t_test


def one_hot(t, classes=10):
    """Labels of shape ``(n,)`` -> float64 one-hot rows of shape ``(n, classes)``."""
    t = np.asarray(t)
    if t.ndim != 1 or not np.issubdtype(t.dtype, np.integer):
        raise ValueError(f"one_hot needs a 1-D array of integer labels, got dtype {t.dtype} and shape {t.shape}.")
    if t.size and (t.min() < 0 or t.max() >= classes):
        raise ValueError(f"labels must lie in 0..{classes - 1}, got values from {t.min()} to {t.max()}.")
    rows = np.zeros((t.size, classes))
    rows[np.arange(t.size), t] = 1.0
    return rows
