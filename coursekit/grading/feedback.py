"""Feedback shows what a student's code printed as text, never as live HTML or JavaScript.

Every rich output (HTML, JavaScript, Markdown, LaTeX, SVG, widgets, any other type) becomes
plain text that the feedback page escapes; PNG and JPEG images stay when their data is plain
base64; output metadata (file names, sizes) is dropped. Markdown and raw cells other than the
instructor's own (word for word a cell of the source notebook, or a locked cell of the
gradebook) have their HTML escaped.
"""

import re
from pathlib import Path

import bleach
import nbformat
from nbconvert.preprocessors import Preprocessor
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from traitlets import Bool

IMAGE_TYPES = ("image/png", "image/jpeg")
BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*")
RICH_OUTPUTS = ("display_data", "execute_result", "update_display_data")
SCRIPT_URL = re.compile(r"(?i)\b((?:java|vb)script)\s*:")  # in a Markdown link: made a harmless relative link


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
    if path.is_file():
        sources |= {cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type != "code"}
    return sources


class EscapeStudentOutput(Preprocessor):
    """Reduce code cells' rich outputs to text and plain images; escape HTML in students' Markdown."""

    enabled = Bool(True)

    def preprocess(self, nb, resources):
        self._trusted = instructor_sources(resources["nbgrader"], CourseDirectory(config=self.config))
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type in ("markdown", "raw") and cell.source not in self._trusted:
            cell.source = SCRIPT_URL.sub(r"\1 :", bleach.clean(cell.source, tags=set(), attributes={}))
        elif cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") in RICH_OUTPUTS:
                    output["data"] = escaped_data(output.get("data", {}))
                    output["metadata"] = {}
        return cell, resources
