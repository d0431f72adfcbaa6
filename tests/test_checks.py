"""The exercise-check framework: statuses, one-line feedback, no tracebacks."""

import pytest

from utils import checks


@checks.exercise_check("9.1")
def check_double(double):
    value = checks.call_student(double, 3, given="x = 3")
    if value != 6:
        raise checks.Failed("double(3) == 6", f"double(3) == {value!r}", "multiply the input by 2")
    return "double(3) == 6"


def test_passing_answer(capsys):
    result = check_double(lambda x: 2 * x)
    assert result.passed and result.status == "passed" and result.exercise == "9.1"
    assert capsys.readouterr().out == "✅ Exercise 9.1 passed: double(3) == 6\n"


@pytest.mark.parametrize(
    "answer",
    [..., None, lambda x: ..., lambda x: None],
    ids=["ellipsis", "none", "returns ellipsis", "returns none"],
)
def test_unfinished_answers_are_not_done(answer, capsys):
    result = check_double(answer)
    assert result.status == "not done" and not result.passed
    assert capsys.readouterr().out.startswith("⏳ Exercise 9.1: not done yet.")


def test_not_implemented_is_not_done():
    def stub(x):
        raise NotImplementedError("Exercise 9.1")

    assert check_double(stub).status == "not done"


def test_wrong_answer_says_expected_found_and_hint(capsys):
    result = check_double(lambda x: x + 2)
    out = capsys.readouterr().out
    assert result.status == "failed"
    assert out == "❌ Exercise 9.1: expected double(3) == 6; found double(3) == 5.\n   Hint: multiply the input by 2\n"
    assert result.message == out.rstrip("\n")


def test_raising_answer_is_reported_in_one_line_with_the_input(capsys):
    def broken(x):
        return [1, 2][x]

    result = check_double(broken)
    out = capsys.readouterr().out
    assert result.status == "error"
    assert out == "⚠️ Exercise 9.1: your code raised IndexError: list index out of range on x = 3.\n"
    assert "Traceback" not in out


def test_long_error_messages_are_shortened(capsys):
    def noisy(x):
        raise ValueError("word " * 200)

    check_double(noisy)
    out = capsys.readouterr().out
    assert len(out) < 260 and out.count("\n") == 1 and "…" in out


def test_not_callable_answer_gets_a_hint():
    result = check_double(6)
    assert result.status == "failed" and "pass the function itself" in result.message


def test_a_fault_in_the_check_itself_is_reported_without_traceback(capsys):
    @checks.exercise_check("9.2")
    def faulty(answer):
        return {}["missing"]

    result = faulty(1)
    assert result.status == "error"
    assert "the check could not run (KeyError" in capsys.readouterr().out


def test_result_displays_nothing_more_in_a_notebook(capsys):
    """The check printed its feedback; as a cell's last expression, its result shows nothing more."""
    from IPython.core.formatters import DisplayFormatter

    result = check_double(lambda x: 2 * x)
    capsys.readouterr()
    assert DisplayFormatter().format(result) == ({}, {})  # what IPython would display: nothing
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    "value, unfinished",
    [(..., True), (None, True), ({"a": ...}, True), ([1, ...], True), (0, False), ({"a": 1}, False), ("", False)],
)
def test_is_unfinished(value, unfinished):
    assert checks.is_unfinished(value) is unfinished
