"""Properties of lab 2's checks, on generated answers (Hypothesis).

Generated perturbations of the reference answers fail, generated equivalent rewrites pass, and
generated garbage (wrong types, NaN and infinities, raising code) gets one line of feedback that
blames the answer, never "the check could not run". Nothing here trains or measures a network:
exercise 2.2's training step runs only for kernels that pass, which no perturbation does, and
exercise 2.5's garbage is rejected before any measurement. The examples are derandomized, so a run
is reproducible; each test passed 150 random examples (60 for the perturbed initializers) when written.
"""

import contextlib
import io
import math

import keras
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from utils import checks, vocabulary

FEW = settings(max_examples=12, deadline=None, database=None, derandomize=True)

GARBAGE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf]),
    st.text(max_size=8),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=4),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
    st.builds(object),
    st.builds(lambda n: np.full(n, np.nan), st.integers(0, 3)),
)
ERRORS = st.sampled_from(
    [ValueError, TypeError, ZeroDivisionError, IndexError, KeyError, RuntimeError, AttributeError, OverflowError]
)


def run(check, *args, **kwargs):
    """Run a check; return its result and what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = check(*args, **kwargs)
    return result, out.getvalue()


def assert_feedback_on_the_answer(result, printed, exercise):
    """A wrong answer: not passed, one line (two with a hint), blamed on the answer, no traceback."""
    lines = printed.strip().splitlines()
    assert result.status in {"failed", "not done", "error"}, result.message
    assert lines[0].startswith(("❌", "⏳", "⚠️")) and f"Exercise {exercise}" in lines[0], printed
    assert len(lines) == 1 or (len(lines) == 2 and lines[1].lstrip().startswith("Hint:")), printed
    assert "could not run" not in printed and "Traceback" not in printed and "\x1b[" not in printed, printed


def raising(error, text):
    def answer(*args, **kwargs):
        raise error(text)

    return answer


# Exercise 2.1 ---------------------------------------------------------------------------------


def reference_fans(shape):
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


@FEW
@given(
    shape_index=st.integers(0, len(checks.lab2.FAN_SHAPES) - 1),
    delta=st.tuples(st.integers(-3, 3), st.integers(-3, 3)).filter(any),
)
def test_fans_off_by_a_little_on_any_one_shape_fail(shape_index, delta):
    wrong_shape = checks.lab2.FAN_SHAPES[shape_index]

    def answer(shape):
        fans = reference_fans(shape)
        return (fans[0] + delta[0], fans[1] + delta[1]) if shape == wrong_shape else fans

    result, printed = run(checks.check_compute_fans, answer)
    assert result.status == "failed" and str(wrong_shape) in result.message
    assert_feedback_on_the_answer(result, printed, "2.1")


@FEW
@given(
    container=st.sampled_from([tuple, list, np.array, keras.ops.convert_to_tensor]),
    number=st.sampled_from([int, float, np.int64, np.int32, np.float64]),
)
def test_fans_written_with_any_container_and_number_type_pass(container, number):
    result, _ = run(checks.check_compute_fans, lambda shape: container([number(v) for v in reference_fans(shape)]))
    assert result.passed, result.message


@FEW
@given(value=GARBAGE)
def test_garbage_fans_get_one_line(value):
    result, printed = run(checks.check_compute_fans, lambda shape: value)
    assert_feedback_on_the_answer(result, printed, "2.1")


@FEW
@given(error=ERRORS, text=st.text(max_size=20))
def test_raising_compute_fans_is_reported_as_the_learner_s_error(error, text):
    result, printed = run(checks.check_compute_fans, raising(error, text))
    assert result.status == "error" and f"your code raised {error.__name__}" in result.message
    assert_feedback_on_the_answer(result, printed, "2.1")


# Exercise 2.2 ---------------------------------------------------------------------------------


class ScaledHeNormal(keras.initializers.Initializer):
    """He normal with its std multiplied by ``factor`` and shifted by ``shift`` stds."""

    factor, shift = 1.0, 0.0

    def __init__(self, seed=None):
        self.seed = seed

    def __call__(self, shape, dtype=None):
        std = math.sqrt(2 / reference_fans(shape)[0])
        return keras.random.normal(shape, self.shift * std, self.factor * std, dtype=dtype, seed=self.seed)


@settings(max_examples=8, deadline=None, database=None, derandomize=True)
@given(
    factor=st.one_of(st.floats(0.3, 0.94), st.floats(1.06, 3.0)) | st.just(1.0),
    shift=st.floats(-1.0, 1.0),
)
def test_he_normal_with_a_wrong_std_or_mean_fails(factor, shift):
    if factor == 1.0 and abs(shift) < 0.1:
        shift = 0.1 if shift >= 0 else -0.1  # a perturbation, always
    candidate = type("Perturbed", (ScaledHeNormal,), {"factor": factor, "shift": shift})
    result, printed = run(checks.check_initializer, candidate, "he_normal")
    assert result.status == "failed", result.message
    assert_feedback_on_the_answer(result, printed, "2.2")


@FEW
@given(value=GARBAGE)
def test_an_initializer_returning_garbage_gets_one_line(value):
    candidate = type("Garbage", (ScaledHeNormal,), {"__call__": lambda self, shape, dtype=None: value})
    result, printed = run(checks.check_initializer, candidate, "glorot_uniform")
    assert_feedback_on_the_answer(result, printed, "2.2")


@FEW
@given(error=ERRORS, text=st.text(max_size=20), where=st.sampled_from(["__init__", "__call__"]))
def test_a_raising_initializer_is_reported_as_the_learner_s_error(error, text, where):
    candidate = type("Raising", (ScaledHeNormal,), {where: raising(error, text)})
    result, printed = run(checks.check_initializer, candidate, "lecun_normal")
    assert result.status == "error" and f"your code raised {error.__name__}" in result.message
    assert_feedback_on_the_answer(result, printed, "2.2")


# Exercise 2.3 ---------------------------------------------------------------------------------

REFERENCE_MATCHING = dict(checks.RECOMMENDED_SCHEME)
SCHEMES = ("glorot", "he", "lecun")


@FEW
@given(
    activation=st.sampled_from(sorted(REFERENCE_MATCHING)),
    shift=st.integers(1, 2),
)
def test_a_matching_with_one_wrong_scheme_fails(activation, shift):
    wrong = SCHEMES[(SCHEMES.index(REFERENCE_MATCHING[activation]) + shift) % 3]
    result, printed = run(checks.check_initializer_matching, dict(REFERENCE_MATCHING, **{activation: wrong}), 16)
    assert result.status == "failed" and f"{activation}: not {wrong}" in result.message
    assert_feedback_on_the_answer(result, printed, "2.3")


@FEW
@given(relative_error=st.one_of(st.floats(-0.99, -1e-4), st.floats(1e-4, 10.0)))
def test_a_logistic_scale_off_by_any_amount_fails(relative_error):
    result, printed = run(checks.check_initializer_matching, REFERENCE_MATCHING, 16 * (1 + relative_error))
    assert result.status == "failed"
    assert_feedback_on_the_answer(result, printed, "2.3")


def sloppy_case(text, data):
    """Rewrite ``text`` with random letter case and surrounding spaces."""
    letters = "".join(c.upper() if data.draw(st.booleans()) else c for c in text)
    return " " * data.draw(st.integers(0, 2)) + letters + " " * data.draw(st.integers(0, 2))


@FEW
@given(
    data=st.data(),
    scale=st.sampled_from([16, 16.0, np.float32(16), np.float64(16), 1 / (1 / 4) ** 2, np.array(16.0)]),
)
def test_a_matching_written_with_any_case_spaces_and_number_type_passes(data, scale):
    sloppy = {sloppy_case(k, data): sloppy_case(v, data) for k, v in REFERENCE_MATCHING.items()}
    result, _ = run(checks.check_initializer_matching, sloppy, scale)
    assert result.passed, result.message


@FEW
@given(value=GARBAGE, where=st.sampled_from(["matching", "a value", "logistic_scale"]))
def test_garbage_in_any_part_of_2_3_gets_one_line(value, where):
    matching, scale = REFERENCE_MATCHING, 16
    if where == "matching":
        matching = value
    elif where == "a value":
        matching = dict(REFERENCE_MATCHING, relu=value)
    else:
        scale = value
    result, printed = run(checks.check_initializer_matching, matching, scale)
    assert_feedback_on_the_answer(result, printed, "2.3")


# Exercise 2.4 ---------------------------------------------------------------------------------

HE_UNIFORM = {"scale": 2.0, "mode": "fan_in", "distribution": "uniform"}
GLOROT_NORMAL = {"scale": 1.0, "mode": "fan_avg", "distribution": "truncated_normal"}


@FEW
@given(
    scale_factor=st.one_of(st.floats(0.1, 0.999), st.floats(1.001, 10.0)) | st.just(1.0),
    mode=st.sampled_from(["fan_in", "fan_out", "fan_avg"]),
    distribution=st.sampled_from(["uniform", "truncated_normal", "untruncated_normal"]),
)
def test_variance_scaling_arguments_other_than_he_uniform_s_fail(scale_factor, mode, distribution):
    args = {"scale": 2.0 * scale_factor, "mode": mode, "distribution": distribution}
    result, printed = run(checks.check_variance_scaling, args, GLOROT_NORMAL)
    if args == HE_UNIFORM:
        assert result.passed, result.message
    else:
        assert result.status == "failed" and "he_uniform" in result.message
        assert_feedback_on_the_answer(result, printed, "2.4")


@FEW
@given(
    data=st.data(),
    scale=st.sampled_from([1, 1.0, np.float32(1), np.float64(1), np.array(1.0)]),
    normal=st.sampled_from(["truncated_normal", "normal"]),
)
def test_variance_scaling_arguments_written_differently_pass(data, scale, normal):
    args = {"scale": scale, "mode": sloppy_case("fan_avg", data), "distribution": sloppy_case(normal, data)}
    result, _ = run(checks.check_variance_scaling, HE_UNIFORM, args)
    assert result.passed, result.message


@FEW
@given(value=GARBAGE, key=st.sampled_from(["scale", "mode", "distribution", None]))
def test_garbage_variance_scaling_arguments_get_one_line(value, key):
    args = value if key is None else dict(HE_UNIFORM, **{key: value})
    result, printed = run(checks.check_variance_scaling, args, GLOROT_NORMAL)
    assert_feedback_on_the_answer(result, printed, "2.4")


# Exercise 2.5 ---------------------------------------------------------------------------------


@FEW
@given(value=GARBAGE.filter(lambda v: not (isinstance(v, str) and v in vocabulary.KERAS_INITIALIZER_NAMES)))
def test_garbage_tanh_initializers_get_one_line_without_a_measurement(value):
    result, printed = run(checks.check_tanh_initializer, value)
    assert_feedback_on_the_answer(result, printed, "2.5")
