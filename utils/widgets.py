"""Interactive explorers: thin ipywidgets controls over pure functions.

Each explorer only reads its controls and calls a pure function that draws
the figure; tests call that function directly. In the book, put a static
figure of the explorer's default setting beside it: without a kernel, moving
a control cannot recompute anything.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from utils import diagnostics, plotting

__all__ = [
    "GRADIENT_EXPLORER_ACTIVATIONS",
    "GRADIENT_EXPLORER_WEIGHT_STDS",
    "INITIALIZATION_EXPLORER_ACTIVATIONS",
    "INITIALIZATION_EXPLORER_INITIALIZERS",
    "gradient_norm_explorer",
    "initialization_explorer",
    "plot_gradient_norm_profile",
    "plot_signal_propagation",
]

#: The activations the gradient-norm explorer offers.
GRADIENT_EXPLORER_ACTIVATIONS: tuple[str, ...] = ("linear", "sigmoid", "tanh", "relu")

#: The weight standard deviations the explorer offers, as (label, value).
#: With 64 inputs per layer, 1/√64 = 0.125 (LeCun) and √2/√64 ≈ 0.177 (He)
#: are the scales that keep a tanh or a ReLU network's gradients level.
GRADIENT_EXPLORER_WEIGHT_STDS: tuple[tuple[str, float], ...] = (
    ("0.01", 0.01), ("0.03", 0.03), ("0.06", 0.06), ("0.1", 0.1),
    ("0.125 = 1/√64", 0.125), ("0.177 = √2/√64", 2**0.5 / 8), ("0.25", 0.25),
    ("0.5", 0.5), ("1", 1.0), ("2", 2.0),
)


def plot_gradient_norm_profile(
    num_layers: int,
    weight_std: float,
    activation: str,
    x: Any,
    y: Any,
    ax: plt.Axes | None = None,
    *,
    seed: int = 0,
) -> plt.Axes:
    """Plot the per-layer gradient norms of a fresh MLP with N(0, weight_std²) weights.

    The norms come from :func:`utils.diagnostics.gradient_norms_at_init`
    (64 units per layer). The figure notes the ratio between the first and
    the last hidden layer and the average factor per layer. Layers whose
    norm is exactly 0 (float32 underflow) or not finite (overflow) cannot be
    drawn on a log axis; the figure says how many there are.

    Parameters
    ----------
    num_layers : int
        Number of hidden layers (>= 1).
    weight_std : float
        Standard deviation of every initial weight (> 0).
    activation : str
        A Keras activation name, such as ``"tanh"``.
    x : array-like, shape (examples, features)
        The batch, for example 256 digits images.
    y : array-like, shape (examples,)
        Its class labels (0 to 9).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    seed : int
        Seed of the weight initializer.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_gradient_norm_profile(5, 0.125, "tanh", np.ones((8, 64)), np.zeros(8))
    >>> ax.get_yscale()
    'log'
    """
    norms = diagnostics.gradient_norms_at_init(num_layers, weight_std, activation, x, y, seed=seed)
    drawable = np.isfinite(norms) & (norms > 0)
    ax = plotting.plot_per_layer(
        np.where(drawable, norms, np.nan), ax=ax, ylabel="gradient norm (log scale)",
        title=f"{activation}, {num_layers} layers, weights N(0, {weight_std:.3g}²)",
    )
    notes = []
    if drawable[0] and drawable[-1]:
        ratio = norms[0] / norms[-1]
        notes.append(f"first / last layer: {ratio:.1e}")
        if num_layers > 1:
            notes.append(f"per layer: ×{ratio ** (1 / (num_layers - 1)):.2f}")
    zeros, overflows = int(np.sum(norms == 0)), int(np.sum(~np.isfinite(norms)))
    if zeros:
        notes.append(f"{zeros} layer(s) at exactly 0 (underflow), not drawn")
    if overflows:
        notes.append(f"{overflows} layer(s) inf or NaN (overflow), not drawn")
    if drawable.any():
        # At least two decades, so that a level profile looks level.
        low, high = np.min(norms[drawable]), np.max(norms[drawable])
        middle = np.sqrt(low * high)
        ax.set_ylim(min(low / 2, middle / 10), max(high * 2, middle * 10))
    ax.text(0.02, 0.03, "\n".join(notes), transform=ax.transAxes, fontsize=9,
            verticalalignment="bottom", bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"})
    return ax


def gradient_norm_explorer(
    x: Any,
    y: Any,
    *,
    num_layers: int = 20,
    weight_std: float = 0.125,
    activation: str = "tanh",
    seed: int = 0,
) -> Any:
    """Sliders for depth, weight scale and activation over the per-layer gradient-norm plot.

    Every change redraws :func:`plot_gradient_norm_profile` for the new
    setting; the explorer itself computes nothing.

    Parameters
    ----------
    x : array-like, shape (examples, features)
        The batch.
    y : array-like, shape (examples,)
        Its class labels.
    num_layers : int
        Initial depth, in [2, 40].
    weight_std : float
        Initial weight standard deviation, one of the values of
        :data:`GRADIENT_EXPLORER_WEIGHT_STDS`.
    activation : str
        Initial activation, one of :data:`GRADIENT_EXPLORER_ACTIVATIONS`.
    seed : int
        Seed of the weight initializer.

    Returns
    -------
    ipywidgets.VBox
        The controls above the figure. Display it as a cell's last value.
    """
    import ipywidgets
    from IPython.display import display

    stds = dict((value, label) for label, value in GRADIENT_EXPLORER_WEIGHT_STDS)
    if isinstance(num_layers, bool) or not isinstance(num_layers, int) or not 2 <= num_layers <= 40:
        raise ValueError(f"num_layers must be an integer in [2, 40]; got {num_layers!r}")
    if weight_std not in stds:
        raise ValueError(
            f"weight_std must be one of {', '.join(f'{v:.3g}' for v in stds)}; got {weight_std!r}"
        )
    if activation not in GRADIENT_EXPLORER_ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {', '.join(map(repr, GRADIENT_EXPLORER_ACTIVATIONS))}; got {activation!r}"
        )
    style = {"description_width": "initial"}
    depth = ipywidgets.IntSlider(value=num_layers, min=2, max=40, description="hidden layers", style=style)
    scale = ipywidgets.SelectionSlider(
        options=[(label, value) for label, value in GRADIENT_EXPLORER_WEIGHT_STDS], value=weight_std,
        description="weight std σ", style=style, layout={"width": "420px"},
    )
    function = ipywidgets.Dropdown(options=GRADIENT_EXPLORER_ACTIVATIONS, value=activation,
                                   description="activation", style=style)
    output = ipywidgets.Output()

    def redraw(change: Any = None) -> None:
        with output:
            output.clear_output(wait=True)
            fig, ax = plt.subplots()
            plot_gradient_norm_profile(depth.value, scale.value, function.value, x, y, ax=ax, seed=seed)
            display(fig)
            plt.close(fig)

    for control in (depth, scale, function):
        control.observe(redraw, names="value")
    redraw()
    return ipywidgets.VBox([ipywidgets.HBox([depth, scale, function]), output])


#: The activations offered by :func:`initialization_explorer`.
INITIALIZATION_EXPLORER_ACTIVATIONS: tuple[str, ...] = ("tanh", "sigmoid", "relu", "selu")

#: The initializers offered by :func:`initialization_explorer` (Keras names).
INITIALIZATION_EXPLORER_INITIALIZERS: tuple[str, ...] = (
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
        One of :data:`INITIALIZATION_EXPLORER_ACTIVATIONS`.
    kernel_initializer : str
        One of :data:`INITIALIZATION_EXPLORER_INITIALIZERS`.
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

    if activation not in INITIALIZATION_EXPLORER_ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {', '.join(map(repr, INITIALIZATION_EXPLORER_ACTIVATIONS))}; got {activation!r}"
        )
    if kernel_initializer not in INITIALIZATION_EXPLORER_INITIALIZERS:
        raise ValueError(
            f"kernel_initializer must be one of {', '.join(map(repr, INITIALIZATION_EXPLORER_INITIALIZERS))}; "
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
        activation=ipywidgets.Dropdown(options=INITIALIZATION_EXPLORER_ACTIVATIONS, value="relu",
                                       description="activation"),
        kernel_initializer=ipywidgets.Dropdown(options=INITIALIZATION_EXPLORER_INITIALIZERS, value="glorot_normal",
                                               description="initializer"),
        num_layers=ipywidgets.IntSlider(value=30, min=2, max=50, step=1, description="depth",
                                        continuous_update=False),
        units=ipywidgets.IntSlider(value=100, min=8, max=256, step=8, description="width",
                                   continuous_update=False),
    )
