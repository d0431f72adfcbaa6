"""The check framework, with which every lab exercise check is written.

A check is a function decorated with :func:`exercise_check`. It calls the
learner's code through :func:`call_student`, raises :class:`NotDone` or
:class:`Failed` when the answer is unfinished or wrong, and returns the
success message otherwise; the decorator prints the feedback and returns a
:class:`CheckResult`. See :mod:`utils.checks` for what the learner sees.
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "CheckResult",
    "Failed",
    "NotDone",
    "StudentError",
    "a_type",
    "answer_cell",
    "as_float_array",
    "call_student",
    "digits_batch",
    "error_summary",
    "exercise_check",
    "first_mismatch",
    "format_array",
    "format_number",
    "is_unfinished",
    "learner_code",
    "magnitude_probes",
    "missing_name_message",
    "normalize_choice",
    "innermost_file",
    "install_name_feedback",
    "output_array",
    "quiet_retracing",
    "register_answers",
    "require_finished",
    "require_finite",
    "require_same_after_reload",
    "shorten",
]

Status = Literal["passed", "failed", "not done", "error"]

_ICONS = {"passed": "✅", "failed": "❌", "not done": "⏳", "error": "⚠️"}
_MAX_DETAIL = 160


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one exercise check.

    Attributes
    ----------
    exercise : str
        The exercise number, such as ``"1.1"``.
    status : {"passed", "failed", "not done", "error"}
        What the check found.
    message : str
        The feedback that was printed.
    """

    exercise: str
    status: Status
    message: str

    @property
    def passed(self) -> bool:
        """True when the exercise is solved."""
        return self.status == "passed"

    def _ipython_display_(self) -> None:
        # The check has already printed its feedback; show nothing twice.
        return None


class NotDone(Exception):
    """Raised inside a check when the learner's answer is still a stub."""


class Failed(Exception):
    """Raised inside a check for a wrong answer: what was expected, what was found, a hint."""

    def __init__(self, expected: str, found: str, hint: str = "") -> None:
        super().__init__(expected, found, hint)
        self.expected, self.found, self.hint = expected, found, hint


class StudentError(Exception):
    """The learner's code raised; carries the error and the input that triggered it."""

    def __init__(self, error: BaseException, given: str) -> None:
        super().__init__(error, given)
        self.error, self.given = error, given


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # what is left of a broken escape sequence
# Keras wraps an error raised inside a layer: a header, the original message, then the arguments.
_KERAS_HEADER = re.compile(r"^\s*Exception encountered when calling [^\n]*\n", re.S)
_KERAS_ARGUMENTS = re.compile(r"\n\s*Arguments received by .*\Z", re.S)
# ... or, when it traces a layer to infer its output, a paragraph about compute_output_spec first.
_KERAS_OUTPUT_SPEC = re.compile(r"^\s*Could not automatically infer the output shape.*?Error encountered:\s*", re.S)
# TensorFlow's graph errors end with the original "ErrorType: message" after a trace of user code.
_TF_USER_CODE = re.compile(r"in user code:", re.S)
_ERROR_LINE = re.compile(r"^\s*([A-Z][A-Za-z]*(?:Error|Exception)): (.+)$", re.M)


def error_summary(error: BaseException) -> str:
    r"""Say what went wrong in one line: the root error's type and message, without wrapper text.

    Follows the chain of causes to the first error raised, removes terminal colour codes and
    the text Keras and TensorFlow wrap around an error raised inside a layer or a compiled
    function, and puts the rest on one line.

    Parameters
    ----------
    error : BaseException
        The error, possibly wrapped.

    Returns
    -------
    str
        ``"ErrorType: message"``, at most about 160 characters.

    Examples
    --------
    >>> try:
    ...     try:
    ...         float("x")
    ...     except ValueError as inner:
    ...         raise RuntimeError("\x1b[1mwrapped\x1b[0m") from inner
    ... except RuntimeError as outer:
    ...     print(error_summary(outer))
    ValueError: could not convert string to float: 'x'
    """
    seen = set()
    while id(error) not in seen:
        seen.add(id(error))
        inner = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
        if inner is None:
            break
        error = inner
    name, text = type(error).__name__, _CONTROL.sub("", _ANSI.sub("", str(error)))
    text = _KERAS_ARGUMENTS.sub("", _KERAS_OUTPUT_SPEC.sub("", _KERAS_HEADER.sub("", text)))
    if _TF_USER_CODE.search(text):
        lines = _ERROR_LINE.findall(text)
        if lines:
            name, text = lines[-1]
    text = shorten(text) if text.strip() else "(no message)"
    return f"{name}: {text}"


@contextlib.contextmanager
def learner_code(given: str) -> Iterator[None]:
    """Blame what fails inside the block on the learner's code.

    Wrap the places where a check uses what the learner wrote beyond calling it once:
    a layer inside a model, an initializer inside ``build_mlp``, a model the learner built.
    An error raised there becomes :class:`StudentError`, reported as "your code raised ...
    on ``given``"; the check's own mistakes outside such blocks still read "the check could
    not run".

    Parameters
    ----------
    given : str
        What the check was doing with the learner's code, for the feedback
        (such as ``"one training step of build_mlp with your layer"``).

    Examples
    --------
    >>> @exercise_check("0.2")
    ... def check_model(model):
    ...     with learner_code("a forward pass of your model"):
    ...         model(1)
    ...     return "the model runs"
    >>> _ = check_model(lambda x: x / 0)
    ⚠️ Exercise 0.2: your code raised ZeroDivisionError: division by zero on a forward pass of your model.
    """
    try:
        yield
    except (NotDone, Failed, StudentError):
        raise
    except NotImplementedError as error:
        # TensorFlow's "cannot convert a symbolic tensor to NumPy" is a mistake, not a stub.
        if _raised_by_a_library(error) or _hint_for(error_summary(error)):
            raise StudentError(error, given) from None
        raise NotDone from None
    except Exception as error:  # the learner's code: report it, never crash the notebook
        raise StudentError(error, given) from None


def innermost_file(error: BaseException) -> str:
    """Return the file of the innermost frame of ``error``'s traceback, with ``/`` separators.

    Parameters
    ----------
    error : BaseException
        A raised error.

    Returns
    -------
    str
        The file name, or ``""`` if the error has no traceback.
    """
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_filename.replace("\\", "/") if tb is not None else ""


def _raised_by_a_library(error: BaseException) -> bool:
    """Whether the innermost frame of ``error`` is in an installed package, not the learner's code."""
    return "-packages" in innermost_file(error)


# Mistakes whose error text does not say what to do: (pattern in the error, hint).
_KNOWN_MISTAKES = (
    (
        re.compile(r"symbolic|NumPy call|numpy array", re.I),
        "inside a model, use keras.ops (ops.where, ops.exp, ...), not NumPy: NumPy cannot work on "
        "the symbolic tensors Keras traces.",
    ),
)


def _hint_for(summary: str) -> str:
    return next((hint for pattern, hint in _KNOWN_MISTAKES if pattern.search(summary)), "")


def a_type(value: Any) -> str:
    """Name the type of ``value`` with its article, for feedback ("an int", "a list").

    Parameters
    ----------
    value : Any
        Any object.

    Returns
    -------
    str
        The article and the type's name.

    Examples
    --------
    >>> a_type(3), a_type([1])
    ('an int', 'a list')
    """
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def shorten(text: Any, limit: int = _MAX_DETAIL) -> str:
    """Put ``text`` on one line and cut it to ``limit`` characters, for a check's feedback.

    Parameters
    ----------
    text : Any
        The text, or an object (such as an exception) whose ``str`` is shown.
    limit : int
        The most characters returned; a longer text ends with "…".

    Returns
    -------
    str
        One line, runs of whitespace collapsed to one space.

    Examples
    --------
    >>> shorten("a   long    message", limit=8)
    'a long …'
    """
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_unfinished(value: Any) -> bool:
    """Tell whether ``value`` is a stub answer: ``...``, None, or a container holding ``...``.

    Parameters
    ----------
    value : Any
        The learner's answer.

    Examples
    --------
    >>> is_unfinished(...), is_unfinished({"scale": ...}), is_unfinished(2.0)
    (True, True, False)
    """
    if value is Ellipsis or value is None:
        return True
    if isinstance(value, dict):
        return any(v is Ellipsis for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(v is Ellipsis for v in value)
    return False


def call_student(function: Any, *args: Any, given: str = "", **kwargs: Any) -> Any:
    """Call the learner's ``function`` and turn what can go wrong into check outcomes.

    Parameters
    ----------
    function : callable
        The learner's function.
    *args, **kwargs
        Passed on to ``function``.
    given : str
        A short description of the input, for the error message.

    Returns
    -------
    Any
        What ``function`` returned.

    Raises
    ------
    NotDone
        If ``function`` is a stub (``...``), raises ``NotImplementedError`` or
        returns ``...`` or None.
    Failed
        If ``function`` is not callable.
    StudentError
        If ``function`` raises any other exception.
    """
    if is_unfinished(function):
        raise NotDone
    if not callable(function):
        raise Failed("a function", a_type(function), "pass the function itself, without calling it")
    with learner_code(given):
        value = function(*args, **kwargs)
    if is_unfinished(value):
        raise NotDone
    return value


def _report(exercise: str, status: Status, message: str) -> CheckResult:
    line = f"{_ICONS[status]} Exercise {exercise}{' passed' if status == 'passed' else ''}: {message}"
    print(line)
    return CheckResult(exercise=exercise, status=status, message=line)


def exercise_check(exercise: str) -> Callable[[Callable[..., str]], Callable[..., CheckResult]]:
    """Turn a function that verifies an answer into a learner-facing check.

    The decorated function returns the success message, or raises
    :class:`NotDone` or :class:`Failed`; learner code it calls through
    :func:`call_student` may raise :class:`StudentError`. The check prints one
    line of feedback (two with a hint) and returns a :class:`CheckResult`.

    Parameters
    ----------
    exercise : str
        The exercise number shown to the learner, such as ``"1.1"``.

    Examples
    --------
    >>> @exercise_check("0.1")
    ... def check_double(double):
    ...     if call_student(double, 2, given="x=2") != 4:
    ...         raise Failed("double(2) == 4", "something else", "multiply by 2")
    ...     return "double(2) == 4"
    >>> result = check_double(lambda x: 2 * x)
    ✅ Exercise 0.1 passed: double(2) == 4
    >>> check_double(...).status
    ⏳ Exercise 0.1: not done yet. Replace the ... in the exercise cell, run it, then run this check again.
    'not done'
    """

    def decorate(verify: Callable[..., str]) -> Callable[..., CheckResult]:
        @functools.wraps(verify)
        def check(*args: Any, **kwargs: Any) -> CheckResult:
            try:
                success = verify(*args, **kwargs)
            except NotDone:
                return _report(
                    exercise,
                    "not done",
                    "not done yet. Replace the ... in the exercise cell, run it, then run this check again.",
                )
            except Failed as outcome:
                message = f"expected {outcome.expected}; found {outcome.found}."
                if outcome.hint:
                    message += f"\n   Hint: {outcome.hint}"
                return _report(exercise, "failed", message)
            except StudentError as outcome:
                if isinstance(outcome.error, NameError):  # a cell it needs was not run (or a typo)
                    name = _missing_name(outcome.error)
                    cell = (
                        f"Exercise {_ANSWER_CELLS[name]}'s cell"
                        if name in _ANSWER_CELLS
                        else "the cell that defines it"
                    )
                    return _report(
                        exercise,
                        "error",
                        f"your code uses {name}, which is not defined yet: run {cell} first, then this check.",
                    )
                where = f" on {outcome.given}" if outcome.given else ""
                summary = error_summary(outcome.error)
                message = f"your code raised {summary}{where}."
                if _hint_for(summary):
                    message += f"\n   Hint: {_hint_for(summary)}"
                return _report(exercise, "error", message)
            except Exception as error:  # a fault in the check itself; still no traceback
                return _report(
                    exercise,
                    "error",
                    f"the check could not run ({error_summary(error)}). "
                    "Re-run the cells above it, from the setup cell down.",
                )
            return _report(exercise, "passed", success)

        return check

    return decorate


def require_finished(*answers: Any) -> None:
    """Stop a course cell (or a check) with "not done" while any answer is still a stub.

    Parameters
    ----------
    *answers : Any
        The learner's answers the cell uses.

    Raises
    ------
    NotDone
        If any answer is unfinished (:func:`is_unfinished`).
    """
    if any(is_unfinished(answer) for answer in answers):
        raise NotDone


_ANSWER_CELLS: dict[str, str] = {}


def register_answers(exercise: str, *names: str) -> None:
    """Record which exercise cell defines each answer name, for the feedback on a missing one.

    Parameters
    ----------
    exercise : str
        The exercise number, such as ``"3.1"``.
    *names : str
        The names its cell defines (``"my_elu"``).

    Raises
    ------
    ValueError
        If a name is already an answer of another exercise: the feedback on a missing
        name could point at one exercise only, so each answer name belongs to one.
    """
    for name in names:
        if _ANSWER_CELLS.get(name, exercise) != exercise:
            raise ValueError(
                f"names: {name!r} is already an answer of Exercise {_ANSWER_CELLS[name]}; "
                f"give Exercise {exercise}'s answer another name"
            )
    for name in names:
        _ANSWER_CELLS[name] = exercise


def missing_name_message(name: str) -> str:
    """Say which cell to run first when ``name`` is not defined (one line).

    Parameters
    ----------
    name : str
        The undefined name.

    Returns
    -------
    str
        The feedback line.

    Examples
    --------
    >>> register_answers("0.4", "my_answer")
    >>> missing_name_message("my_answer")
    "⚠️ name 'my_answer' is not defined yet: run Exercise 0.4's cell first (it defines my_answer), then this cell again."
    >>> missing_name_message("digits")
    "⚠️ name 'digits' is not defined yet: run the cells above this one first, from the setup cell down."
    """
    exercise = _ANSWER_CELLS.get(name)
    if exercise is not None:
        return (
            f"⚠️ name '{name}' is not defined yet: run Exercise {exercise}'s cell first "
            f"(it defines {name}), then this cell again."
        )
    return f"⚠️ name '{name}' is not defined yet: run the cells above this one first, from the setup cell down."


def _missing_name(error: NameError) -> str:
    name = getattr(error, "name", None)
    if not name:
        match = re.search(r"name '([^']+)' is not defined", str(error))
        name = match.group(1) if match else "?"
    return name


def install_name_feedback() -> bool:
    """In IPython, show a ``NameError`` as one line that says which cell to run first.

    A learner who runs a check (or a course cell) before the cell that defines its answer
    would otherwise get a traceback. Only ``NameError`` is handled; other errors keep
    IPython's usual display.

    Returns
    -------
    bool
        True if installed (an IPython shell is running), False otherwise.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the course
        return False
    shell = get_ipython()
    if shell is None:
        return False

    def handler(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None) -> list[str]:
        # IPython's run_code ignores the returned traceback for a custom exception: print the line.
        print(missing_name_message(_missing_name(value)))
        return []

    shell.set_custom_exc((NameError,), handler)
    return True


@contextlib.contextmanager
def answer_cell(exercise: str) -> Iterator[None]:
    """Run a course cell that uses an exercise's answer; a wrong or missing answer gets one line.

    The cells after an exercise plot or measure the learner's answer. Inside this block,
    an unfinished answer (:func:`require_finished`, or ``...`` reaching the code) prints
    "⏳ ...", a name not yet defined says which cell to run, and an error raised by the
    answer prints "⚠️ ... raised ..." with the root error; no traceback, and the notebook
    goes on to the next cell.

    Parameters
    ----------
    exercise : str
        The exercise whose answer the cell uses, such as ``"3.1"``.

    Examples
    --------
    >>> with answer_cell("0.5"):
    ...     require_finished(...)  # doctest: +ELLIPSIS
    ⏳ This cell shows your answer to Exercise 0.5: finish the exercise ..., then run this cell.
    >>> with answer_cell("0.5"):
    ...     print(1 / 0)  # doctest: +ELLIPSIS
    ⚠️ This cell uses your answer to Exercise 0.5, which raised ZeroDivisionError: division by zero. ...
    """
    try:
        yield
    except NameError as error:
        print(missing_name_message(_missing_name(error)))
    except (NotDone, NotImplementedError):
        print(_not_done_line(exercise))
    except Failed as outcome:
        print(
            f"❌ This cell needs a correct answer to Exercise {exercise}: expected {outcome.expected}; "
            f"found {outcome.found}."
        )
    except Exception as error:
        root = error.error if isinstance(error, StudentError) else error
        summary = error_summary(root)
        if "ellipsis" in summary.lower():  # a stub's ... reached the cell's code
            print(_not_done_line(exercise))
        else:
            print(
                f"⚠️ This cell uses your answer to Exercise {exercise}, which raised {summary}. "
                "Its check says more; fix the answer, then run this cell again."
            )


def _not_done_line(exercise: str) -> str:
    return (
        f"⏳ This cell shows your answer to Exercise {exercise}: finish the exercise "
        "(its check says when it passes), then run this cell."
    )


def format_array(values: Any, digits: int = 3) -> str:
    """Show up to six numbers of ``values`` in a check's feedback.

    Parameters
    ----------
    values : array_like
        Numbers, of any shape; they are flattened.
    digits : int
        Significant digits of each number.

    Returns
    -------
    str
        The numbers in brackets, with "…" when more than six were given.

    Examples
    --------
    >>> format_array([0.123456, 2, 30000])
    '[0.123, 2, 3e+04]'
    >>> format_array(range(8))
    '[0, 1, 2, 3, 4, 5, …]'
    """
    import numpy as np

    array = np.asarray(values, dtype=float).ravel()
    shown = ", ".join(f"{v:.{digits}g}" for v in array[:6])
    return f"[{shown}{', …' if array.size > 6 else ''}]"


def normalize_choice(value: Any) -> Any:
    """Read a string answer the one way every lab does: case and surrounding spaces ignored.

    Parameters
    ----------
    value : Any
        The learner's answer; a string is stripped and lower-cased, anything else returned as is.

    Returns
    -------
    Any
        The normalized answer.

    Examples
    --------
    >>> normalize_choice("  Vanishing "), normalize_choice(3)
    ('vanishing', 3)
    """
    return value.strip().lower() if isinstance(value, str) else value


def format_number(value: Any, digits: int = 3) -> str:
    """Show one number in a check's feedback as it is: fractions kept, NaN and infinities named.

    Parameters
    ----------
    value : Any
        A number (Python, NumPy or a one-element tensor).
    digits : int
        Significant digits.

    Returns
    -------
    str
        The number, or the ``repr`` of what was given if it is not one.

    Examples
    --------
    >>> format_number(0.25), format_number(float("nan")), format_number(-float("inf")), format_number(3)
    ('0.25', 'NaN', '-inf', '3')
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        return shorten(repr(value), 60)
    if math.isnan(number):
        return "NaN"
    return f"{number:.{digits}g}"


_FINITE_HINT = (
    "a NaN or an infinity passes no comparison honestly; find where your code divides by zero, "
    "takes a log of 0 or overflows."
)


def require_finite(values: Any, what: str, hint: str = _FINITE_HINT) -> Any:
    """Fail the check if ``values`` hold a NaN or an infinity; return them as a float array.

    Parameters
    ----------
    values : array_like
        Numbers the learner's code produced (or that it changed, such as weights).
    what : str
        What they are, for the feedback (such as ``"your layer's outputs"``).
    hint : str
        The hint shown on failure; give one that names the likely cause where the check knows it.

    Returns
    -------
    numpy.ndarray
        ``values`` as a float64 array, of the same shape.

    Raises
    ------
    Failed
        If any value is NaN or infinite; the message counts them.

    Examples
    --------
    >>> require_finite([1.0, 2.0], "the norms")
    array([1., 2.])
    >>> @exercise_check("0.3")
    ... def check_norms(norms):
    ...     require_finite(norms, "the norms")
    ...     return "finite"
    >>> _ = check_norms([1.0, float("nan"), float("inf")])  # doctest: +ELLIPSIS
    ❌ Exercise 0.3: expected finite numbers in the norms; found 1 NaN and 1 infinite value of 3.
       Hint: a NaN or an infinity passes no comparison honestly; ...
    """
    import numpy as np

    array = np.asarray(values, dtype=float)
    nan, inf = int(np.isnan(array).sum()), int(np.isinf(array).sum())
    if nan or inf:
        parts = [f"{nan} NaN"] * bool(nan) + [f"{inf} infinite value{'s' * (inf > 1)}"] * bool(inf)
        raise Failed(
            f"finite numbers in {what}",
            f"{' and '.join(parts)} of {array.size}",
            hint,
        )
    return array


def as_float_array(value: Any, what: str, *, finite: bool = True) -> Any:
    """Read the learner's numbers as a flat float array, or fail the check saying what was expected.

    Parameters
    ----------
    value : Any
        The learner's answer: a list, a NumPy array or a tensor of numbers.
    what : str
        What the numbers are, for the feedback (such as ``"the norms"``).
    finite : bool
        Also fail on NaN and infinities (:func:`require_finite`); the default.

    Returns
    -------
    numpy.ndarray
        The numbers, flattened, as float64.

    Raises
    ------
    Failed
        If ``value`` does not hold numbers, or holds a NaN or an infinity when ``finite``.

    Examples
    --------
    >>> as_float_array([[1, 2], [3, 4]], "the norms")
    array([1., 2., 3., 4.])
    """
    import numpy as np

    try:
        array = np.asarray([float(v) for v in np.asarray(value, dtype=object).ravel()], dtype=float)
    except (TypeError, ValueError):
        raise Failed(f"{what} as numbers (a list or NumPy array)", f"{type(value).__name__}") from None
    return require_finite(array, what) if finite else array


def digits_batch(size: int = 256) -> tuple[Any, Any]:
    """Return the first ``size`` training examples of the digits, on which checks run the learner's code.

    Parameters
    ----------
    size : int
        Number of examples.

    Returns
    -------
    x : numpy.ndarray, shape (size, 64)
        Standardized inputs (:func:`utils.data.load_digits`).
    y : numpy.ndarray, shape (size,)
        Labels 0-9.

    Examples
    --------
    >>> x, y = digits_batch(8)
    >>> x.shape, y.shape
    ((8, 64), (8,))
    """
    from utils.data import load_digits

    digits = load_digits()
    return digits.x_train[:size], digits.y_train[:size]


def output_array(found: Any, shape: tuple[int, ...], what: str, given: str) -> Any:
    """Read the learner's output as a finite float64 array of ``shape``, or fail saying what is wrong.

    Parameters
    ----------
    found : array-like
        What the learner's code returned.
    shape : tuple of int
        The shape it must have (the input's).
    what, given : str
        What the output is, and the input it was given, for the feedback.

    Returns
    -------
    numpy.ndarray
    """
    import numpy as np

    try:
        values = np.asarray(found, dtype="float64")
    except (TypeError, ValueError):
        raise Failed(f"a tensor of the input's shape ({given})", f"a {type(found).__name__}") from None
    if values.shape != shape:
        raise Failed(f"an output of shape {shape} ({given})", f"shape {values.shape}")
    return require_finite(values, f"{what} on {given}")


def first_mismatch(found: Any, expected: Any, rtol: float = 1e-6, atol: float = 1e-6) -> int | None:
    """Return the flat index of the first value not close to the expected one, or None when all are.

    Examples
    --------
    >>> first_mismatch([1.0, 2.0, 3.0], [1.0, 2.5, 3.0]), first_mismatch([1.0], [1.0])
    (1, None)
    """
    import numpy as np

    bad = ~np.isclose(found, expected, rtol=rtol, atol=atol)
    return int(np.argmax(bad.ravel())) if bad.any() else None


@contextlib.contextmanager
def quiet_retracing() -> Iterator[None]:
    """Keep TensorFlow's "retracing" warning out of the feedback while a check trains a fresh model.

    Every check builds a new model, so after five of them TensorFlow warns that its training
    function was traced again: true, expected, and nothing the learner can act on.
    """
    from utils._tensorflow import tf

    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    try:
        yield
    finally:
        logger.setLevel(level)


def require_same_after_reload(
    model: Any, custom_layer: Any, x: Any, predictions: Any, *, expected: str, hint: str
) -> None:
    """Save ``model`` as a ``.keras`` file, load it back with ``custom_layer``, and fail unless it predicts the same.

    Parameters
    ----------
    model : keras.Model
        A model that uses the learner's layer class.
    custom_layer : type
        That class, given to ``load_model`` as a custom object.
    x : array-like
        The inputs to predict on.
    predictions : numpy.ndarray
        What ``model`` predicted on ``x`` (inference mode) before saving.
    expected, hint : str
        The feedback when the loaded model predicts otherwise.
    """
    import os
    import tempfile

    import numpy as np

    from utils._tensorflow import keras

    given = "a .keras save and load of that model"
    with learner_code(given), tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        loaded = keras.models.load_model(path, custom_objects={custom_layer.__name__: custom_layer})
        reloaded = np.asarray(loaded(x, training=False))
    require_finite(reloaded, "the loaded model's predictions")
    if reloaded.shape != predictions.shape or not np.allclose(reloaded, predictions, atol=1e-6):
        raise Failed(expected, "other predictions", hint)


def magnitude_probes(magnitudes: Any) -> list[tuple[str, Any]]:
    """Return twelve large and small inputs as a check tries them: float32 and float64 arrays, and a 3-D tensor.

    Parameters
    ----------
    magnitudes : sequence of 12 numbers
        Values from -1e4 to 1e4, for example.

    Returns
    -------
    list of (str, array or tensor)
        A description of each input, and the input.
    """
    import numpy as np

    from utils._tensorflow import tf

    values = np.array(magnitudes).reshape(3, 4)
    return [
        ("z = a float32 NumPy array of shape (3, 4), from -1e4 to 1e4", values.astype("float32")),
        ("z = a float64 NumPy array of shape (3, 4), from -1e4 to 1e4", values.astype("float64")),
        ("z = a float32 tensor of shape (2, 3, 2), from -1e4 to 1e4", tf.constant(values.reshape(2, 3, 2), tf.float32)),
    ]
