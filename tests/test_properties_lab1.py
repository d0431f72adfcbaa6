"""Property-based tests of lab 1's checks (Hypothesis): no training, a few examples each.

Generated perturbations of the reference answers fail, generated equivalent rewrites pass, and
generated garbage (wrong types, NaN and infinities, raising callables) gets one feedback line
(with at most a hint under it), never a traceback.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from utils import checks, diagnostics
from utils.models import build_mlp

FEW = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SOME = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

CORRECT_DIAGNOSIS = {
    "model_a": "exploding",
    "model_b": "exploding",
    "model_c": "vanishing",
    "model_d": "healthy",
    "model_e": "vanishing",
}


def assert_one_feedback_line(result, capsys):
    """One line of feedback, with at most a hint line under it; no traceback."""
    printed = capsys.readouterr().out.strip().splitlines()
    assert result.status in {"failed", "error", "not done"}, result.message
    assert len(printed) in (1, 2) and printed[0] == result.message.splitlines()[0], printed
    assert len(printed) == 1 or printed[1].startswith("   Hint:"), printed
    assert "Traceback" not in result.message and "\x1b" not in result.message


def reference_relative_change(before, after):
    return [np.linalg.norm(a - b) / np.linalg.norm(b) for b, a in zip(before, after, strict=True)]


# Garbage a learner can return or pass: wrong types, NaN and infinities, nested junk.
non_finite = st.sampled_from([float("nan"), float("inf"), -float("inf")])
garbage = st.one_of(
    st.text(max_size=8),
    st.integers(),
    st.booleans(),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.lists(st.one_of(st.text(max_size=3), non_finite, st.none()), min_size=1, max_size=4),
    non_finite.map(lambda v: [v, 1.0, 2.0]),
    st.just(object()),
)
errors = st.sampled_from([ValueError, TypeError, ZeroDivisionError, KeyError, RuntimeError, IndexError])


# ---- 1.3a relative_change: cheap, so more examples.


@SOME
@given(
    factor=st.one_of(st.floats(0.0, 0.98), st.floats(1.02, 1e3)),
    index=st.integers(0, 2),
)
def test_relative_change_perturbed_fails(factor, index):
    def perturbed(before, after):
        values = reference_relative_change(before, after)
        values[index] *= factor
        return values

    assert checks.check_relative_change(perturbed).status == "failed"


@SOME
@given(
    dtype=st.sampled_from([np.float32, np.float64]),
    container=st.sampled_from([list, tuple, np.array, tf.constant, keras.ops.convert_to_tensor]),
    squared=st.booleans(),
)
def test_relative_change_rewrites_pass(dtype, container, squared):
    def rewrite(before, after):
        values = []
        for b, a in zip(before, after, strict=True):
            b, a = np.asarray(b, dtype=dtype), np.asarray(a, dtype=dtype)
            if squared:  # the square root of a ratio of sums of squares: the same number
                values.append(float(np.sqrt(np.sum((a - b) ** 2) / np.sum(b**2))))
            else:
                values.append(float(np.linalg.norm(a - b) / np.linalg.norm(b)))
        return container(values)

    assert checks.check_relative_change(rewrite).passed


@SOME
@given(answer=garbage)
def test_relative_change_garbage_gets_one_line(answer, capsys):
    assert_one_feedback_line(checks.check_relative_change(lambda before, after: answer), capsys)


@SOME
@given(error=errors, message=st.text(max_size=20))
def test_relative_change_raising_gets_one_line_naming_the_error(error, message, capsys):
    def raising(before, after):
        raise error(message)

    result = checks.check_relative_change(raising)
    assert_one_feedback_line(result, capsys)
    assert result.status == "error" and f"your code raised {error.__name__}" in result.message


# ---- 1.2 mystery diagnosis: the expected verdicts are computed once per process.


@SOME
@given(
    wrong=st.lists(st.sampled_from(sorted(CORRECT_DIAGNOSIS)), min_size=1, unique=True),
    shift=st.integers(1, 2),
)
def test_mystery_diagnosis_with_any_wrong_verdict_fails(wrong, shift):
    order = checks.lab1.DIAGNOSES
    answer = dict(CORRECT_DIAGNOSIS)
    for name in wrong:
        answer[name] = order[(order.index(answer[name]) + shift) % 3]
    result = checks.check_mystery_diagnosis(answer)
    assert result.status == "failed" and f"{len(wrong)} wrong" in result.message


@SOME
@given(
    case=st.lists(st.sampled_from([str.upper, str.lower, str.title, str.capitalize]), min_size=10, max_size=10),
    pad=st.lists(st.sampled_from(["", " ", "\t", "  "]), min_size=10, max_size=10),
)
def test_mystery_diagnosis_written_differently_passes(case, pad):
    answer = {
        pad[2 * i] + case[2 * i](name) + pad[2 * i + 1]: case[2 * i + 1](verdict) + pad[2 * i]
        for i, (name, verdict) in enumerate(CORRECT_DIAGNOSIS.items())
    }
    assert checks.check_mystery_diagnosis(answer).passed


@SOME
@given(answer=st.one_of(garbage, st.dictionaries(st.sampled_from(sorted(CORRECT_DIAGNOSIS)), garbage, min_size=5)))
def test_mystery_diagnosis_garbage_gets_one_line(answer, capsys):
    assert_one_feedback_line(checks.check_mystery_diagnosis(answer), capsys)


# ---- 1.3b barely moved: a network whose kernels are moved by chosen amounts (no training).


@pytest.fixture(scope="module")
def untrained():
    model = build_mlp(6, 8, "sigmoid", keras.initializers.RandomNormal(stddev=0.5, seed=0))
    return model, diagnostics.kernel_snapshot(model)


def move_kernels(model, before, changes):
    """Set each hidden kernel to ``before`` moved by ``changes[i]`` of its norm."""
    rng = np.random.default_rng(0)
    for layer, start, change in zip(diagnostics.hidden_layers(model), before, changes, strict=True):
        direction = rng.standard_normal(start.shape)
        direction *= change * np.linalg.norm(start) / np.linalg.norm(direction)
        layer.kernel.assign((start + direction).astype(np.float32))


# Changes well clear of the 1 % bar, so that float32 rounding cannot move a layer across it.
changes_strategy = st.lists(st.one_of(st.floats(1e-5, 0.008), st.floats(0.013, 2.0)), min_size=6, max_size=6)


@SOME
@given(changes=changes_strategy, data=st.data())
def test_barely_moved_rewrites_pass_and_perturbations_fail(untrained, changes, data):
    model, before = untrained
    move_kernels(model, before, changes)
    names = [f"hidden_{i}" for i in range(1, 7)]
    expected = [n for n, c in zip(names, changes, strict=True) if c < 0.01]
    rewrite = data.draw(st.permutations(expected))
    container = data.draw(st.sampled_from([list, tuple, set]))
    shout = data.draw(st.booleans())
    assert checks.check_barely_moved(container([n.upper() if shout else n for n in rewrite]), before, model).passed
    flipped = data.draw(st.sampled_from(names))
    perturbed = sorted(set(expected) ^ {flipped})
    assert checks.check_barely_moved(perturbed, before, model).status == "failed"


@SOME
@given(answer=garbage)
def test_barely_moved_garbage_gets_one_line(untrained, answer, capsys):
    model, before = untrained
    assert_one_feedback_line(checks.check_barely_moved(answer, before, model), capsys)


# ---- 1.1 gradient norms: each example builds a small network, so few examples.


def reference_gradient_norms(model, x, y):
    kernels = [layer.kernel for layer in diagnostics.hidden_layers(model)]
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x)))
    return [float(tf.norm(g)) for g in tape.gradient(loss, kernels)]


@FEW
@given(factor=st.one_of(st.floats(0.0, 0.99), st.floats(1.01, 1e6)), index=st.integers(0, 2))
def test_gradient_norms_perturbed_fails(factor, index):
    def perturbed(model, x, y):
        norms = reference_gradient_norms(model, x, y)
        norms[index] *= factor
        return norms

    assert checks.check_gradient_norms(perturbed).status == "failed"


@FEW
@given(answer=garbage)
def test_gradient_norms_garbage_gets_one_line(answer, capsys):
    assert_one_feedback_line(checks.check_gradient_norms(lambda model, x, y: answer), capsys)


@FEW
@given(error=errors)
def test_gradient_norms_raising_gets_one_line(error, capsys):
    def raising(model, x, y):
        raise error("learner's mistake")

    result = checks.check_gradient_norms(raising)
    assert_one_feedback_line(result, capsys)
    assert "6-layer sigmoid" in result.message and "could not run" not in result.message


# ---- 1.4 fixed network: garbage is rejected before any training.


@FEW
@given(activation=garbage, kernel_initializer=st.one_of(st.just("he_normal"), garbage))
def test_fixed_network_garbage_gets_one_line_without_training(activation, kernel_initializer, capsys, monkeypatch):
    def no_training(*args, **kwargs):
        raise AssertionError("the check trained a network it should have rejected")

    monkeypatch.setattr(checks.lab1, "train_fix_candidate", no_training)
    assert_one_feedback_line(checks.check_fixed_network(activation, kernel_initializer), capsys)
