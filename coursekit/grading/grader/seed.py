"""Fresh inputs for hidden tests on every grading run: a per-run seed, recorded so a grade can be reproduced.

A hidden test draws its inputs from ``grading_rng(name)``: while a notebook is graded, that is
seeded from the run's seed (new for every grading run, unless the instructor fixes one) and the
test's name, so the inputs a student's code saw and printed into one feedback say nothing about
the next grading. The executor records the seed in the autograded notebook's metadata
(``coursekit.grading_seed``); grading again with ``COURSEKIT_GRADING_SEED=<seed>`` (or
``CleanRoomExecute.grading_seed``) repeats those inputs. Outside grading (the instructor running
the source notebook) the seed is that variable's, or 0.
"""

import contextlib
import os
import secrets
import zlib

import numpy as np

SEED_ENV = "COURSEKIT_GRADING_SEED"
_RUN = {"seed": None}


def fixed_seed():
    """The seed the instructor asked for (``COURSEKIT_GRADING_SEED``), or None."""
    value = os.environ.get(SEED_ENV, "").strip()
    return int(value) if value else None


def grading_seed():
    """The seed of the grading run in progress; outside grading, the fixed seed or 0."""
    if _RUN["seed"] is not None:
        return _RUN["seed"]
    return fixed_seed() or 0


def grading_rng(name=""):
    """A NumPy generator for the hidden test ``name``, from this run's seed (independent of other tests)."""
    return np.random.default_rng([grading_seed(), zlib.crc32(name.encode())])


@contextlib.contextmanager
def grading_run(seed=None):
    """Grade under ``seed`` (default: the fixed seed, else a fresh random one); yields the seed used."""
    chosen = seed if seed is not None else fixed_seed()
    _RUN["seed"] = chosen if chosen is not None else secrets.randbits(32)
    try:
        yield _RUN["seed"]
    finally:
        _RUN["seed"] = None
