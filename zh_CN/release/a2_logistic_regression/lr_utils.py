"""Load the cat / non-cat image set in the classic course's HDF5 format.

``load_dataset()`` returns ``(train_set_x_orig, train_set_y, test_set_x_orig,
test_set_y, classes)``: images ``(m, 64, 64, 3)`` uint8, labels ``(1, m)``,
``classes`` the bytes array ``[b'non-cat', b'cat']``.
"""

import os
from pathlib import Path

import h5py
import numpy as np

TRAIN_FILE = "train_catvnoncat.h5"
TEST_FILE = "test_catvnoncat.h5"
ENV_VAR = "CATVNONCAT_DIR"
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


class DatasetError(Exception):
    """The cat / non-cat files are missing or not in the expected format."""

    def _render_traceback_(self):
        """IPython shows the message alone: what is wrong and the fix, no frames through this module."""
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]


def candidate_dirs(data_dir=None):
    """The folders searched for the two files, in order."""
    if data_dir is not None:
        return [Path(data_dir)]
    places = []
    if os.environ.get(ENV_VAR):
        places.append(Path(os.environ[ENV_VAR]))
    places.append(Path.cwd() / "datasets")
    places.append(Path(__file__).resolve().parent / "datasets")
    return places


def find_dataset_dir(data_dir=None):
    """Return the first candidate folder holding both files, or explain where we looked."""
    tried = candidate_dirs(data_dir)
    for folder in tried:
        if (folder / TRAIN_FILE).is_file() and (folder / TEST_FILE).is_file():
            return folder
    lines = "\n".join(f"  - {folder}{describe_missing(folder)}" for folder in tried)
    raise DatasetError(
        f"Could not find the course's image files {TRAIN_FILE} and {TEST_FILE}. Places tried:\n{lines}\n"
        "On the course's JupyterHub the files come with the course: tell your instructor.\n"
        "On your own computer: put both files in a folder named `datasets` next to your notebook, "
        f"or call load_dataset(data_dir=\"path/to/the/folder\"), or set the {ENV_VAR} environment "
        "variable to that folder."
    )


def describe_missing(folder):
    if not folder.is_dir():
        return " (folder does not exist)"
    missing = [name for name in (TRAIN_FILE, TEST_FILE) if not (folder / name).is_file()]
    return f" (missing {', '.join(missing)})"


def read_split(path, split):
    """Read ``{split}_set_x``, ``{split}_set_y`` and ``list_classes`` from one file, checked."""
    with open(path, "rb") as handle:
        if handle.read(len(HDF5_SIGNATURE)) != HDF5_SIGNATURE:
            raise DatasetError(
                f"{path} is not an HDF5 file (damaged, or only partly copied). Fix: replace it with "
                "a fresh copy of the course's file, or one made by `python -m coursekit.dataset.from_photos`."
            )
    x_key, y_key = f"{split}_set_x", f"{split}_set_y"
    with h5py.File(path, "r") as h5:
        missing = [key for key in (x_key, y_key, "list_classes") if key not in h5]
        if missing:
            raise DatasetError(
                f"{path} has no dataset {', '.join(repr(k) for k in missing)} "
                f"(it holds {sorted(h5.keys())}). Fix: the file must hold {x_key!r}, "
                f"{y_key!r} and 'list_classes', as the course's files do."
            )
        images, labels, classes = h5[x_key][()], h5[y_key][()], h5["list_classes"][()]
    check_split(path, x_key, y_key, images, labels, classes)
    return images, labels, classes


def check_split(path, x_key, y_key, images, labels, classes):
    """Raise DatasetError naming the file and the key when arrays break the format."""
    if images.ndim != 4 or images.shape[3] != 3 or images.shape[1] != images.shape[2]:
        raise DatasetError(
            f"{path}: {x_key!r} has shape {images.shape}; expected (m, num_px, num_px, 3) RGB images."
        )
    if images.dtype != np.uint8:
        raise DatasetError(f"{path}: {x_key!r} has dtype {images.dtype}; expected uint8 pixels 0..255.")
    if labels.ndim != 1 and not (labels.ndim == 2 and 1 in labels.shape):
        raise DatasetError(f"{path}: {y_key!r} has shape {labels.shape}; expected (m,) labels.")
    if not np.issubdtype(labels.dtype, np.integer):
        raise DatasetError(f"{path}: {y_key!r} has dtype {labels.dtype}; expected integer labels.")
    if labels.size != images.shape[0]:
        raise DatasetError(
            f"{path}: {images.shape[0]} images in {x_key!r} but {labels.size} labels in {y_key!r}."
        )
    bad = np.setdiff1d(np.unique(labels), [0, 1])
    if bad.size:
        raise DatasetError(f"{path}: {y_key!r} holds labels {bad.tolist()}; only 0 (non-cat) and 1 (cat).")
    if classes.shape != (2,) or classes.dtype.kind != "S":
        raise DatasetError(
            f"{path}: 'list_classes' is {classes!r}; expected the bytes array [b'non-cat', b'cat']."
        )


def load_dataset(data_dir=None):
    """Return train images, train labels (1, m), test images, test labels (1, m) and class names."""
    folder = find_dataset_dir(data_dir)
    train_x, train_y, classes = read_split(folder / TRAIN_FILE, "train")
    test_x, test_y, _ = read_split(folder / TEST_FILE, "test")
    return train_x, train_y.reshape(1, -1), test_x, test_y.reshape(1, -1), classes
