"""Plotting: every figure of the course, and its Matplotlib style.

Every ``plot_*`` function has one contract: the data first, then keyword-only
settings ending with ``ax=None`` and ``**style``. It draws on ``ax`` (a new
figure when it is None), labels its axes and returns the Axes; ``**style``
goes to the Matplotlib call that draws the data (``color``, ``linestyle``,
``label``, ...), so chapters restyle through the call, not by editing the
returned lines::

    fig, axes = plt.subplots(1, 2)
    plotting.plot_per_layer(norms, ax=axes[0], ylabel="gradient norm", color="C1")

A plot of several panels (:func:`plot_activation_profile`) takes a sequence
of Axes as ``ax`` and returns them. The functions compute nothing beyond
what they draw: the measurements come from :mod:`utils.diagnostics` and
:mod:`utils.experiments`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from cycler import cycler

from utils import _validation

__all__ = [
    "COURSE_STYLE",
    "MARKERS",
    "MIN_TEXT_KEY",
    "PALETTE",
    "apply_style",
    "display_figure",
    "figure_html",
    "figure_png",
    "gradient_norm_notes",
    "min_text_px",
    "plot_activation_functions",
    "plot_activation_histograms",
    "plot_activation_profile",
    "plot_gradient_norm_profile",
    "plot_history",
    "plot_per_layer",
    "plot_signal_propagation",
    "register_inline_png",
]

#: Okabe-Ito colours: distinguishable with the common colour-vision deficiencies. Their yellow
#: (#F0E442) is left out: too light to read as a line on white.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
)

#: Marker shapes that tell apart lines which overlap or share a colour, in the order of the palette.
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*", "h")

#: The course look, applied by :func:`apply_style` (and so by ``setup.configure``).
COURSE_STYLE: Mapping[str, Any] = MappingProxyType(
    {
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
    }
)

ActivationLike = str | Callable[..., Any]

#: The PNG text chunk in which every course figure records its smallest text, in image pixels.
#: The browser test (tools/figures.py) reads it to check the text as the page shows it.
MIN_TEXT_KEY = "taming-gradients:min-text-px"


def apply_style() -> None:
    """Apply :data:`COURSE_STYLE` to Matplotlib's global settings."""
    mpl.rcParams.update(COURSE_STYLE)


def _axes(ax: plt.Axes | None) -> plt.Axes:
    if ax is None:
        _, ax = plt.subplots()
    return _validation.check_instance(ax, "ax", mpl.axes.Axes, "a matplotlib Axes or None")


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
    *,
    ylabel: str = "value",
    label: str | None = None,
    log_scale: bool = True,
    title: str | None = None,
    ax: plt.Axes | None = None,
    **style: Any,
) -> plt.Axes:
    """Plot one value per hidden layer, layer 1 (next to the input) on the left.

    Parameters
    ----------
    values : 1-D array-like, or mapping of label to 1-D array-like
        For example the output of :func:`utils.diagnostics.gradient_norms`. A
        mapping draws one labelled line per entry.
    ylabel : str
        The quantity, for example ``"gradient norm"``.
    label : str, optional
        Legend label for a single series.
    log_scale : bool
        Use a logarithmic y axis, for values that span decades. Values <= 0
        are not drawn on a log axis.
    title : str, optional
        The Axes title.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    **style
        Passed to ``Axes.plot`` for every line (``color``, ``linestyle``, ...).

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
        ax.plot(np.arange(1, ys.size + 1), ys, **{"marker": "o", "label": name, **style})
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
            raise ValueError(f"activations must hold Keras activation names or callables; got {activation!r}") from None
    if callable(activation):
        name = getattr(activation, "__name__", None) or getattr(activation, "name", None)
        return str(name or type(activation).__name__), activation
    raise ValueError(f"activations must hold Keras activation names or callables; got {type(activation).__name__}")


def plot_activation_functions(
    activations: Sequence[ActivationLike] | Mapping[str, ActivationLike],
    *,
    z: Sequence[float] | np.ndarray | None = None,
    title: str | None = "Activation functions (solid) and their derivatives (dashed)",
    ax: plt.Axes | None = None,
    **style: Any,
) -> plt.Axes:
    """Plot each activation function (solid) with its derivative (dashed, same colour).

    Derivatives come from automatic differentiation, the same way training
    computes them. Each activation also gets its own marker shape (:data:`MARKERS`),
    placed at staggered points, so that curves that coincide (ReLU and its
    variants for z > 0) stay distinguishable.

    Parameters
    ----------
    activations : sequence or mapping
        Keras activation names (``"sigmoid"``), functions of a tensor, or layers
        (``keras.layers.LeakyReLU(negative_slope=0.2)``). A mapping supplies the
        legend labels.
    z : 1-D array-like, optional
        Pre-activation values; default 401 points in [-5, 5].
    title : str or None
        The Axes title.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    **style
        Passed to ``Axes.plot`` for every curve (``linewidth``, ``alpha``, ...).

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
    colors = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    spacing = max(z.size // 8, 1)  # about eight markers per curve
    for index, (label, activation) in enumerate(items):
        name, function = _activation_function(activation)
        with tf.GradientTape() as tape:
            tape.watch(z_tensor)
            values = function(z_tensor)
        derivative = tape.gradient(values, z_tensor)
        label = label or name
        marks = {
            "color": colors[index % len(colors)],
            "marker": MARKERS[index % len(MARKERS)],
            "markevery": (index * spacing // len(items), spacing),
        }
        ax.plot(z, np.asarray(values), **{**marks, "label": label, **style})
        ax.plot(
            z,
            np.asarray(derivative),
            **{**marks, "linewidth": 1.2, **style, "linestyle": "--", "label": f"{label}′"},
        )
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
    *,
    layer_names: Sequence[str] | None = None,
    bins: int = 60,
    value_range: tuple[float, float] | None = None,
    title: str | None = None,
    ax: plt.Axes | None = None,
    **style: Any,
) -> plt.Axes:
    """Overlay the distribution of each layer's outputs, as in Glorot & Bengio (2010).

    Parameters
    ----------
    outputs : sequence of array-like
        One array per layer, for example from :func:`utils.diagnostics.layer_outputs`.
    layer_names : sequence of str, optional
        Legend labels; default ``layer 1``, ``layer 2``, ...
    bins : int
        Number of histogram bins (>= 2).
    value_range : (float, float), optional
        The x range; default the range of all outputs.
    title : str, optional
        The Axes title.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    **style
        Passed to ``Axes.hist`` for every layer (``linewidth``, ``histtype``, ...).

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
    bins = _validation.check_int(bins, "bins", minimum=2)
    names = list(layer_names) if layer_names is not None else [f"layer {i}" for i in range(1, len(arrays) + 1)]
    if len(names) != len(arrays):
        raise ValueError(f"layer_names must have one name per output ({len(arrays)}); got {len(names)}")
    if value_range is None:
        finite = np.concatenate([a[np.isfinite(a)] for a in arrays])
        value_range = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if value_range[0] == value_range[1]:
            value_range = (value_range[0] - 0.5, value_range[1] + 0.5)
    colors = plt.get_cmap("viridis")(np.linspace(0.0, 0.9, len(arrays)))
    for values, name, color in zip(arrays, names, colors, strict=True):
        ax.hist(
            values,
            bins=bins,
            range=value_range,
            density=True,
            **{"histtype": "step", "color": color, "linewidth": 1.5, "label": name, **style},
        )
    ax.set_xlabel("activation value")
    ax.set_ylabel("density")
    if title:
        ax.set_title(title)
    ax.legend()
    return ax


def plot_history(
    history: Any,
    *,
    metric: str = "loss",
    label: str | None = None,
    log_scale: bool = False,
    title: str | None = None,
    ax: plt.Axes | None = None,
    **style: Any,
) -> plt.Axes:
    """Plot a training curve and, when recorded, its validation curve (dashed).

    Parameters
    ----------
    history : keras.callbacks.History or mapping
        What ``model.fit`` returns, or its ``.history`` dict.
    metric : str
        The metric to plot, for example ``"loss"`` or ``"accuracy"``.
    label : str, optional
        A prefix for the legend, to compare several runs on one Axes.
    log_scale : bool
        Use a logarithmic y axis.
    title : str, optional
        The Axes title.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    **style
        Passed to ``Axes.plot`` for both curves (``color``, ``linewidth``, ...).

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
    _validation.check_choice(metric, "metric", sorted(record))
    ax = _axes(ax)
    train = _series(record[metric], f"history[{metric!r}]")
    (line,) = ax.plot(
        np.arange(1, train.size + 1), train, **{"label": f"{label} (train)" if label else "train", **style}
    )
    if f"val_{metric}" in record:
        val = _series(record[f"val_{metric}"], f"history['val_{metric}']")
        ax.plot(
            np.arange(1, val.size + 1),
            val,
            **{
                **style,
                "linestyle": "--",
                "color": line.get_color(),
                "label": "validation" if not label else f"{label} (validation)",
            },
        )
    if log_scale:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    if title:
        ax.set_title(title)
    ax.legend()
    return ax


def min_text_px(fig: Any, *, dpi: float | None = None) -> float | None:
    """Return the size of the smallest visible text in a figure, in pixels of its image.

    Every visible, non-empty text artist counts (tick labels, axis labels,
    titles, legends, annotations): its font size in points times ``dpi / 72``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    dpi : float, optional
        The resolution the image is saved at; default the figure's own.

    Returns
    -------
    float or None
        The smallest text height in image pixels; None when the figure has no text.

    Examples
    --------
    >>> fig, ax = plt.subplots(dpi=100)
    >>> _ = ax.set_title("t", fontsize=18); _ = ax.tick_params(labelsize=9)
    >>> round(min_text_px(fig), 2)
    12.5
    """
    fig = _validation.check_instance(fig, "fig", mpl.figure.Figure, "a matplotlib Figure")
    dpi = fig.dpi if dpi is None else _validation.check_number(dpi, "dpi", above=0)
    fig.draw_without_rendering()  # tick labels exist once the tickers have run
    smallest = _smallest_text_pt(fig)
    return None if smallest is None else smallest * dpi / 72


def _smallest_text_pt(fig: Any) -> float | None:
    """Return the smallest font size of the visible text of a figure as last drawn, in points."""
    sizes = [
        text.get_fontsize()
        for text in fig.findobj(mpl.text.Text)
        if text.get_visible() and text.get_text().strip() and (text.axes is None or text.axes.get_visible())
    ]
    return min(sizes) if sizes else None


def _with_text_chunk(png: bytes, key: str, value: str) -> bytes:
    """Insert a PNG ``tEXt`` chunk before the closing ``IEND`` chunk (its last 12 bytes)."""
    import struct
    import zlib

    body = b"tEXt" + key.encode("latin-1") + b"\0" + value.encode("latin-1")
    chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    return png[:-12] + chunk + png[-12:]


def figure_png(fig: Any) -> bytes:
    """Encode a figure as a PNG that records its smallest text size (:data:`MIN_TEXT_KEY`).

    :func:`utils.setup.configure` makes this the inline PNG of every figure a
    notebook shows, so the book's images carry the size their text was drawn at.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, saved at its own dpi with a tight bounding box.

    Returns
    -------
    bytes
        The PNG file.

    Examples
    --------
    >>> figure_png(plt.figure())[1:4]
    b'PNG'
    """
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    # Measured after saving: the figure was just drawn, so no second draw is needed.
    smallest = _smallest_text_pt(fig)
    if smallest is None:
        return buffer.getvalue()
    return _with_text_chunk(buffer.getvalue(), MIN_TEXT_KEY, f"{smallest * fig.dpi / 72:.3f}")


def _inline_png(fig: Any) -> str | None:
    import base64

    if not fig.axes and not fig.lines:  # as IPython does: an empty figure shows nothing
        return None
    return base64.b64encode(figure_png(fig)).decode("ascii")


def register_inline_png() -> bool:
    """Make every figure a notebook shows inline a PNG from :func:`figure_png`.

    Only in IPython with Matplotlib's inline backend (Jupyter, Colab, the book
    build): the inline backend first sets up its own PNG output, which this then
    replaces through IPython's display-formatter API. The image is the one the
    inline backend draws (tight bounding box, the figure's dpi), with the text
    size recorded in it.

    Returns
    -------
    bool
        Whether the PNG output was registered.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    try:
        backend = mpl.get_backend(auto_select=False)
    except TypeError:  # Matplotlib < 3.10 has no auto_select
        backend = mpl.rcParams._get("backend")
    if backend not in ("inline", "module://matplotlib_inline.backend_inline"):
        return False
    # Importing the backend registers its own formatter (once); ours must come after it.
    import matplotlib_inline.backend_inline  # noqa: F401

    shell.display_formatter.formatters["image/png"].for_type(mpl.figure.Figure, _inline_png)
    return True


def figure_html(fig: Any, alt: str) -> str:
    """Encode a Matplotlib figure as an HTML ``<img>`` (an inline PNG) with alt text, and close it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    alt : str
        What the figure shows, in a sentence (non-empty).

    Returns
    -------
    str
        ``<img src="data:image/png;base64,..." alt="...">``, at most as wide as its column.

    Examples
    --------
    >>> figure_html(plt.figure(), "An empty figure.")[:32]
    '<img src="data:image/png;base64,'
    """
    import base64
    import html

    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"alt must be a non-empty description of the figure; got {alt!r}")
    data = base64.b64encode(figure_png(fig)).decode("ascii")
    plt.close(fig)
    return (
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt.strip(), quote=True)}" '
        'style="max-width: 100%; height: auto">'
    )


def display_figure(fig: Any, alt: str) -> Any:
    """Display a Matplotlib figure as a PNG with alt text, and close it.

    A plain image output has no alt text, in Jupyter or in the book, so a
    screen reader would announce a file name; this one names what it shows.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure; it is closed once encoded.
    alt : str
        What the figure shows, in a sentence (non-empty).

    Returns
    -------
    IPython.display.HTML
        The ``<img>`` that was displayed.
    """
    from IPython.display import HTML, display

    image = HTML(figure_html(fig, alt))
    display(image)
    return image


def gradient_norm_notes(norms: Sequence[float] | np.ndarray) -> list[str]:
    """Write the corner note of a gradient-norm profile: first/last ratio, factor per layer, undrawable layers.

    Parameters
    ----------
    norms : 1-D array-like
        One gradient norm per hidden layer, input to output.

    Returns
    -------
    list of str
        One line each; the ratio and the factor only when the first and last
        norms are finite and positive.

    Examples
    --------
    >>> gradient_norm_notes([1e-3, 1e-2, 1e-1])
    ['first / last layer: 1.0e-02', 'per layer: ×0.10']
    >>> gradient_norm_notes([0.0, 1.0])
    ['1 layer(s) at exactly 0 (underflow), not drawn']
    """
    from utils import diagnostics

    norms = _series(norms, "norms")
    drawable = np.isfinite(norms) & (norms > 0)
    notes = []
    if drawable[0] and drawable[-1] and norms.size > 1:
        notes.append(f"first / last layer: {diagnostics.first_to_last_ratio(norms):.1e}")
        notes.append(f"per layer: ×{diagnostics.per_layer_factor(norms, towards='first'):.2f}")
    zeros, overflows = int(np.sum(norms == 0)), int(np.sum(~np.isfinite(norms)))
    if zeros:
        notes.append(f"{zeros} layer(s) at exactly 0 (underflow), not drawn")
    if overflows:
        notes.append(f"{overflows} layer(s) inf or NaN (overflow), not drawn")
    return notes


def plot_gradient_norm_profile(
    norms: Sequence[float] | np.ndarray,
    *,
    title: str | None = None,
    ax: plt.Axes | None = None,
    **style: Any,
) -> plt.Axes:
    """Plot per-layer gradient norms on a log axis, with the first/last ratio and the factor per layer.

    Layers whose norm is exactly 0 (float32 underflow) or not finite
    (overflow) cannot be drawn on a log axis; the figure says how many there
    are. The y range spans at least two decades, so that a level profile looks
    level.

    Parameters
    ----------
    norms : 1-D array-like
        One gradient norm per hidden layer, input to output, for example from
        :func:`utils.experiments.gradient_norms_at_init`.
    title : str, optional
        The Axes title.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    **style
        Passed to ``Axes.plot``.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_gradient_norm_profile([1e-3, 1e-2, 1e-1, 0.0])
    >>> ax.get_yscale(), ax.texts[0].get_text()
    ('log', '1 layer(s) at exactly 0 (underflow), not drawn')
    """
    norms = _series(norms, "norms")
    drawable = np.isfinite(norms) & (norms > 0)
    ax = plot_per_layer(
        np.where(drawable, norms, np.nan), ylabel="gradient norm (log scale)", title=title, ax=ax, **style
    )
    notes = gradient_norm_notes(norms)
    if drawable.any():
        low, high = np.min(norms[drawable]), np.max(norms[drawable])
        middle = np.sqrt(low * high)
        ax.set_ylim(min(low / 2, middle / 10), max(high * 2, middle * 10))
    ax.text(
        0.02,
        0.03,
        "\n".join(notes),
        transform=ax.transAxes,
        fontsize=9,
        verticalalignment="bottom",
        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"},
    )
    return ax


def plot_signal_propagation(
    activation_std: Sequence[float] | np.ndarray,
    *,
    input_std: float | None = None,
    title: str | None = None,
    ax: plt.Axes | None = None,
    **style: Any,
) -> plt.Axes:
    """Draw the per-layer activation std of a network on a log axis, and the inputs' std as a dotted line.

    Parameters
    ----------
    activation_std : 1-D array-like
        One std per hidden layer, input to output, such as the
        ``activation_std`` of :func:`utils.experiments.compute_signal_propagation`.
    input_std : float, optional
        The std of the inputs, drawn as a dotted reference line.
    title : str, optional
        The Axes title.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    **style
        Passed to ``Axes.plot`` (a ``label`` puts the curve in the legend).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_signal_propagation([1.0, 0.5, 0.25], input_std=1.0, label="relu")
    >>> ax.get_ylabel(), [t.get_text() for t in ax.get_legend().get_texts()]
    ('activation std (log scale)', ['relu', 'input std'])
    """
    ax = plot_per_layer(
        _series(activation_std, "activation_std"), ylabel="activation std (log scale)", title=title, ax=ax, **style
    )
    if input_std is not None:
        input_std = _validation.check_number(input_std, "input_std", above=0)
        ax.axhline(input_std, color="0.4", linestyle=":", linewidth=1.2, label="input std")
        ax.legend()
    return ax


def plot_activation_profile(profile: Any, *, ax: Any = None, **style: Any) -> np.ndarray:
    """Draw an activation profile on three Axes: ``f`` and ``f'``; the per-layer mean; the per-layer std.

    The std axis is logarithmic when the values span more than a factor of 10.

    Parameters
    ----------
    profile : utils.experiments.ActivationProfile
        What :func:`utils.experiments.compute_activation_profile` returns.
    ax : sequence of three matplotlib Axes, optional
        Where to draw; a new figure of three stacked panels when None.
    **style
        Passed to ``Axes.plot`` for the per-layer curves.

    Returns
    -------
    numpy.ndarray of matplotlib Axes, shape (3,)

    Examples
    --------
    >>> from utils.experiments import compute_activation_profile
    >>> axes = plot_activation_profile(compute_activation_profile(activation="elu", num_layers=3, units=8))
    >>> axes[2].get_title()
    'Std per layer'
    """
    from utils.experiments import ActivationProfile
    from utils.vocabulary import ACTIVATION_PARAMETERS

    _validation.check_instance(profile, "profile", ActivationProfile, "an ActivationProfile")
    if ax is None:
        _, ax = plt.subplots(3, 1, figsize=(6.4, 9.0), layout="constrained")  # stacked: legible in a column
    axes = np.asarray(ax, dtype=object).ravel()
    if axes.size != 3 or not all(isinstance(a, mpl.axes.Axes) for a in axes):
        raise ValueError(f"ax must hold three matplotlib Axes; got {axes.size} item(s)")
    label = profile.activation
    if profile.parameter is not None:
        label += f" ({ACTIVATION_PARAMETERS[profile.activation]} {profile.parameter:g})"
    first = axes[0]
    first.plot(profile.z, profile.values, label="$f(z)$")
    first.plot(profile.z, profile.derivative, linestyle="--", label="$f'(z)$")
    first.axhline(0, color="0.5", linewidth=0.6)
    first.axvline(0, color="0.5", linewidth=0.6)
    first.set_xlabel("pre-activation $z$")
    first.set_ylabel("$f(z)$ and $f'(z)$")
    first.set_title(label)
    first.legend()
    setting = f"{profile.mean.size} layers, {profile.kernel_initializer}"
    plot_per_layer(
        profile.mean,
        ylabel="mean of the layer's outputs",
        log_scale=False,
        title=f"Mean per layer ({setting})",
        ax=axes[1],
        **style,
    )
    axes[1].axhline(0, color="0.5", linewidth=0.8, linestyle=":")
    # A log axis only when the std spans more than a decade; otherwise it hides the detail.
    finite = profile.std[np.isfinite(profile.std) & (profile.std > 0)]
    log_scale = finite.size > 0 and finite.max() / finite.min() > 10
    plot_per_layer(
        profile.std,
        log_scale=log_scale,
        title="Std per layer",
        ax=axes[2],
        ylabel="std of the layer's outputs" + (" (log scale)" if log_scale else ""),
        **style,
    )
    axes[2].axhline(1, color="0.5", linewidth=0.8, linestyle=":")
    return axes
