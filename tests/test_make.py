"""tools/make.py: the Makefile's Python check and its quieter book build."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from tools import make


@pytest.mark.parametrize(
    "version, expected",
    [((3, 10), False), ((3, 11), True), ((3, 13), True), ((3, 14), False)],
)
def test_supported_follows_the_range(version, expected):
    assert make.supported(">=3.11,<3.14", version) is expected


def test_the_running_python_passes_the_projects_check():
    assert make.supported(make.requires_python(), sys.version_info[:2])
    result = subprocess.run(
        [sys.executable, "tools/make.py", "check-python"], cwd=make.ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stderr == ""


def test_an_unsupported_python_gets_one_line(monkeypatch, capsys):
    monkeypatch.setattr(make, "requires_python", lambda: ">=3.99")
    assert make.check_python() == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the course needs Python >=3.99" in err and "PYTHON=python3.N" in err


def test_the_build_output_keeps_progress_and_warnings_only():
    lines = [
        "\x1b[01mRunning Sphinx v7.4.7\x1b[39;49;00m\n",
        "myst-nb v1.4.0: NbParserConfig(custom_formats={}, ...)\n",
        "\n",
        "\n",
        "reading sources... [ 50%] chapters/01\n",
        "chapters/01.md:3: WARNING: something\n",
        "===============================================================================\n",
        "Finished generating HTML for book.\n",
        "Your book's HTML pages are here:\n",
        "===============================================================================\n",
    ]
    kept = "".join(make.filter_build_output(lines))
    assert "NbParserConfig" not in kept and "Finished generating HTML" not in kept
    assert "reading sources" in kept and "WARNING: something" in kept and "\n\n\n" not in kept


def test_book_build_passes_the_exit_status_through():
    assert make.book_build([sys.executable, "-c", "import sys; print('x'); sys.exit(3)"]) == 3


def test_make_test_lints_first_with_the_venvs_tools():
    """`make test` runs pre-commit's hooks before pytest, with .venv/bin first on PATH."""
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", "test"], cwd=make.ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    lint = [i for i, line in enumerate(lines) if "pre-commit run --all-files" in line]
    tests = [i for i, line in enumerate(lines) if " -m pytest" in line]
    assert len(lint) == 1 and len(tests) == 1 and lint[0] < tests[0], "make test must run make lint, then pytest"
    hooks = re.fullmatch(r'PATH="(/\S+)/bin:\$PATH" (\S+)/bin/pre-commit run --all-files', lines[lint[0]])
    assert hooks, f"make lint must put the venv's bin first on PATH: {lines[lint[0]]}"
    path, venv = hooks.groups()
    assert Path(path) == make.ROOT / venv, "the hooks must find the tools of the venv that runs pre-commit"


def test_the_lint_hooks_are_local_and_call_pinned_tools():
    """pre-commit cannot fetch hook repositories here: every hook runs a tool requirements.txt pins."""
    config = yaml.safe_load((make.ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    pinned = {
        Requirement(line.split("#")[0]).name
        for line in (make.ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.split("#")[0].strip()
    }
    assert {"ruff", "nbstripout", "pre-commit"} <= pinned
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert all(repo["repo"] == "local" for repo in config["repos"])
    for hook in hooks:
        words = hook["entry"].split()
        tool = words[2] if words[:2] == ["python", "-m"] else words[0]  # `python -m numpydoc lint`: numpydoc
        assert hook["language"] == "system" and (tool in pinned or hook["entry"].startswith("python -m tools.")), hook
    assert {hook["id"] for hook in hooks} >= {"ruff-check", "ruff-format", "nbstripout", "render-check"}
