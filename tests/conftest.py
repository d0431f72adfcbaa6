"""Shared fixtures (the Agg backend is selected in the repository's conftest.py)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from utils import setup


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
