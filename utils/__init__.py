"""Helpers for the Taming Gradients course.

Each module holds one concern, and notebooks import the modules they need by
name::

    from utils import setup, models, diagnostics, plotting, data, widgets

Importing :mod:`utils` itself is cheap: the submodules (and TensorFlow) load
the first time they are used.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__version__ = "0.1.0"

__all__ = ["activations", "checks", "data", "diagnostics", "initializers", "models", "plotting", "report", "setup", "training", "widgets"]


def __getattr__(name: str) -> ModuleType:
    # PEP 562: `utils.models` works after a bare `import utils`, without
    # loading TensorFlow for code that never needs it.
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
