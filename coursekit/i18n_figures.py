"""Matplotlib settings for figures labelled in the course's language (a CJK font, a plain minus sign)."""

import matplotlib
from matplotlib import font_manager

from coursekit.messages import current_language

# Debian's fonts-noto-cjk (installed by .ci/run) provides the first two; DejaVu Sans is matplotlib's own.
FONTS = {"zh_CN": ["Noto Sans CJK SC", "Noto Sans CJK JP", "DejaVu Sans"]}
FONT_FILES = {"zh_CN": "NotoSansCJK"}


def figure_style(language):
    """The rcParams a figure in ``language`` needs (none for English)."""
    if language not in FONTS:
        return {}
    # "-" rather than U+2212 for negative ticks: the same glyph whatever font a fallback picks.
    return {"font.family": "sans-serif", "font.sans-serif": FONTS[language], "axes.unicode_minus": False}


def font_available(language):
    """Whether matplotlib knows the first of ``language``'s fonts, registering it if installed after its cache."""
    if language not in FONTS:
        return True
    known = {entry.name for entry in font_manager.fontManager.ttflist}
    if FONTS[language][0] not in known:  # matplotlib's font cache predates the font's installation
        for path in font_manager.findSystemFonts():
            if FONT_FILES[language] in path:
                font_manager.fontManager.addfont(path)
        known = {entry.name for entry in font_manager.fontManager.ttflist}
    return FONTS[language][0] in known


def use_language(language):
    """Draw the figures that follow with ``language``'s fonts (install Debian's fonts-noto-cjk for Chinese)."""
    font_available(language)
    matplotlib.rcParams.update(figure_style(language))


def use_course_language():
    """Draw this notebook's figures in the course's language (its folder's ``course_language.txt``)."""
    use_language(current_language())
