"""Interactive explorers: thin ipywidgets controls over pure functions.

Each explorer only reads its controls and calls a pure function that draws
the figure; tests call that function directly. In the book, put a static
figure of the explorer's default setting beside it: without a kernel, moving
a control cannot recompute anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from utils import diagnostics, plotting

__all__ = [
    "ACTIVATION_PROFILE_ACTIVATIONS",
    "ACTIVATION_PROFILE_INITIALIZERS",
    "ActivationProfile",
    "GRADIENT_EXPLORER_ACTIVATIONS",
    "GRADIENT_EXPLORER_WEIGHT_STDS",
    "INITIALIZATION_EXPLORER_ACTIVATIONS",
    "INITIALIZATION_EXPLORER_INITIALIZERS",
    "activation_explorer",
    "compute_activation_profile",
    "display_figure",
    "gradient_norm_explorer",
    "initialization_explorer",
    "make_activation",
    "matching_initializer",
    "plot_activation_profile",
    "plot_gradient_norm_profile",
    "plot_signal_propagation",
]

def display_figure(fig: Any, alt: str) -> Any:
    """Display a Matplotlib figure as a PNG with alt text, and close it.

    The explorers draw through this rather than ``plt.show()``: a plain image
    output has no alt text, in Jupyter or in the widget state the book saves,
    so a screen reader would announce a file name. Here the alt text names
    what the figure shows for the explorer's current settings.

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
    import base64
    import html
    import io

    from IPython.display import HTML, display

    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"alt must be a non-empty description of the figure; got {alt!r}")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    image = HTML(f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt.strip(), quote=True)}">')
    display(image)
    return image


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
            display_figure(fig, f"Gradient norm per hidden layer, log scale, for a {depth.value}-layer "
                                f"{function.value} network with weight std {scale.label}.")

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
        fig, ax = plt.subplots(figsize=(6.4, 3.6))
        plot_signal_propagation(x, y, activation=activation, kernel_initializer=kernel_initializer,
                                num_layers=num_layers, units=units, ax=ax)
        display_figure(fig, f"Activation std per hidden layer, log scale, for {num_layers} {activation} "
                            f"layers of {units} units initialized with {kernel_initializer}.")

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


#: Activations offered by :func:`activation_explorer`, with the meaning of their parameter.
ACTIVATION_PROFILE_ACTIVATIONS: dict[str, str | None] = {
    "relu": None,
    "leaky_relu": "negative slope",
    "elu": "alpha",
    "selu": None,
    "tanh": None,
    "sigmoid": None,
}

#: Kernel initializers offered by :func:`activation_explorer` (Keras names).
ACTIVATION_PROFILE_INITIALIZERS: tuple[str, ...] = (
    "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal",
)

_MATCHING = {
    "relu": "he_normal", "leaky_relu": "he_normal", "elu": "he_normal",
    "selu": "lecun_normal", "tanh": "glorot_uniform", "sigmoid": "glorot_uniform",
}
_DEFAULT_PARAMETER = {"leaky_relu": 0.2, "elu": 1.0}


def _check_activation(activation: Any) -> str:
    if activation not in ACTIVATION_PROFILE_ACTIVATIONS:
        raise ValueError(
            "activation must be one of "
            f"{', '.join(repr(a) for a in ACTIVATION_PROFILE_ACTIVATIONS)}; got {activation!r}"
        )
    return activation


def matching_initializer(activation: str) -> str:
    """The Keras initializer name that suits ``activation``.

    He for the ReLU family and ELU, LeCun for SELU, Glorot for tanh and the
    logistic function.

    Parameters
    ----------
    activation : str
        One of :data:`ACTIVATION_PROFILE_ACTIVATIONS`.

    Returns
    -------
    str

    Examples
    --------
    >>> matching_initializer("selu")
    'lecun_normal'
    """
    return _MATCHING[_check_activation(activation)]


def make_activation(activation: str, parameter: float | None = None) -> Callable[[Any], Any]:
    """Return the activation as a function of one tensor, with its parameter bound.

    Parameters
    ----------
    activation : str
        One of :data:`ACTIVATION_PROFILE_ACTIVATIONS`.
    parameter : float or None
        The negative slope of ``"leaky_relu"`` (>= 0, default 0.2) or the
        ``alpha`` of ``"elu"`` (>= 0, default 1.0). Ignored by the other
        activations, which have no free parameter.

    Returns
    -------
    callable
        A function of a tensor, usable as the ``activation`` of
        :func:`utils.models.build_mlp`.

    Examples
    --------
    >>> round(float(make_activation("leaky_relu", 0.1)(-2.0)), 6)
    -0.2
    """
    from utils._tensorflow import keras

    activation = _check_activation(activation)
    if ACTIVATION_PROFILE_ACTIVATIONS[activation] is None:
        return keras.activations.get(activation)
    value = _DEFAULT_PARAMETER[activation] if parameter is None else parameter
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) or value < 0:
        raise ValueError(f"parameter must be a finite number >= 0 for {activation!r}; got {parameter!r}")
    value = float(value)
    if activation == "leaky_relu":
        def leaky_relu(z: Any) -> Any:
            return keras.activations.leaky_relu(z, negative_slope=value)
        return leaky_relu

    def elu(z: Any) -> Any:
        return keras.activations.elu(z, alpha=value)
    return elu


@dataclass(frozen=True)
class ActivationProfile:
    """An activation, its derivative and the per-layer statistics of a deep net that uses it.

    Attributes
    ----------
    activation : str
        The activation's name.
    parameter : float or None
        Its parameter (slope or alpha), None when it has none.
    kernel_initializer : str
        The initializer of the deep net.
    z, values, derivative : numpy.ndarray, shape (points,)
        Pre-activations, ``f(z)`` and ``f'(z)``.
    mean, std : numpy.ndarray, shape (layers,)
        Mean and standard deviation of each hidden layer's outputs at
        initialization, input to output.
    """

    activation: str
    parameter: float | None
    kernel_initializer: str
    z: np.ndarray
    values: np.ndarray
    derivative: np.ndarray
    mean: np.ndarray
    std: np.ndarray


def compute_activation_profile(
    activation: str = "relu",
    parameter: float | None = None,
    *,
    kernel_initializer: str | None = None,
    num_layers: int = 30,
    units: int = 64,
    input_std: float = 1.0,
    num_examples: int = 512,
    seed: int = 0,
) -> ActivationProfile:
    """Measure an activation: ``f``, ``f'`` and the layer statistics of a fresh deep MLP.

    The MLP (:func:`utils.models.build_mlp`, seeded kernels) is fed
    ``num_examples`` Gaussian inputs with 64 features, mean 0 and standard
    deviation ``input_std``; nothing is trained. The statistics come from
    :func:`utils.diagnostics.activation_stats`.

    Parameters
    ----------
    activation : str
        One of :data:`ACTIVATION_PROFILE_ACTIVATIONS`.
    parameter : float or None
        Slope of ``"leaky_relu"`` or alpha of ``"elu"``; see :func:`make_activation`.
    kernel_initializer : str or None
        One of :data:`ACTIVATION_PROFILE_INITIALIZERS`; None picks
        :func:`matching_initializer`.
    num_layers : int
        Hidden layers of the MLP (>= 1).
    units : int
        Units per hidden layer (>= 1).
    input_std : float
        Standard deviation of the inputs (> 0); 1 means standardized inputs.
    num_examples : int
        Number of input examples (>= 2).
    seed : int
        Seed of the inputs and of the kernels (>= 0).

    Returns
    -------
    ActivationProfile

    Examples
    --------
    >>> profile = compute_activation_profile("selu", num_layers=3, units=8)
    >>> profile.kernel_initializer, profile.std.shape
    ('lecun_normal', (3,))
    """
    from utils import diagnostics, models
    from utils._tensorflow import keras, tf

    function = make_activation(activation, parameter)
    if ACTIVATION_PROFILE_ACTIVATIONS[activation] is None:
        parameter = None
    elif parameter is None:
        parameter = _DEFAULT_PARAMETER[activation]
    if kernel_initializer is None:
        kernel_initializer = matching_initializer(activation)
    if kernel_initializer not in ACTIVATION_PROFILE_INITIALIZERS:
        raise ValueError(
            "kernel_initializer must be one of "
            f"{', '.join(repr(i) for i in ACTIVATION_PROFILE_INITIALIZERS)} or None; got {kernel_initializer!r}"
        )
    if isinstance(input_std, bool) or not isinstance(input_std, (int, float)) or not input_std > 0:
        raise ValueError(f"input_std must be a number > 0; got {input_std!r}")
    if isinstance(num_examples, bool) or not isinstance(num_examples, int) or num_examples < 2:
        raise ValueError(f"num_examples must be an integer >= 2; got {num_examples!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}")

    z = np.linspace(-4.0, 4.0, 321)
    z_tensor = tf.constant(z, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(z_tensor)
        values = function(z_tensor)
    derivative = tape.gradient(values, z_tensor)

    initializer = keras.initializers.get(kernel_initializer)
    initializer = type(initializer).from_config({**initializer.get_config(), "seed": seed})
    model = models.build_mlp(num_layers, units, function, initializer, input_dim=64)
    x = np.random.default_rng(seed).normal(0.0, float(input_std), size=(num_examples, 64))
    stats = diagnostics.activation_stats(model, x)
    return ActivationProfile(
        activation=activation, parameter=None if parameter is None else float(parameter),
        kernel_initializer=kernel_initializer,
        z=z, values=np.asarray(values, dtype=float), derivative=np.asarray(derivative, dtype=float),
        mean=stats.mean, std=stats.std,
    )


def plot_activation_profile(profile: ActivationProfile, axes: Any = None) -> np.ndarray:
    """Draw a profile on three Axes: ``f`` and ``f'``; per-layer mean; per-layer std.

    The std axis is logarithmic when the values span more than a factor of 10.

    Parameters
    ----------
    profile : ActivationProfile
        What :func:`compute_activation_profile` returns.
    axes : sequence of three matplotlib Axes, optional
        Where to draw; a new figure of three panels when None.

    Returns
    -------
    numpy.ndarray of matplotlib Axes, shape (3,)

    Examples
    --------
    >>> axes = plot_activation_profile(compute_activation_profile("elu", 1.0, num_layers=3, units=8))
    >>> axes[2].get_title()
    'Std per layer'
    """
    from utils import plotting

    if not isinstance(profile, ActivationProfile):
        raise ValueError(f"profile must be an ActivationProfile; got {type(profile).__name__}")
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    axes = np.asarray(axes, dtype=object).ravel()
    if axes.size != 3:
        raise ValueError(f"axes must hold three matplotlib Axes; got {axes.size}")
    label = profile.activation
    if profile.parameter is not None:
        label += f" ({ACTIVATION_PROFILE_ACTIVATIONS[profile.activation]} {profile.parameter:g})"
    ax = axes[0]
    line, = ax.plot(profile.z, profile.values, label="$f(z)$")
    ax.plot(profile.z, profile.derivative, linestyle="--", label="$f'(z)$")
    ax.axhline(0, color="0.5", linewidth=0.6)
    ax.axvline(0, color="0.5", linewidth=0.6)
    ax.set_xlabel("pre-activation $z$")
    ax.set_ylabel("$f(z)$ and $f'(z)$")
    ax.set_title(label)
    ax.legend()
    setting = f"{profile.mean.size} layers, {profile.kernel_initializer}"
    plotting.plot_per_layer(profile.mean, ax=axes[1], ylabel="mean of the layer's outputs",
                            log_scale=False, title=f"Mean per layer ({setting})")
    axes[1].axhline(0, color="0.5", linewidth=0.8, linestyle=":")
    # A log axis only when the std spans more than a decade; otherwise it hides the detail.
    finite = profile.std[np.isfinite(profile.std) & (profile.std > 0)]
    log_scale = finite.size > 0 and finite.max() / finite.min() > 10
    plotting.plot_per_layer(profile.std, ax=axes[2], log_scale=log_scale, title="Std per layer",
                            ylabel="std of the layer's outputs" + (" (log scale)" if log_scale else ""))
    axes[2].axhline(1, color="0.5", linewidth=0.8, linestyle=":")
    return axes


def activation_explorer(num_layers: int = 30, units: int = 64) -> Any:
    """An interactive version of :func:`plot_activation_profile`.

    Menus choose the activation and the initializer ("matching" picks
    :func:`matching_initializer`); sliders set the parameter (the slope of
    Leaky ReLU, the alpha of ELU) and the inputs' standard deviation.

    Parameters
    ----------
    num_layers : int
        Hidden layers of the measured MLP (>= 1).
    units : int
        Units per hidden layer (>= 1).

    Returns
    -------
    ipywidgets.interactive
        Display it (it is the last expression of a cell) to use it.
    """
    import ipywidgets

    def update(activation: str, parameter: float, kernel_initializer: str, input_std: float) -> None:
        profile = compute_activation_profile(
            activation, parameter,
            kernel_initializer=None if kernel_initializer == "matching" else kernel_initializer,
            num_layers=num_layers, units=units, input_std=input_std,
        )
        axes = plot_activation_profile(profile)
        setting = activation if profile.parameter is None else f"{activation} ({parameter:g})"
        display_figure(axes[0].figure,
                       f"Three panels for {setting} with {profile.kernel_initializer}, inputs of std "
                       f"{input_std:.2g}: the function and its derivative, then the mean and the std "
                       f"of each of the {num_layers} hidden layers' outputs.")

    return ipywidgets.interactive(
        update,
        activation=ipywidgets.Dropdown(options=list(ACTIVATION_PROFILE_ACTIVATIONS), value="leaky_relu",
                                       description="activation"),
        parameter=ipywidgets.FloatSlider(value=0.2, min=0.0, max=2.0, step=0.05,
                                         description="slope / alpha", continuous_update=False),
        kernel_initializer=ipywidgets.Dropdown(options=["matching", *ACTIVATION_PROFILE_INITIALIZERS],
                                               value="matching", description="initializer"),
        input_std=ipywidgets.FloatLogSlider(value=1.0, base=10, min=-1, max=1, step=0.1,
                                            description="input std", continuous_update=False),
    )
