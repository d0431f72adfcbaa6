"""Lab 3 checks accept the reference answers and reject stubs and plausible wrong answers."""

import keras
import numpy as np
import pytest
from keras import ops

from utils import checks, diagnostics, models

SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805


def leaky_relu(z, negative_slope=0.2):
    return ops.where(z > 0, z, negative_slope * z)


def elu(z, alpha=1.0):
    return ops.where(z > 0, z, alpha * (ops.exp(z) - 1))


def selu(z):
    return SELU_SCALE * elu(z, SELU_ALPHA)


@pytest.mark.parametrize("function, name", [(leaky_relu, "leaky_relu"), (elu, "elu"), (selu, "selu")])
def test_activation_accepts_keras_ops_versions(function, name):
    result = checks.check_activation(function, name)
    assert result.passed, result.message


@pytest.mark.parametrize(
    "function, name, specific",
    [
        (lambda z: ops.where(z > 0, z, 0.01 * z), "leaky_relu", "negative_slope * z"),
        (lambda z: ops.where(z > 0, z, ops.exp(z)), "elu", "alpha * (exp(z) - 1)"),
        (lambda z: 1.0507 * elu(z, 1.6733), "selu", "keep all digits"),
        (lambda z: elu(z, SELU_ALPHA), "selu", "scale ≈ 1.0507"),
        (
            lambda z: ops.convert_to_tensor(np.where(np.asarray(z) > 0, np.asarray(z), 0.2 * np.asarray(z))),
            "leaky_relu",
            "NumPy calls break the gradient tape",
        ),
    ],
    ids=["slope 0.01", "elu without -1", "rounded selu constants", "selu without scale", "numpy breaks the tape"],
)
def test_activation_rejects_plausible_mistakes(function, name, specific):
    result = checks.check_activation(function, name)
    assert result.status == "failed" and specific in result.message, result.message


def test_activation_stub():
    assert checks.check_activation(..., "elu").status == "not done"
    assert checks.check_activation(lambda z: ..., "selu").status == "not done"


class ReferenceRReLU(keras.layers.Layer):
    def __init__(self, lower=0.125, upper=1 / 3, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.lower, self.upper = lower, upper
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        if training:
            slope = keras.random.uniform(ops.shape(inputs), self.lower, self.upper, seed=self.seed_generator)
        else:
            slope = (self.lower + self.upper) / 2
        return ops.where(inputs >= 0, inputs, slope * inputs)


def variant(call):
    return type("Candidate", (ReferenceRReLU,), {"call": call})


def test_rrelu_accepts_the_reference_and_utils_layer():
    assert checks.check_rrelu_layer(ReferenceRReLU).passed


@pytest.mark.parametrize(
    "call, specific",
    [
        (lambda self, x, training=None: ops.where(x >= 0, x, 0.2 * x), "different random slope"),
        (
            lambda self, x, training=None: ops.where(
                x >= 0, x, keras.random.uniform(ops.shape(x), self.lower, self.upper, seed=self.seed_generator) * x
            ),
            "mean slope",
        ),
        (
            lambda self, x, training=None: (
                keras.random.uniform(ops.shape(x), self.lower, self.upper, seed=self.seed_generator) * x
                if training
                else 0.2 * x
            ),
            "positive inputs unchanged",
        ),
        (
            lambda self, x, training=None: ops.where(
                x >= 0,
                x,
                (keras.random.uniform((), self.lower, self.upper, seed=self.seed_generator) if training else 0.2) * x,
            ),
            "different random slope for each element",
        ),
    ],
    ids=["never random", "random in inference", "slope on positives", "one slope per batch"],
)
def test_rrelu_rejects_plausible_mistakes(call, specific):
    result = checks.check_rrelu_layer(variant(call))
    assert result.status == "failed" and specific in result.message, result.message


def test_rrelu_stub_and_instance():
    assert checks.check_rrelu_layer(...).status == "not done"
    assert checks.check_rrelu_layer(variant(lambda self, x, training=None: ...)).status == "not done"
    instance = checks.check_rrelu_layer(ReferenceRReLU())
    assert instance.status == "failed" and "the class itself" in instance.message


@pytest.fixture(scope="module")
def dead():
    return checks.build_dead_network()


def reference_count(model, x):
    return [int(np.sum(np.all(o == 0, axis=0))) for o in diagnostics.layer_outputs(model, x)]


def test_the_dead_network_has_dead_units(dead):
    """Over 25 shuffling seeds, 35 to 72 of the 128 units died, and no run diverged to NaN."""
    from utils.data import load_digits

    assert all(np.isfinite(w).all() for w in dead.get_weights())
    assert sum(reference_count(dead, load_digits().x_val)) >= 20


def test_leaking_revives_some_dead_units_and_kills_none(dead):
    """Lab 3 after 3.3: with Leaky ReLU, some dead units turn positive for some digits, and none is dead."""
    from utils.data import load_digits

    x = load_digits().x_val
    revived = revive(dead, lambda: keras.layers.LeakyReLU(negative_slope=0.1))
    was_dead = [np.all(o == 0, axis=0) for o in diagnostics.layer_outputs(dead, x)]
    leaky = diagnostics.layer_outputs(revived, x)
    still_negative = sum(int((d & np.all(o < 0, axis=0)).sum()) for d, o in zip(was_dead, leaky, strict=True))
    assert 0 <= still_negative < sum(int(d.sum()) for d in was_dead)
    assert sum(int(np.all(o == 0, axis=0).sum()) for o in leaky) == 0


def test_dead_unit_count(dead):
    assert checks.check_dead_unit_count(reference_count, dead).passed
    assert checks.check_dead_unit_count(lambda m, x: ..., dead).status == "not done"
    zeros = checks.check_dead_unit_count(
        lambda m, x: [int(np.sum(o == 0)) for o in diagnostics.layer_outputs(m, x)], dead
    )
    assert zeros.status == "failed" and "you counted zero outputs" in zeros.message


def revive(dead, activation):
    revived = models.build_mlp(4, 32, activation)
    for old, new in zip(
        diagnostics.hidden_layers(dead) + [dead.get_layer("output")],
        diagnostics.hidden_layers(revived) + [revived.get_layer("output")],
        strict=True,
    ):
        new.set_weights(old.get_weights())
    return revived


def test_revived_network(dead):
    assert checks.check_revived_network(revive(dead, lambda: keras.layers.LeakyReLU(negative_slope=0.1)), dead).passed
    assert checks.check_revived_network(..., dead).status == "not done"
    still_relu = checks.check_revived_network(revive(dead, "relu"), dead)
    assert still_relu.status == "failed" and "LeakyReLU" in still_relu.message
    fresh = checks.check_revived_network(models.build_mlp(4, 32, lambda: keras.layers.LeakyReLU()), dead)
    assert fresh.status == "failed" and "set_weights" in fresh.message


def test_is_revived_is_the_check_without_output(dead, capsys):
    assert checks.lab3.is_revived(revive(dead, lambda: keras.layers.LeakyReLU(negative_slope=0.1)), dead)
    assert not checks.lab3.is_revived(..., dead)
    assert not checks.lab3.is_revived(revive(dead, "relu"), dead)
    assert not checks.lab3.is_revived("not a model", dead)
    assert capsys.readouterr().out == ""


def test_self_normalizing():
    assert checks.check_self_normalizing(models.build_mlp(50, 64, "selu", "lecun_normal")).passed
    assert checks.check_self_normalizing(...).status == "not done"
    he = checks.check_self_normalizing(models.build_mlp(50, 64, "selu", "he_normal"))
    assert he.status == "failed" and "LeCun normal" in he.message
    shallow = checks.check_self_normalizing(models.build_mlp(10, 64, "selu", "lecun_normal"))
    assert shallow.status == "failed" and "at least 50 hidden layers" in shallow.message
