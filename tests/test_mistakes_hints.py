"""The visible checks give a catalogued mistake's own sentence as their hint (source/<a>/mistake_hints.json).

In-process, on the instructor's side (no kernel): every mistake the hints file recognises, run through the
visible checks of its part, fails with the catalog's sentence as its hint, word for word; the file is what a
fresh ``make release`` writes; it holds no solution code; a1's and a3's checks recognise every catalogued mistake.
The graded classes of tests/test_a1_numpy_basics.py check the same sentence in real feedback, visible and hidden.
"""

import json
import sys

import pytest

from coursekit import checks
from coursekit.checks import HINTS_FILE, fail, recognise_mistakes
from coursekit.messages import speaking
from coursekit.mistake_hints import Assignment, hints_text, in_folder
from coursekit.paths import RELEASE_DIR, SOURCE_DIR
from coursekit.submissions import answers_of, load_notebook

HINTED = sorted(path.parent.name for path in SOURCE_DIR.glob(f"*/{HINTS_FILE}"))
EVERY_MISTAKE_RECOGNISED = {"a1_numpy_basics", "a3_gradient_descent"}


def table(assignment):
    return json.loads((SOURCE_DIR / assignment / HINTS_FILE).read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def no_table_left_behind():
    saved = dict(checks._known_mistakes), set(checks._ambiguous)
    checks._known_mistakes.clear()
    checks._ambiguous.clear()
    yield
    checks._known_mistakes.clear()
    checks._known_mistakes.update(saved[0])
    checks._ambiguous.clear()
    checks._ambiguous.update(saved[1])


@pytest.mark.parametrize("assignment", HINTED)
def test_a_recognised_mistake_hears_its_catalog_sentence(assignment):
    source = Assignment(SOURCE_DIR / assignment)
    recognised = {tuple(made) for made in table(assignment)["seen"].values()}
    assert recognised
    (checks_module,) = (path.stem for path in source.folder.glob("*_checks.py"))
    sys.modules.pop(checks_module, None)  # the visible cells import it afresh: it reads its own hints file
    with in_folder(source.folder):
        for part, name in sorted(recognised):
            mistake = source.catalog.get(part, name)
            messages = [str(error) for error in source.failures(mistake).values()]
            assert any(message.endswith(f"\nHint: {mistake.says}") for message in messages), (part, name, messages)


def recognised_by_their_error(assignment):
    return sorted({tuple(made) for seen, made in table(assignment)["seen"].items() if " raised " in seen})


@pytest.mark.parametrize("assignment", [a for a in HINTED if recognised_by_their_error(a)])
def test_a_mistake_recognised_by_its_error_is_named_in_a_chinese_course_too(assignment):
    """The checks recognise a mistake by what they saw in English, also when the error's text is shown in Chinese."""
    source = Assignment(SOURCE_DIR / assignment)
    (checks_module,) = (path.stem for path in source.folder.glob("*_checks.py"))
    sys.modules.pop(checks_module, None)
    with in_folder(source.folder), speaking("zh_CN"):
        for part, name in recognised_by_their_error(assignment):
            named_before = len(checks.named_mistakes)
            source.failures(source.catalog.get(part, name))
            assert (part, name) in checks.named_mistakes[named_before:], (part, name)


@pytest.mark.parametrize("assignment", sorted(EVERY_MISTAKE_RECOGNISED & set(HINTED)))
def test_every_catalogued_mistake_of_a1_and_a3_is_recognised(assignment):
    source = Assignment(SOURCE_DIR / assignment)
    recognised = {tuple(made) for made in table(assignment)["seen"].values()}
    assert recognised == {(m.part, m.name) for m in source.catalog}


@pytest.mark.parametrize("assignment", HINTED)
def test_the_hints_file_is_what_make_release_writes(assignment):
    assert (SOURCE_DIR / assignment / HINTS_FILE).read_text(encoding="utf-8") == hints_text(SOURCE_DIR / assignment)


@pytest.mark.parametrize("assignment", HINTED)
def test_the_hints_file_holds_no_solution_code_and_travels_with_the_release(assignment):
    text = (SOURCE_DIR / assignment / HINTS_FILE).read_text(encoding="utf-8")
    (notebook,) = (SOURCE_DIR / assignment).glob("*.ipynb")
    released = (RELEASE_DIR / assignment / notebook.name).read_text(encoding="utf-8")
    solution_lines = {line.strip() for code in answers_of(load_notebook(notebook)).values()
                      for line in code.splitlines() if len(line.strip()) >= 12 and line.strip() not in released}
    assert solution_lines and not [line for line in solution_lines if line in text]
    assert (RELEASE_DIR / assignment / HINTS_FILE).read_text(encoding="utf-8") == text


def test_an_unrecognised_message_keeps_the_checks_own_hint(tmp_path):
    (tmp_path / HINTS_FILE).write_text(json.dumps({"says": {"f": {"sign": "It flips the sign."}},
                                                   "seen": {"f(1) has wrong values.": ["f", "sign"]}}))
    recognise_mistakes(tmp_path / "f_checks.py")
    with pytest.raises(checks.CheckFailed) as known:
        fail("f(1) has wrong values.", "mind the sign.")
    with pytest.raises(checks.CheckFailed) as other:
        fail("f(2) has wrong values.", "mind the sign.")
    assert str(known.value) == "f(1) has wrong values.\nHint: It flips the sign."
    assert str(other.value) == "f(2) has wrong values.\nHint: mind the sign."


def test_where_the_students_code_raised_does_not_hide_a_known_mistake(tmp_path):
    (tmp_path / HINTS_FILE).write_text(json.dumps({"says": {"f": {"exp": "It uses math.exp."}},
                                                   "seen": {"f(x) raised TypeError: no": ["f", "exp"]}}))
    recognise_mistakes(tmp_path / "f_checks.py")
    with pytest.raises(checks.CheckFailed) as raised:
        fail("f(x) raised TypeError: no (in f, line 2 of its cell)")
    assert str(raised.value).endswith("\nHint: It uses math.exp.")


def test_two_assignments_that_would_name_different_mistakes_for_one_message_name_neither(tmp_path):
    for folder, name in (("a", "sign"), ("b", "flip")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / HINTS_FILE).write_text(json.dumps({"says": {"f": {name: f"It does {name}."}},
                                                                "seen": {"f(1) has wrong values.": ["f", name]}}))
        recognise_mistakes(tmp_path / folder / "f_checks.py")
    with pytest.raises(checks.CheckFailed) as raised:
        fail("f(1) has wrong values.", "mind the sign.")
    assert str(raised.value).endswith("\nHint: mind the sign.")


def test_every_assignment_with_a_catalog_has_its_hints_file():
    catalogued = sorted(path.parent.name for path in SOURCE_DIR.glob("*/*_mistakes.py"))
    assert catalogued and HINTED == catalogued
