"""Checks for lab 3, activations from scratch."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from utils.checks._framework import (
    Failed,
    NotDone,
    StudentError,
    as_float_array,
    call_student,
    digits_batch,
    exercise_check,
    first_mismatch,
    format_array,
    format_number,
    is_unfinished,
    learner_code,
    magnitude_probes,
    output_array,
    quiet_retracing,
    register_answers,
    require_finite,
    require_same_after_reload,
    shorten,
)

__all__ = [
    "ACTIVATION_MAGNITUDES",
    "DEAD_NETWORK",
    "RRELU_BOUNDS",
    "SELU_DEPTH",
    "SELU_STD_BAND",
    "build_dead_network",
    "check_activation",
    "check_dead_unit_count",
    "check_revived_network",
    "check_rrelu_layer",
    "check_self_normalizing",
    "is_revived",
    "require_revived",
]

_ACTIVATION_HINTS = {
    "leaky_relu": (
        "leaky_relu(z) = z for z > 0 and negative_slope * z otherwise, with negative_slope = 0.2, "
        "the default of keras.activations.leaky_relu (the LeakyReLU layer's default is 0.3)"
    ),
    "elu": "elu(z) = z for z > 0 and alpha * (exp(z) - 1) otherwise",
    "selu": "selu(z) = scale * elu(z, alpha), with alpha ≈ 1.6733 and scale ≈ 1.0507 (keep all digits)",
}

#: Exercise 3.1: inputs of every sign and magnitude, up to where exp overflows in float32 (z > 88)
#: and far beyond, so that a formula that overflows (inf * 0 = NaN) or ignores the magnitude fails.
ACTIVATION_MAGNITUDES = (-1e4, -1e3, -88.0, -20.0, -1.0, -1e-3, 0.0, 1e-3, 1.0, 20.0, 88.0, 1e4)

#: Exercise 3.1: a second value of the function's parameter, so that a hard-coded default fails.
_SECOND_PARAMETER = {"leaky_relu": ("negative_slope", 0.1), "elu": ("alpha", 0.5)}


def _reference_activation(name: str, parameter: float | None = None) -> Callable[[Any], Any]:
    from utils._tensorflow import keras

    if name == "leaky_relu":
        slope = 0.2 if parameter is None else parameter
        return lambda z: keras.activations.leaky_relu(z, negative_slope=slope)
    if name == "elu":
        alpha = 1.0 if parameter is None else parameter
        return lambda z: keras.activations.elu(z, alpha=alpha)
    return keras.activations.selu


def _activation_probes() -> list[tuple[str, Any]]:
    """Return the inputs exercise 3.1 tries: (description, array or tensor)."""
    import numpy as np

    from utils._tensorflow import tf

    grid = np.concatenate([np.linspace(-6, -1e-3, 500), np.linspace(1e-3, 6, 500)])
    return [
        ("z = a float32 tensor in [-6, 6]", tf.constant(grid, tf.float32)),
        ("z = a float64 tensor in [-6, 6]", tf.constant(grid, tf.float64)),
        *magnitude_probes(ACTIVATION_MAGNITUDES),
    ]


def _accepts_second_argument(function: Any) -> bool:
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)]
    return len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in positional)


@exercise_check("3.1")
def check_activation(function: Callable[..., Any], name: str) -> str:
    """Compare a from-scratch activation with Keras, in values and gradients, within 1e-6.

    The function is tried on float32 and float64 tensors and NumPy arrays of several shapes,
    with inputs from -1e4 to 1e4; its gradient on [-6, 6]; for Leaky ReLU and ELU, also with a
    second value of its parameter; and inside one training step of ``build_mlp``, the way the
    course uses an activation.

    Parameters
    ----------
    function : callable
        The learner's activation of one tensor, with Keras' default parameters
        (``negative_slope=0.2`` for Leaky ReLU, ``alpha=1`` for ELU) as the defaults
        of its optional second argument.
    name : {"leaky_relu", "elu", "selu"}
        Which activation it implements.
    """
    import numpy as np

    from utils._tensorflow import keras, tf
    from utils.models import build_mlp

    if name not in _ACTIVATION_HINTS:
        raise Failed(f"name to be one of {sorted(_ACTIVATION_HINTS)}", repr(name))
    if is_unfinished(function):
        raise NotDone
    what = f"your {name}'s outputs"
    probes = _activation_probes()
    reference = _reference_activation(name)
    for given, z in probes:
        found = call_student(function, z, given=given)
        zs = np.asarray(z, dtype="float64")
        found_values = output_array(found, zs.shape, what, given)
        expected = np.asarray(reference(tf.constant(zs, tf.float64)), dtype="float64")
        where = first_mismatch(found_values, expected)
        if where is not None:
            raise Failed(
                f"{name}({format_number(zs.flat[where], 6)}) = {format_number(expected.flat[where], 7)}",
                format_number(found_values.flat[where], 7),
                _ACTIVATION_HINTS[name],
            )

    if name in _SECOND_PARAMETER and _accepts_second_argument(function):
        parameter, value = _SECOND_PARAMETER[name]
        given, z = probes[2][0] + f", {parameter}={value}", probes[2][1]
        found_values = output_array(call_student(function, z, value, given=given), z.shape, what, given)
        expected = np.asarray(_reference_activation(name, value)(tf.constant(z, tf.float64)), dtype="float64")
        where = first_mismatch(found_values, expected)
        if where is not None:
            raise Failed(
                f"{name}({format_number(z.flat[where], 6)}, {parameter}={value}) = "
                f"{format_number(expected.flat[where], 7)}",
                format_number(found_values.flat[where], 7),
                f"use the argument {parameter} in the formula, not a fixed number",
            )

    x, y = digits_batch(32)
    given = f"one training step of models.build_mlp(2, 8, activation=your {name})"
    with learner_code(given), quiet_retracing():
        model = build_mlp(2, 8, function)
        model.compile(optimizer=keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy")
        loss = model.train_on_batch(x, y)
    require_finite(loss, f"the loss after {given}")
    given, z = probes[0]
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(z)
        expected = reference(z)
        found = call_student(function, z, given=given)
    gradient = tape.gradient(found, z) if tf.is_tensor(found) else None
    if gradient is None:
        raise Failed(
            "a gradient that flows back to z",
            "no gradient",
            "use keras.ops or tf operations only: NumPy calls break the gradient tape",
        )
    gradient = require_finite(np.asarray(gradient, dtype="float64"), f"the derivative of your {name} on {given}")
    expected_gradient = np.asarray(tape.gradient(expected, z), dtype="float64")
    where = first_mismatch(gradient, expected_gradient)
    if where is not None:
        raise Failed(
            f"derivative {format_number(expected_gradient[where], 7)} at z = {format_number(np.asarray(z)[where], 4)}",
            format_number(gradient[where], 7),
            _ACTIVATION_HINTS[name],
        )

    return f"your {name} matches Keras within 1e-6, in values and in gradients, and trains inside a model."


#: Exercise 3.2: the layer is created as ``layer_class(lower=0.1, upper=0.3, seed=0)``.
RRELU_BOUNDS = (0.1, 0.3)


def _rrelu_inputs() -> tuple[Any, Any]:
    """Negative inputs of magnitudes 1e-3 to 1e3, shape (200, 50); and mixed signs with zeros, shape (4, 25, 10)."""
    import numpy as np

    rng = np.random.default_rng(0)
    negative = -rng.permutation(np.geomspace(1e-3, 1e3, 10_000)).reshape(200, 50).astype("float32")
    mixed = rng.permutation(np.concatenate([np.geomspace(1e-3, 1e3, 500), -np.geomspace(1e-3, 1e3, 490), np.zeros(10)]))
    return negative, mixed.reshape(4, 25, 10).astype("float32")


def _layer_output(layer: Any, x: Any, mode: bool | None, given: str) -> Any:
    kwargs = {} if mode is None else {"training": mode}
    found = call_student(layer, x, given=given, **kwargs)
    return output_array(found, x.shape, "your layer's outputs", given)


@exercise_check("3.2")
def check_rrelu_layer(layer_class: Any) -> str:
    """Check an RReLU layer's training and inference behaviour, alone and inside a model.

    Parameters
    ----------
    layer_class : type
        The learner's layer, created as ``layer_class(lower=0.1, upper=0.3, seed=0)``.
        In training, each negative element is multiplied by its own slope drawn
        from U(lower, upper), new on every call; in inference (``training=False`` or
        not given), by ``(lower + upper) / 2``; positive elements and zeros pass through
        unchanged. Tried on inputs of magnitudes 1e-3 to 1e3, then inside
        ``build_mlp`` for one training step, and through a ``.keras`` save and load.
    """
    import numpy as np

    from utils._tensorflow import keras

    if is_unfinished(layer_class):
        raise NotDone
    if not (isinstance(layer_class, type) and issubclass(layer_class, keras.layers.Layer)):
        raise Failed("a subclass of keras.layers.Layer (the class itself)", shorten(repr(layer_class), 60))
    lower, upper = RRELU_BOUNDS
    mean_slope = (lower + upper) / 2
    arguments = f"lower={lower}, upper={upper}, seed=0"
    layer = call_student(layer_class, lower=lower, upper=upper, seed=0, given=arguments)
    if not isinstance(layer, keras.layers.Layer):
        raise Failed("a keras.layers.Layer instance from your class", type(layer).__name__)
    negative, mixed = _rrelu_inputs()

    for mode, label in ((False, "training=False"), (None, "training not given")):
        for x, shape in ((negative, "x < 0"), (mixed, "x of both signs")):
            given = f"{shape} from -1e3 to 1e3, {label}"
            out = _layer_output(layer, x, mode, given)
            expected = np.where(x >= 0, x, mean_slope * x)
            where = first_mismatch(out, expected, rtol=1e-5)
            if where is not None:
                hint = (
                    "only negative inputs get a slope: ops.where(inputs >= 0, inputs, slope * inputs)"
                    if x.flat[where] >= 0
                    else "in inference, multiply negative inputs by the mean slope (lower + upper) / 2, "
                    "whatever their size"
                )
                raise Failed(
                    f"{format_number(expected.flat[where], 6)} for x = {format_number(x.flat[where], 6)} ({label})",
                    format_number(out.flat[where], 6),
                    hint,
                )

    given = f"x < 0 from -1e3 to 1e3, training=True ({arguments})"
    first = _layer_output(layer, negative, True, given)
    second = _layer_output(layer, negative, True, given + ", a second call")
    slopes = first / negative
    if slopes.min() < lower - 1e-5 or slopes.max() > upper + 1e-5:
        raise Failed(
            f"training slopes (output / x) within [{lower}, {upper}]",
            f"slopes from {format_number(slopes.min())} to {format_number(slopes.max())}",
            "draw each slope from U(lower, upper), for example with keras.random.uniform(ops.shape(inputs), "
            "self.lower, self.upper, seed=self.seed_generator), and multiply the negative inputs by it",
        )
    spread = min(slopes.std(axis=0).min(), slopes.std(axis=1).min())
    if spread < 0.02:
        raise Failed(
            "a different random slope for each element in training",
            f"a spread (std) of only {format_number(spread)} along a row or a column",
            "draw one slope per element: keras.random.uniform(ops.shape(inputs), self.lower, self.upper, ...)",
        )
    # Uniform slopes on [0.1, 0.3]: mean 0.2 and std 0.0577; over 10,000 draws both vary by about 0.0006.
    uniform_std = (upper - lower) / np.sqrt(12)
    if abs(slopes.mean() - mean_slope) > 0.01 or abs(slopes.std() - uniform_std) > 0.01:
        raise Failed(
            f"training slopes spread uniformly over [{lower}, {upper}] (mean {format_number(mean_slope)}, "
            f"std {format_number(uniform_std)})",
            f"mean {format_number(slopes.mean())}, std {format_number(slopes.std())}",
            "the slopes must be uniform between lower and upper: "
            "keras.random.uniform(shape, self.lower, self.upper, ...)",
        )
    if np.allclose(first, second):
        raise Failed(
            "new slopes on every training call",
            "the same slopes on two calls",
            "pass seed=self.seed_generator: a SeedGenerator moves on after each draw, a fixed integer seed repeats it",
        )
    given = f"x < 0, training=True, on two new layers made with {arguments}"
    twins = [call_student(layer_class, lower=lower, upper=upper, seed=0, given=arguments) for _ in range(2)]
    draws = [_layer_output(twin, negative, True, given) for twin in twins]
    if not np.allclose(draws[0], draws[1]):
        raise Failed(
            "the same slopes from two layers made with seed=0",
            "different slopes",
            "draw with seed=self.seed_generator, so that the layer's seed decides its slopes",
        )
    for x, shape in ((mixed, "x of both signs"), (-negative, "x > 0")):
        given = f"{shape} from -1e3 to 1e3, training=True"
        out = _layer_output(layer, x, True, given)
        keep = x >= 0
        where = first_mismatch(out[keep], x[keep], rtol=1e-6)
        if where is not None:
            raise Failed(
                f"x = {format_number(x[keep][where], 6)} unchanged (training=True)",
                format_number(out[keep][where], 6),
                "only negative inputs get a slope: ops.where(inputs >= 0, inputs, slope * inputs)",
            )

    _check_rrelu_in_a_model(layer_class, lower, upper)
    return (
        "random slopes in training, new at each call; the mean slope in inference; positive inputs untouched; "
        "and it trains, saves and loads inside a model."
    )


def _check_rrelu_in_a_model(layer_class: type, lower: float, upper: float) -> None:
    """One training step of ``build_mlp`` with the layer, then a ``.keras`` save and load."""
    import numpy as np

    from utils._tensorflow import keras
    from utils.models import build_mlp

    x, y = digits_batch(32)
    given = "one training step of models.build_mlp(2, 16, activation=lambda: YourLayer(lower=0.1, upper=0.3))"
    with learner_code(given), quiet_retracing():
        model = build_mlp(2, 16, lambda: layer_class(lower=lower, upper=upper, seed=0))
        model.compile(optimizer=keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy")
        loss = model.train_on_batch(x, y)
        predictions = np.asarray(model(x, training=False))
    require_finite(loss, f"the loss after {given}")
    require_finite(predictions, "the model's predictions after that step")
    require_same_after_reload(
        model,
        layer_class,
        x,
        predictions,
        expected="the loaded model to predict like the saved one",
        hint="a layer with constructor arguments needs get_config() to return them all "
        "(lower, upper and seed, on top of super().get_config()), so that load_model rebuilds it the same",
    )


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


#: Exercise 3.3a's second network: the hidden units killed in each of its three layers.
_KILLED_UNITS = ((0, 3), (5,), (1, 2, 7))


def _network_with_dead_units() -> Any:
    """Build a 3-layer, 8-unit ReLU network whose units in ``_KILLED_UNITS`` output 0 for every input."""
    from utils._tensorflow import keras
    from utils.diagnostics import hidden_layers
    from utils.models import build_mlp

    model = build_mlp(3, 8, "relu", keras.initializers.GlorotUniform(seed=1))
    for layer, killed in zip(hidden_layers(model), _KILLED_UNITS, strict=True):
        kernel, bias = layer.get_weights()
        kernel[:, list(killed)] = 0.0
        bias[list(killed)] = -1.0
        layer.set_weights([kernel, bias])
    return model


def _dead_counts(model: Any, x: Any) -> Any:
    import numpy as np

    from utils import diagnostics

    units = np.array([layer.units for layer in diagnostics.hidden_layers(model)])
    return np.rint(diagnostics.dead_unit_fraction(model, x) * units), units


@exercise_check("3.3a")
def check_dead_unit_count(count_dead_units: Callable[..., Any], model: Any) -> str:
    """Compare the learner's per-layer dead-unit counts with :func:`utils.diagnostics.dead_unit_fraction`.

    The counts are checked on ``model`` and on a second network with known dead units, so
    that fixed numbers fail.

    Parameters
    ----------
    count_dead_units : callable
        ``count_dead_units(model, x)`` -> number of dead units per hidden layer.
    model : keras.Model
        The network to examine (from :func:`build_dead_network`).
    """
    import numpy as np

    from utils import diagnostics
    from utils._tensorflow import keras
    from utils.data import load_digits

    if is_unfinished(count_dead_units):
        raise NotDone
    if not isinstance(model, keras.Model):
        raise Failed("the dead network, checks.build_dead_network(), as the second argument", type(model).__name__)
    x = load_digits().x_val
    first_expected = None
    for network, given in ((model, "the dead network and x_val"), (_network_with_dead_units(), "a second network")):
        expected, units = _dead_counts(network, x)
        found = as_float_array(call_student(count_dead_units, network, x, given=given), f"your counts on {given}")
        if found.shape == expected.shape and np.array_equal(found, expected):
            first_expected = expected if first_expected is None else first_expected
            continue
        hint = (
            "a unit is dead only if it outputs 0 for *every* example: np.all(outputs == 0, axis=0), "
            "then count per layer"
        )
        outputs = diagnostics.layer_outputs(network, x)
        if first_expected is not None and np.array_equal(found, first_expected):
            hint = "count on the model your function is given, not fixed numbers"
        elif found.shape == expected.shape:
            if np.array_equal(found, [float(np.sum(o == 0)) for o in outputs]):
                hint = "you counted zero outputs, not dead units; " + hint
            elif np.allclose(found * units, expected):
                hint = "count the dead units, not their fraction: sum the boolean per-unit test"
        elif found.size == sum(o.shape[1] for o in outputs):
            hint = "return one count per hidden layer, not one value per unit; " + hint
        where = "" if first_expected is None else " of a second network (3 hidden layers of 8 units)"
        raise Failed(f"{format_array(expected)} dead units per layer{where}", format_array(found), hint)
    return f"{format_number(first_expected.sum())} dead units in all, {format_array(first_expected)} per layer."


def _dense_layers(model: Any) -> list[Any]:
    from utils._tensorflow import keras

    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]


@exercise_check("3.3b")
def check_revived_network(revived: Any, dead: Any) -> str:
    """Check that ``revived`` is the dead network's weights under Leaky ReLU, and that every unit gets gradient.

    Every Dense layer is compared, the output layer included, kernels and biases; each hidden
    layer's activation must be a Leaky ReLU (output = input for positive inputs, a fixed slope
    between 0 and 1 times it for negative ones), however it is written: ``activation="leaky_relu"``,
    a ``LeakyReLU`` layer, a function.

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
    if not isinstance(dead, keras.Model):
        raise Failed("the dead network, checks.build_dead_network(), as the second argument", type(dead).__name__)
    old_layers, new_layers = _dense_layers(dead), _dense_layers(revived)
    if len(new_layers) != len(old_layers):
        raise Failed(
            f"{len(old_layers)} Dense layers (4 hidden and the output), like the dead network", f"{len(new_layers)}"
        )
    for old, new in zip(old_layers, new_layers, strict=True):
        old_weights, new_weights = old.get_weights(), new.get_weights()
        for kind, new_value in zip(("kernel", "bias"), new_weights, strict=False):
            require_finite(new_value, f"the {kind} of your layer {new.name}")
        same = len(old_weights) == len(new_weights) and all(
            a.shape == b.shape and np.array_equal(a, b) for a, b in zip(old_weights, new_weights, strict=True)
        )
        if not same:
            parts = ("kernel and bias", "kernel", "bias")
            kernel_same = bool(new_weights) and new_weights[0].shape == old_weights[0].shape
            kernel_same = kernel_same and np.array_equal(new_weights[0], old_weights[0])
            differs = parts[2] if kernel_same else parts[0]
            raise Failed(
                f"the dead network's weights in {new.name} (its {differs})",
                "other weights",
                "copy every layer, the output layer too, kernel and bias: new.set_weights(old.get_weights())",
            )

    x, y = load_digits().x_val, load_digits().y_val
    given = "your network on the validation digits"
    with learner_code(given):
        hidden = diagnostics.layer_outputs(revived, x)
        predictions = np.asarray(revived(x, training=False), dtype="float64")
        expected_predictions = np.asarray(old_layers[-1](hidden[-1]), dtype="float64")
    for index, outputs in enumerate(hidden):
        require_finite(outputs, f"the outputs of your hidden layer {index + 1}")
    require_finite(predictions, "your network's predictions")
    inputs = [x, *hidden[:-1]]
    for layer, layer_input, outputs in zip(new_layers[:-1], inputs, hidden, strict=True):
        kernel, bias = (np.asarray(w, dtype="float64") for w in layer.get_weights())
        before = np.asarray(layer_input, dtype="float64") @ kernel + bias
        positive, negative = before > 1e-2, before < -1e-2
        slopes = outputs[negative] / before[negative]
        identity = np.allclose(outputs[positive], before[positive], rtol=1e-4, atol=1e-4)
        leaky = slopes.size and slopes.min() > 1e-3 and slopes.max() < 1 and slopes.max() - slopes.min() < 1e-3
        if not (identity and leaky):
            if not identity:
                found = "it changes positive inputs"
            elif slopes.size and slopes.max() - slopes.min() < 1e-3:
                found = f"a slope of {format_number(slopes.mean())} on negative inputs"
            else:
                found = "not one fixed slope on negative inputs"
            raise Failed(
                f"a Leaky ReLU after {layer.name} (z for z > 0, a slope between 0 and 1 times z otherwise)",
                found,
                "build it with activation='leaky_relu' or "
                "activation=lambda: keras.layers.LeakyReLU(negative_slope=0.1)",
            )
    if predictions.shape != expected_predictions.shape or not np.allclose(predictions, expected_predictions, atol=1e-5):
        raise Failed(
            "the dead network's output layer on top of the last hidden layer",
            "other predictions",
            "end with the same output layer, activation included (build it with models.build_mlp, as the dead one)",
        )
    with learner_code("the gradient of your network's loss"), tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, revived(x, training=False)))
    gradients = tape.gradient(loss, [layer.kernel for layer in new_layers[:-1]])
    silent = [
        int(np.sum(np.all(np.asarray(g) == 0, axis=0))) if g is not None else layer.units
        for g, layer in zip(gradients, new_layers[:-1], strict=True)
    ]
    if any(silent):
        raise Failed(
            "every unit to receive a gradient",
            f"{format_array(silent)} units per layer with none",
            "every hidden layer needs a Leaky ReLU after it",
        )
    return "same weights, and every unit receives a gradient again: none is dead, the silent ones are only in a coma."


def require_revived(revived: Any, dead: Any) -> None:
    """Stop a course cell unless ``revived`` passes :func:`check_revived_network` (nothing printed).

    Inside :func:`~utils.checks.answer_cell`, the reason becomes the cell's one line of feedback.

    Parameters
    ----------
    revived, dead
        As for :func:`check_revived_network`.

    Raises
    ------
    NotDone, Failed, StudentError
        As the check finds.
    """
    check_revived_network.__wrapped__(revived, dead)


def is_revived(revived: Any, dead: Any) -> bool:
    """Whether ``revived`` passes :func:`check_revived_network`, without printing anything.

    Parameters
    ----------
    revived, dead
        As for :func:`check_revived_network`.

    Returns
    -------
    bool
    """
    try:
        require_revived(revived, dead)
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
        depth = len(diagnostics.hidden_layers(model))
    except ValueError as error:
        raise Failed("a network with hidden Dense layers", shorten(error)) from None
    if depth < SELU_DEPTH:
        raise Failed(f"at least {SELU_DEPTH} hidden layers", f"{depth}")
    for layer in _dense_layers(model):
        for weight in layer.get_weights():
            require_finite(weight, f"the weights of your layer {layer.name}")
    try:
        with learner_code("your network on the validation digits"):
            stats = diagnostics.activation_stats(model, load_digits().x_val)
    except StudentError as outcome:
        if isinstance(outcome.error, ValueError) and str(outcome.error).startswith("model must"):
            raise Failed("a built network with 64 inputs", shorten(outcome.error)) from None
        raise
    std = require_finite(stats.std, "the std of your hidden layers' outputs")
    require_finite(stats.mean, "the mean of your hidden layers' outputs")
    low, high = SELU_STD_BAND
    outside = np.flatnonzero((std < low) | (std > high))
    if outside.size:
        first = int(outside[0])
        raise Failed(
            f"every layer's std within [{low}, {high}]",
            f"{format_number(std[first])} at layer {first + 1} (from {format_number(std.min())} to "
            f"{format_number(std.max())} over the layers)",
            "self-normalization needs SELU, LeCun normal initialization and standardized inputs",
        )
    return f"all {len(std)} layers keep their std between {std.min():.2f} and {std.max():.2f}."


register_answers("3.1", "my_leaky_relu", "my_elu", "my_selu")
register_answers("3.2", "MyRReLU")
register_answers("3.3a", "dead_model", "count_dead_units")
register_answers("3.3b", "revived")
register_answers("3.4", "selu_model")
