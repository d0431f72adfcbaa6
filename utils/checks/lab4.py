"""Checks for lab 4, smooth activations: GELU, a Swish layer with a trainable beta, and the gain."""

from __future__ import annotations

import functools
import math
import warnings
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
    "GAIN_FUNCTIONS",
    "GAIN_RTOL",
    "GELU_MAGNITUDES",
    "SWISH_BETAS",
    "check_gain",
    "check_gelu",
    "check_swish_layer",
    "gelu_reference",
    "reference_gain",
    "require_swish",
]

#: Exercise 4.1: inputs of every sign and magnitude, so that a formula that overflows or ignores
#: the magnitude fails (``z ** 3`` of the tanh approximation reaches 1e12 at z = 1e4: finite in float32).
GELU_MAGNITUDES = (-1e4, -1e3, -88.0, -20.0, -3.0, -1e-3, 0.0, 1e-3, 0.5, 3.0, 20.0, 1e4)

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)

_GELU_HINTS = {
    False: "the exact GELU is z * Phi(z), with Phi(z) = (1 + erf(z / sqrt(2))) / 2 the standard normal CDF",
    True: "the tanh approximation is 0.5 * z * (1 + tanh(sqrt(2 / pi) * (z + 0.044715 * z**3))); "
    "keep sqrt(2 / pi) exact (np.sqrt(2 / np.pi)), not rounded",
}


def gelu_reference(z: Any, *, approximate: bool) -> Any:
    """Return GELU of ``z`` in float64 with NumPy and SciPy: exact ``z * Phi(z)`` or the tanh approximation.

    Parameters
    ----------
    z : array_like
        Inputs, of any shape.
    approximate : bool
        False for ``z * Phi(z)``, True for Hendrycks and Gimpel's tanh approximation.

    Returns
    -------
    numpy.ndarray
        GELU of ``z``, float64, of ``z``'s shape.

    Examples
    --------
    >>> float(gelu_reference(1.0, approximate=False)), float(gelu_reference(1.0, approximate=True))
    (0.8413447460685429, 0.8411919906082768)
    """
    import numpy as np
    from scipy import special

    z = np.asarray(z, dtype="float64")
    if approximate:
        return 0.5 * z * (1.0 + np.tanh(_SQRT_2_OVER_PI * (z + 0.044715 * z**3)))
    return z * special.ndtr(z)


def _gelu_probes() -> list[tuple[str, Any]]:
    """Return the inputs exercise 4.1 tries: (description, array or tensor)."""
    import numpy as np

    from utils._tensorflow import tf

    grid = np.linspace(-6.0, 6.0, 1001)  # includes 0
    shuffled = np.random.default_rng(4).permutation(grid)
    return [
        ("z = a float64 NumPy array in [-6, 6]", grid),
        ("z = a float32 tensor in [-6, 6]", tf.constant(grid, tf.float32)),
        ("z = a float64 tensor in [-6, 6], shuffled", tf.constant(shuffled, tf.float64)),
        *magnitude_probes(GELU_MAGNITUDES),
    ]


def _gelu_lookalikes(approximate: bool) -> list[tuple[Callable[[Any], Any], str]]:
    """Functions a learner may write instead of the asked GELU, each with what to say about it."""
    import numpy as np
    from scipy import special

    asked = (
        "approximate=True asks for the tanh approximation" if approximate else "approximate=False asks for z * Phi(z)"
    )
    return [
        (
            lambda z: gelu_reference(z, approximate=not approximate),
            f"that is the {'exact GELU' if approximate else 'tanh approximation'}: {asked}",
        ),
        (
            lambda z: z * special.expit(1.702 * z),
            "that is z * sigmoid(1.702 z), Hendrycks and Gimpel's cruder sigmoid approximation "
            f"(off by up to 0.02); {asked}",
        ),
        (lambda z: np.maximum(z, 0.0), f"that is ReLU: GELU weights z by Phi(z) instead of cutting at 0; {asked}"),
        (lambda z: z * special.expit(z), f"that is SiLU, z * sigmoid(z); {asked}"),
        (lambda z: special.ndtr(z), f"that is Phi(z) alone: multiply by z; {asked}"),
        (
            lambda z: 0.5 * z * (1.0 + special.erf(z)),
            "erf takes z / sqrt(2): Phi(z) = (1 + erf(z / sqrt(2))) / 2",
        ),
    ]


def _explain_gelu_mismatch(found: Any, z: Any, approximate: bool) -> str:
    import numpy as np

    with np.errstate(all="ignore"):
        for lookalike, hint in _gelu_lookalikes(approximate):
            if np.allclose(found, lookalike(z), rtol=1e-5, atol=1e-5):
                return hint
    return _GELU_HINTS[approximate]


@exercise_check("4.1")
def check_gelu(function: Callable[[Any], Any], approximate: bool) -> str:
    """Compare a from-scratch GELU with ``keras.activations.gelu(z, approximate=...)`` within 1e-6.

    The function is tried on float32 and float64 NumPy arrays and tensors of three shapes, with
    inputs from -1e4 to 1e4; NumPy, SciPy, ``keras.ops`` and TensorFlow answers are all accepted.
    An answer that is another GELU (the other variant, the sigmoid approximation), ReLU or SiLU is
    named in the feedback.

    Parameters
    ----------
    function : callable
        The learner's GELU of one array or tensor.
    approximate : bool
        False for the exact ``z * Phi(z)``, True for the tanh approximation.
    """
    import numpy as np

    from utils._tensorflow import keras, tf

    if not isinstance(approximate, bool):
        raise Failed("approximate=False or approximate=True as the second argument", shorten(repr(approximate), 60))
    if is_unfinished(function):
        raise NotDone
    name = "tanh-approximate GELU" if approximate else "exact GELU"
    passed: list[Any] = []  # the outputs that matched, to recognize a fixed array
    for given, z in _gelu_probes():
        found = call_student(function, z, given=given)
        zs = np.asarray(z, dtype="float64")
        found_values = output_array(found, zs.shape, f"your {name}'s outputs", given)
        expected = np.asarray(keras.activations.gelu(tf.constant(zs, tf.float64), approximate=approximate))
        where = first_mismatch(found_values, expected)
        if where is not None:
            call = f"gelu({format_number(zs.flat[where], 6)}, approximate={approximate})"
            same_as_before = any(np.array_equal(found_values, earlier) for earlier in passed)
            raise Failed(
                f"{call} = {format_number(expected.flat[where], 7)} ({given})",
                format_number(found_values.flat[where], 7),
                "your output is the same for other inputs: compute it from z, not a fixed array"
                if same_as_before
                else _explain_gelu_mismatch(found_values, zs, approximate),
            )
        passed.append(found_values)
    return f"your {name} matches keras.activations.gelu(z, approximate={approximate}) within 1e-6, from -1e4 to 1e4."


#: Exercise 4.2: the initial betas the check creates the layer with (the default, then ``beta=0.5``).
SWISH_BETAS = (1.0, 0.5)


def _swish_inputs() -> tuple[Any, Any]:
    """Return inputs of magnitudes 1e-3 to 1e3, both signs and zeros: shapes (200, 50) and (4, 25, 10), float32."""
    import numpy as np

    rng = np.random.default_rng(0)
    values = np.concatenate([np.geomspace(1e-3, 1e3, 4995), -np.geomspace(1e-3, 1e3, 4995), np.zeros(10)])
    wide = rng.permutation(values).reshape(200, 50).astype("float32")
    deep = rng.permutation(values[::10]).reshape(4, 25, 10).astype("float32")
    return wide, deep


def _swish(z: Any, beta: float) -> Any:
    import numpy as np
    from scipy import special

    z = np.asarray(z, dtype="float64")
    return z * special.expit(beta * z)


def _explain_swish_mismatch(found: Any, x: Any, beta: float) -> str:
    import numpy as np
    from scipy import special

    x = np.asarray(x, dtype="float64")
    lookalikes = [
        (
            special.expit(beta * x),
            "that is the gate sigmoid(beta * z) alone: Swish multiplies it by z, "
            "inputs * ops.sigmoid(self.beta * inputs)",
        ),
        (_swish(x, 1.0), "that is SiLU with beta fixed at 1: use the layer's weight, self.beta, in the formula"),
        (
            x * special.expit(x / beta) if beta else x,
            "beta multiplies z inside the sigmoid: inputs * ops.sigmoid(self.beta * inputs)",
        ),
        (
            beta * x * special.expit(x),
            "beta multiplies z inside the sigmoid, not the output: inputs * ops.sigmoid(self.beta * inputs)",
        ),
    ]
    with np.errstate(all="ignore"):
        for values, hint in lookalikes:
            if np.allclose(found, values, rtol=1e-5, atol=1e-6):
                return hint
    return "Swish is z * sigmoid(beta * z): inputs * ops.sigmoid(self.beta * inputs)"


def _beta_weight(layer: Any) -> Any:
    """Return the layer's one trainable scalar weight, or fail saying what the layer holds instead."""
    import numpy as np

    trainable, frozen = list(layer.trainable_weights), list(layer.non_trainable_weights)
    if not trainable:
        found = f"{len(frozen)} non-trainable weight{'s' * (len(frozen) != 1)}" if frozen else "no weight at all"
        hint = (
            "create beta with self.add_weight(shape=(), initializer=..., trainable=True): a weight made with "
            "trainable=False never changes in training"
            if frozen
            else "beta must be a weight of the layer, created in build() with self.add_weight(shape=(), ...), "
            "not a plain number: only weights are trained and saved"
        )
        raise Failed("one trainable weight, beta, after the layer's first call", found, hint)
    if len(trainable) > 1:
        raise Failed(
            "one trainable weight, beta",
            f"{len(trainable)} trainable weights, of shapes {', '.join(str(tuple(w.shape)) for w in trainable)}",
            "the layer holds a single scalar, beta; nothing else",
        )
    beta = trainable[0]
    if int(np.prod(beta.shape)) != 1:
        raise Failed(
            "beta as one scalar weight, shape ()",
            f"a weight of shape {tuple(beta.shape)}",
            "one beta per unit is a real variant (Ramachandran et al. tried it), but this exercise asks for "
            "one shared scalar: self.add_weight(shape=(), ...)",
        )
    return beta


def _beta_value(weight: Any) -> float:
    import numpy as np

    return float(np.asarray(weight.numpy() if hasattr(weight, "numpy") else weight, dtype="float64").ravel()[0])


@exercise_check("4.2")
def check_swish_layer(layer_class: Any) -> str:
    """Check a Swish layer with one trainable scalar ``beta``: forward pass, training and saving.

    Parameters
    ----------
    layer_class : type
        The learner's layer, created as ``layer_class()`` (beta starts at 1: SiLU) and as
        ``layer_class(beta=0.5)``. Its output is ``z * sigmoid(beta * z)``, its only
        trainable weight is ``beta``, a scalar; one training step of ``build_mlp`` with
        the layer must move beta, and a ``.keras`` save and load must keep it.
    """
    from utils._tensorflow import keras

    if is_unfinished(layer_class):
        raise NotDone
    if not (isinstance(layer_class, type) and issubclass(layer_class, keras.layers.Layer)):
        raise Failed("a subclass of keras.layers.Layer (the class itself)", shorten(repr(layer_class), 60))
    wide, deep = _swish_inputs()
    for beta in SWISH_BETAS:
        arguments = "no arguments" if beta == SWISH_BETAS[0] else f"beta={beta}"
        kwargs = {} if beta == SWISH_BETAS[0] else {"beta": beta}
        layer = call_student(layer_class, given=arguments, **kwargs)
        if not isinstance(layer, keras.layers.Layer):
            raise Failed("a keras.layers.Layer instance from your class", type(layer).__name__)
        for x, shape in ((wide, "(200, 50)"), (deep, "(4, 25, 10)")):
            given = f"x of shape {shape} from -1e3 to 1e3, a layer made with {arguments}"
            out = output_array(call_student(layer, x, given=given), x.shape, "your layer's outputs", given)
            weight = _beta_weight(layer)
            start = _beta_value(weight)
            if not math.isclose(start, beta, rel_tol=1e-6):
                raise Failed(
                    f"beta = {format_number(beta)} in a new layer made with {arguments}",
                    f"beta = {format_number(start, 6)}",
                    "initialize the weight from the constructor's argument: "
                    "initializer=keras.initializers.Constant(self.initial_beta), with a default of 1.0",
                )
            expected = _swish(x, beta)
            where = first_mismatch(out, expected, rtol=1e-5)
            if where is not None:
                raise Failed(
                    f"{format_number(expected.flat[where], 6)} for z = {format_number(x.flat[where], 6)} "
                    f"(beta = {format_number(beta)})",
                    format_number(out.flat[where], 6),
                    _explain_swish_mismatch(out, x, beta),
                )
    _check_swish_in_a_model(layer_class)
    return "z * sigmoid(beta * z) with one trainable scalar beta, which moves in training and survives a save and load."


def _check_swish_in_a_model(layer_class: type) -> None:
    """One training step of ``build_mlp`` with the layer, which must move beta; then a ``.keras`` save and load."""
    import numpy as np

    from utils._tensorflow import keras
    from utils.models import build_mlp

    x, y = digits_batch(64)
    given = "one training step of models.build_mlp(2, 16, activation=YourLayer)"
    with learner_code(given), quiet_retracing():
        model = build_mlp(2, 16, lambda: layer_class())
        model(x[:1])
        layers = [layer for layer in model.layers if isinstance(layer, layer_class)]
        before = [_beta_value(_beta_weight(layer)) for layer in layers]
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
        try:
            with warnings.catch_warnings():
                # A beta cut off from the gradient gets the check's own feedback, not Keras' loss hint.
                warnings.filterwarnings("ignore", "Gradients do not exist", UserWarning)
                loss = model.train_on_batch(x, y)
        except NotImplementedError as error:
            # The layer already answered eagerly, so this is no stub: .numpy() or float() met a traced tensor.
            raise StudentError(error, given) from None
        after = [_beta_value(_beta_weight(layer)) for layer in layers]
        predictions = np.asarray(model(x, training=False))
    require_finite(loss, f"the loss after {given}")
    require_finite(after, "beta after that step")
    require_finite(predictions, "the model's predictions after that step")
    if np.allclose(before, after, rtol=0, atol=1e-7):
        raise Failed(
            "beta to move in one training step (it is trainable)",
            f"beta unchanged at {format_number(after[0], 6)}",
            "use the weight itself in call, inputs * ops.sigmoid(self.beta * inputs); "
            "a copy made with float(self.beta) or self.beta.numpy() gets no gradient",
        )
    require_same_after_reload(
        model,
        layer_class,
        x,
        predictions,
        expected="the loaded model to predict like the saved one, trained beta included",
        hint="create beta with self.add_weight in build() so that Keras saves and restores it, and "
        "keep the constructor's argument in the config (Keras records it, or return it from get_config)",
    )


def require_swish(layer_class: Any) -> None:
    """Stop a course cell unless ``layer_class`` passes :func:`check_swish_layer` (nothing printed).

    Inside :func:`~utils.checks.answer_cell`, the reason becomes the cell's one line of feedback.

    Parameters
    ----------
    layer_class : type
        As for :func:`check_swish_layer`.

    Raises
    ------
    NotDone, Failed, StudentError
        As the check finds.
    """
    check_swish_layer.__wrapped__(layer_class)


#: Exercise 4.3: the activations the gain is computed for, as NumPy functions of arrays or floats.
#: Half ReLU (gain 8) and 3 tanh stand for activations without a gain in any table.
GAIN_FUNCTIONS = ("relu", "tanh", "gelu", "silu", "selu", "half relu", "3 tanh")

#: Exercise 4.3: the relative error the gain may have (a fine grid or quad errs by far less than 1e-4;
#: Monte Carlo with a million samples errs by about 0.2% for ReLU).
GAIN_RTOL = 1e-3

_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772, 1.0507009873554805


def _gain_function(name: str) -> Callable[[Any], Any]:
    import numpy as np
    from scipy import special

    def as_array(z: Any) -> Any:
        return np.asarray(z, dtype="float64")

    functions: dict[str, Callable[[Any], Any]] = {
        "relu": lambda z: np.maximum(as_array(z), 0.0),
        "tanh": lambda z: np.tanh(as_array(z)),
        "gelu": lambda z: as_array(z) * special.ndtr(as_array(z)),
        "silu": lambda z: as_array(z) * special.expit(as_array(z)),
        "selu": lambda z: (
            _SELU_SCALE * np.where(as_array(z) > 0, as_array(z), _SELU_ALPHA * np.expm1(np.minimum(as_array(z), 0.0)))
        ),
        "half relu": lambda z: 0.5 * np.maximum(as_array(z), 0.0),
        "3 tanh": lambda z: 3.0 * np.tanh(as_array(z)),
    }
    return functions[name]


def _gaussian_moment(function: Callable[[Any], Any], power: int) -> float:
    import numpy as np
    from scipy import integrate, stats

    value, _ = integrate.quad(lambda z: float(function(z)) ** power * stats.norm.pdf(z), -np.inf, np.inf, limit=200)
    return float(value)


@functools.cache
def _named_moment(name: str, power: int) -> float:
    """E[f(z)^power], z ~ N(0, 1), for ``f`` one of :data:`GAIN_FUNCTIONS`: integrated once per name and power."""
    return _gaussian_moment(_gain_function(name), power)


def reference_gain(name: str) -> float:
    """Return 1 / E[f(z)^2] for z ~ N(0, 1), by ``scipy.integrate.quad``, for one of :data:`GAIN_FUNCTIONS`.

    Parameters
    ----------
    name : str
        One of :data:`GAIN_FUNCTIONS`.

    Returns
    -------
    float
        The gain: 2 for ReLU, 1 for SELU.

    Examples
    --------
    >>> round(reference_gain("relu"), 6), round(reference_gain("selu"), 6)
    (2.0, 1.0)
    """
    from utils import _validation

    _validation.check_choice(name, "name", GAIN_FUNCTIONS)
    return 1.0 / _named_moment(name, 2)


def _explain_gain(found: float, name: str) -> str:
    """Name the mistake behind a wrong gain for ``name``, where a usual one explains it."""
    second, first = _named_moment(name, 2), _named_moment(name, 1)
    variance = second - first**2
    lookalikes = [
        (second, "you returned E[f(z)^2] itself; the gain is its inverse, 1 / E[f(z)^2]"),
        (1.0 / math.sqrt(second), "that is the square root: the gain scales the weights' variance, not their std"),
        (
            1.0 / (second * math.sqrt(2.0 * math.pi)),
            "the density of N(0, 1) is exp(-z^2 / 2) / sqrt(2 pi): the 1 / sqrt(2 pi) is missing",
        ),
        (
            math.sqrt(2.0 * math.pi) / second,
            "the density of N(0, 1) is exp(-z^2 / 2) / sqrt(2 pi): divide by sqrt(2 pi), do not multiply",
        ),
        (
            1.0 / variance,
            "that is 1 / Var[f(z)]: the variance argument needs the second moment E[f(z)^2], mean included "
            "(for ReLU, E[relu(z)^2] = 1/2 gives He's 2)",
        ),
        (
            1.0 / first**2 if first else math.inf,
            "that is 1 / E[f(z)]^2: square f inside the expectation, E[f(z)^2]",
        ),
    ]
    for value, hint in lookalikes:
        if math.isfinite(value) and math.isclose(found, value, rel_tol=GAIN_RTOL):
            return hint
    if math.isclose(found, 1.0 / second, rel_tol=0.1):
        return (
            "close but not within 0.1%: a Monte Carlo estimate or a coarse or short grid is too rough; "
            "integrate f(z)^2 times the normal density with scipy.integrate.quad, or on a grid from -10 to 10 "
            "with 10,001 points"
        )
    return "the gain is 1 / E[f(z)^2] for z ~ N(0, 1): integrate f(z)^2 times the normal density"


@exercise_check("4.3")
def check_gain(init_gain: Callable[[Callable[[Any], Any]], Any]) -> str:
    """Compare the learner's ``init_gain(f)`` with 1 / E[f(z)^2], z ~ N(0, 1), within 0.1%.

    ``init_gain`` is called on NumPy functions (they accept floats and arrays) for ReLU, tanh,
    GELU, SiLU, SELU, half a ReLU and three times tanh, twice each: an answer that changes
    between calls (unseeded Monte Carlo) is named.

    Parameters
    ----------
    init_gain : callable
        ``init_gain(f)`` -> the gain of activation ``f``, a number.
    """
    if is_unfinished(init_gain):
        raise NotDone
    found_gains = {}
    for name in GAIN_FUNCTIONS:
        function = _gain_function(name)
        given = f"f = {name} (a NumPy function)"
        values = [call_student(init_gain, function, given=given) for _ in range(2)]
        numbers = [as_float_array(value, f"init_gain({name})") for value in values]
        if any(number.size != 1 for number in numbers):
            raise Failed(f"one number from init_gain({name})", f"{numbers[0].size} numbers", "return a single float")
        first, second = (float(number[0]) for number in numbers)
        if first != second:
            raise Failed(
                f"the same gain each time init_gain({name}) is called",
                f"{format_number(first, 6)}, then {format_number(second, 6)}",
                "random sampling (Monte Carlo) gives another estimate each time, and is too noisy at 0.1%: "
                "integrate numerically, with scipy.integrate.quad or a fine grid",
            )
        expected = reference_gain(name)
        if not math.isclose(first, expected, rel_tol=GAIN_RTOL):
            hint = _explain_gain(first, name)
            if name != "relu" and math.isclose(first, found_gains.get("relu", math.nan), rel_tol=1e-9):
                hint = "the same number for every f: compute the integral from f, not He's constant 2"
            raise Failed(
                f"init_gain({name}) = {format_number(expected, 5)} (within {GAIN_RTOL:.1%})",
                format_number(first, 5),
                hint,
            )
        found_gains[name] = first
    shown = ", ".join(f"{name} {found_gains[name]:.3f}" for name in ("relu", "tanh", "gelu", "silu", "selu"))
    return f"your gains match the integral within 0.1%: {shown}."


register_answers("4.1", "my_gelu", "my_gelu_tanh")
register_answers("4.2", "MySwish")
register_answers("4.3", "init_gain")
