"""Released and graded alike: the same answers graded in an English course and in a Chinese course
(``COURSE_LANGUAGE = "zh_CN"``) score the same on every cell, and the Chinese course's release, gradebook and
autograded notebooks hold the Chinese text (a2's Markdown cells are locked: nbgrader restores them from the
gradebook). Cheap assignments only: a1 and a2.
"""

import re
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from traitlets import TraitError
from traitlets.config import Config

from coursekit import i18n
from coursekit.grading.batch.harness import TempCourse
from coursekit.grading.grader.mistakes import Catalog
from coursekit.grading.grader.scores import question_scores
from coursekit.i18n_course import CourseLanguage, release_directory
from coursekit.paths import COURSE_ROOT, SOURCE_DIR
from coursekit.submissions import answers_of, fill_answers, printed_text

LANGUAGE = "zh_CN"
ASSIGNMENTS = ["a1_numpy_basics", "a2_logistic_regression"]
WRONG_PER_ASSIGNMENT = 2


def course_in(root, language):
    """A scratch course whose own nbgrader_config.py sets the language, as an instructor's would."""
    root.mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(
        f"c = get_config()  # noqa: F821\nc.CourseLanguage.language = {language!r}\n")
    return TempCourse(root, ASSIGNMENTS)


@pytest.fixture(scope="module")
def courses(tmp_path_factory):
    root = tmp_path_factory.mktemp("languages")
    return {"en": TempCourse(root / "en", ASSIGNMENTS), LANGUAGE: course_in(root / LANGUAGE, LANGUAGE)}


def wrong_answers(assignment):
    """``{student: {answer cell: wrong code}}``: the first catalogued mistake of the first parts, one per student."""
    catalog = Catalog.of_folder(SOURCE_DIR / assignment)
    solution = answers_of(nbformat.read(next((SOURCE_DIR / assignment).glob("*.ipynb")), as_version=4))
    parts = [part for part, mistakes in catalog.by_part.items() if mistakes][:WRONG_PER_ASSIGNMENT]
    firsts = [catalog.of_part(part)[0] for part in parts]
    return {f"wrong_{m.part}_{m.name}": {m.answer_cell: m.answer(solution[m.answer_cell])} for m in firsts}


@pytest.fixture(scope="module")
def graded(courses):
    """``{language: {assignment: GradeResult}}``: the solution, the untouched release and the wrong students."""
    return {language: {assignment: course.autograde_answers(assignment, {"solution": {}, **wrong_answers(assignment)})
                       for assignment in ASSIGNMENTS} for language, course in courses.items()}


def markdown(notebook):
    return [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_same_answers_score_the_same_per_cell_in_both_languages(graded, assignment):
    english, chinese = graded["en"][assignment], graded[LANGUAGE][assignment]
    assert chinese.max_scores == english.max_scores
    assert set(chinese.scores) == set(english.scores)
    for student, scores in english.scores.items():
        assert chinese.statuses[student] == "graded", (student, chinese.reasons[student])
        assert chinese.scores[student] == scores, student
    assert english.total("solution") == sum(english.max_scores.values())
    wrong = [student for student in english.scores if student.startswith("wrong_")]
    assert len(wrong) == WRONG_PER_ASSIGNMENT
    assert all(english.total(student) < english.total("solution") for student in wrong)  # the answers differ


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_chinese_course_releases_and_grades_the_chinese_text(courses, graded, assignment):
    course = courses[LANGUAGE]
    released = course.release_notebook(assignment)
    committed = nbformat.read(next((i18n.language_root(LANGUAGE) / "release" / assignment).glob("*.ipynb")), 4)
    assert markdown(released) == markdown(committed)
    assert markdown(released) != markdown(courses["en"].release_notebook(assignment))
    autograded = nbformat.read(course.notebook_path(Path("autograded", "solution"), assignment), as_version=4)
    assert markdown(autograded) == markdown(released)


def test_locked_markdown_is_kept_in_the_gradebook_in_chinese(courses, graded):
    """a2's locked Markdown cells: the Chinese gradebook holds their Chinese text (autograde restores it)."""
    assignment = "a2_logistic_regression"
    chinese_text = set(markdown(courses[LANGUAGE].release_notebook(assignment)))
    with Gradebook(courses[LANGUAGE].db_url) as gb:
        notebook = gb.find_assignment(assignment).notebooks[0]
        locked = [cell.source for cell in notebook.source_cells if cell.locked and cell.cell_type == "markdown"]
    assert locked and set(locked) <= chinese_text


def test_a_student_editing_a_locked_chinese_cell_gets_it_back(courses, graded):
    assignment = "a2_logistic_regression"
    course = courses[LANGUAGE]
    notebook = course.release_notebook(assignment)
    locked = next(cell for cell in notebook.cells
                  if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("locked"))
    original = locked.source
    locked.source = "学生改写了这一段。"
    result = course.autograde(assignment, {"edits_markdown": notebook})
    assert result.statuses["edits_markdown"] == "graded", result.reasons["edits_markdown"]
    autograded = nbformat.read(course.notebook_path(Path("autograded", "edits_markdown"), assignment), 4)
    assert original in markdown(autograded) and locked.source not in markdown(autograded)


def course_settings(language):
    """The course's nbgrader_config.py with ``COURSE_LANGUAGE = language``, as nbgrader loads it."""
    text = (COURSE_ROOT / "nbgrader_config.py").read_text()
    text, count = re.subn(r'^COURSE_LANGUAGE = ".*"$', f"COURSE_LANGUAGE = {language!r}", text, flags=re.M)
    assert count == 1
    config = Config()
    namespace = {"get_config": lambda: config, "__file__": str(COURSE_ROOT / "nbgrader_config.py")}
    exec(compile(text, "nbgrader_config.py", "exec"), namespace)  # noqa: S102 (the course's own file)
    return config


@pytest.mark.parametrize("language", ["en", LANGUAGE])
def test_one_setting_chooses_the_release_folder_and_the_language(language):
    config = course_settings(language)
    assert config.CourseLanguage.language == language
    assert config.CourseDirectory.release_directory == release_directory(language)
    assert config.GenerateAssignment.preprocessors[0] == "coursekit.i18n_course.TranslateMarkdown"
    assert release_directory(LANGUAGE) == f"{LANGUAGE}/release" and release_directory("en") == "release"


def test_unknown_language_is_refused_with_the_languages_to_choose_from():
    config = Config()
    config.CourseLanguage.language = "fr"
    with pytest.raises(TraitError, match="zh_CN"):
        CourseLanguage(config=config)


def test_plain_nbgrader_autograde_grades_a_chinese_submission_alike(courses, graded):
    """nbgrader's own autograde (one process, the course's configuration) on the Chinese course, the wrong a1
    students: the scores course-grade gave, cell for cell, and the Chinese text kept."""
    assignment, course = "a1_numpy_basics", courses[LANGUAGE]
    course.autograde_serial(assignment, "wrong_*")
    for student, scores in graded["en"][assignment].scores.items():
        if student.startswith("wrong_"):
            assert question_scores(course.db_url, assignment, student) == scores, student
            autograded = nbformat.read(course.notebook_path(Path("autograded", student), assignment), 4)
            assert markdown(autograded) == markdown(course.release_notebook(assignment))


def test_the_kernel_speaks_the_courses_language_whatever_the_submission_holds(courses):
    """A Chinese submission handed in without its course_language.txt: the kernel's own messages (setup cells'
    printed texts, figures, lr_utils) still speak the course's language at grading."""
    assignment, course = "a1_numpy_basics", courses[LANGUAGE]
    solution = answers_of(course.source_notebook(assignment))
    asks = solution["answer_basic_sigmoid"] + "\nprint('language:', __import__('coursekit.messages').messages" \
                                            ".current_language())\n"
    notebook = fill_answers(course.release_notebook(assignment), {**solution, "answer_basic_sigmoid": asks})
    folder = course.submit(assignment, "no_language_file", notebook)
    (folder / "course_language.txt").unlink()
    result = course.grade(assignment, ["no_language_file"])
    assert result.scores["no_language_file"] == result.max_scores
    autograded = nbformat.read(course.notebook_path(Path("autograded", "no_language_file"), assignment), 4)
    printed = printed_text(autograded)
    assert printed["answer_basic_sigmoid"] == f"language: {LANGUAGE}\n"
