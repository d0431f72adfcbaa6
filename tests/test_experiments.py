"""utils.experiments: fresh seeded networks measured with utils.diagnostics; data first, settings by keyword."""

import inspect

import keras
import numpy as np
import pytest
from numpy.testing import assert_allclose

from utils import diagnostics, experiments, initializers, models, setup


@pytest.fixture(scope="module")
def digits_batch():
    from utils import data

    digits = data.load_digits()
    return digits.x_train[:256], digits.y_train[:256]


@pytest.fixture(scope="module")
def probe():
    rng = np.random.default_rng(0)
    return rng.standard_normal((64, 16)).astype("float32"), rng.integers(0, 4, 64)


@pytest.mark.parametrize(
    "function, data",
    [
        (experiments.compute_signal_propagation, ["x", "y"]),
        (experiments.compute_signal_propagation_over_seeds, ["x", "y"]),
        (experiments.gradient_norms_at_init, ["x", "y"]),
        (experiments.compute_activation_profile, []),
        (experiments.activation_curve, []),
        (experiments.gradient_norms_at_init_grid, ["x", "y"]),
        (experiments.layer_statistics_grid, ["x"]),
    ],
)
def test_data_first_then_keyword_only_settings(function, data):
    parameters = inspect.signature(function).parameters.values()
    assert [p.name for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD] == data
    assert all(p.kind is p.KEYWORD_ONLY for p in parameters if p.name not in data)


def test_settings_cannot_be_passed_by_position(probe):
    with pytest.raises(TypeError):
        experiments.compute_signal_propagation(*probe, "tanh")
    with pytest.raises(TypeError):
        experiments.gradient_norms_at_init(*probe, 3, 0.1, "tanh")
    with pytest.raises(TypeError):
        experiments.compute_activation_profile("elu", 0.5)


# --- compute_signal_propagation ----------------------------------------------------------------------------------


def test_compute_signal_propagation_shapes_and_determinism(batch):
    x, y = batch
    settings = {"activation": "tanh", "kernel_initializer": "glorot_normal", "num_layers": 5, "units": 16}
    first = experiments.compute_signal_propagation(x, y, **settings, seed=3)
    setup.set_seed(123)  # the global random state plays no part
    again = experiments.compute_signal_propagation(x, y, **settings, seed=3)
    assert isinstance(first, experiments.SignalPropagation)
    assert first.activation_std.shape == first.gradient_norms.shape == (5,)
    assert_allclose(first.activation_std, again.activation_std)
    assert_allclose(first.gradient_norms, again.gradient_norms)
    other = experiments.compute_signal_propagation(x, y, **settings, seed=4)
    assert not np.allclose(first.activation_std, other.activation_std)


def test_compute_signal_propagation_measures_the_model_it_describes(probe):
    # The same network built by hand, with the initializer re-seeded the same way, gives the same numbers.
    x, y = probe
    result = experiments.compute_signal_propagation(
        x, y, activation="tanh", kernel_initializer="he_uniform", num_layers=3, units=8, seed=5
    )
    model = models.build_mlp(3, 8, "tanh", models.seeded_initializer("he_uniform", 5), input_dim=16, num_classes=4)
    assert_allclose(result.activation_std, diagnostics.activation_stats(model, x).std, rtol=1e-6)
    assert_allclose(result.gradient_norms, diagnostics.gradient_norms(model, x, y), rtol=1e-6)


def test_compute_signal_propagation_num_classes(probe):
    x, y = probe
    # Four labels (0-3): by default a 4-unit output; a wider output changes the loss, so the gradients.
    default = experiments.compute_signal_propagation(x, y, num_layers=2, units=8)
    explicit = experiments.compute_signal_propagation(x, y, num_layers=2, units=8, num_classes=4)
    wider = experiments.compute_signal_propagation(x, y, num_layers=2, units=8, num_classes=10)
    assert_allclose(default.gradient_norms, explicit.gradient_norms)
    assert not np.allclose(default.gradient_norms, wider.gradient_norms)


def test_compute_signal_propagation_relu_glorot_halves_the_second_moment(batch):
    # With ReLU, Glorot (1 / fan_in on square layers) halves E[x^2] per layer; He keeps it.
    x, y = batch
    glorot = experiments.compute_signal_propagation(x, y, kernel_initializer="glorot_normal", num_layers=20, units=256)
    he = experiments.compute_signal_propagation(x, y, kernel_initializer="he_normal", num_layers=20, units=256)
    per_layer = (glorot.activation_std[-1] / glorot.activation_std[1]) ** (1 / 18)
    assert per_layer == pytest.approx(np.sqrt(0.5), rel=0.05)
    assert 0.2 < he.activation_std[-1] / he.activation_std[1] < 5


def test_compute_signal_propagation_accepts_initializer_instances(batch):
    x, y = batch
    result = experiments.compute_signal_propagation(
        x, y, kernel_initializer=initializers.LecunNormal(), activation="selu", num_layers=3, units=8
    )
    assert np.all(result.activation_std > 0)
    # An unseeded instance is re-seeded: the result depends on `seed` only.
    again = experiments.compute_signal_propagation(
        x, y, kernel_initializer=initializers.LecunNormal(), activation="selu", num_layers=3, units=8
    )
    assert_allclose(result.activation_std, again.activation_std)


def same(x, y):
    return x, y


@pytest.mark.parametrize(
    "data, kwargs, message",
    [
        (same, {"kernel_initializer": 3}, r"^kernel_initializer must be a Keras initializer name or a keras.init"),
        (same, {"kernel_initializer": "xavier"}, r"^kernel_initializer must be one of 'glorot_uniform', "),
        (same, {"activation": "rleu"}, r"^activation must be one of .*\(did you mean 'relu'\?\)$"),
        (same, {"seed": -1}, r"^seed must be a non-negative integer; got -1$"),
        (same, {"seed": 1.5}, r"^seed must be a non-negative integer; got 1.5$"),
        (same, {"num_layers": 0}, r"^num_layers must be a positive integer; got 0$"),
        (same, {"units": 0}, r"^units must be a positive integer; got 0$"),
        (same, {"num_classes": 0}, r"^num_classes must be a positive integer; got 0$"),
        (same, {"num_classes": 3}, r"^num_classes must be greater than every label in y \(max 3\); got 3$"),
        (
            lambda x, y: (x, y.astype(float)),
            {},
            r"^y must hold one non-negative class index per example of x \(64\); got shape \(64,\) and dtype float",
        ),
        (
            lambda x, y: (x, y[:-1]),
            {},
            r"^y must hold one non-negative class index per example of x \(64\); got shape \(63,\)",
        ),
        (
            lambda x, y: (x[0], y),
            {},
            r"^x must be a non-empty batch with shape \(examples, features\); got shape \(16,\)$",
        ),
    ],
)
def test_compute_signal_propagation_bad_arguments(probe, data, kwargs, message):
    with pytest.raises(ValueError, match=message) as error:
        experiments.compute_signal_propagation(*data(*probe), **{"num_layers": 2, "units": 4, **kwargs})
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    "activation, initializer",
    [
        ("tanh", keras.initializers.VarianceScaling(2.0, "fan_in", "untruncated_normal")),
        ("selu", "lecun_normal"),
        (lambda: keras.layers.LeakyReLU(negative_slope=0.2), "he_uniform"),
    ],
    ids=["tanh", "selu", "leaky relu layers"],
)
def test_over_seeds_equals_one_fresh_network_per_seed(probe, activation, initializer):
    settings = {"activation": activation, "kernel_initializer": initializer, "num_layers": 6, "units": 8}
    results = experiments.compute_signal_propagation_over_seeds(*probe, seeds=np.array([3, 0, 3]), **settings)
    assert len(results) == 3
    for seed, result in zip((3, 0, 3), results, strict=True):
        alone = experiments.compute_signal_propagation(*probe, seed=seed, **settings)
        np.testing.assert_array_equal(result.activation_std, alone.activation_std)
        np.testing.assert_array_equal(result.gradient_norms, alone.gradient_norms)
    assert not np.array_equal(results[0].gradient_norms, results[1].gradient_norms)


def test_over_seeds_bad_seeds(probe):
    with pytest.raises(ValueError, match=r"^seeds must be a non-empty sequence of non-negative integers; got none$"):
        experiments.compute_signal_propagation_over_seeds(*probe, seeds=[], num_layers=2, units=4)


# --- gradient_norms_at_init ----------------------------------------------------------------------------------------


def test_gradient_norms_at_init_is_a_pure_function_of_its_arguments(batch):
    x, y = batch
    # Keras' "random_normal" draws from N(0, 0.05²).
    first = experiments.gradient_norms_at_init(x, y, num_layers=4, weight_std=0.05, activation="tanh", seed=3)
    setup.set_seed(123)  # the global random state plays no part
    assert_allclose(
        experiments.gradient_norms_at_init(x, y, num_layers=4, weight_std=0.05, activation="tanh", seed=3), first
    )
    assert not np.allclose(
        experiments.gradient_norms_at_init(x, y, num_layers=4, weight_std=0.05, activation="tanh", seed=4), first
    )
    model = models.build_mlp(4, 64, "tanh", models.seeded_initializer("random_normal", 3))
    assert_allclose(diagnostics.gradient_norms(model, x, y), first, rtol=1e-6)
    assert model.get_layer("hidden_2").kernel.numpy().std() == pytest.approx(0.05, rel=0.05)


def test_gradient_norms_at_init_is_the_signal_propagations_gradient(probe):
    x, y = probe
    norms = experiments.gradient_norms_at_init(x, y, num_layers=3, weight_std=0.05, activation="relu", units=8, seed=2)
    result = experiments.compute_signal_propagation(
        x,
        y,
        activation="relu",
        kernel_initializer="random_normal",  # N(0, 0.05²)
        num_layers=3,
        units=8,
        seed=2,
    )
    assert_allclose(norms, result.gradient_norms)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"weight_std": 0.0}, r"^weight_std must be a positive number; got 0.0$"),
        ({"weight_std": "1"}, r"^weight_std must be a positive number; got '1'$"),
        ({"seed": -1}, r"^seed must be a non-negative integer; got -1$"),
        ({"activation": "sigmod"}, r"^activation must be one of .*\(did you mean 'sigmoid'\?\)$"),
        ({"num_layers": 0}, r"^num_layers must be a positive integer; got 0$"),
    ],
)
def test_gradient_norms_at_init_bad_arguments(kwargs, message, batch):
    arguments = {"num_layers": 3, "weight_std": 0.1, "activation": "tanh", "seed": 0, **kwargs}
    with pytest.raises(ValueError, match=message) as error:
        experiments.gradient_norms_at_init(*batch, **arguments)
    assert "\n" not in str(error.value)


def test_gradient_norms_at_init_needs_integer_labels(batch):
    x, y = batch
    with pytest.raises(ValueError, match=r"^y must hold one non-negative class index per example of x \(256\)"):
        experiments.gradient_norms_at_init(x, y.astype("float32"), num_layers=2, weight_std=0.1, activation="tanh")


def test_deep_sigmoid_gradients_underflow(digits_batch):
    # 40 sigmoid layers with Glorot-sized weights: the first layers' gradients underflow float32 to exactly 0,
    # which plotting.plot_gradient_norm_profile reports.
    norms = experiments.gradient_norms_at_init(*digits_batch, num_layers=40, weight_std=0.125, activation="sigmoid")
    zeros = norms == 0
    assert zeros.any() and not zeros[-1]
    assert np.all(zeros[: int(zeros.sum())]), "the zeros are the layers next to the input"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradient_explorer_physics_slope_and_level(seed, digits_batch):
    # What chapter 1 says about the gradient-norm explorer's settings (20 layers, 64 units).
    x, y = digits_batch

    def norms(weight_std, activation):
        return experiments.gradient_norms_at_init(
            x, y, num_layers=20, weight_std=weight_std, activation=activation, seed=seed
        )

    def level(values):
        return 0.1 < values[0] / values[-1] < 10

    default = norms(0.125, "tanh")
    assert level(default) and 0.01 < default.min() and default.max() < 10
    assert level(norms(2**0.5 / 8, "relu"))
    # The weight gradient is (backward signal) x (forward signal). With zero-centred activations both shrink or
    # grow together, so the profile stays level and the damage shows in its height.
    tiny = norms(0.03, "tanh")
    assert level(tiny) and tiny.max() < 1e-9
    huge = norms(0.25, "linear")
    assert level(huge) and huge.min() > 1e4
    # When the forward signal keeps its size (saturated tanh, the sigmoid's mean of 0.5), the profile slopes.
    exploding = norms(1.0, "tanh")
    assert exploding[0] / exploding[-1] > 1e4
    vanishing = norms(0.125, "sigmoid")
    assert vanishing[0] / vanishing[-1] < 1e-9


# --- compute_activation_profile ------------------------------------------------------------------------------------


def test_profile_derivative_matches_the_formula():
    profile = experiments.compute_activation_profile(activation="elu", parameter=0.5, num_layers=2, units=8)
    assert isinstance(profile, experiments.ActivationProfile)
    assert_allclose(
        profile.values,
        np.where(profile.z > 0, profile.z, 0.5 * np.expm1(np.minimum(profile.z, 0))),
        rtol=1e-5,
        atol=1e-7,
    )
    expected = np.where(profile.z > 0, 1.0, 0.5 * np.exp(np.minimum(profile.z, 0)))
    mask = np.abs(profile.z) > 1e-6
    assert_allclose(profile.derivative[mask], expected[mask], rtol=1e-5)
    assert profile.parameter == 0.5 and profile.kernel_initializer == "he_normal"
    assert profile.mean.shape == profile.std.shape == (2,)


@pytest.mark.parametrize(
    "activation, parameter, expected",
    [
        ("leaky_relu", None, 0.2),
        ("elu", None, 1.0),
        ("leaky_relu", 0.05, 0.05),
        ("relu", 5.0, None),
        ("selu", None, None),
    ],
)
def test_profile_parameter_defaults_and_is_dropped_when_the_activation_has_none(activation, parameter, expected):
    profile = experiments.compute_activation_profile(
        activation=activation, parameter=parameter, num_layers=2, units=4, num_examples=8
    )
    assert profile.parameter == expected
    assert profile.parameter is None or type(profile.parameter) is float


@pytest.mark.parametrize("num_layers", [1, 2])
def test_profile_has_one_statistic_per_hidden_layer(num_layers):
    # num_layers >= 1 is allowed (and the activation explorer accepts 1).
    profile = experiments.compute_activation_profile(num_layers=num_layers, units=4, num_examples=8)
    assert profile.mean.shape == profile.std.shape == (num_layers,)


def test_profile_kernel_initializer_defaults_to_the_matching_one_and_can_be_chosen():
    assert (
        experiments.compute_activation_profile(activation="tanh", num_layers=1, units=4).kernel_initializer
        == "glorot_uniform"
    )
    chosen = experiments.compute_activation_profile(
        activation="tanh", kernel_initializer="he_uniform", num_layers=1, units=4
    )
    assert chosen.kernel_initializer == "he_uniform"


def test_selu_profile_self_normalizes_and_is_reproducible():
    first = experiments.compute_activation_profile(activation="selu", num_layers=20, units=64, seed=1)
    setup.set_seed(99)
    second = experiments.compute_activation_profile(activation="selu", num_layers=20, units=64, seed=1)
    assert_allclose(first.std, second.std)
    assert first.parameter is None and first.kernel_initializer == "lecun_normal"
    assert np.all(np.abs(first.mean) < 0.25) and np.all(np.abs(first.std - 1) < 0.25)
    other = experiments.compute_activation_profile(activation="selu", num_layers=20, units=64, seed=2)
    assert not np.allclose(first.std, other.std)


def test_profile_input_std_scales_a_linear_first_layer():
    # The inputs are drawn with std input_std: with ReLU and He weights, the first layer's std scales with it.
    small = experiments.compute_activation_profile(activation="relu", input_std=0.1, num_layers=2, units=64)
    large = experiments.compute_activation_profile(activation="relu", input_std=10.0, num_layers=2, units=64)
    assert large.std[0] / small.std[0] == pytest.approx(100, rel=1e-3)


def test_relu_with_glorot_vanishes_over_twenty_layers():
    # ReLU with Glorot halves the variance at every layer: 20 layers span decades.
    vanishing = experiments.compute_activation_profile(
        activation="relu", num_layers=20, kernel_initializer="glorot_uniform"
    )
    assert vanishing.std[-1] < vanishing.std[0] / 10
    kept = experiments.compute_activation_profile(activation="relu", num_layers=20)
    assert kept.kernel_initializer == "he_normal" and kept.std[-1] > kept.std[0] / 10


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"activation": "rleu"}, r"^activation must be one of 'relu', .*; got 'rleu' \(did you mean 'relu'\?\)$"),
        ({"activation": "gelu"}, r"^activation must be one of 'relu', 'leaky_relu', 'elu', 'selu', 'tanh', 'sigmoid'"),
        (
            {"kernel_initializer": "zeros"},
            r"^kernel_initializer must be one of 'glorot_uniform', .* or None; "
            r"got 'zeros'$",
        ),
        ({"activation": "leaky_relu", "parameter": -1.0}, r"^parameter of 'leaky_relu' must be a number >= 0"),
        ({"input_std": 0}, r"^input_std must be a positive number; got 0$"),
        ({"num_examples": 1}, r"^num_examples must be an integer >= 2; got 1$"),
        ({"seed": -1}, r"^seed must be a non-negative integer; got -1$"),
        ({"num_layers": 0}, r"^num_layers must be a positive integer; got 0$"),
    ],
)
def test_profile_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message) as error:
        experiments.compute_activation_profile(**{"num_layers": 1, "units": 2, **kwargs})
    assert "\n" not in str(error.value)


# --- The grids: the same measurements over many settings, without building the networks --------------------------


@pytest.mark.parametrize(
    "activation, weight_std, depth",
    [("tanh", 0.125, 6), ("relu", 0.5, 3), ("sigmoid", 0.03, 8), ("tanh", 2.0, 8), ("linear", 0.25, 5)],
)
def test_gradient_grid_equals_the_keras_measurement(probe, activation, weight_std, depth):
    grid = experiments.gradient_norms_at_init_grid(
        *probe, depths=[3, depth], weight_stds=[0.03, weight_std], activations=["relu", activation], seed=4
    )
    expected = experiments.gradient_norms_at_init(
        *probe, num_layers=depth, weight_std=weight_std, activation=activation, seed=4
    )
    assert_allclose(grid[(activation, weight_std, depth)], expected, rtol=1e-5)
    assert set(grid) == {(a, s, d) for a in ["relu", activation] for s in [0.03, weight_std] for d in [3, depth]}


def test_gradient_grid_keeps_underflow_and_overflow_as_keras_does(digits_batch):
    grid = experiments.gradient_norms_at_init_grid(
        *digits_batch, depths=[30], weight_stds=[0.03, 2.0], activations=["sigmoid", "linear"]
    )
    for activation, weight_std in [("sigmoid", 0.03), ("linear", 2.0)]:
        expected = experiments.gradient_norms_at_init(
            *digits_batch, num_layers=30, weight_std=weight_std, activation=activation
        )
        got = grid[(activation, weight_std, 30)]
        assert np.array_equal(got == 0, expected == 0) and np.array_equal(np.isfinite(got), np.isfinite(expected))
        finite = np.isfinite(expected) & (expected > 0)
        assert_allclose(got[finite], expected[finite], rtol=1e-5)
    assert (grid[("sigmoid", 0.03, 30)] == 0).any() and not np.isfinite(grid[("linear", 2.0, 30)]).all()


@pytest.mark.parametrize(
    "activation, initializer, width",
    [
        ("relu", "glorot_normal", 16),
        ("tanh", "he_uniform", 8),
        ("selu", "lecun_normal", 24),
        ("sigmoid", "glorot_uniform", 16),
    ],
)
def test_layer_statistics_grid_equals_the_keras_measurement(probe, activation, initializer, width):
    grid = experiments.layer_statistics_grid(
        probe[0],
        activations=[activation],
        kernel_initializers=[initializer, "he_normal"],
        num_layers=7,
        widths=[width, 8],
        seed=3,
    )
    for depth in (2, 7):  # a shallower network is the first layers of a deeper one
        expected = experiments.compute_signal_propagation(
            *probe, activation=activation, kernel_initializer=initializer, num_layers=depth, units=width, seed=3
        ).activation_std
        assert_allclose(grid[(activation, initializer, width, 1.0)][1][:depth], expected, rtol=1e-5)


@pytest.mark.parametrize(
    "activation, parameter, scale", [("leaky_relu", 0.1, 3.0), ("elu", 1.5, 0.3), ("relu", None, 1.0)]
)
def test_layer_statistics_grid_reproduces_the_activation_profile(activation, parameter, scale):
    inputs = np.random.default_rng(0).normal(0.0, 1.0, size=(64, 64))
    item = activation if parameter is None else (activation, parameter)
    grid = experiments.layer_statistics_grid(
        inputs,
        activations=[item],
        kernel_initializers=["glorot_uniform"],
        num_layers=5,
        widths=[16],
        input_scales=[1.0, scale],
    )
    profile = experiments.compute_activation_profile(
        activation=activation,
        parameter=parameter,
        kernel_initializer="glorot_uniform",
        num_layers=5,
        units=16,
        input_std=scale,
        num_examples=64,
    )
    mean, std = grid[(item, "glorot_uniform", 16, scale)]
    assert_allclose(std, profile.std, rtol=1e-5)
    assert_allclose(mean, profile.mean, rtol=1e-4, atol=1e-7)


def test_activation_curve_is_the_profiles_first_panel():
    z, values, derivative = experiments.activation_curve(activation="elu", parameter=0.5)
    profile = experiments.compute_activation_profile(activation="elu", parameter=0.5, num_layers=1, units=2)
    assert_allclose(z, profile.z)
    assert_allclose(values, profile.values)
    assert_allclose(derivative, profile.derivative)


GRID_CALLS = {
    "gradient": lambda probe, **kw: experiments.gradient_norms_at_init_grid(
        *probe, **{"depths": [2], "weight_stds": [0.1], "activations": ["tanh"], **kw}
    ),
    "statistics": lambda probe, **kw: experiments.layer_statistics_grid(
        probe[0],
        **{"activations": ["relu"], "kernel_initializers": ["he_normal"], "num_layers": 2, "widths": [4], **kw},
    ),
    "curve": lambda probe, **kw: experiments.activation_curve(activation="relu", **kw),
}


@pytest.mark.parametrize(
    "function, kwargs, message",
    [
        ("gradient", {"depths": []}, r"^depths must be a non-empty sequence; got list$"),
        ("gradient", {"depths": 5}, r"^depths must be a non-empty sequence; got 5$"),
        ("gradient", {"depths": [0]}, r"^depths must be a positive integer; got 0$"),
        ("gradient", {"weight_stds": [0.0]}, r"^weight_stds must be a positive number; got 0.0$"),
        (
            "gradient",
            {"activations": ["elu"]},
            r"^activations must be one of 'linear', 'sigmoid', 'tanh', 'relu'; got 'elu'",
        ),
        ("gradient", {"activations": "tanh"}, r"^activations must be a non-empty sequence; got 'tanh'$"),
        (
            "statistics",
            {"kernel_initializers": ["orthogonal"]},
            r"^kernel_initializers must be one of 'glorot_uniform', ",
        ),
        ("statistics", {"widths": [0]}, r"^widths must be a positive integer; got 0$"),
        ("statistics", {"input_scales": [-1.0]}, r"^input_scales must be a positive number; got -1.0$"),
        ("statistics", {"activations": ["swish"]}, r"^activation must be one of 'relu', "),
        ("statistics", {"num_layers": 0}, r"^num_layers must be a positive integer; got 0$"),
        ("curve", {"points": 1}, r"^points must be an integer >= 2; got 1$"),
    ],
)
def test_grid_bad_arguments(probe, function, kwargs, message):
    with pytest.raises(ValueError, match=message) as error:
        GRID_CALLS[function](probe, **kwargs)
    assert "\n" not in str(error.value)
