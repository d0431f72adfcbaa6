"""Lab 5 checks accept the reference answers and correct alternatives, and reject stubs, broken and wrong answers."""

import math
import re

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from tests.lab_testing import course_cells
from utils import checks, data, diagnostics, models, report, setup
from utils.checks import lab5


def one_line(result):
    """The feedback is one line, plus at most one hint line, and never a traceback."""
    lines = result.message.splitlines()
    return (
        len(lines) <= 2 and (len(lines) == 1 or lines[1].startswith("   Hint:")) and "Traceback" not in result.message
    )


def rejected(result, specific):
    assert result.status in ("failed", "error") and specific in result.message, result.message
    assert one_line(result), result.message
    assert "could not run" not in result.message, result.message


# Exercise 5.1 ---------------------------------------------------------------------------------------------------


def batch_norm(x, gamma, beta, moving_mean, moving_var, *, training, momentum=0.99, epsilon=1e-3):
    if training:
        mean, var = np.mean(x, axis=0), np.var(x, axis=0)
        moving_mean = momentum * moving_mean + (1 - momentum) * mean
        moving_var = momentum * moving_var + (1 - momentum) * var
    else:
        mean, var = moving_mean, moving_var
    return gamma * (x - mean) / np.sqrt(var + epsilon) + beta, moving_mean, moving_var


def ops_batch_norm(x, gamma, beta, moving_mean, moving_var, *, training, momentum=0.99, epsilon=1e-3):
    """keras.ops, float32 inside, moments from ops.moments, the layer's own batch_normalization."""
    x = ops.cast(x, "float32")
    gamma, beta, moving_mean, moving_var = (ops.cast(v, "float32") for v in (gamma, beta, moving_mean, moving_var))
    if training:
        mean, var = ops.moments(x, axes=[0])
        new = (moving_mean * momentum + mean * (1 - momentum), moving_var * momentum + var * (1 - momentum))
    else:
        mean, var, new = moving_mean, moving_var, (moving_mean, moving_var)
    return ops.batch_normalization(x, mean, var, axis=-1, offset=beta, scale=gamma, epsilon=epsilon), *new


def float64_sums(x, gamma, beta, moving_mean, moving_var, *, training, momentum=0.99, epsilon=1e-3):
    """Written out by hand in float64, lists returned, variance as the mean of squares minus the squared mean."""
    x = np.asarray(x, dtype="float64")
    n = x.shape[0]
    if training:
        mean = x.sum(axis=0) / n
        var = ((x - mean) ** 2).sum(axis=0) / n
        moving_mean = [momentum * m + (1 - momentum) * b for m, b in zip(np.asarray(moving_mean), mean, strict=True)]
        moving_var = [momentum * m + (1 - momentum) * b for m, b in zip(np.asarray(moving_var), var, strict=True)]
        used = mean, var
    else:
        used = np.asarray(moving_mean, dtype="float64"), np.asarray(moving_var, dtype="float64")
    x_hat = (x - used[0]) * (np.asarray(used[1]) + epsilon) ** -0.5
    return [np.asarray(gamma) * x_hat + np.asarray(beta), moving_mean, moving_var]


@pytest.mark.parametrize("answer", [batch_norm, ops_batch_norm, float64_sums], ids=["numpy", "ops", "float64 sums"])
def test_batch_norm_accepts_correct_answers_written_differently(answer):
    result = checks.check_batch_norm(answer)
    assert result.passed, result.message


def test_batch_norm_verdict_is_the_same_for_seeds_0_to_4():
    """The batches are fixed; no randomness reaches the verdict."""
    for seed in range(5):
        setup.set_seed(seed)
        assert checks.check_batch_norm(batch_norm).passed


def test_batch_norm_reference_is_keras():
    for description, case in lab5._batch_norm_cases():
        for momentum, epsilon in lab5.BN_SETTINGS:
            for training in (True, False):
                settings = {"training": training, "momentum": momentum, "epsilon": epsilon}
                ours = lab5.batch_norm_reference(case["x"], *case["weights"], **settings)
                keras_values = lab5._keras_batch_norm(case["x"], *case["weights"], **settings)
                for a, b in zip(ours, keras_values, strict=True):
                    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9, err_msg=description)


def test_batch_norm_tries_several_batches():
    cases = lab5._batch_norm_cases()
    shapes = {np.shape(case["x"]) for _, case in cases}
    assert (2, 3) in shapes and len(shapes) == 3
    assert {np.asarray(case["x"]).dtype.name for _, case in cases} == {"float32", "float64"}
    assert {type(case["x"]).__module__.split(".")[0] for _, case in cases} == {"numpy", "tensorflow"}


def variant(*, ddof_norm=0, ddof_update=0, epsilon_inside=True, use_epsilon=True, inference="moving",
            training_stats="batch", update="keras", axis=0, affine=True):  # fmt: skip
    def answer(x, gamma, beta, moving_mean, moving_var, *, training, momentum=0.99, epsilon=1e-3):
        x = np.asarray(x, dtype="float64")
        eps = epsilon if use_epsilon else 0.0
        mean, var_norm = x.mean(axis=axis, keepdims=axis == 1), x.var(axis=axis, ddof=ddof_norm, keepdims=axis == 1)
        batch_mean, var_update = x.mean(axis=0), x.var(axis=0, ddof=ddof_update)
        new_mean, new_var = moving_mean, moving_var
        if training or inference == "updates":
            if update == "keras":
                new_mean = momentum * moving_mean + (1 - momentum) * batch_mean
                new_var = momentum * moving_var + (1 - momentum) * var_update
            elif update == "swapped":
                new_mean = momentum * batch_mean + (1 - momentum) * moving_mean
                new_var = momentum * var_update + (1 - momentum) * moving_var
        if training and training_stats == "moving" or not training and inference != "batch":
            mean, var_norm = np.asarray(moving_mean, "float64"), np.asarray(moving_var, "float64")
        scale = 1 / np.sqrt(var_norm + eps) if epsilon_inside else 1 / (np.sqrt(var_norm) + eps)
        x_hat = (x - mean) * scale
        return (np.asarray(gamma) * x_hat + np.asarray(beta) if affine else x_hat), new_mean, new_var

    return answer


def inplace(x, gamma, beta, moving_mean, moving_var, *, training, momentum=0.99, epsilon=1e-3):
    y, new_mean, new_var = batch_norm(x, gamma, beta, moving_mean, moving_var, training=training,
                                      momentum=momentum, epsilon=epsilon)  # fmt: skip
    if isinstance(moving_mean, np.ndarray):
        moving_mean[...] = new_mean
    return y, new_mean, new_var


FIXED = np.zeros((32, 6))


@pytest.mark.parametrize(
    "answer, specific",
    [
        (variant(ddof_norm=1, ddof_update=1), "that is the unbiased variance (ddof=1)"),
        (variant(ddof_norm=1), "the normalization uses the unbiased variance"),
        (variant(ddof_update=1), "the moving variance is updated with the unbiased variance"),
        (variant(use_epsilon=False), "epsilon is missing"),
        (variant(epsilon_inside=False), "not sqrt(var) + epsilon"),
        (variant(inference="batch"), "at inference (training=False) batch norm uses the moving statistics"),
        (variant(inference="updates"), "at inference the moving statistics stay as they are"),
        (variant(training_stats="moving"), "normalizes with the batch's own statistics"),
        (variant(update="swapped"), "momentum weighs the old moving value"),
        (variant(update="none"), "in training the moving statistics move"),
        (variant(axis=1), "that is layer normalization"),
        (variant(affine=False), "gamma and beta are missing"),
        (inplace, "your function changed them in place"),
        (lambda x, *args, **kwargs: (x * float("nan"), args[2], args[3]), "finite numbers in your output"),
        (lambda x, *args, **kwargs: (FIXED, args[2], args[3]), "found [0, 0, 0]"),
        (lambda x, *args, **kwargs: np.asarray(x), "three values, (y, new_moving_mean, new_moving_var)"),
        (lambda x, *args, **kwargs: (x, args[2]), "found 2 values"),
        (lambda x, gamma, beta, m, v, *, training: (x, m, v), "unexpected keyword argument 'momentum'"),
    ],
    ids=[
        "unbiased variance",
        "unbiased in the normalization",
        "unbiased in the update",
        "no epsilon",
        "epsilon outside the root",
        "batch statistics at inference",
        "update at inference",
        "moving statistics in training",
        "momentum the wrong way round",
        "no update",
        "layer norm",
        "no gamma and beta",
        "mutated moving mean",
        "nan",
        "fixed array",
        "one array",
        "two values",
        "no momentum argument",
    ],
)
def test_batch_norm_rejects_broken_and_wrong_answers(answer, specific):
    rejected(checks.check_batch_norm(answer), specific)


def test_batch_norm_output_fixed_across_batches_is_named():
    outputs = {}

    def memorized(x, gamma, beta, moving_mean, moving_var, *, training, momentum=0.99, epsilon=1e-3):
        y, m, v = batch_norm(x, gamma, beta, moving_mean, moving_var, training=training, momentum=momentum,
                             epsilon=epsilon)  # fmt: skip
        return outputs.setdefault(np.shape(x), y) if np.shape(x) != (2, 3) else np.zeros((2, 3)) + y.mean(), m, v

    rejected(checks.check_batch_norm(memorized), "found")


def test_batch_norm_stub_and_errors():
    assert checks.check_batch_norm(...).status == "not done"
    assert checks.check_batch_norm(lambda *args, **kwargs: ...).status == "not done"
    raising = checks.check_batch_norm(lambda *args, **kwargs: 1 / 0)
    assert raising.status == "error" and "ZeroDivisionError" in raising.message and "training=True" in raising.message


# Exercise 5.2 ---------------------------------------------------------------------------------------------------


def clip(grads, clip_norm):
    global_norm = math.sqrt(sum(float(ops.sum(ops.square(g))) for g in grads))
    return [g * (clip_norm / max(global_norm, clip_norm)) for g in grads]


def numpy_clip(grads, clip_norm):
    values = [np.asarray(g, dtype="float64") for g in grads]
    norm = np.sqrt(sum(np.vdot(v, v) for v in values))
    return [v * min(1.0, clip_norm / norm) if norm > 0 else v for v in values]


CLIP_ANSWERS = {
    "ops": clip,
    "numpy float64": numpy_clip,
    "tf.clip_by_global_norm": lambda grads, c: tf.clip_by_global_norm([tf.convert_to_tensor(g) for g in grads], c)[0],
    "tuple": lambda grads, c: tuple(numpy_clip(grads, c)),
}


@pytest.mark.parametrize("answer", CLIP_ANSWERS.values(), ids=CLIP_ANSWERS.keys())
def test_clip_accepts_correct_answers_written_differently(answer):
    result = checks.check_clip_by_global_norm(answer)
    assert result.passed, result.message


def test_clip_verdict_is_the_same_for_seeds_0_to_4():
    for seed in range(5):
        setup.set_seed(seed)
        assert checks.check_clip_by_global_norm(clip).passed


def test_clip_reference_is_tf_clip_by_global_norm():
    for description, gradients, clip_norm in lab5._gradient_cases():
        expected, _ = tf.clip_by_global_norm([tf.constant(np.asarray(g), tf.float32) for g in gradients], clip_norm)
        for ours, theirs in zip(lab5._keras_global_clip(gradients, clip_norm), expected, strict=True):
            np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-9, err_msg=description)


def always_scaled(grads, clip_norm):
    norm = math.sqrt(sum(float(np.sum(np.square(g))) for g in grads))
    return [np.asarray(g) * clip_norm / norm for g in grads]


def squared_norm(grads, clip_norm):
    squares = sum(float(np.sum(np.square(g))) for g in grads)
    return [np.asarray(g) * clip_norm / max(squares, clip_norm) for g in grads]


def inplace_clip(grads, clip_norm):
    clipped = numpy_clip(grads, clip_norm)
    for g, c in zip(grads, clipped, strict=True):
        if isinstance(g, np.ndarray):
            g[...] = c
    return clipped


def nan_at_zero(grads, clip_norm):
    norm = math.sqrt(sum(float(np.sum(np.square(g))) for g in grads))
    with np.errstate(all="ignore"):
        return [np.asarray(g) * min(1.0, clip_norm / norm) if norm else np.asarray(g) * np.nan for g in grads]


@pytest.mark.parametrize(
    "answer, specific",
    [
        (lambda grads, c: [tf.clip_by_norm(g, c) for g in grads], "that is clipnorm"),
        (lambda grads, c: [np.clip(g, -c, c) for g in grads], "that is clipvalue"),
        (always_scaled, "you scale even when the global norm is below clip_norm"),
        (squared_norm, "the square root of the sum of squares"),
        (inplace_clip, "your function changed them in place"),
        (nan_at_zero, "divides by zero"),
        (lambda grads, c: tf.clip_by_global_norm(grads, c), "return the list alone"),
        (lambda grads, c: np.concatenate([np.ravel(g) for g in numpy_clip(grads, c)]), "a list of 4 clipped"),
        (lambda grads, c: [np.ravel(g) for g in numpy_clip(grads, c)], "an output of shape (6, 4)"),
        (lambda grads, c: numpy_clip(grads, c)[:2], "found 2 values"),
    ],
    ids=[
        "per tensor",
        "by value",
        "always scaled",
        "no square root",
        "in place",
        "nan at zero",
        "tf's pair",
        "one flat tensor",
        "flattened",
        "too few",
    ],
)
def test_clip_rejects_broken_and_wrong_answers(answer, specific):
    rejected(checks.check_clip_by_global_norm(answer), specific)


def test_clip_stub_and_errors():
    assert checks.check_clip_by_global_norm(...).status == "not done"
    assert checks.check_clip_by_global_norm(lambda grads, c: ...).status == "not done"
    raising = checks.check_clip_by_global_norm(lambda grads, c: undefined_norm(grads))  # noqa: F821
    assert raising.status == "error" and "your code uses undefined_norm" in raising.message


# Exercise 5.3 ---------------------------------------------------------------------------------------------------


def block(h, kernel, scale):
    return h + scale * ops.matmul(ops.relu(h), kernel)


def numpy_block(h, kernel, scale):
    h = np.asarray(h, dtype="float64")
    return h + scale * (np.maximum(h, 0) @ np.asarray(kernel, dtype="float64"))


@pytest.mark.parametrize(
    "residual_block, branch_scale",
    [
        (block, lambda num_blocks: 1 / math.sqrt(num_blocks)),
        (numpy_block, lambda num_blocks: num_blocks**-0.5),
        (block, lambda num_blocks: np.float32(1 / np.sqrt(2 * num_blocks))),
        (numpy_block, lambda num_blocks: tf.constant(1.0 / math.sqrt(num_blocks))),
    ],
    ids=["ops", "numpy", "1/sqrt(2L) as float32", "scale as a tensor"],
)
def test_residual_accepts_correct_answers_written_differently(residual_block, branch_scale):
    result = checks.check_residual_block(residual_block, branch_scale)
    assert result.passed, result.message


def test_residual_verdict_is_the_same_for_seeds_0_to_4():
    for seed in range(5):
        setup.set_seed(seed)
        assert checks.check_residual_block(numpy_block, lambda num_blocks: 1 / math.sqrt(num_blocks)).passed


def test_residual_depths_catch_a_scale_for_one_depth():
    """A constant scale right for 100 blocks leaves the band at another depth: the check tries more than one."""
    growths = {}
    for depth in lab5.RESIDUAL_DEPTHS:
        h0, h = lab5.residual_stack(numpy_block, 0.1, depth)
        growths[depth] = h.std() / h0.std()
    assert lab5.STD_BAND[0] <= growths[100] <= lab5.STD_BAND[1]
    assert not lab5.STD_BAND[0] <= growths[max(lab5.RESIDUAL_DEPTHS)] <= lab5.STD_BAND[1]


@pytest.mark.parametrize(
    "residual_block, branch_scale, specific",
    [
        (block, lambda n: 1.0, "each block adds a branch as large as the stream"),
        (block, lambda n: 0.1, "your scale is the same at every depth"),
        (block, lambda n: 0.0, "with scale 0 every block is the identity"),
        (block, lambda n: 1 / n, "the branches barely contribute"),
        (block, lambda n: 2 / math.sqrt(n), "stays bounded when scale**2 shrinks like 1 / L"),
        (lambda h, k, s: s * ops.matmul(ops.relu(h), k), lambda n: n**-0.5, "there is no skip connection"),
        (lambda h, k, s: h + ops.matmul(ops.relu(h), k), lambda n: n**-0.5, "the branch is not scaled"),
        (lambda h, k, s: s * (h + ops.matmul(ops.relu(h), k)), lambda n: n**-0.5, "not the skip path"),
        (lambda h, k, s: h + s * ops.relu(ops.matmul(h, k)), lambda n: n**-0.5, "relu first, then the kernel"),
        (lambda h, k, s: h + s * ops.matmul(h, k), lambda n: n**-0.5, "applies ReLU before the kernel"),
        (lambda h, k, s: h * 1.0, lambda n: n**-0.5, "returns its input unchanged"),
        (block, lambda n: float("nan"), "a finite number from branch_scale(10)"),
        (block, lambda n: [1.0, 2.0], "one number from branch_scale(10)"),
        (block, lambda n: 1e6, "the std grew past float32's range"),
    ],
    ids=[
        "scale 1",
        "scale for 100 only",
        "scale 0",
        "1/L",
        "2/sqrt(L)",
        "no skip",
        "unscaled",
        "scaled skip",
        "post-activation",
        "no relu",
        "identity block",
        "nan scale",
        "two numbers",
        "overflow",
    ],
)
def test_residual_rejects_broken_and_wrong_answers(residual_block, branch_scale, specific):
    rejected(checks.check_residual_block(residual_block, branch_scale), specific)


def test_residual_scale_one_shows_the_measured_growth():
    result = checks.check_residual_block(block, lambda n: 1.0)
    growth = float(result.message.split("found ")[1].split(" times")[0])
    assert growth > 10, result.message


def test_residual_stub_and_errors():
    assert checks.check_residual_block(..., lambda n: 1.0).status == "not done"
    assert checks.check_residual_block(block, ...).status == "not done"
    assert checks.check_residual_block(lambda h, k, s: ..., lambda n: 1.0).status == "not done"
    assert checks.check_residual_block(block, lambda n: ...).status == "not done"
    raising = checks.check_residual_block(block, lambda n: 1 / 0)
    assert raising.status == "error" and "on branch_scale(10)" in raising.message


# Exercise 5.4 ---------------------------------------------------------------------------------------------------

RIGHT = {"network_a": "batch norm", "network_b": "gradient clipping", "network_c": "branch scaling"}


@pytest.mark.parametrize(
    "answer",
    [
        RIGHT,
        {"network_a": "BN", "network_b": "Clipping", "network_c": "1/sqrt(L)"},
        {" Network_A ": "relu + he", "network_b": "global_clipnorm", "network_c": "ReZero"},
        {"network_a": "Batch-Normalization", "network_b": "lower the learning rate", "network_c": "scaled residual"},
        # The lab's text names both as bounding the residual stream's growth (pre-norm: the test below).
        {"network_a": "BN", "network_b": "clipping", "network_c": "Pre-Norm"},
        {"network_a": "BN", "network_b": "clipping", "network_c": "Fixup"},
    ],
    ids=["canonical", "short names", "other remedies", "spelled out", "pre-norm", "fixup"],
)
def test_remedies_accept_equivalent_names(answer):
    result = checks.check_remedies(answer)
    assert result.passed, result.message


@pytest.mark.parametrize(
    "answer, specific",
    [
        ({name: "batch norm" for name in RIGHT}, "batch norm for all three"),
        ({name: "gradient clipping" for name in RIGHT}, "gradient clipping for all three"),
        ({**RIGHT, "network_c": "gradient clipping"}, "at least one that does not"),
        ({**RIGHT, "network_a": "branch scaling", "network_c": "batch norm"}, "at least one that does not"),
        ({**RIGHT, "network_b": "dropout"}, "each remedy to be one of"),
        ({"network_a": "batch norm", "network_b": "clipping"}, "a dict with the keys"),
        (["batch norm", "clipping", "branch scaling"], "found a list"),
        ({**RIGHT, "network_a": 3}, "each remedy to be one of"),
        ({**RIGHT, "network_a": "pre-norm"}, "at least one that does not"),
    ],
    ids=[
        "all batch norm",
        "all clipping",
        "c clipped",
        "two swapped",
        "unknown remedy",
        "missing key",
        "a list",
        "int",
        "pre-norm for the MLP",
    ],
)
def test_remedies_reject_wrong_answers(answer, specific):
    rejected(checks.check_remedies(answer), specific)


def test_remedies_feedback_reveals_no_network():
    """Every wrong combination gets the same message: trying them one by one learns nothing."""
    names, options = sorted(RIGHT), list(lab5.REMEDIES)
    messages = set()
    for a in options:
        for b in options:
            for c in options:
                answer = dict(zip(names, (a, b, c), strict=True))
                result = checks.check_remedies(answer)
                if not result.passed and len({a, b, c}) > 1:
                    messages.add(result.message)
    assert len(messages) == 1, messages
    assert not any(name in next(iter(messages)) for name in names)


def test_remedies_stub():
    assert checks.check_remedies(...).status == "not done"
    assert checks.check_remedies({"network_a": ..., "network_b": ..., "network_c": ...}).status == "not done"


def test_deep_runs_show_the_symptom_each_remedy_treats(batch):
    """Forward, backward, update, as the lab's table reads them: the first out of range is each remedy's cue."""
    x, y = batch
    runs = checks.build_deep_runs()
    measured = {}
    for name, run in runs.items():
        std = diagnostics.activation_stats(run.model, x).std
        ratio = diagnostics.first_to_last_ratio(diagnostics.gradient_norms(run.model, x, y))
        measured[name] = (std[-1] / std[0], ratio)
    a_forward, a_backward = measured["network_a"]
    b_forward, b_backward = measured["network_b"]
    c_forward, _ = measured["network_c"]
    assert 0.1 < a_forward < 10 and a_backward < 1e-6
    assert 0.1 < b_forward < 10 and 1e-2 < b_backward < 1e2
    assert c_forward > 1e3
    model = runs["network_b"].model
    before = diagnostics.kernel_snapshot(model)
    model.compile(
        optimizer=keras.optimizers.SGD(runs["network_b"].learning_rate), loss="sparse_categorical_crossentropy"
    )
    model.train_on_batch(x, y)
    assert diagnostics.relative_weight_change(before, model).max() > 0.1


def test_pre_norm_bounds_network_c_growth(batch):
    """Pre-norm, an accepted remedy for network_c, bounds the growth that its unscaled branches cause.

    The same weights with a LayerNormalization at the start of each branch keep the stream's std within
    10x of the stem's, where the plain network grows it more than a thousand-fold.
    """
    x, _ = batch
    model = checks.build_deep_runs()["network_c"].model
    inputs = keras.Input(model.input_shape[1:])
    stream = model.get_layer("stem")(inputs)
    streams = {"plain": [stream], "pre-norm": [stream]}
    for name in streams:
        h = stream
        for index in range(1, sum(layer.name.startswith("add_") for layer in model.layers) + 1):
            branch = keras.layers.LayerNormalization()(h) if name == "pre-norm" else h
            branch = model.get_layer(f"branch_{index}")(model.get_layer(f"relu_{index}")(branch))
            h = model.get_layer(f"add_{index}")([h, branch])
        streams[name].append(h)
    growth = {}
    for name, (first, last) in streams.items():
        first, last = keras.Model(inputs, [first, last])(x)
        growth[name] = float(np.std(last) / np.std(first))
    assert growth["plain"] > 1e3 and 1 < growth["pre-norm"] < 10, growth


# Course cells after an exercise ---------------------------------------------------------------------------------


def namespace(**answers):
    digits = data.load_digits()
    return {
        "checks": checks,
        "diagnostics": diagnostics,
        "keras": keras,
        "math": math,
        "models": models,
        "np": np,
        "ops": ops,
        "plt": plt,
        "report": report,
        "x_batch": digits.x_train[:256],
        "y_batch": digits.y_train[:256],
        **answers,
    }


def stub(*args, **kwargs):
    return ...


@pytest.mark.parametrize(
    "exercise, answers",
    [
        ("5.1", {"batch_norm": stub}),
        ("5.1", {"batch_norm": lambda x, *args, **kwargs: (x * float("nan"), None, None)}),
        ("5.1", {}),
        ("5.2", {"clip_by_global_norm": stub}),
        ("5.2", {"clip_by_global_norm": lambda grads, c: 1 / 0}),
        ("5.2", {}),
        ("5.3", {"residual_block": stub, "branch_scale": stub}),
        ("5.3", {"residual_block": block, "branch_scale": stub}),
        ("5.3", {}),
    ],
    ids=[
        "5.1 stub",
        "5.1 nan",
        "5.1 missing",
        "5.2 stub",
        "5.2 raises",
        "5.2 missing",
        "5.3 stub",
        "5.3 half",
        "5.3 missing",
    ],
)
def test_course_cells_after_an_exercise_print_one_line(exercise, answers, capsys):
    shared = namespace(**answers)
    for cell in course_cells("05-normalization-and-residuals.ipynb", exercise):
        exec(cell, shared)  # raises nothing
        lines = capsys.readouterr().out.strip().splitlines()
        assert len(lines) == 1 and lines[0][0] in "⏳❌⚠", lines
        if not answers:
            assert "is not defined yet: run Exercise" in lines[0], lines
    assert not plt.get_fignums(), "a figure was drawn for a wrong answer"


def test_every_answer_name_says_which_cell_defines_it():
    for name, exercise in [
        ("batch_norm", "5.1"),
        ("clip_by_global_norm", "5.2"),
        ("residual_block", "5.3"),
        ("branch_scale", "5.3"),
        ("remedies", "5.4"),
    ]:
        assert f"run Exercise {exercise}'s cell first" in checks.missing_name_message(name)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"depth": 0}, "depth must be a positive integer; got 0"),
        ({"depth": 2.5}, "depth must be a positive integer; got 2.5"),
        ({"depth": 2, "seed": -1}, "seed must be"),
    ],
)
def test_residual_stack_rejects_a_bad_depth_or_seed_in_one_line(kwargs, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)) as caught:
        lab5.residual_stack(lambda h, kernel, scale: h, 0.5, **kwargs)
    assert "\n" not in str(caught.value)
