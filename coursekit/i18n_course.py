"""The language a course is taught in: one setting in nbgrader_config.py, ``COURSE_LANGUAGE``.

``nbgrader generate_assignment`` translates the English source's Markdown cells into the course's language
(``TranslateMarkdown``, first of its preprocessors) before it computes checksums and fills the gradebook, and
writes the release into ``<language>/release/``. So a Chinese course's students get the Chinese notebooks, and
its gradebook holds the Chinese text of every cell: autograding (``nbgrader autograde``, ``course-grade``, the
canary) restores locked Markdown cells in Chinese and their checksums match, with the same grade ids, points,
code and tests as the English course. Code cells are never translated. Each assignment folder of the release
gets ``course_language.txt`` naming the language: the student-facing code (``lr_utils``) reads it in the
kernel's folder and speaks that language.
"""

from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import TraitError, Unicode, validate
from traitlets.config import Config, Configurable

from coursekit import i18n
from lr_utils import LANGUAGE_FILE

SOURCE_LANGUAGE = "en"


def known_languages():
    return (SOURCE_LANGUAGE, *i18n.LANGUAGES)


def release_directory(language):
    """Where a course in ``language`` generates its release, relative to the course root."""
    return "release" if language == SOURCE_LANGUAGE else f"{language}/release"


def language_config(language):
    """The nbgrader settings ``COURSE_LANGUAGE = language`` makes (for a course set up in code, e.g. a test)."""
    config = Config()
    config.CourseLanguage.language = language
    config.CourseDirectory.release_directory = release_directory(language)
    return config


class CourseLanguage(Configurable):
    """The course's language (``c.CourseLanguage.language``; nbgrader_config.py sets it from ``COURSE_LANGUAGE``)."""

    language = Unicode(SOURCE_LANGUAGE, help="en (the English source) or a language of locale/, e.g. zh_CN").tag(
        config=True)

    @validate("language")
    def _known(self, proposal):
        if proposal.value not in known_languages():
            raise TraitError(f"COURSE_LANGUAGE = {proposal.value!r} in nbgrader_config.py is not a language of the "
                             f"course: use one of {', '.join(known_languages())} (docs/i18n.md).")
        return proposal.value


def in_course_language(notebook, path, assignment, config):
    """The notebook ``path`` of ``assignment`` with its Markdown in the language of the course ``config`` sets."""
    language = CourseLanguage(config=config).language
    return notebook if language == SOURCE_LANGUAGE else i18n.translate_notebook(notebook, path, language, assignment)


class TranslateMarkdown(NbGraderPreprocessor):
    """Put the notebook's Markdown cells into the course's language, from locale/ (generate_assignment's first step)."""

    def preprocess(self, nb, resources):
        grading = resources["nbgrader"]
        language = CourseLanguage(config=self.config).language
        if language != SOURCE_LANGUAGE:  # nbgrader's writer puts it beside the notebook
            resources.setdefault("outputs", {})[LANGUAGE_FILE] = f"{language}\n".encode()
        path = Path(f"{grading['notebook']}.ipynb")
        return in_course_language(nb, path, grading["assignment"], self.config), resources
