"""Build the bundled synthetic cat / non-cat set: ``python -m coursekit.dataset.synthetic --out datasets``.

Every image has its own random generator seeded from (seed, split, index), so a rebuild with the
same seed gives byte-identical arrays.
"""

import argparse
import sys

import numpy as np

from .h5format import OutputExistsError, check_writable, write_dataset
from .render import render

DEFAULT_SEED = 4
SPLITS = {"train": (209, 72), "test": (50, 33)}  # images, of which cats: as in the course's files


def labels_for(seed, split):
    """Shuffled 0/1 labels with the split's number of cats."""
    count, cats = SPLITS[split]
    labels = np.zeros(count, dtype=np.int64)
    labels[:cats] = 1
    return np.random.default_rng([seed, list(SPLITS).index(split)]).permutation(labels)


def build_split(seed, split):
    """Images (m, 64, 64, 3) uint8 and labels (m,) int64 of one split."""
    labels = labels_for(seed, split)
    index = list(SPLITS).index(split)
    images = [render(np.random.default_rng([seed, index, i]), bool(label)) for i, label in enumerate(labels)]
    return np.stack(images), labels


def build(out_dir, seed=DEFAULT_SEED, force=False):
    """Render both splits and write the two HDF5 files; return their paths."""
    check_writable(out_dir, force)
    train_x, train_y = build_split(seed, "train")
    test_x, test_y = build_split(seed, "test")
    return write_dataset(out_dir, train_x, train_y, test_x, test_y, force=force)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Render the synthetic cat / non-cat HDF5 files.")
    parser.add_argument("--out", required=True, help="folder for train_catvnoncat.h5 and test_catvnoncat.h5")
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    args = parser.parse_args(argv)
    try:
        paths = build(args.out, args.seed, args.force)
    except (OutputExistsError, OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path in paths:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
