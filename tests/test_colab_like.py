"""Installing the course where Colab's packages already are keeps them, and the course runs there.

The environment imitates Colab's: the course's TensorFlow, Keras and NumPy are
visible through a .pth file (as Colab's preinstalled packages are), and ipywidgets
7.7.1, the version Colab ships, is installed first. ``pip install`` of the course
package, with its dependencies, must then add the package and change none of them;
a chapter and a lab run from an empty folder, and the explorers build with
ipywidgets 7.
"""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import venv
from pathlib import Path

import pytest

from tools import course

COLAB_WIDGETS = "7.7.1"
KEPT = ("tensorflow", "keras", "numpy", "ipywidgets")


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=600, **kwargs)


def versions(python: Path) -> dict[str, str]:
    code = ("import importlib.metadata as m, json; "
            f"print(json.dumps({{n: m.version(n) for n in {list(KEPT)!r}}}))")
    result = run([python, "-c", code])
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def colab(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("colab")
    venv.create(root / "env", with_pip=True)
    python = root / "env" / "bin" / "python"
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    (Path(purelib) / "preinstalled.pth").write_text(site.getsitepackages()[0] + "\n")
    widgets = run([python, "-m", "pip", "install", "--quiet", f"ipywidgets=={COLAB_WIDGETS}"])
    assert widgets.returncode == 0, widgets.stderr[-2000:]
    return python


@pytest.mark.slow
def test_installing_the_course_keeps_colabs_packages_and_runs_a_chapter_and_a_lab(colab, tmp_path):
    before = versions(colab)
    assert before["ipywidgets"] == COLAB_WIDGETS
    install = run([colab, "-m", "pip", "install", "--quiet", course.ROOT])
    assert install.returncode == 0, install.stderr[-2000:]
    assert versions(colab) == before, "installing the course changed a package Colab ships"

    folder = tmp_path / "empty"
    folder.mkdir()
    for notebook in ("chapters/00-setup.ipynb", "labs/01-diagnose-gradients.ipynb"):
        shutil.copy(course.ROOT / notebook, folder)
        executed = run([colab, "-m", "nbconvert", "--to", "notebook", "--execute",
                        "--ExecutePreprocessor.timeout=600", "--output", f"run-{Path(notebook).name}",
                        Path(notebook).name], cwd=folder)
        assert executed.returncode == 0, executed.stderr[-3000:]
    located = run([colab, "-c", "import utils; print(utils.__file__)"], cwd=folder)
    assert "/env/" in located.stdout, f"the notebooks did not use the installed package: {located.stdout}"


@pytest.mark.slow
def test_the_explorers_build_with_colabs_ipywidgets(colab, tmp_path):
    code = """
import ipywidgets, numpy as np
from utils import setup, widgets
setup.configure(seed=0, verbose=False)
x = np.random.default_rng(0).standard_normal((32, 64)).astype("float32")
y = np.arange(32) % 10
built = [widgets.gradient_norm_explorer(x, y), widgets.initialization_explorer(x, y),
         widgets.activation_explorer(num_layers=4, units=16)]
print(ipywidgets.__version__, all(isinstance(w, ipywidgets.Widget) for w in built))
"""
    result = run([colab, "-c", code], cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split()[-2:] == [COLAB_WIDGETS, "True"]
