import numpy as np
import pytest

from utils import widgets


@pytest.fixture(scope="module")
def probe():
    rng = np.random.default_rng(0)
    return rng.standard_normal((64, 16)).astype("float32"), rng.integers(0, 4, 64)


def test_plot_signal_propagation_draws_one_point_per_layer(probe):
    ax = widgets.plot_signal_propagation(*probe, activation="relu", kernel_initializer="glorot_normal",
                                         num_layers=6, units=32)
    line = ax.get_lines()[0]
    assert len(line.get_xdata()) == 6
    assert ax.get_yscale() == "log"
    assert ax.get_title().startswith("relu + glorot_normal\n6 layers x 32 units")
    assert ax.get_xlabel() and ax.get_ylabel()
    # Glorot with ReLU halves the second moment per layer: the std shrinks.
    ys = line.get_ydata()
    assert ys[-1] < ys[0]


def test_plot_signal_propagation_is_deterministic(probe):
    a = widgets.plot_signal_propagation(*probe, num_layers=3, units=8, seed=1).get_lines()[0].get_ydata()
    b = widgets.plot_signal_propagation(*probe, num_layers=3, units=8, seed=1).get_lines()[0].get_ydata()
    np.testing.assert_allclose(a, b)


@pytest.mark.parametrize(
    "kwargs, message",
    [({"activation": "rleu"}, "activation must be one of"),
     ({"kernel_initializer": "xavier"}, "kernel_initializer must be one of")],
)
def test_plot_signal_propagation_rejects_unknown_names(probe, kwargs, message):
    with pytest.raises(ValueError, match=message):
        widgets.plot_signal_propagation(*probe, **kwargs)


def test_initialization_explorer_builds(probe):
    import ipywidgets

    explorer = widgets.initialization_explorer(*probe)
    assert isinstance(explorer, ipywidgets.Widget)
    descriptions = [child.description for child in explorer.children[:-1]]
    assert descriptions == ["activation", "initializer", "depth", "width"]
