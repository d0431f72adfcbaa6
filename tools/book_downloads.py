"""Sphinx extension: every download a learner can take from the book is the learner's version.

The book shows each chapter and lab from its MyST page (``<folder>/<name>.md``), and
its download button offers that page's source and the notebook MyST-NB executed
from it. Both would hand a learner the wrong file: a lab's page holds the worked
solutions, and a chapter's notebook carries MyST roles that Jupyter and Colab show
raw. At the end of the build this extension replaces them, under ``_sources/``, with
what the launch buttons open:

* ``<name>.ipynb``: the generated notebook (``<folder>/<name>.ipynb``, stubs in a lab,
  plain Markdown everywhere; see :mod:`tools.render`);
* ``<name>.md`` of a lab: the same notebook as MyST Markdown, stubs and all.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import nbformat
from sphinx.application import Sphinx

from tools import render


def replace_downloads(srcdir: Path, outdir: Path) -> list[Path]:
    """Replace the built book's page downloads with the learner's files; return the files written."""
    written = []
    for kind, source_path in render.sources(srcdir):
        name = source_path.stem
        sources = outdir / "_sources" / kind
        if not (sources / f"{name}.md").exists():
            continue  # the page is not in this build
        shutil.copyfile(srcdir / kind / f"{name}.ipynb", sources / f"{name}.ipynb")
        written.append(sources / f"{name}.ipynb")
        if kind == "labs":
            source = nbformat.read(source_path, as_version=4)
            (sources / f"{name}.md").write_text(render.learner_page(source, name, kind=kind), encoding="utf-8")
            written.append(sources / f"{name}.md")
    return written


def _replace(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.name == "html":
        replace_downloads(Path(app.srcdir), Path(app.outdir))


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension."""
    app.connect("build-finished", _replace, priority=900)  # after MyST-NB writes the executed notebooks
    return {"parallel_read_safe": True, "parallel_write_safe": True}
