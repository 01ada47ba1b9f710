"""Committed notebooks are clean nbformat 4, and release/ is exactly what nbgrader makes of source/."""

import filecmp
import json
import subprocess
from pathlib import Path

import nbformat
import pytest

from coursekit.paths import COURSE_ROOT, RELEASE_DIR, SOURCE_DIR, assignments
from coursekit.release import generate_releases


def tracked_notebooks():
    listed = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=COURSE_ROOT, capture_output=True, text=True)
    if listed.returncode != 0:  # not a git checkout: every notebook outside build folders
        return sorted(p.relative_to(COURSE_ROOT) for p in COURSE_ROOT.rglob("*.ipynb") if ".venv" not in p.parts)
    return [Path(line) for line in listed.stdout.split()]


@pytest.mark.parametrize("path", tracked_notebooks(), ids=str)
def test_notebook_is_valid_and_has_no_outputs(path):
    notebook = nbformat.read(COURSE_ROOT / path, as_version=nbformat.NO_CONVERT)
    assert notebook.nbformat == 4
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path} has outputs: clear them"


def test_course_has_both_assignments_released():
    names = assignments()
    assert names and names == assignments(RELEASE_DIR)


def compare_trees(expected, actual):
    """Relative paths that differ between two folders (missing, extra or different content)."""
    comparison = filecmp.dircmp(expected, actual, ignore=["__pycache__", ".ipynb_checkpoints"])
    problems = [f"only in regenerated: {n}" for n in comparison.left_only]
    problems += [f"only in release/: {n}" for n in comparison.right_only]
    for name in comparison.common_files:
        left, right = Path(expected) / name, Path(actual) / name
        if name.endswith(".ipynb"):
            same = json.loads(left.read_text()) == json.loads(right.read_text())
        else:
            same = left.read_bytes() == right.read_bytes()
        if not same:
            problems.append(f"differs: {name}")
    for name in comparison.common_dirs:
        problems += [f"{name}/{p}" for p in compare_trees(Path(expected) / name, Path(actual) / name)]
    return problems


def test_release_is_in_sync_with_source(tmp_path):
    names = assignments(SOURCE_DIR)
    generate_releases(names, out_dir=tmp_path)
    for name in names:
        problems = compare_trees(tmp_path / name, RELEASE_DIR / name)
        assert not problems, f"release/{name} is out of date ({problems}): run `make release` and commit"
