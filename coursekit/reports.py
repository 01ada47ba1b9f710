"""What an instructor reads after grading: score tables, nbgrader's CSV export, a chart."""

import base64
import csv
import io
from html import escape
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.plugins.export import CsvExportPlugin

from coursekit.grading.grader.mistakes import Catalog
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


# --- the class's mistakes: reports/<assignment>-mistakes.html and .csv ---------------------------
MISTAKES_CSV_HEADER = ["assignment", "question", "points", "full_marks_share", "mistake", "students_count",
                       "students", "explanation"]
UNRECOGNISED = "(not recognised)"
REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def diagnoses_of(autograded_folder, catalog):
    """``{question: (part, mistake name or None)}`` the grader recorded in an autograded notebook; only
    mistakes of ``catalog`` are believed (the notebook's other metadata came from the student)."""
    found = {}
    for path in sorted(Path(autograded_folder).glob("*.ipynb")):
        try:
            recorded = nbformat.read(path, as_version=4).metadata.get("coursekit", {}).get("diagnoses", {})
        except Exception:  # noqa: BLE001 (an unreadable notebook names nothing)
            continue
        for question, record in (recorded.items() if isinstance(recorded, dict) else []):
            if not isinstance(record, dict):
                continue
            part, name = record.get("part"), record.get("mistake")
            known = catalog is not None and any(m.name == name for m in catalog.of_part(part))
            found[str(question)] = (part if known else None, name if known else None)
    return found


def class_mistakes(course_root, assignment, outcomes, maxima, catalog):
    """Per question: ``(points, share with full marks, {(part, mistake): [students]}, [students not recognised])``."""
    diagnoses = {o.student: diagnoses_of(Path(course_root) / "autograded" / o.student / assignment, catalog)
                 for o in outcomes}
    rows = {}
    for question, points in maxima.items():
        named, unrecognised = {}, []
        for o in outcomes:
            if o.scores.get(question, 0.0) >= points:
                continue
            part, name = diagnoses[o.student].get(question, (None, None))
            if name:  # by part too: two parts may each have a mistake of the same name (a2's data steps)
                named.setdefault((part, name), []).append(o.student)
            elif question.startswith("hidden_"):
                unrecognised.append(o.student)
        ranked = dict(sorted(named.items(), key=lambda item: (-len(item[1]), item[0])))
        rows[question] = (points, earned_shares(outcomes, {question: points})[question], ranked, unrecognised)
    return rows


def write_mistakes_csv(path, assignment, rows, catalog):
    says = {(m.part, m.name): m.says for m in catalog} if catalog else {}
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(MISTAKES_CSV_HEADER)
        for question, (points, share, named, unrecognised) in rows.items():
            writer.writerow([assignment, question, points, f"{share:.3f}", "", "", "", ""])
            for (part, name), students in named.items():
                writer.writerow([assignment, question, points, f"{share:.3f}", name, len(students),
                                 " ".join(students), says.get((part, name), "")])
            if unrecognised:
                writer.writerow([assignment, question, points, f"{share:.3f}", UNRECOGNISED, len(unrecognised),
                                 " ".join(unrecognised), ""])


def mistakes_chart(assignment, rows, students):
    """One horizontal bar per question: full marks, points lost to a named mistake, lost otherwise (PNG bytes)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    questions = list(rows)
    full = [100 * rows[q][1] for q in questions]
    named = [100 * sum(map(len, rows[q][2].values())) / max(1, students) for q in questions]
    other = [max(0.0, 100 - f - n) for f, n in zip(full, named, strict=True)]
    fig, ax = plt.subplots(figsize=(9, 0.28 * len(questions) + 1.4))
    positions = range(len(questions))
    ax.barh(positions, full, color="#4c9a5b", label="full marks")
    ax.barh(positions, named, left=full, color="#dd8452", label="lost: a named mistake")
    ax.barh(positions, other, left=[f + n for f, n in zip(full, named, strict=True)], color="#b0b0b0",
            label="lost: other reasons")
    ax.set_yticks(list(positions), questions, fontsize=8)
    ax.set_ylim(len(questions) - 0.5, -0.5)  # first question on top, no empty band
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"% of {students} students")
    ax.set_title(f"{assignment}: where the class lost points", pad=24)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8, frameon=False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return buffer.getvalue()


def mistakes_html(assignment, rows, catalog, students):
    """The class report page: the chart, then per question its named mistakes and who made them (all escaped)."""
    says = {(m.part, m.name): m.says for m in catalog} if catalog else {}
    chart = base64.b64encode(mistakes_chart(assignment, rows, students)).decode()
    parts = [f'<!DOCTYPE html><html><head><meta charset="utf-8">'
             f'<meta http-equiv="Content-Security-Policy" content="{REPORT_CSP}">'
             f"<title>{escape(assignment)}: mistakes of the class</title><style>"
             "body{font-family:sans-serif;max-width:60em;margin:1em auto;color:#222}"
             "table{border-collapse:collapse;width:100%;margin-bottom:1.2em}"
             "td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}"
             "th{background:#f3f3f3}.ids{font-family:monospace;font-size:.85em;word-break:break-all}"
             "</style></head><body>",
             f"<h1>{escape(assignment)}: mistakes of the class</h1>",
             f"<p>{students} students graded. A mistake is named only when a student's results matched that one "
             "catalogued mistake (on every call of the hidden test, or on the visible examples where the hidden "
             "test cannot tell); other lost points are counted apart.</p>",
             f'<img alt="share of the class with full marks, a named mistake or other lost points, per question" '
             f'src="data:image/png;base64,{chart}">']
    for question, (points, share, named, unrecognised) in rows.items():
        if not named and not unrecognised and share >= 1:
            continue
        unit = "point" if points == 1 else "points"
        parts.append(f"<h2>{escape(question)} <small>({points:g} {unit}, {100 * share:.0f} % with full marks)"
                     "</small></h2>")
        if not named and not unrecognised:
            continue
        parts.append("<table><tr><th>mistake</th><th>students</th><th>who</th></tr>")
        for (part, name), who in named.items():
            sentence = escape(says.get((part, name), ""))
            parts.append(f"<tr><td><b>{escape(name)}</b><br>{sentence}</td><td>{len(who)}</td>"
                         f'<td class="ids">{escape(", ".join(who))}</td></tr>')
        if unrecognised:
            parts.append(f"<tr><td><i>{escape(UNRECOGNISED)}</i></td><td>{len(unrecognised)}</td>"
                         f'<td class="ids">{escape(", ".join(unrecognised))}</td></tr>')
        parts.append("</table>")
    parts.append("</body></html>\n")
    return "".join(parts)


def write_mistakes_report(course_root, assignment, outcomes, maxima):
    """Write reports/<assignment>-mistakes.html and .csv of a graded class; return the HTML's path."""
    catalog = Catalog.of_folder(Path(course_root) / "source" / assignment)
    rows = class_mistakes(course_root, assignment, outcomes, maxima, catalog)
    folder = Path(course_root) / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    write_mistakes_csv(folder / f"{assignment}-mistakes.csv", assignment, rows, catalog)
    html_path = folder / f"{assignment}-mistakes.html"
    html_path.write_text(mistakes_html(assignment, rows, catalog, len(outcomes)))
    return html_path
