"""Property-based tests of lab 4's checks, in the manner of lab 3's.

Generated perturbations of the reference answers fail; generated equivalent rewrites pass;
generated garbage (wrong types, NaN and inf, raising callables) gets one line of feedback,
never a traceback and never "the check could not run". No training happens here beyond the
one step the Swish check takes itself.
"""

import math

import keras
import numpy as np
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st
from keras import ops

from tests.lab_testing import FEW, VERY_FEW, feedback_is_one_line, garbage, garbage_values
from utils import checks
from utils.checks import lab4

SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


# A relative change of at least 1e-3 in a constant moves some output on [-6, 6] by more than the 1e-6 tolerance.
relative_changes = st.floats(1e-3, 0.5) | st.floats(-0.5, -1e-3)


def gelu(erf_scale=1.0, cubic=0.044715, slope=SQRT_2_OVER_PI, approximate=False):
    if approximate:
        return lambda z: 0.5 * z * (1 + ops.tanh(slope * (z + cubic * z**3)))
    return lambda z: 0.5 * z * (1 + ops.erf(erf_scale * z / math.sqrt(2)))


@FEW
@given(constant=st.sampled_from(["erf scale", "cubic", "slope"]), change=relative_changes)
def test_perturbed_gelus_fail(constant, change, capsys):
    function, approximate = {
        "erf scale": (gelu(erf_scale=1 + change), False),
        "cubic": (gelu(cubic=0.044715 * (1 + change), approximate=True), True),
        "slope": (gelu(slope=SQRT_2_OVER_PI * (1 + change), approximate=True), True),
    }[constant]
    result = checks.check_gelu(function, approximate=approximate)
    assert result.status == "failed", result.message
    feedback_is_one_line(result, capsys)


def rewrites(approximate):
    """GELU in other words: z + GELU(-z) = GELU(z) (both variants), float64 inside, NumPy, TensorFlow."""
    reference = gelu(approximate=approximate)
    return [
        lambda z: z + reference(-z),
        lambda z: ops.cast(reference(ops.cast(z, "float64")), ops.dtype(ops.convert_to_tensor(z))),
        lambda z: lab4.gelu_reference(z, approximate=approximate),
        lambda z: keras.activations.gelu(tf.convert_to_tensor(z), approximate=approximate),
    ]


@VERY_FEW
@given(which=st.integers(0, 3), approximate=st.booleans())
def test_equivalent_gelu_rewrites_pass(which, approximate, capsys):
    result = checks.check_gelu(rewrites(approximate)[which], approximate=approximate)
    assert result.passed, result.message


@FEW
@given(answer=garbage, approximate=st.booleans())
def test_garbage_gelus_get_one_line(answer, approximate, capsys):
    result = checks.check_gelu(answer, approximate=approximate)
    assert result.status in ("failed", "error", "not done")
    feedback_is_one_line(result, capsys)


@FEW
@given(answer=garbage)
def test_garbage_gains_get_one_line(answer, capsys):
    result = checks.check_gain(answer)
    assert result.status in ("failed", "error", "not done")
    feedback_is_one_line(result, capsys)


@FEW
@given(returned=garbage_values | st.sampled_from([np.full((200, 50), np.nan), np.full((200, 50), -np.inf)]))
def test_garbage_swish_layers_get_one_line(returned, capsys):
    layer = type("Garbage", (keras.layers.Layer,), {"call": lambda self, inputs: returned})
    result = checks.check_swish_layer(layer)
    assert result.status in ("failed", "error", "not done")
    feedback_is_one_line(result, capsys)


class Swish(keras.layers.Layer):
    def __init__(self, beta=1.0, **kwargs):
        super().__init__(**kwargs)
        self.initial_beta = beta

    def build(self, input_shape):
        self.beta = self.add_weight(name="beta", shape=(), initializer=keras.initializers.Constant(self.initial_beta))


def scaled_swish(factor):
    """A Swish whose effective beta is ``factor`` times its weight."""
    return type("Scaled", (Swish,), {"call": lambda self, x: x * ops.sigmoid(factor * self.beta * x)})


@VERY_FEW
@given(change=st.floats(1e-3, 0.5) | st.floats(-0.5, -1e-3))
def test_perturbed_swish_betas_fail(change, capsys):
    result = checks.check_swish_layer(scaled_swish(1 + change))
    assert result.status == "failed" and "sigmoid" in result.message, result.message
    feedback_is_one_line(result, capsys)


@FEW
@given(
    name=st.sampled_from(lab4.GAIN_FUNCTIONS),
    change=st.floats(2e-3, 0.5) | st.floats(-0.5, -2e-3),
)
def test_perturbed_gains_fail(name, change, capsys):
    """Off by more than the 0.1% tolerance for any one activation: the check notices which."""

    def init_gain(f):
        exact = lab4.reference_gain(next(n for n in lab4.GAIN_FUNCTIONS if lab4._gain_function(n)(0.7) == f(0.7)))
        return exact * (1 + change) if math.isclose(f(0.7), lab4._gain_function(name)(0.7)) else exact

    result = checks.check_gain(init_gain)
    assert result.status == "failed" and f"init_gain({name})" in result.message, result.message
    feedback_is_one_line(result, capsys)


containers = [
    float,
    lambda g: [g],
    lambda g: np.array(g),
    lambda g: np.float32(g),
    lambda g: tf.constant(g, tf.float64),
    lambda g: ops.convert_to_tensor([g]),
]


@FEW
@given(container=st.sampled_from(containers), change=st.floats(-4e-4, 4e-4))
def test_gains_within_the_tolerance_in_any_container_pass(container, change, capsys):
    def init_gain(f):
        name = next(n for n in lab4.GAIN_FUNCTIONS if lab4._gain_function(n)(0.7) == f(0.7))
        return container(lab4.reference_gain(name) * (1 + change))

    result = checks.check_gain(init_gain)
    assert result.passed, result.message
