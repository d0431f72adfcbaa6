"""Plot helpers and the course's Matplotlib style.

Every ``plot_*`` function draws on ``ax`` (a new figure when it is None),
labels its axes and returns the Axes, so chapters can compose figures::

    fig, axes = plt.subplots(1, 2)
    plotting.plot_per_layer(norms, ax=axes[0], ylabel="gradient norm")
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Union

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from cycler import cycler

__all__ = [
    "COURSE_STYLE",
    "apply_style",
    "plot_activation_functions",
    "plot_activation_histograms",
    "plot_history",
    "plot_per_layer",
]

#: Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE: tuple[str, ...] = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
)

#: The course look, applied by :func:`apply_style` (and so by ``setup.configure``).
COURSE_STYLE: Mapping[str, Any] = MappingProxyType({
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "figure.constrained_layout.use": True,
    "axes.grid": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "axes.prop_cycle": cycler(color=PALETTE),
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "legend.fontsize": 9,
    "lines.linewidth": 1.8,
    "lines.markersize": 4,
    "image.cmap": "viridis",
})

ActivationLike = Union[str, Callable[..., Any]]


def apply_style() -> None:
    """Apply :data:`COURSE_STYLE` to Matplotlib's global settings."""
    mpl.rcParams.update(COURSE_STYLE)


def _axes(ax: plt.Axes | None) -> plt.Axes:
    if ax is None:
        _, ax = plt.subplots()
    elif not isinstance(ax, mpl.axes.Axes):
        raise ValueError(f"ax must be a matplotlib Axes or None; got {type(ax).__name__}")
    return ax


def _series(values: Any, parameter: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{parameter} must be a 1-D sequence of numbers; got {type(values).__name__}") from None
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{parameter} must be a non-empty 1-D sequence of numbers; got shape {array.shape}")
    return array


def plot_per_layer(
    values: Sequence[float] | np.ndarray | Mapping[str, Sequence[float]],
    ax: plt.Axes | None = None,
    *,
    ylabel: str = "value",
    label: str | None = None,
    log_scale: bool = True,
    title: str | None = None,
) -> plt.Axes:
    """Plot one value per hidden layer, layer 1 (next to the input) on the left.

    Parameters
    ----------
    values : 1-D array-like, or mapping of label to 1-D array-like
        For example the output of :func:`utils.diagnostics.gradient_norms`. A
        mapping draws one labelled line per entry.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    ylabel : str
        The quantity, for example ``"gradient norm"``.
    label : str, optional
        Legend label for a single series.
    log_scale : bool
        Use a logarithmic y axis, for values that span decades. Values <= 0
        are not drawn on a log axis.
    title : str, optional
        The Axes title.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_per_layer({"sigmoid": [1e-4, 1e-2, 1.0]}, ylabel="gradient norm")
    >>> ax.get_xlabel()
    'hidden layer (input → output)'
    """
    ax = _axes(ax)
    series = dict(values) if isinstance(values, Mapping) else {label: values}
    if not series:
        raise ValueError("values must not be an empty mapping")
    for name, ys in series.items():
        ys = _series(ys, "values")
        ax.plot(np.arange(1, ys.size + 1), ys, marker="o", label=name)
    if log_scale:
        ax.set_yscale("log")
    ax.set_xlabel("hidden layer (input → output)")
    ax.set_ylabel(ylabel)
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    if title:
        ax.set_title(title)
    if any(name is not None for name in series):
        ax.legend()
    return ax


def _activation_function(activation: ActivationLike) -> tuple[str, Callable[..., Any]]:
    from utils._tensorflow import keras

    if isinstance(activation, str):
        try:
            return activation, keras.activations.get(activation)
        except ValueError:
            raise ValueError(
                f"activations must hold Keras activation names or callables; got {activation!r}"
            ) from None
    if callable(activation):
        name = getattr(activation, "__name__", None) or getattr(activation, "name", None)
        return str(name or type(activation).__name__), activation
    raise ValueError(
        f"activations must hold Keras activation names or callables; got {type(activation).__name__}"
    )


def plot_activation_functions(
    activations: Sequence[ActivationLike] | Mapping[str, ActivationLike],
    ax: plt.Axes | None = None,
    *,
    z: Sequence[float] | np.ndarray | None = None,
    title: str | None = "Activation functions (solid) and their derivatives (dashed)",
) -> plt.Axes:
    """Plot each activation function (solid) with its derivative (dashed, same colour).

    Derivatives come from automatic differentiation, the same way training
    computes them.

    Parameters
    ----------
    activations : sequence or mapping
        Keras activation names (``"sigmoid"``), functions of a tensor, or layers
        (``keras.layers.LeakyReLU(negative_slope=0.2)``). A mapping supplies the
        legend labels.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    z : 1-D array-like, optional
        Pre-activation values; default 401 points in [-5, 5].
    title : str or None
        The Axes title.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_activation_functions(["sigmoid", "relu"])
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['sigmoid', 'sigmoid′', 'relu', 'relu′']
    """
    from utils._tensorflow import tf

    ax = _axes(ax)
    items = activations.items() if isinstance(activations, Mapping) else [(None, a) for a in activations]
    items = list(items)
    if not items:
        raise ValueError("activations must name at least one activation")
    z = _series(np.linspace(-5.0, 5.0, 401) if z is None else z, "z")
    z_tensor = tf.constant(z, dtype=tf.float32)
    for (label, activation), color in zip(items, mpl.rcParams["axes.prop_cycle"].by_key()["color"] * 4):
        name, function = _activation_function(activation)
        with tf.GradientTape() as tape:
            tape.watch(z_tensor)
            values = function(z_tensor)
        derivative = tape.gradient(values, z_tensor)
        label = label or name
        ax.plot(z, np.asarray(values), color=color, label=label)
        ax.plot(z, np.asarray(derivative), color=color, linestyle="--", linewidth=1.2,
                label=f"{label}′")
    ax.axhline(0, color="0.5", linewidth=0.6)
    ax.axvline(0, color="0.5", linewidth=0.6)
    ax.set_xlabel("pre-activation $z$")
    ax.set_ylabel("$f(z)$ and $f'(z)$")
    if title:
        ax.set_title(title)
    ax.legend(ncol=2)
    return ax


def plot_activation_histograms(
    outputs: Sequence[Any],
    ax: plt.Axes | None = None,
    *,
    layer_names: Sequence[str] | None = None,
    bins: int = 60,
    value_range: tuple[float, float] | None = None,
    title: str | None = None,
) -> plt.Axes:
    """Overlay the distribution of each layer's outputs, as in Glorot & Bengio (2010).

    Parameters
    ----------
    outputs : sequence of array-like
        One array per layer, for example from :func:`utils.diagnostics.layer_outputs`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    layer_names : sequence of str, optional
        Legend labels; default ``layer 1``, ``layer 2``, ...
    bins : int
        Number of histogram bins (>= 2).
    value_range : (float, float), optional
        The x range; default the range of all outputs.
    title : str, optional
        The Axes title.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_activation_histograms([np.random.rand(100, 8), np.random.rand(100, 8)])
    >>> ax.get_ylabel()
    'density'
    """
    ax = _axes(ax)
    arrays = [np.asarray(o, dtype=float).ravel() for o in outputs]
    if not arrays or any(a.size == 0 for a in arrays):
        raise ValueError("outputs must be a non-empty sequence of non-empty arrays")
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 2:
        raise ValueError(f"bins must be an integer >= 2; got {bins!r}")
    names = list(layer_names) if layer_names is not None else [f"layer {i}" for i in range(1, len(arrays) + 1)]
    if len(names) != len(arrays):
        raise ValueError(f"layer_names must have one name per output ({len(arrays)}); got {len(names)}")
    if value_range is None:
        finite = np.concatenate([a[np.isfinite(a)] for a in arrays])
        value_range = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if value_range[0] == value_range[1]:
            value_range = (value_range[0] - 0.5, value_range[1] + 0.5)
    colors = plt.get_cmap("viridis")(np.linspace(0.0, 0.9, len(arrays)))
    for values, name, color in zip(arrays, names, colors):
        ax.hist(values, bins=bins, range=value_range, density=True, histtype="step",
                color=color, linewidth=1.5, label=name)
    ax.set_xlabel("activation value")
    ax.set_ylabel("density")
    if title:
        ax.set_title(title)
    ax.legend()
    return ax


def plot_history(
    history: Any,
    metric: str = "loss",
    ax: plt.Axes | None = None,
    *,
    label: str | None = None,
    log_scale: bool = False,
    title: str | None = None,
) -> plt.Axes:
    """Plot a training curve and, when recorded, its validation curve (dashed).

    Parameters
    ----------
    history : keras.callbacks.History or mapping
        What ``model.fit`` returns, or its ``.history`` dict.
    metric : str
        The metric to plot, for example ``"loss"`` or ``"accuracy"``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    label : str, optional
        A prefix for the legend, to compare several runs on one Axes.
    log_scale : bool
        Use a logarithmic y axis.
    title : str, optional
        The Axes title.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_history({"loss": [2.0, 1.0, 0.5], "val_loss": [2.1, 1.2, 0.9]})
    >>> [line.get_label() for line in ax.get_lines()]
    ['train', 'validation']
    """
    record = getattr(history, "history", history)
    if not isinstance(record, Mapping):
        raise ValueError(
            f"history must be a keras History or a mapping of metric to values; got {type(history).__name__}"
        )
    if metric not in record:
        raise ValueError(f"metric must be one of {sorted(record)}; got {metric!r}")
    ax = _axes(ax)
    train = _series(record[metric], f"history[{metric!r}]")
    line, = ax.plot(np.arange(1, train.size + 1), train,
                    label=f"{label} (train)" if label else "train")
    if f"val_{metric}" in record:
        val = _series(record[f"val_{metric}"], f"history['val_{metric}']")
        ax.plot(np.arange(1, val.size + 1), val, linestyle="--", color=line.get_color(),
                label="validation" if not label else f"{label} (validation)")
    if log_scale:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    if title:
        ax.set_title(title)
    ax.legend()
    return ax
