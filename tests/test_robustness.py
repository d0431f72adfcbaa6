"""tools/robustness.py: the same notebook under other seeds and numeric setups."""

from __future__ import annotations

import os
import random

import nbformat
import numpy as np
import pytest

from tools import robustness
from utils import setup

SOURCE = """from utils import report, setup
setup.configure(seed=42, verbose=False)
import numpy as np
import tensorflow as tf
value = float(np.random.rand())
report.glue(value=value, threads=tf.config.threading.get_intra_op_parallelism_threads())
report.claim(value < 2.0, "a uniform draw is below 2")
report.claim(value > 2.0, "a uniform draw is above 2")"""


@pytest.fixture(scope="module")
def notebook(tmp_path_factory):
    path = tmp_path_factory.mktemp("robustness") / "probe.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SOURCE)]
    nbformat.write(nb, path)
    return path


def seed_42_draw() -> float:
    """The probe's ``value`` as the book computes it (seed 42, no offset), drawn in this process.

    The ``baseline`` setup adds nothing to a run (no variable, no first cell), so this draw,
    seeded by the same ``setup.set_seed`` the probe's ``setup.configure`` calls, is what a
    baseline run would glue; it saves a third kernel. This process's random states are restored.
    """
    python_state, numpy_state = random.getstate(), np.random.get_state()
    try:
        setup.set_seed(42)
        return float(np.random.rand())
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


@pytest.mark.slow
def test_each_setup_reports_its_glued_values_and_failed_claims(notebook, monkeypatch):
    assert robustness.SETUPS["baseline"] == ({}, None)  # the book's own run, which seed_42_draw repeats
    monkeypatch.delenv(setup.SEED_OFFSET_ENVIRONMENT, raising=False)
    baseline_value = seed_42_draw()
    shifted = robustness.run(notebook, *robustness.SETUPS["seed 0"])
    # Run after the shifted run: its offset must not leak into the next run.
    one_thread = robustness.run(notebook, *robustness.SETUPS["1 thread"])
    assert setup.SEED_OFFSET_ENVIRONMENT not in os.environ
    assert baseline_value != shifted["values"]["value"]  # another seed, another draw
    assert one_thread["values"] == {"value": baseline_value, "threads": 1}
    for result in (shifted, one_thread):
        assert result["failed_claims"] == [
            "⚠️ Your run differs from the text here: it does not show that a uniform draw is above 2."
        ]
