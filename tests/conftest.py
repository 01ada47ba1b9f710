"""Shared fixtures: a scratch course per assignment, generated once per test session."""

import pytest

from coursekit.grading.harness import TempCourse


@pytest.fixture(scope="session")
def course_for(tmp_path_factory):
    """``course_for("a1_numpy_basics")``: a TempCourse with that assignment released."""
    made = {}

    def make(assignment):
        if assignment not in made:
            made[assignment] = TempCourse(tmp_path_factory.mktemp(assignment), [assignment])
        return made[assignment]

    return make
