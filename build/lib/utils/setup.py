"""The notebook setup helper: seeds, quiet TensorFlow, the course plot style.

Every chapter and lab starts with the same cell, which ends with::

    from utils import setup
    setup.configure(seed=42)
"""

from __future__ import annotations

import platform
import random
import sys

import numpy as np

DEFAULT_SEED = 42

__all__ = ["DEFAULT_SEED", "configure", "in_colab", "set_seed", "versions"]


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


def _check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}")
    return int(seed)


def set_seed(seed: int = DEFAULT_SEED) -> None:
    """Seed Python's ``random``, NumPy and Keras (and so TensorFlow).

    Call it again before each experiment that should not depend on what ran
    before it in the notebook.

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
    seed = _check_seed(seed)
    from utils._tensorflow import keras

    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)


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
        Apply the course's Matplotlib style (see :mod:`utils.plotting`).
    verbose : bool
        Print the versions in one short line.

    Examples
    --------
    >>> configure(seed=0, verbose=False)
    """
    seed = _check_seed(seed)
    # Importing utils._tensorflow sets TF_CPP_MIN_LOG_LEVEL=2 and
    # TF_ENABLE_ONEDNN_OPTS=0 first, then loads TensorFlow with its native
    # log lines discarded.
    import utils._tensorflow  # noqa: F401

    set_seed(seed)
    if style:
        from utils import plotting

        plotting.apply_style()
    if verbose:
        shown = ("TensorFlow", "Keras", "NumPy", "Python")
        parts = [f"{name} {version}" for name, version in versions().items() if name in shown]
        parts.append(f"seed {seed}")
        if in_colab():
            parts.append("Colab")
        print(" | ".join(parts))
