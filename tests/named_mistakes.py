"""What the assignment tests' graded classes say about named mistakes (tests/test_a*.py use it)."""

from coursekit.reports import diagnoses_of


def naming(course, assignment, catalog, made):
    """``(right, wrong)``: sets of ``(student, cell, part, mistake)`` whose failed hidden test names a catalogued
    mistake; right when ``made[student]`` (a set of ``(part, mistake)``) holds it. Every named mistake must be in
    the cell's feedback message, in the catalog's words."""
    right, wrong = set(), set()
    for student, cases in made.items():
        failed = course.failed_tests(assignment, student)
        for cell, (part, name) in diagnoses_of(course.root / "autograded" / student / assignment, catalog).items():
            if name is None:
                continue
            assert f"matches a known mistake: {catalog.get(part, name).says}" in failed.get(cell, ""), (student, cell)
            (right if (part, name) in cases else wrong).add((student, cell, part, name))
    return right, wrong
