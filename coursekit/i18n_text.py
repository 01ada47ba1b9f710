"""Checks of a translated Markdown text against its English: kept spans, leftover English, glossary terms."""

import csv
import re
from collections import Counter
from pathlib import Path

# What a translation keeps character for character, found in this order (each found span is blanked
# before the next pattern looks, so ``$x$`` inside a code block is not counted twice).
KEPT = {
    "code block": re.compile(r"```.*?```", re.S),
    "display math": re.compile(r"\$\$.+?\$\$", re.S),
    "math": re.compile(r"(?<![\\$])\$(?:[^$\n]|\n(?!\n))+?\$"),  # may wrap, as code spans
    "code": re.compile(r"`(?:[^`\n]|\n(?!\n))+`"),  # a code span may wrap, within a paragraph
    "link target": re.compile(r"\]\(([^)\s]+)\)"),
    "HTML tag": re.compile(r"<[a-zA-Z/][^>\n]*>"),
}
ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ \t,;:/()&-]+[A-Za-z][A-Za-z'’-]*){4,}")
ENGLISH_RUN_WORDS = 5


def kept_spans(text):
    """``Counter`` of ``(kind, span)``: the math, code, link targets and HTML tags of a Markdown text."""
    found = Counter()
    for kind, pattern in KEPT.items():
        found.update((kind, match.group(0)) for match in pattern.finditer(text))
        text = pattern.sub(" ", text)
    return found


def prose(text):
    """A Markdown text without its kept spans: what a translator translates."""
    for pattern in KEPT.values():
        text = pattern.sub(" ", text)
    return text


def span_changes(english, translated):
    """Kept spans of ``english`` missing from ``translated``, and spans only ``translated`` has."""
    before, after = kept_spans(english), kept_spans(translated)
    return sorted((before - after).elements()), sorted((after - before).elements())


def english_runs(translated, allowed=()):
    """Runs of five or more English words in the prose of a translation (``allowed`` phrases excepted)."""
    text = prose(translated)
    for phrase in allowed:
        text = text.replace(phrase, " ")
    return [match.group(0) for match in ENGLISH_RUN.finditer(text)]


def read_glossary(path):
    """Rows of a glossary CSV (``term,zh,forms,note``), longest term first."""
    with open(Path(path), encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    return sorted(rows, key=lambda row: -len(row["term"]))


def squeezed(text):
    """``text`` in lower case without white space: "Affine 层" and "Affine层" are the same term."""
    return "".join(text.lower().split())


def glossary_misses(english, translated, glossary):
    """Glossary terms the English prose uses whose fixed translation ``translated`` lacks.

    Longer terms are matched first and blanked, so "batch normalization" asks for its own term and
    not also for that of "normalization".
    """
    text, misses = prose(english), []
    for row in glossary:
        pattern = re.compile(rf"\b(?:{row['forms']})\b", re.I)
        if pattern.search(text):
            if squeezed(row["zh"]) not in squeezed(translated):
                misses.append(f"{row['term']} -> {row['zh']}")
            text = pattern.sub(" ", text)
    return misses
