import math

import keras
import numpy as np
import pytest
from numpy.testing import assert_allclose

from utils import initializers, models

NORMAL = {
    "glorot": initializers.GlorotNormal,
    "he": initializers.HeNormal,
    "lecun": initializers.LecunNormal,
}
UNIFORM = {
    "glorot": initializers.GlorotUniform,
    "he": initializers.HeUniform,
    "lecun": initializers.LecunUniform,
}
KERAS_NAMES = {
    (initializers.GlorotNormal, "glorot_normal"),
    (initializers.GlorotUniform, "glorot_uniform"),
    (initializers.HeNormal, "he_normal"),
    (initializers.HeUniform, "he_uniform"),
    (initializers.LecunNormal, "lecun_normal"),
    (initializers.LecunUniform, "lecun_uniform"),
}
# A kernel with fan_in != fan_out, so that the three schemes differ.
SHAPE = (1000, 600)
CLOSED_FORM_VARIANCE = {"glorot": 1 / 800, "he": 2 / 1000, "lecun": 1 / 1000}


@pytest.mark.parametrize(
    "shape, fans",
    [
        ((), (1, 1)),
        ((7,), (7, 7)),
        ((784, 256), (784, 256)),
        ((5, 4, 8), (20, 40)),  # Conv1D: kernel 5, 4 -> 8 channels
        ((3, 3, 16, 32), (144, 288)),  # Conv2D: 3x3, 16 -> 32 channels
        ((2, 3, 3, 4, 6), (72, 108)),  # Conv3D
    ],
)
def test_compute_fans_matches_the_closed_form(shape, fans):
    assert initializers.compute_fans(shape) == fans


@pytest.mark.parametrize("shape", [(784, 256), (3, 3, 16, 32), (5, 4, 8), (7,)])
def test_compute_fans_agrees_with_keras(shape):
    from keras.src.initializers.random_initializers import compute_fans

    assert initializers.compute_fans(shape) == compute_fans(shape)


@pytest.mark.parametrize("shape", [(0, 3), (2.5, 3), (True, 3), "ab", 3])
def test_compute_fans_rejects_bad_shapes(shape):
    with pytest.raises(ValueError, match="shape must be"):
        initializers.compute_fans(shape)


def test_compute_std_and_limit_closed_forms():
    for scheme, variance in CLOSED_FORM_VARIANCE.items():
        assert initializers.compute_std(SHAPE, scheme) == pytest.approx(math.sqrt(variance))
        assert initializers.compute_limit(SHAPE, scheme) == pytest.approx(math.sqrt(3 * variance))
    leaky = initializers.compute_std(SHAPE, "he", negative_slope=0.2)
    assert leaky == pytest.approx(math.sqrt(2 / (1.04 * 1000)))
    # A 3x3 convolution from 16 to 32 channels: fan_in = 144.
    assert initializers.compute_std((3, 3, 16, 32), "he") == pytest.approx(math.sqrt(2 / 144))


def test_compute_std_rejects_bad_arguments():
    with pytest.raises(ValueError, match="scheme must be one of 'glorot', 'he', 'lecun'"):
        initializers.compute_std(SHAPE, "xavier")
    with pytest.raises(ValueError, match="negative_slope must be"):
        initializers.compute_std(SHAPE, "he", negative_slope=-0.1)
    with pytest.raises(ValueError, match="applies to scheme 'he' only"):
        initializers.compute_std(SHAPE, "glorot", negative_slope=0.1)


def test_he_normal_on_a_square_kernel_has_the_closed_form_std():
    kernel = np.asarray(initializers.HeNormal(seed=0)((1000, 1000)))
    assert_allclose(kernel.std(), math.sqrt(2 / 1000), rtol=0.02)
    assert_allclose(kernel.mean(), 0.0, atol=0.01 * math.sqrt(2 / 1000))


@pytest.mark.parametrize("scheme", sorted(NORMAL))
def test_normal_initializers_std_and_shape_of_distribution(scheme):
    kernel = np.asarray(NORMAL[scheme](seed=1)(SHAPE))
    std = math.sqrt(CLOSED_FORM_VARIANCE[scheme])
    assert kernel.shape == SHAPE
    assert_allclose(kernel.std(), std, rtol=0.02)
    # Untruncated: about 0.27 % of a normal sample lies beyond 3 std.
    assert 0.0015 < np.mean(np.abs(kernel) > 3 * std) < 0.004


@pytest.mark.parametrize("scheme", sorted(UNIFORM))
def test_uniform_initializers_std_and_limits(scheme):
    kernel = np.asarray(UNIFORM[scheme](seed=2)(SHAPE))
    limit = math.sqrt(3 * CLOSED_FORM_VARIANCE[scheme])
    assert_allclose(kernel.std(), math.sqrt(CLOSED_FORM_VARIANCE[scheme]), rtol=0.02)
    assert np.abs(kernel).max() <= limit
    assert np.abs(kernel).max() > 0.999 * limit
    assert_allclose(kernel.min(), -limit, rtol=1e-3)


def test_leaky_he_variance():
    kernel = np.asarray(initializers.HeNormal(seed=3, negative_slope=0.5)((1000, 1000)))
    assert_allclose(kernel.var(), 2 / (1.25 * 1000), rtol=0.04)


@pytest.mark.parametrize("ours, name", sorted(KERAS_NAMES, key=lambda pair: pair[1]))
def test_agree_with_keras_statistics(ours, name):
    mine = np.asarray(ours(seed=4)(SHAPE))
    theirs = np.asarray(keras.initializers.get({"class_name": name, "config": {"seed": 4}})(SHAPE))
    assert_allclose(mine.std(), theirs.std(), rtol=0.02)
    assert_allclose(mine.mean(), theirs.mean(), atol=0.01 * theirs.std())


def test_seeded_calls_repeat_and_unseeded_calls_differ_but_follow_set_seed(seeded):
    seeded_init = initializers.GlorotUniform(seed=5)
    assert_allclose(np.asarray(seeded_init((4, 4))), np.asarray(seeded_init((4, 4))))
    unseeded = initializers.GlorotUniform()
    first, second = np.asarray(unseeded((4, 4))), np.asarray(unseeded((4, 4)))
    assert not np.array_equal(first, second)
    from utils import setup

    setup.set_seed(0)
    again = np.asarray(initializers.GlorotUniform()((4, 4)))
    assert_allclose(first, again)


def test_config_round_trip_and_dtype():
    init = initializers.HeUniform(seed=7, negative_slope=0.1)
    assert init.get_config() == {"seed": 7, "negative_slope": 0.1}
    clone = initializers.HeUniform.from_config(init.get_config())
    assert_allclose(np.asarray(clone((8, 8))), np.asarray(init((8, 8))))
    assert initializers.LecunNormal(seed=1).get_config() == {"seed": 1}
    assert np.asarray(init((2, 2), dtype="float64")).dtype == np.float64
    assert repr(initializers.LecunNormal(seed=1)) == "LecunNormal(seed=1)"


@pytest.mark.parametrize("seed", [-1, 1.5, True, "0"])
def test_bad_seed(seed):
    with pytest.raises(ValueError, match="seed must be"):
        initializers.HeNormal(seed=seed)


def test_work_in_build_mlp_with_distinct_layers():
    model = models.build_mlp(3, 32, "relu", initializers.HeNormal(seed=0), input_dim=32)
    kernels = [layer.kernel.numpy() for layer in model.layers[:3]]
    assert not np.array_equal(kernels[0], kernels[1])
    assert_allclose(kernels[1].std(), math.sqrt(2 / 32), rtol=0.25)
