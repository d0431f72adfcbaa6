import matplotlib.pyplot as plt
import numpy as np
import pytest
from numpy.testing import assert_allclose

from utils import diagnostics, widgets


@pytest.fixture(scope="module")
def digits_batch():
    from utils import data

    digits = data.load_digits()
    return digits.x_train[:256], digits.y_train[:256]


def note(ax):
    (text,) = ax.texts
    return text.get_text()


def test_plot_gradient_norm_profile_draws_the_pure_function(digits_batch):
    x, y = digits_batch
    ax = widgets.plot_gradient_norm_profile(6, 0.125, "tanh", x, y, seed=2)
    expected = diagnostics.gradient_norms_at_init(6, 0.125, "tanh", x, y, seed=2)
    (line,) = ax.get_lines()
    assert_allclose(line.get_ydata(), expected, rtol=1e-6)
    assert ax.get_yscale() == "log" and ax.get_xlabel() and ax.get_ylabel()
    assert ax.get_title() == "tanh, 6 layers, weights N(0, 0.125²)"
    ratio = expected[0] / expected[-1]
    assert f"first / last layer: {ratio:.1e}" in note(ax)
    assert f"per layer: ×{ratio ** (1 / 5):.2f}" in note(ax)
    low, high = ax.get_ylim()
    assert high / low >= 100, "a level profile spans at least two decades"


def test_plot_gradient_norm_profile_reports_underflow(digits_batch):
    # 40 sigmoid layers with Glorot-sized weights: the first layers' gradients underflow float32.
    x, y = digits_batch
    norms = diagnostics.gradient_norms_at_init(40, 0.125, "sigmoid", x, y)
    zeros = int(np.sum(norms == 0))
    assert zeros > 0
    ax = widgets.plot_gradient_norm_profile(40, 0.125, "sigmoid", x, y)
    assert f"{zeros} layer(s) at exactly 0 (underflow), not drawn" in note(ax)
    assert "first / last" not in note(ax)
    assert np.isnan(ax.get_lines()[0].get_ydata()[:zeros]).all()


def test_explorer_defaults_and_controls(digits_batch):
    explorer = widgets.gradient_norm_explorer(*digits_batch)
    controls, output = explorer.children
    depth, scale, activation = controls.children
    assert (depth.value, depth.min, depth.max) == (20, 2, 40)
    assert scale.value == 0.125 and scale.label == "0.125 = 1/√64"
    assert activation.value == "tanh" and tuple(activation.options) == widgets.GRADIENT_EXPLORER_ACTIVATIONS


def test_explorer_is_a_thin_wrapper_that_redraws_on_every_change(monkeypatch, digits_batch):
    calls = []

    def fake_plot(num_layers, weight_std, activation, x, y, ax=None, *, seed=0):
        calls.append((num_layers, weight_std, activation, seed))
        return ax

    monkeypatch.setattr(widgets, "plot_gradient_norm_profile", fake_plot)
    explorer = widgets.gradient_norm_explorer(*digits_batch, num_layers=10, weight_std=1.0,
                                              activation="relu", seed=5)
    depth, scale, activation = explorer.children[0].children
    assert calls == [(10, 1.0, "relu", 5)]
    depth.value = 30
    scale.value = 0.01
    activation.value = "sigmoid"
    assert calls[1:] == [(30, 1.0, "relu", 5), (30, 0.01, "relu", 5), (30, 0.01, "sigmoid", 5)]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"num_layers": 1}, r"^num_layers must be an integer in \[2, 40\]; got 1$"),
        ({"weight_std": 0.2}, r"^weight_std must be one of 0.01, 0.03, .*, 2; got 0.2$"),
        ({"activation": "elu"}, r"^activation must be one of 'linear', 'sigmoid', 'tanh', 'relu'; got 'elu'$"),
    ],
)
def test_explorer_bad_arguments(kwargs, message, digits_batch):
    with pytest.raises(ValueError, match=message) as error:
        widgets.gradient_norm_explorer(*digits_batch, **kwargs)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_explorer_physics_slope_and_level(seed, digits_batch):
    # What chapter 1 says about the explorer's settings (20 layers, 64 units).
    x, y = digits_batch

    def norms(weight_std, activation):
        return diagnostics.gradient_norms_at_init(20, weight_std, activation, x, y, seed=seed)

    def level(values):
        return 0.1 < values[0] / values[-1] < 10

    default = norms(0.125, "tanh")
    assert level(default) and 0.01 < default.min() and default.max() < 10
    assert level(norms(2**0.5 / 8, "relu"))
    # The weight gradient is (backward signal) x (forward signal). With
    # zero-centred activations both shrink or grow together, so the profile
    # stays level and the damage shows in its height.
    tiny = norms(0.03, "tanh")
    assert level(tiny) and tiny.max() < 1e-9
    huge = norms(0.25, "linear")
    assert level(huge) and huge.min() > 1e4
    # When the forward signal keeps its size (saturated tanh, the sigmoid's
    # mean of 0.5), the profile slopes.
    exploding = norms(1.0, "tanh")
    assert exploding[0] / exploding[-1] > 1e4
    vanishing = norms(0.125, "sigmoid")
    assert vanishing[0] / vanishing[-1] < 1e-9


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


@pytest.mark.parametrize("activation", list(widgets.ACTIVATION_PROFILE_ACTIVATIONS))
def test_matching_initializer_is_offered(activation):
    assert widgets.matching_initializer(activation) in widgets.ACTIVATION_PROFILE_INITIALIZERS


def test_make_activation_binds_the_parameter():
    z = np.array([-2.0, -0.5, 0.0, 1.5], dtype="float32")
    assert_allclose(np.asarray(widgets.make_activation("leaky_relu", 0.1)(z)), [-0.2, -0.05, 0.0, 1.5], rtol=1e-6)
    assert_allclose(np.asarray(widgets.make_activation("elu", 2.0)(z)), 2.0 * np.expm1(np.minimum(z, 0)) + np.maximum(z, 0),
                    rtol=1e-6)
    assert_allclose(np.asarray(widgets.make_activation("relu", 5.0)(z)), [0.0, 0.0, 0.0, 1.5])


def test_profile_derivative_matches_the_formula():
    profile = widgets.compute_activation_profile("elu", 0.5, num_layers=2, units=8)
    expected = np.where(profile.z > 0, 1.0, 0.5 * np.exp(np.minimum(profile.z, 0)))
    mask = np.abs(profile.z) > 1e-6
    assert_allclose(profile.derivative[mask], expected[mask], rtol=1e-5)
    assert profile.parameter == 0.5 and profile.kernel_initializer == "he_normal"


def test_selu_profile_self_normalizes_and_is_reproducible():
    first = widgets.compute_activation_profile("selu", num_layers=20, units=64, seed=1)
    second = widgets.compute_activation_profile("selu", num_layers=20, units=64, seed=1)
    assert_allclose(first.std, second.std)
    assert first.parameter is None
    assert np.all(np.abs(first.mean) < 0.25) and np.all(np.abs(first.std - 1) < 0.25)


def test_bad_arguments_raise_value_errors():
    with pytest.raises(ValueError, match="activation must be one of"):
        widgets.compute_activation_profile("rleu")
    with pytest.raises(ValueError, match="kernel_initializer must be one of"):
        widgets.compute_activation_profile("relu", kernel_initializer="zeros")
    with pytest.raises(ValueError, match="parameter must be"):
        widgets.make_activation("leaky_relu", -1.0)
    with pytest.raises(ValueError, match="input_std must be"):
        widgets.compute_activation_profile("relu", input_std=0)


def test_plot_activation_profile_draws_three_labelled_panels():
    profile = widgets.compute_activation_profile("leaky_relu", 0.2, num_layers=4, units=8)
    axes = widgets.plot_activation_profile(profile)
    assert axes.shape == (3,)
    assert all(ax.get_xlabel() and ax.get_ylabel() and ax.get_title() for ax in axes)
    assert axes[2].get_yscale() == "linear"  # the std stays within a factor of 10 here
    # ReLU with Glorot halves the variance at every layer: 20 layers span decades.
    vanishing = widgets.compute_activation_profile("relu", num_layers=20, kernel_initializer="glorot_uniform")
    assert vanishing.std[-1] < vanishing.std[0] / 10
    assert widgets.plot_activation_profile(vanishing)[2].get_yscale() == "log"
    assert len(axes[1].get_lines()[0].get_xdata()) == 4
    with pytest.raises(ValueError, match="axes must hold three"):
        widgets.plot_activation_profile(profile, axes=plt.subplots(1, 2)[1])


def test_activation_explorer_builds():
    explorer = widgets.activation_explorer(num_layers=3, units=8)
    names = [child.description for child in explorer.children[:-1]]
    assert names == ["activation", "slope / alpha", "initializer", "input std"]


def test_display_figure_shows_a_png_with_escaped_alt_text_and_closes_the_figure():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    image = widgets.display_figure(fig, 'Std per layer for "tanh" & <glorot>')
    assert image.data.startswith('<img src="data:image/png;base64,iVBORw0KGgo')
    assert image.data.endswith('alt="Std per layer for &quot;tanh&quot; &amp; &lt;glorot&gt;">')
    assert not plt.fignum_exists(fig.number)
    with pytest.raises(ValueError, match=r"^alt must be a non-empty description of the figure; got ' '$"):
        widgets.display_figure(plt.figure(), " ")


@pytest.fixture
def shown_alts(monkeypatch):
    """The alt text of every figure the explorers display."""
    alts = []

    def record(fig, alt):
        plt.close(fig)
        alts.append(alt)

    monkeypatch.setattr(widgets, "display_figure", record)
    return alts


def test_every_explorer_describes_its_current_figure(shown_alts, digits_batch, probe):
    explorer = widgets.gradient_norm_explorer(*digits_batch)
    explorer.children[0].children[0].value = 12
    assert shown_alts == [
        "Gradient norm per hidden layer, log scale, for a 20-layer tanh network with weight std 0.125 = 1/√64.",
        "Gradient norm per hidden layer, log scale, for a 12-layer tanh network with weight std 0.125 = 1/√64.",
    ]
    shown_alts.clear()
    explorer = widgets.initialization_explorer(*probe)
    explorer.children[1].value = "he_normal"
    assert shown_alts == [
        "Activation std per hidden layer, log scale, for 30 relu layers of 100 units initialized with glorot_normal.",
        "Activation std per hidden layer, log scale, for 30 relu layers of 100 units initialized with he_normal.",
    ]
    shown_alts.clear()
    explorer = widgets.activation_explorer(num_layers=3, units=8)
    explorer.children[0].value = "selu"
    assert shown_alts == [
        "Three panels for leaky_relu (0.2) with he_normal, inputs of std 1: the function and its derivative, "
        "then the mean and the std of each of the 3 hidden layers' outputs.",
        "Three panels for selu with lecun_normal, inputs of std 1: the function and its derivative, "
        "then the mean and the std of each of the 3 hidden layers' outputs.",
    ]
