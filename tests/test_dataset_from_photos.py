"""Building the course HDF5 files from a folder of photos: formats, bad files, errors, seeds, split."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from coursekit.dataset.from_photos import main
from lr_utils import load_dataset

ROOT = Path(__file__).resolve().parents[1]


def make_photos(folder, n_cat=4, n_noncat=4):
    """Plain-coloured pictures in cat/ and non-cat/, each a different colour so they can be told apart."""
    rng = np.random.default_rng(0)
    for name, count in (("cat", n_cat), ("non-cat", n_noncat)):
        (folder / name).mkdir(parents=True, exist_ok=True)
        for i in range(count):
            colour = tuple(int(c) for c in rng.integers(0, 256, 3))
            Image.new("RGB", (30 + i, 20 + 2 * i), colour).save(folder / name / f"{i:02d}.png")
    return folder


def build(photo_dir, out_dir, *extra):
    return main([str(photo_dir), "--out", str(out_dir), "--size", "16", *extra])


def test_mixed_formats_and_a_corrupt_file(tmp_path, capsys):
    photos = tmp_path / "photos"
    (photos / "cat").mkdir(parents=True)
    (photos / "non-cat").mkdir()
    stripes = Image.new("RGB", (90, 30), (255, 0, 0))
    stripes.paste((0, 200, 0), (30, 0, 60, 30))
    stripes.paste((0, 0, 255), (60, 0, 90, 30))
    stripes.save(photos / "cat" / "wide.jpg", quality=95)
    Image.new("L", (40, 70), 128).save(photos / "cat" / "grey.png")
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(photos / "cat" / "clear.png")
    Image.new("RGB", (33, 33), (10, 20, 30)).save(photos / "cat" / "small.bmp")
    Image.new("P", (64, 48), 3).save(photos / "non-cat" / "palette.gif")
    Image.new("RGB", (100, 80), (200, 100, 0)).save(photos / "non-cat" / "big.tiff")
    Image.new("RGB", (60, 60), (5, 5, 5)).save(photos / "non-cat" / "dark.webp")
    (photos / "non-cat" / "broken.jpg").write_bytes(b"\xff\xd8\xff this is not a picture")
    assert build(photos, tmp_path / "out", "--test-ratio", "0.25") == 0
    assert "broken.jpg" in capsys.readouterr().err
    train_x, train_y, test_x, test_y, classes = load_dataset(data_dir=tmp_path / "out")
    assert train_x.shape[1:] == test_x.shape[1:] == (16, 16, 3)
    assert train_x.dtype == np.uint8 and classes.tolist() == [b"non-cat", b"cat"]
    assert train_y.size + test_y.size == 7
    assert int(train_y.sum() + test_y.sum()) == 4
    images = np.concatenate([train_x, test_x]).reshape(7, -1, 3)
    assert (images == 255).all(axis=(1, 2)).any(), "transparent picture should come out white"
    green_middle = (images[:, :, 1] > 150) & (images[:, :, 0] < 60) & (images[:, :, 2] < 60)
    assert green_middle.all(axis=1).any(), "wide picture should be cropped to its green centre"


@pytest.mark.parametrize("content", ["nothing", "only-broken"])
def test_empty_class_is_an_error(tmp_path, capsys, content):
    photos = make_photos(tmp_path / "photos", n_noncat=0)
    if content == "only-broken":
        (photos / "non-cat" / "x.png").write_bytes(b"garbage")
    assert build(photos, tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert "no readable images in" in err and "non-cat" in err
    assert not (tmp_path / "out" / "train_catvnoncat.h5").exists()


def test_errors_are_one_line_without_traceback(tmp_path):
    photos = make_photos(tmp_path / "photos", n_cat=0)
    command = [sys.executable, "-m", "coursekit.dataset.from_photos", str(photos), "--out", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "cat" in result.stderr


def test_no_overwrite_without_force_then_force_overwrites(tmp_path, capsys):
    photos, out = make_photos(tmp_path / "photos"), tmp_path / "out"
    out.mkdir()
    (out / "test_catvnoncat.h5").write_bytes(b"old")
    assert build(photos, out) == 1
    err = capsys.readouterr().err
    assert "test_catvnoncat.h5" in err and "--force" in err
    assert (out / "test_catvnoncat.h5").read_bytes() == b"old"
    assert build(photos, out, "--force") == 0
    assert load_dataset(data_dir=out)[2].shape[1:] == (16, 16, 3)


def test_same_seed_same_files_other_seed_other_order(tmp_path):
    photos = make_photos(tmp_path / "photos", 8, 8)
    for name, seed in (("a", "1"), ("b", "1"), ("c", "2")):
        assert build(photos, tmp_path / name, "--seed", seed) == 0
    a, b, c = (load_dataset(data_dir=tmp_path / name) for name in "abc")
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[0], c[0])


def test_split_ratio_is_applied_to_each_class(tmp_path):
    photos = make_photos(tmp_path / "photos", 10, 10)
    assert build(photos, tmp_path / "out", "--test-ratio", "0.3") == 0
    _, train_y, _, test_y, _ = load_dataset(data_dir=tmp_path / "out")
    assert (train_y.size, int(train_y.sum())) == (14, 7)
    assert (test_y.size, int(test_y.sum())) == (6, 3)
