"""Messages of the visible checks a student acts on: where their code failed, and values in one style."""

import numpy as np
import pytest

from coursekit.checks import CheckFailed, depends_on, describe_error, excused_by, expect_close, fail
from coursekit.grading.wall.remote import StudentCodeError

STUDENT_CELL = "/tmp/ipykernel_4242/3141.py"  # how IPython names a cell's code in tracebacks


def test_a_students_error_names_its_function_and_line():
    namespace = {}
    exec(compile("def update(params):\n    step = 0.1\n    return params + 'a'\n", STUDENT_CELL, "exec"), namespace)
    with pytest.raises(TypeError) as raised:
        namespace["update"](1)
    assert describe_error(raised.value) == ("TypeError: unsupported operand type(s) for +: 'int' and 'str' "
                                            "(in update, line 3 of its cell)")


def test_at_grading_the_students_error_names_them_too():
    lines = ["Traceback (most recent call last):\n", f'  File "{STUDENT_CELL}", line 7, in forward\n',
             "    return x @ self.W\n", "ValueError: matmul: mismatch\n"]
    error = StudentCodeError("ValueError", "matmul: mismatch", lines)
    assert describe_error(error) == "ValueError: matmul: mismatch (in forward, line 7 of its cell)"


def test_expected_and_got_are_printed_alike():
    with pytest.raises(CheckFailed) as raised:
        expect_close([1.0, 2.5], np.array([1.0, 2.0]), "f(x)")
    assert str(raised.value) == "f(x) has wrong values.\n  expected: [1. 2.]\n  got:      [1.  2.5]"


def test_a_check_of_code_using_a_failing_answer_names_that_answer_and_does_not_fail(capsys):
    def failing_gradients():
        fail("gradients(0, 1, x, y) has wrong values")

    with depends_on("gradient_descent", gradients=failing_gradients, loss=lambda: None):
        fail("b_history from gradient_descent(...) has wrong values")
    assert capsys.readouterr().out.startswith("gradient_descent uses your `gradients`, which fails its own check: "
                                              "fix that first.")


def test_an_error_of_code_using_a_failing_answer_is_excused_in_hidden_tests():
    def failing_gradients():
        fail("gradients(0, 1, x, y) has wrong values")

    with excused_by(gradients=failing_gradients):
        raise ValueError("operands could not be broadcast together")
    with pytest.raises(ValueError), excused_by(gradients=lambda: None):
        raise ValueError("operands could not be broadcast together")
    with pytest.raises(CheckFailed), excused_by(gradients=failing_gradients):
        fail("b_history from gradient_descent(...) has wrong values")


def test_a_check_whose_answers_pass_blames_the_code_under_test():
    with pytest.raises(CheckFailed, match=r"^b_history from gradient_descent"), \
            depends_on("gradient_descent", gradients=lambda: None):
        fail("b_history from gradient_descent(...) has wrong values")
