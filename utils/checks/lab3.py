"""Checks for lab 3, activations from scratch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from utils.checks._framework import (
    Failed,
    NotDone,
    as_float_array,
    call_student,
    exercise_check,
    format_array,
    is_unfinished,
    shorten,
)

__all__ = [
    "DEAD_NETWORK",
    "build_dead_network",
    "check_activation",
    "check_dead_unit_count",
    "check_revived_network",
    "check_rrelu_layer",
    "check_self_normalizing",
    "is_revived",
]

_ACTIVATION_HINTS = {
    "leaky_relu": (
        "leaky_relu(z) = z for z > 0 and negative_slope * z otherwise, with negative_slope = 0.2, "
        "the default of keras.activations.leaky_relu (the LeakyReLU layer's default is 0.3)"
    ),
    "elu": "elu(z) = z for z > 0 and alpha * (exp(z) - 1) otherwise",
    "selu": "selu(z) = scale * elu(z, alpha), with alpha ≈ 1.6733 and scale ≈ 1.0507 (keep all digits)",
}


def _reference_activation(name: str) -> Callable[[Any], Any]:
    from utils._tensorflow import keras

    return {
        "leaky_relu": lambda z: keras.activations.leaky_relu(z, negative_slope=0.2),
        "elu": lambda z: keras.activations.elu(z, alpha=1.0),
        "selu": keras.activations.selu,
    }[name]


@exercise_check("3.1")
def check_activation(function: Callable[[Any], Any], name: str) -> str:
    """Compare a from-scratch activation with Keras, in values and gradients, within 1e-6.

    Parameters
    ----------
    function : callable
        The learner's activation of one tensor, with Keras' default parameters
        (``negative_slope=0.2`` for Leaky ReLU, ``alpha=1`` for ELU).
    name : {"leaky_relu", "elu", "selu"}
        Which activation it implements.
    """
    import numpy as np

    from utils._tensorflow import tf

    if name not in _ACTIVATION_HINTS:
        raise Failed(f"name to be one of {sorted(_ACTIVATION_HINTS)}", repr(name))
    z = tf.constant(np.concatenate([np.linspace(-6, -1e-3, 500), np.linspace(1e-3, 6, 500)]), tf.float32)
    reference = _reference_activation(name)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(z)
        expected = reference(z)
        found = call_student(function, z, given="z = a float32 tensor in [-6, 6]")
    try:
        found_values = np.asarray(found, dtype="float64")
    except (TypeError, ValueError):
        raise Failed("a tensor of the same shape as z", type(found).__name__) from None
    if found_values.shape != tuple(z.shape):
        raise Failed(f"an output of shape {tuple(z.shape)}", f"shape {found_values.shape}")
    expected_values = np.asarray(expected, dtype="float64")
    zs = np.asarray(z)
    bad = ~np.isclose(found_values, expected_values, rtol=1e-6, atol=1e-6)
    if bad.any():
        where = int(np.argmax(bad))
        raise Failed(
            f"{name}({zs[where]:.3f}) = {expected_values[where]:.6f}",
            f"{found_values[where]:.6f}",
            _ACTIVATION_HINTS[name],
        )
    gradient = tape.gradient(found, z)
    if gradient is None:
        raise Failed(
            "a gradient that flows back to z",
            "no gradient",
            "use keras.ops or tf operations only: NumPy calls break the gradient tape",
        )
    expected_gradient = np.asarray(tape.gradient(expected, z), dtype="float64")
    bad = ~np.isclose(np.asarray(gradient, dtype="float64"), expected_gradient, rtol=1e-6, atol=1e-6)
    if bad.any():
        where = int(np.argmax(bad))
        raise Failed(
            f"derivative {expected_gradient[where]:.6f} at z = {zs[where]:.3f}",
            f"{float(np.asarray(gradient)[where]):.6f}",
            _ACTIVATION_HINTS[name],
        )
    return f"your {name} matches Keras within 1e-6, in values and in gradients."


@exercise_check("3.2")
def check_rrelu_layer(layer_class: Any) -> str:
    """Check an RReLU layer's training and inference behaviour.

    Parameters
    ----------
    layer_class : type
        The learner's layer, created as ``layer_class(lower=0.1, upper=0.3, seed=0)``.
        In training, each negative element is multiplied by its own slope drawn
        from U(lower, upper); in inference, by ``(lower + upper) / 2``; positive
        elements pass through unchanged.
    """
    import numpy as np

    from utils._tensorflow import keras

    if is_unfinished(layer_class):
        raise NotDone
    if not (isinstance(layer_class, type) and issubclass(layer_class, keras.layers.Layer)):
        raise Failed("a subclass of keras.layers.Layer (the class itself)", repr(layer_class))
    layer = call_student(layer_class, lower=0.1, upper=0.3, seed=0, given="lower=0.1, upper=0.3, seed=0")
    negative = -np.ones((100, 50), dtype="float32")
    positive = np.linspace(0.5, 3, 5000, dtype="float32").reshape(100, 50)
    train = np.asarray(call_student(layer, negative, training=True, given="x = -1, training=True"), dtype="float64")
    infer = np.asarray(call_student(layer, negative, training=False, given="x = -1, training=False"), dtype="float64")
    if train.shape != negative.shape or infer.shape != negative.shape:
        raise Failed("outputs of the input's shape", f"{train.shape} and {infer.shape}")
    if not np.allclose(infer, -0.2, atol=1e-6):
        raise Failed(
            "inference outputs -(lower + upper) / 2 = -0.2 for x = -1",
            f"{format_array(np.unique(infer.round(6)))}",
            "with training=False, multiply negative inputs by the mean slope",
        )
    if train.min() < -0.3 - 1e-6 or train.max() > -0.1 + 1e-6:
        raise Failed(
            "training outputs in [-0.3, -0.1] for x = -1",
            f"values from {train.min():.3f} to {train.max():.3f}",
            "draw each slope from U(lower, upper), for example with keras.random.uniform",
        )
    if train.std() < 0.03:
        raise Failed(
            "a different random slope for each element in training",
            f"a spread of only {train.std():.3f}",
            "draw one slope per element: keras.random.uniform(ops.shape(inputs), lower, upper, ...)",
        )
    if abs(train.mean() + 0.2) > 0.01:
        raise Failed(
            "training outputs averaging -0.2 for x = -1",
            f"{train.mean():.3f}",
            "the slopes must be uniform between lower and upper",
        )
    for mode in (True, False):
        out = np.asarray(call_student(layer, positive, training=mode, given=f"x > 0, training={mode}"))
        if not np.allclose(out, positive, atol=1e-6):
            raise Failed(
                f"positive inputs unchanged (training={mode})",
                "changed values",
                "only negative inputs get a slope: use keras.ops.where(inputs >= 0, inputs, slope * inputs)",
            )
    return "random slopes in training, the mean slope in inference, positive inputs untouched."


#: Exercise 3.3: the network whose units die, and how it dies. A learning rate of 2 kills a third to a
#: half of the units in one epoch (35 to 72 of 128 over 25 shuffling seeds, on the reference machine);
#: clipping each step's gradient to a norm of 5 keeps the weights finite (at a learning rate of 1
#: without clipping, 1 seed in 25 diverged to NaN).
DEAD_NETWORK = {"num_layers": 4, "units": 32, "learning_rate": 2.0, "global_clipnorm": 5.0, "seed": 0}


def build_dead_network() -> Any:
    """Build a 4-layer ReLU MLP trained for one epoch with SGD at learning rate 2, which kills units.

    Each step's gradient is clipped to a global norm of 5, so that the weights stay finite.

    Returns
    -------
    keras.Sequential
        The trained network (deterministic for a given machine and library versions).
    """
    from utils import setup
    from utils._tensorflow import keras
    from utils.data import load_digits
    from utils.models import build_mlp

    digits = load_digits()
    setup.set_seed(DEAD_NETWORK["seed"])
    model = build_mlp(
        DEAD_NETWORK["num_layers"],
        DEAD_NETWORK["units"],
        "relu",
        keras.initializers.HeNormal(seed=DEAD_NETWORK["seed"]),
    )
    optimizer = keras.optimizers.SGD(DEAD_NETWORK["learning_rate"], global_clipnorm=DEAD_NETWORK["global_clipnorm"])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    model.fit(digits.x_train, digits.y_train, epochs=1, batch_size=32, verbose=0)
    return model


@exercise_check("3.3a")
def check_dead_unit_count(count_dead_units: Callable[..., Any], model: Any) -> str:
    """Compare the learner's per-layer dead-unit counts with :func:`utils.diagnostics.dead_unit_fraction`.

    Parameters
    ----------
    count_dead_units : callable
        ``count_dead_units(model, x)`` -> number of dead units per hidden layer.
    model : keras.Model
        The network to examine (from :func:`build_dead_network`).
    """
    import numpy as np

    from utils import diagnostics
    from utils.data import load_digits

    x = load_digits().x_val
    units = np.array([layer.units for layer in diagnostics.hidden_layers(model)])
    expected = np.rint(diagnostics.dead_unit_fraction(model, x) * units).astype(int)
    found = as_float_array(call_student(count_dead_units, model, x, given="the dead network and x_val"), "the counts")
    if found.shape != expected.shape or not np.array_equal(found, expected):
        total_zero = np.rint(diagnostics.activation_stats(model, x).zero_fraction * units * len(x)).astype(int)
        hint = (
            "a unit is dead only if it outputs 0 for *every* example: "
            "np.all(outputs == 0, axis=0), then count per layer"
        )
        if found.shape == expected.shape and np.array_equal(found, total_zero):
            hint = "you counted zero outputs, not dead units; " + hint
        raise Failed(f"{expected.tolist()} dead units per layer", f"{found.astype(int).tolist()}", hint)
    return f"{int(expected.sum())} dead units in all, {expected.tolist()} per layer."


@exercise_check("3.3b")
def check_revived_network(revived: Any, dead: Any) -> str:
    """Check that ``revived`` is the dead network's weights under Leaky ReLU, and that every unit gets gradient.

    Parameters
    ----------
    revived : keras.Model
        The learner's model.
    dead : keras.Model
        The dead network it was made from.
    """
    import numpy as np

    from utils import diagnostics
    from utils._tensorflow import keras, tf
    from utils.data import load_digits

    if is_unfinished(revived):
        raise NotDone
    if not isinstance(revived, keras.Model):
        raise Failed("a keras.Model", type(revived).__name__)
    try:
        revived_dense = diagnostics.hidden_layers(revived)
    except ValueError as error:
        raise Failed("a network with hidden Dense layers", shorten(error)) from None
    dead_dense = diagnostics.hidden_layers(dead)
    if len(revived_dense) != len(dead_dense):
        raise Failed(f"{len(dead_dense)} hidden Dense layers, like the dead network", f"{len(revived_dense)}")
    for old, new in zip(dead_dense, revived_dense, strict=True):
        if old.kernel.shape != new.kernel.shape or not np.allclose(old.kernel.numpy(), new.kernel.numpy()):
            raise Failed(
                f"the dead network's weights in {new.name}",
                "other weights",
                "copy them: new_layer.set_weights(old_layer.get_weights())",
            )
    if not any(isinstance(layer, keras.layers.LeakyReLU) for layer in revived.layers):
        raise Failed(
            "LeakyReLU activation layers",
            "none",
            "build it with activation=lambda: keras.layers.LeakyReLU(negative_slope=0.1)",
        )
    digits = load_digits()
    kernels = [layer.kernel for layer in revived_dense]
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(digits.y_val, revived(digits.x_val)))
    silent = [int(np.sum(np.all(np.asarray(g) == 0, axis=0))) for g in tape.gradient(loss, kernels)]
    if any(silent):
        raise Failed(
            "every unit to receive a gradient",
            f"{silent} units per layer with none",
            "every hidden layer needs a LeakyReLU after it",
        )
    return "same weights, and every unit receives a gradient again: none is dead, the silent ones are only in a coma."


def is_revived(revived: Any, dead: Any) -> bool:
    """Whether ``revived`` passes :func:`check_revived_network`, without printing anything.

    The lab's course cell after exercise 3.3 compares the two networks only then, so
    that an unfinished or wrong answer never raises there.

    Parameters
    ----------
    revived, dead
        As for :func:`check_revived_network`.

    Returns
    -------
    bool
    """
    try:
        check_revived_network.__wrapped__(revived, dead)
    except Exception:  # NotDone, Failed, or the learner's object failing: not revived
        return False
    return True


#: Exercise 3.4: the depth and the band of a self-normalizing network.
SELU_DEPTH, SELU_STD_BAND = 50, (0.8, 1.2)


@exercise_check("3.4")
def check_self_normalizing(model: Any) -> str:
    """Check a deep network whose every hidden layer keeps its output std within ``SELU_STD_BAND``.

    Parameters
    ----------
    model : keras.Model
        The learner's network, with at least ``SELU_DEPTH`` hidden Dense layers and
        64 inputs; it is probed with the standardized digits validation set.
    """
    import numpy as np

    from utils import diagnostics
    from utils._tensorflow import keras
    from utils.data import load_digits

    if is_unfinished(model):
        raise NotDone
    if not isinstance(model, keras.Model):
        raise Failed("a keras.Model", type(model).__name__)
    try:
        stats = diagnostics.activation_stats(model, load_digits().x_val)
    except ValueError as error:
        raise Failed("a built network with 64 inputs and hidden Dense layers", shorten(error)) from None
    if len(stats.std) < SELU_DEPTH:
        raise Failed(f"at least {SELU_DEPTH} hidden layers", f"{len(stats.std)}")
    low, high = SELU_STD_BAND
    outside = np.flatnonzero((stats.std < low) | (stats.std > high))
    if outside.size:
        first = int(outside[0])
        raise Failed(
            f"every layer's std within [{low}, {high}]",
            f"{stats.std[first]:.3g} at layer {first + 1} (range {stats.std.min():.3g} to {stats.std.max():.3g})",
            "self-normalization needs SELU, LeCun normal initialization and standardized inputs",
        )
    return f"all {len(stats.std)} layers keep their std between {stats.std.min():.2f} and {stats.std.max():.2f}."
