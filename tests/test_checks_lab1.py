"""Lab 1 checks accept the reference answers and reject stubs and plausible wrong answers."""

import numpy as np
import pytest

from utils import checks, diagnostics
from utils._tensorflow import keras, tf


def reference_gradient_norms(model, x, y):
    kernels = [layer.kernel for layer in diagnostics.hidden_layers(model)]
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x)))
    return [float(tf.norm(g)) for g in tape.gradient(loss, kernels)]


CORRECT_DIAGNOSIS = {"model_a": "exploding", "model_b": "healthy", "model_c": "vanishing"}


def test_gradient_norms_accepts_a_gradient_tape_solution():
    assert checks.check_gradient_norms(reference_gradient_norms).passed


@pytest.mark.parametrize(
    "wrong, specific",
    [
        (lambda m, x, y: reference_gradient_norms(m, x, y)[::-1], "reverse order"),
        (lambda m, x, y: np.square(reference_gradient_norms(m, x, y)), "squared norms"),
        (lambda m, x, y: reference_gradient_norms(m, x, y)[:-1], "one per hidden Dense layer"),
        (lambda m, x, y: [float(tf.norm(w)) for w in m.trainable_weights[:-2:2]], "not its bias"),
    ],
    ids=["reversed", "squared", "missing a layer", "weights instead of gradients"],
)
def test_gradient_norms_rejects_plausible_mistakes(wrong, specific):
    result = checks.check_gradient_norms(wrong)
    assert result.status == "failed" and specific in result.message


def test_gradient_norms_stub_and_crash():
    assert checks.check_gradient_norms(...).status == "not done"
    assert checks.check_gradient_norms(lambda m, x, y: ...).status == "not done"
    crashed = checks.check_gradient_norms(lambda m, x, y: m.no_such_attribute)
    assert crashed.status == "error" and "AttributeError" in crashed.message and "6-layer sigmoid" in crashed.message


def test_mystery_models_match_their_hidden_verdicts():
    x, y = checks._digits_batch()
    for name, model in checks.build_mystery_models().items():
        ratio = checks._first_to_last_ratio(model, x, y)
        # Far from the thresholds, so the verdicts hold on any machine.
        assert checks._diagnose(ratio / 10) == checks._diagnose(ratio * 10) == CORRECT_DIAGNOSIS[name], (name, ratio)


def test_mystery_diagnosis():
    assert checks.check_mystery_diagnosis(CORRECT_DIAGNOSIS).passed
    assert checks.check_mystery_diagnosis({k: ... for k in CORRECT_DIAGNOSIS}).status == "not done"
    swapped = dict(CORRECT_DIAGNOSIS, model_a="vanishing", model_c="exploding")
    result = checks.check_mystery_diagnosis(swapped)
    assert result.status == "failed" and "2 wrong" in result.message and "model_a is not vanishing" in result.message
    assert "exploding" not in result.message.split("Hint")[0].replace("model_c is not exploding", "")
    missing = checks.check_mystery_diagnosis({"model_a": "exploding"})
    assert missing.status == "failed" and "keys" in missing.message
    typo = checks.check_mystery_diagnosis(dict(CORRECT_DIAGNOSIS, model_b="fine"))
    assert typo.status == "failed" and "'fine'" in typo.message


@pytest.mark.slow
def test_fixed_network_accepts_relu_with_he():
    result = checks.check_fixed_network("relu", "he_normal")
    assert result.passed, result.message


@pytest.mark.slow
def test_fixed_network_rejects_the_vanishing_original_and_a_mismatched_pair():
    original = checks.check_fixed_network("sigmoid", "glorot_uniform")
    assert original.status == "failed" and "ratio within [0.1, 10]" in original.message
    too_small = checks.check_fixed_network("relu", keras.initializers.RandomNormal(stddev=0.01))
    assert too_small.status == "failed" and "ratio within [0.1, 10]" in too_small.message


def test_fixed_network_stub_and_bad_name():
    assert checks.check_fixed_network(..., "he_normal").status == "not done"
    bad = checks.check_fixed_network("rleu", "he_normal")
    assert bad.status == "failed" and "did you mean 'relu'" in bad.message
