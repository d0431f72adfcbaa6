import inspect

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
from numpy.testing import assert_allclose

from utils import activations, experiments, plotting


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
    # A layer: RReLU with lower = upper is a Leaky ReLU (in inference mode, as the plot calls it).
    ax = plotting.plot_activation_functions({"sigmoid": "sigmoid", "leaky": activations.RReLU(0.2, 0.2)}, z=z)
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
    ax = plotting.plot_activation_functions([activations.make_activation("elu", 0.5), "relu"])
    labels = [line.get_label() for line in ax.get_lines()[:4]]
    assert labels == ["elu", "elu′", "relu", "relu′"]


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
    ax = plotting.plot_history(record, metric="accuracy")
    assert [line.get_label() for line in ax.get_lines()] == ["train"]
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "accuracy"


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: plotting.plot_per_layer([]),
            r"^values must be a non-empty 1-D sequence of numbers; got shape \(0,\)$",
        ),
        (lambda: plotting.plot_per_layer([[1, 2]]), r"^values must be a non-empty 1-D sequence"),
        (lambda: plotting.plot_per_layer([1, 2], ax="left"), r"^ax must be a matplotlib Axes or None; got str$"),
        (
            lambda: plotting.plot_activation_functions(["rleu"]),
            r"^activations must hold Keras activation names or callables; got 'rleu'$",
        ),
        (lambda: plotting.plot_activation_functions([]), r"^activations must name at least one activation$"),
        (lambda: plotting.plot_activation_histograms([]), r"^outputs must be a non-empty sequence"),
        (lambda: plotting.plot_activation_histograms([np.ones(3)], bins=1), r"^bins must be an integer >= 2; got 1$"),
        (
            lambda: plotting.plot_activation_histograms([np.ones(3)], layer_names=["a", "b"]),
            r"^layer_names must have one name per output \(1\); got 2$",
        ),
        (
            lambda: plotting.plot_history({"loss": [1.0]}, metric="accuracy"),
            r"^metric must be one of 'loss'; got 'accuracy'$",
        ),
        (lambda: plotting.plot_history([1, 2]), r"^history must be a keras History or a mapping"),
    ],
)
def test_bad_arguments_raise_one_line_value_errors(call, message):
    with pytest.raises(ValueError, match=message) as error:
        call()
    assert "\n" not in str(error.value)


# --- one contract for every plot_* function ----------------------------------------------------------------------


def a_profile(std=(1.0, 0.8, 0.6, 0.5), activation="leaky_relu", parameter=0.2):
    z = np.linspace(-4, 4, 9)
    return experiments.ActivationProfile(
        activation=activation,
        parameter=parameter,
        kernel_initializer="he_normal",
        z=z,
        values=np.where(z > 0, z, 0.2 * z),
        derivative=np.where(z > 0, 1.0, 0.2),
        mean=np.linspace(0.1, 0.4, len(std)),
        std=np.asarray(std),
    )


#: For each plot_* function: its data (positional arguments) and the artist its data is drawn with.
PLOTS = {
    "plot_per_layer": (lambda: ([1e-3, 1e-2, 1e-1],), lambda ax: ax.get_lines()[0]),
    "plot_activation_functions": (lambda: (["tanh"],), lambda ax: ax.get_lines()[0]),
    "plot_activation_histograms": (lambda: ([np.linspace(0, 1, 50)],), lambda ax: ax.patches[0]),
    "plot_history": (lambda: ({"loss": [2.0, 1.0], "val_loss": [2.2, 1.5]},), lambda ax: ax.get_lines()[0]),
    "plot_gradient_norm_profile": (lambda: ([1e-3, 1e-2, 1e-1],), lambda ax: ax.get_lines()[0]),
    "plot_signal_propagation": (lambda: ([1.0, 0.5, 0.25],), lambda ax: ax.get_lines()[0]),
    # Several panels: ax is a sequence of three Axes; style goes to the per-layer curves.
    "plot_activation_profile": (lambda: (a_profile(),), lambda axes: axes[1].get_lines()[0]),
}
PLOT_NAMES = sorted(name for name in plotting.__all__ if name.startswith("plot_"))


def new_axes(name):
    """What the function accepts as ax: one Axes, or three for plot_activation_profile."""
    if name == "plot_activation_profile":
        return plt.subplots(1, 3)[1]
    return plt.subplots()[1]


def same_axes(returned, given):
    return all(a is b for a, b in zip(np.ravel(returned), np.ravel(given), strict=True))


def test_every_plot_function_is_covered():
    assert sorted(PLOTS) == PLOT_NAMES


@pytest.mark.parametrize("name", PLOT_NAMES)
def test_data_first_then_keyword_only_settings_ending_with_ax_and_style(name):
    parameters = list(inspect.signature(getattr(plotting, name)).parameters.values())
    data, settings, style = parameters[:1], parameters[1:-1], parameters[-1]
    assert [p.kind for p in data] == [inspect.Parameter.POSITIONAL_OR_KEYWORD]
    assert all(p.kind is p.KEYWORD_ONLY for p in settings)
    assert settings[-1].name == "ax" and settings[-1].default is None
    assert style.kind is style.VAR_KEYWORD


@pytest.mark.parametrize("name", PLOT_NAMES)
def test_ax_cannot_be_passed_by_position(name):
    data, _ = PLOTS[name]
    with pytest.raises(TypeError):
        getattr(plotting, name)(*data(), new_axes(name))


@pytest.mark.parametrize("name", PLOT_NAMES)
def test_draws_on_the_given_axes_and_returns_them(name):
    data, drawn = PLOTS[name]
    ax = new_axes(name)
    figures = plt.get_fignums()
    returned = getattr(plotting, name)(*data(), ax=ax)
    assert same_axes(returned, ax)
    assert drawn(returned) in np.ravel(ax)[0].figure.findobj()
    assert plt.get_fignums() == figures, "no other figure is made"


@pytest.mark.parametrize("name", PLOT_NAMES)
def test_makes_a_new_figure_when_ax_is_none(name):
    data, drawn = PLOTS[name]
    before = set(plt.get_fignums())
    returned = getattr(plotting, name)(*data())
    axes = np.ravel(returned)
    assert all(isinstance(a, mpl.axes.Axes) for a in axes)
    (new,) = set(plt.get_fignums()) - before
    assert all(a.figure.number == new for a in axes)
    assert drawn(returned) is not None


@pytest.mark.parametrize("name", PLOT_NAMES)
def test_style_reaches_the_drawn_data(name):
    data, drawn = PLOTS[name]
    artist = drawn(getattr(plotting, name)(*data(), color="C3", linewidth=3.5, ax=new_axes(name)))
    color = artist.get_color() if isinstance(artist, mpl.lines.Line2D) else artist.get_edgecolor()
    assert mpl.colors.same_color(color, "C3")
    assert artist.get_linewidth() == 3.5


@pytest.mark.parametrize("name", PLOT_NAMES)
@pytest.mark.parametrize("ax", ["left", 0, plt.figure], ids=["str", "int", "figure"])
def test_an_ax_that_is_not_an_axes_raises_a_value_error_naming_ax(name, ax):
    data, _ = PLOTS[name]
    ax = ax() if callable(ax) else ax
    with pytest.raises(ValueError, match=r"^ax must ") as error:
        getattr(plotting, name)(*data(), ax=ax)
    assert "\n" not in str(error.value)


# --- plot_gradient_norm_profile, plot_signal_propagation, plot_activation_profile ----------------------------------


def note(ax):
    (text,) = ax.texts
    return text.get_text()


def test_plot_gradient_norm_profile_draws_the_norms_with_ratio_and_factor():
    norms = np.array([1e-4, 3e-4, 1e-3, 4e-3, 1e-2, 3e-2])
    ax = plotting.plot_gradient_norm_profile(norms, title="tanh, 6 layers")
    (line,) = ax.get_lines()
    assert_allclose(line.get_ydata(), norms)
    assert_allclose(line.get_xdata(), np.arange(1, 7))
    assert ax.get_yscale() == "log" and ax.get_xlabel() and ax.get_ylabel() == "gradient norm (log scale)"
    assert ax.get_title() == "tanh, 6 layers"
    ratio = norms[0] / norms[-1]
    assert f"first / last layer: {ratio:.1e}" in note(ax)
    assert f"per layer: ×{ratio ** (1 / 5):.2f}" in note(ax)  # from the output down to the input


def test_plot_gradient_norm_profile_spans_two_decades_for_a_level_profile():
    ax = plotting.plot_gradient_norm_profile([0.5, 0.5, 0.5])
    low, high = ax.get_ylim()
    assert high / low >= 100 and low < 0.5 < high


def test_plot_gradient_norm_profile_reports_underflow_and_overflow():
    ax = plotting.plot_gradient_norm_profile([0.0, 0.0, 1e-30, 1e-3, 0.1])
    assert "2 layer(s) at exactly 0 (underflow), not drawn" in note(ax)
    assert "first / last" not in note(ax)
    ydata = ax.get_lines()[0].get_ydata()
    assert np.isnan(ydata[:2]).all() and np.isfinite(ydata[2:]).all()
    ax = plotting.plot_gradient_norm_profile([1.0, np.inf, np.nan, 1.0])
    assert "2 layer(s) inf or NaN (overflow), not drawn" in note(ax)


def test_plot_signal_propagation_draws_one_point_per_layer_and_the_input_std():
    std = [1.0, 0.7, 0.5, 0.35, 0.25, 0.18]
    ax = plotting.plot_signal_propagation(std, input_std=0.9, title="relu + glorot_normal", label="relu")
    line, reference = ax.get_lines()
    assert_allclose(line.get_xdata(), np.arange(1, 7))
    assert_allclose(line.get_ydata(), std)
    assert_allclose(reference.get_ydata(), [0.9, 0.9])
    assert reference.get_linestyle() == ":"
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "activation std (log scale)" and ax.get_xlabel()
    assert ax.get_title() == "relu + glorot_normal"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["relu", "input std"]
    without = plotting.plot_signal_propagation(std)
    assert len(without.get_lines()) == 1 and without.get_legend() is None


def test_plot_activation_profile_draws_three_labelled_panels():
    axes = plotting.plot_activation_profile(a_profile())
    assert axes.shape == (3,)
    assert all(ax.get_xlabel() and ax.get_ylabel() and ax.get_title() for ax in axes)
    assert axes[0].get_title() == "leaky_relu (negative slope 0.2)"
    f, derivative = axes[0].get_lines()[:2]
    assert_allclose(f.get_ydata(), a_profile().values)
    assert_allclose(derivative.get_ydata(), a_profile().derivative)
    assert_allclose(axes[1].get_lines()[0].get_ydata(), a_profile().mean)
    assert_allclose(axes[2].get_lines()[0].get_ydata(), a_profile().std)
    assert "4 layers, he_normal" in axes[1].get_title()


def test_plot_activation_profile_uses_a_log_axis_only_when_the_std_spans_a_decade():
    assert plotting.plot_activation_profile(a_profile())[2].get_yscale() == "linear"
    spanning = plotting.plot_activation_profile(a_profile(std=(1.0, 0.1, 0.01)))[2]
    assert spanning.get_yscale() == "log" and "log scale" in spanning.get_ylabel()
    assert plotting.plot_activation_profile(a_profile(activation="selu", parameter=None))[0].get_title() == "selu"


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: plotting.plot_activation_profile(a_profile(), ax=plt.subplots(1, 2)[1]),
            r"^ax must hold three matplotlib Axes; got 2 item\(s\)$",
        ),
        (lambda: plotting.plot_activation_profile({"std": [1.0]}), r"^profile must be an ActivationProfile; got dict$"),
        (lambda: plotting.plot_signal_propagation([1.0], input_std=0), r"^input_std must be a positive number; got 0$"),
        (lambda: plotting.plot_gradient_norm_profile([]), r"^norms must be a non-empty 1-D sequence of numbers"),
        (
            lambda: plotting.plot_signal_propagation("abc"),
            r"^activation_std must be a 1-D sequence of numbers; got str$",
        ),
    ],
)
def test_moved_plots_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message) as error:
        call()
    assert "\n" not in str(error.value)


# --- figures as HTML with alt text -------------------------------------------------------------------------------


def test_display_figure_shows_a_png_with_escaped_alt_text_and_closes_the_figure():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    image = plotting.display_figure(fig, 'Std per layer for "tanh" & <glorot>')
    assert image.data.startswith('<img src="data:image/png;base64,iVBORw0KGgo')
    assert 'alt="Std per layer for &quot;tanh&quot; &amp; &lt;glorot&gt;"' in image.data
    assert not plt.fignum_exists(fig.number)


def test_figure_html_is_what_display_figure_shows():
    fig = plt.figure()
    html = plotting.figure_html(fig, "  An empty figure.  ")
    assert html.startswith('<img src="data:image/png;base64,') and 'alt="An empty figure."' in html
    assert not plt.fignum_exists(fig.number)


@pytest.mark.parametrize("function", [plotting.display_figure, plotting.figure_html])
@pytest.mark.parametrize("alt", [" ", "", None])
def test_alt_text_is_required(function, alt):
    with pytest.raises(ValueError, match=r"^alt must be a non-empty description of the figure; got ") as error:
        function(plt.figure(), alt)
    assert "\n" not in str(error.value)


def test_min_text_px_is_the_smallest_visible_text_in_image_pixels():
    fig, ax = plt.subplots(dpi=100)
    ax.plot([1, 2], label="a")
    ax.legend(fontsize=7)
    ax.set_title("title", fontsize=20)
    assert plotting.min_text_px(fig) == pytest.approx(7 * 100 / 72)
    assert plotting.min_text_px(fig, dpi=200) == pytest.approx(7 * 200 / 72)
    ax.get_legend().set_visible(False)
    ax.get_legend().get_texts()[0].set_visible(False)
    ax.tick_params(labelsize=9)
    ax.text(0.5, 0.5, "   ", fontsize=3)  # blank text is not drawn
    assert plotting.min_text_px(fig) == pytest.approx(9 * 100 / 72)
    plt.close(fig)


def test_min_text_px_of_a_figure_without_text_is_none():
    fig = plt.figure()
    assert plotting.min_text_px(fig) is None
    with pytest.raises(ValueError, match="fig must be a matplotlib Figure"):
        plotting.min_text_px("not a figure")
    plt.close(fig)


def test_figure_png_and_figure_html_record_the_smallest_text_size():
    import base64
    import io

    from PIL import Image

    from tools import figures

    fig, ax = plt.subplots(dpi=100)
    ax.tick_params(labelsize=8)
    png = plotting.figure_png(fig)
    with Image.open(io.BytesIO(png)) as image:
        image.load()  # checks every chunk's CRC
        assert image.info[plotting.MIN_TEXT_KEY] == f"{8 * 100 / 72:.3f}"
    assert figures.recorded_min_text_px(png) == pytest.approx(8 * 100 / 72, abs=1e-3)
    html = plotting.figure_html(fig, "A figure.")
    data = base64.b64decode(html.split("base64,", 1)[1].split('"', 1)[0])
    assert figures.recorded_min_text_px(data) == pytest.approx(8 * 100 / 72, abs=1e-3)


def test_register_inline_png_does_nothing_outside_ipython():
    assert plotting.register_inline_png() is False
