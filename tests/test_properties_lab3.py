"""Property-based tests of lab 3's checks (issue 13, point 6).

Generated perturbations of the reference answers fail; generated equivalent rewrites pass;
generated garbage (wrong types, NaN and inf, raising callables) gets one line of feedback,
never a traceback and never "the check could not run". No training happens here beyond the
one step the activation and RReLU checks take themselves.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st
from keras import ops

from tests.lab_testing import FEW, VERY_FEW, feedback_is_one_line, garbage, garbage_values, raising_callables
from utils import checks, diagnostics, models
from utils.checks import lab3

SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805


# A relative change of at least 1e-4 in a constant moves some output by more than the 1e-6 tolerance.
relative_changes = st.floats(1e-4, 0.5) | st.floats(-0.5, -1e-4)


def activation(slope=0.2, alpha=1.0, scale=1.0):
    return lambda z: scale * ops.where(z > 0, z, slope * z if alpha is None else alpha * (ops.exp(z) - 1))


@FEW
@given(name=st.sampled_from(["leaky_relu", "elu", "selu-alpha", "selu-scale"]), change=relative_changes)
def test_perturbed_activations_fail(name, change, capsys):
    function, check_name = {
        "leaky_relu": (activation(slope=0.2 * (1 + change), alpha=None), "leaky_relu"),
        "elu": (activation(alpha=1 + change), "elu"),
        "selu-alpha": (activation(alpha=SELU_ALPHA * (1 + change), scale=SELU_SCALE), "selu"),
        "selu-scale": (activation(alpha=SELU_ALPHA, scale=SELU_SCALE * (1 + change)), "selu"),
    }[name]
    result = checks.check_activation(function, check_name)
    assert result.status == "failed", result.message
    feedback_is_one_line(result, capsys)


def leaky_rewrites(scale):
    """Leaky ReLU is positively homogeneous: f(k z) / k = f(z) for k > 0 (a power of two: exact in floats)."""
    return [
        lambda z: ops.where(z * scale > 0, z * scale, 0.2 * z * scale) / scale,
        lambda z: ops.maximum(z, 0.2 * z),
        lambda z: tf.where(z <= 0, 0.2 * z, z),
        lambda z: ops.relu(z) - 0.2 * ops.relu(-z),
    ]


@VERY_FEW
@given(power=st.integers(-8, 8), which=st.integers(0, 3))
def test_equivalent_leaky_relu_rewrites_pass(power, which, capsys):
    result = checks.check_activation(leaky_rewrites(2.0**power)[which], "leaky_relu")
    assert result.passed, result.message


@VERY_FEW
@given(which=st.integers(0, 3), selu=st.booleans())
def test_equivalent_elu_and_selu_rewrites_pass(which, selu, capsys):
    alpha, scale = (SELU_ALPHA, SELU_SCALE) if selu else (1.0, 1.0)
    elu = [
        lambda z: ops.where(z <= 0, alpha * (ops.exp(z) - 1), z),
        lambda z: ops.where(z > 0, z, alpha * tf.math.expm1(ops.minimum(z, 0))),
        lambda z: ops.relu(z) + ops.minimum(0.0, alpha * (ops.exp(ops.minimum(z, 0)) - 1)),
        lambda z: keras.activations.elu(z, alpha),
    ][which]
    result = checks.check_activation(lambda z: scale * elu(z), "selu" if selu else "elu")
    assert result.passed, result.message


@pytest.fixture(scope="module")
def small_dead():
    """A 3-layer network with dead units (no training), standing in for the dead network."""
    return lab3._network_with_dead_units()


@FEW
@given(answer=garbage, name=st.sampled_from(["leaky_relu", "elu", "selu"]))
def test_garbage_activations_get_one_line(answer, name, capsys):
    result = checks.check_activation(answer, name)
    assert result.status in ("failed", "error", "not done")
    feedback_is_one_line(result, capsys)


@FEW
@given(returned=garbage_values | st.sampled_from([np.full((200, 50), np.nan), np.full((200, 50), -np.inf)]))
def test_garbage_rrelu_layers_get_one_line(returned, capsys):
    layer = type("Garbage", (keras.layers.Layer,), {"call": lambda self, inputs, training=None: returned})
    result = checks.check_rrelu_layer(layer)
    assert result.status in ("failed", "error", "not done")
    feedback_is_one_line(result, capsys)


@FEW
@given(answer=garbage, model=st.sampled_from(["model", None, ...]) | st.just("small"))
def test_garbage_dead_unit_counts_get_one_line(answer, model, small_dead, capsys):
    result = checks.check_dead_unit_count(answer, small_dead if model == "small" else model)
    assert result.status in ("failed", "error", "not done")
    feedback_is_one_line(result, capsys)


@FEW
@given(answer=garbage_values | raising_callables)
def test_garbage_networks_get_one_line(answer, small_dead, capsys):
    for check in (
        lambda: checks.check_revived_network(answer, small_dead),
        lambda: checks.check_self_normalizing(answer),
    ):
        result = check()
        assert result.status in ("failed", "not done")
        feedback_is_one_line(result, capsys)


class ReferenceRReLU(keras.layers.Layer):
    def __init__(self, lower=0.125, upper=1 / 3, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.lower, self.upper = lower, upper
        self.seed_generator = keras.random.SeedGenerator(seed)


def shifted_rrelu(lower_shift, upper_shift):
    """An RReLU whose bounds are off by the shifts, in training and in inference."""

    def call(self, inputs, training=None):
        lower, upper = self.lower + lower_shift, self.upper + upper_shift
        if training:
            slope = keras.random.uniform(ops.shape(inputs), lower, upper, seed=self.seed_generator)
        else:
            slope = (lower + upper) / 2
        return ops.where(inputs >= 0, inputs, slope * inputs)

    return type("Shifted", (ReferenceRReLU,), {"call": call})


shifts = st.floats(-0.08, 0.08)


@FEW
@given(lower_shift=shifts, upper_shift=shifts)
def test_perturbed_rrelu_bounds_fail(lower_shift, upper_shift, capsys):
    """Any shift of a bound by 0.02 or more fails (equal and opposite shifts keep the mean: the spread catches them)."""
    if max(abs(lower_shift), abs(upper_shift)) < 0.02:
        lower_shift = 0.02
    result = checks.check_rrelu_layer(shifted_rrelu(lower_shift, upper_shift))
    assert result.status == "failed", result.message
    feedback_is_one_line(result, capsys)


def reference_counts(model, x):
    return [int(np.sum(np.all(out == 0, axis=0))) for out in diagnostics.layer_outputs(model, x)]


@FEW
@given(offset=st.lists(st.integers(-3, 3), min_size=3, max_size=3).filter(any))
def test_perturbed_dead_unit_counts_fail(offset, small_dead, capsys):
    result = checks.check_dead_unit_count(lambda m, x: np.add(reference_counts(m, x), offset), small_dead)
    assert result.status == "failed", result.message
    feedback_is_one_line(result, capsys)


containers = [
    list,
    tuple,
    np.array,
    lambda c: np.array(c, dtype="float64"),
    tf.constant,
    lambda c: [np.int64(v) for v in c],
]


@FEW
@given(container=st.sampled_from(containers))
def test_dead_unit_counts_in_any_container_pass(container, small_dead, capsys):
    result = checks.check_dead_unit_count(lambda m, x: container(reference_counts(m, x)), small_dead)
    assert result.passed, result.message


@pytest.fixture(scope="module")
def dead_like():
    """A 4-layer ReLU network with some units killed, and a fresh Leaky ReLU network to copy it into."""
    model = models.build_mlp(4, 32, "relu", keras.initializers.HeNormal(seed=0))
    for layer in diagnostics.hidden_layers(model):
        kernel, bias = layer.get_weights()
        bias[:3] = -50.0
        layer.set_weights([kernel, bias])
    return model, models.build_mlp(4, 32, "leaky_relu")


@FEW
@given(
    layer=st.sampled_from(["hidden_1", "hidden_2", "hidden_3", "hidden_4", "output"]),
    part=st.sampled_from([0, 1]),
    position=st.integers(0, 10**6),
    delta=st.sampled_from([1e-3, -0.5, 2.0, np.nan, np.inf]),
)
def test_perturbed_revived_networks_fail(layer, part, position, delta, dead_like, capsys):
    """Copy every weight, then change one kernel or bias entry of one layer: the check must notice."""
    dead, revived = dead_like
    for name in ("hidden_1", "hidden_2", "hidden_3", "hidden_4", "output"):
        weights = dead.get_layer(name).get_weights()
        if name == layer:
            weights[part].flat[position % weights[part].size] += delta
        revived.get_layer(name).set_weights(weights)
    result = checks.check_revived_network(revived, dead)
    assert result.status == "failed" and layer in result.message, result.message
    feedback_is_one_line(result, capsys)


@VERY_FEW
@given(depth=st.integers(1, 12), activation=st.sampled_from(["selu", "relu", "tanh"]))
def test_shallow_or_other_networks_fail_self_normalization(depth, activation, capsys):
    result = checks.check_self_normalizing(models.build_mlp(depth, 16, activation, "lecun_normal"))
    assert result.status == "failed" and "at least 50 hidden layers" in result.message
    feedback_is_one_line(result, capsys)
