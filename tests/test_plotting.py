import matplotlib.pyplot as plt
import numpy as np
import pytest
from numpy.testing import assert_allclose

from utils import plotting
from utils._tensorflow import keras


def test_apply_style_sets_the_course_look():
    plt.rcdefaults()
    plotting.apply_style()
    for key, value in plotting.COURSE_STYLE.items():
        if key != "axes.prop_cycle":
            assert plt.rcParams[key] == (list(value) if isinstance(value, tuple) else value), key


def test_course_style_cannot_be_changed_by_accident():
    with pytest.raises(TypeError):
        plotting.COURSE_STYLE["axes.grid"] = False


def test_plot_per_layer_single_series():
    ax = plotting.plot_per_layer([1e-6, 1e-3, 1.0], ylabel="gradient norm", title="t")
    (line,) = ax.get_lines()
    assert_allclose(line.get_xdata(), [1, 2, 3])
    assert_allclose(line.get_ydata(), [1e-6, 1e-3, 1.0])
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() and ax.get_ylabel() == "gradient norm"
    assert ax.get_title() == "t"
    assert ax.get_legend() is None


def test_plot_per_layer_mapping_draws_labelled_lines_on_given_axes():
    fig, ax = plt.subplots()
    returned = plotting.plot_per_layer({"a": [1, 2], "b": [3, 4, 5]}, ax=ax, log_scale=False)
    assert returned is ax
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    assert ax.get_yscale() == "linear"


def test_plot_activation_functions_draws_values_and_autodiff_derivatives():
    z = np.linspace(-3, 3, 7)
    ax = plotting.plot_activation_functions(
        {"sigmoid": "sigmoid", "leaky": keras.layers.LeakyReLU(negative_slope=0.2)}, z=z
    )
    sigmoid, d_sigmoid, leaky, d_leaky = ax.get_lines()[:4]
    s = 1 / (1 + np.exp(-z))
    assert_allclose(sigmoid.get_ydata(), s, rtol=1e-5)
    assert_allclose(d_sigmoid.get_ydata(), s * (1 - s), rtol=1e-4)
    assert d_sigmoid.get_linestyle() == "--" and d_sigmoid.get_color() == sigmoid.get_color()
    assert_allclose(leaky.get_ydata(), np.where(z > 0, z, 0.2 * z), rtol=1e-6)
    assert_allclose(d_leaky.get_ydata()[[0, -1]], [0.2, 1.0], rtol=1e-6)
    assert ax.get_xlabel() and ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sigmoid", "sigmoid′", "leaky", "leaky′"]


def test_plot_activation_functions_names_callables():
    ax = plotting.plot_activation_functions([keras.activations.tanh, "relu"])
    labels = [line.get_label() for line in ax.get_lines()[:4]]
    assert labels == ["tanh", "tanh′", "relu", "relu′"]


def test_plot_activation_histograms_draws_one_density_per_layer():
    rng = np.random.default_rng(0)
    outputs = [rng.uniform(0, 1, (500, 4)), rng.uniform(0, 0.5, (500, 4))]
    ax = plotting.plot_activation_histograms(outputs, layer_names=["h1", "h2"], bins=10)
    assert len(ax.patches) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["h1", "h2"]
    assert ax.get_xlabel() == "activation value" and ax.get_ylabel() == "density"


def test_plot_history_from_keras_history_or_dict():
    record = {"loss": [2.0, 1.0], "val_loss": [2.5, 1.5], "accuracy": [0.5, 0.7]}

    class FakeHistory:
        history = record

    ax = plotting.plot_history(FakeHistory(), label="relu")
    assert [line.get_label() for line in ax.get_lines()] == ["relu (train)", "relu (validation)"]
    assert_allclose(ax.get_lines()[1].get_ydata(), [2.5, 1.5])
    ax = plotting.plot_history(record, "accuracy")
    assert [line.get_label() for line in ax.get_lines()] == ["train"]
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "accuracy"


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: plotting.plot_per_layer([]), r"^values must be a non-empty 1-D sequence of numbers; got shape \(0,\)$"),
        (lambda: plotting.plot_per_layer([[1, 2]]), r"^values must be a non-empty 1-D sequence"),
        (lambda: plotting.plot_per_layer([1, 2], ax="left"), r"^ax must be a matplotlib Axes or None; got str$"),
        (lambda: plotting.plot_activation_functions(["rleu"]), r"^activations must hold Keras activation names or callables; got 'rleu'$"),
        (lambda: plotting.plot_activation_functions([]), r"^activations must name at least one activation$"),
        (lambda: plotting.plot_activation_histograms([]), r"^outputs must be a non-empty sequence"),
        (lambda: plotting.plot_activation_histograms([np.ones(3)], bins=1), r"^bins must be an integer >= 2; got 1$"),
        (lambda: plotting.plot_activation_histograms([np.ones(3)], layer_names=["a", "b"]), r"^layer_names must have one name per output \(1\); got 2$"),
        (lambda: plotting.plot_history({"loss": [1.0]}, "accuracy"), r"^metric must be one of \['loss'\]; got 'accuracy'$"),
        (lambda: plotting.plot_history([1, 2]), r"^history must be a keras History or a mapping"),
    ],
)
def test_bad_arguments_raise_one_line_value_errors(call, message):
    with pytest.raises(ValueError, match=message) as error:
        call()
    assert "\n" not in str(error.value)
