"""Shared fixtures: a scratch course per assignment, generated once per test session."""

import os

# One BLAS thread per process: tests run several kernels at once on two cores, and threads
# fighting over them made training iterations ten times slower.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import pytest  # noqa: E402

from coursekit.grading.batch.harness import TempCourse  # noqa: E402


@pytest.fixture(scope="session")
def course_for(tmp_path_factory):
    """``course_for("a1_numpy_basics")``: a TempCourse with that assignment released."""
    made = {}

    def make(assignment):
        if assignment not in made:
            made[assignment] = TempCourse(tmp_path_factory.mktemp(assignment), [assignment])
        return made[assignment]

    return make
