"""Shared fixtures. Unit tests draw figures off-screen.

The Agg backend is selected here, in the test process only: notebooks run in
their own kernels and keep the inline backend (an MPLBACKEND environment
variable would leak into them and empty their figures).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils import setup  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def seeded():
    """Seed Python, NumPy and Keras with 0 for one test."""
    setup.set_seed(0)


@pytest.fixture(scope="session")
def batch():
    """A fixed batch of 256 standard-normal inputs (64 features) and labels in 0-9."""
    rng = np.random.default_rng(0)
    return rng.standard_normal((256, 64)).astype("float32"), rng.integers(0, 10, 256)
