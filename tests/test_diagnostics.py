import numpy as np
import pytest
from numpy.testing import assert_allclose

from utils import diagnostics, models, setup
from utils._tensorflow import keras, tf


def ratio_first_to_last(norms):
    return norms[0] / norms[-1]


def test_hidden_layers_are_the_dense_layers_before_the_output():
    model = models.build_mlp(3, 8, keras.layers.PReLU)
    assert [layer.name for layer in diagnostics.hidden_layers(model)] == ["hidden_1", "hidden_2", "hidden_3"]


def test_layer_outputs_follow_the_activation_layer():
    model = models.build_mlp(
        num_layers=2, units=3, input_dim=2, kernel_initializer="ones",
        activation=lambda: keras.layers.LeakyReLU(negative_slope=0.1),
    )
    x = np.array([[-1.0, -1.0], [1.0, 2.0]])
    first, second = diagnostics.layer_outputs(model, x)
    # hidden_1: z = x1 + x2 -> (-2, 3); LeakyReLU -> (-0.2, 3) in each of 3 units.
    assert_allclose(first, [[-0.2] * 3, [3.0] * 3], rtol=1e-6)
    # hidden_2: z = 3 * previous -> (-0.6, 9); LeakyReLU -> (-0.06, 9).
    assert_allclose(second, [[-0.06] * 3, [9.0] * 3], rtol=1e-5)


def test_layer_outputs_shapes(batch):
    outputs = diagnostics.layer_outputs(models.build_mlp(4, 12), batch[0])
    assert [o.shape for o in outputs] == [(256, 12)] * 4


def test_gradient_norms_match_finite_differences(seeded):
    model = models.build_mlp(2, 3, "tanh", input_dim=4, num_classes=3)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((16, 4)).astype("float32")
    y = rng.integers(0, 3, 16)
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    norms = diagnostics.gradient_norms(model, x, y)
    for layer, norm in zip(diagnostics.hidden_layers(model), norms):
        kernel = layer.kernel.numpy().astype("float64")
        numeric = np.zeros_like(kernel)
        eps = 1e-2
        for index in np.ndindex(kernel.shape):
            losses = []
            for sign in (1, -1):
                shifted = kernel.copy()
                shifted[index] += sign * eps
                layer.kernel.assign(shifted.astype("float32"))
                losses.append(float(loss_fn(y, model(x))))
            numeric[index] = (losses[0] - losses[1]) / (2 * eps)
        layer.kernel.assign(kernel.astype("float32"))
        assert norm == pytest.approx(np.linalg.norm(numeric), rel=0.02)


def test_gradient_norms_equal_an_inline_gradient_tape(batch):
    model = models.build_mlp(3, 16, "relu", "he_normal")
    x, y = batch
    kernels = [layer.kernel for layer in diagnostics.hidden_layers(model)]
    with tf.GradientTape() as tape:
        loss = keras.losses.sparse_categorical_crossentropy(y, model(x, training=True))
        loss = tf.reduce_mean(loss)
    expected = [float(tf.norm(g)) for g in tape.gradient(loss, kernels)]
    assert_allclose(diagnostics.gradient_norms(model, x, y), expected, rtol=1e-5)


def test_gradient_norms_use_logits_when_the_output_is_linear(batch):
    x, y = batch
    setup.set_seed(0)
    probabilities = models.build_mlp(2, 8)
    setup.set_seed(0)
    logits = models.build_mlp(2, 8, output_activation=None)
    assert_allclose(
        diagnostics.gradient_norms(probabilities, x, y),
        diagnostics.gradient_norms(logits, x, y),
        rtol=1e-4,
    )


def test_gradient_norms_use_the_compiled_loss(batch):
    x, _ = batch
    model = models.build_mlp(2, 8, num_classes=1, output_activation=None)
    model.compile(loss="mse")
    targets = np.ones((len(x), 1), dtype="float32")
    assert_allclose(
        diagnostics.gradient_norms(model, x, targets),
        diagnostics.gradient_norms(model, x, targets, loss="mse"),
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sigmoid_with_glorot_vanishes(seed, batch):
    setup.set_seed(seed)
    norms = diagnostics.gradient_norms(models.build_mlp(10, 64, "sigmoid", "glorot_uniform"), *batch)
    assert ratio_first_to_last(norms) < 1e-3


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tanh_with_unit_normal_weights_explodes_backwards(seed, batch):
    setup.set_seed(seed)
    initializer = keras.initializers.RandomNormal(stddev=1.0)
    norms = diagnostics.gradient_norms(models.build_mlp(10, 64, "tanh", initializer), *batch)
    assert ratio_first_to_last(norms) > 10


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_relu_with_he_stays_within_a_decade(seed, batch):
    setup.set_seed(seed)
    norms = diagnostics.gradient_norms(models.build_mlp(10, 64, "relu", "he_normal"), *batch)
    assert 0.1 < ratio_first_to_last(norms) < 10


def test_activation_stats_values():
    model = models.build_mlp(2, 4, "relu", "zeros", input_dim=3)
    model.get_layer("hidden_1").bias.assign([1.0, -1.0, 2.0, 0.0])
    stats = diagnostics.activation_stats(model, np.ones((5, 3)))
    assert stats.layer_names == ("hidden_1", "hidden_2")
    # hidden_1 outputs relu(bias) = (1, 0, 2, 0) for every example.
    assert stats.mean[0] == pytest.approx(0.75)
    assert stats.std[0] == pytest.approx(np.std([1, 0, 2, 0]))
    assert stats.zero_fraction[0] == pytest.approx(0.5)
    # hidden_2 has zero weights and bias: all outputs are exactly 0.
    assert (stats.mean[1], stats.std[1], stats.zero_fraction[1]) == (0.0, 0.0, 1.0)


def test_dead_unit_fraction_counts_units_dead_for_every_example(batch):
    model = models.build_mlp(2, 8, "relu", "he_normal")
    layer = model.get_layer("hidden_1")
    kernel, bias = layer.kernel.numpy(), layer.bias.numpy()
    kernel[:, :2] = 0.0
    bias[:2] = -1.0  # units 0 and 1 output relu(-1) = 0 for every input
    layer.kernel.assign(kernel)
    layer.bias.assign(bias)
    fractions = diagnostics.dead_unit_fraction(model, batch[0])
    assert fractions[0] == pytest.approx(2 / 8)
    assert fractions.shape == (2,)
    # A unit that is zero for some examples only is not dead.
    assert diagnostics.activation_stats(model, batch[0]).zero_fraction[0] > 2 / 8


def test_dead_units_get_exactly_zero_gradient(batch):
    model = models.build_mlp(1, 4, "relu", "he_normal")
    layer = model.get_layer("hidden_1")
    kernel, bias = layer.kernel.numpy(), layer.bias.numpy()
    kernel[:, 0], bias[0] = 0.0, -1.0
    layer.kernel.assign(kernel)
    layer.bias.assign(bias)
    x, y = batch
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x)))
    gradient = tape.gradient(loss, layer.kernel).numpy()
    assert np.all(gradient[:, 0] == 0) and np.any(gradient[:, 1:] != 0)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda m, x, y: diagnostics.gradient_norms("model", x, y), r"^model must be a keras.Model; got str$"),
        (lambda m, x, y: diagnostics.gradient_norms(m, x[0], y), r"^x must be a non-empty batch with shape \(examples, features\); got shape \(64,\)$"),
        (lambda m, x, y: diagnostics.gradient_norms(m, x, y[:10]), r"^y must have one target per example of x \(256\); got shape \(10,\)$"),
        (lambda m, x, y: diagnostics.activation_stats(m, "pixels"), r"^x must be a numeric array; got str$"),
        (lambda m, x, y: diagnostics.dead_unit_fraction(m, np.zeros((0, 64))), r"^x must be a non-empty batch"),
        (
            lambda m, x, y: diagnostics.layer_outputs(keras.Sequential([keras.Input((64,)), keras.layers.Dense(3)]), x),
            r"^model must have at least one hidden Dense layer before its output Dense layer; got 1",
        ),
    ],
)
def test_bad_arguments_raise_one_line_value_errors(call, message, batch):
    model = models.build_mlp(2, 8)
    with pytest.raises(ValueError, match=message) as error:
        call(model, *batch)
    assert "\n" not in str(error.value)


def test_compute_signal_propagation_shapes_and_determinism(batch):
    x, y = batch
    first = diagnostics.compute_signal_propagation(x, y, activation="tanh", kernel_initializer="glorot_normal",
                                                   num_layers=5, units=16, seed=3)
    again = diagnostics.compute_signal_propagation(x, y, activation="tanh", kernel_initializer="glorot_normal",
                                                   num_layers=5, units=16, seed=3)
    assert first.activation_std.shape == first.gradient_norms.shape == (5,)
    assert_allclose(first.activation_std, again.activation_std)
    assert_allclose(first.gradient_norms, again.gradient_norms)
    other = diagnostics.compute_signal_propagation(x, y, activation="tanh", kernel_initializer="glorot_normal",
                                                   num_layers=5, units=16, seed=4)
    assert not np.allclose(first.activation_std, other.activation_std)


def test_compute_signal_propagation_relu_glorot_halves_the_second_moment(batch):
    # With ReLU, Glorot (1 / fan_in on square layers) halves E[x^2] per layer; He keeps it.
    x, y = batch
    glorot = diagnostics.compute_signal_propagation(x, y, kernel_initializer="glorot_normal",
                                                    num_layers=20, units=256)
    he = diagnostics.compute_signal_propagation(x, y, kernel_initializer="he_normal",
                                                num_layers=20, units=256)
    per_layer = (glorot.activation_std[-1] / glorot.activation_std[1]) ** (1 / 18)
    assert per_layer == pytest.approx(np.sqrt(0.5), rel=0.05)
    assert 0.2 < he.activation_std[-1] / he.activation_std[1] < 5


def test_compute_signal_propagation_accepts_instances_and_rejects_bad_arguments(batch):
    from utils import initializers

    x, y = batch
    result = diagnostics.compute_signal_propagation(x, y, kernel_initializer=initializers.LecunNormal(),
                                                    activation="selu", num_layers=3, units=8)
    assert np.all(result.activation_std > 0)
    with pytest.raises(ValueError, match="kernel_initializer must be"):
        diagnostics.compute_signal_propagation(x, y, kernel_initializer=3)
    with pytest.raises(ValueError, match="y must hold"):
        diagnostics.compute_signal_propagation(x, y[:-1])
    with pytest.raises(ValueError, match="seed must be"):
        diagnostics.compute_signal_propagation(x, y, seed=-1)
