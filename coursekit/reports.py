"""What an instructor reads after grading: score tables, nbgrader's CSV export, a chart."""

from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.plugins.export import CsvExportPlugin

from coursekit.submissions import grade_id, is_test_cell


def cell_problems(autograded_folder):
    """``[(cell, what happened)]`` for the non-test cells of an autograded notebook that ended in an error:
    a cell stopped at the time limit, a syntax error, a crash (the tests' own failures are in the scores)."""
    problems = []
    for path in sorted(Path(autograded_folder).glob("*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
            if cell.cell_type != "code" or is_test_cell(cell) or not errors:
                continue
            ename, evalue = errors[0].get("ename", ""), errors[0].get("evalue", "")
            what = ("timed out: stopped at the cell time limit" if ename in ("KeyboardInterrupt", "CellTimeoutError")
                    else f"{ename}: {evalue}"[:160])
            problems.append((grade_id(cell) or f"cell {index + 1}", what))
    return problems


def print_student_table(assignment, outcomes, maxima, course_root=None):
    """Score per student; with ``course_root``, the cells of each autograded notebook that ended in an error."""
    total = sum(maxima.values())
    print(f"\n{assignment}: score per student (of {total:g})")
    for o in outcomes:
        note = "" if o.status == "graded" else f"  [{o.status}: {o.reason}]"
        print(f"  {o.student:<22} {o.score:6.1f}{note}")
        folder = Path(course_root or ".") / "autograded" / o.student / assignment
        for cell, what in cell_problems(folder) if course_root else []:
            print(f"  {'':<22}        {cell}: {what}")


def print_question_table(assignment, outcomes, maxima):
    """One row per question: points, and each student's score on it."""
    students = [o.student for o in outcomes]
    width = max(len(q) for q in maxima) + 2
    print(f"\n{assignment}: score per question")
    print(" " * width + "  max " + " ".join(f"{s[:12]:>12}" for s in students))
    for question, points in maxima.items():
        cells = " ".join(f"{o.scores.get(question, 0.0):>12.1f}" for o in outcomes)
        print(f"{question:<{width}}{points:5.1f} {cells}")


def export_grades(config, path):
    """nbgrader's own CSV export (one row per student and assignment) to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    plugin = CsvExportPlugin(config=config)
    plugin.to = str(path)
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        plugin.export(gb)
    return path


def earned_shares(outcomes, maxima):
    """``{question: share of students with full points}``."""
    return {q: sum(o.scores.get(q, 0.0) >= points for o in outcomes) / max(1, len(outcomes))
            for q, points in maxima.items()}


def save_question_chart(results, path):
    """Bar chart per assignment: the share of students earning each question's points."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, axes = plt.subplots(len(results), 1, figsize=(11, 3.2 * len(results)), squeeze=False)
    for ax, (assignment, (outcomes, maxima)) in zip(axes[:, 0], results.items(), strict=True):
        shares = earned_shares(outcomes, maxima)
        ax.bar(range(len(shares)), [100 * s for s in shares.values()], color="#4c72b0")
        ax.set_xticks(range(len(shares)), list(shares), rotation=60, ha="right", fontsize=8)
        ax.set_ylim(0, 100)
        ax.set_ylabel("% with full points")
        ax.set_title(f"{assignment}: {len(outcomes)} students")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
