"""Sphinx extension: a change to the course package or its pinned environment re-executes the book.

MyST-NB's execution cache (jupyter-cache) keys each notebook by its code cells
only, and Sphinx re-reads a page only when its source changed. Every notebook
imports ``utils``, so a change to what ``utils`` computes or prints, or to the
pinned versions, left the book showing outputs of the old code ("0 source files
out of date"), also in CI when only an older cache was restored.

This extension hashes the course's inputs (``utils/**/*.py``, ``requirements.txt``
and ``pyproject.toml``; the ``course_inputs`` setting lists them) and

* gives the hash to Sphinx as the config value ``course_inputs_hash``, which is
  registered with ``rebuild="env"``: when it changes, Sphinx re-reads every page;
* at ``builder-inited``, after MyST-NB has set up its cache, compares the hash with
  the stamp ``course-inputs.sha256`` in the cache folder and, when they differ,
  empties the cache, so that every notebook executes again.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

DEFAULT_INPUTS = ["utils/**/*.py", "requirements.txt", "pyproject.toml"]
STAMP = "course-inputs.sha256"


def inputs_hash(root: Path, patterns: list[str]) -> str:
    """SHA-256 over the paths and contents of every file the patterns match under ``root``."""
    digest = hashlib.sha256()
    files = sorted({path for pattern in patterns for path in root.glob(pattern) if path.is_file()})
    for path in files:
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def refresh_cache(cache: Path, digest: str) -> bool:
    """Empty ``cache`` unless its stamp says it was filled with inputs of this hash; return True if emptied."""
    stamp = cache / STAMP
    if stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == digest:
        return False
    emptied = cache.exists()
    if emptied:
        shutil.rmtree(cache)
    cache.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest + "\n", encoding="utf-8")
    return emptied


def _hash_inputs(app: Sphinx, config: Config) -> None:
    config.course_inputs_hash = inputs_hash(Path(app.srcdir), list(config.course_inputs))


def _refresh(app: Sphinx) -> None:
    cache = Path(app.env.mystnb_config.execution_cache_path)
    if refresh_cache(cache, app.config.course_inputs_hash):
        logger.info("utils/ or the pinned environment changed: every notebook executes again")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension."""
    app.add_config_value("course_inputs", DEFAULT_INPUTS, "env")
    app.add_config_value("course_inputs_hash", "", "env")
    app.connect("config-inited", _hash_inputs)
    app.connect("builder-inited", _refresh, priority=900)  # after MyST-NB's own (500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
