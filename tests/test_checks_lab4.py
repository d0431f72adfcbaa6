"""Lab 4 checks accept the reference answers and correct alternatives, and reject stubs, broken and wrong answers."""

import math

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest
import tensorflow as tf
from keras import ops
from scipy import integrate, special, stats

from tests.lab_testing import course_cells
from utils import checks, data, diagnostics, models, plotting, report, setup
from utils.checks import lab4

SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def gelu(z):
    return 0.5 * z * (1.0 + ops.erf(z / math.sqrt(2.0)))


def gelu_tanh(z):
    return 0.5 * z * (1.0 + ops.tanh(SQRT_2_OVER_PI * (z + 0.044715 * z**3)))


def numpy_gelu_tanh(z):
    z = np.asarray(z, dtype="float64")
    return 0.5 * z * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z**3)))


def tanh_from_exp(z):
    """tanh(u) = (e^2u - 1) / (e^2u + 1): inf / inf = NaN once e^2u overflows."""
    u = SQRT_2_OVER_PI * (z + 0.044715 * z**3)
    return 0.5 * z * (1 + (ops.exp(2 * u) - 1) / (ops.exp(2 * u) + 1))


def one_line(result):
    """The feedback is one line, plus at most one hint line, and never a traceback."""
    lines = result.message.splitlines()
    return (
        len(lines) <= 2 and (len(lines) == 1 or lines[1].startswith("   Hint:")) and "Traceback" not in result.message
    )


# Exercise 4.1 ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "function, approximate",
    [
        (gelu, False),
        (gelu_tanh, True),
        (lambda z: z * special.ndtr(z), False),
        (lambda z: 0.5 * np.asarray(z) * special.erfc(-np.asarray(z) / np.sqrt(2)), False),
        (lambda z: tf.cast(z, tf.float64) * 0.5 * (1 + tf.math.erf(tf.cast(z, tf.float64) / np.sqrt(2))), False),
        (lambda z: keras.activations.gelu(z, approximate=False), False),
        (numpy_gelu_tanh, True),
        (lambda z: z * (1 + ops.tanh(0.7978845608028654 * z * (1 + 0.044715 * ops.square(z)))) / 2, True),
        (lambda z: z * ops.sigmoid(2 * SQRT_2_OVER_PI * (z + 0.044715 * z**3)), True),
    ],
    ids=[
        "ops erf",
        "ops tanh",
        "scipy ndtr",
        "numpy erfc",
        "tf float64",
        "keras itself",
        "numpy tanh",
        "factored tanh",
        "tanh as sigmoid",
    ],
)
def test_gelu_accepts_correct_answers_written_differently(function, approximate):
    result = checks.check_gelu(function, approximate=approximate)
    assert result.passed, result.message


@pytest.mark.parametrize("seed", range(5))
def test_gelu_verdict_is_the_same_for_seeds_0_to_4(seed):
    """The inputs are fixed; no randomness reaches the verdict."""
    setup.set_seed(seed)
    assert checks.check_gelu(gelu, approximate=False).passed
    assert checks.check_gelu(gelu_tanh, approximate=True).passed
    assert checks.check_gelu(gelu, approximate=True).status == "failed"


def test_gelu_tries_several_inputs():
    """Signs and magnitudes from -1e4 to 1e4, float32 and float64, tensors and NumPy arrays, three shapes."""
    probes = lab4._gelu_probes()
    values = np.concatenate([np.ravel(z) for _, z in probes])
    assert values.min() <= -1e4 and values.max() >= 1e4 and (values == 0).any()
    assert {np.asarray(z).dtype.name for _, z in probes} == {"float32", "float64"}
    assert {type(z).__module__.split(".")[0] for _, z in probes} == {"numpy", "tensorflow"}
    assert len({np.shape(z) for _, z in probes}) == 3


def test_gelu_reference_is_keras():
    z = np.linspace(-8, 8, 101)
    for approximate in (False, True):
        expected = np.asarray(keras.activations.gelu(tf.constant(z), approximate=approximate))
        np.testing.assert_allclose(lab4.gelu_reference(z, approximate=approximate), expected, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize(
    "function, approximate, specific",
    [
        (gelu_tanh, False, "that is the tanh approximation: approximate=False asks for z * Phi(z)"),
        (gelu, True, "that is the exact GELU: approximate=True asks for the tanh approximation"),
        (lambda z: z * ops.sigmoid(1.702 * z), False, "z * sigmoid(1.702 z)"),
        (lambda z: z * ops.sigmoid(1.702 * z), True, "z * sigmoid(1.702 z)"),
        (lambda z: ops.relu(z), False, "that is ReLU"),
        (lambda z: ops.maximum(z, 0.0), True, "that is ReLU"),
        (lambda z: z * ops.sigmoid(z), False, "that is SiLU"),
        (lambda z: 0.5 * (1 + ops.erf(z / math.sqrt(2.0))), False, "Phi(z) alone"),
        (lambda z: 0.5 * z * (1 + ops.erf(z)), False, "erf takes z / sqrt(2)"),
        (
            lambda z: 0.5 * z * (1 + ops.tanh(0.7979 * (z + 0.044715 * z**3))),
            True,
            "keep sqrt(2 / pi) exact",
        ),
        (lambda z: 0.5 * z * (1 + ops.tanh(SQRT_2_OVER_PI * (z + 0.0447 * z**3))), True, "0.044715"),
        (lambda z: gelu(z) * float("nan"), False, "found 1001 NaN of 1001"),
        (tanh_from_exp, True, "finite numbers in your tanh-approximate GELU's outputs"),
        (lambda z: np.asarray(keras.activations.gelu(np.linspace(-6, 6, 1001))), False, "not a fixed array"),
        (lambda z: "gelu", False, "found a str"),
        (lambda z: ops.reshape(gelu(z), (-1,))[:3], False, "an output of shape"),
    ],
    ids=[
        "approx for exact",
        "exact for approx",
        "sigmoid approx for exact",
        "sigmoid approx for approx",
        "relu for exact",
        "relu for approx",
        "silu",
        "phi alone",
        "erf without sqrt 2",
        "rounded sqrt(2/pi)",
        "rounded 0.044715",
        "nan",
        "tanh from exp overflows",
        "hard-coded array",
        "a string",
        "wrong shape",
    ],
)
def test_gelu_rejects_broken_and_wrong_answers(function, approximate, specific):
    result = checks.check_gelu(function, approximate=approximate)
    assert result.status in ("failed", "error") and specific in result.message, result.message
    assert one_line(result), result.message
    assert "could not run" not in result.message


def test_gelu_raising_code_is_the_learners():
    result = checks.check_gelu(lambda z: 0.5 * z * (1 + undefined_erf(z)), approximate=False)  # noqa: F821
    assert result.status == "error" and "your code uses undefined_erf, which is not defined yet" in result.message
    result = checks.check_gelu(lambda z: math.erf(z), approximate=False)
    assert result.status == "error" and result.message.count("\n") == 0, result.message
    assert "your code raised TypeError" in result.message and "on z = a float64 NumPy array" in result.message


def test_gelu_stub_and_bad_second_argument():
    assert checks.check_gelu(..., approximate=False).status == "not done"
    assert checks.check_gelu(lambda z: ..., approximate=True).status == "not done"
    wrong = checks.check_gelu(gelu, approximate="exact")
    assert wrong.status == "failed" and "approximate=False or approximate=True" in wrong.message


def test_a_fault_in_the_check_reads_could_not_run(monkeypatch):
    def broken():
        raise RuntimeError("injected fault")

    monkeypatch.setattr(lab4, "_gelu_probes", broken)
    result = checks.check_gelu(gelu, approximate=False)
    assert result.status == "error" and "the check could not run (RuntimeError: injected fault)" in result.message


# Exercise 4.2 ---------------------------------------------------------------------------------------------------


class ReferenceSwish(keras.layers.Layer):
    def __init__(self, beta=1.0, **kwargs):
        super().__init__(**kwargs)
        self.initial_beta = beta

    def build(self, input_shape):
        self.beta = self.add_weight(
            name="beta", shape=(), initializer=keras.initializers.Constant(self.initial_beta), trainable=True
        )

    def call(self, inputs):
        return inputs * ops.sigmoid(self.beta * inputs)


def swish_variant(call=None, build=None, **attributes):
    members = dict(attributes)
    if call is not None:
        members["call"] = call
    if build is not None:
        members["build"] = build
    return type("Candidate", (ReferenceSwish,), members)


class SwishInInit(keras.layers.Layer):
    """Beta created in __init__, the shape (1,), tf for the sigmoid, and an explicit get_config."""

    def __init__(self, beta=1.0, **kwargs):
        super().__init__(**kwargs)
        self.beta_start = beta
        self.beta = self.add_weight(shape=(1,), initializer=keras.initializers.Constant(beta), name="beta")

    def call(self, inputs):
        return inputs * tf.math.sigmoid(self.beta * inputs)

    def get_config(self):
        return {**super().get_config(), "beta": self.beta_start}


SWISH_ANSWERS = {
    "reference": ReferenceSwish,
    "beta in __init__, shape (1,)": SwishInInit,
    "silu of beta z over beta": swish_variant(call=lambda self, x: ops.silu(self.beta * x) / self.beta),
    "float64 maths": swish_variant(
        call=lambda self, x: ops.cast(
            ops.cast(x, "float64") * ops.sigmoid(ops.cast(self.beta, "float64") * ops.cast(x, "float64")), x.dtype
        )
    ),
}


@pytest.fixture(scope="module")
def swish_verdicts():
    """Each correct answer's status, the reference under seeds 0-4 (each run trains one step and saves: ~0.4 s)."""
    verdicts = {}
    for seed in range(5):
        setup.set_seed(seed)
        verdicts[f"reference, seed {seed}"] = checks.check_swish_layer(ReferenceSwish).message
    for name, answer in SWISH_ANSWERS.items():
        verdicts[name] = checks.check_swish_layer(answer).message
    return verdicts


def test_swish_accepts_correct_answers_for_seeds_0_to_4(swish_verdicts):
    assert all(message.startswith("✅") for message in swish_verdicts.values()), swish_verdicts


def frozen_build(self, input_shape):
    self.beta = self.add_weight(
        name="beta", shape=(), initializer=keras.initializers.Constant(self.initial_beta), trainable=False
    )


def per_unit_build(self, input_shape):
    self.beta = self.add_weight(
        name="beta", shape=(input_shape[-1],), initializer=keras.initializers.Constant(self.initial_beta)
    )


def plain_number_build(self, input_shape):
    self.beta = self.initial_beta


def fixed_start_build(self, input_shape):
    self.beta = self.add_weight(name="beta", shape=(), initializer="ones")


def two_weights_build(self, input_shape):
    ReferenceSwish.build(self, input_shape)
    self.scale = self.add_weight(name="scale", shape=(), initializer="ones")


@pytest.mark.parametrize(
    "layer, specific",
    [
        (swish_variant(call=lambda self, x: ops.sigmoid(self.beta * x)), "the gate sigmoid(beta * z) alone"),
        (swish_variant(call=lambda self, x: x * ops.sigmoid(x)), "SiLU with beta fixed at 1"),
        (swish_variant(call=lambda self, x: x * ops.sigmoid(x / self.beta)), "beta multiplies z inside the sigmoid"),
        (swish_variant(call=lambda self, x: self.beta * x * ops.sigmoid(x)), "not the output"),
        (swish_variant(call=lambda self, x: ops.relu(x)), "Swish is z * sigmoid(beta * z)"),
        (swish_variant(build=frozen_build), "1 non-trainable weight"),
        (swish_variant(build=per_unit_build), "one shared scalar"),
        (swish_variant(build=plain_number_build), "not a plain number"),
        (swish_variant(build=fixed_start_build), "initialize the weight from the constructor's argument"),
        (swish_variant(build=two_weights_build), "2 trainable weights"),
        (
            swish_variant(call=lambda self, x: x * ops.sigmoid(ops.stop_gradient(self.beta) * x)),
            "a copy made with float(self.beta)",
        ),
        (
            swish_variant(call=lambda self, x: x * ops.sigmoid(float(self.beta.numpy()) * x)),
            "raised NotImplementedError: numpy() is only available when eager execution is enabled",
        ),
        (swish_variant(call=lambda self, x: x * ops.sigmoid(self.beta * x) * float("nan")), "10000 NaN"),
        (
            swish_variant(get_config=lambda self: {"name": self.name, "initial_beta": self.initial_beta}),
            "your code raised ValueError: Unrecognized keyword arguments passed to Candidate",
        ),
    ],
    ids=[
        "sigmoid without z",
        "beta ignored",
        "z over beta",
        "beta outside",
        "relu",
        "beta not trainable",
        "beta per unit",
        "beta a plain number",
        "beta always starts at 1",
        "two weights",
        "stopped gradient",
        "numpy copy of beta",
        "nan",
        "get_config under another name",
    ],
)
def test_swish_rejects_broken_and_wrong_answers(layer, specific):
    result = checks.check_swish_layer(layer)
    assert result.status in ("failed", "error") and specific in result.message, result.message
    assert one_line(result), result.message
    assert "could not run" not in result.message


def test_swish_get_config_under_another_name_is_reported_on_the_save_and_load():
    """A config whose keys the constructor does not take fails where Keras rebuilds the layer."""
    layer = swish_variant(get_config=lambda self: {"name": self.name, "initial_beta": self.initial_beta})
    result = checks.check_swish_layer(layer)
    assert "on a .keras save and load of that model" in result.message, result.message


def test_swish_trained_beta_survives_even_a_config_without_it():
    """The trained beta is a saved weight: a config without the initial beta loses nothing the check sees."""
    result = checks.check_swish_layer(swish_variant(get_config=lambda self: {"name": self.name}))
    assert result.passed, result.message


def test_swish_beta_without_gradient_gets_the_checks_feedback_only(recwarn):
    result = checks.check_swish_layer(
        swish_variant(call=lambda self, x: x * ops.sigmoid(ops.stop_gradient(self.beta) * x))
    )
    assert result.status == "failed" and "beta unchanged" in result.message
    assert not [w for w in recwarn if "Gradients do not exist" in str(w.message)]


def test_swish_stub_instance_and_non_layers():
    assert checks.check_swish_layer(...).status == "not done"
    assert checks.check_swish_layer(swish_variant(call=lambda self, x: ...)).status == "not done"

    def stub_build(self, input_shape):
        self.beta = ...

    assert checks.check_swish_layer(swish_variant(build=stub_build, call=lambda self, x: ...)).status == "not done"
    instance = checks.check_swish_layer(ReferenceSwish())
    assert instance.status == "failed" and "the class itself" in instance.message
    function = checks.check_swish_layer(lambda z: z * ops.sigmoid(z))
    assert function.status == "failed" and "a subclass of keras.layers.Layer" in function.message


def test_require_swish_is_the_check_without_output(capsys):
    lab4.require_swish(ReferenceSwish)
    with pytest.raises(checks.Failed):
        lab4.require_swish(swish_variant(build=frozen_build))
    assert capsys.readouterr().out == ""


# Exercise 4.3 ---------------------------------------------------------------------------------------------------


def quad_gain(f):
    second_moment, _ = integrate.quad(lambda z: f(z) ** 2 * stats.norm.pdf(z), -np.inf, np.inf)
    return 1.0 / second_moment


def grid_gain(f, low=-10.0, high=10.0, points=10_001):
    z = np.linspace(low, high, points)
    return 1.0 / np.trapezoid(f(z) ** 2 * np.exp(-(z**2) / 2) / np.sqrt(2 * np.pi), z)


def ops_gain(f):
    """keras.ops in float32, a Riemann sum: f receives a float32 tensor."""
    z = ops.linspace(-10.0, 10.0, 20_001)
    density = ops.exp(-ops.square(z) / 2) / math.sqrt(2 * math.pi)
    return 1.0 / float(ops.sum(ops.cast(f(z), "float32") ** 2 * density) * (20.0 / 20_000))


def seeded_monte_carlo(samples):
    def gain(f):
        z = np.random.default_rng(0).standard_normal(samples)
        return 1.0 / np.mean(f(z) ** 2)

    return gain


def moments(f):
    second = integrate.quad(lambda z: f(z) ** 2 * stats.norm.pdf(z), -np.inf, np.inf)[0]
    first = integrate.quad(lambda z: f(z) * stats.norm.pdf(z), -np.inf, np.inf)[0]
    return first, second


GAIN_ANSWERS = {
    "quad": quad_gain,
    "trapezoid grid": grid_gain,
    "keras.ops float32": ops_gain,
    "grid of 2,001 points": lambda f: grid_gain(f, points=2_001),
    "numpy array return": lambda f: np.array([quad_gain(f)]),
    "tensor return": lambda f: tf.constant(quad_gain(f), tf.float32),
}


@pytest.mark.parametrize("answer", GAIN_ANSWERS.values(), ids=GAIN_ANSWERS.keys())
def test_gain_accepts_correct_answers_written_differently(answer):
    result = checks.check_gain(answer)
    assert result.passed, result.message


@pytest.mark.parametrize("seed", range(5))
def test_gain_verdict_is_the_same_for_seeds_0_to_4(seed):
    setup.set_seed(seed)
    assert checks.check_gain(quad_gain).passed


def test_reference_gains():
    np.testing.assert_allclose(lab4.reference_gain("relu"), 2.0, rtol=1e-9)
    np.testing.assert_allclose(lab4.reference_gain("selu"), 1.0, rtol=1e-6)
    np.testing.assert_allclose(lab4.reference_gain("half relu"), 8.0, rtol=1e-9)
    for name in lab4.GAIN_FUNCTIONS:
        np.testing.assert_allclose(lab4.reference_gain(name), grid_gain(lab4._gain_function(name)), rtol=1e-6)
    with pytest.raises(ValueError, match=r"^name must be one of .*; got 'rleu' \(did you mean 'relu'\?\)$"):
        lab4.reference_gain("rleu")


def unseeded_monte_carlo(f):
    return 1.0 / np.mean(f(np.random.standard_normal(1_000_000)) ** 2)


@pytest.mark.parametrize(
    "answer, specific",
    [
        (lambda f: 2.0, "the same number for every f"),
        (lambda f: 1.0 / moments(f)[0] ** 2, "1 / E[f(z)]^2"),
        (lambda f: 1.0 / (moments(f)[1] - moments(f)[0] ** 2), "that is 1 / Var[f(z)]"),
        (lambda f: moments(f)[1], "you returned E[f(z)^2] itself"),
        (lambda f: 1.0 / math.sqrt(moments(f)[1]), "that is the square root"),
        (lambda f: 1.0 / integrate.quad(lambda z: f(z) ** 2 * np.exp(-(z**2) / 2), -np.inf, np.inf)[0], "missing"),
        (seeded_monte_carlo(10_000), "a Monte Carlo estimate or a coarse or short grid is too rough"),
        (unseeded_monte_carlo, "the same gain each time"),
        (lambda f: grid_gain(f, -3.0, 3.0), "a coarse or short grid"),
        (lambda f: 1.0 / np.mean(f(np.linspace(-10, 10, 10_001)) ** 2), "the gain is 1 / E[f(z)^2] for z ~ N(0, 1)"),
        (lambda f: float("nan"), "finite numbers in init_gain(relu)"),
        (lambda f: [2.0, 2.0], "one number from init_gain(relu)"),
        (lambda f: "2", "2.5362"),
        (lambda f: {"relu": 2.0}, "as numbers"),
    ],
    ids=[
        "constant 2",
        "squared mean",
        "variance",
        "second moment itself",
        "square root",
        "density without 1/sqrt(2 pi)",
        "monte carlo 1e4",
        "unseeded monte carlo",
        "grid on [-3, 3]",
        "no density",
        "nan",
        "two numbers",
        "a string",
        "a dict",
    ],
)
def test_gain_rejects_broken_and_wrong_answers(answer, specific):
    result = checks.check_gain(answer)
    assert result.status == "failed" and specific in result.message, result.message
    assert one_line(result), result.message


def test_monte_carlo_with_a_million_samples_is_still_too_noisy():
    """About 0.2% error for ReLU at a million samples: the tolerance of 0.1% asks for integration."""
    result = checks.check_gain(seeded_monte_carlo(1_000_000))
    assert result.status == "failed", result.message


def test_gain_stub_and_errors():
    assert checks.check_gain(...).status == "not done"
    assert checks.check_gain(lambda f: ...).status == "not done"
    not_callable = checks.check_gain(2.0)
    assert not_callable.status == "failed" and "pass the function itself" in not_callable.message
    raising = checks.check_gain(lambda f: 1 / 0)
    assert raising.status == "error" and "ZeroDivisionError" in raising.message and "f = relu" in raising.message


# Course cells after an exercise ---------------------------------------------------------------------------------


def namespace(**answers):
    return {
        "checks": checks,
        "data": data,
        "diagnostics": diagnostics,
        "digits": data.load_digits(),
        "integrate": integrate,
        "keras": keras,
        "math": math,
        "models": models,
        "np": np,
        "ops": ops,
        "plotting": plotting,
        "plt": plt,
        "report": report,
        "stats": stats,
        **answers,
    }


def stub(*args):
    return ...


@pytest.mark.parametrize(
    "exercise, answers",
    [
        ("4.1", {"my_gelu": stub, "my_gelu_tanh": stub}),
        ("4.1", {"my_gelu": gelu, "my_gelu_tanh": lambda z: "gelu"}),
        ("4.1", {"my_gelu": gelu}),
        ("4.2", {"MySwish": ...}),
        ("4.2", {"MySwish": swish_variant(build=frozen_build)}),
        ("4.2", {}),
        ("4.3", {"init_gain": stub}),
        ("4.3", {"init_gain": lambda f: float("nan")}),
        ("4.3", {}),
    ],
    ids=[
        "4.1 stub",
        "4.1 wrong",
        "4.1 missing",
        "4.2 stub",
        "4.2 frozen beta",
        "4.2 missing",
        "4.3 stub",
        "4.3 nan",
        "4.3 missing",
    ],
)
def test_course_cells_after_an_exercise_print_one_line(exercise, answers, capsys):
    shared = namespace(**answers)
    for cell in course_cells("04-smooth-activations.ipynb", exercise):
        exec(cell, shared)  # raises nothing
        lines = capsys.readouterr().out.strip().splitlines()
        assert len(lines) == 1 and lines[0][0] in "⏳❌⚠", lines
        if not answers or exercise == "4.1" and "my_gelu_tanh" not in answers:
            assert "is not defined yet: run Exercise" in lines[0], lines
    assert not plt.get_fignums(), "a figure was drawn for a wrong answer"


def test_course_cell_after_4_1_runs_with_numpy_answers(capsys):
    answers = {
        "my_gelu": lambda z: z * special.ndtr(z),
        "my_gelu_tanh": lambda z: 0.5 * z * (1 + np.tanh(SQRT_2_OVER_PI * (z + 0.044715 * z**3))),
    }
    (cell,) = course_cells("04-smooth-activations.ipynb", "4.1")
    exec(cell, namespace(**answers))
    assert "largest difference: 4.7e-04" in capsys.readouterr().out


def test_every_answer_name_says_which_cell_defines_it():
    for name, exercise in [("my_gelu", "4.1"), ("my_gelu_tanh", "4.1"), ("MySwish", "4.2"), ("init_gain", "4.3")]:
        assert f"run Exercise {exercise}'s cell first" in checks.missing_name_message(name)
