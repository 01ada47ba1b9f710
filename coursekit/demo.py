"""``make demo``: the instructor's job end to end on sample students, in a scratch course.

Copy source/ into a scratch course (``demo_course/``, git-ignored), generate the student
version there, place five sample submissions, batch-autograde them, generate feedback,
export grades to CSV, print score tables and save a per-question chart. The real course's
release/, submitted/, gradebook, feedback/ and reports/ are never touched. Running it again
gives the same result.
"""

import argparse
import os
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import nbformat

from coursekit.grading.batch import course
from coursekit.grading.batch.grade import BatchGrader
from coursekit.grading.grader.scores import max_scores
from coursekit.paths import COURSE_ROOT, assignments
from coursekit.reports import export_grades, print_question_table, print_student_table, save_question_chart
from coursekit.submissions import answers_of, fill_answers, is_answer_cell, load_notebook

SYNTAX_ERROR = "\ndef oops(:\n    pass\n"
ENDLESS_LOOP = "\nwhile True:\n    pass\n"
SCRATCH_NAME = "demo_course"
MARKER = ".demo-course"


def sample_submissions(source_nb, release_nb):
    """Five students: full solution, partly done, untouched, an endless loop, a syntax error."""
    answers = answers_of(source_nb)
    ids = list(answers)
    partly = {gid: answers[gid] for i, gid in enumerate(ids) if i % 3 != 2}
    return {
        "demo_full": fill_answers(release_nb, answers),
        "demo_partial": fill_answers(release_nb, partly),
        "demo_untouched": release_nb,
        "demo_endless_loop": fill_answers(release_nb, {**answers, ids[-1]: answers[ids[-1]] + ENDLESS_LOOP}),
        "demo_syntax_error": fill_answers(release_nb, {**answers, ids[0]: answers[ids[0]] + SYNTAX_ERROR}),
    }


def make_scratch_course(course_root, scratch, names):
    """A fresh scratch course at ``scratch`` holding a copy of the named assignments' source/."""
    scratch = Path(scratch)
    if scratch.exists():
        if not (scratch / MARKER).is_file():
            raise SystemExit(f"{scratch} exists and is not a demo course; move it away or pick another folder.")
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    (scratch / MARKER).write_text("Scratch course of `make demo`; deleted and rebuilt on every run.\n")
    for name in names:
        shutil.copytree(Path(course_root) / "source" / name, scratch / "source" / name,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    return scratch


def place_submission(root, assignment, student, notebook, notebook_name):
    """Write a submission folder as nbgrader's exchange would: release files, notebook, timestamp."""
    folder = root / "submitted" / student / assignment
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(root / "release" / assignment, folder)
    nbformat.write(notebook, folder / notebook_name)
    (folder / "timestamp.txt").write_text(datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC"))


def run_assignment(root, config, assignment):
    course.generate_assignment(config, assignment)
    (source_path,) = (root / "source" / assignment).glob("*.ipynb")
    release_path = root / "release" / assignment / source_path.name
    source_nb, release_nb = load_notebook(source_path), load_notebook(release_path)
    if not any(is_answer_cell(c) for c in release_nb.cells):
        raise SystemExit(f"{release_path} has no answer cells: is it an nbgrader release?")
    students = sample_submissions(source_nb, release_nb)
    for student, notebook in students.items():
        place_submission(root, assignment, student, notebook, source_path.name)
    print(f"\n== {assignment}: grading {len(students)} sample submissions")
    outcomes = BatchGrader(root, assignment).grade(list(students))
    course.generate_feedback(config, assignment, "demo_*")
    return outcomes


def main(course_root=COURSE_ROOT, scratch=None, names=None):
    """Run the demo on the named assignments of ``course_root`` (default: all) in ``scratch``."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    course_root = Path(course_root)
    root = make_scratch_course(course_root, scratch or course_root / SCRATCH_NAME,
                               names or assignments(course_root / "source"))
    config = course.course_config(root)
    started = time.monotonic()
    results = {}
    for assignment in assignments(root / "source"):
        outcomes = run_assignment(root, config, assignment)
        maxima = max_scores(config.CourseDirectory.db_url, assignment)
        results[assignment] = (outcomes, maxima)
        print_student_table(assignment, outcomes, maxima, root)
        print_question_table(assignment, outcomes, maxima)
    reports = root / "reports"
    grades_csv = export_grades(config, reports / "grades.csv")
    chart = save_question_chart(results, reports / "question_scores.png")
    print(f"\nScratch course (the real course is untouched): {root}")
    print(f"Grades (nbgrader export): {grades_csv}\nPer-question chart: {chart}")
    print(f"Feedback: {root / 'feedback'}/<student>/<assignment>/\nDone in {time.monotonic() - started:.0f} s")
    return 0


def cli(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="*", help="default: every folder of source/")
    args = parser.parse_args(argv)
    return main(names=args.assignments or None)


if __name__ == "__main__":
    sys.exit(cli())
