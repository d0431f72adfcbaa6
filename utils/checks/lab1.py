"""Checks for lab 1, diagnose gradients."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from utils.checks._framework import (
    Failed,
    NotDone,
    StudentError,
    a_type,
    as_float_array,
    call_student,
    digits_batch,
    exercise_check,
    format_array,
    format_number,
    innermost_file,
    is_unfinished,
    learner_code,
    normalize_choice,
    register_answers,
    require_finite,
    shorten,
)

__all__ = [
    "BARELY_MOVED_BELOW",
    "DIAGNOSES",
    "FixRun",
    "build_mystery_models",
    "check_barely_moved",
    "check_fixed_network",
    "check_gradient_norms",
    "check_mystery_diagnosis",
    "check_relative_change",
    "diagnose",
    "train_fix_candidate",
]

#: The verdicts of exercise 1.2. The slope of a gradient profile is its first/last ratio: below
#: VANISHING_BELOW it vanishes towards the input, above EXPLODING_ABOVE it explodes. A level
#: profile (a ratio between the two) is read by its height: every layer's norm below
#: VANISHED_BELOW means the gradient has vanished in every layer at once, every norm above
#: EXPLODED_ABOVE that it has exploded in every layer (chapter 1, "Level is not the same as healthy").
DIAGNOSES = ("vanishing", "exploding", "healthy")
VANISHING_BELOW, EXPLODING_ABOVE = 1e-2, 1e2
VANISHED_BELOW, EXPLODED_ABOVE = 1e-4, 1e4


def _mystery_configurations() -> dict[str, tuple[str, Any]]:
    from utils._tensorflow import keras

    # Kept out of the lab's text on purpose: the learner diagnoses by measuring.
    # Two profiles slope (a, c), two are level at the wrong height (b, e), one is healthy (d).
    return {
        "model_a": ("tanh", keras.initializers.RandomNormal(stddev=1.0, seed=11)),
        "model_b": ("linear", keras.initializers.RandomNormal(stddev=0.4, seed=12)),
        "model_c": ("sigmoid", keras.initializers.RandomNormal(stddev=0.1, seed=13)),
        "model_d": ("relu", keras.initializers.HeNormal(seed=14)),
        "model_e": ("tanh", keras.initializers.RandomNormal(stddev=0.02, seed=15)),
    }


def build_mystery_models() -> dict[str, Any]:
    """Five freshly initialized 12-layer MLPs for exercise 1.2, by name.

    Their activations and initializers are deliberately not documented:
    diagnose them by measuring.

    Returns
    -------
    dict of str to keras.Model
        ``{"model_a": ..., ..., "model_e": ...}``, for the digits data
        (64 inputs, 10 classes).
    """
    from utils.models import build_mlp

    return {
        name: build_mlp(num_layers=12, units=64, activation=activation, kernel_initializer=initializer, name=name)
        for name, (activation, initializer) in _mystery_configurations().items()
    }


def _ratio(norms: Any) -> float:
    first, last = float(norms[0]), float(norms[-1])
    if last == 0.0:
        # No gradient even at the top: nothing flows, which counts as vanishing.
        return 0.0 if first == 0.0 else float("inf")
    return first / last


def diagnose(norms: Any) -> str:
    """Give the verdict of exercise 1.2 for per-layer gradient norms (input to output): slope, then height.

    Parameters
    ----------
    norms : array-like, shape (layers,)
        Gradient norms, input to output.

    Returns
    -------
    str
        One of :data:`DIAGNOSES`.

    Examples
    --------
    >>> diagnose([1e-9, 1e-5, 1e-1])
    'vanishing'
    """
    import numpy as np

    norms = np.asarray(norms, dtype=float)
    ratio = _ratio(norms)
    if ratio < VANISHING_BELOW:
        return "vanishing"
    if ratio > EXPLODING_ABOVE:
        return "exploding"
    if norms.max() < VANISHED_BELOW:
        return "vanishing"
    if norms.min() > EXPLODED_ABOVE:
        return "exploding"
    return "healthy"


def _listed(value: Any) -> Any:
    """Read a generator or a ``map`` of numbers as the list it yields; anything else as it is."""
    if isinstance(value, Iterator):
        with learner_code("reading the numbers your function yields"):
            return list(value)
    return value


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

    x, y = digits_batch(128)
    # Three depths, activations and batches (float32 and float64 inputs): one hard-coded profile fails.
    # Each model is built when its turn comes, so that a wrong answer fails after one.
    cases = (
        ("a 6-layer sigmoid MLP", lambda: build_mlp(6, 32, "sigmoid", keras.initializers.GlorotUniform(seed=1)), x, y),
        (
            "a 4-layer tanh MLP with N(0, 1) weights (float64 inputs)",
            lambda: build_mlp(4, 32, "tanh", keras.initializers.RandomNormal(stddev=1.0, seed=2)),
            x[:96].astype(np.float64),
            y[:96],
        ),
        (
            "a 3-layer MLP with PReLU activation layers",
            lambda: build_mlp(3, 16, keras.layers.PReLU, keras.initializers.HeNormal(seed=3)),
            x[:32],
            y[:32],
        ),
    )
    for description, build, inputs, labels in cases:
        model = build()
        expected = diagnostics.gradient_norms(model, inputs, labels)
        found = as_float_array(
            _listed(call_student(gradient_norms, model, inputs.copy(), labels.copy(), given=description)),
            f"the norms for {description}",
        )
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
            elif np.allclose(found, expected * len(labels), rtol=1e-3):
                hint = "these are the gradients of the loss summed over the batch: take its mean"
            else:
                hint = (
                    "take the gradient of the mean cross-entropy loss with respect to each hidden "
                    "layer's kernel (layer.kernel), not its bias, then its L2 norm"
                )
            raise Failed(f"{format_array(expected)} for {description}", format_array(found), hint)
    return "your gradient norms match utils.diagnostics.gradient_norms on 3 different models."


@functools.cache
def _mystery_verdicts() -> dict[str, str]:
    """Diagnose each mystery model once: its seeded weights give the same verdict on every call."""
    from utils.diagnostics import gradient_norms

    x, y = digits_batch()
    return {name: diagnose(gradient_norms(model, x, y)) for name, model in build_mystery_models().items()}


def _describe_keys(keys: Any) -> str:
    return "[" + ", ".join(sorted(repr(key) for key in keys)) + "]"


@exercise_check("1.2")
def check_mystery_diagnosis(diagnosis: dict[str, str]) -> str:
    """Check the learner's verdict for each mystery model.

    Verdicts and model names are read with :func:`~utils.checks._framework.normalize_choice`
    (case and surrounding spaces ignored). A failure names the wrong verdicts but no
    measurement: the learner reads those from their own norms.

    Parameters
    ----------
    diagnosis : dict
        ``{"model_a": "vanishing" | "exploding" | "healthy", ...}``, one verdict
        per model of :func:`build_mystery_models`.
    """
    if is_unfinished(diagnosis):
        raise NotDone
    names = sorted(_mystery_configurations())
    if not isinstance(diagnosis, dict):
        raise Failed(f"a dict with the keys {names}", a_type(diagnosis), "give one verdict per mystery model")
    verdicts = {normalize_choice(key): normalize_choice(value) for key, value in diagnosis.items()}
    if len(verdicts) != len(diagnosis) or set(verdicts) != set(names):
        raise Failed(f"a dict with the keys {names}", _describe_keys(diagnosis), "give one verdict per mystery model")
    unknown = {
        name: diagnosis_value for name, diagnosis_value in verdicts.items() if not _is_diagnosis(diagnosis_value)
    }
    if unknown:
        shown = ", ".join(f"{name!r}: {shorten(repr(value), 40)}" for name, value in sorted(unknown.items()))
        raise Failed(f"each verdict to be one of {list(DIAGNOSES)}", "{" + shown + "}")
    expected = _mystery_verdicts()
    wrong = [f"{name} is not {verdicts[name]}" for name in names if verdicts[name] != expected[name]]
    if wrong:
        raise Failed(
            f"all {len(names)} verdicts right",
            f"{len(wrong)} wrong: " + "; ".join(wrong),
            f"read the slope first: below {VANISHING_BELOW:g} the gradient vanishes towards the input, above "
            f"{EXPLODING_ABOVE:g} it explodes; then the height of a level profile: every norm below "
            f"{VANISHED_BELOW:g} has vanished, every norm above {EXPLODED_ABOVE:g} has exploded",
        )
    return f"all {len(names)} diagnoses are right."


def _is_diagnosis(value: Any) -> bool:
    return isinstance(value, str) and value in DIAGNOSES


#: Exercise 1.3: a layer "barely moved" if its kernel changed by less than this fraction.
BARELY_MOVED_BELOW = 0.01


def _relative_change_cases() -> list[tuple[str, list[Any], list[Any]]]:
    """Kernels before and after, for exercise 1.3a: shapes, counts, magnitudes, signs and dtypes vary."""
    import numpy as np

    rng = np.random.default_rng(0)
    before = [rng.standard_normal(shape) for shape in ((64, 32), (32, 32), (32, 10))]
    after = [w + scale * rng.standard_normal(w.shape) for w, scale in zip(before, (1e-4, 0.02, 0.5), strict=True)]
    # float32 kernels of other shapes and sizes: one unchanged, one sign-flipped (a change of 2).
    large = [(1e3 * rng.standard_normal(shape)).astype(np.float32) for shape in ((8, 5), (5, 5), (5, 3), (3, 2))]
    large_after = [large[0].copy(), -large[1], large[2] * np.float32(1.5), large[3] + np.float32(7.0)]
    single = [rng.uniform(-0.01, 0.01, size=(16, 4))]
    return [
        ("three random kernels", before, after),
        ("four float32 kernels of about 1000 (one unchanged, one negated)", large, large_after),
        ("one kernel of small weights", single, [single[0] * 0.9]),
    ]


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

    for description, before, after in _relative_change_cases():
        expected = diagnostics.relative_weight_change(before, after)
        found = as_float_array(
            _listed(
                call_student(
                    relative_change,
                    [w.copy() for w in before],
                    [w.copy() for w in after],
                    given=description,
                )
            ),
            f"the changes for {description}",
        )
        if found.shape != expected.shape:
            raise Failed(f"{expected.size} values for {description}, one per kernel", f"{found.size}")
        # float32 kernels: a learner's float32 norms agree with the float64 reference to about 1e-6.
        if not np.allclose(found, expected, rtol=1e-5, atol=1e-12):
            absolute = np.array([np.linalg.norm(a - b) for a, b in zip(after, before, strict=True)], dtype=float)
            relative_to_after = absolute / np.array([np.linalg.norm(a) for a in after], dtype=float)
            if np.allclose(found, absolute, rtol=1e-5):
                hint = "divide by the norm of the kernel before training, to make the change relative"
            elif np.allclose(found, relative_to_after, rtol=1e-5):
                hint = "divide by the norm of the kernel *before* training, not after"
            elif np.allclose(found, expected**2, rtol=1e-5):
                hint = "take the norms themselves (np.linalg.norm), not their squares"
            else:
                hint = "np.linalg.norm(after - before) / np.linalg.norm(before), for each kernel"
            raise Failed(f"{format_array(expected)} for {description}", format_array(found), hint)
    return "relative_change matches utils.diagnostics.relative_weight_change on 3 sets of kernels."


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
    import numpy as np

    from utils import diagnostics

    if is_unfinished(barely_moved):
        raise NotDone
    example = "a list of layer names such as ['hidden_1', 'hidden_2']"
    if isinstance(barely_moved, (str, bytes, dict)) or not isinstance(barely_moved, (list, tuple, set, np.ndarray)):
        raise Failed(example, f"{shorten(repr(barely_moved), 60)} ({a_type(barely_moved)})")
    given = (
        list(np.asarray(barely_moved, dtype=object).ravel())
        if isinstance(barely_moved, np.ndarray)
        else list(barely_moved)
    )
    if not all(isinstance(name, str) for name in given):
        numbers = [v for v in given if isinstance(v, (int, float, np.number)) and not isinstance(v, bool)]
        if given and len(numbers) == len(given):
            raise Failed(
                example,
                f"numbers, {format_array(numbers)}",
                "give the names of the layers, not their changes or indices",
            )
        raise Failed(example, shorten(repr(given), 80))
    chosen = [normalize_choice(name) for name in given]
    changes = require_finite(diagnostics.relative_weight_change(before, model), "the layers' relative changes")
    names = [layer.name for layer in diagnostics.hidden_layers(model)]
    unknown = sorted(set(chosen) - set(names))
    if unknown:
        raise Failed(
            f"names of hidden layers, {names[0]!r} to {names[-1]!r}",
            f"{unknown}",
            "name the layers as the model does: 'hidden_1' is the first hidden layer",
        )
    if len(set(chosen)) != len(chosen):
        repeated = sorted({name for name in chosen if chosen.count(name) > 1})
        raise Failed("each layer named once", f"{repeated} more than once")
    expected = [name for name, change in zip(names, changes, strict=True) if change < BARELY_MOVED_BELOW]
    if set(chosen) != set(expected):
        extra = sorted(set(chosen) - set(expected), key=names.index)
        missing = sorted(set(expected) - set(chosen), key=names.index)
        detail = "; ".join(
            part
            for part in (
                f"these moved by 1 % or more: {extra}" if extra else "",
                # Counted, not named: the names would be the answer.
                f"{len(missing)} that moved by less than 1 % missing" if missing else "",
            )
            if part
        )
        raise Failed(
            f"{len(expected)} layers",
            f"{len(chosen)} ({detail})",
            f"compare each layer's relative change with {BARELY_MOVED_BELOW:g}",
        )
    return f"{len(expected)} of the {len(names)} hidden layers moved by less than 1 % of their size."


#: Exercise 1.4: the network to fix, how it is trained, and the bar it must clear. The bar sits
#: between chance (0.10, where the vanishing network stays) and the 0.80 to 0.87 that ReLU with He
#: initialization reaches over seeds 0-4 (tests/test_checks_lab1.py).
FIX_DEPTH, FIX_UNITS, FIX_EPOCHS, FIX_BATCH_SIZE, FIX_LEARNING_RATE = 15, 32, 8, 32, 1e-3
FIX_TARGET_ACCURACY = 0.5
FIX_RATIO_BAND = (0.1, 10.0)
ADAM_EPSILON = 1e-7  # Keras' default


@dataclass(frozen=True)
class FixRun:
    """What one training run of the exercise 1.4 network measured.

    Attributes
    ----------
    gradient_norms : numpy.ndarray, shape (layers,)
        Norm of each hidden kernel's loss gradient at initialization, on 256
        training digits, input to output.
    gradient_rms : numpy.ndarray, shape (layers,)
        The same gradient per weight: its root mean square over the kernel's
        weights, the size Adam compares with its epsilon.
    input_spread : numpy.ndarray, shape (layers,)
        At initialization, the standard deviation of each unit's output across
        the validation digits, averaged over the layer's units: how much of the
        input still tells the digits apart at that layer.
    relative_change : numpy.ndarray, shape (layers,)
        ``||W_after - W_before|| / ||W_before||`` of each hidden kernel after training.
    val_accuracy : float
        Validation accuracy after training.
    steps : int
        Optimizer steps taken (``FIX_EPOCHS`` epochs of batches of ``FIX_BATCH_SIZE``).
    """

    gradient_norms: Any
    gradient_rms: Any
    input_spread: Any
    relative_change: Any
    val_accuracy: float
    steps: int

    @property
    def ratio(self) -> float:
        """First-to-last gradient-norm ratio at initialization."""
        return _ratio(self.gradient_norms)


#: Compiled exercise 1.4 networks, by (activation, epsilon, steps per epoch) when the activation and the
#: initializer are names: tracing the training step takes longer than the training itself, and the checks
#: and their tests train the same activation for several seeds and initializers. The initializer is no
#: part of the key: the cached network gets the new network's weights, and its training step never reads it.
_COMPILED_FIX_NETWORKS: dict[tuple[Any, ...], Any] = {}


def _compiled_fix_network(
    model: Any, activation: Any, kernel_initializer: Any, epsilon: float, steps_per_epoch: int
) -> Any:
    """Return a compiled network holding ``model``'s weights, with a fresh Adam: ``model`` or a cached one.

    Training the cached network from the same weights gives the same weights, bit for bit, as
    compiling ``model`` itself (the optimizer's state is reset, its learning rate restored).
    """
    from utils._tensorflow import keras

    key = (activation, float(epsilon), steps_per_epoch)
    cacheable = isinstance(activation, str) and isinstance(kernel_initializer, str)
    if not cacheable or key not in _COMPILED_FIX_NETWORKS:
        model.compile(
            optimizer=keras.optimizers.Adam(FIX_LEARNING_RATE, epsilon=epsilon),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
            # One call into TensorFlow per epoch, not per batch: the same steps, a third faster.
            steps_per_execution=steps_per_epoch,
        )
        if cacheable:
            _COMPILED_FIX_NETWORKS[key] = model
        return model
    cached = _COMPILED_FIX_NETWORKS[key]
    cached.set_weights(model.get_weights())
    for variable in cached.optimizer.variables:  # iterations, moments ... and the learning rate
        variable.assign(keras.ops.zeros_like(variable))
    cached.optimizer.learning_rate.assign(FIX_LEARNING_RATE)
    return cached


def _fix_network_at_init(activation: Any, kernel_initializer: Any, seed: int) -> tuple[Any, Any]:
    """Seed, build the exercise 1.4 network and measure its gradient norms on 256 training digits."""
    from utils import diagnostics, setup
    from utils.data import load_digits
    from utils.models import build_mlp

    digits = load_digits()
    setup.set_seed(seed)
    model = build_mlp(FIX_DEPTH, FIX_UNITS, activation, kernel_initializer)
    return model, diagnostics.gradient_norms(model, digits.x_train[:256], digits.y_train[:256])


def train_fix_candidate(
    activation: Any, kernel_initializer: Any, seed: int = 0, *, epsilon: float = ADAM_EPSILON
) -> FixRun:
    """Build, measure and train the exercise 1.4 network.

    A ``FIX_DEPTH``-layer MLP of ``FIX_UNITS`` units is measured at
    initialization, then trained on the digits data with Adam (learning rate
    ``FIX_LEARNING_RATE``, batches of ``FIX_BATCH_SIZE``) for ``FIX_EPOCHS`` epochs.

    Parameters
    ----------
    activation, kernel_initializer
        As for :func:`utils.models.build_mlp`.
    seed : int
        Seeds Python, NumPy and Keras before building (this resets their state).
    epsilon : float
        Adam's epsilon, added to the root mean square of the recent gradients
        in the denominator of each step (Keras' default is 1e-7).

    Returns
    -------
    FixRun
        The measurements at initialization and after training.
    """
    import numpy as np

    from utils import diagnostics, training
    from utils.data import load_digits

    digits = load_digits()
    model, norms = _fix_network_at_init(activation, kernel_initializer, seed)
    sizes = np.array([layer.kernel.shape[0] * layer.kernel.shape[1] for layer in diagnostics.hidden_layers(model)])
    spread = np.array(
        [float(np.mean(np.std(output, axis=0))) for output in diagnostics.layer_outputs(model, digits.x_val)]
    )
    before = diagnostics.kernel_snapshot(model)
    steps_per_epoch = -(-len(digits.x_train) // FIX_BATCH_SIZE)
    model = _compiled_fix_network(model, activation, kernel_initializer, epsilon, steps_per_epoch)
    # fit then traces its training step once, not twice (the same training, bit for bit).
    training.build_for_fit(model, digits.x_train[:FIX_BATCH_SIZE], digits.y_train[:FIX_BATCH_SIZE])
    model.fit(digits.x_train, digits.y_train, epochs=FIX_EPOCHS, batch_size=FIX_BATCH_SIZE, verbose=0)
    val_accuracy = model.evaluate(digits.x_val, digits.y_val, verbose=0, return_dict=True)["accuracy"]
    optimizer = model.optimizer
    return FixRun(
        gradient_norms=norms,
        gradient_rms=norms / np.sqrt(sizes),
        input_spread=spread,
        relative_change=diagnostics.relative_weight_change(before, model),
        val_accuracy=float(val_accuracy),
        steps=int(optimizer.iterations.numpy()),
    )


@exercise_check("1.4")
def check_fixed_network(activation: Any, kernel_initializer: Any) -> str:
    """Check the learner's activation and initializer for the exercise 1.4 network.

    Parameters
    ----------
    activation, kernel_initializer
        The learner's choices, as for :func:`utils.models.build_mlp`; names are read with
        :func:`~utils.checks._framework.normalize_choice` (``" ReLU"`` is ``"relu"``).

    Notes
    -----
    NaN or infinite initial weights, gradient norms or trained weights fail the check, each with
    the cause it points to; an error raised by the learner's function or initializer object,
    while building, measuring or training, is reported as theirs.
    """
    import math

    import numpy as np

    if is_unfinished(activation) or is_unfinished(kernel_initializer):
        raise NotDone
    # One rule for names in every lab: case and surrounding spaces ignored (Keras' names are lower case).
    activation, kernel_initializer = normalize_choice(activation), normalize_choice(kernel_initializer)
    # The network at initialization first: a ratio or a height out of range fails without training.
    try:
        with learner_code("models.build_mlp(15, 32, ...) with your activation and initializer, at initialization"):
            model, norms = _fix_network_at_init(activation, kernel_initializer, 0)
    except StudentError as outcome:
        if isinstance(outcome.error, ValueError) and _raised_by_the_course(outcome.error):
            raise Failed(
                "an activation and an initializer that build_mlp accepts",
                f"build_mlp said: {shorten(outcome.error, 400)}",
            ) from None
        raise
    weights = np.concatenate([np.ravel(w) for w in model.get_weights()])
    if not np.all(np.isfinite(weights)):
        raise Failed(
            "finite initial weights",
            f"{int(np.sum(~np.isfinite(weights)))} NaN or infinite weights of {weights.size}",
            "your initializer draws them: give it a finite scale",
        )
    if not np.all(np.isfinite(norms)):
        raise Failed(
            "finite gradient norms at initialization",
            format_array(norms),
            "the initial weights are finite, so your activation (or its gradient) gives NaN or inf",
        )
    if not np.any(norms) and _gradient_is_cut(model):
        raise Failed(
            "a gradient that reaches the hidden layers",
            "a gradient of exactly 0 in every hidden layer",
            "no gradient passes through your activation: write it with keras.ops (ops.where, ops.exp, ...); "
            "NumPy breaks the gradient tape, and a constant function has no gradient",
        )
    low, high = FIX_RATIO_BAND
    if not low <= _ratio(norms) <= high:
        raise Failed(
            f"a first/last gradient-norm ratio within [{low:g}, {high:g}]",
            format_number(_ratio(norms)),
            "pair the activation with the initializer designed for it (chapter 2)",
        )
    if diagnose(norms) != "healthy":
        raise Failed(
            f"gradient norms that are not all below {VANISHED_BELOW:g} or all above {EXPLODED_ABOVE:g}",
            f"norms from {format_number(norms.min())} to {format_number(norms.max())}",
            "the profile is level at the wrong height: scale the initial weights for the activation (chapter 2)",
        )
    # Named Keras objects are the course's to train; a function or an object of the learner's is theirs.
    yours = not (isinstance(activation, str) and isinstance(kernel_initializer, str))
    training = f"training the network for {FIX_EPOCHS} epochs with your activation and initializer"
    with learner_code(training) if yours else contextlib.nullcontext():
        run = train_fix_candidate(activation, kernel_initializer)
    require_finite(run.relative_change, "the hidden kernels' relative changes after training")
    if not math.isfinite(run.val_accuracy) or run.val_accuracy < FIX_TARGET_ACCURACY:
        raise Failed(
            f"a validation accuracy of at least {FIX_TARGET_ACCURACY:.2f} after {FIX_EPOCHS} epochs "
            f"({run.steps} steps)",
            format_number(run.val_accuracy),
            "the gradients flow; try a nonsaturating activation with its matching initializer",
        )
    return (
        f"the gradient ratio is {run.ratio:.2f} and the network reaches a validation accuracy "
        f"of {run.val_accuracy:.3f} (at least {FIX_TARGET_ACCURACY:.2f})."
    )


def _gradient_is_cut(model: Any) -> bool:
    """Whether no gradient path joins the loss to the last hidden kernel (NumPy inside the activation cuts it).

    A gradient that vanished to 0 still has a path; a cut one has none, and TensorFlow returns None.
    """
    import tensorflow as tf

    from utils import diagnostics
    from utils._tensorflow import keras

    x, y = digits_batch(32)
    kernel = diagnostics.hidden_layers(model)[-1].kernel
    with learner_code("a forward pass of the network with your activation"), tf.GradientTape() as tape:
        loss = keras.ops.mean(keras.losses.sparse_categorical_crossentropy(y, model(x)))
    return tape.gradient(loss, kernel) is None


def _raised_by_the_course(error: BaseException) -> bool:
    """Whether ``error`` was raised by the course's own argument checks (a name build_mlp does not know)."""
    return innermost_file(error).endswith(("utils/_validation.py", "utils/models.py"))


register_answers("1.1", "my_gradient_norms")
register_answers("1.2", "mystery", "norms", "diagnosis")
register_answers("1.3a", "relative_change")
register_answers("1.3b", "barely_moved")
register_answers("1.4", "activation", "kernel_initializer")
