"""Checks for lab 5: batch norm, clipping by the global norm, a scaled residual branch, and a diagnosis."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from utils.checks._framework import (
    Failed,
    NotDone,
    a_type,
    call_student,
    exercise_check,
    first_mismatch,
    format_array,
    format_number,
    is_unfinished,
    learner_code,
    normalize_choice,
    output_array,
    register_answers,
    require_finite,
    shorten,
)

__all__ = [
    "BN_SETTINGS",
    "DeepRun",
    "REMEDIES",
    "RESIDUAL_DEPTHS",
    "STD_BAND",
    "batch_norm_reference",
    "build_deep_runs",
    "check_batch_norm",
    "check_clip_by_global_norm",
    "check_remedies",
    "check_residual_block",
    "residual_stack",
]

# Exercise 5.1 ---------------------------------------------------------------------------------------------------

#: Exercise 5.1: the (momentum, epsilon) pairs the check tries: Keras's defaults, then others, so that
#: constants written into the function fail.
BN_SETTINGS = ((0.99, 1e-3), (0.9, 1e-5))


def batch_norm_reference(
    x: Any, gamma: Any, beta: Any, moving_mean: Any, moving_var: Any, *, training: bool, momentum: float, epsilon: float
) -> tuple[Any, Any, Any]:
    """Batch normalization in float64 NumPy, as ``keras.layers.BatchNormalization`` computes it.

    In training, the batch's mean and biased variance (``ddof=0``) normalize ``x`` over the examples,
    and each moving statistic becomes ``momentum * moving + (1 - momentum) * batch``; at inference,
    the moving statistics normalize ``x`` and stay as they are.

    Parameters
    ----------
    x : array_like, shape (examples, features)
        The batch.
    gamma, beta, moving_mean, moving_var : array_like, shape (features,)
        The scale, the offset and the moving statistics.
    training : bool
        Training mode (batch statistics, update) or inference mode (moving statistics).
    momentum, epsilon : float
        As in Keras.

    Returns
    -------
    tuple of numpy.ndarray
        The output, of ``x``'s shape, and the new moving mean and variance.

    Examples
    --------
    >>> y, mean, var = batch_norm_reference(
    ...     [[0.0], [2.0]], [1.0], [0.0], [0.0], [1.0], training=True, momentum=0.9, epsilon=0.0
    ... )
    >>> y.ravel().tolist(), mean.round(6).tolist(), var.tolist()
    ([-1.0, 1.0], [0.1], [1.0])
    """
    import numpy as np

    x, gamma, beta = (np.asarray(v, dtype="float64") for v in (x, gamma, beta))
    moving_mean, moving_var = np.asarray(moving_mean, dtype="float64"), np.asarray(moving_var, dtype="float64")
    if training:
        mean, var = x.mean(axis=0), x.var(axis=0)
        moving_mean = momentum * moving_mean + (1 - momentum) * mean
        moving_var = momentum * moving_var + (1 - momentum) * var
    else:
        mean, var = moving_mean, moving_var
    return gamma * (x - mean) / np.sqrt(var + epsilon) + beta, moving_mean, moving_var


def _keras_batch_norm(
    x: Any, gamma: Any, beta: Any, moving_mean: Any, moving_var: Any, *, training: bool, momentum: float, epsilon: float
) -> tuple[Any, Any, Any]:
    """Return what ``keras.layers.BatchNormalization`` outputs and keeps, in float64, for the same weights."""
    import numpy as np

    from utils._tensorflow import keras

    layer = keras.layers.BatchNormalization(momentum=momentum, epsilon=epsilon, dtype="float64")
    layer.build((None, np.shape(x)[-1]))
    layer.set_weights([np.asarray(v, dtype="float64") for v in (gamma, beta, moving_mean, moving_var)])
    y = np.asarray(layer(np.asarray(x, dtype="float64"), training=training))
    return y, np.asarray(layer.moving_mean), np.asarray(layer.moving_variance)


def _batch_norm_cases() -> list[tuple[str, dict[str, Any]]]:
    """Return the batches exercise 5.1 tries, (description, arguments): shapes, dtypes, scales, containers vary."""
    import numpy as np

    from utils._tensorflow import tf

    rng = np.random.default_rng(5)
    cases = []
    # Per-feature scales from 1e-2 (epsilon matters) to 1e3; an offset so that the mean matters.
    for n, d, dtype, container in ((32, 6, "float32", "NumPy"), (2, 3, "float64", "NumPy"), (7, 5, "float32", "tf")):
        scales = np.geomspace(1e-2, 1e3, d)
        x = (rng.standard_normal((n, d)) * scales + rng.uniform(-3, 3, d) * scales).astype(dtype)
        weights = [
            rng.uniform(0.5, 2.0, d),
            rng.uniform(-1.0, 1.0, d),
            rng.uniform(-1.0, 1.0, d) * scales,
            rng.uniform(0.5, 2.0, d) * scales**2,
        ]
        weights = [w.astype(dtype) for w in weights]
        if container == "tf":
            x, weights = tf.constant(x), [tf.constant(w) for w in weights]
        description = f"a {dtype} {container} batch of shape ({n}, {d}), features from 1e-2 to 1e3"
        cases.append((description, {"x": x, "weights": weights}))
    return cases


def _batch_norm_lookalikes(
    x: Any, weights: list[Any], training: bool, momentum: float, epsilon: float
) -> list[tuple[tuple[Any, Any, Any], str]]:
    """Return what a learner may compute instead of batch norm, each with what to say about it."""
    import numpy as np

    x = np.asarray(x, dtype="float64")
    gamma, beta, moving_mean, moving_var = (np.asarray(w, dtype="float64") for w in weights)
    mean, biased = x.mean(axis=0), x.var(axis=0)
    unbiased = x.var(axis=0, ddof=1) if len(x) > 1 else biased

    def normalize(m: Any, v: Any, eps: float = epsilon) -> Any:
        return gamma * (x - m) / np.sqrt(v + eps) + beta

    def update(m: Any, v: Any) -> tuple[Any, Any]:
        return momentum * moving_mean + (1 - momentum) * m, momentum * moving_var + (1 - momentum) * v

    kept = (moving_mean, moving_var)
    if not training:
        return [
            (
                (normalize(mean, biased), *kept),
                "at inference (training=False) batch norm uses the moving statistics, not the batch's: "
                "a prediction must not depend on the other examples in the batch",
            ),
            ((normalize(moving_mean, moving_var, 0.0), *kept), "epsilon goes under the square root: sqrt(var + eps)"),
            (
                (normalize(moving_mean, moving_var), *update(mean, biased)),
                "at inference the moving statistics stay as they are: return them unchanged",
            ),
        ]
    layer_mean, layer_var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    swapped = (momentum * mean + (1 - momentum) * moving_mean, momentum * biased + (1 - momentum) * moving_var)
    return [
        (
            (normalize(mean, unbiased), *update(mean, unbiased)),
            "that is the unbiased variance (ddof=1); batch norm divides by n, not n - 1 (np.var's default, ddof=0)",
        ),
        (
            (normalize(mean, unbiased), *update(mean, biased)),
            "the normalization uses the unbiased variance (ddof=1); batch norm divides by n (ddof=0)",
        ),
        (
            (normalize(mean, biased), *update(mean, unbiased)),
            "the moving variance is updated with the unbiased variance (ddof=1); Keras uses the batch's variance, "
            "divided by n (ddof=0)",
        ),
        ((normalize(mean, biased, 0.0), *update(mean, biased)), "epsilon is missing: divide by sqrt(var + epsilon)"),
        (
            (gamma * (x - mean) / (np.sqrt(biased) + epsilon) + beta, *update(mean, biased)),
            "epsilon goes under the square root: sqrt(var + epsilon), not sqrt(var) + epsilon",
        ),
        (
            (normalize(moving_mean, moving_var), *update(mean, biased)),
            "in training (training=True) batch norm normalizes with the batch's own statistics, not the moving ones",
        ),
        (
            (normalize(mean, biased), *swapped),
            "momentum weighs the old moving value: new = momentum * moving + (1 - momentum) * batch; "
            "yours gives the batch the weight momentum",
        ),
        (
            (normalize(mean, biased), *kept),
            "in training the moving statistics move: new = momentum * moving + (1 - momentum) * batch",
        ),
        (
            (gamma * (x - layer_mean) / np.sqrt(layer_var + epsilon) + beta, *update(mean, biased)),
            "that normalizes each example over its features: that is layer normalization; batch norm "
            "normalizes each feature over the batch (axis=0)",
        ),
        (
            ((x - mean) / np.sqrt(biased + epsilon), *update(mean, biased)),
            "gamma and beta are missing: gamma * x_hat + beta",
        ),
    ]


def _explain_batch_norm(found: tuple[Any, Any, Any], x: Any, weights: list[Any], **settings: Any) -> str:
    import numpy as np

    with np.errstate(all="ignore"):
        for values, hint in _batch_norm_lookalikes(x, weights, **settings):
            if all(np.allclose(f, v, rtol=1e-4, atol=1e-5) for f, v in zip(found, values, strict=True)):
                return hint
    return (
        "y = gamma * (x - mean) / sqrt(var + epsilon) + beta, with the batch's mean and variance (axis=0) "
        "in training and the moving ones at inference"
    )


def _snapshot(values: list[Any]) -> list[Any]:
    import numpy as np

    return [np.array(v, dtype="float64", copy=True) for v in values]


def _require_unchanged(before: list[Any], after: list[Any], what: str, hint: str) -> None:
    import numpy as np

    if any(not np.array_equal(b, np.asarray(a, dtype="float64")) for b, a in zip(before, after, strict=True)):
        raise Failed(f"{what} left as they were passed in", "your function changed them in place", hint)


_NO_MUTATION_HINT = (
    "compute new arrays (moving = momentum * moving + ...) instead of updating in place (*=, +=, [...] =)"
)


@exercise_check("5.1")
def check_batch_norm(batch_norm: Callable[..., Any]) -> str:
    """Compare a from-scratch batch norm with ``keras.layers.BatchNormalization``, training and inference.

    ``batch_norm(x, gamma, beta, moving_mean, moving_var, *, training, momentum, epsilon)`` must return
    ``(y, new_moving_mean, new_moving_var)``. The check tries three batches (float32 and float64, NumPy
    and TensorFlow, 2 to 32 examples, features from 1e-2 to 1e3), each in both modes, with Keras's
    default momentum and epsilon and with others, against a Keras layer holding the same weights;
    outputs and moving statistics must agree within 1e-4 (relative). The usual mistakes are named.

    Parameters
    ----------
    batch_norm : callable
        The learner's function.
    """
    import numpy as np

    if is_unfinished(batch_norm):
        raise NotDone
    passed: list[tuple[str, Any]] = []  # outputs that matched, by batch, to recognize a fixed array
    for description, case in _batch_norm_cases():
        x, weights = case["x"], case["weights"]
        for momentum, epsilon in BN_SETTINGS:
            for training in (True, False):
                settings = {"training": training, "momentum": momentum, "epsilon": epsilon}
                given = f"{description}, training={training}, momentum={momentum}, epsilon={epsilon:g}"
                inputs = [x, *weights]
                before = _snapshot(inputs)
                returned = call_student(batch_norm, x, *weights, given=given, **settings)
                if not isinstance(returned, (tuple, list)) or len(returned) != 3:
                    raise Failed(
                        "three values, (y, new_moving_mean, new_moving_var)",
                        a_type(returned) if not isinstance(returned, (tuple, list)) else f"{len(returned)} values",
                        "return the output and both moving statistics, also at inference (unchanged there)",
                    )
                _require_unchanged(before, inputs, "x, gamma, beta and the moving statistics", _NO_MUTATION_HINT)
                shape, features = np.shape(before[0]), (np.shape(before[0])[1],)
                found = (
                    output_array(returned[0], shape, "your output", given),
                    output_array(returned[1], features, "your new moving mean", given),
                    output_array(returned[2], features, "your new moving variance", given),
                )
                expected = _keras_batch_norm(x, *weights, **settings)
                for name, f, e in zip(
                    ("y", "the new moving mean", "the new moving variance"), found, expected, strict=True
                ):
                    where = first_mismatch(f, e, rtol=1e-4, atol=1e-5)
                    if where is None:
                        continue
                    same_as_before = any(
                        np.array_equal(found[0], earlier) for other, earlier in passed if other != description
                    )
                    raise Failed(
                        f"{name} = {format_array(e.ravel()[where:][:3], 6)}… as Keras computes it ({given})",
                        format_array(f.ravel()[where:][:3], 6),
                        "your output is the same for other inputs: compute it from x, not a fixed array"
                        if same_as_before and name == "y"
                        else _explain_batch_norm(found, x, weights, **settings),
                    )
                passed.append((description, found[0]))
    return (
        "your batch norm matches keras.layers.BatchNormalization in training and inference, moving statistics included."
    )


# Exercise 5.2 ---------------------------------------------------------------------------------------------------


def _gradient_cases() -> list[tuple[str, list[Any], float]]:
    """Gradient lists exercise 5.2 tries: (description, gradients, clip_norm)."""
    import numpy as np

    from utils._tensorflow import tf

    rng = np.random.default_rng(52)
    shapes = ((6, 4), (4,), (4, 3), (3,))
    big = [rng.standard_normal(s) * 3.0 for s in shapes]
    small = [rng.standard_normal(s) * 0.05 for s in shapes]
    lopsided = [rng.standard_normal((5, 5)) * 10.0, rng.standard_normal(5) * 0.01]
    return [
        ("four float32 NumPy gradients, global norm about 15, clip_norm=1", [g.astype("float32") for g in big], 1.0),
        ("four float64 tensors, global norm about 15, clip_norm=5", [tf.constant(g) for g in big], 5.0),
        (
            "two float32 tensors, one large and one tiny, clip_norm=2",
            [tf.constant(g, tf.float32) for g in lopsided],
            2.0,
        ),
        ("four float32 gradients with a global norm below clip_norm=1", [g.astype("float32") for g in small], 1.0),
        ("three all-zero float32 gradients, clip_norm=1", [np.zeros(s, "float32") for s in shapes[:3]], 1.0),
    ]


def _keras_global_clip(gradients: list[Any], clip_norm: float) -> list[Any]:
    """Return what one step of ``SGD(learning_rate=1, global_clipnorm=clip_norm)`` subtracts from its variables."""
    import numpy as np

    from utils._tensorflow import keras

    values = [np.asarray(g, dtype="float32") for g in gradients]
    variables = [keras.Variable(np.zeros_like(v)) for v in values]
    keras.optimizers.SGD(learning_rate=1.0, global_clipnorm=clip_norm).apply(values, variables)
    return [-np.asarray(v, dtype="float64") for v in variables]


def _clip_lookalikes(gradients: list[Any], clip_norm: float) -> list[tuple[list[Any], str]]:
    import numpy as np

    values = [np.asarray(g, dtype="float64") for g in gradients]
    norm = math.sqrt(sum(float(np.sum(v**2)) for v in values))
    squared = norm**2
    with np.errstate(all="ignore"):
        return [
            (
                [v * clip_norm / max(float(np.linalg.norm(v)), clip_norm) for v in values],
                "that clips each tensor by its own norm: that is clipnorm, which changes the update's direction "
                "across tensors; global_clipnorm scales all of them by one factor from their joint norm",
            ),
            (
                [np.clip(v, -clip_norm, clip_norm) for v in values],
                "that clips each value to [-clip_norm, clip_norm]: that is clipvalue, which changes the direction; "
                "scale every gradient by clip_norm / global_norm instead",
            ),
            (
                [v * clip_norm / norm for v in values],
                "you scale even when the global norm is below clip_norm, which then enlarges the gradients: "
                "scale by clip_norm / max(global_norm, clip_norm)",
            ),
            (
                [v * clip_norm / max(squared, clip_norm) for v in values],
                "the global norm is the square root of the sum of squares: sqrt(sum of g**2 over all tensors)",
            ),
            (
                [v * clip_norm / max(float(np.sum(np.abs(v))) for v in values) for v in values],
                "the global norm is the L2 norm of all gradients together: sqrt(sum of g**2 over all tensors)",
            ),
        ]


def _explain_clip(found: list[Any], gradients: list[Any], clip_norm: float) -> str:
    import numpy as np

    with np.errstate(all="ignore"):
        for values, hint in _clip_lookalikes(gradients, clip_norm):
            if all(np.allclose(f, v, rtol=1e-4, atol=1e-6) for f, v in zip(found, values, strict=True)):
                return hint
    return "multiply every gradient by clip_norm / max(global_norm, clip_norm), global_norm = sqrt(sum of all g**2)"


@exercise_check("5.2")
def check_clip_by_global_norm(clip_by_global_norm: Callable[..., Any]) -> str:
    """Compare ``clip_by_global_norm(grads, clip_norm)`` with one step of ``SGD(1, global_clipnorm=clip_norm)``.

    The check tries five gradient lists (NumPy and TensorFlow, float32 and float64, a global norm above
    and below ``clip_norm``, all zeros) and compares the returned list, tensor by tensor, within 1e-4
    (relative); per-tensor clipping (``clipnorm``), ``clipvalue``, scaling below the threshold and a norm
    without its square root are named. It also fails an answer that changes the gradients in place.

    Parameters
    ----------
    clip_by_global_norm : callable
        The learner's function, returning a list of arrays or tensors of the gradients' shapes.
    """
    if is_unfinished(clip_by_global_norm):
        raise NotDone
    for given, gradients, clip_norm in _gradient_cases():
        before = _snapshot(gradients)
        returned = call_student(clip_by_global_norm, gradients, clip_norm, given=given)
        _require_unchanged(
            before,
            gradients,
            "the gradients",
            "return new arrays (g * scale) instead of scaling in place (g *= scale)",
        )
        if not isinstance(returned, (list, tuple)) or len(returned) != len(gradients):
            found = f"{len(returned)} values" if isinstance(returned, (list, tuple)) else a_type(returned)
            pair = isinstance(returned, tuple) and len(returned) == 2 and isinstance(returned[0], (list, tuple))
            raise Failed(
                f"a list of {len(gradients)} clipped gradients, one per tensor ({given})",
                found,
                "tf.clip_by_global_norm returns (clipped list, global norm): return the list alone"
                if pair
                else "return [g * scale for g in grads]: the optimizer needs one gradient per variable",
            )
        found = [_clipped_array(g, b.shape, given) for g, b in zip(returned, before, strict=True)]
        expected = _keras_global_clip(before, clip_norm)
        for index, (f, e) in enumerate(zip(found, expected, strict=True)):
            where = first_mismatch(f, e, rtol=1e-4, atol=1e-6)
            if where is not None:
                raise Failed(
                    f"tensor {index} = {format_array(e.ravel()[where:][:3], 4)}… after clipping ({given})",
                    format_array(f.ravel()[where:][:3], 4),
                    _explain_clip(found, before, clip_norm),
                )
    return "your clipping matches SGD(global_clipnorm=...): one scale for all gradients, none below the threshold."


def _clipped_array(values: Any, shape: tuple[int, ...], given: str) -> Any:
    """Return the learner's clipped gradient as a float64 array; a NaN from all-zero gradients gets its own hint."""
    try:
        return output_array(values, shape, "your clipped gradients", given)
    except Failed as outcome:
        if "all-zero" in given and "finite numbers" in outcome.expected:
            raise Failed(
                outcome.expected,
                outcome.found,
                "with every gradient 0, the global norm is 0 and clip_norm / norm divides by zero; "
                "scale by clip_norm / max(norm, clip_norm), which is 1 there",
            ) from None
        raise


# Exercise 5.3 ---------------------------------------------------------------------------------------------------

#: Exercise 5.3: the depths at which the residual stack is measured (a scale written for one depth fails at another).
RESIDUAL_DEPTHS = (10, 100, 400)
#: Exercise 5.3: the band for the std of the last block's output over the input's, and the least the
#: branches must move the stream: ``||h_L - h_0|| / ||h_0||``.
STD_BAND = (0.5, 2.0)
MOVED_AT_LEAST = 0.5
_WIDTH, _BATCH = 64, 128


def _residual_kernels(depth: int, seed: int) -> list[Any]:
    """He-normal kernels (std sqrt(2 / 64)) for ``depth`` blocks, float32."""
    import numpy as np

    rng = np.random.default_rng(seed)
    return list((rng.standard_normal((depth, _WIDTH, _WIDTH)) * math.sqrt(2.0 / _WIDTH)).astype("float32"))


def _residual_input(seed: int) -> Any:
    import numpy as np

    return np.random.default_rng(seed + 1000).standard_normal((_BATCH, _WIDTH)).astype("float32")


def residual_stack(block: Callable[..., Any], scale: float, depth: int, *, seed: int = 0) -> tuple[Any, Any]:
    """Run ``depth`` blocks ``h = block(h, kernel, scale)`` with He-normal kernels on a fixed batch.

    Parameters
    ----------
    block : callable
        ``block(h, kernel, scale)``, such as ``h + scale * relu(h) @ kernel``.
    scale : float
        The branch's scale, the same for every block.
    depth : int
        Number of blocks.
    seed : int
        Seeds the kernels and the batch of 128 standard-normal inputs of 64 features.

    Returns
    -------
    tuple of numpy.ndarray
        The input and the last block's output, shape (128, 64), float64.

    Examples
    --------
    >>> import numpy as np
    >>> h0, h = residual_stack(lambda h, k, s: h + s * np.maximum(h, 0) @ k, 0.1, 100)
    >>> round(float(h.std() / h0.std()), 1)
    1.6
    """
    import numpy as np

    from utils import _validation

    seed = _validation.check_seed(seed)
    depth = _validation.check_int(depth, "depth", minimum=1)
    h0 = _residual_input(seed)
    h: Any = h0
    for kernel in _residual_kernels(depth, seed):
        h = block(h, kernel, scale)
    return h0.astype("float64"), np.asarray(h, dtype="float64")


def _block_lookalikes(h: Any, kernel: Any, scale: float) -> list[tuple[Any, str]]:
    import numpy as np

    h, kernel = np.asarray(h, "float64"), np.asarray(kernel, "float64")
    branch = np.maximum(h, 0.0) @ kernel
    return [
        (scale * branch, "there is no skip connection: a residual block adds the input back, h + scale * branch"),
        (h + branch, "the branch is not scaled: h + scale * branch"),
        (scale * (h + branch), "scale the branch only, not the skip path: h + scale * (relu(h) @ kernel)"),
        (
            h + scale * np.maximum(h @ kernel, 0.0),
            "the branch of this exercise is relu first, then the kernel (pre-activation): relu(h) @ kernel",
        ),
        (h + scale * h @ kernel, "the branch applies ReLU before the kernel: relu(h) @ kernel"),
        (h, "the block returns its input unchanged: add the scaled branch"),
    ]


@exercise_check("5.3")
def check_residual_block(residual_block: Callable[..., Any], branch_scale: Callable[[int], Any]) -> str:
    """Check a residual block ``h + scale * relu(h) @ kernel`` and a branch scale that keeps any depth in a band.

    One block is compared with the formula on a fixed batch (NumPy and TensorFlow, float32); then the
    block, with ``scale = branch_scale(depth)``, is stacked to 10, 100 and 400 blocks of He-normal
    kernels: the std of the last output over the input's must lie in :data:`STD_BAND`, and the branches
    must move the stream, ``||h_L - h_0|| / ||h_0|| >= 0.5``.

    Parameters
    ----------
    residual_block : callable
        ``residual_block(h, kernel, scale)`` for a batch ``h`` of shape (examples, units).
    branch_scale : callable
        ``branch_scale(num_blocks)`` -> the scale of every branch in a stack of that depth.
    """
    import numpy as np

    from utils._tensorflow import tf

    if is_unfinished(residual_block) or is_unfinished(branch_scale):
        raise NotDone
    h, kernel = _residual_input(7)[:16], _residual_kernels(1, 7)[0]
    for given, (h_in, k_in) in (
        ("one block, h and kernel float32 NumPy arrays, scale=0.3", (h, kernel)),
        ("one block, h and kernel float32 tensors, scale=0.3", (tf.constant(h), tf.constant(kernel))),
    ):
        out = output_array(call_student(residual_block, h_in, k_in, 0.3, given=given), h.shape, "your block", given)
        expected = h + 0.3 * np.maximum(h, 0.0) @ kernel
        where = first_mismatch(out, expected, rtol=1e-4, atol=1e-5)
        if where is not None:
            hint = next(
                (text for values, text in _block_lookalikes(h, kernel, 0.3) if np.allclose(out, values, 1e-4, 1e-5)),
                "a residual block returns h + scale * (relu(h) @ kernel)",
            )
            raise Failed(f"{format_number(expected.flat[where], 5)} ({given})", format_number(out.flat[where], 5), hint)
    scales = {}
    for depth in RESIDUAL_DEPTHS:
        given = f"branch_scale({depth})"
        value = call_student(branch_scale, depth, given=given)
        try:
            scale = float(np.asarray(value, dtype="float64"))
        except (TypeError, ValueError):
            raise Failed(f"one number from {given}", a_type(value), "return a float") from None
        if not math.isfinite(scale):
            raise Failed(f"a finite number from {given}", format_number(scale), "1 / sqrt(num_blocks) is finite")
        scales[depth] = scale
    for index, depth in enumerate(RESIDUAL_DEPTHS):
        scale = scales[depth]
        given = f"{depth} blocks with scale = branch_scale({depth}) = {format_number(scale, 4)}"
        h0, h_last = _stack_with_learner(residual_block, scale, depth, index, given)
        growth = float(h_last.std() / h0.std())
        moved = float(np.linalg.norm(h_last - h0) / np.linalg.norm(h0))
        same_scale = len(set(scales.values())) == 1
        if scale == 0.0 or moved < 1e-12:
            raise Failed(
                f"the branches to change the stream ({given})",
                "the output equal to the input",
                "with scale 0 every block is the identity: nothing reaches the branches' weights and nothing "
                "learns; scale the branch by a number that shrinks with depth, not by 0",
            )
        if not STD_BAND[0] <= growth <= STD_BAND[1]:
            hint = (
                "with scale 1, each block adds a branch as large as the stream and about doubles its "
                "variance: scale the branch down, by a number that shrinks with depth"
                if scale >= 1
                else "your scale is the same at every depth: compute it from num_blocks"
                if same_scale
                else "each block multiplies the variance by about 1 + scale**2; over L blocks that is "
                "(1 + scale**2) ** L, which stays bounded when scale**2 shrinks like 1 / L"
            )
            raise Failed(
                f"the std of the last output within {STD_BAND[0]:g} to {STD_BAND[1]:g} times the input's ({given})",
                f"{format_number(growth, 3)} times",
                hint,
            )
        if moved < MOVED_AT_LEAST:
            raise Failed(
                f"the branches to move the stream by at least {MOVED_AT_LEAST:g} of its size ({given})",
                f"||h_L - h_0|| / ||h_0|| = {format_number(moved, 3)}",
                "your scale is the same at every depth: compute it from num_blocks"
                if same_scale
                else "the scale is so small that the branches barely contribute; scale**2 ~ 1 / L keeps the "
                "variance bounded and still lets every branch count",
            )
    depths = ", ".join(str(depth) for depth in RESIDUAL_DEPTHS)
    return (
        f"your residual stack keeps its std within {STD_BAND[0]:g} to {STD_BAND[1]:g} times the input's "
        f"at {depths} blocks, and its branches count."
    )


def _stack_with_learner(block: Callable[..., Any], scale: float, depth: int, seed: int, given: str) -> tuple[Any, Any]:
    with learner_code(given):
        h0, h_last = residual_stack(block, scale, depth, seed=seed)
    require_finite(h_last, f"the last block's output ({given})", "the std grew past float32's range: scale the branch")
    return h0, h_last


# Exercise 5.4 ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeepRun:
    """A network of exercise 5.4 and the learning rate it is trained with (SGD).

    Attributes
    ----------
    model : keras.Model
        A freshly initialized network for the digits (64 inputs, 10 classes, softmax output).
    learning_rate : float
        The SGD learning rate of its training run.
    """

    model: Any
    learning_rate: float


def _residual_network(num_blocks: int, seed: int, name: str) -> Any:
    from utils._tensorflow import keras

    inputs = keras.Input((64,))
    h = keras.layers.Dense(64, kernel_initializer=keras.initializers.GlorotUniform(seed=seed), name="stem")(inputs)
    for index in range(1, num_blocks + 1):
        branch = keras.layers.ReLU(name=f"relu_{index}")(h)
        branch = keras.layers.Dense(
            64, kernel_initializer=keras.initializers.HeNormal(seed=seed + index), name=f"branch_{index}"
        )(branch)
        h = keras.layers.Add(name=f"add_{index}")([h, branch])
    outputs = keras.layers.Dense(
        10, activation="softmax", kernel_initializer=keras.initializers.GlorotUniform(seed=seed - 1), name="output"
    )(h)
    return keras.Model(inputs, outputs, name=name)


def build_deep_runs() -> dict[str, DeepRun]:
    """Three deep networks for exercise 5.4, each with its learning rate; each needs one remedy.

    Their make-up is deliberately not documented: diagnose them by measuring.

    Returns
    -------
    dict of str to DeepRun
        ``{"network_a": ..., "network_b": ..., "network_c": ...}``, freshly initialized, seeded.
    """
    from utils._tensorflow import keras
    from utils.models import build_mlp

    # Kept out of the lab's text: a deep sigmoid MLP (vanishing), a healthy ReLU MLP at a learning rate
    # that blows up its first step, and a residual MLP whose unscaled branches grow the signal.
    return {
        "network_a": DeepRun(build_mlp(20, 64, "sigmoid", keras.initializers.GlorotUniform(seed=21), name="a"), 0.01),
        "network_b": DeepRun(build_mlp(6, 64, "relu", keras.initializers.HeNormal(seed=22), name="b"), 3.0),
        "network_c": DeepRun(_residual_network(30, 31, "c"), 0.001),
    }


#: Exercise 5.4: the remedies, each with the names an answer may use for it.
REMEDIES = {
    "batch norm": ("batch norm", "batchnorm", "batch normalization", "batchnormalization", "bn"),
    "relu and he": ("relu and he", "relu + he", "relu with he", "he and relu", "relu", "he"),
    "gradient clipping": (
        "gradient clipping",
        "clipping",
        "clip",
        "global_clipnorm",
        "clipnorm",
        "global clipnorm",
        "lower learning rate",
        "lower the learning rate",
        "smaller learning rate",
    ),
    "branch scaling": (
        "branch scaling",
        "scale the branch",
        "scaled branch",
        "scaled residual",
        "residual scaling",
        "1/sqrt(l)",
        "1 / sqrt(l)",
        "rezero",
        "skipinit",
        "fixup",
        "zero init",
    ),
    # A normalization layer at the start of each residual branch, as the lab's text names it.
    "pre-norm": (
        "pre norm",
        "prenorm",
        "pre ln",
        "pre layer norm",
        "pre layernorm",
        "pre layer normalization",
        "pre normalization",
    ),
}
_EXPECTED_REMEDIES = {
    "network_a": {"batch norm", "relu and he"},
    "network_b": {"gradient clipping"},
    "network_c": {"branch scaling", "pre-norm"},
}


def _canonical_remedy(answer: Any) -> str | None:
    text = normalize_choice(answer)
    if not isinstance(text, str):
        return None
    text = " ".join(text.replace("-", " ").replace("_", " ").split()) if "clipnorm" not in text else text
    return next((name for name, synonyms in REMEDIES.items() if text in synonyms or text == name), None)


@exercise_check("5.4")
def check_remedies(remedies: dict[str, str]) -> str:
    """Check the remedy the learner names for each network of :func:`build_deep_runs`.

    Names are read case-insensitively, with synonyms (:data:`REMEDIES`). A wrong answer gets no
    verdict per network: the feedback points at the measurements, so that trying remedies one by
    one teaches nothing and is not rewarded.

    Parameters
    ----------
    remedies : dict
        ``{"network_a": "batch norm", ...}``, one remedy per network.
    """
    if is_unfinished(remedies):
        raise NotDone
    names = sorted(_EXPECTED_REMEDIES)
    if not isinstance(remedies, dict):
        raise Failed(f"a dict with the keys {names}", a_type(remedies), "give one remedy per network")
    answers = {normalize_choice(key): value for key, value in remedies.items()}
    if set(answers) != set(names) or len(answers) != len(remedies):
        shown = shorten(sorted(map(str, remedies)), 80)
        raise Failed(f"a dict with the keys {names}", f"the keys {shown}", "give one remedy per network")
    canonical = {name: _canonical_remedy(answers[name]) for name in names}
    unknown = [name for name in names if canonical[name] is None]
    if unknown:
        shown = ", ".join(f"{name}: {shorten(repr(answers[name]), 40)}" for name in unknown)
        raise Failed(f"each remedy to be one of {list(REMEDIES)}", shown, "use one of the names above")
    if len(set(canonical.values())) == 1:
        raise Failed(
            "a remedy for each network's own symptom",
            f"{canonical[names[0]]} for all three",
            "the three measurements differ from network to network: read each row of your table",
        )
    if any(canonical[name] not in _EXPECTED_REMEDIES[name] for name in names):
        raise Failed(
            "a remedy that fits each network's measurements",
            "at least one that does not",
            "read each row in the order the signal flows: forward (the std's growth), backward (the gradient "
            "ratio), then the update; the first out of its range names the cause, and the rest may be its "
            "consequences",
        )
    return "each remedy fits its network's first symptom."


register_answers("5.1", "batch_norm")
register_answers("5.2", "clip_by_global_norm")
register_answers("5.3", "residual_block", "branch_scale")
register_answers("5.4", "remedies")
