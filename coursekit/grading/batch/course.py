"""nbgrader operations on one course folder, with the course's own configuration."""

import logging
import os
import sys
import warnings
from pathlib import Path

from nbgrader.converters import Autograde, GenerateAssignment, GenerateFeedback
from nbgrader.coursedir import CourseDirectory
from sqlalchemy.exc import SAWarning
from traitlets.config.loader import PyFileConfigLoader

from coursekit.paths import COURSE_ROOT

# nbgrader's own ORM use makes SQLAlchemy warn on every submission; the warnings say nothing to instructors.
warnings.filterwarnings("ignore", category=SAWarning)

# nbgrader runs `alembic` through PATH when it opens a gradebook: use this environment's.
ENV_BIN = str(Path(sys.executable).parent)
if ENV_BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = ENV_BIN + os.pathsep + os.environ.get("PATH", "")


def course_config(root=COURSE_ROOT, db_path=None, trusted_root=None, extra=None):
    """The course's nbgrader_config.py, pointed at ``root`` (and its SQLite gradebook at ``db_path``).

    ``trusted_root`` is the folder whose source/ and data the grader trusts (default ``root``);
    its own nbgrader_config.py (a course's cell timeout, say) overrides the repository's.
    """
    config = PyFileConfigLoader("nbgrader_config.py", path=str(COURSE_ROOT)).load_config()
    root = Path(root).resolve()
    settings = Path(trusted_root or root).resolve()
    if settings != COURSE_ROOT and (settings / "nbgrader_config.py").is_file():  # another course's overrides
        config.merge(PyFileConfigLoader("nbgrader_config.py", path=str(settings)).load_config())
    config.CourseDirectory.root = str(root)
    config.CleanRoomExecute.trusted_root = str(Path(trusted_root or root).resolve())
    if db_path or config.CourseDirectory.db_url.startswith("sqlite"):  # a server's db_url is kept as configured
        config.CourseDirectory.db_url = "sqlite:///" + str(Path(db_path or root / "gradebook.db").resolve())
    if extra:
        config.merge(extra)
    return config


def quiet_logger():
    log = logging.getLogger("coursekit.nbgrader")
    log.setLevel(logging.ERROR)
    return log


def run_converter(converter_class, config, assignment, student="*", **options):
    """Run one nbgrader converter (generate, autograde, feedback) in this process."""
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    coursedir.student_id = student
    converter = converter_class(coursedir=coursedir, config=config)
    converter.log = quiet_logger()
    for name, value in options.items():
        setattr(converter, name, value)
    converter.start()


def generate_assignment(config, assignment):
    run_converter(GenerateAssignment, config, assignment, force=True, create_assignment=True)


def autograde(config, assignment, student):
    run_converter(Autograde, config, assignment, student, force=True, create_student=True)


def generate_feedback(config, assignment, student="*"):
    run_converter(GenerateFeedback, config, assignment, student, force=True)
