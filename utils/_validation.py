"""Argument checks shared by every module: one message format, ``"<parameter> must be <what>; got <value>"``.

Each check returns the value in its plain Python form (an ``int`` for a NumPy
integer, a ``float`` for a NumPy float), so callers can use the result directly.
A wrong argument raises :class:`ValueError` in one line that names the parameter
and what is allowed, and, for a misspelt name, the closest allowed one.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np


def quoted(names: Iterable[Any]) -> str:
    """Quote allowed values as an error message lists them: ``'a', 'b', 'c'``.

    Examples
    --------
    >>> quoted(("relu", "tanh"))
    "'relu', 'tanh'"
    """
    return ", ".join(repr(name) for name in names)


def suggestion(value: Any, allowed: Iterable[Any]) -> str:
    """Suggest `` (did you mean 'x'?)`` for the allowed name closest to a misspelt one, else ``""``.

    Examples
    --------
    >>> suggestion("he_norml", ("he_normal", "lecun_normal"))
    " (did you mean 'he_normal'?)"
    """
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, [a for a in allowed if isinstance(a, str)], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def describe(value: Any) -> str:
    """Show a wrong value in an error message: a plain value's repr, else its type's name.

    Examples
    --------
    >>> describe(np.int64(41)), describe([1, 2])
    ('41', 'list')
    """
    if isinstance(value, np.generic):  # np.int64(41) reads as 41
        value = value.item()
    return repr(value) if isinstance(value, (str, bytes, numbers.Number, type(None))) else type(value).__name__


def check_int(value: Any, parameter: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Check an integer (Python or NumPy, not a bool) in ``[minimum, maximum]``.

    Examples
    --------
    >>> check_int(np.int64(3), "num_layers", minimum=1)
    3
    >>> check_int(0, "num_layers", minimum=1)
    Traceback (most recent call last):
    ValueError: num_layers must be a positive integer; got 0
    """
    valid = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    if valid:
        number = int(value)
        valid = (minimum is None or number >= minimum) and (maximum is None or number <= maximum)
    if not valid:
        raise ValueError(f"{parameter} must be {_int_range(minimum, maximum)}; got {describe(value)}")
    return number


def _int_range(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f"an integer in [{minimum}, {maximum}]"
    if minimum == 0:
        return "a non-negative integer"
    if minimum == 1:
        return "a positive integer"
    if minimum is not None:
        return f"an integer >= {minimum}"
    if maximum is not None:
        return f"an integer <= {maximum}"
    return "an integer"


def check_seed(seed: Any, parameter: str = "seed") -> int:
    """Check a seed: a non-negative integer, Python or NumPy.

    Examples
    --------
    >>> check_seed(np.int32(7))
    7
    """
    return check_int(seed, parameter, minimum=0)


def check_seeds(seeds: Any, parameter: str = "seeds") -> tuple[int, ...]:
    """Check a non-empty sequence of seeds; return them as a tuple of ints.

    Examples
    --------
    >>> check_seeds(range(2))
    (0, 1)
    """
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Iterable):
        raise ValueError(f"{parameter} must be a non-empty sequence of non-negative integers; got {describe(seeds)}")
    seeds = tuple(seeds)
    if not seeds:
        raise ValueError(f"{parameter} must be a non-empty sequence of non-negative integers; got none")
    return tuple(check_seed(seed, f"each of {parameter}") for seed in seeds)


def check_number(
    value: Any,
    parameter: str,
    *,
    above: float | None = None,
    at_least: float | None = None,
    below: float | None = None,
    at_most: float | None = None,
) -> float:
    """Check a finite real number (not a bool), with strict (``above``, ``below``) or inclusive bounds.

    Examples
    --------
    >>> check_number(0.5, "epsilon", above=0, below=0.5)
    Traceback (most recent call last):
    ValueError: epsilon must be a number strictly between 0 and 0.5; got 0.5
    """
    given = value
    valid = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    if valid:
        value = float(value)
        valid = (
            math.isfinite(value)
            and (above is None or value > above)
            and (at_least is None or value >= at_least)
            and (below is None or value < below)
            and (at_most is None or value <= at_most)
        )
    if not valid:
        raise ValueError(f"{parameter} must be {_number_range(above, at_least, below, at_most)}; got {describe(given)}")
    return value


def _number_range(above: float | None, at_least: float | None, below: float | None, at_most: float | None) -> str:
    if above is not None and below is not None and at_least is None and at_most is None:
        return f"a number strictly between {above:g} and {below:g}"
    if at_least is not None and at_most is not None and above is None and below is None:
        return f"a number in [{at_least:g}, {at_most:g}]"
    if above == 0 and (at_least, below, at_most) == (None, None, None):
        return "a positive number"
    bounds = [
        f"{sign} {bound:g}"
        for sign, bound in ((">", above), (">=", at_least), ("<", below), ("<=", at_most))
        if bound is not None
    ]
    return "a number " + " and ".join(bounds) if bounds else "a finite number"


def check_choice(value: Any, parameter: str, allowed: Iterable[Any], *, also: str = "") -> Any:
    """Check one of ``allowed``; the message lists them (and ``also``, such as "or None") and suggests a close one.

    Examples
    --------
    >>> check_choice("tahn", "activation", ("tanh", "relu"))
    Traceback (most recent call last):
    ValueError: activation must be one of 'tanh', 'relu'; got 'tahn' (did you mean 'tanh'?)
    """
    allowed = tuple(allowed)
    try:
        found = value in allowed
    except (TypeError, ValueError):  # unhashable against a mapping's keys; an array's ambiguous truth value
        found = False
    if not found:
        extra = f" {also}" if also else ""
        raise ValueError(
            f"{parameter} must be one of {quoted(allowed)}{extra}; got {describe(value)}{suggestion(value, allowed)}"
        )
    return value


def check_batch(x: Any, parameter: str = "x") -> np.ndarray:
    """Check a non-empty batch of examples, shape (examples, features, ...); return it as float32.

    Examples
    --------
    >>> check_batch([[1, 2], [3, 4]]).dtype
    dtype('float32')
    """
    try:
        array = np.asarray(x, dtype="float32")
    except (TypeError, ValueError):
        raise ValueError(f"{parameter} must be a numeric array; got {type(x).__name__}") from None
    if array.ndim < 2 or array.shape[0] == 0:
        raise ValueError(
            f"{parameter} must be a non-empty batch with shape (examples, features); got shape {array.shape}"
        )
    return array


def check_targets(x: np.ndarray, y: Any, parameter: str = "y") -> np.ndarray:
    """Check one target per example of the batch ``x``.

    Examples
    --------
    >>> check_targets(np.zeros((3, 2)), [0, 1])
    Traceback (most recent call last):
    ValueError: y must have one target per example of x (3); got shape (2,)
    """
    y = np.asarray(y)
    if y.ndim == 0 or y.shape[0] != x.shape[0]:
        raise ValueError(f"{parameter} must have one target per example of x ({x.shape[0]}); got shape {y.shape}")
    return y


def check_labels(x: np.ndarray, y: Any, parameter: str = "y") -> np.ndarray:
    """Check one non-negative integer class index per example of ``x``.

    Examples
    --------
    >>> check_labels(np.zeros((2, 3)), [0.0, 1.0])
    Traceback (most recent call last):
    ValueError: y must hold one non-negative class index per example of x (2); got shape (2,) and dtype float64
    """
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != x.shape[0] or not np.issubdtype(y.dtype, np.integer) or y.min() < 0:
        raise ValueError(
            f"{parameter} must hold one non-negative class index per example of x ({x.shape[0]}); "
            f"got shape {y.shape} and dtype {y.dtype}"
        )
    return y


def check_instance(value: Any, parameter: str, kind: type | tuple[type, ...], what: str) -> Any:
    """Check an instance of ``kind``, described to the learner as ``what`` (such as "a keras.Model").

    Examples
    --------
    >>> check_instance(3, "model", str, "a keras.Model")
    Traceback (most recent call last):
    ValueError: model must be a keras.Model; got int
    """
    if not isinstance(value, kind):
        raise ValueError(f"{parameter} must be {what}; got {type(value).__name__}")
    return value
