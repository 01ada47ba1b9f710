"""The gettext templates of the messages students read at check and grading time (``coursekit.messages``).

Babel extracts every ``say("<key>", "<English>", ...)`` call (``msgctxt`` = the key, ``msgid`` = the English):

- ``coursekit-messages``: the course package's modules (``coursekit/**/*.py``: shared checks, diagnosis);
- ``<assignment>-messages``: the assignment's helper modules (``source/<a>/*.py``), the visible code of its
  notebook, and its named mistakes' sentences (``says`` of ``<name>_mistakes.py``, keyed
  ``mistake.<part>.<name>``; the sentences are read from the table, not marked). Travels with a language's release.
- ``00_first_steps-messages``: the visible code of notebooks/00_first_steps.ipynb (the course environment reads it
  from locale/; zh_CN/notebooks/ holds the course_language.txt that makes it Chinese);
- ``<assignment>-hidden``: the hidden tests' messages (between the ``BEGIN/END HIDDEN TESTS`` markers). Stays
  with the grader: never copied to a release.

A key must be unique in the course (a mistake's in its assignment): one key with two English texts is an error
naming both places.
"""

import ast
import io
from pathlib import Path

import nbformat
from babel.messages.catalog import Catalog
from babel.messages.extract import extract

from coursekit.grading.grader.mistakes import is_catalog
from coursekit.i18n import FIRST_STEPS
from coursekit.messages import mistake_key
from coursekit.paths import COURSE_ROOT, SOURCE_DIR, assignments

KEYWORDS = {"say": ((1, "c"), 2)}
PACKAGE_DIR = COURSE_ROOT / "coursekit"
PACKAGE_DOMAIN = "coursekit-messages"
HIDDEN_BEGIN, HIDDEN_END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"


def messages_domain(assignment):
    return f"{assignment}-messages"


def hidden_domain(assignment):
    return f"{assignment}-hidden"


def unextractable(code):
    """Line numbers of ``say(...)`` calls whose key or English is not a string literal (Babel skips those)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:  # a cell with IPython magics: Babel's tokenizer reads it anyway
        return []
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "say"
            and not (len(node.args) >= 2 and all(isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                                                 for arg in node.args[:2]))]


def marked(code, where):
    """``[(key, English, where)]`` of the ``say(...)`` calls in ``code``; a call without a literal key and
    English is an error (Babel could not extract it)."""
    bad = unextractable(code)
    if bad:
        raise ValueError(f"{where}, line {bad[0]}: say() needs a literal key and a literal English text "
                         f"(no f-string, no variable), e.g. say(\"a1.sigmoid.hint\", \"...\", x=x)")
    return [(key, english, where) for _, english, _, key in
            extract("python", io.BytesIO(code.encode()), keywords=KEYWORDS, options={})]


def split_hidden(source):
    """``(visible, hidden)`` code of a cell (marker lines dropped, line numbers kept)."""
    visible, hidden, inside = [], [], False
    for line in source.split("\n"):
        if HIDDEN_BEGIN in line or HIDDEN_END in line:
            inside = HIDDEN_BEGIN in line
            line = ""
        (hidden if inside else visible).append(line)
        (visible if inside else hidden).append("")
    return "\n".join(visible), "\n".join(hidden)


def mistake_sentences(path):
    """``[(key, English, where)]`` of the ``says`` of a mistake catalog's ``MISTAKES`` table."""
    for node in ast.parse(Path(path).read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "MISTAKES" for t in node.targets):
            table = ast.literal_eval(node.value)
            return [(mistake_key(part, name), mistake["says"], Path(path).name)
                    for part, mistakes in table.items() for name, mistake in mistakes.items()]
    raise ValueError(f"{path} has no MISTAKES table of literals")


def assignment_messages(assignment, source_dir=SOURCE_DIR):
    """``(visible, hidden)``: the ``[(key, English, where)]`` of an assignment's two domains."""
    folder = Path(source_dir) / assignment
    visible, hidden = [], []
    for path in sorted(folder.glob("*.py")):
        if is_catalog(path):
            visible += mistake_sentences(path)
        else:
            visible += marked(path.read_text(), path.name)
    for path in sorted(folder.glob("*.ipynb")):
        shown, secret = notebook_messages(path)
        visible += shown
        hidden += secret
    return visible, hidden


def notebook_messages(path):
    """``(visible, hidden)``: the ``[(key, English, where)]`` marked in a notebook's code cells."""
    visible, hidden = [], []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code":
            shown, secret = split_hidden(cell.source)
            where = f"{Path(path).name}#{cell.get('id')}"  # the cell, not a line: keys outlive moves
            visible += marked(shown, where)
            hidden += marked(secret, where)
    return visible, hidden


def package_messages(package_dir=PACKAGE_DIR):
    return [entry for path in sorted(Path(package_dir).rglob("*.py"))
            for entry in marked(path.read_text(), path.relative_to(package_dir.parent).as_posix())]


def domains():
    """``{domain: [(key, English, where)]}`` of every message domain of the course."""
    found = {PACKAGE_DOMAIN: package_messages(), messages_domain(FIRST_STEPS.stem): notebook_messages(FIRST_STEPS)[0]}
    for assignment in assignments():
        found[messages_domain(assignment)], found[hidden_domain(assignment)] = assignment_messages(assignment)
    return found


def templates():
    """``{domain: Catalog}`` of the message domains; a key given two English texts anywhere is an error."""
    seen, result = {}, {}
    for domain, entries in domains().items():
        catalog = Catalog(domain=domain, project="dl-foundations-course", fuzzy=False)
        for key, english, where in entries:
            scope = domain if key.startswith("mistake.") else None  # a mistake's key is unique in its assignment
            first = seen.setdefault((scope, key), (english, where))
            if first[0] != english:
                raise ValueError(f"message key {key!r} has two English texts: at {first[1]} and at {where}; "
                                 f"give one of them another key")
            catalog.add(english, context=key, auto_comments=[where])
        result[domain] = catalog
    return result


def shipped_domains(assignment):
    """The message domains a language's release folder of ``assignment`` carries (never the hidden one)."""
    return (PACKAGE_DOMAIN, messages_domain(assignment))

