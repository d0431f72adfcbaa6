"""Interactive explorers for the notebooks.

Each widget is a thin wrapper: it only collects values from sliders and menus
and passes them to a pure ``plot_*`` function of this module, which the tests
call directly and the book uses for the static figure beside the widget (the
HTML book has no kernel to redraw a widget).
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "EXPLORER_ACTIVATIONS",
    "EXPLORER_INITIALIZERS",
    "initialization_explorer",
    "plot_signal_propagation",
]

#: The activations offered by :func:`initialization_explorer`.
EXPLORER_ACTIVATIONS: tuple[str, ...] = ("tanh", "sigmoid", "relu", "selu")

#: The initializers offered by :func:`initialization_explorer` (Keras names).
EXPLORER_INITIALIZERS: tuple[str, ...] = (
    "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "lecun_normal", "lecun_uniform",
)


def plot_signal_propagation(
    x: Any,
    y: Any,
    *,
    activation: str = "relu",
    kernel_initializer: str = "he_normal",
    num_layers: int = 30,
    units: int = 100,
    seed: int = 0,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Draw the per-layer activation std of a freshly initialized MLP.

    The measurement is :func:`utils.diagnostics.compute_signal_propagation`;
    the title gives the configuration and the std of the last hidden layer.
    A dotted line marks the std of the inputs ``x``.

    Parameters
    ----------
    x : array-like, shape (examples, features)
        The inputs, for example 256 standardized digits.
    y : array-like, shape (examples,)
        Class indices.
    activation : str
        One of :data:`EXPLORER_ACTIVATIONS`.
    kernel_initializer : str
        One of :data:`EXPLORER_INITIALIZERS`.
    num_layers : int
        Number of hidden layers (>= 1).
    units : int
        Units per hidden layer (>= 1).
    seed : int
        Seed of the kernels.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> ax = plot_signal_propagation(rng.standard_normal((32, 8)), rng.integers(0, 3, 32),
    ...                              num_layers=3, units=8)
    >>> ax.get_ylabel()
    'activation std (log scale)'
    """
    from utils import diagnostics, plotting

    if activation not in EXPLORER_ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {', '.join(map(repr, EXPLORER_ACTIVATIONS))}; got {activation!r}"
        )
    if kernel_initializer not in EXPLORER_INITIALIZERS:
        raise ValueError(
            f"kernel_initializer must be one of {', '.join(map(repr, EXPLORER_INITIALIZERS))}; "
            f"got {kernel_initializer!r}"
        )
    result = diagnostics.compute_signal_propagation(
        x, y, activation=activation, kernel_initializer=kernel_initializer,
        num_layers=num_layers, units=units, seed=seed,
    )
    ax = plotting.plot_per_layer(
        result.activation_std, ax=ax, ylabel="activation std (log scale)",
        label=f"{activation}, {kernel_initializer}",
        title=f"{activation} + {kernel_initializer}\n{num_layers} layers x {units} units: "
              f"last std {result.activation_std[-1]:.2g}",
    )
    ax.axhline(float(np.std(np.asarray(x, dtype=float))), color="0.4", linestyle=":",
               linewidth=1.2, label="input std")
    ax.legend()
    return ax


def initialization_explorer(x: Any, y: Any) -> Any:
    """Menus and sliders for activation, initializer, depth and width.

    Each change redraws :func:`plot_signal_propagation` for a new network.
    It needs a running kernel; the book shows a static figure beside it.

    Parameters
    ----------
    x : array-like, shape (examples, features)
        The inputs the networks are probed with.
    y : array-like, shape (examples,)
        Class indices.

    Returns
    -------
    ipywidgets.Widget
        The explorer; display it as the last line of a cell.
    """
    import ipywidgets

    def draw(activation: str, kernel_initializer: str, num_layers: int, units: int) -> None:
        _, ax = plt.subplots(figsize=(6.4, 3.6))
        plot_signal_propagation(x, y, activation=activation, kernel_initializer=kernel_initializer,
                                num_layers=num_layers, units=units, ax=ax)
        plt.show()

    return ipywidgets.interactive(
        draw,
        activation=ipywidgets.Dropdown(options=EXPLORER_ACTIVATIONS, value="relu",
                                       description="activation"),
        kernel_initializer=ipywidgets.Dropdown(options=EXPLORER_INITIALIZERS, value="glorot_normal",
                                               description="initializer"),
        num_layers=ipywidgets.IntSlider(value=30, min=2, max=50, step=1, description="depth",
                                        continuous_update=False),
        units=ipywidgets.IntSlider(value=100, min=8, max=256, step=8, description="width",
                                   continuous_update=False),
    )
