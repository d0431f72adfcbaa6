"""Checks for lab 1, diagnose gradients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from utils.checks._framework import (
    Failed,
    NotDone,
    _as_float_array,
    _digits_batch,
    _format_array,
    _shorten,
    call_student,
    exercise_check,
    is_unfinished,
)

__all__ = [
    "BARELY_MOVED_BELOW",
    "DIAGNOSES",
    "build_mystery_models",
    "check_barely_moved",
    "check_fixed_network",
    "check_gradient_norms",
    "check_mystery_diagnosis",
    "check_relative_change",
    "train_fix_candidate",
]

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
