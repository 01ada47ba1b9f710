"""lr_utils.load_dataset on the original files, the bundled ones and every kind of bad input."""

import hashlib
import os
import shutil
import string
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

import lr_utils
from coursekit.paths import COURSE_ROOT
from lr_utils import DatasetError, load_dataset

ORIGINAL = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "catvnoncat"
BUNDLED = Path(lr_utils.__file__).resolve().parent / "datasets"


def write_pair(folder, m_train=6, m_test=4, **overrides):
    """Write a small valid pair of files; ``overrides`` replaces a key's array (None drops it)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for split, m in (("train", m_train), ("test", m_test)):
        arrays = {
            f"{split}_set_x": rng.integers(0, 256, (m, 8, 8, 3), dtype=np.uint8),
            f"{split}_set_y": np.arange(m) % 2,
            "list_classes": np.array([b"non-cat", b"cat"], dtype="S7"),
        }
        for key, value in overrides.items():
            if key in arrays:
                arrays[key] = value
        with h5py.File(folder / f"{split}_catvnoncat.h5", "w") as h5:
            for key, value in arrays.items():
                if value is not None:
                    h5.create_dataset(key, data=value)
    return folder


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.mark.skipif(not ORIGINAL.is_dir(), reason="original course files not present")
def test_original_files_load_unchanged():
    before = {p.name: sha256(p) for p in ORIGINAL.glob("*.h5")}
    train_x, train_y, test_x, test_y, classes = load_dataset(ORIGINAL)
    assert train_x.shape == (209, 64, 64, 3) and train_x.dtype == np.uint8
    assert test_x.shape == (50, 64, 64, 3) and test_x.dtype == np.uint8
    assert train_y.shape == (1, 209) and test_y.shape == (1, 50)
    assert int(train_y.sum()) == 72 and int(test_y.sum()) == 33
    assert classes.tolist() == [b"non-cat", b"cat"]
    assert train_x.reshape(209, -1).T[0:5, 0].tolist() == [17, 31, 56, 22, 33]
    assert {p.name: sha256(p) for p in ORIGINAL.glob("*.h5")} == before


def test_resolution_order(tmp_path, monkeypatch):
    from_env = write_pair(tmp_path / "env", m_train=3)
    from_cwd = write_pair(tmp_path / "work" / "datasets", m_train=5)
    monkeypatch.chdir(tmp_path / "work")
    monkeypatch.setenv(lr_utils.ENV_VAR, str(from_env))
    assert load_dataset()[0].shape[0] == 3
    assert load_dataset(from_cwd)[0].shape[0] == 5
    monkeypatch.delenv(lr_utils.ENV_VAR)
    assert load_dataset()[0].shape[0] == 5


def test_missing_folder_lists_every_place_tried(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(lr_utils.ENV_VAR, str(tmp_path / "nowhere"))
    monkeypatch.setattr(lr_utils, "__file__", str(tmp_path / "pkg" / "lr_utils.py"))
    with pytest.raises(DatasetError) as error:
        load_dataset()
    message = str(error.value)
    for place in (tmp_path / "nowhere", tmp_path / "datasets", tmp_path / "pkg" / "datasets"):
        assert str(place) in message
    assert "folder does not exist" in message and "CATVNONCAT_DIR" in message


def test_missing_file_is_named(tmp_path):
    folder = write_pair(tmp_path / "d")
    (folder / "test_catvnoncat.h5").unlink()
    with pytest.raises(DatasetError, match="missing test_catvnoncat.h5"):
        load_dataset(folder)


def test_not_an_hdf5_file(tmp_path):
    folder = write_pair(tmp_path / "d")
    (folder / "train_catvnoncat.h5").write_text("version https://git-lfs.github.com/spec/v1\n")
    with pytest.raises(DatasetError, match="train_catvnoncat.h5 is not an HDF5 file"):
        load_dataset(folder)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("train_set_x", None, "no dataset 'train_set_x'"),
        ("list_classes", None, "no dataset 'list_classes'"),
        ("train_set_x", np.zeros((6, 8, 8), np.uint8), "expected \\(m, num_px, num_px, 3\\)"),
        ("train_set_x", np.zeros((6, 8, 8, 3), np.float32), "dtype float32; expected uint8"),
        ("train_set_y", np.array([0, 1, 2, 0, 1, 0]), "labels \\[2\\]"),
        ("train_set_y", np.array([0, 1, 1]), "6 images .* but 3 labels"),
        ("train_set_y", np.zeros((6, 2), int), "expected \\(m,\\) labels"),
        ("train_set_y", np.full(6, 0.5), "expected integer labels"),
        ("list_classes", np.array([b"cat"], dtype="S3"), "'list_classes' is"),
    ],
)
def test_bad_content_is_explained(tmp_path, key, value, expected):
    folder = write_pair(tmp_path / "d", **{key: value})
    with pytest.raises(DatasetError, match=expected):
        load_dataset(folder)


def test_loading_never_writes(tmp_path):
    folder = write_pair(tmp_path / "d")
    before = {p.name: (sha256(p), os.stat(p).st_mtime_ns) for p in folder.iterdir()}
    load_dataset(folder)
    assert {p.name: (sha256(p), os.stat(p).st_mtime_ns) for p in folder.iterdir()} == before


def fields(text):
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name)


def test_every_message_has_a_chinese_translation_with_the_same_fields():
    for key, english in lr_utils.MESSAGES.items():
        chinese = lr_utils.translated(key, "zh_CN")
        assert chinese != english and fields(chinese) == fields(english), key


def test_errors_speak_the_language_of_the_folder_the_kernel_runs_in(tmp_path, monkeypatch):
    monkeypatch.delenv(lr_utils.ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DatasetError, match="Could not find the course's image files"):
        load_dataset(tmp_path / "nowhere")
    (tmp_path / lr_utils.LANGUAGE_FILE).write_text("zh_CN\n")
    with pytest.raises(DatasetError, match=r"找不到课程的图像文件 train_catvnoncat.h5 和 test_catvnoncat.h5(.|\n)*"
                                           r"nowhere（文件夹不存在）"):
        load_dataset(tmp_path / "nowhere")
    for unknown in ("fr", "../../etc", ""):  # no catalog, or not a language code: English
        (tmp_path / lr_utils.LANGUAGE_FILE).write_text(unknown)
        with pytest.raises(DatasetError, match="Could not find"):
            load_dataset(tmp_path / "nowhere")


def test_a_stale_translation_gives_the_english(tmp_path, monkeypatch):
    catalog = tmp_path / "zh_CN" / "LC_MESSAGES" / "lr_utils.po"
    catalog.parent.mkdir(parents=True)
    english = lr_utils.MESSAGES["no-folder"]
    catalog.write_text(f'#, fuzzy\nmsgctxt "lr_utils.py#no-folder"\nmsgid "{english}"\nmsgstr "旧的翻译"\n')
    monkeypatch.setattr(lr_utils, "LOCALE_DIR", tmp_path)
    assert lr_utils.translated("no-folder", "zh_CN") == english
    catalog.write_text(catalog.read_text().replace("#, fuzzy\n", ""))
    assert lr_utils.translated("no-folder", "zh_CN") == "旧的翻译"


def test_a_chinese_release_folder_copied_anywhere_speaks_chinese(tmp_path):
    """The stand-alone zh_CN a2 folder carries course_language.txt and lr_utils's catalog beside its lr_utils.py."""
    folder = shutil.copytree(COURSE_ROOT / "zh_CN" / "release" / "a2_logistic_regression", tmp_path / "a2",
                             ignore=shutil.ignore_patterns("datasets"))
    code = ("import lr_utils\nprint(lr_utils.__file__)\ntry:\n    lr_utils.load_dataset()\n"
            "except lr_utils.DatasetError as error:\n    print(error)\n")
    env = {k: v for k, v in os.environ.items() if k != lr_utils.ENV_VAR}
    ran = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True, env=env, check=True)
    where, message = ran.stdout.split("\n", 1)
    assert Path(where).parent == folder
    assert message.startswith("找不到课程的图像文件") and "（文件夹不存在）" in message
