"""Lab 2 checks accept the reference answers and reject stubs and plausible wrong answers."""

import math

import keras
import pytest

from utils import checks, initializers


def reference_fans(shape):
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class ScratchInitializer(keras.initializers.Initializer):
    """A from-scratch initializer parametrized by scale, fan and distribution (for the tests)."""

    scale, fan, distribution, limit_factor = 1.0, "avg", "uniform", math.sqrt(3)

    def __init__(self, seed=None):
        self.seed = seed

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = reference_fans(shape)
        fan = {"in": fan_in, "out": fan_out, "avg": (fan_in + fan_out) / 2}[self.fan]
        std = math.sqrt(self.scale / fan)
        if self.distribution == "uniform":
            limit = self.limit_factor * std
            return keras.random.uniform(shape, -limit, limit, dtype=dtype, seed=self.seed)
        return keras.random.normal(shape, 0.0, std, dtype=dtype, seed=self.seed)


def scratch(scale, fan, distribution, limit_factor=math.sqrt(3), seeded=True):
    attributes = dict(scale=scale, fan=fan, distribution=distribution, limit_factor=limit_factor)
    cls = type("Candidate", (ScratchInitializer,), attributes)
    if not seeded:
        cls.__call__ = lambda self, shape, dtype=None: ScratchInitializer.__call__(type(self)(None), shape, dtype)
    return cls


def test_compute_fans():
    assert checks.check_compute_fans(reference_fans).passed
    assert checks.check_compute_fans(...).status == "not done"
    no_field = checks.check_compute_fans(lambda shape: (shape[-2], shape[-1]))
    assert no_field.status == "failed" and "receptive field of 9" in no_field.message
    swapped = checks.check_compute_fans(lambda shape: reference_fans(shape)[::-1])
    assert swapped.status == "failed" and "swapped" in swapped.message
    crashed = checks.check_compute_fans(lambda shape: shape[5])
    assert crashed.status == "error" and "IndexError" in crashed.message and "shape (784, 256)" in crashed.message


@pytest.mark.parametrize(
    "candidate, name",
    [
        (scratch(1.0, "avg", "uniform"), "glorot_uniform"),
        (scratch(2.0, "in", "normal"), "he_normal"),
        (scratch(1.0, "in", "normal"), "lecun_normal"),
        (initializers.GlorotUniform, "glorot_uniform"),
        (initializers.HeNormal, "he_normal"),
        (initializers.LecunNormal, "lecun_normal"),
    ],
)
def test_initializer_accepts_correct_classes(candidate, name):
    result = checks.check_initializer(candidate, name)
    assert result.passed, result.message


@pytest.mark.parametrize(
    "candidate, name, specific",
    [
        (scratch(1.0, "avg", "uniform", limit_factor=1.0), "glorot_uniform", "limit r is sqrt(3) times the std"),
        (scratch(1.0, "in", "uniform"), "glorot_uniform", "which fan"),
        (scratch(1.0, "in", "normal"), "he_normal", "factor sqrt(2)"),
        (scratch(1.0, "avg", "normal"), "glorot_uniform", "draw from U(-r, r)"),
        (scratch(1.0, "in", "uniform"), "lecun_normal", "draw from a normal"),
        (scratch(2.0, "in", "normal", seeded=False), "he_normal", "same kernel for the same seed"),
    ],
    ids=["std as limit", "wrong fan", "missing factor 2", "normal for uniform", "uniform for normal", "ignores seed"],
)
def test_initializer_rejects_plausible_mistakes(candidate, name, specific):
    result = checks.check_initializer(candidate, name)
    assert result.status == "failed" and specific in result.message, result.message


def test_initializer_stub_and_non_class():
    assert checks.check_initializer(..., "he_normal").status == "not done"
    instance = checks.check_initializer(initializers.HeNormal(), "he_normal")
    assert instance.status == "failed" and "the class itself" in instance.message


def test_initializer_matching():
    assert checks.check_initializer_matching(dict(checks.RECOMMENDED_SCHEME)).passed
    assert checks.check_initializer_matching({k: ... for k in checks.RECOMMENDED_SCHEME}).status == "not done"
    all_glorot = checks.check_initializer_matching({k: "glorot" for k in checks.RECOMMENDED_SCHEME})
    assert all_glorot.status == "failed" and "4 to revisit" in all_glorot.message
    assert "relu: not glorot, because ReLU zeroes half its inputs" in all_glorot.message
    assert "selu: not glorot, because SELU self-normalizes only with LeCun" in all_glorot.message
    typo = checks.check_initializer_matching(dict(checks.RECOMMENDED_SCHEME, relu="kaiming"))
    assert typo.status == "failed" and "'kaiming'" in typo.message


HE_UNIFORM = {"scale": 2.0, "mode": "fan_in", "distribution": "uniform"}
GLOROT_NORMAL = {"scale": 1.0, "mode": "fan_avg", "distribution": "truncated_normal"}


def test_variance_scaling():
    assert checks.check_variance_scaling(HE_UNIFORM, GLOROT_NORMAL).passed
    assert checks.check_variance_scaling(HE_UNIFORM, dict(GLOROT_NORMAL, distribution="normal")).passed
    assert checks.check_variance_scaling({"scale": ..., "mode": ..., "distribution": ...}, GLOROT_NORMAL).status == "not done"
    wrong_mode = checks.check_variance_scaling(dict(HE_UNIFORM, mode="fan_avg"), GLOROT_NORMAL)
    assert wrong_mode.status == "failed" and "'he_uniform'" in wrong_mode.message
    untruncated = checks.check_variance_scaling(HE_UNIFORM, dict(GLOROT_NORMAL, distribution="untruncated_normal"))
    assert untruncated.status == "failed" and "'glorot_normal'" in untruncated.message
    invalid = checks.check_variance_scaling(dict(HE_UNIFORM, mode="fan_sum"), GLOROT_NORMAL)
    assert invalid.status == "failed" and "VarianceScaling said" in invalid.message


def test_tanh_initializer():
    assert checks.check_tanh_initializer(keras.initializers.VarianceScaling(scale=1.5, mode="fan_in")).passed
    assert checks.check_tanh_initializer(...).status == "not done"
    fades = checks.check_tanh_initializer("glorot_normal")
    assert fades.status == "failed" and "signal fades" in fades.message
    grows = checks.check_tanh_initializer("he_normal")
    assert grows.status == "failed" and "gradient ratio" in grows.message
