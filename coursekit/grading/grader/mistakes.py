"""An assignment's catalog of known mistakes, ``source/<assignment>/<name>_mistakes.py``, on the grader's side.

The catalog names each known wrong answer of a graded part, says in one sentence what is wrong
and what to change, and writes the wrong answer as edits of the solution (``edits``) or as the answer
cell's whole code (``code``). Both hold solution text, so the catalog stays with the instructor: the
release and the student's kernel never get it (``is_catalog``). Students hear only its sentences.
"""

from dataclasses import dataclass
from pathlib import Path

from coursekit.submissions import edited

CATALOG_PATTERN = "*_mistakes.py"


def is_catalog(path):
    """Whether ``path`` names a mistake catalog (a file that never leaves the instructor's side)."""
    return Path(path).match(CATALOG_PATTERN)


@dataclass(frozen=True)
class Mistake:
    """One known wrong answer of ``part``: its short name, its sentence for students, and its code: edits of
    the solution, or the answer cell's whole code."""

    part: str
    name: str
    says: str
    edits: tuple = ()
    code: str = None

    @property
    def answer_cell(self):
        return f"answer_{self.part}"

    def answer(self, solution):
        """The wrong answer cell's code, given the solution's."""
        return self.code if self.code is not None else edited(solution, self.edits)


class Catalog:
    """The mistakes of one assignment, by part; ``CELLS`` names the part of a test cell whose name does not, and
    ``USES`` the answers each part calls that the course's version stands in for at grading (``course_versions``)."""

    def __init__(self, mistakes, cells=None, uses=None):
        self.by_part = {part: [Mistake(part, name, entry["says"], tuple(tuple(e) for e in entry.get("edits", ())),
                                       entry.get("code")) for name, entry in named.items()]
                        for part, named in mistakes.items()}
        self.cells = dict(cells or {})
        self.uses = {part: tuple(names) for part, names in (uses or {}).items()}

    @classmethod
    def from_text(cls, text, filename="<catalog>"):
        """The catalog a ``*_mistakes.py`` file defines (instructor's code: run here, never in a kernel)."""
        namespace = {}
        exec(compile(text, filename, "exec"), namespace)  # noqa: S102 (the instructor's catalog)
        return cls(namespace["MISTAKES"], namespace.get("CELLS"), namespace.get("USES"))

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

    def answers(self, solution):
        """``{part: {name: wrong answer cell code}}`` over ``solution`` (``{answer grade_id: code}``)."""
        return {part: {m.name: m.answer(solution[m.answer_cell]) for m in mistakes}
                for part, mistakes in self.by_part.items()}
