"""The package as a learner meets it: importable anywhere, quiet, installable."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import subprocess
import sys
import tomllib

import pytest
from packaging.requirements import Requirement

import utils
from tools import course


def run_python(code: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_import_utils_anywhere_is_silent_and_light(tmp_path):
    result = run_python("import sys, utils; print(utils.__file__); print('tensorflow' in sys.modules)", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    path, tensorflow_loaded = result.stdout.split()
    assert path.startswith(str(course.ROOT / "utils"))
    assert tensorflow_loaded == "False"


def test_modules_load_tensorflow_without_log_lines(tmp_path):
    # TensorFlow's C++ runtime writes to file descriptor 2 on import and on
    # device discovery; none of it may reach a notebook.
    code = (
        "from utils import data, diagnostics, models, plotting, setup, widgets\n"
        "import utils\n"
        "model = models.build_mlp(2, 8)\n"
        "print(diagnostics.gradient_norms(model, data.load_digits().x_val, data.load_digits().y_val).shape)\n"
        "print(utils.models is models)"
    )
    result = run_python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.split() == ["(2,)", "True"]


def public_modules(package) -> list[str]:
    """The names of a package's modules and subpackages that do not start with an underscore."""
    return sorted(info.name for info in pkgutil.iter_modules(package.__path__) if not info.name.startswith("_"))


def test_curated_all():
    import utils.checks

    assert sorted(utils.__all__) == public_modules(utils), "utils.__all__ must name every public module, and only those"
    for package in (utils, utils.checks):
        for info in pkgutil.iter_modules(package.__path__):
            name = f"{package.__name__}.{info.name}"
            module = importlib.import_module(name)
            if not info.name.startswith("_"):
                assert getattr(module, "__all__", None), f"{name} has no __all__"
            for public in getattr(module, "__all__", ()):
                assert hasattr(module, public), f"{name}.__all__ lists missing {public}"
                assert not public.startswith("_"), f"{name}.__all__ lists the private {public}"
    with pytest.raises(AttributeError):
        utils.nonexistent  # noqa: B018


def requirement_pins() -> dict[str, str]:
    pins = {}
    for line in (course.ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            requirement = Requirement(line)
            (specifier,) = requirement.specifier
            assert specifier.operator == "==", f"requirements.txt must pin exactly: {line}"
            pins[requirement.name.lower()] = specifier.version
    return pins


def test_requirements_pin_the_course_stack():
    pins = requirement_pins()
    assert "tensorflow-cpu" not in pins and "tensorflow" in pins
    assert pins["jupyter-book"].startswith("1.")
    assert tuple(int(p) for p in pins["tensorflow"].split(".")[:2]) >= (2, 16)
    assert pins["keras"].startswith("3.")
    assert pins["ipywidgets"].startswith("8.")
    for name in ("matplotlib", "nbval", "pytest", "sphinx-exercise", "scikit-learn"):
        assert name in pins, name


def test_package_ranges_are_looser_than_the_pins_and_admit_them():
    project = tomllib.loads((course.ROOT / "pyproject.toml").read_text())["project"]
    pins = requirement_pins()
    for line in project["dependencies"]:
        requirement = Requirement(line)
        assert not any(s.operator == "==" for s in requirement.specifier), f"pin in pyproject: {line}"
        name = requirement.name.lower()
        assert name in pins, f"{name} is a dependency but requirements.txt does not pin it"
        assert requirement.specifier.contains(pins[name]), f"{line} excludes the pinned {pins[name]}"


def test_version_matches_pyproject():
    """pyproject.toml holds the version; utils reads what pip installed from it (reinstall: make setup)."""
    project = tomllib.loads((course.ROOT / "pyproject.toml").read_text())["project"]
    assert utils.__version__ == project["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", utils.__version__)
    written = [
        str(path.relative_to(course.ROOT))
        for path in (course.ROOT / "utils").rglob("*.py")
        if re.search(rf"[\"']{re.escape(project['version'])}[\"']", path.read_text(encoding="utf-8"))
    ]
    assert not written, f"the version is written in {written}: keep it in pyproject.toml only"


def test_version_without_an_installed_package_says_so(tmp_path):
    code = (
        "import importlib.metadata as metadata\n"
        "def version(name):\n"
        "    raise metadata.PackageNotFoundError(name)\n"
        "metadata.version = version\n"
        "import utils\n"
        "print(utils.__version__)"
    )
    result = run_python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "0+unknown\n"


def imported_modules(source: str) -> set[str]:
    """The top-level names of the modules that Python source imports (absolute imports, anywhere in it)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def course_sources() -> dict[str, str]:
    """The code of every source notebook (magics made Python, as IPython runs them) and of every utils module."""
    from IPython.core.inputtransformer2 import TransformerManager

    sources = {}
    for folder in course.SOURCE_FOLDERS:
        for path in sorted((course.ROOT / folder).glob("*.ipynb")):
            cells = [TransformerManager().transform_cell("".join(cell["source"])) for cell in course.code_cells(path)]
            sources[f"{folder}/{path.name}"] = "\n".join(cells)
    for path in sorted((course.ROOT / "utils").rglob("*.py")):
        sources[str(path.relative_to(course.ROOT))] = path.read_text(encoding="utf-8")
    return sources


def test_every_import_is_declared_in_requirements():
    """A module that a notebook or utils imports is in the standard library, utils itself, or pinned."""
    import importlib.metadata

    from packaging.utils import canonicalize_name

    pinned = {canonicalize_name(name) for name in requirement_pins()}
    distributions = importlib.metadata.packages_distributions()
    undeclared = {}
    for where, source in course_sources().items():
        for name in imported_modules(source) - set(sys.stdlib_module_names) - {"__future__", "utils"}:
            if not any(canonicalize_name(d) in pinned for d in distributions.get(name, [])):
                undeclared.setdefault(name, []).append(where)
    assert not undeclared, (
        f"imported but not pinned in requirements.txt: {undeclared} "
        f"(distributions: { {name: distributions.get(name) for name in undeclared} })"
    )


@pytest.mark.slow
def test_the_wheel_ships_every_module_and_script(tmp_path):
    # Colab installs a built (non-editable) package: a subpackage missing from
    # the wheel would only break there.
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(course.ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    import zipfile

    (wheel,) = tmp_path.glob("taming_gradients-*.whl")
    shipped = {name for name in zipfile.ZipFile(wheel).namelist() if name.endswith((".py", ".js"))}
    expected = {
        str(p.relative_to(course.ROOT)) for suffix in ("py", "js") for p in (course.ROOT / "utils").rglob(f"*.{suffix}")
    }  # static_explorer.js draws the book's explorers
    assert expected <= shipped, sorted(expected - shipped)
    assert not any(name.startswith(("tests/", "tools/")) for name in shipped)
