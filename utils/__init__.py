"""Helpers for the Taming Gradients course.

Each module holds one concern, and notebooks import the modules they need by
name::

    from utils import setup, models, diagnostics, experiments, plotting, widgets

The layers and where a new chapter's code goes are in ARCHITECTURE.md.

Importing :mod:`utils` itself is cheap: the submodules (and TensorFlow) load
the first time they are used.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from types import ModuleType

# The version lives in pyproject.toml only; pip records it with the installed package.
try:
    __version__ = importlib.metadata.version("taming-gradients")
except importlib.metadata.PackageNotFoundError:  # a copy of utils/ that pip did not install
    __version__ = "0+unknown"

__all__ = [
    "activations",
    "checks",
    "data",
    "diagnostics",
    "experiments",
    "initializers",
    "models",
    "plotting",
    "report",
    "setup",
    "static_explorer",
    "training",
    "vocabulary",
    "widgets",
]


def __getattr__(name: str) -> ModuleType:
    # PEP 562: `utils.models` works after a bare `import utils`, without
    # loading TensorFlow for code that never needs it.
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
