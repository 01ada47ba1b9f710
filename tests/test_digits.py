"""coursekit.digits: the bundled digits split, scaled and stratified; one_hot and its errors."""

import numpy as np
import pytest

from coursekit.digits import load_digits_scaled, load_digits_split, one_hot


@pytest.fixture(scope="module")
def split():
    return load_digits_split()


def test_split_shapes_types_and_range(split):
    x_train, t_train, x_test, t_test = split
    assert x_train.shape == (1437, 64) and x_test.shape == (360, 64)
    assert t_train.shape == (1437,) and t_test.shape == (360,)
    assert x_train.dtype == np.float64 and t_train.dtype == np.int64
    assert x_train.min() == 0.0 and x_train.max() == 1.0 and x_test.max() <= 1.0


def test_split_is_stratified_and_disjoint(split):
    x_train, t_train, x_test, t_test = split
    train_share = np.bincount(t_train, minlength=10) / t_train.size
    test_share = np.bincount(t_test, minlength=10) / t_test.size
    assert np.abs(train_share - test_share).max() < 0.01
    train_rows = {row.tobytes() for row in x_train}
    assert sum(row.tobytes() in train_rows for row in x_test) < 10  # the set has a few duplicate images


def test_seed_fixes_the_split_and_changes_it(split):
    again = load_digits_split()
    for a, b in zip(split, again, strict=True):
        np.testing.assert_array_equal(a, b)
    other = load_digits_split(seed=1)
    assert not np.array_equal(split[1], other[1])
    assert load_digits_split(test_size=0.5)[2].shape == (899, 64)


def test_bad_test_size_names_the_fix():
    with pytest.raises(ValueError, match="fraction between 0 and 1"):
        load_digits_split(test_size=20)


def test_one_hot():
    np.testing.assert_array_equal(one_hot(np.array([2, 0]), classes=3), [[0, 0, 1], [1, 0, 0]])
    assert one_hot(np.array([9, 1, 4])).shape == (3, 10)
    with pytest.raises(ValueError, match="labels must lie in 0..2"):
        one_hot(np.array([3]), classes=3)
    with pytest.raises(ValueError, match="1-D array of integer labels"):
        one_hot(np.array([[1.0]]))


def test_scaled_digits_equal_scikit_learns_without_importing_it():
    from sklearn.datasets import load_digits

    x, t = load_digits_scaled()
    digits = load_digits()
    np.testing.assert_array_equal(x, digits.data / 16)
    np.testing.assert_array_equal(t, digits.target)
    assert x.dtype == np.float64 and t.dtype == np.int64
