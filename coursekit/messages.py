"""Messages students read at check and grading time, in the course's language.

Every such message is one whole English sentence (or a few) with named fields, marked where it is written::

    fail(say("checks.wrong-shape", "{what} should have shape {expected}, got shape {got}",
             what=what, expected=shape, got=array.shape))

``say(key, english, **fields)`` returns a ``Message``: it is put into words only when shown (``str()``,
``format()``, an exception's text), so a hint defined once at import time follows the language of each
grading run. ``key`` is the stable gettext ``msgctxt`` (unique in the course, e.g. ``a1.sigmoid.hint``);
``english`` a string literal (``make translations`` extracts it with Babel, so no f-string and no variable).
Translations live in ``locale/<language>/LC_MESSAGES/*-messages.po`` (and ``*-hidden.po``, grader side), found
by key and English together: a translation is used only while its English is the current one and it is not
marked fuzzy (stale); otherwise the English is shown.

The language: the one ``speaking(language)`` sets (the grader, from the course's ``CourseLanguage``), else
the one ``course_language.txt`` in the kernel's folder names (every assignment folder of a language's release
holds it), else English. A stand-alone release folder carries this module as ``course_messages.py`` and its
catalogs in ``locale/`` beside it.
"""

import contextlib
import re
from pathlib import Path

SOURCE_LANGUAGE = "en"
LANGUAGE_FILE = "course_language.txt"
LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,3}(_[A-Za-z]{2})?")
CATALOG_GLOB = "*.po"
HERE = Path(__file__).resolve().parent
# A release folder holds locale/ beside its course_messages.py; the course repository beside coursekit/.
LOCALE_DIRS = (HERE / "locale", HERE.parent / "locale")

_speaking = []
_catalogs = {}


def folder_language(folder=None):
    """The language ``course_language.txt`` in ``folder`` (default: the kernel's folder) names, else English."""
    try:
        code = (Path(folder or Path.cwd()) / LANGUAGE_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return SOURCE_LANGUAGE
    return code if LANGUAGE_CODE.fullmatch(code) else SOURCE_LANGUAGE


def current_language():
    """The language messages are put in now."""
    return _speaking[-1] if _speaking else folder_language()


@contextlib.contextmanager
def speaking(language):
    """Put every message shown inside the block in ``language`` (the grader: the course's language)."""
    _speaking.append(language or SOURCE_LANGUAGE)
    try:
        yield
    finally:
        _speaking.pop()


def read_translations(path):
    """``{(key, english): translation}`` of one catalog's current translations (fuzzy ones left out)."""
    from babel.messages.pofile import read_po  # the course environment's gettext reader

    with open(path, "rb") as handle:
        catalog = read_po(handle)
    return {(message.context, message.id): message.string for message in catalog
            if message.id and message.context and message.string and not message.fuzzy}


def translations(language):
    """``{(key, english): translation}`` of every message catalog of ``language`` this module can see."""
    found = {}
    for root in LOCALE_DIRS:
        folder = root / language / "LC_MESSAGES"
        for path in sorted(folder.glob(CATALOG_GLOB)) if folder.is_dir() else ():
            if not path.name.endswith(("-messages.po", "-hidden.po")):
                continue
            stamp = (path, path.stat().st_mtime_ns)
            if stamp not in _catalogs:
                try:
                    _catalogs[stamp] = read_translations(path)
                except Exception:  # noqa: BLE001 (no Babel, or an unreadable catalog: the English still explains)
                    _catalogs[stamp] = {}
            for key, entry in _catalogs[stamp].items():
                found.setdefault(key, entry)
    return found


def text(key, english, language=None):
    """The text of message ``key`` in ``language`` (default: the current one), its fields not yet filled in.

    The English when the catalog has no current translation of exactly this English.
    """
    language = language or current_language()
    if language == SOURCE_LANGUAGE:
        return english
    return translations(language).get((key, english), english)


class Message:
    """A message put into words when shown: ``str(message)`` in the current language."""

    __slots__ = ("key", "english", "fields")

    def __init__(self, key, english, fields):
        self.key, self.english, self.fields = key, english, fields

    def render(self, language=None):
        """The text in ``language`` (default: the current one), fields filled in (a message without fields is
        shown as written: its braces are not fields)."""
        wording = text(self.key, self.english, language)
        if not self.fields:
            return wording
        try:
            return wording.format(**self.fields)
        except (KeyError, IndexError, ValueError):  # a translation that lost a field: the English is right
            return self.english.format(**self.fields)

    def filled(self, **fields):
        """This message with (more) fields filled in: for a message defined once, its fields known only later."""
        return Message(self.key, self.english, {**self.fields, **fields})

    def format(self, **fields):
        """Like ``str.format``: the text in the current language with ``fields`` filled in."""
        return str(self.filled(**fields))

    def __str__(self):
        return self.render()

    def __format__(self, spec):
        return format(str(self), spec)

    def __repr__(self):
        return f"say({self.key!r}, {self.english!r})"

    def __eq__(self, other):
        return str(self) == str(other)

    def __hash__(self):
        return hash(self.key)

    def __contains__(self, part):
        return part in str(self)


def say(key, english, **fields):
    """Message ``key`` (English text ``english`` with ``{named}`` fields), put into words when shown."""
    return Message(key, english, fields)


def mistake_key(part, name):
    """The key of a named mistake's sentence (``says`` of ``MISTAKES[part][name]``): ``mistake.sigmoid.sign``.
    Two assignments may both have it: the English tells them apart (a translation is found by key and English)."""
    return f"mistake.{part}.{name}"


def mistake_says(part, name, english):
    """A named mistake's sentence (``says`` of ``MISTAKES[part][name]``), as a Message."""
    return Message(mistake_key(part, name), english, {})  # no fields: shown as written


# Phrases the assignments' tests share ------------------------------------------------------------------------

def on_case(name, case):
    """What a hidden test calls: ``sigmoid on a fixed (4,) array`` (``case`` a description, e.g. a ``say``)."""
    return say("tests.on-case", "{name} on {case}", name=name, case=case)


def argument_of(name, case, argument=None):
    """An argument of a hidden test's call: ``The argument yhat of L1 (integer vectors)``."""
    if argument:
        return say("tests.argument-named-of", "The argument {argument} of {name} ({case})", argument=argument,
                   name=name, case=case)
    return say("tests.argument-of", "The argument of {name} ({case})", name=name, case=case)
