"""The notebook setup helper: seeds, quiet TensorFlow, the course plot style.

Every chapter and lab starts with the same cell, which ends with::

    from utils import setup
    setup.configure(seed=42)
"""

from __future__ import annotations

import os
import platform
import random
import sys

import numpy as np

from utils import _validation

DEFAULT_SEED = 42
# For the authors' robustness runs (tools/robustness.py): every seed given to set_seed
# is shifted by this many, so a whole notebook reruns with other seeds, unedited.
SEED_OFFSET_ENVIRONMENT = "TAMING_GRADIENTS_SEED_OFFSET"

__all__ = ["DEFAULT_SEED", "SEED_OFFSET_ENVIRONMENT", "check_package", "configure", "in_colab", "set_seed", "versions"]


def in_colab() -> bool:
    """Return True when running in Google Colab.

    Colab imports ``google.colab`` when it starts a kernel, so the check costs
    nothing and needs no network.

    Examples
    --------
    >>> in_colab()
    False
    """
    return "google.colab" in sys.modules


def _seed_offset() -> int:
    value = os.environ.get(SEED_OFFSET_ENVIRONMENT, "0")
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{SEED_OFFSET_ENVIRONMENT} must be an integer; got {value!r}") from None


def _effective_seed(seed: int) -> int:
    return (_validation.check_seed(seed) + _seed_offset()) % 2**31


def set_seed(seed: int = DEFAULT_SEED) -> None:
    """Seed Python's ``random``, NumPy and Keras (and so TensorFlow).

    Call it again before each experiment that should not depend on what ran
    before it in the notebook. When ``TAMING_GRADIENTS_SEED_OFFSET`` is set (only
    the authors' robustness runs set it), the seed used is ``seed`` plus that
    offset, modulo 2**31.

    Parameters
    ----------
    seed : int
        A non-negative integer.

    Examples
    --------
    >>> set_seed(0); a = np.random.rand()
    >>> set_seed(0); b = np.random.rand()
    >>> a == b
    True
    """
    seed = _effective_seed(seed)
    from utils._tensorflow import keras

    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)


def check_package() -> None:
    """Check that ``import utils`` finds the course's package, and say how to fix it if not.

    PyPI has an unrelated distribution called ``utils``; installed after the course,
    it overwrites ``utils/__init__.py``, and the course's modules then import from a
    package that is not theirs. (A ``utils.py`` or ``utils/`` in the working folder
    hides the package before this module can load; the setup cell's comment names
    that fix.)

    Raises
    ------
    ImportError
        If the imported ``utils`` package is not the course's, with the fix.

    Examples
    --------
    >>> check_package()
    """
    package = sys.modules.get("utils")
    if package is not None and "setup" in getattr(package, "__all__", ()):
        return
    where = getattr(package, "__file__", None) or "an unknown place"
    raise ImportError(
        f"the `utils` imported from {where} is not the course's package (PyPI's `utils` "
        "installed over it?): run `pip uninstall -y utils`, reinstall the course package "
        "and restart the kernel"
    )


def versions() -> dict[str, str]:
    """Return the versions of Python and the libraries the course relies on."""
    import matplotlib

    from utils._tensorflow import keras, tf

    return {
        "Python": platform.python_version(),
        "TensorFlow": tf.__version__,
        "Keras": keras.__version__,
        "NumPy": np.__version__,
        "Matplotlib": matplotlib.__version__,
    }


def configure(seed: int = DEFAULT_SEED, *, style: bool = True, verbose: bool = True) -> None:
    """Prepare a notebook: quiet TensorFlow, seed everything, apply the plot style.

    Parameters
    ----------
    seed : int
        The seed for Python, NumPy and Keras.
    style : bool
        Apply the course's Matplotlib style (see :mod:`utils.plotting`) and, in
        Jupyter, show figures as PNGs that record their smallest text size.
    verbose : bool
        Print the versions in one short line.

    Examples
    --------
    >>> configure(seed=0, verbose=False)
    """
    seed = _validation.check_seed(seed)
    check_package()
    # Importing utils._tensorflow sets TF_CPP_MIN_LOG_LEVEL=2 and
    # TF_ENABLE_ONEDNN_OPTS=0 first, then loads TensorFlow with its native
    # log lines discarded.
    import utils._tensorflow  # noqa: F401

    set_seed(seed)
    if style:
        from utils import plotting

        plotting.apply_style()
        plotting.register_inline_png()  # inline figures record their smallest text size
    if verbose:
        shown = ("TensorFlow", "Keras", "NumPy", "Python")
        parts = [f"{name} {version}" for name, version in versions().items() if name in shown]
        offset = _seed_offset()
        parts.append(f"seed {seed}" + (f" (shifted to {_effective_seed(seed)})" if offset else ""))
        if in_colab():
            parts.append("Colab")
        print(" | ".join(parts))
