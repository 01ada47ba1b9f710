"""Write one larger rendered cat picture as PNG: ``python -m coursekit.dataset.sample --out my_cat.png``."""

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from .render import render


def write_sample(path, seed=0, size=256):
    """Render a cat picture of size x size pixels to ``path`` (PNG) and return the path."""
    pixels = render(np.random.default_rng([seed, 99]), True, size=size, supersample=2)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path, format="PNG")
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Render one cat picture as a PNG file.")
    parser.add_argument("--out", required=True, help="PNG file to write")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--size", type=int, default=256, help="width and height in pixels (default 256)")
    args = parser.parse_args(argv)
    try:
        print(f"wrote {write_sample(args.out, args.seed, args.size)}")
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
