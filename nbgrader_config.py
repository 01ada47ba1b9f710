"""nbgrader configuration of the course, used from the repository root."""

import os

from nbgrader.converters import GenerateAssignment

c = get_config()  # noqa: F821 (provided by nbgrader's config loader)

COURSE_ROOT = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "dl-foundations"
c.CourseDirectory.root = COURSE_ROOT
c.CourseDirectory.source_directory = "source"
# The course's language (docs/i18n.md): "en", or "zh_CN" for the Chinese edition. `nbgrader generate_assignment`
# then writes the release (into zh_CN/release/) and the gradebook in that language, so grading and feedback follow.
# After changing it, generate the assignments again (`nbgrader generate_assignment --force <assignment>`).
COURSE_LANGUAGE = "en"
c.CourseLanguage.language = COURSE_LANGUAGE
c.CourseDirectory.release_directory = "release" if COURSE_LANGUAGE == "en" else f"{COURSE_LANGUAGE}/release"
c.GenerateAssignment.preprocessors = ["coursekit.i18n_course.TranslateMarkdown",
                                      *GenerateAssignment.class_traits()["preprocessors"].default()]
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(COURSE_ROOT, "gradebook.db")
# A mistake catalog (source/<assignment>/*_mistakes.py) holds solution text: it never goes into a release.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*_mistakes.py"]

# What students see in every answer cell.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Per-cell execution limit while validating and autograding.
c.Execute.timeout = 30

# Autograde with the hardened executor: test cells run in the grader, not in the student's
# kernel; the kernel has a memory limit; a crashed or stuck kernel costs only its cell.
# First, the canary: no grade is recorded while the assignment's own solution does not score full marks
# in this environment (checked once per assignment and environment, cached in .coursekit/).
c.Autograde.autograde_preprocessors = [
    "coursekit.grading.batch.canary.RequireCanary",
    "coursekit.grading.grader.cleanroom.CleanRoomExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "coursekit.grading.grader.scorekeeper.RecordAutoScores",
    "coursekit.grading.grader.feedback.EscapeStudentOutput",  # the Formgrader shows it inert: no student script
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.CleanRoomExecute.trusted_root = COURSE_ROOT
c.CleanRoomExecute.memory_limit_mb = 4096

# Feedback shows which tests passed and their messages, never hidden test code (nbgrader #917).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "nbgrader.preprocessors.ClearHiddenTests",
    "coursekit.grading.grader.feedback.EscapeStudentOutput",  # student output as text: no live HTML or JavaScript
]

# A deleted test cell is put back from the gradebook and run, rather than left for manual grading.
c.OverwriteCells.add_missing_cells = True

# Cell metadata a student edited is put back from the gradebook before nbgrader reads it.
c.Autograde.sanitize_preprocessors = [
    "coursekit.grading.grader.intake.RefuseUnsafeFiles",  # a symbolic link could pass off another notebook as this one
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "coursekit.grading.grader.sanitize.NormalizeGradedCells",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Kernels keep history in memory and do not log their transport warning into every run.
c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"]
