"""The check framework, with which every lab exercise check is written.

A check is a function decorated with :func:`exercise_check`. It calls the
learner's code through :func:`call_student`, raises :class:`NotDone` or
:class:`Failed` when the answer is unfinished or wrong, and returns the
success message otherwise; the decorator prints the feedback and returns a
:class:`CheckResult`. See :mod:`utils.checks` for what the learner sees.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "CheckResult",
    "Failed",
    "NotDone",
    "StudentError",
    "as_float_array",
    "call_student",
    "digits_batch",
    "exercise_check",
    "format_array",
    "is_unfinished",
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
        raise Failed("a function", f"a {type(function).__name__}", "pass the function itself, without calling it")
    try:
        value = function(*args, **kwargs)
    except NotImplementedError:
        raise NotDone from None
    except Exception as error:  # the learner's code: report it, never crash the notebook
        raise StudentError(error, given) from None
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
                error = f"{type(outcome.error).__name__}: {shorten(outcome.error)}"
                where = f" on {outcome.given}" if outcome.given else ""
                return _report(exercise, "error", f"your code raised {error}{where}.")
            except Exception as error:  # a fault in the check itself; still no traceback
                return _report(
                    exercise,
                    "error",
                    f"the check could not run ({type(error).__name__}: {shorten(error)}). "
                    "Re-run the cells above it, from the setup cell down.",
                )
            return _report(exercise, "passed", success)

        return check

    return decorate


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


def as_float_array(value: Any, what: str) -> Any:
    """Read the learner's numbers as a flat float array, or fail the check saying what was expected.

    Parameters
    ----------
    value : Any
        The learner's answer: a list, a NumPy array or a tensor of numbers.
    what : str
        What the numbers are, for the feedback (such as ``"the norms"``).

    Returns
    -------
    numpy.ndarray
        The numbers, flattened, as float64.

    Raises
    ------
    Failed
        If ``value`` does not hold numbers.

    Examples
    --------
    >>> as_float_array([[1, 2], [3, 4]], "the norms")
    array([1., 2., 3., 4.])
    """
    import numpy as np

    try:
        return np.asarray([float(v) for v in np.asarray(value, dtype=object).ravel()], dtype=float)
    except (TypeError, ValueError):
        raise Failed(f"{what} as numbers (a list or NumPy array)", f"{type(value).__name__}") from None


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
