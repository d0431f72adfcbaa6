import os
import random
import subprocess
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


def test_configure_silences_tensorflow_for_the_rest_of_the_notebook(tmp_path):
    """A chapter imports TensorFlow itself after the setup cell: no native log line may reach the page."""
    code = (
        "from utils import setup\n"
        "setup.configure(seed=0, verbose=False)\n"
        "import tensorflow as tf\n"
        "tf.config.list_physical_devices()\n"
        "print(tf.reduce_sum(tf.ones(3)).numpy())\n"
    )
    # A fresh process, without the variables this test process already set on importing utils._tensorflow.
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "KERAS_"))}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "3.0\n"
    assert result.stderr == ""


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


def test_configure_makes_inline_figures_record_their_smallest_text(tmp_path):
    """In a Jupyter kernel, a figure shown with plt.show() is a PNG that records its smallest text size."""
    import base64

    import nbformat
    from nbclient import NotebookClient

    from tools import figures

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("from utils import setup\nsetup.configure(seed=0, verbose=False)"),
        nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\n"
            "fig, ax = plt.subplots(dpi=100)\n"
            "ax.plot([1, 2], label='a')\n"
            "ax.legend(fontsize=7)\n"
            "plt.show()"
        ),
    ]
    # The kernel as Jupyter starts it: with the inline backend, not a backend chosen for the tests.
    environment = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute(env=environment)
    (output,) = [o for o in notebook.cells[1].outputs if "image/png" in o.get("data", {})]
    png = base64.b64decode(output["data"]["image/png"])
    assert figures.recorded_min_text_px(png) == pytest.approx(7 * 100 / 72, abs=1e-3)
