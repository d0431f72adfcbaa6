"""Tie the numbers in a page's text to the values its cells computed.

A chapter's prose quotes what its cells measured. Typed by hand, such a number
is true only on the machine where it was typed: training results move between
CPUs, Colab and laptops. Instead, a cell *glues* each value it wants quoted, and
the text refers to it with MyST-NB's role, which the book build fills in from the
same run (``{glue:text}`name:format```, for example ``{glue:text}`val_accuracy:.2f```).

:func:`glue` writes exactly the output that ``myst_nb.glue(name, value,
display=False)`` writes, without importing ``myst_nb``, which Colab does not have.
Jupyter and Colab show nothing for it. :func:`claim` states, in code, a claim the
text makes about a measured value: the book build and the tests fail when it does
not hold, and a learner whose run differs gets one line saying so.

Examples
--------
>>> sci(0.000123)
'1.2 × 10⁻⁴'
>>> sci(7.2e5, digits=1)
'7 × 10⁵'
"""

from __future__ import annotations

import math
import os
import re
from typing import Any

import numpy as np

from utils import _validation

__all__ = ["STRICT_ENVIRONMENT", "ClaimError", "claim", "glue", "sci"]

GLUE_PREFIX = "application/papermill.record/"
STRICT_ENVIRONMENT = "TAMING_GRADIENTS_STRICT"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class ClaimError(AssertionError):
    """A claim that the text makes about a measured value does not hold."""


def _plain(value: Any, name: str) -> Any:
    """Return the Python value whose ``repr`` the role formats (NumPy scalars become floats or ints)."""
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        value = value.item()
    if isinstance(value, str) or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value
    raise ValueError(f"glue value {name} must be a number or a str; got {type(value).__name__}")


def glue(**values: Any) -> None:
    """Store values under names that the page's text can quote.

    Parameters
    ----------
    **values : float, int or str
        One keyword per value: the name the text uses, and the value. NumPy
        scalars are accepted. Format numbers in the role
        (``{glue:text}`loss:.2f```); give a string for notation the role cannot
        produce, such as :func:`sci`.

    Raises
    ------
    ValueError
        If no value is given, or a value is not a number or a string.

    Examples
    --------
    Each value is displayed as one raw bundle, which Jupyter does not show:

    >>> from unittest import mock
    >>> with mock.patch("IPython.display.display") as display:
    ...     glue(final_loss=0.0412)  # the text says {glue:text}`final_loss:.2f`
    >>> display.call_args.args[0]
    {'application/papermill.record/text/plain': '0.0412'}
    """
    if not values:
        raise ValueError("glue needs at least one name=value pair; got none")
    from IPython.display import display

    for name, value in values.items():
        if not _NAME.match(name):
            raise ValueError(f"glue name must be a Python identifier; got {name!r}")
        plain = _plain(value, name)
        display(
            {f"{GLUE_PREFIX}text/plain": repr(plain)},
            raw=True,
            metadata={"scrapbook": {"name": name, "mime_prefix": GLUE_PREFIX}},
        )


def sci(value: float, digits: int = 2) -> str:
    """Format a number in scientific notation for the text: ``'2.2 × 10⁻²'``.

    Parameters
    ----------
    value : float
        The number. NaN and infinities are written as ``'nan'``, ``'inf'``, ``'−inf'``.
    digits : int
        Significant digits, at least 1.

    Raises
    ------
    ValueError
        If ``digits`` is not a positive integer.

    Examples
    --------
    >>> sci(-3.16e-12)
    '−3.2 × 10⁻¹²'
    >>> sci(1.0)
    '1.0'
    """
    digits = _validation.check_int(digits, "digits", minimum=1)
    value = float(value)
    if not math.isfinite(value):
        return {"nan": "nan", "inf": "inf", "-inf": "−inf"}[str(value)]
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    exponent_value = int(exponent)
    if exponent_value == 0:
        return mantissa.replace("-", "−")
    return f"{mantissa} × 10{str(exponent_value).translate(_SUPERSCRIPT)}".replace("-", "−", 1)


def claim(holds: Any, statement: str) -> None:
    """State a claim the text makes about a measured value, and check it.

    The book build and the test suite set ``TAMING_GRADIENTS_STRICT=1``: there a
    claim that does not hold raises :class:`ClaimError`, so a page whose text no
    longer matches its measurements cannot be published. Elsewhere (a learner's
    Jupyter or Colab) it prints one line instead of a traceback.

    Parameters
    ----------
    holds : bool
        Whether the claim holds for this run (NumPy booleans are accepted).
    statement : str
        The claim, as the text makes it.

    Raises
    ------
    ClaimError
        In strict mode, when the claim does not hold.
    ValueError
        If ``statement`` is empty or ``holds`` is not a boolean.

    Examples
    --------
    >>> claim(0.10 < 0.2, "the deep sigmoid network stays at chance")
    """
    if not isinstance(statement, str) or not statement.strip():
        raise ValueError(f"statement must be a non-empty str; got {statement!r}")
    if isinstance(holds, np.bool_):
        holds = bool(holds)
    if not isinstance(holds, bool):
        raise ValueError(f"holds must be a bool; got {type(holds).__name__}")
    if holds:
        return  # returns None, so that a claim ending a cell prints nothing in Jupyter
    if os.environ.get(STRICT_ENVIRONMENT) == "1":
        raise ClaimError(f"the text claims that {statement}, and this run does not show it")
    print(f"⚠️ Your run differs from the text here: it does not show that {statement}.")
