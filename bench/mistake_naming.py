"""How often the grader's feedback names the right known mistake, and how often a wrong one (must be 0).

    .venv/bin/python bench/mistake_naming.py [ASSIGNMENT ...] [--doubles N] [--keep DIR]

For each assignment with a mistake catalog, grades a generated class in a scratch course: the demo's
students (``coursekit.demo``, the endless loop left out), one student per catalogued mistake, and N
students with two mistakes of different parts at once. Prints per assignment: mistakes catalogued,
hidden tests failed, the share of them whose feedback names a mistake the student made, the share
naming one the student did not make, and how many catalogued mistakes were named for their student.
Minutes per assignment on two cores.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

from coursekit.demo import sample_submissions
from coursekit.grading.batch.grade import Outcome
from coursekit.grading.batch.harness import TempCourse
from coursekit.grading.grader.mistakes import Catalog
from coursekit.paths import SOURCE_DIR
from coursekit.reports import diagnoses_of, write_mistakes_report
from coursekit.submissions import answers_of, fill_answers


def generated_class(catalog, solution, doubles):
    """``{student: (answers, {(part, mistake)})}``: one student per mistake, then ``doubles`` with two."""
    students = {}
    mistakes = list(catalog)
    for mistake in mistakes:
        students[f"one_{mistake.part}-{mistake.name}"] = (
            {mistake.answer_cell: mistake.answer(solution[mistake.answer_cell])}, {(mistake.part, mistake.name)})
    pairs = [(a, b) for i, a in enumerate(mistakes) for b in mistakes[i + 1:] if a.part != b.part]
    for first, second in pairs[::max(1, len(pairs) // max(1, doubles))][:doubles]:
        answers = {m.answer_cell: m.answer(solution[m.answer_cell]) for m in (first, second)}
        students[f"two_{first.name}+{second.name}"] = (answers, {(first.part, first.name), (second.part, second.name)})
    return students


def measure(assignment, doubles, root):
    catalog = Catalog.of_folder(SOURCE_DIR / assignment)
    course = TempCourse(root / assignment, [assignment])
    source, release = course.source_notebook(assignment), course.release_notebook(assignment)
    solution = answers_of(source)
    generated = generated_class(catalog, solution, doubles)
    notebooks = {student: fill_answers(release, {**solution, **answers}) for student, (answers, _) in generated.items()}
    notebooks.update({s: nb for s, nb in sample_submissions(source, release).items() if s != "demo_endless_loop"})
    started = time.monotonic()
    result = course.autograde(assignment, notebooks)
    seconds = time.monotonic() - started
    failed = right = wrong = 0
    named_for_its_student = set()
    for student in notebooks:
        made = generated.get(student, ({}, set()))[1]
        diagnoses = diagnoses_of(course.root / "autograded" / student / assignment, catalog)
        for cell, points in result.max_scores.items():
            if not cell.startswith("hidden_") or result.scores[student].get(cell, 0.0) >= points:
                continue
            failed += 1
            part, name = diagnoses.get(cell, (None, None))
            if name is None:
                continue
            if (part, name) in made:
                right += 1
                if len(made) == 1:
                    named_for_its_student.add((part, name))
            else:
                wrong += 1
                print(f"  NAMED WRONGLY: {student} {cell}: {part}-{name}", file=sys.stderr)
    outcomes = [Outcome(s, result.statuses.get(s, "graded"), 0.0, scores=result.scores[s]) for s in notebooks]
    report = write_mistakes_report(course.root, assignment, outcomes, result.max_scores)
    return {"catalogued": len(list(catalog)), "students": len(notebooks), "failed": failed, "right": right,
            "wrong": wrong, "named_mistakes": len(named_for_its_student), "seconds": seconds, "report": report}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--doubles", type=int, default=3, help="students with two mistakes (default 3)")
    parser.add_argument("--keep", help="folder for the scratch courses (kept; default: a temporary one)")
    args = parser.parse_args(argv)
    assignments = args.assignments or sorted(p.parent.name for p in SOURCE_DIR.glob("*/*_mistakes.py"))
    print(f"{'assignment':<24}{'mistakes':>9}{'students':>9}{'hidden failed':>14}{'named right':>12}"
          f"{'named wrong':>12}{'mistakes named':>15}{'grading s':>10}", flush=True)
    with tempfile.TemporaryDirectory(prefix="mistake-naming-") as scratch:
        for assignment in assignments:  # a row as each assignment is done
            row = measure(assignment, args.doubles, Path(args.keep or scratch))
            failed = max(1, row["failed"])
            print(f"{assignment:<24}{row['catalogued']:>9}{row['students']:>9}{row['failed']:>14}"
                  f"{100 * row['right'] / failed:>11.0f}%{100 * row['wrong'] / failed:>11.1f}%"
                  f"{row['named_mistakes']:>9} of {row['catalogued']:<3}{row['seconds']:>10.0f}"
                  + (f"  report: {row['report']}" if args.keep else ""), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
