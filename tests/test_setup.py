import os
import random
import sys

import keras
import matplotlib as mpl
import numpy as np
import pytest

from utils import plotting, setup


def test_set_seed_repeats_python_numpy_and_keras():
    def draw():
        return (
            random.random(),
            np.random.rand(),
            keras.random.normal((3,)).numpy().tolist(),
            keras.initializers.GlorotUniform()((2, 2)).numpy().tolist(),
        )

    setup.set_seed(7)
    first = draw()
    setup.set_seed(7)
    assert draw() == first
    setup.set_seed(8)
    assert draw() != first


@pytest.mark.parametrize("seed", [-1, 1.5, "42", True, None])
def test_bad_seed_names_the_parameter(seed):
    with pytest.raises(ValueError, match=r"^seed must be a non-negative integer"):
        setup.set_seed(seed)
    with pytest.raises(ValueError, match=r"^seed must be"):
        setup.configure(seed=seed, verbose=False)


def test_configure_prints_one_line_of_versions(capsys):
    setup.configure(seed=3)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    for name in ("Python", "TensorFlow", "Keras 3.", "NumPy", "seed 3"):
        assert name in lines[0]


def test_configure_applies_the_course_style(monkeypatch):
    mpl.rcdefaults()
    assert mpl.rcParams["axes.spines.top"] is True
    setup.configure(seed=0, verbose=False)
    assert mpl.rcParams["axes.spines.top"] is False
    assert mpl.rcParams["axes.grid"] is True
    assert list(mpl.rcParams["axes.prop_cycle"].by_key()["color"]) == list(plotting.PALETTE)


def test_in_colab_follows_google_colab_module(monkeypatch):
    assert setup.in_colab() is False
    monkeypatch.setitem(sys.modules, "google.colab", object())
    assert setup.in_colab() is True


def test_versions_names_the_libraries():
    versions = setup.versions()
    assert set(versions) >= {"Python", "TensorFlow", "Keras", "NumPy", "Matplotlib"}
    assert versions["Keras"].startswith("3.")


def test_the_seed_offset_reruns_a_notebook_with_other_seeds(monkeypatch, capsys):
    """tools/robustness.py shifts every set_seed call; seed 42 shifted by -42 is seed 0."""
    setup.set_seed(0)
    unshifted = np.random.rand()
    monkeypatch.setenv(setup.SEED_OFFSET_ENVIRONMENT, "-42")
    setup.set_seed(42)
    assert np.random.rand() == unshifted
    setup.set_seed(0)  # wraps around instead of going negative
    assert np.random.get_state()[1][0] == (0 - 42) % 2**31
    setup.configure(seed=42)
    assert "seed 42 (shifted to 0)" in capsys.readouterr().out


def test_a_bad_seed_offset_names_the_variable(monkeypatch):
    monkeypatch.setenv(setup.SEED_OFFSET_ENVIRONMENT, "one")
    with pytest.raises(ValueError, match="TAMING_GRADIENTS_SEED_OFFSET must be an integer; got 'one'"):
        setup.set_seed(1)


def test_a_foreign_utils_package_is_named_with_the_fix(monkeypatch):
    import types

    foreign = types.ModuleType("utils")
    foreign.__file__ = "/site-packages/utils/__init__.py"
    foreign.__all__ = ["bools", "dicts"]  # PyPI's `utils`
    monkeypatch.setitem(sys.modules, "utils", foreign)
    with pytest.raises(
        ImportError,
        match=r"^the `utils` imported from /site-packages/utils/__init__.py is not "
        r"the course's package .*pip uninstall -y utils",
    ):
        setup.configure(seed=0, verbose=False)


@pytest.mark.slow
def test_a_utils_py_in_the_working_folder_is_named_by_the_setup_cell(tmp_path):
    """The setup cell's import fails on the learner's utils.py, and the line shown names the fix."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from tools import course

    (tmp_path / "utils.py").write_text("def helper():\n    return 1\n", encoding="utf-8")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(course.setup_cell_source())]
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    with pytest.raises(CellExecutionError):
        client.execute()
    (error,) = [o for o in notebook.cells[0].outputs if o.output_type == "error"]
    assert error.ename == "ImportError"
    assert "cannot import name 'setup' from 'utils'" in error.evalue and str(tmp_path / "utils.py") in error.evalue
    shown = "\n".join(error.traceback)
    assert "utils.py or utils/ here hides the course's: rename it" in shown
    assert len(error.traceback) <= 4, "one frame: the setup cell's own line, not a library's stack"


@pytest.fixture(scope="module")
def configured_notebook():
    """A notebook run in a Jupyter kernel started as Jupyter starts it: the setup cell, then TensorFlow, then a figure.

    One kernel (one TensorFlow import) serves the two tests below. It is started without the
    variables this test process set on importing utils._tensorflow (TF_*, KERAS_*), and without
    a backend chosen for the tests (MPLBACKEND), so the inline backend draws the figure. Nor does
    it see PYTEST_CURRENT_TEST: with it, ipykernel leaves file descriptor 2 alone; without it, as
    in Jupyter, what native code writes there becomes the cell's stderr output, as on a page.
    """
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("from utils import setup\nsetup.configure(seed=0, verbose=False)"),
        # A chapter imports TensorFlow itself after the setup cell.
        nbformat.v4.new_code_cell(
            "import tensorflow as tf\ntf.config.list_physical_devices()\nprint(tf.reduce_sum(tf.ones(3)).numpy())"
        ),
        nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\n"
            "fig, ax = plt.subplots(dpi=100)\n"
            "ax.plot([1, 2], label='a')\n"
            "ax.legend(fontsize=7)\n"
            "plt.show()"
        ),
    ]
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"MPLBACKEND", "PYTEST_CURRENT_TEST"} and not k.startswith(("TF_", "KERAS_"))
    }
    NotebookClient(notebook, timeout=300, kernel_name="python3").execute(env=environment)
    return notebook


def test_configure_silences_tensorflow_for_the_rest_of_the_notebook(configured_notebook):
    """A chapter imports TensorFlow itself after the setup cell: no native log line may reach the page."""
    setup_cell, tensorflow_cell, _ = configured_notebook.cells
    assert setup_cell.outputs == [], setup_cell.outputs
    assert [(o.output_type, o.get("name"), o.get("text")) for o in tensorflow_cell.outputs] == [
        ("stream", "stdout", "3.0\n")
    ], tensorflow_cell.outputs
    stderr = [o for cell in configured_notebook.cells for o in cell.outputs if o.get("name") == "stderr"]
    assert stderr == [], stderr


def test_configure_makes_inline_figures_record_their_smallest_text(configured_notebook):
    """In a Jupyter kernel, a figure shown with plt.show() is a PNG that records its smallest text size."""
    import base64

    from tools import figures

    (output,) = [o for o in configured_notebook.cells[2].outputs if "image/png" in o.get("data", {})]
    png = base64.b64decode(output["data"]["image/png"])
    assert figures.recorded_min_text_px(png) == pytest.approx(7 * 100 / 72, abs=1e-3)
