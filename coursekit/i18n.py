"""The course in other languages, from one English source: notebooks' Markdown cells through gettext catalogs.

Each notebook is one gettext domain (an assignment's name, or ``00_first_steps``). Its template
``locale/<domain>.pot`` holds every Markdown cell as one message: ``msgctxt`` is the notebook's file
name and the cell's id (stable while cells move), ``msgid`` the English text. A language's catalog
``locale/<language>/LC_MESSAGES/<domain>.po`` (Babel reads and writes it) holds the translations.
``make translations`` brings the catalogs up to date with the English: a cell whose English changed keeps
its old translation marked fuzzy (stale) with the old English beside it, a new cell has no translation
yet, and a deleted cell's entry becomes obsolete. ``python -m coursekit.i18n check`` lists what needs a
translator; tests/test_i18n.py fails on the same list.

Python modules students meet (``lr_utils``) keep their messages in a ``MESSAGES`` table of whole texts with
named fields; each such module is a domain too, one message per table key (``msgctxt`` ``lr_utils.py#not-found``).
README.md's section for students is one more (``README``): one message per paragraph, list or note
(``README.md#students-3``); code blocks stay as they are. ``make release`` writes ``<language>/README.md`` from it.
"""

import argparse
import ast
import copy
import re
import sys
from pathlib import Path

import nbformat
from babel.messages.catalog import Catalog
from babel.messages.pofile import denormalize, read_po, write_po

from coursekit.paths import COURSE_ROOT, SOURCE_DIR, assignments

LOCALE_DIR = COURSE_ROOT / "locale"
LANGUAGES = ("zh_CN",)
FIRST_STEPS = COURSE_ROOT / "notebooks" / "00_first_steps.ipynb"
PROJECT = "dl-foundations-course"
FIX = "run `make translations`, translate the entry in {po} (and delete its `#, fuzzy` line), then `make release`"


MESSAGE_MODULES = {"lr_utils": COURSE_ROOT / "lr_utils.py"}
README = COURSE_ROOT / "README.md"
STUDENT_SECTION = "## For students"


def course_notebooks():
    """``{domain: notebook path}`` of every notebook students read in the course's language."""
    notebooks = {name: next((SOURCE_DIR / name).glob("*.ipynb")) for name in assignments()}
    notebooks[FIRST_STEPS.stem] = FIRST_STEPS
    return notebooks


def course_texts():
    """``{domain: file}`` of everything translated: the notebooks, and the modules with a ``MESSAGES`` table."""
    return {**course_notebooks(), **MESSAGE_MODULES, README.stem: README}


def student_blocks(path=README):
    """The blocks of the README's section for students, in order: paragraphs, lists and code blocks."""
    text = Path(path).read_text()
    start = text.index(STUDENT_SECTION)
    end = text.find("\n## ", start)
    blocks, current, fenced = [], [], False
    for line in text[start:end if end != -1 else None].strip().splitlines():
        fenced ^= line.startswith("```")
        if line.strip() or fenced:
            current.append(line)
        elif current:
            blocks.append("\n".join(current))
            current = []
    return blocks + (["\n".join(current)] if current else [])


def translated_blocks(blocks):
    """``{key: block}`` of the blocks a translator translates (code blocks are kept as they are)."""
    return {f"{README.name}#students-{index}": block for index, block in enumerate(blocks)
            if not block.startswith("```")}


def student_section(language):
    """The README's section for students in ``language`` (a block without a current translation stays English)."""
    done = translations(language, README.stem)
    blocks = student_blocks()
    keys = {block: key for key, block in translated_blocks(blocks).items()}
    texts = []
    for block in blocks:
        english, text = done.get(keys.get(block), (None, None))
        texts.append(text if english == block else block)
    return "\n\n".join(texts) + "\n"


def message_table(path):
    """``{key: English}`` of the module's ``MESSAGES`` table, read without importing the module."""
    for node in ast.parse(Path(path).read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == "MESSAGES" for target in node.targets):
            return ast.literal_eval(node.value)
    raise ValueError(f"{path} has no MESSAGES table of literal texts")


def cell_key(path, cell):
    """The stable key (gettext msgctxt) of a notebook's cell: ``numpy_basics.ipynb#markdown-00``."""
    return f"{Path(path).name}#{cell.id}"


def template_path(domain):
    return LOCALE_DIR / f"{domain}.pot"


def catalog_path(language, domain):
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"


QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


def read_catalog(path):
    """A catalog as written: Babel's reader takes a stale entry's old English (``#| msgid``) for a comment."""
    with open(path, "rb") as file:
        catalog = read_po(file)
    for message in catalog:
        previous = " ".join(comment[1:] for comment in message.user_comments if comment.startswith("|"))
        if previous:
            message.user_comments = [comment for comment in message.user_comments if not comment.startswith("|")]
            message.previous_id = [denormalize("\n".join(QUOTED.findall(previous)))]
    return catalog


def write_catalog(path, catalog):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as file:
        write_po(file, catalog, width=0, no_location=True, include_previous=True)


def by_key(catalog):
    """``{msgctxt: message}`` of a catalog (its header left out)."""
    return {message.context: message for message in catalog if message.id}


def template(domain, path):
    """The template of one notebook (its Markdown cells in order, keyed by cell id) or message module."""
    catalog = Catalog(domain=domain, project=PROJECT, fuzzy=False)
    if Path(path).suffix == ".py":
        for key, english in message_table(path).items():
            catalog.add(english, context=f"{Path(path).name}#{key}")
        return catalog
    if Path(path).suffix == ".md":
        for key, english in translated_blocks(student_blocks(path)).items():
            catalog.add(english, context=key)
        return catalog
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown":
            catalog.add(cell.source, context=cell_key(path, cell))
    return catalog


def course_templates(domains=None):
    """``{domain: template}`` of everything translated (of ``domains``, default all): the notebooks, modules with
    a ``MESSAGES`` table, the README, and the messages of checks and grading (``coursekit.i18n_messages``)."""
    from coursekit import i18n_messages  # it reads the mistake catalogs through the grader's package

    found = {domain: template(domain, path) for domain, path in course_texts().items()
             if domains is None or domain in domains}
    if domains is None or any(domain.endswith(("-messages", "-hidden")) for domain in domains):
        found.update({domain: catalog for domain, catalog in i18n_messages.templates().items()
                      if domains is None or domain in domains})
    return found


def merged(new_template, old, language):
    """A language's catalog for ``new_template``, keeping what ``old`` (or None) already translated."""
    catalog = Catalog(locale=language, domain=new_template.domain, project=PROJECT, fuzzy=False,
                      creation_date=old.creation_date if old else None,
                      revision_date=old.revision_date if old else None)
    previous = by_key(old) if old else {}
    for message in new_template:
        if not message.id:
            continue
        before = previous.pop(message.context, None)
        if before is None or not before.string:
            catalog.add(message.id, context=message.context)
        elif before.id == message.id:
            catalog.add(message.id, before.string, context=message.context, flags=before.flags,
                        previous_id=before.previous_id)
        else:  # the English changed: the translation is stale until a translator looks at it again
            catalog.add(message.id, before.string, context=message.context, flags={"fuzzy"},
                        previous_id=before.previous_id if before.fuzzy else before.id)
    for message in list(previous.values()) + list(old.obsolete.values() if old else []):
        if message.string:
            catalog.obsolete[message.context] = message
    return catalog


def update_catalogs(languages=LANGUAGES):
    """Write every notebook's template and bring each language's catalog up to date (``make translations``)."""
    for domain, fresh in course_templates().items():
        pot = template_path(domain)
        if pot.exists():
            fresh.creation_date = read_catalog(pot).creation_date
        write_catalog(pot, fresh)
        for language in languages:
            po = catalog_path(language, domain)
            write_catalog(po, merged(fresh, read_catalog(po) if po.exists() else None, language))


def kind_of(key):
    if key.startswith(README.name):
        return "README block"
    return "Markdown cell" if ".ipynb#" in key else "Message"


def catalog_problems(english, translated, where):
    """What is missing, stale or obsolete in the catalog ``translated`` (at ``where``) of template ``english``."""
    found = []
    catalog, fix = by_key(translated), FIX.format(po=where)
    for key, message in by_key(english).items():
        entry = catalog.get(key)
        if entry is None or not entry.string:
            found.append(f"{kind_of(key)} {key} has no translation in {where}: {fix}")
        elif entry.id != message.id or entry.fuzzy:
            found.append(f"{kind_of(key)} {key} changed in English, its translation in {where} is stale: {fix}")
    for key in sorted(set(catalog) - set(by_key(english))):
        found.append(f"{where}: entry {key} is obsolete (no such cell or message any more): run `make translations`")
    return found


def problems(language, domains=None):
    """What a translator must do before ``language``'s notebooks (of ``domains``, default all) are complete."""
    found = []
    for domain, english in course_templates(domains).items():
        po = catalog_path(language, domain)
        where = po.relative_to(COURSE_ROOT)
        if not po.exists():
            found.append(f"{where} is missing: {FIX.format(po=where)}")
        else:
            found += catalog_problems(english, read_catalog(po), where)
    return found


def translations(language, domain):
    """``{msgctxt: translation}`` of one catalog's current (not stale) translations."""
    po = catalog_path(language, domain)
    if not po.exists():
        return {}
    return {key: (message.id, message.string) for key, message in by_key(read_catalog(po)).items()
            if message.string and not message.fuzzy}


def translate_notebook(notebook, path, language, domain):
    """A copy of ``notebook`` whose Markdown cells are in ``language``; code cells and metadata untouched.

    A cell without a current translation keeps its English (``problems`` and the tests name it).
    """
    translated = copy.deepcopy(notebook)
    done = translations(language, domain)
    for cell in translated.cells:
        english, text = done.get(cell_key(path, cell), (None, None))
        if cell.cell_type == "markdown" and english == cell.source:
            cell.source = text
    return translated


def translate_file(path, out, language, domain):
    """Write the ``language`` version of the notebook ``path`` to ``out``."""
    notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(translate_notebook(notebook, path, language, domain), out)


def language_root(language):
    """Where a language's generated course lives: ``zh_CN/`` with ``notebooks/`` and ``release/`` as at the top."""
    return COURSE_ROOT / language


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["update", "check"],
                        help="update: write templates and catalogs from the English; check: list what to translate")
    args = parser.parse_args(argv)
    if args.command == "update":
        update_catalogs()
        print(f"templates and catalogs of {', '.join(LANGUAGES)} updated in {LOCALE_DIR.relative_to(COURSE_ROOT)}/")
        return 0
    found = [problem for language in LANGUAGES for problem in problems(language)]
    print("\n".join(found) or "every translation is present and current")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
