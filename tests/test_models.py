import functools
import re

import keras
import numpy as np
import pytest
from numpy.testing import assert_allclose

from utils import initializers, models, setup, training, vocabulary


def names(model):
    return [layer.name for layer in model.layers]


def hidden_kernels(model):
    return [layer.kernel.numpy() for layer in model.layers if layer.name.startswith("hidden_")]


def test_layer_names_and_shapes():
    model = models.build_mlp(num_layers=4, units=16, input_dim=10, num_classes=3)
    assert names(model) == ["hidden_1", "hidden_2", "hidden_3", "hidden_4", "output"]
    assert model.input_shape == (None, 10)
    assert model.output_shape == (None, 3)
    assert [layer.units for layer in model.layers] == [16, 16, 16, 16, 3]


def test_string_activation_is_built_into_the_dense_layers():
    model = models.build_mlp(num_layers=2, activation="tanh")
    assert model.get_layer("hidden_1").activation is keras.activations.tanh
    assert model.get_layer("output").activation is keras.activations.softmax


def test_output_activation_none_gives_logits():
    model = models.build_mlp(num_layers=1, output_activation=None)
    assert model.get_layer("output").activation is keras.activations.linear


def test_function_activation():
    model = models.build_mlp(num_layers=2, activation=keras.activations.elu)
    assert names(model) == ["hidden_1", "hidden_2", "output"]
    assert model.get_layer("hidden_2").activation is keras.activations.elu


@pytest.mark.parametrize(
    "factory, layer_type",
    [
        (lambda: keras.layers.LeakyReLU(negative_slope=0.2), keras.layers.LeakyReLU),
        (keras.layers.PReLU, keras.layers.PReLU),
        (functools.partial(keras.layers.ELU, alpha=0.5), keras.layers.ELU),
    ],
)
def test_layer_factory_gives_each_layer_its_own_activation_layer(factory, layer_type):
    model = models.build_mlp(num_layers=3, units=8, activation=factory)
    assert names(model) == [
        "hidden_1",
        "activation_1",
        "hidden_2",
        "activation_2",
        "hidden_3",
        "activation_3",
        "output",
    ]
    activations = [model.get_layer(f"activation_{i}") for i in (1, 2, 3)]
    assert all(type(layer) is layer_type for layer in activations)
    assert len({id(layer) for layer in activations}) == 3
    assert all(model.get_layer(f"hidden_{i}").activation is keras.activations.linear for i in (1, 2, 3))


def test_leaky_relu_factory_computes_the_leaky_function():
    model = models.build_mlp(
        num_layers=1,
        units=1,
        input_dim=1,
        kernel_initializer="ones",
        activation=lambda: keras.layers.LeakyReLU(negative_slope=0.2),
    )
    probe = keras.Model(model.inputs[0], model.get_layer("activation_1").output)
    assert_allclose(probe(np.array([[-2.0], [3.0]])).numpy().ravel(), [-0.4, 3.0], rtol=1e-6)


@pytest.mark.parametrize(
    "initializer",
    [keras.initializers.HeNormal(), keras.initializers.HeNormal(seed=3), "he_normal"],
    ids=["unseeded instance", "seeded instance", "name"],
)
def test_each_layer_gets_its_own_initializer(initializer):
    # One Keras initializer instance reused as is would give identical kernels.
    kernels = hidden_kernels(models.build_mlp(num_layers=3, units=32, input_dim=32, kernel_initializer=initializer))
    for a, b in [(0, 1), (1, 2), (0, 2)]:
        assert not np.allclose(kernels[a], kernels[b])


def test_seeded_initializer_is_reproducible():
    first = hidden_kernels(models.build_mlp(2, 8, kernel_initializer=keras.initializers.GlorotNormal(seed=1)))
    second = hidden_kernels(models.build_mlp(2, 8, kernel_initializer=keras.initializers.GlorotNormal(seed=1)))
    for a, b in zip(first, second, strict=True):
        assert_allclose(a, b)


def test_initializer_scale_is_applied():
    model = models.build_mlp(1, 1000, input_dim=1000, kernel_initializer=keras.initializers.RandomNormal(stddev=0.05))
    assert model.get_layer("hidden_1").kernel.numpy().std() == pytest.approx(0.05, rel=0.02)


def test_model_trains(seeded):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    model = models.build_mlp(2, 16, "relu", "he_normal", input_dim=4, num_classes=2)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    training.build_for_fit(model, x[:32], y[:32])  # fit then traces its step once; the training is the same
    history = model.fit(x, y, epochs=20, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"num_layers": 0}, r"^num_layers must be a positive integer; got 0$"),
        ({"num_layers": 2.5}, r"^num_layers must be a positive integer; got 2.5$"),
        ({"units": 0}, r"^units must be a positive integer; got 0$"),
        ({"input_dim": -3}, r"^input_dim must be a positive integer"),
        ({"num_classes": 0}, r"^num_classes must be a positive integer"),
        (
            {"activation": "rleu"},
            r"^activation must be one of 'linear', .*'relu'.* \(or a function or a layer factory\); "
            r"got 'rleu' \(did you mean 'relu'\?\)$",
        ),
        ({"activation": 3}, r"^activation must be one of .*; got 3$"),
        ({"activation": keras.layers.ReLU()}, r"^activation must be .* not a layer instance"),
        ({"activation": lambda: "relu"}, r"^activation factory must return a keras.layers.Layer; it returned str$"),
        (
            {"kernel_initializer": "he_nromal"},
            r"^kernel_initializer must be one of .*'he_normal'.*; got 'he_nromal' \(did you mean 'he_normal'\?\)$",
        ),
        (
            {"kernel_initializer": 0.1},
            r"^kernel_initializer must be a Keras initializer name or a keras.initializers.Initializer; got float$",
        ),
        (
            {"output_activation": "relu"},
            r"^output_activation must be one of 'softmax', 'sigmoid', 'linear' or None; got 'relu'$",
        ),
    ],
)
def test_bad_arguments_raise_one_line_value_errors(kwargs, message):
    with pytest.raises(ValueError, match=message) as error:
        models.build_mlp(**kwargs)
    assert "\n" not in str(error.value)


def quoted(names):
    return ", ".join(repr(name) for name in names)


@pytest.mark.parametrize(
    "kwargs, names",
    [
        ({"activation": "rleu"}, vocabulary.ACTIVATION_NAMES),
        ({"kernel_initializer": "he_nromal"}, vocabulary.KERAS_INITIALIZER_NAMES),
        ({"output_activation": "relu"}, vocabulary.OUTPUT_ACTIVATION_NAMES),
    ],
)
def test_bad_names_list_the_vocabulary(kwargs, names):
    with pytest.raises(ValueError, match=f"must be one of {quoted(names)}"):
        models.build_mlp(**kwargs)


def test_models_exports_only_its_functions():
    assert sorted(models.__all__) == ["build_mlp", "build_residual_mlp", "redraw_kernels", "seeded_initializer"]


# --- redraw_kernels ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "initializer",
    [
        "he_normal",
        keras.initializers.VarianceScaling(1.5, "fan_in", "uniform"),
        keras.initializers.RandomNormal(stddev=0.3),
        initializers.LecunUniform(),
    ],
    ids=["name", "VarianceScaling", "RandomNormal", "course initializer"],
)
def test_redrawn_weights_are_a_fresh_builds_bit_for_bit(initializer):
    def build(seed):
        return models.build_mlp(4, 8, "tanh", models.seeded_initializer(initializer, seed), input_dim=5, num_classes=3)

    model = build(0)
    model.layers[1].bias.assign(np.ones(8))  # a bias that moved: redrawing sets it back to zero
    for seed in (7, 0):
        redrawn = models.redraw_kernels(model, models.seeded_initializer(initializer, seed))
        assert redrawn is model
        fresh = build(seed).get_weights()
        assert len(fresh) == len(model.get_weights()) == 10
        for index, (got, expected) in enumerate(zip(model.get_weights(), fresh, strict=True)):
            np.testing.assert_array_equal(got, expected, err_msg=f"weight {index}, seed {seed}")


def test_redraw_kernels_draws_each_layer_with_its_own_seed():
    model = models.redraw_kernels(
        models.build_mlp(3, 6, "relu", input_dim=6, num_classes=6), models.seeded_initializer("he_normal", 2)
    )
    kernels = [layer.kernel.numpy() for layer in model.layers]
    assert not any(np.array_equal(a, b) for i, a in enumerate(kernels) for b in kernels[i + 1 :])


NOT_AN_MLP = "model must be a built network from build_mlp (Dense layers hidden_1 ... output)"


@pytest.mark.parametrize(
    "model, initializer, message",
    [
        ("model", "he_normal", f"{NOT_AN_MLP}; got 'model'"),
        (
            keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="dense")]),
            "he_normal",
            f"{NOT_AN_MLP}; got Sequential",
        ),
        (None, "kaiming_normal", "kernel_initializer must be one of"),
    ],
    ids=["not a model", "another model", "unknown initializer"],
)
def test_redraw_kernels_bad_arguments(model, initializer, message):
    model = models.build_mlp(2, 3, "relu", input_dim=2, num_classes=2) if model is None else model
    with pytest.raises(ValueError, match=f"^{re.escape(message)}") as error:
        models.redraw_kernels(model, initializer)
    assert "\n" not in str(error.value)


# --- seeded_initializer ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "initializer",
    [
        "he_normal",
        keras.initializers.HeNormal(),
        keras.initializers.RandomNormal(stddev=0.3, seed=9),
        initializers.LecunUniform(),
    ],
    ids=["name", "unseeded instance", "seeded instance", "course initializer"],
)
def test_seeded_initializer_draws_with_the_seed(initializer):
    seeded = models.seeded_initializer(initializer, 3)
    assert seeded.get_config()["seed"] == 3
    setup.set_seed(123)  # the global random state plays no part
    first = np.asarray(seeded((16, 8)))
    setup.set_seed(456)
    assert_allclose(np.asarray(models.seeded_initializer(initializer, 3)((16, 8))), first)
    assert not np.allclose(np.asarray(models.seeded_initializer(initializer, 4)((16, 8))), first)


def test_seeded_initializer_keeps_the_rest_of_the_config_and_leaves_the_original_alone():
    original = keras.initializers.RandomNormal(mean=1.0, stddev=0.3, seed=9)
    seeded = models.seeded_initializer(original, 2)
    assert seeded is not original and type(seeded) is type(original)
    assert {k: v for k, v in seeded.get_config().items() if k != "seed"} == {
        k: v for k, v in original.get_config().items() if k != "seed"
    }
    assert original.get_config()["seed"] == 9
    course = models.seeded_initializer(initializers.HeNormal(negative_slope=0.2), 1)
    assert isinstance(course, initializers.HeNormal) and course.get_config() == {"seed": 1, "negative_slope": 0.2}


def test_seeded_initializer_copies_an_initializer_without_a_seed():
    zeros = keras.initializers.Zeros()
    copy = models.seeded_initializer(zeros, 5)
    assert copy is not zeros and isinstance(copy, keras.initializers.Zeros)
    assert not np.any(np.asarray(models.seeded_initializer("ones", 5)((2, 2))) != 1)


def test_seeded_initializer_gives_a_reproducible_model_with_distinct_layers():
    first = hidden_kernels(models.build_mlp(3, 16, kernel_initializer=models.seeded_initializer("glorot_normal", 7)))
    second = hidden_kernels(models.build_mlp(3, 16, kernel_initializer=models.seeded_initializer("glorot_normal", 7)))
    for a, b in zip(first, second, strict=True):
        assert_allclose(a, b)
    assert not np.allclose(first[1], first[2])


@pytest.mark.parametrize(
    "initializer, seed, message",
    [
        ("he_normal", -1, r"^seed must be a non-negative integer; got -1$"),
        ("he_normal", 1.0, r"^seed must be a non-negative integer; got 1.0$"),
        ("xavier", 0, r"^kernel_initializer must be one of 'glorot_uniform', .*; got 'xavier'"),
        (
            0.1,
            0,
            r"^kernel_initializer must be a Keras initializer name or a keras.initializers.Initializer; got float$",
        ),
    ],
)
def test_seeded_initializer_bad_arguments(initializer, seed, message):
    with pytest.raises(ValueError, match=message) as error:
        models.seeded_initializer(initializer, seed)
    assert "\n" not in str(error.value)


class _SeedOnlyInitializer(keras.initializers.Initializer):
    """How a learner writes one: ``self.seed`` kept, no ``get_config``."""

    def __init__(self, seed=None):
        self.seed = seed

    def __call__(self, shape, dtype=None):
        return keras.random.normal(shape, stddev=0.1, seed=self.seed, dtype=dtype)


def test_a_custom_initializer_without_get_config_keeps_its_seed_in_build_mlp():
    kernels = [
        [w.numpy() for w in models.build_mlp(3, 8, "relu", _SeedOnlyInitializer(seed=5)).trainable_weights[::2]]
        for _ in range(2)
    ]
    for first, second in zip(*kernels, strict=True):
        np.testing.assert_array_equal(first, second)
    assert not np.array_equal(kernels[0][0][:8, :8], kernels[0][1][:8, :8])  # layers still differ
    redrawn = models.seeded_initializer(_SeedOnlyInitializer(seed=5), 7)
    assert isinstance(redrawn, _SeedOnlyInitializer) and redrawn.seed == 7


# --- normalization and residual blocks (chapter 5) ---------------------------------------------------------------


@pytest.mark.parametrize(
    "position, order",
    [
        ("before", ["hidden_1", "normalization_1", "activation_1"]),
        ("after", ["hidden_1", "activation_1", "normalization_1"]),
    ],
)
@pytest.mark.parametrize("normalization, kind", [("batch", "BatchNormalization"), ("layer", "LayerNormalization")])
def test_build_mlp_normalization_layer_order(normalization, kind, position, order):
    model = models.build_mlp(2, 8, "tanh", normalization=normalization, normalization_position=position)
    assert names(model) == [*order, *(name.replace("1", "2") for name in order), "output"]
    assert type(model.get_layer("normalization_1")).__name__ == kind
    assert model.get_layer("hidden_1").activation is keras.activations.linear
    assert model.get_layer("activation_1").activation is keras.activations.tanh


def test_build_mlp_batch_norm_normalizes_each_unit_over_the_batch(seeded):
    model = models.build_mlp(1, 8, "linear", normalization="batch")
    x = np.random.default_rng(0).normal(3.0, 5.0, size=(256, 64)).astype("float32")
    probe = keras.Model(model.inputs[0], model.get_layer("normalization_1").output)
    out = np.asarray(probe(x, training=True))
    assert_allclose(out.mean(axis=0), 0, atol=1e-4)
    assert_allclose(out.std(axis=0), 1, atol=1e-2)


def test_build_mlp_layer_factory_with_normalization_keeps_the_factory():
    model = models.build_mlp(2, 8, keras.layers.PReLU, normalization="layer")
    assert isinstance(model.get_layer("activation_2"), keras.layers.PReLU)


def test_residual_mlp_layers_and_shapes():
    model = models.build_residual_mlp(3, 16, "relu", input_dim=10, num_classes=4, normalization="layer")
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.name for layer in dense] == [f"hidden_{i}" for i in range(1, 7)] + ["output"]
    assert [layer.kernel.shape for layer in dense[:2]] == [(10, 16), (16, 10)]
    assert model.output_shape == (None, 4)
    assert {"residual_1", "residual_3", "normalization_1", "normalization_final"} <= set(names(model))


def test_residual_mlp_with_zero_last_kernels_is_the_identity_before_the_output():
    model = models.build_residual_mlp(4, 8, "relu", zero_init_last=True, output_activation=None)
    x = np.random.default_rng(1).normal(size=(5, 64)).astype("float32")
    stream = keras.Model(model.inputs[0], model.get_layer("residual_4").output)
    assert_allclose(np.asarray(stream(x)), x, atol=0)
    assert all(not np.any(model.get_layer(f"hidden_{2 * k}").kernel.numpy()) for k in range(1, 5))


def test_residual_mlp_branch_scale_multiplies_the_branch(seeded):
    setup.set_seed(0)
    plain = models.build_residual_mlp(1, 8, "tanh", models.seeded_initializer("glorot_normal", 3))
    scaled = models.build_residual_mlp(1, 8, "tanh", models.seeded_initializer("glorot_normal", 3), branch_scale=0.25)
    x = np.random.default_rng(2).normal(size=(5, 64)).astype("float32")

    def branch(model):
        return np.asarray(keras.Model(model.inputs[0], model.get_layer("residual_1").output)(x)) - x

    assert_allclose(branch(scaled), 0.25 * branch(plain), rtol=1e-4, atol=1e-6)


def test_residual_mlp_with_batch_norm_trains(seeded):
    model = models.build_residual_mlp(2, 8, "relu", normalization="batch")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(3).normal(size=(32, 64)).astype("float32")
    history = model.fit(x, np.arange(32) % 10, epochs=2, batch_size=16, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))


@pytest.mark.parametrize(
    "builder, kwargs, message",
    [
        (
            models.build_mlp,
            {"normalization": "btach"},
            r"^normalization must be one of 'batch', 'layer' or None; got 'btach' \(did you mean 'batch'\?\)$",
        ),
        (
            models.build_mlp,
            {"normalization": "batch", "normalization_position": "pre"},
            r"^normalization_position must be one of 'before', 'after'; got 'pre'",
        ),
        (models.build_residual_mlp, {"num_blocks": 0}, r"^num_blocks must be"),
        (models.build_residual_mlp, {"units": 2.5}, r"^units must be"),
        (
            models.build_residual_mlp,
            {"normalization": "group"},
            r"^normalization must be one of 'batch', 'layer' or None; got 'group'",
        ),
        (models.build_residual_mlp, {"branch_scale": 0}, r"^branch_scale must be a positive number; got 0$"),
        (models.build_residual_mlp, {"branch_scale": float("nan")}, r"^branch_scale must be a positive number"),
        (models.build_residual_mlp, {"zero_init_last": "yes"}, r"^zero_init_last must be True or False; got str$"),
        (models.build_residual_mlp, {"activation": "rleu"}, r"^activation must be one of"),
        (models.build_residual_mlp, {"kernel_initializer": "he_nromal"}, r"^kernel_initializer must be one of"),
        (models.build_residual_mlp, {"output_activation": "tanh"}, r"^output_activation must be one of"),
    ],
)
def test_normalization_and_residual_bad_arguments_raise_one_line_errors(builder, kwargs, message):
    with pytest.raises(ValueError, match=message) as error:
        builder(**kwargs)
    assert "\n" not in str(error.value)
