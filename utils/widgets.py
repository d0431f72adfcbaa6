"""Widgets: the explorers' controls, live in Jupyter and Colab, and measured ahead for the book.

Each explorer is built the same way: its controls, checked starting values,
a draw function that calls an experiment (:mod:`utils.experiments`) and a plot
(:mod:`utils.plotting`) and returns the figure with its alt text, and a book
function that measures every setting its book controls offer. In Jupyter and
Colab, every change of a control redraws the figure into an
``ipywidgets.HTML`` below the controls, as an ``<img>`` with alt text.

Displayed, an explorer also offers a second rendering: the same controls as
plain HTML over the views measured for the whole grid
(:mod:`utils.static_explorer`). A live notebook shows the widget; the book,
which has no kernel, shows that rendering (``_config.yml`` ranks it above the
widget), so its controls change the figure there too. Measuring the grid
uses the NumPy-speed grids of :mod:`utils.experiments` and counts against the
notebook's time budget.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from utils import _validation, experiments, plotting, static_explorer, vocabulary

__all__ = [
    "ACTIVATION_EXPLORER_ACTIVATIONS",
    "ACTIVATION_EXPLORER_BOOK_INPUT_STDS",
    "ACTIVATION_EXPLORER_BOOK_PARAMETERS",
    "ACTIVATION_EXPLORER_EXAMPLES",
    "GRADIENT_EXPLORER_ACTIVATIONS",
    "GRADIENT_EXPLORER_BOOK_DEPTHS",
    "GRADIENT_EXPLORER_WEIGHT_STDS",
    "INITIALIZATION_EXPLORER_ACTIVATIONS",
    "INITIALIZATION_EXPLORER_BOOK_DEPTHS",
    "INITIALIZATION_EXPLORER_BOOK_WIDTHS",
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

#: The depths the book's gradient-norm explorer offers (with the starting depth).
GRADIENT_EXPLORER_BOOK_DEPTHS: tuple[int, ...] = (2, 3, 5, 10, 15, 20, 25, 30, 35, 40)

#: The activations offered by :func:`initialization_explorer`.
INITIALIZATION_EXPLORER_ACTIVATIONS: tuple[str, ...] = ("tanh", "sigmoid", "relu", "selu")

#: The depths and widths the book's initialization explorer offers (with the starting ones).
INITIALIZATION_EXPLORER_BOOK_DEPTHS: tuple[int, ...] = (2, 5, 10, 20, 30, 40, 50)
INITIALIZATION_EXPLORER_BOOK_WIDTHS: tuple[int, ...] = (8, 16, 32, 64, 100, 128, 256)

#: The slopes or alphas, and the input stds, the book's activation explorer offers (with the starting ones).
ACTIVATION_EXPLORER_BOOK_PARAMETERS: tuple[float, ...] = (0.0, 0.1, 0.2, 0.5, 1.0, 2.0)
ACTIVATION_EXPLORER_BOOK_INPUT_STDS: tuple[float, ...] = (0.1, 0.3, 1.0, 3.0, 10.0)

#: The activations offered by :func:`activation_explorer`: those with a named parameter (or none).
ACTIVATION_EXPLORER_ACTIVATIONS: tuple[str, ...] = tuple(vocabulary.ACTIVATION_PARAMETERS)

_STYLE = {"description_width": "initial"}
#: The number of Gaussian inputs of :func:`activation_explorer`: enough for its statistics,
#: few enough to measure its whole grid fast.
ACTIVATION_EXPLORER_EXAMPLES: int = 256
# Wide enough for a slider track of at least 150 px beside its label and readout (JupyterLab, Colab).
_SLIDER_LAYOUT = {"width": "360px"}


@functools.cache
def _explorer_class() -> type:
    """``Explorer``: an ``ipywidgets.VBox`` whose display also carries the book's rendering."""
    import ipywidgets

    class Explorer(ipywidgets.VBox):
        """The controls above the figure; displayed, it also offers a kernel-free HTML version."""

        def __init__(self, children: list[Any], book: Callable[[], str]) -> None:
            super().__init__(children)
            self._book = book
            self._book_html: str | None = None

        def book_html(self) -> str:
            """Return the kernel-free rendering (:mod:`utils.static_explorer`), measured on first use."""
            if self._book_html is None:
                self._book_html = self._book()
            return self._book_html

        def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
            bundle = super()._repr_mimebundle_(**kwargs)
            bundle["text/html"] = self.book_html()
            return bundle

    return Explorer


def _explorer(controls: Mapping[str, Any], draw: Callable[..., tuple[Any, str]], book: Callable[[], str]) -> Any:
    """Lay the controls in a row above an HTML figure that ``draw(**values)`` -> (figure, alt text) redraws."""
    import ipywidgets

    figure = ipywidgets.HTML(layout={"width": "100%"})

    def redraw(change: Any = None) -> None:
        fig, alt = draw(**{name: control.value for name, control in controls.items()})
        figure.value = plotting.figure_html(fig, alt)

    for control in controls.values():
        control.layout.margin = "2px 24px 2px 0"  # a gap before the next control's label
        control.observe(redraw, names="value")
    redraw()
    row = ipywidgets.HBox(list(controls.values()), layout={"flex_flow": "row wrap"})
    return _explorer_class()([row, figure], book)


def _grid(values: tuple[Any, ...], start: Any) -> tuple[tuple[Any, ...], int]:
    """Return the book's options for a control (``values`` and the starting value) and the start's index."""
    options = tuple(sorted({*values, start}))
    return options, options.index(start)


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

    def book() -> str:
        depths, depth_index = _grid(GRADIENT_EXPLORER_BOOK_DEPTHS, num_layers)
        stds = [value for _, value in GRADIENT_EXPLORER_WEIGHT_STDS]
        grid = experiments.gradient_norms_at_init_grid(
            x, y, depths=depths, weight_stds=stds, activations=GRADIENT_EXPLORER_ACTIVATIONS, seed=seed
        )
        views = {}
        for (i, depth), (j, std), (k, name) in itertools.product(
            enumerate(depths), enumerate(stds), enumerate(GRADIENT_EXPLORER_ACTIVATIONS)
        ):
            norms = grid[(name, std, depth)]
            views[(i, j, k)] = static_explorer.View(
                lines=[[static_explorer.Line(norms)]], notes=["\n".join(plotting.gradient_norm_notes(norms))]
            )
        return static_explorer.explorer_html(
            [
                static_explorer.Control("hidden layers", tuple(map(str, depths)), depth_index),
                static_explorer.Control("weight std σ", tuple(labels.values()), stds.index(weight_std)),
                static_explorer.Control(
                    "activation", GRADIENT_EXPLORER_ACTIVATIONS, GRADIENT_EXPLORER_ACTIVATIONS.index(activation), "menu"
                ),
            ],
            [
                static_explorer.PanelStyle(
                    title="{2}, {0} layers, weight std σ = {1}",
                    xlabel="hidden layer (input → output)",
                    ylabel="gradient norm (log scale)",
                    log=True,
                )
            ],
            views,
            alt="Gradient norm per hidden layer, log scale, for a {0}-layer {2} network with weight std {1}.",
        )

    return _explorer(
        {
            "num_layers": ipywidgets.IntSlider(
                value=num_layers,
                min=2,
                max=40,
                description="hidden layers",
                style=_STYLE,
                layout=_SLIDER_LAYOUT,
                continuous_update=False,
            ),
            "weight_std": ipywidgets.SelectionSlider(
                options=[(label, value) for label, value in GRADIENT_EXPLORER_WEIGHT_STDS],
                value=weight_std,
                description="weight std σ",
                style=_STYLE,
                layout={"width": "460px"},
                continuous_update=False,
            ),
            "activation": ipywidgets.Dropdown(
                options=GRADIENT_EXPLORER_ACTIVATIONS, value=activation, description="activation", style=_STYLE
            ),
        },
        draw,
        book,
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

    def book() -> str:
        depths, depth_index = _grid(INITIALIZATION_EXPLORER_BOOK_DEPTHS, num_layers)
        widths, width_index = _grid(INITIALIZATION_EXPLORER_BOOK_WIDTHS, units)
        grid = experiments.layer_statistics_grid(
            x,
            activations=INITIALIZATION_EXPLORER_ACTIVATIONS,
            kernel_initializers=vocabulary.INITIALIZER_NAMES,
            num_layers=max(depths),
            widths=widths,
            seed=seed,
        )
        views = {
            (i, j, k): static_explorer.View([[static_explorer.Line(grid[(name, initializer, width, 1.0)][1])]])
            for (i, name), (j, initializer), (k, width) in itertools.product(
                enumerate(INITIALIZATION_EXPLORER_ACTIVATIONS),
                enumerate(vocabulary.INITIALIZER_NAMES),
                enumerate(widths),
            )
        }
        return static_explorer.explorer_html(
            [
                static_explorer.Control(
                    "activation",
                    INITIALIZATION_EXPLORER_ACTIVATIONS,
                    INITIALIZATION_EXPLORER_ACTIVATIONS.index(activation),
                    "menu",
                ),
                static_explorer.Control(
                    "initializer",
                    vocabulary.INITIALIZER_NAMES,
                    vocabulary.INITIALIZER_NAMES.index(kernel_initializer),
                    "menu",
                ),
                static_explorer.Control("depth", tuple(map(str, depths)), depth_index, truncates=True),
                static_explorer.Control("width", tuple(map(str, widths)), width_index),
            ],
            [
                static_explorer.PanelStyle(
                    title="{0} + {1}: {2} layers × {3} units",
                    xlabel="hidden layer (input → output)",
                    ylabel="activation std (log scale)",
                    log=True,
                    hlines=[(input_std, "input std")],
                )
            ],
            views,
            alt="Activation std per hidden layer, log scale, for {2} {0} layers of {3} units initialized with {1}.",
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
                value=num_layers,
                min=2,
                max=50,
                step=1,
                description="depth",
                style=_STYLE,
                layout=_SLIDER_LAYOUT,
                continuous_update=False,
            ),
            "units": ipywidgets.IntSlider(
                value=units,
                min=8,
                max=256,
                step=8,
                description="width",
                style=_STYLE,
                layout=_SLIDER_LAYOUT,
                continuous_update=False,
            ),
        },
        draw,
        book,
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
            num_examples=ACTIVATION_EXPLORER_EXAMPLES,
        )
        axes = plotting.plot_activation_profile(profile)
        setting = activation if profile.parameter is None else f"{activation} ({parameter:g})"
        return axes[0].figure, (
            f"Three panels for {setting} with {profile.kernel_initializer}, inputs of std "
            f"{input_std:.2g}: the function and its derivative, then the mean and the std "
            f"of each of the {num_layers} hidden layers' outputs."
        )

    def book() -> str:
        parameters, parameter_index = _grid(ACTIVATION_EXPLORER_BOOK_PARAMETERS, parameter)
        stds, std_index = _grid(ACTIVATION_EXPLORER_BOOK_INPUT_STDS, input_std)
        # Each activation once per parameter it has (the parameter-free ones once).
        variants = {
            (name, value): name if vocabulary.ACTIVATION_PARAMETERS[name] is None else (name, value)
            for name in ACTIVATION_EXPLORER_ACTIVATIONS
            for value in parameters
        }
        # compute_activation_profile's inputs (seed 0), before their scaling by the input std.
        base = np.random.default_rng(0).normal(0.0, 1.0, size=(ACTIVATION_EXPLORER_EXAMPLES, 64))
        grid = experiments.layer_statistics_grid(
            base,
            activations=sorted(set(variants.values()), key=str),
            kernel_initializers=vocabulary.INITIALIZER_NAMES,
            num_layers=num_layers,
            widths=[units],
            input_scales=stds,
        )
        curves = {
            variant: experiments.activation_curve(
                activation=variant if isinstance(variant, str) else variant[0],
                parameter=None if isinstance(variant, str) else variant[1],
                points=161,
            )
            for variant in set(variants.values())
        }
        views = {}
        for (i, name), (j, value), (k, initializer), (m, std) in itertools.product(
            enumerate(ACTIVATION_EXPLORER_ACTIVATIONS), enumerate(parameters), enumerate(initializers), enumerate(stds)
        ):
            variant = variants[(name, value)]
            chosen = vocabulary.matching_initializer(name) if initializer == "matching" else initializer
            mean, std_per_layer = grid[(variant, chosen, units, std)]
            z, values, derivative = curves[variant]
            finite = std_per_layer[np.isfinite(std_per_layer) & (std_per_layer > 0)]
            setting = (
                name if isinstance(variant, str) else f"{name} ({vocabulary.ACTIVATION_PARAMETERS[name]} {value:g})"
            )
            views[(i, j, k, m)] = static_explorer.View(
                lines=[
                    [
                        static_explorer.Line(values, x=z, label="f(z)"),
                        static_explorer.Line(derivative, x=z, label="f′(z)"),
                    ],
                    [static_explorer.Line(mean)],
                    [static_explorer.Line(std_per_layer)],
                ],
                notes=[
                    f"{name} has no parameter:\nthe slider changes nothing" if isinstance(variant, str) else "",
                    "",
                    "",
                ],
                log=[None, None, bool(finite.size and finite.max() / finite.min() > 10)],
                titles=[setting, f"Mean per layer ({num_layers} layers, {chosen})", None],
            )
        return static_explorer.explorer_html(
            [
                static_explorer.Control(
                    "activation",
                    ACTIVATION_EXPLORER_ACTIVATIONS,
                    ACTIVATION_EXPLORER_ACTIVATIONS.index(activation),
                    "menu",
                ),
                static_explorer.Control("slope / alpha", tuple(f"{p:g}" for p in parameters), parameter_index),
                static_explorer.Control("initializer", initializers, initializers.index(kernel_initializer), "menu"),
                static_explorer.Control("input std", tuple(f"{s:g}" for s in stds), std_index),
            ],
            [
                static_explorer.PanelStyle(
                    xlabel="pre-activation z", ylabel="f(z) and f′(z)", hlines=[(0.0, None)], height=300
                ),
                static_explorer.PanelStyle(
                    xlabel="hidden layer (input → output)",
                    ylabel="mean of the layer's outputs",
                    hlines=[(0.0, None)],
                    height=280,
                ),
                static_explorer.PanelStyle(
                    title="Std per layer",
                    xlabel="hidden layer (input → output)",
                    ylabel="std of the layer's outputs",
                    hlines=[(1.0, None)],
                    height=280,
                ),
            ],
            views,
            alt=(
                "Three panels, one above the other, for {0} (slope or alpha {1}) with the {2} initializer "
                "and inputs of std {3}: the function and its derivative, then the mean and the std of "
                f"each of the {num_layers} hidden layers' outputs."
            ),
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
                layout=_SLIDER_LAYOUT,
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
                layout=_SLIDER_LAYOUT,
                continuous_update=False,
            ),
        },
        draw,
        book,
    )
