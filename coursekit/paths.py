"""Where the course's folders are."""

from pathlib import Path

COURSE_ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = COURSE_ROOT / "source"
RELEASE_DIR = COURSE_ROOT / "release"


def assignments(source_dir=SOURCE_DIR):
    """Names of the assignments: the folders of source/ holding a notebook, sorted."""
    return sorted(p.name for p in source_dir.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))
