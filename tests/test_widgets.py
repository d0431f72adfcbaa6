import matplotlib.pyplot as plt
import numpy as np
import pytest
from numpy.testing import assert_allclose

from utils import widgets


@pytest.mark.parametrize("activation", list(widgets.ACTIVATION_PROFILE_ACTIVATIONS))
def test_matching_initializer_is_offered(activation):
    assert widgets.matching_initializer(activation) in widgets.ACTIVATION_PROFILE_INITIALIZERS


def test_make_activation_binds_the_parameter():
    z = np.array([-2.0, -0.5, 0.0, 1.5], dtype="float32")
    assert_allclose(np.asarray(widgets.make_activation("leaky_relu", 0.1)(z)), [-0.2, -0.05, 0.0, 1.5], rtol=1e-6)
    assert_allclose(np.asarray(widgets.make_activation("elu", 2.0)(z)), 2.0 * np.expm1(np.minimum(z, 0)) + np.maximum(z, 0),
                    rtol=1e-6)
    assert_allclose(np.asarray(widgets.make_activation("relu", 5.0)(z)), [0.0, 0.0, 0.0, 1.5])


def test_profile_derivative_matches_the_formula():
    profile = widgets.compute_activation_profile("elu", 0.5, num_layers=2, units=8)
    expected = np.where(profile.z > 0, 1.0, 0.5 * np.exp(np.minimum(profile.z, 0)))
    mask = np.abs(profile.z) > 1e-6
    assert_allclose(profile.derivative[mask], expected[mask], rtol=1e-5)
    assert profile.parameter == 0.5 and profile.kernel_initializer == "he_normal"


def test_selu_profile_self_normalizes_and_is_reproducible():
    first = widgets.compute_activation_profile("selu", num_layers=20, units=64, seed=1)
    second = widgets.compute_activation_profile("selu", num_layers=20, units=64, seed=1)
    assert_allclose(first.std, second.std)
    assert first.parameter is None
    assert np.all(np.abs(first.mean) < 0.25) and np.all(np.abs(first.std - 1) < 0.25)


def test_bad_arguments_raise_value_errors():
    with pytest.raises(ValueError, match="activation must be one of"):
        widgets.compute_activation_profile("rleu")
    with pytest.raises(ValueError, match="kernel_initializer must be one of"):
        widgets.compute_activation_profile("relu", kernel_initializer="zeros")
    with pytest.raises(ValueError, match="parameter must be"):
        widgets.make_activation("leaky_relu", -1.0)
    with pytest.raises(ValueError, match="input_std must be"):
        widgets.compute_activation_profile("relu", input_std=0)


def test_plot_activation_profile_draws_three_labelled_panels():
    profile = widgets.compute_activation_profile("leaky_relu", 0.2, num_layers=4, units=8)
    axes = widgets.plot_activation_profile(profile)
    assert axes.shape == (3,)
    assert all(ax.get_xlabel() and ax.get_ylabel() and ax.get_title() for ax in axes)
    assert axes[2].get_yscale() == "linear"  # the std stays within a factor of 10 here
    # ReLU with Glorot halves the variance at every layer: 20 layers span decades.
    vanishing = widgets.compute_activation_profile("relu", num_layers=20, kernel_initializer="glorot_uniform")
    assert vanishing.std[-1] < vanishing.std[0] / 10
    assert widgets.plot_activation_profile(vanishing)[2].get_yscale() == "log"
    assert len(axes[1].get_lines()[0].get_xdata()) == 4
    with pytest.raises(ValueError, match="axes must hold three"):
        widgets.plot_activation_profile(profile, axes=plt.subplots(1, 2)[1])


def test_activation_explorer_builds():
    explorer = widgets.activation_explorer(num_layers=3, units=8)
    names = [child.description for child in explorer.children[:-1]]
    assert names == ["activation", "slope / alpha", "initializer", "input std"]
