"""utils.widgets: the explorers' controls. The experiments and plots they call are tested on their own."""

import html
import json
import re

import ipywidgets
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest

from utils import experiments, plotting, widgets


@pytest.fixture(scope="module")
def probe():
    rng = np.random.default_rng(0)
    return rng.standard_normal((64, 16)).astype("float32"), rng.integers(0, 4, 64)


@pytest.fixture
def fake_experiments(monkeypatch):
    """Instant stand-ins for the three experiments; records every call's settings, in order."""
    monkeypatch.setitem(mpl.rcParams, "figure.dpi", 20)  # small PNGs: the figure's content is not tested here
    calls = []

    def gradient_norms_at_init(x, y, **settings):
        calls.append(settings)
        return np.geomspace(1e-3, 1.0, settings["num_layers"])

    def compute_signal_propagation(x, y, **settings):
        calls.append(settings)
        layers = settings["num_layers"]
        return experiments.SignalPropagation(np.geomspace(1.0, 0.1, layers), np.ones(layers))

    def compute_activation_profile(**settings):
        calls.append(settings)
        z = np.linspace(-4, 4, 9)
        layers = settings["num_layers"]
        return experiments.ActivationProfile(
            activation=settings["activation"],
            parameter=None if settings["activation"] not in ("leaky_relu", "elu") else float(settings["parameter"]),
            kernel_initializer=settings["kernel_initializer"] or "he_normal",
            z=z,
            values=np.tanh(z),
            derivative=1 - np.tanh(z) ** 2,
            mean=np.zeros(layers),
            std=np.ones(layers),
        )

    for function in (gradient_norms_at_init, compute_signal_propagation, compute_activation_profile):
        monkeypatch.setattr(experiments, function.__name__, function)
    return calls


def controls(explorer):
    """{description: control} of an explorer's row of controls."""
    return {control.description: control for control in explorer.children[0].children}


def figure_alt(explorer):
    """The alt text of the figure in the explorer's widget state (what a saved notebook shows)."""
    value = explorer.children[1].get_state()["value"]
    assert value.startswith('<img src="data:image/png;base64,iVBORw0KGgo'), value[:60]
    (alt,) = re.findall(r' alt="([^"]*)"', value)
    return html.unescape(alt)


EXPLORERS = {
    "gradient_norm": lambda x, y, **kw: widgets.gradient_norm_explorer(x, y, **kw),
    "initialization": lambda x, y, **kw: widgets.initialization_explorer(x, y, **kw),
    "activation": lambda x, y, **kw: widgets.activation_explorer(**kw),
}
DESCRIPTIONS = {
    "gradient_norm": ["hidden layers", "weight std σ", "activation"],
    "initialization": ["activation", "initializer", "depth", "width"],
    "activation": ["activation", "slope / alpha", "initializer", "input std"],
}


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_each_explorer_is_a_row_of_controls_above_an_html_figure(name, probe, fake_experiments):
    explorer = EXPLORERS[name](*probe)
    assert isinstance(explorer, ipywidgets.VBox)
    row, figure = explorer.children
    assert isinstance(row, ipywidgets.HBox) and isinstance(figure, ipywidgets.HTML)
    assert list(controls(explorer)) == DESCRIPTIONS[name]
    assert figure_alt(explorer)
    assert len(fake_experiments) == 1, "one measurement for the starting figure"
    assert plt.get_fignums() == [], "the figure is closed once it is in the widget"


def test_gradient_norm_explorer_defaults(probe, fake_experiments):
    explorer = widgets.gradient_norm_explorer(*probe)
    depth, scale, activation = controls(explorer).values()
    assert (depth.value, depth.min, depth.max) == (20, 2, 40)
    assert scale.value == 0.125 and scale.label == "0.125 = 1/√64"
    assert [tuple(option) for option in scale.options] == list(widgets.GRADIENT_EXPLORER_WEIGHT_STDS)
    assert activation.value == "tanh" and tuple(activation.options) == widgets.GRADIENT_EXPLORER_ACTIVATIONS
    assert fake_experiments == [{"num_layers": 20, "weight_std": 0.125, "activation": "tanh", "seed": 0}]
    assert figure_alt(explorer) == (
        "Gradient norm per hidden layer, log scale, for a 20-layer tanh network with weight std 0.125 = 1/√64."
    )


def test_initialization_explorer_defaults(probe, fake_experiments):
    explorer = widgets.initialization_explorer(*probe)
    values = {name: control.value for name, control in controls(explorer).items()}
    assert values == {"activation": "relu", "initializer": "glorot_normal", "depth": 30, "width": 100}
    assert fake_experiments == [
        {"activation": "relu", "kernel_initializer": "glorot_normal", "num_layers": 30, "units": 100, "seed": 0}
    ]


def test_activation_explorer_defaults(fake_experiments):
    explorer = widgets.activation_explorer()
    values = {name: control.value for name, control in controls(explorer).items()}
    assert values == {"activation": "leaky_relu", "slope / alpha": 0.2, "initializer": "matching", "input std": 1.0}
    # "matching" leaves the choice to compute_activation_profile.
    assert fake_experiments == [
        {
            "activation": "leaky_relu",
            "parameter": 0.2,
            "kernel_initializer": None,
            "num_layers": 30,
            "units": 64,
            "input_std": 1.0,
            "num_examples": widgets.ACTIVATION_EXPLORER_EXAMPLES,
        }
    ]


def test_the_starting_values_are_the_controls_values(probe, fake_experiments):
    explorer = widgets.gradient_norm_explorer(*probe, num_layers=10, weight_std=1.0, activation="relu", seed=5)
    assert [c.value for c in controls(explorer).values()] == [10, 1.0, "relu"]
    explorer = widgets.initialization_explorer(
        *probe, activation="selu", kernel_initializer="lecun_normal", num_layers=4, units=16, seed=2
    )
    assert [c.value for c in controls(explorer).values()] == ["selu", "lecun_normal", 4, 16]
    explorer = widgets.activation_explorer(
        activation="elu", parameter=0.5, kernel_initializer="he_uniform", input_std=2.0, num_layers=3, units=8
    )
    assert [c.value for c in controls(explorer).values()] == ["elu", 0.5, "he_uniform", 2.0]
    assert fake_experiments == [
        {"num_layers": 10, "weight_std": 1.0, "activation": "relu", "seed": 5},
        {"activation": "selu", "kernel_initializer": "lecun_normal", "num_layers": 4, "units": 16, "seed": 2},
        {
            "activation": "elu",
            "parameter": 0.5,
            "kernel_initializer": "he_uniform",
            "num_layers": 3,
            "units": 8,
            "input_std": 2.0,
            "num_examples": widgets.ACTIVATION_EXPLORER_EXAMPLES,
        },
    ]


def test_activation_explorer_is_keyword_only():
    with pytest.raises(TypeError):
        widgets.activation_explorer("relu")


@pytest.mark.parametrize(
    "name, kwargs, message",
    [
        ("gradient_norm", {"num_layers": 1}, r"^num_layers must be an integer in \[2, 40\]; got 1$"),
        ("gradient_norm", {"num_layers": 41}, r"^num_layers must be an integer in \[2, 40\]; got 41$"),
        ("gradient_norm", {"num_layers": 2.5}, r"^num_layers must be an integer in \[2, 40\]; got 2.5$"),
        ("gradient_norm", {"weight_std": 0.2}, r"^weight_std must be one of 0.01, 0.03, .*, 2.0; got 0.2$"),
        (
            "gradient_norm",
            {"activation": "elu"},
            r"^activation must be one of 'linear', 'sigmoid', 'tanh', 'relu'; got 'elu' \(did you mean 'relu'\?\)$",
        ),
        ("gradient_norm", {"seed": -1}, r"^seed must be a non-negative integer; got -1$"),
        ("initialization", {"activation": "elu"}, r"^activation must be one of 'tanh', 'sigmoid', 'relu', 'selu'; "),
        (
            "initialization",
            {"kernel_initializer": "he_nromal"},
            r"^kernel_initializer must be one of 'glorot_uniform', .*; got 'he_nromal' \(did you mean 'he_normal'\?\)$",
        ),
        ("initialization", {"num_layers": 51}, r"^num_layers must be an integer in \[2, 50\]; got 51$"),
        ("initialization", {"units": 4}, r"^units must be an integer in \[8, 256\]; got 4$"),
        ("initialization", {"seed": "0"}, r"^seed must be a non-negative integer; got '0'$"),
        ("activation", {"activation": "gelu"}, r"^activation must be one of 'relu', 'leaky_relu', .*; got 'gelu'"),
        ("activation", {"parameter": 2.5}, r"^parameter must be a number in \[0, 2\]; got 2.5$"),
        ("activation", {"parameter": -0.1}, r"^parameter must be a number in \[0, 2\]; got -0.1$"),
        ("activation", {"kernel_initializer": "xavier"}, r"^kernel_initializer must be one of 'matching', "),
        ("activation", {"input_std": 20}, r"^input_std must be a number in \[0.1, 10\]; got 20$"),
        ("activation", {"num_layers": 0}, r"^num_layers must be a positive integer; got 0$"),
        ("activation", {"units": 0}, r"^units must be a positive integer; got 0$"),
    ],
)
def test_a_bad_starting_value_raises_a_one_line_value_error_before_measuring(
    name, kwargs, message, probe, fake_experiments
):
    with pytest.raises(ValueError, match=message) as error:
        EXPLORERS[name](*probe, **kwargs)
    assert "\n" not in str(error.value)
    assert fake_experiments == [], "nothing is measured with a bad starting value"


def test_changing_a_gradient_control_redraws_with_the_new_setting(probe, fake_experiments):
    explorer = widgets.gradient_norm_explorer(*probe, num_layers=10, weight_std=1.0, activation="relu", seed=5)
    depth, scale, activation = controls(explorer).values()
    depth.value = 30
    assert "30-layer relu network with weight std 1." in figure_alt(explorer)
    scale.value = 0.01
    assert figure_alt(explorer).endswith("30-layer relu network with weight std 0.01.")
    activation.value = "sigmoid"
    assert figure_alt(explorer).endswith("30-layer sigmoid network with weight std 0.01.")
    assert fake_experiments[1:] == [
        {"num_layers": 30, "weight_std": 1.0, "activation": "relu", "seed": 5},
        {"num_layers": 30, "weight_std": 0.01, "activation": "relu", "seed": 5},
        {"num_layers": 30, "weight_std": 0.01, "activation": "sigmoid", "seed": 5},
    ]
    assert plt.get_fignums() == []


def test_changing_an_initialization_control_redraws_with_the_new_setting(probe, fake_experiments):
    explorer = widgets.initialization_explorer(*probe, num_layers=4, units=16)
    alts = [figure_alt(explorer)]
    for description, value in [("initializer", "he_normal"), ("activation", "tanh"), ("depth", 6), ("width", 24)]:
        controls(explorer)[description].value = value
        alts.append(figure_alt(explorer))
    assert alts == [
        f"Activation std per hidden layer, log scale, for {layers} {activation} layers of {units} units "
        f"initialized with {initializer}."
        for activation, initializer, layers, units in [
            ("relu", "glorot_normal", 4, 16),
            ("relu", "he_normal", 4, 16),
            ("tanh", "he_normal", 4, 16),
            ("tanh", "he_normal", 6, 16),
            ("tanh", "he_normal", 6, 24),
        ]
    ]
    assert [call["units"] for call in fake_experiments] == [16, 16, 16, 16, 24]


def test_changing_an_activation_control_redraws_with_the_new_setting(fake_experiments):
    explorer = widgets.activation_explorer(num_layers=3, units=8)
    assert figure_alt(explorer).startswith("Three panels for leaky_relu (0.2) with he_normal, inputs of std 1:")
    controls(explorer)["slope / alpha"].value = 0.5
    assert figure_alt(explorer).startswith("Three panels for leaky_relu (0.5) with he_normal, inputs of std 1:")
    controls(explorer)["initializer"].value = "glorot_uniform"
    assert figure_alt(explorer).startswith("Three panels for leaky_relu (0.5) with glorot_uniform, inputs of std 1:")
    controls(explorer)["input std"].value = 10.0
    assert figure_alt(explorer).startswith("Three panels for leaky_relu (0.5) with glorot_uniform, inputs of std 10:")
    controls(explorer)["activation"].value = "selu"
    assert figure_alt(explorer) == (
        "Three panels for selu with glorot_uniform, inputs of std 10: the function and its derivative, "
        "then the mean and the std of each of the 3 hidden layers' outputs."
    )
    assert [call["kernel_initializer"] for call in fake_experiments] == [None, None] + ["glorot_uniform"] * 3


def test_initialization_explorer_draws_the_inputs_std(monkeypatch, probe, fake_experiments):
    drawn = []

    def plot_signal_propagation(activation_std, **settings):
        drawn.append(settings["input_std"])
        return real(activation_std, **settings)

    real = plotting.plot_signal_propagation
    monkeypatch.setattr(plotting, "plot_signal_propagation", plot_signal_propagation)
    widgets.initialization_explorer(*probe, num_layers=2, units=8)
    assert drawn == [pytest.approx(float(np.std(probe[0])))]


@pytest.mark.parametrize(
    "name, change, alt",
    [
        ("gradient_norm", ("activation", "relu"), "for a 3-layer relu network with weight std 0.125 = 1/√64."),
        ("initialization", ("initializer", "he_normal"), "for 3 relu layers of 8 units initialized with he_normal."),
        ("activation", ("activation", "selu"), "Three panels for selu with lecun_normal, inputs of std 1:"),
    ],
)
def test_the_explorers_measure_for_real(name, change, alt, probe):
    # Without stand-ins: each explorer's figure comes from its experiment, and a change recomputes it.
    explorer = EXPLORERS[name](*probe, num_layers=3, **({} if name == "gradient_norm" else {"units": 8}))
    before = explorer.children[1].value
    description, value = change
    controls(explorer)[description].value = value
    assert alt in figure_alt(explorer)
    assert explorer.children[1].value != before
    assert plt.get_fignums() == []


# --- The book's rendering: the same explorer, measured ahead over its controls' grid -----------


def book_data(explorer):
    """The controls and views the book's rendering of an explorer carries (its JSON)."""
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle, "a live notebook still gets the widget"
    page = bundle["text/html"]
    (payload,) = re.findall(r'<script type="application/json" class="tg-explorer-data">(.*?)</script>', page, re.S)
    return json.loads(payload.replace("<\\/", "</")), page


def starting_view(data, page):
    """The lines the book draws at the explorer's starting setting: one list of arrays per panel."""
    selected = [int(m) for m in re.findall(r'type="range" id="[^"]+" min="0" max="\d+" step="1" value="(\d+)"', page)]
    menus = [
        [bool(re.search(r"<option selected>", option)) for option in re.findall(r"<option[^>]*>", select)].index(True)
        for select in re.findall(r"<select[^>]*>(.*?)</select>", page)
    ]
    sliders, menus = iter(selected), iter(menus)
    indexes, points = [], None
    for control, tag in zip(data["controls"], re.findall(r"<(select|input) ", page), strict=True):
        index = next(menus) if tag == "select" else next(sliders)
        if control["truncates"]:
            points = int(control["options"][index])
        else:
            indexes.append(index)
    parts = [data["parts"][i] for i in data["views"]["-".join(map(str, indexes))]]
    return [
        [
            np.array(data["series"][line if isinstance(line, int) else line["y"]][:points], dtype=float)
            for line in part["lines"]
        ]
        for part in parts
    ]


@pytest.fixture(scope="module")
def gradient_book(probe):
    """The gradient-norm explorer started at 7 layers (a depth off the book's grid), and its book data.

    Measuring the book's grid is the costly part: the two tests that read it share one measurement.
    """
    explorer = widgets.gradient_norm_explorer(*probe, num_layers=7)
    return explorer, *book_data(explorer)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_the_book_rendering_starts_where_the_live_widget_starts(name, probe, request):
    """The book's first figure shows the numbers the live widget measures at the same setting."""
    x, y = probe
    if name == "gradient_norm":
        explorer, data, page = request.getfixturevalue("gradient_book")  # started at num_layers=7
    else:
        settings = {"num_layers": 6} if name == "initialization" else {"num_layers": 4, "units": 8}
        explorer = EXPLORERS[name](x, y, **settings)
        data, page = book_data(explorer)
    assert [c["label"] for c in data["controls"]] == DESCRIPTIONS[name]
    lines = starting_view(data, page)
    if name == "gradient_norm":
        expected = [[experiments.gradient_norms_at_init(x, y, num_layers=7, weight_std=0.125, activation="tanh")]]
    elif name == "initialization":
        result = experiments.compute_signal_propagation(
            x, y, activation="relu", kernel_initializer="glorot_normal", num_layers=6, units=100
        )
        expected = [[result.activation_std]]
    else:
        profile = experiments.compute_activation_profile(
            activation="leaky_relu",
            parameter=0.2,
            num_layers=4,
            units=8,
            num_examples=widgets.ACTIVATION_EXPLORER_EXAMPLES,
        )
        expected = [[profile.values[::2], profile.derivative[::2]], [profile.mean], [profile.std]]
    assert len(lines) == len(expected)
    for drawn, measured in zip(lines, expected, strict=True):
        for a, b in zip(drawn, measured, strict=True):
            np.testing.assert_allclose(a, b, rtol=6e-3, atol=1e-6)  # three significant digits
    assert explorer.book_html() is explorer.book_html(), "measured once, however often it is displayed"


@pytest.mark.slow
def test_every_book_control_offers_the_grid_and_the_starting_value(gradient_book):
    _, data, _ = gradient_book  # started at num_layers=7
    depth, scale, activation = data["controls"]
    assert depth["options"] == sorted({*map(str, widgets.GRADIENT_EXPLORER_BOOK_DEPTHS), "7"}, key=int)
    assert scale["options"] == [label for label, _ in widgets.GRADIENT_EXPLORER_WEIGHT_STDS]
    assert activation["options"] == list(widgets.GRADIENT_EXPLORER_ACTIVATIONS)
    assert len(data["views"]) == len(depth["options"]) * len(scale["options"]) * len(activation["options"])
