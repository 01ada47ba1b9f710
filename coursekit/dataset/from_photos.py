"""Build the two course HDF5 files from your own photos.

``python -m coursekit.dataset.from_photos PHOTO_DIR --out DIR [--test-ratio 0.2] [--seed 0] [--size 64]``

PHOTO_DIR holds ``cat/`` and ``non-cat/`` folders of pictures in any format Pillow reads. Each picture
is centre-cropped to a square, resized to size x size and converted to RGB. Each class is shuffled
with the seed and ``round(test_ratio * n)`` of its pictures go to the test file.
"""

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from .h5format import OutputExistsError, check_writable, write_dataset

CLASS_DIRS = {"non-cat": 0, "cat": 1}


class PhotoError(Exception):
    """The photo folder cannot give a usable data set."""


def load_photo(path, size):
    """A (size, size, 3) uint8 array: upright, transparency on white, centre-cropped and resized."""
    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image)
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            rgba = image.convert("RGBA")
            image = Image.new("RGB", rgba.size, (255, 255, 255))
            image.paste(rgba, mask=rgba.getchannel("A"))
        square = ImageOps.fit(image.convert("RGB"), (size, size), Image.LANCZOS)
    return np.asarray(square, dtype=np.uint8)


def load_class(folder, size):
    """Arrays of every readable picture in ``folder`` (sorted by name); unreadable ones reported on stderr."""
    if not folder.is_dir():
        raise PhotoError(f"{folder} is not a folder; PHOTO_DIR needs cat/ and non-cat/ subfolders")
    images = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        try:
            images.append(load_photo(path, size))
        except (OSError, ValueError, Image.DecompressionBombError) as error:
            print(f"skipped unreadable image {path}: {error}", file=sys.stderr)
    if not images:
        raise PhotoError(f"no readable images in {folder}; each class needs at least one picture")
    return images


def split(images_by_label, test_ratio, seed):
    """Stratified, seeded split into (train_x, train_y, test_x, test_y), each split shuffled."""
    if not 0 < test_ratio < 1:
        raise PhotoError(f"--test-ratio must be between 0 and 1, got {test_ratio}")
    rng = np.random.default_rng(seed)
    parts = {"train": [], "test": []}
    for label, images in images_by_label.items():
        order = rng.permutation(len(images))
        n_test = round(test_ratio * len(images))
        parts["test"] += [(images[i], label) for i in order[:n_test]]
        parts["train"] += [(images[i], label) for i in order[n_test:]]
    result = []
    for name, items in parts.items():
        if not items:
            raise PhotoError(f"the {name} set would be empty; add photos or change --test-ratio")
        items = [items[i] for i in rng.permutation(len(items))]
        result += [np.stack([image for image, _ in items]), np.array([label for _, label in items], np.int64)]
    return tuple(result)


def build(photo_dir, out_dir, test_ratio=0.2, seed=0, size=64, force=False):
    """Read, split and write the photos; return the train and test file paths and the four arrays."""
    check_writable(out_dir, force)
    if size < 1:
        raise PhotoError(f"--size must be positive, got {size}")
    photo_dir = Path(photo_dir)
    images_by_label = {label: load_class(photo_dir / name, size) for name, label in CLASS_DIRS.items()}
    arrays = split(images_by_label, test_ratio, seed)
    return write_dataset(out_dir, *arrays, force=force), arrays


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Build train/test cat HDF5 files from cat/ and non-cat/ photos."
    )
    parser.add_argument("photo_dir", help="folder with cat/ and non-cat/ subfolders")
    parser.add_argument("--out", required=True, help="folder for train_catvnoncat.h5 and test_catvnoncat.h5")
    parser.add_argument("--test-ratio", type=float, default=0.2, help="share of each class for testing (0.2)")
    parser.add_argument("--seed", type=int, default=0, help="shuffle seed (default 0)")
    parser.add_argument("--size", type=int, default=64, help="image width and height in pixels (default 64)")
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    args = parser.parse_args(argv)
    try:
        paths, (train_x, train_y, test_x, test_y) = build(
            args.photo_dir, args.out, args.test_ratio, args.seed, args.size, args.force
        )
    except (PhotoError, OutputExistsError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {paths[0]}: {len(train_y)} images ({int(train_y.sum())} cats)")
    print(f"wrote {paths[1]}: {len(test_y)} images ({int(test_y.sum())} cats)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
