"""Facts about the course repository that tests and tools share.

The repository URL and branch live in one place, ``_config.yml``; the
standard setup cell that opens every notebook is generated from them here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_FOLDERS = ("chapters", "labs")
SOURCE_FOLDERS = ("chapters/source", "labs/source")
SEED = 42


def load_config(root: Path = ROOT) -> dict[str, Any]:
    """Return the book's ``_config.yml`` as a dict."""
    return yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))


def load_toc(root: Path = ROOT) -> dict[str, Any]:
    """Return the book's ``_toc.yml`` as a dict."""
    return yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))


def install_target(root: Path = ROOT) -> str:
    """Return the pip requirement Colab installs: the package at the configured branch."""
    repository = load_config(root)["repository"]
    url = repository["url"].rstrip("/")
    return f"taming-gradients @ git+{url}@{repository['branch']}"


def setup_cell_source(root: Path = ROOT) -> str:
    """Return the exact source of the first code cell of every notebook.

    The install line names the repository through a variable (IPython expands ``{repository}``
    in a magic), so that no line is wider than the book's code column.
    """
    repository = load_config(root)["repository"]
    url, branch = repository["url"].rstrip("/"), repository["branch"]
    return (
        "# Standard setup: in Colab, install the course package first.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f'    repository = "{url}"\n'
        f'    %pip install --quiet "taming-gradients @ git+{{repository}}@{branch}"\n'
        "\n"
        "# This import fails if a utils.py or utils/ here hides the course's: rename it.\n"
        "from utils import setup\n"
        "\n"
        f"setup.configure(seed={SEED})"
    )


def notebook_paths(root: Path = ROOT) -> list[Path]:
    """Every course notebook under chapters/ and labs/, sorted.

    The sources (chapters/source/, labs/source/) are not course notebooks: the
    book page and the notebook generated from each are (tools/render.py).
    """
    paths: list[Path] = []
    for folder in NOTEBOOK_FOLDERS:
        paths.extend(
            p
            for p in (root / folder).rglob("*.ipynb")
            if ".ipynb_checkpoints" not in p.parts and not any(p.is_relative_to(root / s) for s in SOURCE_FOLDERS)
        )
    return sorted(paths)


def toc_files(root: Path = ROOT) -> list[str]:
    """Every ``file:`` entry of ``_toc.yml``, without extension, in order."""
    toc = load_toc(root)
    files = [toc["root"]]

    def walk(entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            for key in ("chapters", "sections", "parts"):
                walk(entry.get(key, []))

    walk(toc.get("parts", []) + toc.get("chapters", []))
    return files


def code_cells(path: Path) -> list[dict[str, Any]]:
    """Return the code cells of a notebook, read as plain JSON."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
