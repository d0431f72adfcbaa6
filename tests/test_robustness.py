"""tools/robustness.py: the same notebook under other seeds and numeric setups."""

from __future__ import annotations

import nbformat
import pytest

from tools import robustness

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


@pytest.mark.slow
def test_each_setup_reports_its_glued_values_and_failed_claims(notebook):
    baseline = robustness.run(notebook, *robustness.SETUPS["baseline"])
    shifted = robustness.run(notebook, *robustness.SETUPS["seed 0"])
    one_thread = robustness.run(notebook, *robustness.SETUPS["1 thread"])
    assert baseline["values"]["value"] != shifted["values"]["value"]  # another seed, another draw
    assert one_thread["values"] == {"value": baseline["values"]["value"], "threads": 1}
    for result in (baseline, shifted, one_thread):
        assert result["failed_claims"] == [
            "⚠️ Your run differs from the text here: it does not show that a uniform draw is above 2."
        ]
