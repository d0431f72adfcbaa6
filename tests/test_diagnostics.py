import keras
import numpy as np
import pytest
import tensorflow as tf
from numpy.testing import assert_allclose

from utils import diagnostics, models, setup


def ratio_first_to_last(norms):
    return norms[0] / norms[-1]


@pytest.fixture(scope="module")
def seeded_mlp():
    """``build_mlp(num_layers, 64, activation, initializer)`` just after ``setup.set_seed(seed)``, built once a module.

    Several physics tests below measure the same seeded network (the forward and backward passes they run change
    no weight), so each one is built once. ``"unit_normal"`` stands for ``RandomNormal(stddev=1.0)``, made after
    the seed is set (an unseeded Keras initializer draws its seed when it is made).
    """
    built = {}

    def build(seed, num_layers, activation, initializer):
        key = (seed, num_layers, activation, initializer)
        if key not in built:
            setup.set_seed(seed)
            kernel_initializer = unit_normal() if initializer == "unit_normal" else initializer
            built[key] = models.build_mlp(num_layers, 64, activation, kernel_initializer)
        return built[key]

    return build


def test_hidden_layers_are_the_dense_layers_before_the_output():
    model = models.build_mlp(3, 8, keras.layers.PReLU)
    assert [layer.name for layer in diagnostics.hidden_layers(model)] == ["hidden_1", "hidden_2", "hidden_3"]


def test_layer_outputs_follow_the_activation_layer():
    model = models.build_mlp(
        num_layers=2,
        units=3,
        input_dim=2,
        kernel_initializer="ones",
        activation=lambda: keras.layers.LeakyReLU(negative_slope=0.1),
    )
    x = np.array([[-1.0, -1.0], [1.0, 2.0]])
    first, second = diagnostics.layer_outputs(model, x)
    # hidden_1: z = x1 + x2 -> (-2, 3); LeakyReLU -> (-0.2, 3) in each of 3 units.
    assert_allclose(first, [[-0.2] * 3, [3.0] * 3], rtol=1e-6)
    # hidden_2: z = 3 * previous -> (-0.6, 9); LeakyReLU -> (-0.06, 9).
    assert_allclose(second, [[-0.06] * 3, [9.0] * 3], rtol=1e-5)


CHAIN_NETWORKS = {
    "tanh": lambda: models.build_mlp(6, 16, "tanh", "glorot_uniform"),
    "LeakyReLU layers": lambda: models.build_mlp(4, 16, lambda: keras.layers.LeakyReLU(negative_slope=0.2)),
    "batch norm": lambda: models.build_mlp(4, 16, "relu", normalization="batch"),
    "layer norm after": lambda: models.build_mlp(4, 16, "relu", normalization="layer", normalization_position="after"),
    "linear output": lambda: models.build_mlp(3, 16, "selu", "lecun_normal", output_activation=None),
}


@pytest.mark.parametrize("name", list(CHAIN_NETWORKS))
def test_a_sequential_model_is_measured_as_a_whole_model_call_would(name, batch):
    """layer_outputs and the gradients run a Sequential model layer by layer (faster): the same values, bit for bit.

    The reference is the model run whole: a functional probe for the outputs, ``model(x)`` for the gradient.
    """
    setup.set_seed(0)
    model = CHAIN_NETWORKS[name]()
    x, y = batch
    probe = keras.Model(model.inputs[0], [layer.output for layer in diagnostics._block_ends(model)])
    for measured, expected in zip(diagnostics.layer_outputs(model, x), probe(x, training=False), strict=True):
        np.testing.assert_array_equal(measured, expected.numpy())
    kernels = [layer.kernel for layer in diagnostics.hidden_layers(model)]
    loss_fn = diagnostics._default_loss(model)
    for training in (False, True):  # batch norm: batch statistics, and a moving-average update, in training
        weights = [w.numpy() for w in model.weights]
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(loss_fn(y, model(x, training=training)))
        expected = [g.numpy() for g in tape.gradient(loss, kernels)]
        after_reference = [w.numpy() for w in model.weights]
        for variable, value in zip(model.weights, weights, strict=True):
            variable.assign(value)
        measured_gradients = diagnostics.kernel_gradients(model, x, y, training=training)
        for measured, reference in zip(measured_gradients, expected, strict=True):
            np.testing.assert_array_equal(measured, reference)
        for variable, value in zip(model.weights, after_reference, strict=True):
            np.testing.assert_array_equal(variable.numpy(), value)  # the same state updates


def test_layer_outputs_shapes(batch):
    outputs = diagnostics.layer_outputs(models.build_mlp(4, 12), batch[0])
    assert [o.shape for o in outputs] == [(256, 12)] * 4


def test_a_single_hidden_layer_gives_one_output_and_one_statistic_per_layer(batch):
    # build_mlp(num_layers=1) is allowed; its one hidden layer must not be mistaken for one layer per example.
    model = models.build_mlp(1, 12)
    assert [o.shape for o in diagnostics.layer_outputs(model, batch[0][:5])] == [(5, 12)]
    assert diagnostics.activation_stats(model, batch[0][:5]).std.shape == (1,)
    assert diagnostics.dead_unit_fraction(model, batch[0][:5]).shape == (1,)


def test_gradient_norms_match_finite_differences(seeded):
    model = models.build_mlp(2, 3, "tanh", input_dim=4, num_classes=3)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((16, 4)).astype("float32")
    y = rng.integers(0, 3, 16)
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    norms = diagnostics.gradient_norms(model, x, y)
    for layer, norm in zip(diagnostics.hidden_layers(model), norms, strict=True):
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
def test_sigmoid_with_glorot_vanishes(seed, batch, seeded_mlp):
    norms = diagnostics.gradient_norms(seeded_mlp(seed, 10, "sigmoid", "glorot_uniform"), *batch)
    assert ratio_first_to_last(norms) < 1e-3


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tanh_with_unit_normal_weights_explodes_backwards(seed, batch, seeded_mlp):
    norms = diagnostics.gradient_norms(seeded_mlp(seed, 10, "tanh", "unit_normal"), *batch)
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


def test_activation_stats_of_an_exploding_network_are_finite_where_its_outputs_are(recwarn):
    """Outputs near float32's limit still have a finite std; outputs that overflowed give inf or NaN, quietly."""
    model = models.build_mlp(2, 4, "linear", "zeros", input_dim=3)
    model.get_layer("hidden_1").bias.assign([1e30, -1e30, 1e30, -1e30])  # squares overflow float32
    model.get_layer("hidden_2").bias.assign([3e38, 3e38, -3e38, -3e38])
    model.get_layer("hidden_2").kernel.assign(np.full((4, 4), 1e10, "float32"))  # hidden_1's 1e30 * 1e10: inf
    stats = diagnostics.activation_stats(model, np.zeros((5, 3)))
    assert stats.std[0] == pytest.approx(1e30) and stats.mean[0] == 0.0
    assert not np.isfinite(stats.std[1])
    assert not [str(warning.message) for warning in recwarn if issubclass(warning.category, RuntimeWarning)]


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
        (
            lambda m, x, y: diagnostics.gradient_norms(m, x[0], y),
            r"^x must be a non-empty batch with shape \(examples, features\); got shape \(64,\)$",
        ),
        (
            lambda m, x, y: diagnostics.gradient_norms(m, x, y[:10]),
            r"^y must have one target per example of x \(256\); got shape \(10,\)$",
        ),
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


def test_gradient_norms_average_the_loss_over_the_batch(batch):
    # Loss *functions* (a compiled string loss) return one value per example;
    # the norms must not depend on the batch size or on compiling.
    x, y = batch
    model = models.build_mlp(3, 16, "relu", "he_normal")
    uncompiled = diagnostics.gradient_norms(model, x, y)
    model.compile(loss="sparse_categorical_crossentropy")
    assert_allclose(diagnostics.gradient_norms(model, x, y), uncompiled, rtol=1e-5)
    doubled = diagnostics.gradient_norms(model, np.concatenate([x, x]), np.concatenate([y, y]))
    assert_allclose(doubled, uncompiled, rtol=1e-5)


def test_kernel_snapshot_copies_the_hidden_kernels():
    model = models.build_mlp(2, 8, input_dim=5)
    snapshot = diagnostics.kernel_snapshot(model)
    assert [k.shape for k in snapshot] == [(5, 8), (8, 8)]
    assert_allclose(snapshot[0], model.get_layer("hidden_1").kernel.numpy())
    model.get_layer("hidden_1").kernel.assign(np.zeros((5, 8)))
    assert np.any(snapshot[0] != 0), "the snapshot must not follow later changes"


def test_relative_weight_change_values():
    before = [np.full((2, 3), 2.0), np.ones((3, 3)), np.eye(3)]
    after = [np.full((2, 3), 2.0), -np.ones((3, 3)), 1.1 * np.eye(3)]
    # ||after - before|| / ||before||: 0; ||-2 ones|| / ||ones|| = 2; 0.1 exactly.
    assert_allclose(diagnostics.relative_weight_change(before, after), [0.0, 2.0, 0.1])


def test_relative_weight_change_accepts_models_and_sees_training(seeded):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((64, 4)).astype("float32"), rng.integers(0, 2, 64)
    model = models.build_mlp(2, 8, "tanh", input_dim=4, num_classes=2)
    before = diagnostics.kernel_snapshot(model)
    assert_allclose(diagnostics.relative_weight_change(before, model), [0.0, 0.0])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=64, verbose=0)
    change = diagnostics.relative_weight_change(before, model)
    expected = [
        np.linalg.norm(layer.kernel.numpy() - start) / np.linalg.norm(start)
        for layer, start in zip(diagnostics.hidden_layers(model), before, strict=True)
    ]
    assert_allclose(change, expected, rtol=1e-6)
    assert np.all(change > 0)


@pytest.mark.parametrize(
    "before, after, message",
    [
        (
            [np.ones((2, 2))],
            [np.ones((2, 2))] * 2,
            r"^before and after must hold the same number of kernels; got 1 and 2$",
        ),
        ([np.ones((2, 2))], [np.ones((2, 3))], r"^kernel 0 has shape \(2, 2\) in before but \(2, 3\) in after$"),
        ([np.zeros((2, 2))], [np.ones((2, 2))], r"^kernel 0 of before is all zeros: its relative change is undefined$"),
        ([], [], r"^before must be a keras.Model or a non-empty list of kernels from kernel_snapshot; got list$"),
        ("weights", [np.ones(2)], r"^before must be a keras.Model or a non-empty list of kernels .*; got str$"),
        ([np.ones(2)], 3.0, r"^after must be a keras.Model or a non-empty list of kernels .*; got float$"),
        (
            np.ones((2, 2)),
            [np.ones(2)] * 2,
            r"^before must be a keras.Model or a non-empty list of kernels .*; got ndarray$",
        ),
    ],
)
def test_relative_weight_change_bad_arguments(before, after, message):
    with pytest.raises(ValueError, match=message) as error:
        diagnostics.relative_weight_change(before, after)
    assert "\n" not in str(error.value)


def one_unit_per_bias(activation, biases):
    """A 1-layer model whose unit i outputs activation(biases[i]) for every input."""
    model = models.build_mlp(1, len(biases), activation, "zeros", input_dim=3)
    model.get_layer("hidden_1").bias.assign(np.asarray(biases, dtype="float32"))
    return model


def test_saturation_fraction_thresholds_for_sigmoid_and_tanh():
    x = np.ones((5, 3))
    # sigmoid: saturated below 0.01 or above 0.99, that is |z| > 4.595.
    sigmoid = one_unit_per_bias("sigmoid", [4.5, 4.7, -4.7, 0.0, 10.0, -4.5, 1.0, -10.0])
    assert diagnostics.saturation_fraction(sigmoid, x)[0] == pytest.approx(4 / 8)
    # tanh: saturated when |a| >= 0.98 (2 % of the range 2), that is |z| > 2.298.
    tanh = one_unit_per_bias("tanh", [2.2, 2.4, -2.4, -2.2])
    assert diagnostics.saturation_fraction(tanh, x)[0] == pytest.approx(2 / 4)
    # A larger epsilon counts more units: |a| >= 0.9 for epsilon = 0.05.
    assert diagnostics.saturation_fraction(tanh, x, epsilon=0.05)[0] == pytest.approx(1.0)


def test_saturation_threshold_means_the_same_derivative_for_sigmoid_and_tanh():
    # At the threshold both derivatives are 4 * epsilon * (1 - epsilon) of their maximum.
    epsilon = 0.01
    sigmoid_edge = 1 - epsilon  # output at the edge of the upper band
    tanh_edge = 1 - 2 * epsilon
    assert sigmoid_edge * (1 - sigmoid_edge) / 0.25 == pytest.approx(4 * epsilon * (1 - epsilon))
    assert (1 - tanh_edge**2) / 1.0 == pytest.approx(4 * epsilon * (1 - epsilon))


def test_saturation_fraction_with_explicit_bounds():
    model = one_unit_per_bias("relu", [0.0, 0.5, 5.9, 6.0])
    x = np.ones((2, 3))
    # Within 0.01 * 6 = 0.06 of 0 or of 6: the units at 0, 5.9 (no: 0.1 away) and 6.
    assert diagnostics.saturation_fraction(model, x, bounds=(0, 6))[0] == pytest.approx(2 / 4)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {},
            r"^saturation_fraction knows the asymptotes of 'sigmoid' and 'tanh' only; layer 'hidden_1' uses 'relu': "
            r"pass bounds=\(low, high\)$",
        ),
        ({"epsilon": 0}, r"^epsilon must be a number strictly between 0 and 0.5; got 0$"),
        ({"epsilon": 0.5}, r"^epsilon must be a number strictly between 0 and 0.5; got 0.5$"),
        ({"bounds": (1, 1)}, r"^bounds must satisfy low < high; got \(1, 1\)$"),
        ({"bounds": "01"}, r"^bounds must be two numbers \(low, high\); got '01'$"),
        ({"bounds": (0, 1, 2)}, r"^bounds must be two numbers \(low, high\); got \(0, 1, 2\)$"),
    ],
)
def test_saturation_fraction_bad_arguments(kwargs, message):
    model = models.build_mlp(2, 4, "relu", input_dim=3)
    with pytest.raises(ValueError, match=message) as error:
        diagnostics.saturation_fraction(model, np.ones((2, 3)), **kwargs)
    assert "\n" not in str(error.value)


def test_gradient_norm_recorder_records_before_each_step_and_at_the_end(seeded, batch):
    x, y = batch
    model = models.build_mlp(3, 16, "tanh")
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    initial = diagnostics.gradient_norms(model, x, y)
    recorder = diagnostics.GradientNormRecorder(x, y)
    model.fit(x, y, batch_size=64, epochs=2, verbose=0, callbacks=[recorder])
    # 4 steps per epoch, 2 epochs: a record before each of the 8 steps, one after the last.
    assert_allclose(recorder.steps, np.arange(9))
    assert recorder.norms.shape == (9, 3) and recorder.losses.shape == (9,)
    assert_allclose(recorder.global_norms, np.linalg.norm(recorder.norms, axis=1))
    assert_allclose(recorder.norms[0], initial, rtol=1e-5)
    assert_allclose(recorder.norms[-1], diagnostics.gradient_norms(model, x, y), rtol=1e-5)
    loss = keras.losses.SparseCategoricalCrossentropy()(y, model(x))
    assert recorder.losses[-1] == pytest.approx(float(loss), rel=1e-5)
    assert recorder.losses[-1] < recorder.losses[0]


def test_gradient_norm_recorder_every_and_a_second_fit(batch):
    x, y = batch
    model = models.build_mlp(2, 8)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    recorder = diagnostics.GradientNormRecorder(x[:32], y[:32], every=3)
    assert recorder.norms.shape == (0, 0) and recorder.global_norms.shape == (0,)
    model.fit(x, y, batch_size=32, epochs=1, verbose=0, callbacks=[recorder])
    assert_allclose(recorder.steps, [0, 3, 6, 8])
    model.fit(x[:64], y[:64], batch_size=32, epochs=1, verbose=0, callbacks=[recorder])
    assert_allclose(recorder.steps, [0, 2])


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((np.ones((4, 64)), np.zeros(4)), {"every": 0}, r"^every must be a positive integer; got 0$"),
        ((np.ones((4, 64)), np.zeros(3)), {}, r"^y must have one target per example of x \(4\); got shape \(3,\)$"),
        ((np.ones(64), np.zeros(1)), {}, r"^x must be a non-empty batch with shape \(examples, features\)"),
    ],
)
def test_gradient_norm_recorder_bad_arguments(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        diagnostics.GradientNormRecorder(*args, **kwargs)


def test_kernel_gradients_have_the_kernels_shapes(batch):
    model = models.build_mlp(3, 16, "relu", "he_normal", input_dim=64)
    gradients = diagnostics.kernel_gradients(model, *batch)
    assert [g.shape for g in gradients] == [(64, 16), (16, 16), (16, 16)]
    assert all(isinstance(g, np.ndarray) for g in gradients)
    assert [g.shape for g in gradients] == [layer.kernel.shape for layer in diagnostics.hidden_layers(model)]


def test_kernel_gradients_norms_are_gradient_norms(batch):
    model = models.build_mlp(4, 16, "tanh", "glorot_uniform")
    gradients = diagnostics.kernel_gradients(model, *batch)
    assert_allclose([np.linalg.norm(g) for g in gradients], diagnostics.gradient_norms(model, *batch), rtol=1e-5)
    # With another loss, both follow it.
    targets = np.ones((len(batch[0]), 10), dtype="float32")
    assert_allclose(
        [np.linalg.norm(g) for g in diagnostics.kernel_gradients(model, batch[0], targets, loss="mse")],
        diagnostics.gradient_norms(model, batch[0], targets, loss="mse"),
        rtol=1e-5,
    )


def test_kernel_gradients_equal_an_inline_gradient_tape(batch):
    model = models.build_mlp(2, 8, "sigmoid", "glorot_uniform")
    x, y = batch
    kernels = [layer.kernel for layer in diagnostics.hidden_layers(model)]
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x, training=True)))
    for measured, expected in zip(diagnostics.kernel_gradients(model, x, y), tape.gradient(loss, kernels), strict=True):
        assert_allclose(measured, expected.numpy(), rtol=1e-5, atol=1e-9)


def test_kernel_gradients_follow_the_training_flag(batch):
    # RReLU draws random slopes in training mode only: the gradients differ between the modes, and the
    # inference-mode gradients are deterministic.
    from utils import activations

    model = models.build_mlp(2, 8, lambda: activations.RReLU(seed=0))
    x, y = batch
    inference = diagnostics.kernel_gradients(model, x, y, training=False)
    assert_allclose(diagnostics.kernel_gradients(model, x, y, training=False)[0], inference[0])
    assert not np.allclose(diagnostics.kernel_gradients(model, x, y, training=True)[0], inference[0])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda m, x, y: diagnostics.kernel_gradients("model", x, y), r"^model must be a keras.Model; got str$"),
        (lambda m, x, y: diagnostics.kernel_gradients(m, x[0], y), r"^x must be a non-empty batch with shape"),
        (
            lambda m, x, y: diagnostics.kernel_gradients(m, x, y[:3]),
            r"^y must have one target per example of x \(256\); got shape \(3,\)$",
        ),
    ],
)
def test_kernel_gradients_bad_arguments(call, message, batch):
    with pytest.raises(ValueError, match=message) as error:
        call(models.build_mlp(2, 8), *batch)
    assert "\n" not in str(error.value)


# --- The physics chapter 1 relies on, checked on several seeds -------------------------


def unit_normal():
    return keras.initializers.RandomNormal(stddev=1.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_linear_forward_signal_scales_by_sigma_sqrt_n_per_layer(seed, batch):
    # Var(z) = n * sigma^2 * Var(a): the std gains sigma * sqrt(64) per layer.
    x, _ = batch
    for sigma in (1.0, 0.1, 0.125):
        setup.set_seed(seed)
        model = models.build_mlp(10, 64, "linear", keras.initializers.RandomNormal(stddev=sigma))
        stds = diagnostics.activation_stats(model, x).std
        per_layer = (stds[-1] / stds[0]) ** (1 / 9)
        assert per_layer == pytest.approx(sigma * 8, rel=0.15)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_twenty_layer_ratios_quoted_in_chapter_1(seed, seeded_mlp):
    # The chapter measures 20-layer networks on the digits batch; these are the
    # orders of magnitude its prose relies on, with a decade or more of margin.
    from utils import data

    digits = data.load_digits()
    x, y = digits.x_train[:256], digits.y_train[:256]

    def ratio(activation, initializer):
        model = seeded_mlp(seed, 20, activation, initializer)
        norms = diagnostics.gradient_norms(model, x, y)
        return norms[0] / norms[-1]

    assert 1e-4 < ratio("sigmoid", "unit_normal") < 0.1  # mild vanishing, about x0.8 per layer
    assert ratio("sigmoid", "glorot_uniform") < 1e-9  # about x0.24 per layer
    assert ratio("tanh", "unit_normal") > 1e4  # explodes backwards, about x2 per layer
    assert 0.1 < ratio("tanh", "glorot_uniform") < 10
    assert 0.03 < ratio("relu", "he_normal") < 10


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_per_layer_factor_is_weight_gain_times_rms_derivative(seed, batch, seeded_mlp):
    # The rule of thumb of chapter 1: going down one layer multiplies the
    # gradient by about sigma * sqrt(n) * rms f'(z).
    x, y = batch
    derivatives = {"sigmoid": lambda a: a * (1 - a), "tanh": lambda a: 1 - a**2}
    for activation, initializer in [
        ("sigmoid", "unit_normal"),
        ("sigmoid", "glorot_uniform"),
        ("tanh", "unit_normal"),
        ("tanh", "glorot_uniform"),
    ]:
        model = seeded_mlp(seed, 20, activation, initializer)
        gains = np.array([layer.kernel.numpy().std() * 8 for layer in diagnostics.hidden_layers(model)])
        rms = np.array([np.sqrt(np.mean(derivatives[activation](a) ** 2)) for a in diagnostics.layer_outputs(model, x)])
        predicted = np.exp(np.mean(np.log(gains[1:] * rms[1:])))
        norms = diagnostics.gradient_norms(model, x, y)
        measured = (norms[0] / norms[-1]) ** (1 / 19)
        assert measured == pytest.approx(predicted, rel=0.2), (activation, initializer)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_saturation_is_not_vanishing(seed, batch, seeded_mlp):
    # tanh with N(0, 1) weights saturates most units, yet its gradient grows
    # towards the input; sigmoid with Glorot saturates none, yet it vanishes.
    x, y = batch
    tanh = seeded_mlp(seed, 10, "tanh", "unit_normal")
    assert np.all(diagnostics.saturation_fraction(tanh, x)[1:] > 0.6)
    assert ratio_first_to_last(diagnostics.gradient_norms(tanh, x, y)) > 10
    sigmoid = seeded_mlp(seed, 10, "sigmoid", "glorot_uniform")
    assert np.all(diagnostics.saturation_fraction(sigmoid, x) < 0.01)
    assert ratio_first_to_last(diagnostics.gradient_norms(sigmoid, x, y)) < 1e-3
    tanh_glorot = seeded_mlp(seed, 10, "tanh", "glorot_uniform")
    assert np.all(diagnostics.saturation_fraction(tanh_glorot, x) < 0.05)


def train_with_sgd(model, x, y, learning_rate, epochs, callbacks=()):
    model.compile(optimizer=keras.optimizers.SGD(learning_rate), loss="sparse_categorical_crossentropy")
    return model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, callbacks=list(callbacks))


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_deep_sigmoid_with_small_weights_leaves_its_lower_layers_unchanged(seed):
    # The central claim of chapter 1, on a shortened version of its experiment.
    from utils import data

    digits = data.load_digits()
    x, y = digits.x_train[:512], digits.y_train[:512]
    setup.set_seed(seed)
    deep = models.build_mlp(20, 64, "sigmoid", keras.initializers.RandomNormal(stddev=0.1))
    before = diagnostics.kernel_snapshot(deep)
    history = train_with_sgd(deep, x, y, 0.1, epochs=2)
    change = diagnostics.relative_weight_change(before, deep)
    assert change[-1] > 1e-3
    assert change[0] < 1e-9 * change[-1]
    assert np.all(np.diff(np.log10(change[change > 0])) > 0), "the change grows from input to output"
    assert min(history.history["loss"]) > 2.25  # ln 10 = 2.30: no better than chance

    setup.set_seed(seed)
    well = models.build_mlp(20, 64, "tanh", "glorot_uniform")
    before = diagnostics.kernel_snapshot(well)
    history = train_with_sgd(well, x, y, 0.1, epochs=2)
    change = diagnostics.relative_weight_change(before, well)
    assert change[0] > 0.2 * change[-1]
    assert history.history["loss"][-1] < 1.5


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_large_learning_rate_or_large_weights_diverge_after_growing_gradients(seed):
    from utils import data

    digits = data.load_digits()
    x, y = digits.x_train[:320], digits.y_train[:320]
    probe_x, probe_y = digits.x_train[:256], digits.y_train[:256]
    for initializer, learning_rate in [("he_normal", 1.0), (keras.initializers.RandomNormal(stddev=0.25), 0.05)]:
        setup.set_seed(seed)
        model = models.build_mlp(10, 64, "relu", initializer)
        recorder = diagnostics.GradientNormRecorder(probe_x, probe_y)
        train_with_sgd(model, x, y, learning_rate, epochs=1, callbacks=[recorder, keras.callbacks.TerminateOnNaN()])
        finite = np.isfinite(recorder.losses)
        assert not finite.all(), "the loss must reach inf or NaN within 10 steps"
        first_bad = int(np.argmin(finite))
        assert 2 <= first_bad <= 6
        largest = recorder.norms[:first_bad].max(axis=1)
        assert largest[first_bad - 1] > 100 * largest[0]
    setup.set_seed(seed)
    model = models.build_mlp(10, 64, "relu", "he_normal")
    recorder = diagnostics.GradientNormRecorder(probe_x, probe_y)
    train_with_sgd(model, x, y, 0.05, epochs=1, callbacks=[recorder])
    assert np.all(np.isfinite(recorder.losses)) and recorder.norms.max() < 100


def test_backward_signal_norms_match_an_explicit_product_of_jacobians(seeded):
    """delta(l-1) = f'(z(l-1)) * (W(l) delta(l)), per example: the chain rule written out."""
    model = models.build_mlp(num_layers=3, units=8, activation="tanh", input_dim=5, num_classes=3)
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((4, 5)).astype("float32"), np.array([0, 1, 2, 1])
    measured = diagnostics.backward_signal_norms(model, x, y)
    hidden = diagnostics.hidden_layers(model)
    output = model.layers[-1]
    z, a = [], x
    for layer in hidden:
        z.append(a @ layer.kernel.numpy() + layer.bias.numpy())
        a = np.tanh(z[-1])
    logits = a @ output.kernel.numpy() + output.bias.numpy()
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    upstream = (p - np.eye(3)[y]) @ output.kernel.numpy().T  # dL/da at the last hidden layer
    deltas = [None] * 3
    for index in (2, 1, 0):
        deltas[index] = upstream * (1 - np.tanh(z[index]) ** 2)
        upstream = deltas[index] @ hidden[index].kernel.numpy().T
    expected = [np.sqrt(np.mean(np.sum(d**2, axis=1))) for d in deltas]
    np.testing.assert_allclose(measured, expected, rtol=1e-4)


def test_backward_signal_norms_need_a_sequential_model():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Dense(3)(inputs)))
    with pytest.raises(ValueError, match="model must be a keras.Sequential; got Functional"):
        diagnostics.backward_signal_norms(model, np.ones((2, 4)), np.zeros(2))


def test_first_to_last_ratio_and_per_layer_factor():
    profile = 3.0 * 0.5 ** np.arange(20)  # halves at every layer, input to output
    assert diagnostics.first_to_last_ratio(profile) == pytest.approx(2.0**19)
    assert diagnostics.per_layer_factor(profile) == pytest.approx(0.5)
    assert diagnostics.per_layer_factor(profile, towards="first") == pytest.approx(2.0)


@pytest.mark.parametrize(
    "values, kwargs, message",
    [
        ([1.0], {}, r"values must be a 1-D sequence of at least 2 per-layer values; got shape \(1,\)"),
        ([[1.0, 2.0]], {}, r"got shape \(1, 2\)"),
        ([1.0, 2.0], {"towards": "up"}, r"towards must be one of 'last', 'first'; got 'up'"),
    ],
)
def test_profile_helpers_reject_bad_arguments(values, kwargs, message):
    with pytest.raises(ValueError, match=message):
        diagnostics.per_layer_factor(values, **kwargs)


# --- normalization layers and residual networks (chapter 5) -----------------------------------------------------


@pytest.mark.parametrize("position, end", [("before", "activation"), ("after", "normalization")])
def test_layer_outputs_of_a_normalized_mlp_follow_its_last_layer(position, end):
    model = models.build_mlp(2, 8, "sigmoid", normalization="batch", normalization_position=position)
    x = np.random.default_rng(0).normal(size=(16, 64)).astype("float32")
    expected = keras.Model(model.inputs[0], model.get_layer(f"{end}_2").output)(x, training=False)
    assert_allclose(diagnostics.layer_outputs(model, x)[1], np.asarray(expected), rtol=1e-6)
    assert diagnostics.gradient_norms(model, x, np.zeros(16)).shape == (2,)
    assert diagnostics.backward_signal_norms(model, x, np.zeros(16)).shape == (2,)
    if position == "before":
        assert diagnostics.saturation_fraction(model, x).shape == (2,)


def test_diagnostics_report_a_residual_network_s_stream_and_branches():
    model = models.build_residual_mlp(3, 8, "relu", normalization="layer", branch_scale=0.5)
    x = np.random.default_rng(1).normal(size=(16, 64)).astype("float32")
    y = np.arange(16) % 10
    assert [layer.name for layer in diagnostics.hidden_layers(model)] == [f"hidden_{i}" for i in range(1, 7)]
    outputs = diagnostics.layer_outputs(model, x)
    assert [o.shape for o in outputs] == [(16, 8), (16, 64)] * 3
    for block in range(1, 4):
        stream = keras.Model(model.inputs[0], model.get_layer(f"residual_{block}").output)(x)
        assert_allclose(outputs[2 * block - 1], np.asarray(stream), rtol=1e-6)
    norms = diagnostics.gradient_norms(model, x, y)
    assert norms.shape == (6,) and np.all(norms > 0)
    assert [g.shape for g in diagnostics.kernel_gradients(model, x, y)] == [(64, 8), (8, 64)] * 3
    assert diagnostics.activation_stats(model, x).std.shape == (6,)
    assert diagnostics.dead_unit_fraction(model, x).shape == (6,)


def test_gradient_norms_of_a_zero_initialized_branch_reach_its_last_kernel_only():
    model = models.build_residual_mlp(2, 8, "relu", zero_init_last=True)
    x = np.random.default_rng(2).normal(size=(16, 64)).astype("float32")
    norms = diagnostics.gradient_norms(model, x, np.arange(16) % 10)
    assert_allclose(norms[[0, 2]], 0)
    assert np.all(norms[[1, 3]] > 0)
