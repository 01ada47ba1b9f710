"""What the instructor's pages show of a notebook is inert: the autograded notebook and feedback.

Runs at the end of autograding (so the Formgrader shows the cleaned notebook) and again when
feedback is generated. Every rich output (HTML, JavaScript, Markdown, LaTeX, SVG, widgets, any
other type) becomes plain text that the page escapes; PNG and JPEG images stay when their data is
plain base64; output metadata is dropped. Markdown and raw cells other than the instructor's own
(word for word a cell of the source notebook, or a locked cell of the gradebook) are rendered and
cleaned by ``coursekit.grading.grader.safe_html``. Fields a kernel or a student's notebook file controls
and nbconvert's templates print without escaping (execution counts, stream names, cell ids and
metadata, widget state) are reduced to what nbformat allows. A feedback page carries a
Content-Security-Policy that lets no script run.
"""

import re
from pathlib import Path

import markupsafe
import nbformat
from nbconvert.preprocessors import Preprocessor
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from traitlets import Bool

from coursekit.grading.grader.safe_html import FEEDBACK_CSP, student_markdown
from coursekit.i18n_course import in_course_language

IMAGE_TYPES = ("image/png", "image/jpeg")
BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*")
RICH_OUTPUTS = ("display_data", "execute_result", "update_display_data")
CELL_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")
NUMBER = (int, float, type(None))
NBGRADER_KEYS = {"grade": bool, "solution": bool, "task": bool, "locked": bool, "grade_id": str,
                 "points": NUMBER, "schema_version": int, "checksum": str,
                 "score": NUMBER, "comment": (str, type(None))}  # the last two: the gradebook's, for feedback
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{FEEDBACK_CSP}">\n'
# A long line of output or of a test's message wraps inside the page instead of running past its right edge.
WRAP_OUTPUT = ("<style>.output_area pre, .jp-OutputArea-output pre "
               "{ white-space: pre-wrap; word-break: normal; overflow-wrap: break-word; }</style>\n")


def as_text(value):
    return "".join(value) if isinstance(value, list) else str(value)


def escaped_data(data):
    """``data`` of one output with every type but plain text and plain base64 images turned into text."""
    kept, shown = {}, []
    for mime, value in data.items():
        if mime == "text/plain":
            shown.insert(0, as_text(value))
        elif mime in IMAGE_TYPES and isinstance(value, str) and BASE64.fullmatch(value):
            kept[mime] = value
        else:
            shown.append(f"[{mime} output, shown as text]\n{as_text(value)}")
    if shown or not kept:
        kept["text/plain"] = "\n".join(shown)
    return kept


def instructor_sources(nbgrader_resources, coursedir):
    """Sources of the notebook's locked cells (gradebook) and of its source notebook's text cells."""
    assignment, name = nbgrader_resources["assignment"], nbgrader_resources["notebook"]
    with Gradebook(nbgrader_resources["db_url"]) as gb:
        sources = {cell.source for cell in gb.find_notebook(name, assignment).source_cells if cell.locked}
    path = Path(coursedir.root) / coursedir.source_directory / assignment / f"{name}.ipynb"
    if path.is_file():  # as the course's release shows it: in the course's language
        source = in_course_language(nbformat.read(path, as_version=4), path, assignment, coursedir.config)
        sources |= {cell.source for cell in source.cells if cell.cell_type != "code"}
    return sources


def plain_count(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def safe_output(output):
    """One output reduced to nbformat's fields with plain values; None for an unknown output type."""
    kind = output.get("output_type")
    if kind == "stream":
        name = output.get("name") if output.get("name") in ("stdout", "stderr") else "stdout"
        return nbformat.v4.new_output("stream", name=name, text=as_text(output.get("text", "")))
    if kind == "error":
        return nbformat.v4.new_output("error", ename=as_text(output.get("ename", "")),
                                      evalue=as_text(output.get("evalue", "")),
                                      traceback=[as_text(line) for line in output.get("traceback", [])])
    if kind in RICH_OUTPUTS:
        cleaned = nbformat.v4.new_output("display_data" if kind == "update_display_data" else kind,
                                         data=escaped_data(output.get("data", {})))
        if kind == "execute_result":
            cleaned["execution_count"] = plain_count(output.get("execution_count"))
        return cleaned
    return None


def safe_metadata(metadata):
    """A cell's metadata reduced to nbgrader's keys with values of their types."""
    grading = metadata.get("nbgrader")
    if not isinstance(grading, dict):
        return {}
    kept = {key: value for key, value in grading.items()
            if key in NBGRADER_KEYS and isinstance(value, NBGRADER_KEYS[key]) and not
            (isinstance(value, bool) and NBGRADER_KEYS[key] is not bool)}
    return {"nbgrader": kept}


class EscapeStudentOutput(Preprocessor):
    """Make every part of a notebook that a student or a kernel controls inert on an HTML page."""

    enabled = Bool(True)

    def preprocess(self, nb, resources):
        self._trusted = instructor_sources(resources["nbgrader"], CourseDirectory(config=self.config))
        nb.metadata.pop("widgets", None)  # nbconvert would load a widget manager for it
        if callable(resources.get("include_css")):  # an HTML page is being made: the feedback page
            resources["include_css"] = with_policy(resources["include_css"])
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if "id" in cell and not CELL_ID.fullmatch(str(cell.id)):
            cell.id = f"cell-{index}"
        cell.metadata = nbformat.from_dict(safe_metadata(cell.get("metadata", {})))
        cell.pop("attachments", None)
        if cell.cell_type in ("markdown", "raw") and cell.source not in self._trusted:
            cell.source = student_markdown(as_text(cell.source))
        elif cell.cell_type == "code":
            cell.execution_count = plain_count(cell.get("execution_count"))
            cell.outputs = [out for out in map(safe_output, cell.get("outputs", [])) if out is not None]
        return cell, resources


def with_policy(include_css):
    """nbgrader's feedback template has no block in its page head for a policy: the first stylesheet
    it includes (right after the title, before any script) brings it, and the style that wraps long lines."""
    state = {"done": False}

    def include(name):
        html = include_css(name)
        if state["done"]:
            return html
        state["done"] = True
        return markupsafe.Markup(CSP_META + WRAP_OUTPUT) + html

    return include
