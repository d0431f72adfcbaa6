"""The exercise-check framework: statuses, one-line feedback, no tracebacks."""

import keras
import numpy as np
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


# --- Blame, NaN and infinities, course cells after an exercise, a check run too early -------


class _Halve(keras.layers.Layer):
    def call(self, inputs):
        return np.where(inputs > 0, inputs, 0.5 * inputs)  # NumPy on a symbolic tensor: fails in a model


class _HalveThroughNumpy(keras.layers.Layer):
    def call(self, inputs):
        values = inputs.numpy()  # a symbolic tensor has no value: Keras fails while inferring the output
        return np.where(values > 0, values, 0.5 * values)


@checks.exercise_check("9.2")
def check_layer_in_a_model(layer_class):
    with checks.learner_code("one training step of a model with your layer"):
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), layer_class()])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((8, 4)), np.ones((8, 3)), epochs=1, verbose=0)
    return "the layer trains"


@pytest.mark.parametrize("layer_class", [_Halve, _HalveThroughNumpy])
def test_an_error_raised_by_a_learners_layer_inside_keras_is_theirs_in_one_clean_line(capsys, layer_class):
    result = check_layer_in_a_model(layer_class)
    out = capsys.readouterr().out
    assert result.status == "error"
    assert out.startswith("⚠️ Exercise 9.2: your code raised ") and "on one training step" in out
    assert out.count("\n") == 2 and "Hint: inside a model, use keras.ops" in out, out  # one line and the hint
    assert "\x1b[" not in out and "Exception encountered" not in out and "Arguments received" not in out, out
    assert "Could not automatically infer" not in out, out  # Keras's wrapper, not the learner's error
    assert "could not run" not in out


def test_error_summary_reads_the_root_of_a_chain_without_colour_codes():
    def wrapped():
        try:
            [][1]
        except IndexError as inner:
            raise RuntimeError("\x1b[1mouter\x1b[0m") from inner

    with pytest.raises(RuntimeError) as caught:
        wrapped()
    assert checks._framework.error_summary(caught.value) == "IndexError: list index out of range"
    assert checks._framework.error_summary(ValueError("\x1b[31mred\x1b[0m")) == "ValueError: red"
    assert checks._framework.error_summary(ValueError("\x1b half\x07 an escape")) == "ValueError: half an escape"
    assert checks._framework.error_summary(KeyError()) == "KeyError: (no message)"


def test_a_fault_in_a_helper_of_the_check_still_reads_could_not_run(capsys, monkeypatch):
    """Only the learner's objects are blamed on the learner: a check's own fault keeps its message."""

    @checks.exercise_check("9.3")
    def check_uses_a_helper(answer):
        value = checks.call_student(answer, 1, given="x = 1")
        checks._framework.format_array([value])  # the check's own code
        return "ok"

    monkeypatch.setattr(checks._framework, "format_array", lambda values: 1 / 0)
    result = check_uses_a_helper(lambda x: x)
    assert result.status == "error"
    assert "the check could not run (ZeroDivisionError: division by zero)" in capsys.readouterr().out


@pytest.mark.parametrize(
    "values, found",
    [
        ([1.0, np.nan], "1 NaN of 2"),
        ([np.inf, -np.inf, 0.0], "2 infinite values of 3"),
        ([np.nan, np.inf], "1 NaN and 1 infinite value of 2"),
    ],
)
def test_nan_and_infinity_fail_with_a_count(values, found):
    with pytest.raises(checks.Failed) as caught:
        checks._framework.as_float_array(values, "the norms")
    assert caught.value.expected == "finite numbers in the norms" and caught.value.found == found
    assert checks._framework.as_float_array(values, "the norms", finite=False).shape == (len(values),)


def test_numbers_in_feedback_are_shown_as_they_are():
    fmt = checks._framework.format_number
    assert [fmt(0.4), fmt(np.float32(0.125)), fmt(np.nan), fmt(np.inf), fmt(7)] == ["0.4", "0.125", "NaN", "inf", "7"]
    assert fmt("seven") == "'seven'"


@pytest.mark.parametrize(
    "body, expected",
    [
        (lambda: checks.require_finished(...), "⏳ This cell shows your answer to Exercise 9.4: finish"),
        (lambda: [1, 2] * ..., "⏳ This cell shows your answer to Exercise 9.4: finish"),
        (lambda: undefined_answer_name, "⚠️ name 'undefined_answer_name' is not defined yet: run the cells above"),  # noqa: F821
        (lambda: np.log("x"), "⚠️ This cell uses your answer to Exercise 9.4, which raised "),
        (lambda: (_ for _ in ()).throw(checks.Failed("3 values", "2")), "❌ This cell needs a correct answer"),
    ],
    ids=["stub", "ellipsis reaches the code", "name not defined", "raises", "wrong"],
)
def test_a_course_cell_after_an_exercise_prints_one_line_and_lets_the_notebook_go_on(body, expected, capsys):
    with checks.answer_cell("9.4"):
        body()
    out = capsys.readouterr().out
    assert out.startswith(expected) and out.count("\n") == 1, out


def test_a_check_run_before_its_exercise_cell_names_the_cell_to_run():
    """In IPython, a NameError becomes one line; registered answers name their exercise."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    shell = InteractiveShell.instance()
    try:
        assert checks._framework.install_name_feedback()
        checks._framework.register_answers("9.5", "my_answer_95")
        with capture_output() as captured:
            result = shell.run_cell("print(my_answer_95)")
        assert isinstance(result.error_in_exec, NameError)
        text = captured.stdout + captured.stderr
        assert "Exercise 9.5's cell first" in text and "Traceback" not in text, text
        assert len(text.strip().splitlines()) == 1, text
        with capture_output() as captured:
            shell.run_cell("1 / 0")  # other errors keep IPython's display
        assert "ZeroDivisionError" in captured.stdout + captured.stderr
    finally:
        InteractiveShell.clear_instance()


def test_an_answer_name_belongs_to_one_exercise():
    """Every lab's answers share one registry: a name taken by another exercise is refused."""
    checks._framework.register_answers("9.7", "answer_of_97")
    checks._framework.register_answers("9.7", "answer_of_97")  # a lab module imported again
    with pytest.raises(ValueError, match=r"^names: 'answer_of_97' is already an answer of Exercise 9.7;"):
        checks._framework.register_answers("9.8", "answer_of_98", "answer_of_97")
    assert "Exercise 9.7's cell" in checks.missing_name_message("answer_of_97")
    assert "the cells above" in checks.missing_name_message("answer_of_98")  # none registered


def test_a_name_error_in_the_learners_code_names_the_cell_that_defines_it(capsys):
    checks._framework.register_answers("9.6", "helper_from_96")
    assert check_double(lambda x: helper_from_96(x)).status == "error"  # noqa: F821
    out = capsys.readouterr().out
    assert out == (
        "⚠️ Exercise 9.1: your code uses helper_from_96, which is not defined yet: "
        "run Exercise 9.6's cell first, then this check.\n"
    )
