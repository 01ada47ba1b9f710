"""An assignment's catalog of known mistakes, ``source/<assignment>/<name>_mistakes.py``, on the grader's side.

The catalog names each known wrong answer of a graded part, says in one sentence what is wrong
and what to change, and writes the wrong answer as edits of the solution. Its edits hold solution
text, so the catalog stays with the instructor: the release and the student's kernel never get it
(``is_catalog``). Students hear only its sentences, in their feedback.
"""

from dataclasses import dataclass
from pathlib import Path

CATALOG_PATTERN = "*_mistakes.py"


def is_catalog(path):
    """Whether ``path`` names a mistake catalog (a file that never leaves the instructor's side)."""
    return Path(path).match(CATALOG_PATTERN)


@dataclass(frozen=True)
class Mistake:
    """One known wrong answer of ``part``: its short name, its sentence for students, its edits of the solution."""

    part: str
    name: str
    says: str
    edits: tuple

    @property
    def answer_cell(self):
        return f"answer_{self.part}"


class Catalog:
    """The mistakes of one assignment, by part."""

    def __init__(self, mistakes, cells=None):
        self.by_part = {part: [Mistake(part, name, entry["says"], tuple(tuple(e) for e in entry["edits"]))
                               for name, entry in named.items()] for part, named in mistakes.items()}
        self.cells = dict(cells or {})

    @classmethod
    def from_text(cls, text, filename="<catalog>"):
        """The catalog a ``*_mistakes.py`` file defines (instructor's code: run here, never in a kernel)."""
        namespace = {}
        exec(compile(text, filename, "exec"), namespace)  # noqa: S102 (the instructor's catalog)
        return cls(namespace["MISTAKES"], namespace.get("CELLS"))

    @classmethod
    def of_folder(cls, folder):
        """The catalog in an assignment's source folder, or None when it has none."""
        paths = sorted(Path(folder).glob(CATALOG_PATTERN))
        return cls.from_text(paths[0].read_text(), str(paths[0])) if paths else None

    def __iter__(self):
        return (mistake for mistakes in self.by_part.values() for mistake in mistakes)

    def of_part(self, part):
        return self.by_part.get(part, [])

    def get(self, part, name):
        return next(m for m in self.of_part(part) if m.name == name)

    def part_of_cell(self, grade_id):
        """The part a test cell judges: ``CELLS`` says, or the name after ``hidden_`` / ``test_``."""
        if grade_id in self.cells:
            return self.cells[grade_id]
        for prefix in ("hidden_", "test_"):
            if grade_id.startswith(prefix):
                return grade_id[len(prefix):]
        return None

    def variants(self):
        """``{part: {name: edits}}``: the wrong answers as edits of the solution (the assignment tests' table)."""
        return {part: {m.name: list(m.edits) for m in mistakes} for part, mistakes in self.by_part.items()}
