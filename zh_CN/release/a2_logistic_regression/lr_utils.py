"""Load the cat / non-cat image set in the classic course's HDF5 format.

``load_dataset()`` returns ``(train_set_x_orig, train_set_y, test_set_x_orig,
test_set_y, classes)``: images ``(m, 64, 64, 3)`` uint8, labels ``(1, m)``,
``classes`` the bytes array ``[b'non-cat', b'cat']``.

Its error messages speak the course's language: the English of ``MESSAGES``, or their translation in
``locale/<language>/LC_MESSAGES/lr_utils.po`` when the folder the notebook runs in holds ``course_language.txt``
naming the language (every assignment folder of a language's release does, e.g. ``zh_CN/release/``).
"""

import os
import re
from pathlib import Path

import h5py
import numpy as np

TRAIN_FILE = "train_catvnoncat.h5"
TEST_FILE = "test_catvnoncat.h5"
ENV_VAR = "CATVNONCAT_DIR"
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
LANGUAGE_FILE = "course_language.txt"  # in an assignment folder of a language's release: that language's code
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,3}(_[A-Za-z]{2})?")

# Every message students may see, one whole text each with named fields: translators translate these
# (catalog domain ``lr_utils``, key ``lr_utils.py#<key>``; `make translations` picks up a change).
MESSAGES = {
    "not-found": (
        "Could not find the course's image files {train_file} and {test_file}. Places tried:\n{places}\n"
        "On the course's JupyterHub the files come with the course: tell your instructor.\n"
        "On your own computer: put both files in a folder named `datasets` next to your notebook, "
        "or call load_dataset(data_dir=\"path/to/the/folder\"), or set the {env_var} environment "
        "variable to that folder."),
    "no-folder": "  - {folder} (folder does not exist)",
    "files-missing": "  - {folder} (missing {files})",
    "not-hdf5": ("{path} is not an HDF5 file (damaged, or only partly copied). Fix: replace it with "
                 "a fresh copy of the course's file, or one made by `python -m coursekit.dataset.from_photos`."),
    "keys-missing": ("{path} has no dataset {missing} (it holds {present}). Fix: the file must hold {x_key}, "
                     "{y_key} and 'list_classes', as the course's files do."),
    "image-shape": "{path}: {x_key} has shape {shape}; expected (m, num_px, num_px, 3) RGB images.",
    "image-dtype": "{path}: {x_key} has dtype {dtype}; expected uint8 pixels 0..255.",
    "label-shape": "{path}: {y_key} has shape {shape}; expected (m,) labels.",
    "label-dtype": "{path}: {y_key} has dtype {dtype}; expected integer labels.",
    "count-mismatch": "{path}: {images} images in {x_key} but {labels} labels in {y_key}.",
    "label-values": "{path}: {y_key} holds labels {labels}; only 0 (non-cat) and 1 (cat).",
    "classes": "{path}: 'list_classes' is {classes}; expected the bytes array [b'non-cat', b'cat'].",
}


def course_language():
    """The language of the folder the kernel runs in: what its course_language.txt names, else English."""
    try:
        code = (Path.cwd() / LANGUAGE_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return "en"
    return code if LANGUAGE_CODE.fullmatch(code) else "en"


def translated(key, language):
    """Message ``key`` in ``language`` from its catalog; the English when it has no current translation."""
    english = MESSAGES[key]
    catalog = LOCALE_DIR / language / "LC_MESSAGES" / "lr_utils.po"
    if language == "en" or not catalog.is_file():
        return english
    try:
        from babel.messages.pofile import read_po  # the course environment's gettext catalog reader

        with open(catalog, "rb") as handle:
            entry = read_po(handle).get(english, context=f"lr_utils.py#{key}")
    except Exception:  # noqa: BLE001 (an unreadable catalog: the English message still explains)
        return english
    return entry.string if entry is not None and entry.string and not entry.fuzzy else english


def message(key, **fields):
    """Message ``key`` of ``MESSAGES`` in the course's language, its named fields filled in."""
    return translated(key, course_language()).format(**fields)


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
    places = "\n".join(describe_missing(folder) for folder in tried)
    raise DatasetError(message("not-found", train_file=TRAIN_FILE, test_file=TEST_FILE, places=places,
                               env_var=ENV_VAR))


def describe_missing(folder):
    """One line of the places tried: the folder and what it lacks."""
    if not folder.is_dir():
        return message("no-folder", folder=folder)
    missing = [name for name in (TRAIN_FILE, TEST_FILE) if not (folder / name).is_file()]
    return message("files-missing", folder=folder, files=", ".join(missing))


def read_split(path, split):
    """Read ``{split}_set_x``, ``{split}_set_y`` and ``list_classes`` from one file, checked."""
    with open(path, "rb") as handle:
        if handle.read(len(HDF5_SIGNATURE)) != HDF5_SIGNATURE:
            raise DatasetError(message("not-hdf5", path=path))
    x_key, y_key = f"{split}_set_x", f"{split}_set_y"
    with h5py.File(path, "r") as h5:
        missing = [key for key in (x_key, y_key, "list_classes") if key not in h5]
        if missing:
            raise DatasetError(message("keys-missing", path=path, missing=", ".join(repr(k) for k in missing),
                                       present=sorted(h5.keys()), x_key=repr(x_key), y_key=repr(y_key)))
        images, labels, classes = h5[x_key][()], h5[y_key][()], h5["list_classes"][()]
    check_split(path, x_key, y_key, images, labels, classes)
    return images, labels, classes


def check_split(path, x_key, y_key, images, labels, classes):
    """Raise DatasetError naming the file and the key when arrays break the format."""
    x_key, y_key = repr(x_key), repr(y_key)
    if images.ndim != 4 or images.shape[3] != 3 or images.shape[1] != images.shape[2]:
        raise DatasetError(message("image-shape", path=path, x_key=x_key, shape=images.shape))
    if images.dtype != np.uint8:
        raise DatasetError(message("image-dtype", path=path, x_key=x_key, dtype=images.dtype))
    if labels.ndim != 1 and not (labels.ndim == 2 and 1 in labels.shape):
        raise DatasetError(message("label-shape", path=path, y_key=y_key, shape=labels.shape))
    if not np.issubdtype(labels.dtype, np.integer):
        raise DatasetError(message("label-dtype", path=path, y_key=y_key, dtype=labels.dtype))
    if labels.size != images.shape[0]:
        raise DatasetError(message("count-mismatch", path=path, images=images.shape[0], x_key=x_key,
                                   labels=labels.size, y_key=y_key))
    bad = np.setdiff1d(np.unique(labels), [0, 1])
    if bad.size:
        raise DatasetError(message("label-values", path=path, y_key=y_key, labels=bad.tolist()))
    if classes.shape != (2,) or classes.dtype.kind != "S":
        raise DatasetError(message("classes", path=path, classes=repr(classes)))


def load_dataset(data_dir=None):
    """Return train images, train labels (1, m), test images, test labels (1, m) and class names."""
    folder = find_dataset_dir(data_dir)
    train_x, train_y, classes = read_split(folder / TRAIN_FILE, "train")
    test_x, test_y, _ = read_split(folder / TEST_FILE, "test")
    return train_x, train_y.reshape(1, -1), test_x, test_y.reshape(1, -1), classes
