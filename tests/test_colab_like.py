"""Installing the course where Colab's packages already are keeps them, and the course runs there.

The environment imitates Colab's: the course's TensorFlow, Keras and NumPy are
visible through a .pth file (as Colab's preinstalled packages are), and ipywidgets
7.7.1, the version Colab ships, is installed first. ``pip install`` of the course
package, with its dependencies, must then add the package and change none of them,
and importing it must raise no DeprecationWarning. (Binder's ``--no-deps`` install is
tested in test_environment.py.) Then a probe notebook runs from an empty folder with
the installed package: a first cell imports the package with DeprecationWarning turned
into an error (in the kernel, where a Colab notebook imports it: one TensorFlow import
serves this check and the cells after it), then the setup cell every notebook opens with,
an import of every module, an exercise check, and the three explorers with ipywidgets 7
(the course notebooks themselves are executed once, by nbval, in the project's
environment: tools/nbval_cache.py).
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import venv
from pathlib import Path

import nbformat
import pytest

from tools import course

COLAB_WIDGETS = "7.7.1"
KEPT = ("tensorflow", "keras", "numpy", "ipywidgets")


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    # Colab has no PYTHONPATH to this repository: the installed package must serve.
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=600, env=env, **kwargs)


def pip(python: Path, *arguments: str | Path) -> subprocess.CompletedProcess:
    """Run this environment's pip on ``python``'s environment (``pip --python``), which has no pip of its own.

    Installing pip into a fresh virtual environment (ensurepip) would cost more CPU than the two
    installs that follow; which pip resolves the install is not what this test is about.
    """
    return run([sys.executable, "-m", "pip", "--python", python, *arguments])


def versions(python: Path) -> dict[str, str]:
    code = f"import importlib.metadata as m, json; print(json.dumps({{n: m.version(n) for n in {list(KEPT)!r}}}))"
    result = run([python, "-c", code])
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def colab(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("colab")
    venv.create(root / "env")
    python = root / "env" / "bin" / "python"
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    (Path(purelib) / "preinstalled.pth").write_text(site.getsitepackages()[0] + "\n")
    widgets = pip(python, "install", "--quiet", f"ipywidgets=={COLAB_WIDGETS}")
    assert widgets.returncode == 0, widgets.stderr[-2000:]
    return python


def module_names(root: Path = course.ROOT) -> list[str]:
    """Every module of the course package, as imported (utils, utils.checks, utils.checks.lab1, ...)."""
    names = []
    for path in sorted((root / "utils").rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


# The probe's first cell: importing the installed package raises no DeprecationWarning. It runs
# before anything else imports the package (as `python -W error::DeprecationWarning -c ...` would,
# without a second interpreter importing TensorFlow), and the filter ends with the cell. What the
# kernel itself has imported by then (IPython, traitlets, pygments, packaging, psutil, dateutil and
# the standard library) is not imported again: in Colab too, the notebook's kernel has them loaded.
QUIET_IMPORT = (
    "import warnings\n"
    "with warnings.catch_warnings():\n"
    "    warnings.simplefilter('error', DeprecationWarning)\n"
    "    import utils\n"
    "    from utils import checks, models\n"
    "print('imported quietly')"
)

PROBE_CELLS = [
    QUIET_IMPORT,
    # Then what a learner's notebook does, in the order it does it.
    course.setup_cell_source(),
    "import importlib\n"
    "import ipywidgets, utils\n"
    "for name in {names!r}:\n"
    "    importlib.import_module(name)\n"
    "print('package', utils.__file__)\n"
    "print('ipywidgets', ipywidgets.__version__)",
    # One exercise check, with the reference answer: it must print its verdict, not raise.
    "from utils import checks, initializers\nchecks.check_compute_fans(initializers.compute_fans)",
    # The three explorers build with Colab's ipywidgets; one is displayed.
    "import numpy as np\n"
    "from utils import widgets\n"
    "x = np.random.default_rng(0).standard_normal((32, 64)).astype('float32')\n"
    "y = np.arange(32) % 10\n"
    "built = [widgets.gradient_norm_explorer(x, y), widgets.initialization_explorer(x, y),\n"
    "         widgets.activation_explorer(num_layers=4, units=16)]\n"
    "print('explorers', all(isinstance(w, ipywidgets.Widget) for w in built))\n"
    "built[2]",
]


def probe_notebook(path: Path) -> None:
    """Write a small notebook that does what every course notebook relies on.

    It is not a course notebook: nbval executes those once, in the project's environment.
    """
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [
        nbformat.v4.new_code_cell(cell.format(names=module_names()) if i == 2 else cell)
        for i, cell in enumerate(PROBE_CELLS)
    ]
    nbformat.write(notebook, path)


def text_of(cell) -> str:
    return "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.outputs)


@pytest.mark.slow
def test_installing_the_course_keeps_colabs_packages_and_its_notebooks_run(colab, tmp_path):
    before = versions(colab)
    assert before["ipywidgets"] == COLAB_WIDGETS
    install = pip(colab, "install", "--quiet", course.ROOT)
    assert install.returncode == 0, install.stderr[-2000:]
    assert versions(colab) == before, "installing the course changed a package Colab ships"

    folder = tmp_path / "empty"  # no utils/ beside the notebook: the installed package must serve
    folder.mkdir()
    probe_notebook(folder / "probe.ipynb")
    executed = run(
        [
            colab,
            "-m",
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--ExecutePreprocessor.timeout=600",
            "--output",
            "run-probe.ipynb",
            "probe.ipynb",
        ],
        cwd=folder,
    )
    assert executed.returncode == 0, executed.stderr[-3000:]
    cells = nbformat.read(folder / "run-probe.ipynb", as_version=4).cells
    quiet = [o for o in cells[0].outputs if o.output_type == "error" or o.get("name") == "stderr"]
    assert not quiet and "imported quietly" in text_of(cells[0]), (
        f"importing the installed package warns or fails:\n{quiet}"
    )
    errors = [o for cell in cells for o in cell.outputs if o.output_type == "error" or o.get("name") == "stderr"]
    assert not errors, errors
    _, setup_line, imports, check, explorers = map(text_of, cells)
    assert "Python" in setup_line and "seed 42" in setup_line, setup_line
    package = imports.split("package ", 1)[1].split()[0]
    assert "/env/" in package and not package.startswith(str(course.ROOT)), (
        f"the notebook did not use the installed package: {package}"
    )
    assert f"ipywidgets {COLAB_WIDGETS}" in imports, imports
    assert "✅ Exercise 2.1" in check, check
    assert "explorers True" in explorers, explorers
    views = [o for o in cells[4].outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert views, "the explorer displayed no widget"
