"""Sphinx extension: the book's execution treats a false claim as an error.

The notebooks state, with :func:`utils.report.claim`, what their text says about a
measured value. In a learner's Jupyter a false claim prints one line; in the book
build it must stop the page, so that a text that no longer matches its measurements
is never published. Kernels inherit the build's environment, so setting
``TAMING_GRADIENTS_STRICT=1`` here makes every claim raise (``-W`` then fails the
build on the cell error).
"""

from __future__ import annotations

import os
from typing import Any

from sphinx.application import Sphinx

from utils import report


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension: set the strict environment before any notebook executes."""
    os.environ[report.STRICT_ENVIRONMENT] = "1"
    return {"parallel_read_safe": True, "parallel_write_safe": True}
