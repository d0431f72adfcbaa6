import keras
import numpy as np
import pytest
from numpy.testing import assert_allclose

from utils import activations, diagnostics, models, vocabulary

LOWER, UPPER = 0.1, 0.3


def minus_ones(n=20000):
    return -np.ones((n,), dtype="float32")


def test_training_outputs_for_minus_one_lie_in_the_slope_range():
    layer = activations.RReLU(lower=LOWER, upper=UPPER, seed=0)
    outputs = np.asarray(layer(minus_ones(), training=True))
    assert outputs.min() >= -UPPER - 1e-7
    assert outputs.max() <= -LOWER + 1e-7
    # A uniform slope in [0.1, 0.3] has std 0.2 / sqrt(12) = 0.058; its mean
    # over 20,000 draws is within 0.002 of -0.2 (five standard errors).
    assert_allclose(outputs.mean(), -(LOWER + UPPER) / 2, atol=2e-3)
    assert_allclose(outputs.std(), (UPPER - LOWER) / np.sqrt(12), rtol=0.05)


def test_training_draws_a_new_slope_per_element_and_per_call():
    layer = activations.RReLU(seed=0)
    first = np.asarray(layer(minus_ones(100), training=True))
    second = np.asarray(layer(minus_ones(100), training=True))
    assert len(np.unique(first)) > 90
    assert not np.array_equal(first, second)


def test_inference_output_is_exactly_the_mean_slope_value():
    layer = activations.RReLU(lower=LOWER, upper=UPPER, seed=0)
    x = np.array([-1.0, -2.0, -0.5], dtype="float32")
    expected = np.float32((LOWER + UPPER) / 2) * x
    for training in (False, None):
        np.testing.assert_array_equal(np.asarray(layer(x, training=training)), expected)
    np.testing.assert_array_equal(np.asarray(layer(x)), expected)
    assert layer.mean_slope == pytest.approx(0.2)


@pytest.mark.parametrize("training", [True, False])
def test_positive_inputs_pass_through_unchanged(training):
    x = np.array([0.0, 1e-3, 0.5, 2.0, 1e4], dtype="float32")
    layer = activations.RReLU(seed=1)
    np.testing.assert_array_equal(np.asarray(layer(x, training=training)), x)


def test_same_seed_same_slopes():
    a = np.asarray(activations.RReLU(seed=7)(minus_ones(50), training=True))
    b = np.asarray(activations.RReLU(seed=7)(minus_ones(50), training=True))
    np.testing.assert_array_equal(a, b)


def test_defaults_follow_the_slope_convention():
    layer = activations.RReLU()
    assert (layer.lower, layer.upper) == (1 / 8, 1 / 3)
    assert layer.mean_slope == pytest.approx(11 / 48)


def test_paper_convention_helpers():
    assert activations.PAPER_DIVISOR_RANGE == (3.0, 8.0)
    assert activations.paper_slope_range() == (1 / 8, 1 / 3)
    assert activations.paper_test_slope() == pytest.approx(2 / 11)
    with pytest.raises(ValueError, match="lower_divisor"):
        activations.paper_test_slope(0, 8)
    with pytest.raises(ValueError, match="lower_divisor must be <= upper_divisor"):
        activations.paper_slope_range(8, 3)


def test_get_config_round_trips():
    layer = activations.RReLU(lower=0.05, upper=0.25, seed=3, name="rrelu")
    config = layer.get_config()
    assert {k: config[k] for k in ("lower", "upper", "seed")} == {"lower": 0.05, "upper": 0.25, "seed": 3}
    clone = activations.RReLU.from_config(config)
    assert (clone.lower, clone.upper, clone.seed, clone.name) == (0.05, 0.25, 3, "rrelu")


@pytest.mark.parametrize(
    "activation", [activations.RReLU, lambda: activations.RReLU(0.1, 0.2, seed=4)], ids=["class", "factory"]
)
def test_usable_as_the_activation_of_build_mlp(activation):
    model = models.build_mlp(num_layers=3, units=8, activation=activation)
    assert [layer.name for layer in model.layers] == [
        "hidden_1",
        "activation_1",
        "hidden_2",
        "activation_2",
        "hidden_3",
        "activation_3",
        "output",
    ]
    assert all(isinstance(model.get_layer(f"activation_{i}"), activations.RReLU) for i in (1, 2, 3))
    x = np.random.default_rng(0).standard_normal((16, 64)).astype("float32")
    assert model(x).shape == (16, 10)
    assert len(diagnostics.layer_outputs(model, x)) == 3


def test_a_model_using_it_saves_and_reloads(tmp_path):
    model = models.build_mlp(num_layers=2, units=8, activation=lambda: activations.RReLU(0.1, 0.2, seed=5))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 64)).astype("float32")
    model.fit(x, rng.integers(0, 10, 32), epochs=1, verbose=0)
    path = tmp_path / "rrelu.keras"
    model.save(path)
    reloaded = keras.models.load_model(path)
    layer = reloaded.get_layer("activation_1")
    assert isinstance(layer, activations.RReLU)
    assert (layer.lower, layer.upper, layer.seed) == (0.1, 0.2, 5)
    assert_allclose(reloaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_registered_under_the_course_package():
    assert keras.saving.get_registered_name(activations.RReLU) == "taming_gradients>RReLU"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"lower": 0.3, "upper": 0.1}, "lower must be <= upper"),
        ({"lower": -0.1, "upper": 0.3}, r"^lower must be a number >= 0; got -0.1$"),
        ({"lower": 0.1, "upper": -0.3}, r"^upper must be a number >= 0; got -0.3$"),
        ({"lower": "0.1"}, r"^lower must be a number >= 0; got '0.1'$"),
        ({"upper": float("nan")}, r"^upper must be a number >= 0; got nan$"),
        ({"seed": -1}, r"^seed must be a non-negative integer; got -1$"),
        ({"seed": 0.5}, r"^seed must be a non-negative integer; got 0.5$"),
    ],
)
def test_bad_arguments_raise_a_clear_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message) as error:
        activations.RReLU(**kwargs)
    assert "\n" not in str(error.value)


def test_a_numpy_seed_is_stored_as_a_python_int():
    # The seed goes into the layer's config, which a saved model writes as JSON.
    layer = activations.RReLU(seed=np.int64(4))
    assert layer.get_config()["seed"] == 4 and type(layer.get_config()["seed"]) is int


# --- make_activation ---------------------------------------------------------------------------------------------

Z = np.array([-2.0, -0.5, 0.0, 1.5], dtype="float32")


def test_make_activation_binds_the_parameter():
    assert_allclose(np.asarray(activations.make_activation("leaky_relu", 0.1)(Z)), [-0.2, -0.05, 0.0, 1.5], rtol=1e-6)
    assert_allclose(
        np.asarray(activations.make_activation("elu", 2.0)(Z)),
        2.0 * np.expm1(np.minimum(Z, 0)) + np.maximum(Z, 0),
        rtol=1e-6,
    )


def test_make_activation_defaults_to_default_parameter():
    assert dict(activations.DEFAULT_PARAMETER) == {"leaky_relu": 0.2, "elu": 1.0}
    for name, parameter in activations.DEFAULT_PARAMETER.items():
        assert_allclose(
            np.asarray(activations.make_activation(name)(Z)),
            np.asarray(activations.make_activation(name, parameter)(Z)),
        )
    with pytest.raises(TypeError):
        activations.DEFAULT_PARAMETER["elu"] = 2.0


@pytest.mark.parametrize("name", [a for a, p in vocabulary.ACTIVATION_PARAMETERS.items() if p is None])
def test_make_activation_ignores_the_parameter_of_an_activation_without_one(name):
    expected = np.asarray(keras.activations.get(name)(Z))
    assert_allclose(np.asarray(activations.make_activation(name, 5.0)(Z)), expected)
    assert_allclose(np.asarray(activations.make_activation(name)(Z)), expected)


def test_make_activation_works_in_build_mlp():
    model = models.build_mlp(2, 1, activations.make_activation("leaky_relu", 0.3), "ones", input_dim=1)
    first, second = diagnostics.layer_outputs(model, np.array([[-2.0], [1.0]]))
    assert_allclose(first.ravel(), [-0.6, 1.0], rtol=1e-6)
    assert_allclose(second.ravel(), [-0.18, 1.0], rtol=1e-6)


@pytest.mark.parametrize(
    "args, message",
    [
        (("rleu",), r"^activation must be one of 'relu', 'leaky_relu', .*; got 'rleu' \(did you mean 'relu'\?\)$"),
        (("gelu",), r"^activation must be one of 'relu', 'leaky_relu', 'elu', 'selu', 'tanh', 'sigmoid'; got 'gelu'"),
        (("leaky_relu", -1.0), r"^parameter of 'leaky_relu' must be a number >= 0; got -1.0$"),
        (("elu", "1"), r"^parameter of 'elu' must be a number >= 0; got '1'$"),
    ],
)
def test_make_activation_bad_arguments(args, message):
    with pytest.raises(ValueError, match=message) as error:
        activations.make_activation(*args)
    assert "\n" not in str(error.value)


# --- the second moment and the variance gain (chapter 4) ---


@pytest.mark.parametrize(
    "activation, expected",
    [("relu", 0.5), ("linear", 1.0), ("selu", 1.0), (lambda z: 2 * z, 4.0)],
)
def test_gaussian_second_moment_of_known_activations(activation, expected):
    assert_allclose(activations.gaussian_second_moment(activation), expected, rtol=1e-6)


def test_gaussian_second_moment_scales_with_the_std_for_a_homogeneous_function():
    assert_allclose(activations.gaussian_second_moment("relu", std=3.0), 9 * 0.5, rtol=1e-6)


def test_gaussian_second_moment_of_the_derivative():
    # relu' is 1 on half the line; tanh' = 1 - tanh^2, checked against a Monte Carlo estimate
    assert_allclose(activations.gaussian_second_moment("relu", derivative=True), 0.5, rtol=1e-4)
    z = np.random.default_rng(0).standard_normal(2_000_000)
    assert_allclose(
        activations.gaussian_second_moment("tanh", derivative=True), np.mean((1 - np.tanh(z) ** 2) ** 2), rtol=2e-3
    )


def test_gaussian_second_moment_agrees_with_sampling_for_gelu():
    z = np.random.default_rng(1).standard_normal(2_000_000)
    sampled = np.mean(np.asarray(keras.activations.gelu(z)) ** 2)
    assert_allclose(activations.gaussian_second_moment("gelu"), sampled, rtol=3e-3)


def test_variance_gain_gives_he_and_lecun():
    assert_allclose(activations.variance_gain("relu"), 2.0, rtol=1e-6)
    assert_allclose(activations.variance_gain("selu"), 1.0, rtol=1e-5)
    assert_allclose(activations.variance_gain("linear", num_points=100_001), 1.0, rtol=1e-6)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"activation": "rleu"}, r"^activation must be a Keras activation name or a callable; got 'rleu'$"),
        ({"activation": 3}, r"^activation must be a Keras activation name or a callable; got int$"),
        ({"activation": "relu", "std": 0}, r"^std must be"),
        ({"activation": "relu", "limit": -1}, r"^limit must be"),
        ({"activation": "relu", "num_points": 2}, r"^num_points must be"),
        ({"activation": "relu", "derivative": "yes"}, r"^derivative must be True or False; got 'yes'$"),
    ],
)
def test_gaussian_second_moment_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        activations.gaussian_second_moment(**kwargs)


def test_variance_gain_rejects_an_activation_that_is_zero():
    with pytest.raises(ValueError, match=r"^activation must not be zero almost everywhere"):
        activations.variance_gain(lambda z: 0 * z)
