"""Write cat / non-cat image sets as the two HDF5 files of the classic course format."""

from pathlib import Path

import h5py
import numpy as np

TRAIN_FILE = "train_catvnoncat.h5"
TEST_FILE = "test_catvnoncat.h5"
CLASSES = np.array([b"non-cat", b"cat"], dtype="S7")


class OutputExistsError(FileExistsError):
    """An output file is already there and overwriting was not asked for."""


def output_paths(out_dir):
    """The train and test file paths inside ``out_dir``."""
    return Path(out_dir) / TRAIN_FILE, Path(out_dir) / TEST_FILE


def check_writable(out_dir, force=False):
    """Raise OutputExistsError naming the first existing output file unless ``force``."""
    for path in output_paths(out_dir):
        if path.exists() and not force:
            raise OutputExistsError(f"{path} already exists; pass --force to overwrite it")


def write_dataset(out_dir, train_x, train_y, test_x, test_y, force=False):
    """Write ``train_set_x``/``_y``, ``test_set_x``/``_y`` and ``list_classes``; return the two paths."""
    check_writable(out_dir, force)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    paths = output_paths(out_dir)
    for path, split, images, labels in zip(paths, ("train", "test"), (train_x, test_x), (train_y, test_y)):
        images, labels = np.asarray(images, dtype=np.uint8), np.asarray(labels, dtype=np.int64).reshape(-1)
        if images.ndim != 4 or images.shape[3] != 3 or len(images) != len(labels):
            raise ValueError(
                f"{split}: expected images (m, n, n, 3) and m labels, got {images.shape}, {labels.shape}"
            )
        with h5py.File(path, "w") as h5:
            h5.create_dataset(f"{split}_set_x", data=images)
            h5.create_dataset(f"{split}_set_y", data=labels)
            h5.create_dataset("list_classes", data=CLASSES)
    return paths
