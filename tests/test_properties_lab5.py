"""Property-based tests of lab 5's checks, in the manner of lab 4's.

Generated perturbations of the reference answers fail; generated equivalent rewrites pass;
generated garbage (wrong types, NaN and inf, raising callables: tests/lab_testing.py) gets one
line of feedback, never a traceback and never "the check could not run". Nothing is trained here.
"""

import math

import numpy as np
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st
from keras import ops

from tests.lab_testing import FEW, VERY_FEW, feedback_is_one_line, garbage, garbage_values
from utils import checks
from utils.checks import lab5

# A relative change of at least 1e-3 in a constant moves some value by more than the 1e-4 tolerance.
relative_changes = st.floats(1e-3, 0.5) | st.floats(-0.5, -1e-3)


def batch_norm(mean_factor=1.0, var_factor=1.0, epsilon_factor=1.0, momentum_factor=1.0):
    def answer(x, gamma, beta, moving_mean, moving_var, *, training, momentum=0.99, epsilon=1e-3):
        x = np.asarray(x, dtype="float64")
        m = momentum * momentum_factor
        if training:
            mean, var = x.mean(axis=0), x.var(axis=0)
            moving_mean = m * np.asarray(moving_mean) + (1 - m) * mean * mean_factor
            moving_var = m * np.asarray(moving_var) + (1 - m) * var * var_factor
        else:
            mean, var = np.asarray(moving_mean, "float64"), np.asarray(moving_var, "float64")
        y = np.asarray(gamma) * (x - mean) / np.sqrt(var + epsilon * epsilon_factor) + np.asarray(beta)
        return y, moving_mean, moving_var

    return answer


@FEW
@given(constant=st.sampled_from(["mean", "var", "momentum"]), change=relative_changes)
def test_perturbed_batch_norms_fail(constant, change, capsys):
    factors = {"mean": "mean_factor", "var": "var_factor", "momentum": "momentum_factor"}
    if constant == "momentum":  # keep momentum below 1: 0.99 * (1 + change) <= 1
        change = min(change, 0.01 / 0.99 - 1e-4) if change > 0 else change
    result = checks.check_batch_norm(batch_norm(**{factors[constant]: 1 + change}))
    assert result.status == "failed", result.message
    feedback_is_one_line(result, capsys)


@FEW
@given(change=st.floats(0.5, 10.0) | st.floats(-0.9, -0.5))
def test_batch_norms_with_another_epsilon_fail(change, capsys):
    """Epsilon matters for the features of variance 1e-4 the check includes."""
    result = checks.check_batch_norm(batch_norm(epsilon_factor=1 + change))
    assert result.status == "failed", result.message
    feedback_is_one_line(result, capsys)


def batch_norm_rewrites():
    """Batch norm in other words: NumPy, keras.ops in float32 and float64, TensorFlow's own."""

    def ops_answer(dtype):
        def answer(x, gamma, beta, moving_mean, moving_var, *, training, momentum=0.99, epsilon=1e-3):
            x, gamma, beta, mm, mv = (ops.cast(v, dtype) for v in (x, gamma, beta, moving_mean, moving_var))
            if training:
                mean, var = ops.moments(x, axes=[0])
                mm, mv = momentum * mm + (1 - momentum) * mean, momentum * mv + (1 - momentum) * var
            else:
                mean, var = mm, mv
            return (x - mean) * ops.rsqrt(var + epsilon) * gamma + beta, mm, mv

        return answer

    def tf_answer(x, gamma, beta, moving_mean, moving_var, *, training, momentum=0.99, epsilon=1e-3):
        x = tf.cast(x, tf.float64)
        gamma, beta, mm, mv = (tf.cast(v, tf.float64) for v in (gamma, beta, moving_mean, moving_var))
        if training:
            mean, var = tf.nn.moments(x, axes=[0])
            mm, mv = mm * momentum + mean * (1 - momentum), mv * momentum + var * (1 - momentum)
        else:
            mean, var = mm, mv
        return tf.nn.batch_normalization(x, mean, var, beta, gamma, epsilon), mm, mv

    return [batch_norm(), ops_answer("float32"), ops_answer("float64"), tf_answer]


@FEW
@given(which=st.integers(0, 3))
def test_equivalent_batch_norm_rewrites_pass(which, capsys):
    result = checks.check_batch_norm(batch_norm_rewrites()[which])
    assert result.passed, result.message


garbage_triples = st.tuples(garbage_values, garbage_values, garbage_values).map(
    lambda triple: lambda *args, **kwargs: triple
)


@FEW
@given(answer=garbage | garbage_triples)
def test_garbage_batch_norms_get_one_line(answer, capsys):
    result = checks.check_batch_norm(answer)
    assert result.status in ("failed", "error", "not done")
    feedback_is_one_line(result, capsys)


def clip(norm_power=0.5, factor=1.0):
    def answer(grads, clip_norm):
        norm = sum(float(np.sum(np.square(g))) for g in grads) ** norm_power
        return [np.asarray(g) * (factor * clip_norm / max(norm, factor * clip_norm)) for g in grads]

    return answer


@FEW
@given(change=relative_changes)
def test_perturbed_clips_fail(change, capsys):
    result = checks.check_clip_by_global_norm(clip(factor=1 + change))
    assert result.status == "failed", result.message
    feedback_is_one_line(result, capsys)


containers = [
    list,
    tuple,
    lambda values: [tf.constant(v) for v in values],
    lambda values: [np.float32(1) * v for v in values],
]


@FEW
@given(container=st.sampled_from(containers))
def test_clips_in_any_container_pass(container, capsys):
    result = checks.check_clip_by_global_norm(lambda grads, c: container(clip()(grads, c)))
    assert result.passed, result.message


@FEW
@given(answer=garbage | garbage_values.map(lambda value: lambda grads, c: [value] * len(grads)))
def test_garbage_clips_get_one_line(answer, capsys):
    result = checks.check_clip_by_global_norm(answer)
    assert result.status in ("failed", "error", "not done")
    feedback_is_one_line(result, capsys)


def block(h, kernel, scale):
    return h + scale * ops.matmul(ops.relu(h), kernel)


@VERY_FEW
@given(constant=st.floats(0.6, 1.1))
def test_scales_of_order_one_over_sqrt_depth_pass(constant, capsys):
    """A scale c / sqrt(L) keeps the std near exp(c**2 / 2) at any depth: the band admits c from 0.5 to 1.15."""
    result = checks.check_residual_block(block, lambda num_blocks: constant / math.sqrt(num_blocks))
    assert result.passed, result.message


@FEW
@given(scale=st.floats(0.0, 3.0))
def test_constant_scales_fail(scale, capsys):
    """No scale that ignores the depth passes at every depth."""
    result = checks.check_residual_block(block, lambda num_blocks: scale)
    assert result.status == "failed", result.message
    feedback_is_one_line(result, capsys)


@FEW
@given(residual_block=garbage, branch_scale=garbage)
def test_garbage_residual_answers_get_one_line(residual_block, branch_scale, capsys):
    result = checks.check_residual_block(residual_block, branch_scale)
    assert result.status in ("failed", "error", "not done")
    feedback_is_one_line(result, capsys)


REMEDY_OF = {synonym: remedy for remedy, synonyms in lab5.REMEDIES.items() for synonym in synonyms}
remedy_names = st.sampled_from(sorted(REMEDY_OF))
spellings = st.sampled_from([str, str.upper, str.title, lambda s: f"  {s} "])


@FEW
@given(a=remedy_names, b=remedy_names, c=remedy_names, spelling=spellings)
def test_any_remedies_get_one_line_and_pass_only_when_right(a, b, c, spelling, capsys):
    answer = {"network_a": spelling(a), "network_b": spelling(b), "network_c": spelling(c)}
    result = checks.check_remedies(answer)
    right = (
        REMEDY_OF[a] in ("batch norm", "relu and he")
        and REMEDY_OF[b] == "gradient clipping"
        and REMEDY_OF[c] in ("branch scaling", "pre-norm")  # the residual network: either bounds its growth
    )
    assert result.passed == right, result.message
    feedback_is_one_line(result, capsys)


@FEW
@given(answer=garbage | st.dictionaries(st.sampled_from(["network_a", "network_b", "network_c"]), garbage_values))
def test_garbage_remedies_get_one_line(answer, capsys):
    result = checks.check_remedies(answer)
    assert result.status in ("failed", "error", "not done")
    feedback_is_one_line(result, capsys)
