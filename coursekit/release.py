"""Regenerate release/ from source/ with nbgrader (``make release``), each folder made stand-alone.

First each assignment's ``mistake_hints.json`` is written from its catalog of known mistakes
(``coursekit.mistake_hints``): the visible checks' hints for those mistakes, which the release carries.

Each other language of ``coursekit.i18n.LANGUAGES`` gets the same release with its Markdown translated,
in ``<language>/release/`` (and ``<language>/notebooks/`` for the first-steps notebook).
"""

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from coursekit import i18n, i18n_messages
from coursekit.grading.batch import course
from coursekit.i18n_course import SOURCE_LANGUAGE, language_config, release_directory
from coursekit.mistake_hints import write_hints
from coursekit.paths import COURSE_ROOT, RELEASE_DIR, SOURCE_DIR, assignments
from coursekit.standalone import make_standalone
from lr_utils import LANGUAGE_FILE


def generate_releases(names, source_dir=SOURCE_DIR, out_dir=RELEASE_DIR, language=None):
    """Generate the student version of each assignment into ``out_dir``, in a scratch course.

    The scratch course keeps the instructor's gradebook untouched; the result equals
    ``nbgrader generate_assignment`` run in the course folder, plus the course modules and data
    the folder needs to run without the course installed (``coursekit.standalone``). With a ``language``
    the course is set in that language (``coursekit.i18n_course``): nbgrader translates the Markdown from the
    catalogs as it generates, as in a course whose nbgrader_config.py sets ``COURSE_LANGUAGE``.
    """
    language = language or SOURCE_LANGUAGE
    with tempfile.TemporaryDirectory(prefix="coursekit-release-") as scratch:
        config = course.course_config(scratch, extra=language_config(language))
        for name in names:
            shutil.copytree(source_dir / name, Path(scratch) / "source" / name,
                            ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
            course.generate_assignment(config, name)
            target = Path(out_dir) / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(Path(scratch) / release_directory(language) / name, target)
            make_standalone(target)
            if language != SOURCE_LANGUAGE:  # the messages of its modules travel with it
                for domain in shipped_catalogs(target, name):
                    catalog = i18n.catalog_path(language, domain).relative_to(COURSE_ROOT)
                    if (COURSE_ROOT / catalog).is_file():
                        (target / catalog).parent.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(COURSE_ROOT / catalog, target / catalog)


def shipped_catalogs(folder, assignment):
    """The catalog domains a language's release ``folder`` needs: ``lr_utils``'s, and the check messages'
    (never the hidden tests')."""
    domains = ["lr_utils"] if (folder / "lr_utils.py").is_file() else []
    if (folder / "course_messages.py").is_file():
        domains += i18n_messages.shipped_domains(assignment)
    return domains


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("assignments", nargs="*", help="default: every folder of source/")
    args = parser.parse_args(argv)
    names = args.assignments or assignments()
    for name in names:
        if write_hints(SOURCE_DIR / name):
            print(f"source/{name}/mistake_hints.json written from the catalog of known mistakes")
    generate_releases(names)
    for name in names:
        print(f"release/{name}/ regenerated from source/{name}/")
    for language in i18n.LANGUAGES:
        root = i18n.language_root(language)
        generate_releases(names, out_dir=root / "release", language=language)
        i18n.translate_file(i18n.FIRST_STEPS, root / "notebooks" / i18n.FIRST_STEPS.name, language,
                            i18n.FIRST_STEPS.stem)
        (root / "notebooks" / LANGUAGE_FILE).write_text(f"{language}\n")  # its code cells' texts speak it
        (root / i18n.README.name).write_text(i18n.student_section(language))
        print(f"{language}/release/ and {language}/notebooks/ regenerated from source/ and locale/{language}/")
        pending = i18n.problems(language)
        if pending:
            print(f"  {len(pending)} Markdown cells or messages not yet translated (shown in English): "
                  "`python -m coursekit.i18n check` lists them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
