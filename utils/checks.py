"""Exercise checks for the labs: immediate, specific feedback, never a traceback.

Each lab exercise is followed by a cell that calls one check, for example
``checks.check_gradient_norms(my_gradient_norms)``. A check runs the learner's
code on a few inputs and prints one of:

- ``✅ Exercise 1.1 passed: ...``
- ``❌ Exercise 1.1: expected ..., found ... Hint: ...``
- ``⏳ Exercise 1.1: not done yet ...`` (the stub still holds ``...``, returns
  None, or raises ``NotImplementedError``)
- ``⚠️ Exercise 1.1: your code raised ...`` (one line, with the input that
  triggered it)

It returns a :class:`CheckResult`, which tests can assert on and which
displays nothing more in a notebook.

The framework (:func:`exercise_check`, :func:`call_student`, :class:`NotDone`,
:class:`Failed`) is public so that every lab's checks are written the same way.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "CheckResult",
    "Failed",
    "NotDone",
    "StudentError",
    "RECOMMENDED_SCHEME",
    "build_dead_network",
    "build_mystery_models",
    "call_student",
    "check_activation",
    "check_barely_moved",
    "check_compute_fans",
    "check_dead_unit_count",
    "check_fixed_network",
    "check_gradient_norms",
    "check_initializer",
    "check_initializer_matching",
    "check_mystery_diagnosis",
    "check_relative_change",
    "check_revived_network",
    "check_rrelu_layer",
    "check_self_normalizing",
    "check_tanh_initializer",
    "check_variance_scaling",
    "exercise_check",
    "is_unfinished",
    "train_fix_candidate",
]

Status = Literal["passed", "failed", "not done", "error"]

_ICONS = {"passed": "✅", "failed": "❌", "not done": "⏳", "error": "⚠️"}
_MAX_DETAIL = 160


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one exercise check.

    Attributes
    ----------
    exercise : str
        The exercise number, such as ``"1.1"``.
    status : {"passed", "failed", "not done", "error"}
        What the check found.
    message : str
        The feedback that was printed.
    """

    exercise: str
    status: Status
    message: str

    @property
    def passed(self) -> bool:
        """True when the exercise is solved."""
        return self.status == "passed"

    def _ipython_display_(self) -> None:
        # The check has already printed its feedback; show nothing twice.
        return None


class NotDone(Exception):
    """Raised inside a check when the learner's answer is still a stub."""


class Failed(Exception):
    """Raised inside a check for a wrong answer: what was expected, what was found, a hint."""

    def __init__(self, expected: str, found: str, hint: str = "") -> None:
        super().__init__(expected, found, hint)
        self.expected, self.found, self.hint = expected, found, hint


class StudentError(Exception):
    """The learner's code raised; carries the error and the input that triggered it."""

    def __init__(self, error: BaseException, given: str) -> None:
        super().__init__(error, given)
        self.error, self.given = error, given


def _shorten(text: str, limit: int = _MAX_DETAIL) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_unfinished(value: Any) -> bool:
    """True for a stub answer: ``...``, None, or a container holding ``...``.

    Parameters
    ----------
    value : Any
        The learner's answer.

    Examples
    --------
    >>> is_unfinished(...), is_unfinished({"scale": ...}), is_unfinished(2.0)
    (True, True, False)
    """
    if value is Ellipsis or value is None:
        return True
    if isinstance(value, dict):
        return any(v is Ellipsis for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(v is Ellipsis for v in value)
    return False


def call_student(function: Any, *args: Any, given: str = "", **kwargs: Any) -> Any:
    """Call the learner's ``function`` and turn what can go wrong into check outcomes.

    Parameters
    ----------
    function : callable
        The learner's function.
    *args, **kwargs
        Passed on to ``function``.
    given : str
        A short description of the input, for the error message.

    Returns
    -------
    Any
        What ``function`` returned.

    Raises
    ------
    NotDone
        If ``function`` is a stub (``...``), raises ``NotImplementedError`` or
        returns ``...`` or None.
    Failed
        If ``function`` is not callable.
    StudentError
        If ``function`` raises any other exception.
    """
    if is_unfinished(function):
        raise NotDone
    if not callable(function):
        raise Failed("a function", f"a {type(function).__name__}", "pass the function itself, without calling it")
    try:
        value = function(*args, **kwargs)
    except NotImplementedError:
        raise NotDone from None
    except Exception as error:  # the learner's code: report it, never crash the notebook
        raise StudentError(error, given) from None
    if is_unfinished(value):
        raise NotDone
    return value


def _report(exercise: str, status: Status, message: str) -> CheckResult:
    line = f"{_ICONS[status]} Exercise {exercise}{' passed' if status == 'passed' else ''}: {message}"
    print(line)
    return CheckResult(exercise=exercise, status=status, message=line)


def exercise_check(exercise: str) -> Callable[[Callable[..., str]], Callable[..., CheckResult]]:
    """Turn a function that verifies an answer into a learner-facing check.

    The decorated function returns the success message, or raises
    :class:`NotDone` or :class:`Failed`; learner code it calls through
    :func:`call_student` may raise :class:`StudentError`. The check prints one
    line of feedback (two with a hint) and returns a :class:`CheckResult`.

    Parameters
    ----------
    exercise : str
        The exercise number shown to the learner, such as ``"1.1"``.

    Examples
    --------
    >>> @exercise_check("0.1")
    ... def check_double(double):
    ...     if call_student(double, 2, given="x=2") != 4:
    ...         raise Failed("double(2) == 4", "something else", "multiply by 2")
    ...     return "double(2) == 4"
    >>> result = check_double(lambda x: 2 * x)
    ✅ Exercise 0.1 passed: double(2) == 4
    >>> check_double(...).status
    ⏳ Exercise 0.1: not done yet. Replace the ... in the exercise cell, run it, then run this check again.
    'not done'
    """

    def decorate(verify: Callable[..., str]) -> Callable[..., CheckResult]:
        @functools.wraps(verify)
        def check(*args: Any, **kwargs: Any) -> CheckResult:
            try:
                success = verify(*args, **kwargs)
            except NotDone:
                return _report(
                    exercise, "not done",
                    "not done yet. Replace the ... in the exercise cell, run it, then run this check again.",
                )
            except Failed as outcome:
                message = f"expected {outcome.expected}; found {outcome.found}."
                if outcome.hint:
                    message += f"\n   Hint: {outcome.hint}"
                return _report(exercise, "failed", message)
            except StudentError as outcome:
                error = f"{type(outcome.error).__name__}: {_shorten(outcome.error)}"
                where = f" on {outcome.given}" if outcome.given else ""
                return _report(exercise, "error", f"your code raised {error}{where}.")
            except Exception as error:  # a fault in the check itself; still no traceback
                return _report(
                    exercise, "error",
                    f"the check could not run ({type(error).__name__}: {_shorten(error)}). "
                    "Re-run the cells above it, from the setup cell down.",
                )
            return _report(exercise, "passed", success)

        return check

    return decorate


# ---------------------------------------------------------------------------
# Shared helpers for the labs' checks
# ---------------------------------------------------------------------------


def _format_array(values: Any, digits: int = 3) -> str:
    import numpy as np

    array = np.asarray(values, dtype=float).ravel()
    shown = ", ".join(f"{v:.{digits}g}" for v in array[:6])
    return f"[{shown}{', …' if array.size > 6 else ''}]"


def _as_float_array(value: Any, what: str) -> Any:
    import numpy as np

    try:
        return np.asarray([float(v) for v in np.asarray(value, dtype=object).ravel()], dtype=float)
    except (TypeError, ValueError):
        raise Failed(f"{what} as numbers (a list or NumPy array)", f"{type(value).__name__}") from None


def _digits_batch(size: int = 256) -> tuple[Any, Any]:
    from utils.data import load_digits

    digits = load_digits()
    return digits.x_train[:size], digits.y_train[:size]


# ---------------------------------------------------------------------------
# Lab 1: diagnose gradients
# ---------------------------------------------------------------------------

#: The verdicts of exercise 1.2 and the first/last gradient-norm ratios that define them.
DIAGNOSES = ("vanishing", "exploding", "healthy")
VANISHING_BELOW, EXPLODING_ABOVE = 1e-2, 1e2


def _mystery_configurations() -> dict[str, tuple[str, Any]]:
    from utils._tensorflow import keras

    # Kept out of the lab's text on purpose: the learner diagnoses by measuring.
    return {
        "model_a": ("tanh", keras.initializers.RandomNormal(stddev=1.0, seed=11)),
        "model_b": ("relu", keras.initializers.HeNormal(seed=12)),
        "model_c": ("sigmoid", keras.initializers.RandomNormal(stddev=0.1, seed=13)),
    }


def build_mystery_models() -> dict[str, Any]:
    """Three freshly initialized 12-layer MLPs for exercise 1.2, by name.

    Their activations and initializers are deliberately not documented:
    diagnose them by measuring.

    Returns
    -------
    dict of str to keras.Model
        ``{"model_a": ..., "model_b": ..., "model_c": ...}``, for the digits data
        (64 inputs, 10 classes).
    """
    from utils.models import build_mlp

    return {
        name: build_mlp(num_layers=12, units=64, activation=activation, kernel_initializer=initializer, name=name)
        for name, (activation, initializer) in _mystery_configurations().items()
    }


def _first_to_last_ratio(model: Any, x: Any, y: Any) -> float:
    from utils.diagnostics import gradient_norms

    first, last = (float(n) for n in gradient_norms(model, x, y)[[0, -1]])
    if last == 0.0:
        # No gradient even at the top: nothing flows, which counts as vanishing.
        return 0.0 if first == 0.0 else float("inf")
    return first / last


def _diagnose(ratio: float) -> str:
    if ratio < VANISHING_BELOW:
        return "vanishing"
    if ratio > EXPLODING_ABOVE:
        return "exploding"
    return "healthy"


@exercise_check("1.1")
def check_gradient_norms(gradient_norms: Callable[..., Any]) -> str:
    """Compare the learner's ``gradient_norms(model, x, y)`` with :func:`utils.diagnostics.gradient_norms`.

    Parameters
    ----------
    gradient_norms : callable
        The learner's function: per-hidden-layer kernel-gradient norms, input to output.
    """
    import numpy as np

    from utils import diagnostics
    from utils._tensorflow import keras
    from utils.models import build_mlp

    x, y = _digits_batch(128)
    cases = [
        ("a 6-layer sigmoid MLP",
         build_mlp(6, 32, "sigmoid", keras.initializers.GlorotUniform(seed=1))),
        ("a 4-layer tanh MLP with N(0, 1) weights",
         build_mlp(4, 32, "tanh", keras.initializers.RandomNormal(stddev=1.0, seed=2))),
        ("a 3-layer MLP with PReLU activation layers",
         build_mlp(3, 16, keras.layers.PReLU, keras.initializers.HeNormal(seed=3))),
    ]
    for description, model in cases:
        expected = diagnostics.gradient_norms(model, x, y)
        found = _as_float_array(call_student(gradient_norms, model, x, y, given=description), "the norms")
        if found.shape != expected.shape:
            raise Failed(
                f"{expected.size} norms for {description} (one per hidden Dense layer)",
                f"{found.size}",
                "loop over the hidden Dense layers only (every Dense layer but the output layer), "
                "and take each one's kernel gradient",
            )
        if not np.allclose(found, expected, rtol=1e-3, atol=1e-12):
            if np.allclose(found[::-1], expected, rtol=1e-3):
                hint = "your norms are in reverse order: report them from the input layer to the output layer"
            elif np.allclose(found, expected**2, rtol=1e-3):
                hint = "these are squared norms: take the square root (tf.norm does)"
            else:
                hint = ("take the gradient of the mean cross-entropy loss with respect to each hidden "
                        "layer's kernel (layer.kernel), not its bias, then its L2 norm")
            raise Failed(f"{_format_array(expected)} for {description}", _format_array(found), hint)
    return "your gradient norms match utils.diagnostics.gradient_norms on 3 different models."


@exercise_check("1.2")
def check_mystery_diagnosis(diagnosis: dict[str, str]) -> str:
    """Check the learner's verdict for each mystery model.

    Parameters
    ----------
    diagnosis : dict
        ``{"model_a": "vanishing" | "exploding" | "healthy", ...}``.
    """
    if is_unfinished(diagnosis):
        raise NotDone
    names = sorted(_mystery_configurations())
    if not isinstance(diagnosis, dict) or sorted(diagnosis) != names:
        found = sorted(diagnosis) if isinstance(diagnosis, dict) else type(diagnosis).__name__
        raise Failed(f"a dict with the keys {names}", f"{found}", "give one verdict per mystery model")
    unknown = {k: v for k, v in diagnosis.items() if v not in DIAGNOSES}
    if unknown:
        raise Failed(f"each verdict to be one of {list(DIAGNOSES)}", f"{unknown}")
    x, y = _digits_batch()
    models = build_mystery_models()
    wrong = []
    for name in names:
        ratio = _first_to_last_ratio(models[name], x, y)
        truth = _diagnose(ratio)
        if diagnosis[name] != truth:
            wrong.append(f"{name} is not {diagnosis[name]} (its first/last ratio is {ratio:.1e})")
    if wrong:
        raise Failed(
            "all three verdicts right",
            f"{len(wrong)} wrong: " + "; ".join(wrong),
            f"below {VANISHING_BELOW:g} the gradient vanishes towards the input, above {EXPLODING_ABOVE:g} it explodes",
        )
    return "all three diagnoses are right."


#: Exercise 1.3: a layer "barely moved" if its kernel changed by less than this fraction.
BARELY_MOVED_BELOW = 0.01


@exercise_check("1.3a")
def check_relative_change(relative_change: Callable[..., Any]) -> str:
    """Compare the learner's ``relative_change(before, after)`` with :func:`utils.diagnostics.relative_weight_change`.

    Parameters
    ----------
    relative_change : callable
        ``relative_change(before, after)`` for two lists of kernels (NumPy
        arrays), returning ``||after - before|| / ||before||`` per kernel.
    """
    import numpy as np

    from utils import diagnostics

    rng = np.random.default_rng(0)
    before = [rng.standard_normal(shape) for shape in ((64, 32), (32, 32), (32, 10))]
    after = [w + scale * rng.standard_normal(w.shape) for w, scale in zip(before, (1e-4, 0.02, 0.5))]
    expected = diagnostics.relative_weight_change(before, after)
    found = _as_float_array(call_student(relative_change, before, after, given="three random kernels"), "the changes")
    if found.shape != expected.shape:
        raise Failed(f"{expected.size} values, one per kernel", f"{found.size}")
    if not np.allclose(found, expected, rtol=1e-6):
        absolute = np.array([np.linalg.norm(a - b) for a, b in zip(after, before)])
        relative_to_after = absolute / np.array([np.linalg.norm(a) for a in after])
        if np.allclose(found, absolute, rtol=1e-6):
            hint = "divide by the norm of the kernel before training, to make the change relative"
        elif np.allclose(found, relative_to_after, rtol=1e-6):
            hint = "divide by the norm of the kernel *before* training, not after"
        elif np.allclose(found, expected**2, rtol=1e-6):
            hint = "take the norms themselves (np.linalg.norm), not their squares"
        else:
            hint = "np.linalg.norm(after - before) / np.linalg.norm(before), for each kernel"
        raise Failed(_format_array(expected), _format_array(found), hint)
    return "relative_change matches utils.diagnostics.relative_weight_change."


@exercise_check("1.3b")
def check_barely_moved(barely_moved: Any, before: Any, model: Any) -> str:
    """Check the names of the hidden layers whose kernels changed by less than 1 %.

    Parameters
    ----------
    barely_moved : list of str
        The learner's answer, hidden layer names such as ``"hidden_1"``.
    before : list of numpy.ndarray
        The kernels before training (``diagnostics.kernel_snapshot``).
    model : keras.Model
        The trained model.
    """
    from utils import diagnostics

    if is_unfinished(barely_moved):
        raise NotDone
    if isinstance(barely_moved, str) or not all(isinstance(n, str) for n in barely_moved):
        raise Failed("a list of layer names such as ['hidden_1', 'hidden_2']", repr(barely_moved))
    changes = diagnostics.relative_weight_change(before, model)
    names = [layer.name for layer in diagnostics.hidden_layers(model)]
    expected = [name for name, change in zip(names, changes) if change < BARELY_MOVED_BELOW]
    if sorted(barely_moved) != sorted(expected):
        extra = sorted(set(barely_moved) - set(expected))
        missing = sorted(set(expected) - set(barely_moved))
        detail = "; ".join(part for part in (
            f"these moved by 1 % or more: {extra}" if extra else "",
            f"these moved by less than 1 %: {missing}" if missing else "",
        ) if part)
        raise Failed(f"{len(expected)} layers", f"{len(barely_moved)} ({detail})",
                     "compare each layer's relative change with 0.01")
    return f"{len(expected)} of the {len(names)} hidden layers moved by less than 1 % of their size."


#: Exercise 1.4: the network to fix, how it is trained, and the bar it must clear.
FIX_DEPTH, FIX_UNITS, FIX_EPOCHS, FIX_TARGET_ACCURACY = 15, 32, 8, 0.80


def train_fix_candidate(activation: Any, kernel_initializer: Any, seed: int = 0) -> tuple[float, float]:
    """Build, measure and train the exercise 1.4 network; return (gradient ratio, validation accuracy).

    A ``FIX_DEPTH``-layer MLP of ``FIX_UNITS`` units is trained on the digits
    data with Adam (learning rate 1e-3, batch 32) for ``FIX_EPOCHS`` epochs.

    Parameters
    ----------
    activation, kernel_initializer
        As for :func:`utils.models.build_mlp`.
    seed : int
        Seeds Python, NumPy and Keras before building (this resets their state).
    """
    from utils import setup
    from utils._tensorflow import keras
    from utils.data import load_digits
    from utils.models import build_mlp

    digits = load_digits()
    setup.set_seed(seed)
    model = build_mlp(FIX_DEPTH, FIX_UNITS, activation, kernel_initializer)
    ratio = _first_to_last_ratio(model, digits.x_train[:256], digits.y_train[:256])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(digits.x_train, digits.y_train, validation_data=(digits.x_val, digits.y_val),
                        epochs=FIX_EPOCHS, batch_size=32, verbose=0)
    return ratio, float(history.history["val_accuracy"][-1])


@exercise_check("1.4")
def check_fixed_network(activation: Any, kernel_initializer: Any) -> str:
    """Check the learner's activation and initializer for the exercise 1.4 network.

    Parameters
    ----------
    activation, kernel_initializer
        The learner's choices, as for :func:`utils.models.build_mlp`.
    """
    if is_unfinished(activation) or is_unfinished(kernel_initializer):
        raise NotDone
    try:
        ratio, accuracy = train_fix_candidate(activation, kernel_initializer)
    except ValueError as error:
        raise Failed("an activation and an initializer that build_mlp accepts", f"build_mlp said: {_shorten(error, 400)}") from None
    if not 0.1 <= ratio <= 10:
        raise Failed(
            "a first/last gradient-norm ratio within [0.1, 10]", f"{ratio:.2g}",
            "pair the activation with the initializer designed for it (chapter 2)",
        )
    if accuracy < FIX_TARGET_ACCURACY:
        raise Failed(
            f"a validation accuracy of at least {FIX_TARGET_ACCURACY:.2f} after {FIX_EPOCHS} epochs",
            f"{accuracy:.3f}",
            "the gradients flow; try a nonsaturating activation with its matching initializer",
        )
    return (f"the gradient ratio is {ratio:.2f} and the network reaches a validation accuracy "
            f"of {accuracy:.3f} (at least {FIX_TARGET_ACCURACY:.2f}).")


# ---------------------------------------------------------------------------
# Lab 2: initializers from scratch
# ---------------------------------------------------------------------------

FAN_SHAPES: tuple[tuple[int, ...], ...] = ((784, 256), (64, 10), (3, 3, 16, 32), (5, 5, 3, 8), (3, 3, 3, 4, 8))


@exercise_check("2.1")
def check_compute_fans(compute_fans: Callable[..., Any]) -> str:
    """Compare the learner's ``compute_fans(shape)`` with :func:`utils.initializers.compute_fans`.

    Parameters
    ----------
    compute_fans : callable
        The learner's function, returning ``(fan_in, fan_out)``.
    """
    import math

    from utils import initializers

    for shape in FAN_SHAPES:
        expected = initializers.compute_fans(shape)
        found = call_student(compute_fans, shape, given=f"shape {shape}")
        try:
            found = tuple(int(v) for v in found)
        except (TypeError, ValueError):
            raise Failed(f"a pair (fan_in, fan_out) for shape {shape}", repr(found)) from None
        if found == expected:
            continue
        if found == expected[::-1]:
            hint = "fan_in and fan_out are swapped: Keras kernels are (..., inputs, outputs)"
        elif len(shape) > 2 and found == (shape[-2], shape[-1]):
            hint = (f"a convolution unit sees a receptive field of {math.prod(shape[:-2])} weights "
                    "per channel: multiply both fans by the product of the kernel size")
        else:
            hint = "fan_in is the second-to-last dimension, fan_out the last, both times the receptive field"
        raise Failed(f"{expected} for shape {shape}", f"{found}", hint)
    return f"compute_fans is right on {len(FAN_SHAPES)} dense and convolution shapes."


_INITIALIZER_SCHEMES = {
    "glorot_uniform": ("glorot", "uniform"),
    "he_normal": ("he", "normal"),
    "lecun_normal": ("lecun", "normal"),
}


@exercise_check("2.2")
def check_initializer(initializer_class: Any, name: str) -> str:
    """Check a from-scratch initializer class against the closed form of ``name``.

    Parameters
    ----------
    initializer_class : type
        The learner's ``keras.initializers.Initializer`` subclass; it is
        created with ``initializer_class(seed=...)``.
    name : {"glorot_uniform", "he_normal", "lecun_normal"}
        Which scheme it implements.
    """
    import numpy as np

    from utils import initializers
    from utils._tensorflow import keras

    if name not in _INITIALIZER_SCHEMES:
        raise Failed(f"name to be one of {sorted(_INITIALIZER_SCHEMES)}", repr(name))
    if is_unfinished(initializer_class):
        raise NotDone
    if not (isinstance(initializer_class, type) and issubclass(initializer_class, keras.initializers.Initializer)):
        raise Failed("a subclass of keras.initializers.Initializer (the class itself)", repr(initializer_class))
    scheme, distribution = _INITIALIZER_SCHEMES[name]
    instance = call_student(initializer_class, seed=3, given="seed=3")
    for shape in ((1000, 500), (3, 3, 64, 128)):
        weights = call_student(instance, shape, given=f"shape {shape}")
        weights = np.asarray(weights, dtype="float64")
        if weights.shape != shape:
            raise Failed(f"an array of shape {shape}", f"shape {weights.shape}")
        expected_std = initializers.compute_std(shape, scheme)
        std = float(weights.std())
        if abs(std / expected_std - 1) > 0.03:
            ratio = std / expected_std
            hint = "check which fan the scheme uses (Glorot: fan_avg; He and LeCun: fan_in)"
            if abs(ratio - np.sqrt(3)) < 0.05 or abs(ratio - 1 / np.sqrt(3)) < 0.05:
                hint = "a uniform U(-r, r) has std r / sqrt(3): the limit r is sqrt(3) times the std"
            elif abs(ratio - np.sqrt(2)) < 0.05 or abs(ratio - 1 / np.sqrt(2)) < 0.05:
                hint = "off by a factor sqrt(2): check the scale (He uses 2) and which fan you divide by"
            raise Failed(f"std {expected_std:.4g} for shape {shape}", f"{std:.4g} ({ratio:.2f} times)", hint)
        if abs(weights.mean()) > 0.05 * expected_std:
            raise Failed("mean 0", f"{weights.mean():.3g}", "draw symmetrically around 0")
        limit = np.sqrt(3) * expected_std
        if distribution == "uniform":
            if np.abs(weights).max() > limit * 1.0001 or np.abs(weights).max() < 0.99 * limit:
                raise Failed(f"values in [-{limit:.4g}, {limit:.4g}] reaching the limits",
                             f"max |w| = {np.abs(weights).max():.4g}", "draw from U(-r, r) with r = sqrt(3) * std")
        elif np.abs(weights).max() <= limit * 1.0001:
            raise Failed("a normal distribution (values beyond sqrt(3) std)",
                         "values that all lie within a uniform's limits", "draw from a normal, not a uniform")
    again = np.asarray(call_student(initializer_class(seed=3), (1000, 500), given="seed=3 again"))
    first = np.asarray(call_student(initializer_class(seed=3), (1000, 500), given="seed=3"))
    if not np.array_equal(again, first):
        raise Failed("the same kernel for the same seed", "different kernels",
                     "pass seed=self.seed to keras.random.normal / uniform")
    return f"{initializer_class.__name__} matches {name} (std and limits, dense and convolution kernels, seeded)."


#: The recommended scheme for each activation (chapter 2's table).
RECOMMENDED_SCHEME = {
    "sigmoid": "glorot", "tanh": "glorot", "softmax": "glorot",
    "relu": "he", "leaky_relu": "he", "elu": "he", "selu": "lecun",
}
_WHY = {
    "sigmoid": "sigmoid is roughly linear around 0 with no factor-2 loss: Glorot's fan_avg compromise",
    "tanh": "tanh is symmetric and linear around 0, so the plain variance argument gives Glorot",
    "softmax": "a softmax output layer is treated like the logistic: Glorot",
    "relu": "ReLU zeroes half its inputs, halving the second moment: He's factor 2 makes up for it",
    "leaky_relu": "Leaky ReLU is ReLU with a small slope: He, with factor 2 / (1 + a^2)",
    "elu": "ELU behaves like ReLU for positive inputs: He initialization",
    "selu": "SELU self-normalizes only with LeCun normal weights (Klambauer et al., 2017)",
}


@exercise_check("2.3")
def check_initializer_matching(matching: dict[str, str]) -> str:
    """Check the learner's activation -> scheme table.

    Parameters
    ----------
    matching : dict
        Each activation of :data:`RECOMMENDED_SCHEME` mapped to ``"glorot"``,
        ``"he"`` or ``"lecun"``.
    """
    if is_unfinished(matching):
        raise NotDone
    if not isinstance(matching, dict) or set(matching) != set(RECOMMENDED_SCHEME):
        found = sorted(matching) if isinstance(matching, dict) else type(matching).__name__
        raise Failed(f"a dict with the keys {sorted(RECOMMENDED_SCHEME)}", f"{found}")
    normalized = {k: str(v).lower() for k, v in matching.items()}
    unknown = {k: v for k, v in normalized.items() if v not in {"glorot", "he", "lecun"}}
    if unknown:
        raise Failed("each value to be 'glorot', 'he' or 'lecun'", f"{unknown}")
    wrong = [a for a in RECOMMENDED_SCHEME if normalized[a] != RECOMMENDED_SCHEME[a]]
    if wrong:
        reasons = "; ".join(f"{a}: not {normalized[a]}, because {_WHY[a]}" for a in wrong)
        raise Failed("every activation matched", f"{len(wrong)} to revisit", reasons)
    return "every activation has its initializer."


def _same_kernel(args: Any, name: str) -> bool:
    import numpy as np

    from utils._tensorflow import keras

    named = keras.initializers.get({"class_name": name, "config": {"seed": 5}})
    general = keras.initializers.VarianceScaling(**args, seed=5)
    return bool(np.array_equal(np.asarray(named((300, 200))), np.asarray(general((300, 200)))))


@exercise_check("2.4")
def check_variance_scaling(he_uniform_args: dict[str, Any], glorot_normal_args: dict[str, Any]) -> str:
    """Check ``VarianceScaling`` arguments equivalent to ``he_uniform`` and ``glorot_normal``.

    Parameters
    ----------
    he_uniform_args, glorot_normal_args : dict
        Keyword arguments ``scale``, ``mode`` and ``distribution``.
    """
    for name, args in (("he_uniform", he_uniform_args), ("glorot_normal", glorot_normal_args)):
        if is_unfinished(args):
            raise NotDone
        if not isinstance(args, dict) or set(args) != {"scale", "mode", "distribution"}:
            raise Failed(f"a dict with keys 'distribution', 'mode', 'scale' for {name}", repr(args))
        try:
            same = _same_kernel(args, name)
        except ValueError as error:
            raise Failed(f"arguments VarianceScaling accepts for {name}", f"VarianceScaling said: {_shorten(error)}") from None
        if not same:
            raise Failed(
                f"VarianceScaling(**{name}_args) to draw the same kernel as {name!r}", f"{args}",
                "scale is the numerator of the variance, mode picks the fan, distribution the shape",
            )
    return "both VarianceScaling forms draw exactly the same kernels as the named initializers."


#: Exercise 2.5: a 50-layer tanh network, and the band its signal must stay in.
TANH_DEPTH, TANH_UNITS, TANH_STD_BAND, TANH_GRADIENT_BAND = 50, 64, (0.3, 0.8), (0.1, 10.0)


@exercise_check("2.5")
def check_tanh_initializer(kernel_initializer: Any) -> str:
    """Check that an initializer keeps a deep tanh network's signal in a band, both ways.

    A ``TANH_DEPTH``-layer tanh MLP of ``TANH_UNITS`` units, probed with 256
    digits for two seeds, must keep every layer's activation std within
    ``TANH_STD_BAND`` and its first/last gradient-norm ratio within
    ``TANH_GRADIENT_BAND``.

    Parameters
    ----------
    kernel_initializer : str or keras.initializers.Initializer
        As for :func:`utils.models.build_mlp`.
    """
    from utils import diagnostics

    if is_unfinished(kernel_initializer):
        raise NotDone
    x, y = _digits_batch()
    low, high = TANH_STD_BAND
    for seed in (0, 1):
        try:
            result = diagnostics.compute_signal_propagation(
                x, y, activation="tanh", kernel_initializer=kernel_initializer,
                num_layers=TANH_DEPTH, units=TANH_UNITS, seed=seed,
            )
        except ValueError as error:
            raise Failed("an initializer build_mlp accepts", f"build_mlp said: {_shorten(error, 400)}") from None
        std = result.activation_std
        if std.min() < low or std.max() > high:
            hint = ("the signal fades: the variance needs a larger scale" if std.min() < low
                    else "the signal is too large: lower the scale")
            raise Failed(f"every layer's std within [{low}, {high}]",
                         f"std from {std.min():.2f} to {std.max():.2f} (seed {seed})", hint)
        norms = result.gradient_norms
        ratio = float(norms[0] / norms[-1])
        if not TANH_GRADIENT_BAND[0] <= ratio <= TANH_GRADIENT_BAND[1]:
            raise Failed(f"a first/last gradient ratio within {list(TANH_GRADIENT_BAND)}", f"{ratio:.3g} (seed {seed})",
                         "too large a scale makes gradients grow backwards: aim between LeCun (1) and He (2)")
    return (f"every layer's std stays within [{low}, {high}] and the gradient ratio within "
            f"{list(TANH_GRADIENT_BAND)}, for two seeds.")


# ---------------------------------------------------------------------------
# Lab 3: activations from scratch
# ---------------------------------------------------------------------------

_ACTIVATION_HINTS = {
    "leaky_relu": "leaky_relu(z) = z for z > 0 and negative_slope * z otherwise",
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
        raise Failed(f"{name}({zs[where]:.3f}) = {expected_values[where]:.6f}",
                     f"{found_values[where]:.6f}", _ACTIVATION_HINTS[name])
    gradient = tape.gradient(found, z)
    if gradient is None:
        raise Failed("a gradient that flows back to z", "no gradient",
                     "use keras.ops or tf operations only: NumPy calls break the gradient tape")
    expected_gradient = np.asarray(tape.gradient(expected, z), dtype="float64")
    bad = ~np.isclose(np.asarray(gradient, dtype="float64"), expected_gradient, rtol=1e-6, atol=1e-6)
    if bad.any():
        where = int(np.argmax(bad))
        raise Failed(f"derivative {expected_gradient[where]:.6f} at z = {zs[where]:.3f}",
                     f"{float(np.asarray(gradient)[where]):.6f}", _ACTIVATION_HINTS[name])
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
        raise Failed("inference outputs -(lower + upper) / 2 = -0.2 for x = -1",
                     f"{_format_array(np.unique(infer.round(6)))}",
                     "with training=False, multiply negative inputs by the mean slope")
    if train.min() < -0.3 - 1e-6 or train.max() > -0.1 + 1e-6:
        raise Failed("training outputs in [-0.3, -0.1] for x = -1", f"values from {train.min():.3f} to {train.max():.3f}",
                     "draw each slope from U(lower, upper), for example with keras.random.uniform")
    if train.std() < 0.03:
        raise Failed("a different random slope for each element in training", f"a spread of only {train.std():.3f}",
                     "draw one slope per element: keras.random.uniform(ops.shape(inputs), lower, upper, ...)")
    if abs(train.mean() + 0.2) > 0.01:
        raise Failed("training outputs averaging -0.2 for x = -1", f"{train.mean():.3f}",
                     "the slopes must be uniform between lower and upper")
    for mode in (True, False):
        out = np.asarray(call_student(layer, positive, training=mode, given=f"x > 0, training={mode}"))
        if not np.allclose(out, positive, atol=1e-6):
            raise Failed(f"positive inputs unchanged (training={mode})", "changed values",
                         "only negative inputs get a slope: use keras.ops.where(inputs >= 0, inputs, slope * inputs)")
    return "random slopes in training, the mean slope in inference, positive inputs untouched."


#: Exercise 3.3: the network whose units die, and how it dies.
DEAD_NETWORK = {"num_layers": 4, "units": 32, "learning_rate": 1.0, "seed": 0}


def build_dead_network() -> Any:
    """A 4-layer ReLU MLP trained for one epoch with SGD at learning rate 1.0, which kills units.

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
    model = build_mlp(DEAD_NETWORK["num_layers"], DEAD_NETWORK["units"], "relu",
                      keras.initializers.HeNormal(seed=DEAD_NETWORK["seed"]))
    model.compile(optimizer=keras.optimizers.SGD(DEAD_NETWORK["learning_rate"]),
                  loss="sparse_categorical_crossentropy")
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
    found = _as_float_array(call_student(count_dead_units, model, x, given="the dead network and x_val"),
                            "the counts")
    if found.shape != expected.shape or not np.array_equal(found, expected):
        total_zero = np.rint(diagnostics.activation_stats(model, x).zero_fraction * units * len(x)).astype(int)
        hint = ("a unit is dead only if it outputs 0 for *every* example: "
                "np.all(outputs == 0, axis=0), then count per layer")
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
        raise Failed("a network with hidden Dense layers", _shorten(error)) from None
    dead_dense = diagnostics.hidden_layers(dead)
    if len(revived_dense) != len(dead_dense):
        raise Failed(f"{len(dead_dense)} hidden Dense layers, like the dead network", f"{len(revived_dense)}")
    for old, new in zip(dead_dense, revived_dense):
        if old.kernel.shape != new.kernel.shape or not np.allclose(old.kernel.numpy(), new.kernel.numpy()):
            raise Failed(f"the dead network's weights in {new.name}", "other weights",
                         "copy them: new_layer.set_weights(old_layer.get_weights())")
    if not any(isinstance(layer, keras.layers.LeakyReLU) for layer in revived.layers):
        raise Failed("LeakyReLU activation layers", "none",
                     "build it with activation=lambda: keras.layers.LeakyReLU(negative_slope=0.1)")
    digits = load_digits()
    kernels = [layer.kernel for layer in revived_dense]
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(digits.y_val, revived(digits.x_val)))
    silent = [int(np.sum(np.all(np.asarray(g) == 0, axis=0))) for g in tape.gradient(loss, kernels)]
    if any(silent):
        raise Failed("every unit to receive a gradient", f"{silent} units per layer with none",
                     "every hidden layer needs a LeakyReLU after it")
    return "same weights, and every unit receives a gradient again: none is dead, the silent ones are only in a coma."


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
        raise Failed("a built network with 64 inputs and hidden Dense layers", _shorten(error)) from None
    if len(stats.std) < SELU_DEPTH:
        raise Failed(f"at least {SELU_DEPTH} hidden layers", f"{len(stats.std)}")
    low, high = SELU_STD_BAND
    outside = np.flatnonzero((stats.std < low) | (stats.std > high))
    if outside.size:
        first = int(outside[0])
        raise Failed(f"every layer's std within [{low}, {high}]",
                     f"{stats.std[first]:.3g} at layer {first + 1} (range {stats.std.min():.3g} to {stats.std.max():.3g})",
                     "self-normalization needs SELU, LeCun normal initialization and standardized inputs")
    return f"all {len(stats.std)} layers keep their std between {stats.std.min():.2f} and {stats.std.max():.2f}."
