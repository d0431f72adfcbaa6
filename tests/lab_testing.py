"""What the tests of labs 3, 4 and 5 share: Hypothesis profiles and strategies, and the lab's course cells.

Generated garbage (wrong types, NaN and inf, raising callables) must get one line of feedback
from any check (:func:`feedback_is_one_line`); :func:`course_cells` reads the cells of a lab's
source that run after an exercise, inside ``checks.answer_cell``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

LABS = Path(__file__).resolve().parents[1] / "labs" / "source"

FEW = settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
VERY_FEW = settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)


def feedback_is_one_line(result, capsys):
    """One line (plus at most a hint line), printed once, no traceback, and not blamed on the check."""
    printed = capsys.readouterr().out
    lines = result.message.splitlines()
    assert printed.strip() == result.message, printed
    assert len(lines) == 1 or (len(lines) == 2 and lines[1].startswith("   Hint:")), result.message
    assert "Traceback" not in result.message and "could not run" not in result.message, result.message
    assert "\x1b" not in result.message


def raising(error):
    """A callable that raises ``error`` whatever it is given."""

    def function(*args, **kwargs):
        raise error("generated failure")

    return function


garbage_values = st.one_of(
    st.none(),
    st.integers(-3, 3),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=4),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=4),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.sampled_from([np.nan, np.inf, -np.inf, np.full(3, np.nan), np.zeros((2, 2)), [[1], [1, 2]], object()]),
)
raising_callables = st.sampled_from([ValueError, TypeError, ZeroDivisionError, KeyError, RuntimeError]).map(raising)
garbage = garbage_values | raising_callables | garbage_values.map(lambda value: lambda *args, **kwargs: value)


def course_cells(lab_source: str, exercise_marker: str) -> list[str]:
    """The sources of the code cells of ``labs/source/<lab_source>`` run in ``answer_cell(exercise_marker)``."""
    cells = [cell for cell in json.loads((LABS / lab_source).read_text())["cells"] if cell["cell_type"] == "code"]
    sources = ["".join(cell["source"]) for cell in cells]
    return [s for s in sources if f'with checks.answer_cell("{exercise_marker}")' in s]
