"""Widgets: the explorers' controls, and nothing else.

Each explorer is built the same way: its controls, checked starting values,
and a draw function that calls an experiment (:mod:`utils.experiments`) and a
plot (:mod:`utils.plotting`) and returns the figure with its alt text. Every
change of a control redraws the figure into an ``ipywidgets.HTML`` below the
controls, as an ``<img>`` with alt text. The figure is part of the widget's
state, so a notebook that saved its widget state (the book does) shows it
without a kernel; moving a control there recomputes nothing, so the book also
shows a static figure of the default setting.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from utils import _validation, experiments, plotting, vocabulary

__all__ = [
    "ACTIVATION_EXPLORER_ACTIVATIONS",
    "GRADIENT_EXPLORER_ACTIVATIONS",
    "GRADIENT_EXPLORER_WEIGHT_STDS",
    "INITIALIZATION_EXPLORER_ACTIVATIONS",
    "activation_explorer",
    "gradient_norm_explorer",
    "initialization_explorer",
]

#: The activations the gradient-norm explorer offers.
GRADIENT_EXPLORER_ACTIVATIONS: tuple[str, ...] = ("linear", "sigmoid", "tanh", "relu")

#: The weight standard deviations the explorer offers, as (label, value).
#: With 64 inputs per layer, 1/√64 = 0.125 (LeCun) and √2/√64 ≈ 0.177 (He)
#: are the scales that keep a tanh or a ReLU network's gradients level.
GRADIENT_EXPLORER_WEIGHT_STDS: tuple[tuple[str, float], ...] = (
    ("0.01", 0.01),
    ("0.03", 0.03),
    ("0.06", 0.06),
    ("0.1", 0.1),
    ("0.125 = 1/√64", 0.125),
    ("0.177 = √2/√64", 2**0.5 / 8),
    ("0.25", 0.25),
    ("0.5", 0.5),
    ("1", 1.0),
    ("2", 2.0),
)

#: The activations offered by :func:`initialization_explorer`.
INITIALIZATION_EXPLORER_ACTIVATIONS: tuple[str, ...] = ("tanh", "sigmoid", "relu", "selu")

#: The activations offered by :func:`activation_explorer`: those with a named parameter (or none).
ACTIVATION_EXPLORER_ACTIVATIONS: tuple[str, ...] = tuple(vocabulary.ACTIVATION_PARAMETERS)

_STYLE = {"description_width": "initial"}


def _explorer(controls: Mapping[str, Any], draw: Callable[..., tuple[Any, str]]) -> Any:
    """Lay the controls in a row above an HTML figure that ``draw(**values)`` -> (figure, alt text) redraws."""
    import ipywidgets

    figure = ipywidgets.HTML(layout={"width": "100%"})

    def redraw(change: Any = None) -> None:
        fig, alt = draw(**{name: control.value for name, control in controls.items()})
        figure.value = plotting.figure_html(fig, alt)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    row = ipywidgets.HBox(list(controls.values()), layout={"flex_flow": "row wrap"})
    return ipywidgets.VBox([row, figure])


def gradient_norm_explorer(
    x: Any,
    y: Any,
    *,
    num_layers: int = 20,
    weight_std: float = 0.125,
    activation: str = "tanh",
    seed: int = 0,
) -> Any:
    """Sliders for depth, weight scale and activation over the per-layer gradient norms of a fresh MLP.

    Each change measures :func:`utils.experiments.gradient_norms_at_init`
    (64 units per layer) and draws :func:`utils.plotting.plot_gradient_norm_profile`.

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

    num_layers = _validation.check_int(num_layers, "num_layers", minimum=2, maximum=40)
    labels = {value: label for label, value in GRADIENT_EXPLORER_WEIGHT_STDS}
    _validation.check_choice(weight_std, "weight_std", labels)
    _validation.check_choice(activation, "activation", GRADIENT_EXPLORER_ACTIVATIONS)
    seed = _validation.check_seed(seed)

    def draw(num_layers: int, weight_std: float, activation: str) -> tuple[Any, str]:
        fig, ax = plt.subplots()
        norms = experiments.gradient_norms_at_init(
            x, y, num_layers=num_layers, weight_std=weight_std, activation=activation, seed=seed
        )
        plotting.plot_gradient_norm_profile(
            norms, title=f"{activation}, {num_layers} layers, weights N(0, {weight_std:.3g}²)", ax=ax
        )
        return fig, (
            f"Gradient norm per hidden layer, log scale, for a {num_layers}-layer {activation} "
            f"network with weight std {labels[weight_std]}."
        )

    return _explorer(
        {
            "num_layers": ipywidgets.IntSlider(
                value=num_layers, min=2, max=40, description="hidden layers", style=_STYLE, continuous_update=False
            ),
            "weight_std": ipywidgets.SelectionSlider(
                options=[(label, value) for label, value in GRADIENT_EXPLORER_WEIGHT_STDS],
                value=weight_std,
                description="weight std σ",
                style=_STYLE,
                layout={"width": "420px"},
                continuous_update=False,
            ),
            "activation": ipywidgets.Dropdown(
                options=GRADIENT_EXPLORER_ACTIVATIONS, value=activation, description="activation", style=_STYLE
            ),
        },
        draw,
    )


def initialization_explorer(
    x: Any,
    y: Any,
    *,
    activation: str = "relu",
    kernel_initializer: str = "glorot_normal",
    num_layers: int = 30,
    units: int = 100,
    seed: int = 0,
) -> Any:
    """Menus and sliders for activation, initializer, depth and width over the per-layer activation std.

    Each change measures :func:`utils.experiments.compute_signal_propagation`
    for a new network and draws :func:`utils.plotting.plot_signal_propagation`.

    Parameters
    ----------
    x : array-like, shape (examples, features)
        The inputs the networks are probed with.
    y : array-like, shape (examples,)
        Class indices.
    activation : str
        Initial activation, one of :data:`INITIALIZATION_EXPLORER_ACTIVATIONS`.
    kernel_initializer : str
        Initial initializer, one of :data:`utils.vocabulary.INITIALIZER_NAMES`.
    num_layers : int
        Initial depth, in [2, 50].
    units : int
        Initial width, in [8, 256] (the slider moves in steps of 8).
    seed : int
        Seed of the kernels.

    Returns
    -------
    ipywidgets.VBox
        The controls above the figure. Display it as a cell's last value.
    """
    import ipywidgets

    _validation.check_choice(activation, "activation", INITIALIZATION_EXPLORER_ACTIVATIONS)
    _validation.check_choice(kernel_initializer, "kernel_initializer", vocabulary.INITIALIZER_NAMES)
    num_layers = _validation.check_int(num_layers, "num_layers", minimum=2, maximum=50)
    units = _validation.check_int(units, "units", minimum=8, maximum=256)
    seed = _validation.check_seed(seed)
    input_std = float(np.std(np.asarray(x, dtype=float)))

    def draw(activation: str, kernel_initializer: str, num_layers: int, units: int) -> tuple[Any, str]:
        fig, ax = plt.subplots(figsize=(6.4, 3.6))
        result = experiments.compute_signal_propagation(
            x,
            y,
            activation=activation,
            kernel_initializer=kernel_initializer,
            num_layers=num_layers,
            units=units,
            seed=seed,
        )
        plotting.plot_signal_propagation(
            result.activation_std,
            input_std=input_std,
            ax=ax,
            label=f"{activation}, {kernel_initializer}",
            title=f"{activation} + {kernel_initializer}\n{num_layers} layers x {units} units: "
            f"last std {result.activation_std[-1]:.2g}",
        )
        return fig, (
            f"Activation std per hidden layer, log scale, for {num_layers} {activation} "
            f"layers of {units} units initialized with {kernel_initializer}."
        )

    return _explorer(
        {
            "activation": ipywidgets.Dropdown(
                options=INITIALIZATION_EXPLORER_ACTIVATIONS, value=activation, description="activation", style=_STYLE
            ),
            "kernel_initializer": ipywidgets.Dropdown(
                options=vocabulary.INITIALIZER_NAMES, value=kernel_initializer, description="initializer", style=_STYLE
            ),
            "num_layers": ipywidgets.IntSlider(
                value=num_layers, min=2, max=50, step=1, description="depth", style=_STYLE, continuous_update=False
            ),
            "units": ipywidgets.IntSlider(
                value=units, min=8, max=256, step=8, description="width", style=_STYLE, continuous_update=False
            ),
        },
        draw,
    )


def activation_explorer(
    *,
    activation: str = "leaky_relu",
    parameter: float = 0.2,
    kernel_initializer: str = "matching",
    input_std: float = 1.0,
    num_layers: int = 30,
    units: int = 64,
) -> Any:
    """Menus and sliders over an activation's profile (:func:`utils.plotting.plot_activation_profile`).

    Menus choose the activation and the initializer ("matching" picks
    :func:`utils.vocabulary.matching_initializer`); sliders set the parameter
    (the slope of Leaky ReLU, the alpha of ELU) and the inputs' standard
    deviation. Each change measures :func:`utils.experiments.compute_activation_profile`.

    Parameters
    ----------
    activation : str
        Initial activation, one of :data:`ACTIVATION_EXPLORER_ACTIVATIONS`.
    parameter : float
        Initial slope or alpha, in [0, 2].
    kernel_initializer : str
        ``"matching"`` or one of :data:`utils.vocabulary.INITIALIZER_NAMES`.
    input_std : float
        Initial std of the inputs, in [0.1, 10].
    num_layers : int
        Hidden layers of the measured MLP (>= 1).
    units : int
        Units per hidden layer (>= 1).

    Returns
    -------
    ipywidgets.VBox
        The controls above the figure. Display it as a cell's last value.
    """
    import ipywidgets

    _validation.check_choice(activation, "activation", ACTIVATION_EXPLORER_ACTIVATIONS)
    parameter = _validation.check_number(parameter, "parameter", at_least=0, at_most=2)
    initializers = ("matching", *vocabulary.INITIALIZER_NAMES)
    _validation.check_choice(kernel_initializer, "kernel_initializer", initializers)
    input_std = _validation.check_number(input_std, "input_std", at_least=0.1, at_most=10)
    num_layers = _validation.check_int(num_layers, "num_layers", minimum=1)
    units = _validation.check_int(units, "units", minimum=1)

    def draw(activation: str, parameter: float, kernel_initializer: str, input_std: float) -> tuple[Any, str]:
        profile = experiments.compute_activation_profile(
            activation=activation,
            parameter=parameter,
            kernel_initializer=None if kernel_initializer == "matching" else kernel_initializer,
            num_layers=num_layers,
            units=units,
            input_std=input_std,
        )
        axes = plotting.plot_activation_profile(profile)
        setting = activation if profile.parameter is None else f"{activation} ({parameter:g})"
        return axes[0].figure, (
            f"Three panels for {setting} with {profile.kernel_initializer}, inputs of std "
            f"{input_std:.2g}: the function and its derivative, then the mean and the std "
            f"of each of the {num_layers} hidden layers' outputs."
        )

    return _explorer(
        {
            "activation": ipywidgets.Dropdown(
                options=ACTIVATION_EXPLORER_ACTIVATIONS, value=activation, description="activation", style=_STYLE
            ),
            "parameter": ipywidgets.FloatSlider(
                value=parameter,
                min=0.0,
                max=2.0,
                step=0.05,
                description="slope / alpha",
                style=_STYLE,
                continuous_update=False,
            ),
            "kernel_initializer": ipywidgets.Dropdown(
                options=initializers, value=kernel_initializer, description="initializer", style=_STYLE
            ),
            "input_std": ipywidgets.FloatLogSlider(
                value=input_std,
                base=10,
                min=-1,
                max=1,
                step=0.1,
                description="input std",
                style=_STYLE,
                continuous_update=False,
            ),
        },
        draw,
    )
