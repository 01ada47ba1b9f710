"""a4 and a5 in both languages, in-process (no kernel, no nbgrader: seconds, not the minutes a graded course takes).

tests/test_i18n_grading.py grades a1 and a2 in an English and a Chinese course. For a3 to a5 the same code
path runs; what differs between the languages is only the messages, so here the test cells of each notebook run
in-process (as tests/test_hidden_seeds.py runs them) once in English and once in Chinese (``speaking``, as the
grader sets the course's language):

- the solution passes every test cell in Chinese too, and each catalogued mistake fails the same cells in
  both languages (graded alike), with a Chinese message that differs from the English one and holds no run of
  English words (``i18n_text.english_runs``);
- the notebooks' printed summaries (the setup cells' output) are in Chinese, with no English sentence left;
- a Chinese figure's title, labels, legend and texts are the catalog's Chinese, drawn with the CJK font
  (no glyph missing) and a plain minus sign.
"""

import contextlib
import io
import re
import warnings

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib import font_manager
from test_hidden_seeds import SLOW_SETUP, Notebook

from coursekit import i18n_text
from coursekit.grading.grader.seed import grading_run
from coursekit.messages import speaking, text
from coursekit.submissions import grade_id, is_test_cell

LANGUAGE = "zh_CN"
ASSIGNMENTS = ["a4_neural_network", "a5_training"]  # a1 and a3: tests/test_i18n.py (HM1)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def notebook(request):
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield Notebook(request.param, monkeypatch)


def messages_of(notebook, names, cells, language):
    """``{cell: error text}`` of the test ``cells`` that fail, their messages put in ``language``."""
    with speaking(language):
        return notebook.failures(names, cells)


def own_cells(notebook, part):
    return [cell for cell in notebook.tests if notebook.part_of(cell) == part]


def test_solution_passes_every_test_in_chinese(notebook):
    assert messages_of(notebook, notebook.names, notebook.tests, LANGUAGE) == {}


def test_each_mistake_fails_alike_in_both_languages_and_speaks_chinese(notebook):
    checked = 0
    for mistake in notebook.catalog:
        names = notebook.run_cells({mistake.answer_cell: mistake.answer(notebook.solution[mistake.answer_cell])})
        cells = own_cells(notebook, mistake.part)
        english, chinese = (messages_of(notebook, names, cells, language) for language in ("en", LANGUAGE))
        where = f"{notebook.assignment} {mistake.part}-{mistake.name}"
        assert english and set(chinese) == set(english), where
        for cell, message in chinese.items():
            assert message != english[cell] and CJK.search(message), (where, cell, message)
            assert not CJK.search(english[cell]), (where, cell, english[cell])
            assert i18n_text.english_runs(message, quoted(english[cell])) == [], (where, cell, message)
            checked += 1
    assert checked >= len(list(notebook.catalog))


def quoted(message):
    """What a message quotes rather than says: Python's own errors (a student's ``ValueError: operands could not
    ...``) and the calls it names (``train_network(net, x, t, x, t, 2, 4, 0.2, 0)``)."""
    return re.findall(r"\b\w+Error: ([^\n]+)", message) + re.findall(r"[\w.]+\([^()]*\)", message)


def setup_output(notebook, language):
    """What the notebook's quick setup cells print, run with the solution in ``language``."""
    names, printed = {"__name__": "__main__"}, io.StringIO()
    with speaking(language), contextlib.redirect_stdout(printed), warnings.catch_warnings(), grading_run(0):
        warnings.simplefilter("ignore")
        for cell in notebook.notebook.cells:
            cell_id = grade_id(cell) or ""
            if cell.cell_type != "code" or is_test_cell(cell) or cell_id in SLOW_SETUP \
                    or "skip-execution" in cell.metadata.get("tags", []):
                continue
            exec(compile(cell.source, cell_id, "exec"), names)  # noqa: S102 (course code)
    plt.close("all")
    return printed.getvalue()


def test_printed_summaries_are_chinese_with_no_english_sentence(notebook):
    english, chinese = setup_output(notebook, "en"), setup_output(notebook, LANGUAGE)
    if notebook.assignment == "a5_training":  # its summaries all print after training (slow cells): its helper
        english, chinese = (multilayer_net_error(notebook, language) for language in ("en", LANGUAGE))
    assert CJK.search(chinese) and not CJK.search(english)
    assert i18n_text.english_runs(chinese) == []


def multilayer_net_error(notebook, language):
    """The error a5's multilayer_net.py gives for an unknown activation, in ``language``."""
    with speaking(language):
        with pytest.raises(ValueError) as error:
            notebook.names["MultiLayerNet"](4, [3], 2, activation="softsign")
        return str(error.value)


def figure_texts(figure):
    """Every non-empty text drawn in ``figure``: titles, axis labels, legend entries, annotations, ticks."""
    return [artist.get_text() for artist in figure.findobj(matplotlib.text.Text) if artist.get_text().strip()]


def draw(notebook, cell_id, language):
    """Run the notebook's setup cell ``cell_id`` (after the others) in ``language``; return its figure's texts."""
    with speaking(language):
        names = dict(notebook.names)
        exec(compile(next(cell.source for cell in notebook.notebook.cells if grade_id(cell) == "setup_imports"),
                     "setup_imports", "exec"), names)  # noqa: S102 (course code: sets the language's font)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            exec(compile(next(cell.source for cell in notebook.notebook.cells if grade_id(cell) == cell_id),
                         cell_id, "exec"), names)  # noqa: S102 (course code)
            figure = plt.gcf()
            figure.savefig(io.BytesIO(), format="png")
        texts = figure_texts(figure)
    plt.close("all")
    return texts, [str(warning.message) for warning in caught]


def test_a_chinese_figure_is_labelled_in_chinese_with_the_cjk_font(monkeypatch):
    """a3's map of the loss: every label the catalog translates is drawn in Chinese, no glyph missing."""
    notebook = Notebook("a3_gradient_descent", monkeypatch)
    english, _ = draw(notebook, "setup_loss_map", "en")
    chinese, warned = draw(notebook, "setup_loss_map", LANGUAGE)
    assert not any("missing from" in message for message in warned), warned  # matplotlib's "Glyph ... missing"
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    font = font_manager.findfont(font_manager.FontProperties(family=matplotlib.rcParams["font.sans-serif"]))
    assert "NotoSansCJK" in font, font
    title = text("a3.notebook.loss-map-title", "the loss over (b, w)", LANGUAGE)
    assert title in chinese and CJK.search(title) and "the loss over (b, w)" in english
    worded = [label for label in chinese if re.search(r"[A-Za-z]{2,}|[\u4e00-\u9fff]", label)]
    assert worded and all(CJK.search(label) for label in worded), worded
    matplotlib.rcParams.update(matplotlib.rcParamsDefault)


SANDBOX_PROBE = """
import json, os
from coursekit.messages import say
from coursekit.i18n_figures import use_course_language
use_course_language()
hidden = os.path.join(os.path.dirname(os.path.dirname(say.__code__.co_filename)), "locale", "zh_CN", "LC_MESSAGES",
                      "a4_neural_network-hidden.po")
print(json.dumps({"title": str(say("a3.notebook.loss-map-title", "the loss over (b, w)")),
                  "hidden_catalog_visible": os.path.exists(hidden)}))
"""


def test_the_grading_sandbox_speaks_the_folders_language(tmp_path):
    """A graded Chinese submission's kernel (in the sandbox) reads the message catalogs, never the hidden tests'."""
    from test_sandbox import probe

    folder = tmp_path / "autograded" / "student" / "a3"
    folder.mkdir(parents=True)
    (folder / "course_language.txt").write_text(f"{LANGUAGE}\n")
    facts, _ = probe(folder, tmp_path, SANDBOX_PROBE)
    assert facts == {"title": text("a3.notebook.loss-map-title", "the loss over (b, w)", LANGUAGE),
                     "hidden_catalog_visible": False}
    assert CJK.search(facts["title"])
