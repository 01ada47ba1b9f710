"""The bundled synthetic cat / non-cat files: reproducible, in the course format, and calibrated."""

import hashlib
import importlib.util
from pathlib import Path

import h5py
import numpy as np
import pytest
from PIL import Image

from coursekit.dataset import synthetic
from coursekit.dataset.sample import write_sample
from lr_utils import load_dataset

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "datasets"


def checksums(folder):
    """sha256 of every array in both files, keyed by file and dataset name."""
    sums = {}
    for name in ("train_catvnoncat.h5", "test_catvnoncat.h5"):
        with h5py.File(Path(folder) / name, "r") as h5:
            for key in h5:
                array = h5[key][()]
                sums[name, key] = (array.dtype.str, array.shape, hashlib.sha256(array.tobytes()).hexdigest())
    return sums


@pytest.fixture(scope="module")
def bundled():
    return load_dataset(BUNDLED)


def test_committed_files_equal_a_fresh_rebuild(tmp_path):
    synthetic.build(tmp_path)
    assert checksums(tmp_path) == checksums(BUNDLED)


def test_shapes_dtypes_and_classes(bundled):
    train_x, train_y, test_x, test_y, classes = bundled
    assert train_x.shape == (209, 64, 64, 3) and test_x.shape == (50, 64, 64, 3)
    assert train_x.dtype == test_x.dtype == np.uint8
    assert train_y.shape == (1, 209) and test_y.shape == (1, 50)
    assert classes.dtype == np.dtype("S7") and classes.tolist() == [b"non-cat", b"cat"]
    with h5py.File(BUNDLED / "train_catvnoncat.h5", "r") as h5:
        assert h5["train_set_y"].dtype == np.int64 and h5["train_set_y"].shape == (209,)


def test_class_balance_matches_the_course_files(bundled):
    _, train_y, _, test_y, _ = bundled
    assert set(np.unique(train_y)) == {0, 1}
    assert int(train_y.sum()) == 72 and int(test_y.sum()) == 33


def test_images_are_varied_pictures(bundled):
    train_x, _, test_x, _, _ = bundled
    images = np.concatenate([train_x, test_x])
    flat = images.reshape(len(images), -1)
    assert len(np.unique(flat, axis=0)) == len(images)
    assert flat.std(axis=1).min() > 10
    means = flat.mean(axis=1)
    assert means.min() < 90 and means.max() > 160
    assert images.min() == 0 and images.max() == 255


def test_seed_changes_the_images():
    default_x, default_y = synthetic.build_split(synthetic.DEFAULT_SEED, "test")
    other_x, other_y = synthetic.build_split(synthetic.DEFAULT_SEED + 1, "test")
    assert int(other_y.sum()) == int(default_y.sum())
    assert not np.array_equal(default_x, other_x)


def test_cli_refuses_to_overwrite_without_force(tmp_path, capsys):
    existing = tmp_path / "train_catvnoncat.h5"
    existing.write_bytes(b"keep me")
    assert synthetic.main(["--out", str(tmp_path)]) == 1
    message = capsys.readouterr().err
    assert "train_catvnoncat.h5" in message and "--force" in message
    assert existing.read_bytes() == b"keep me"


def test_logistic_regression_behaves_as_in_the_course():
    spec = importlib.util.spec_from_file_location("dataset_figures", ROOT / "bench" / "dataset_figures.py")
    figures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(figures)
    train_x, train_y, test_x, test_y = figures.prepare(BUNDLED)
    w, b, costs = figures.train(train_x, train_y, 0.005, 2000)
    assert costs[0] == pytest.approx(np.log(2)) and costs[19] < 0.2
    assert figures.accuracy(w, b, train_x, train_y) >= 97
    assert 60 <= figures.accuracy(w, b, test_x, test_y) <= 85


def test_sample_is_a_seeded_png(tmp_path):
    first = write_sample(tmp_path / "a" / "cat.png", seed=3)
    again = write_sample(tmp_path / "b.png", seed=3)
    other = write_sample(tmp_path / "c.png", seed=4)
    with Image.open(first) as image:
        assert image.format == "PNG" and image.mode == "RGB" and image.size == (256, 256)
    assert first.read_bytes() == again.read_bytes() != other.read_bytes()
