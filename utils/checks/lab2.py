"""Checks for lab 2, initializers from scratch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from utils import _validation, vocabulary
from utils.checks._framework import (
    Failed,
    NotDone,
    as_float_array,
    call_student,
    digits_batch,
    exercise_check,
    format_array,
    format_number,
    is_unfinished,
    learner_code,
    normalize_choice,
    register_answers,
    require_finite,
    shorten,
)

__all__ = [
    "FAN_SHAPES",
    "INITIALIZER_SHAPES",
    "LOGISTIC_SCALE",
    "RECOMMENDED_SCHEME",
    "TANH_SEEDS",
    "check_compute_fans",
    "check_initializer",
    "check_initializer_matching",
    "check_tanh_initializer",
    "check_variance_scaling",
    "measure_tanh_initializer",
]

#: Kernels tried by exercise 2.1: Dense (2-D), Conv1D (3-D), Conv2D (4-D) and Conv3D (5-D).
FAN_SHAPES: tuple[tuple[int, ...], ...] = (
    (784, 256),
    (64, 10),
    (5, 16, 32),
    (3, 3, 16, 32),
    (5, 5, 3, 8),
    (1, 1, 64, 128),
    (3, 3, 3, 4, 8),
)


def _read_fans(found: Any, shape: tuple[int, ...]) -> tuple[int, int]:
    """Read the learner's ``(fan_in, fan_out)`` as two whole numbers, or fail saying what is wrong."""
    import numpy as np

    expected = f"a pair (fan_in, fan_out) of whole numbers for shape {shape}"
    if isinstance(found, (str, bytes, dict, set)) or not hasattr(found, "__len__"):
        raise Failed(expected, f"{shorten(repr(found), 60)} ({type(found).__name__})")
    items = list(np.asarray(found, dtype=object).ravel()) if not isinstance(found, (tuple, list)) else list(found)
    if len(items) != 2:
        raise Failed(expected, f"{len(items)} values: {shorten(repr(found), 60)}")
    if any(isinstance(item, (str, bytes)) for item in items):
        raise Failed(expected, f"text: {shorten(repr(found), 60)}", "return numbers, not strings")
    values = as_float_array(items, f"the fans for shape {shape}")
    if not all(value.is_integer() for value in values):
        raise Failed(
            expected,
            format_array(values, digits=8),
            "a fan counts weights, a whole number: multiply integers (math.prod, *), do not divide",
        )
    return int(values[0]), int(values[1])


@exercise_check("2.1")
def check_compute_fans(compute_fans: Callable[..., Any]) -> str:
    """Compare the learner's ``compute_fans(shape)`` with :func:`utils.initializers.compute_fans`.

    Tried on every shape of :data:`FAN_SHAPES`: dense kernels and convolution
    kernels of 3 to 5 dimensions.

    Parameters
    ----------
    compute_fans : callable
        The learner's function, returning ``(fan_in, fan_out)``.
    """
    import math

    from utils import initializers

    for shape in FAN_SHAPES:
        expected = initializers.compute_fans(shape)
        found = _read_fans(call_student(compute_fans, shape, given=f"shape {shape}"), shape)
        if found == expected:
            continue
        if found == expected[::-1]:
            hint = "fan_in and fan_out are swapped: Keras kernels are (..., inputs, outputs)"
        elif len(shape) > 2 and found == (shape[-2], shape[-1]):
            hint = (
                f"a convolution unit sees a receptive field of {math.prod(shape[:-2])} weights "
                "per channel: multiply both fans by the product of the kernel size"
            )
        else:
            hint = "fan_in is the second-to-last dimension, fan_out the last, both times the receptive field"
        raise Failed(f"{expected} for shape {shape}", f"{found}", hint)
    return f"compute_fans is right on {len(FAN_SHAPES)} kernels: dense, and convolution kernels of 3 to 5 dimensions."


#: The initializers of exercise 2.2 (their scheme and distribution: :func:`utils.vocabulary.split_initializer`).
EXERCISE_INITIALIZERS = ("glorot_uniform", "he_normal", "lecun_normal")
#: The kernels exercise 2.2 draws: a large dense one and a convolution one (73,728 weights),
#: so that a sample std lies within 0.3 % (one standard error) of the true one.
INITIALIZER_SHAPES = ((1000, 500), (3, 3, 64, 128))
#: A truncated normal cut at 2 standard deviations has 0.880 times the std of the normal it cuts.
_TRUNCATED_STD = 0.8796256610342398


def _std_hint(std: float, shape: tuple[int, ...], scheme: str, distribution: str) -> str:
    """Name the likely cause of a wrong std: variance as std, uniform limit, scale, fan or truncation.

    Sample stds of the check's kernels lie within 0.3 % of the true one (one standard error), so a
    2 % match to a mistake's std identifies it.
    """
    import math

    from utils import initializers

    fan_in, fan_out = initializers.compute_fans(shape)
    fans = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}
    right_fan = "fan_avg" if scheme == "glorot" else "fan_in"
    right_scale = 2.0 if scheme == "he" else 1.0
    expected_std = initializers.compute_std(shape, scheme)
    uniform_hint = "a uniform U(-r, r) has std r / sqrt(3): the limit r is sqrt(3) times the std"

    def near(value: float, target: float) -> bool:
        return abs(value / target - 1) < 0.02

    if std == 0:
        return "every weight is the same: draw them at random, with keras.random.normal or keras.random.uniform"
    if any(near(std, expected_std**2 * factor) for factor in (1, math.sqrt(3), 1 / math.sqrt(3))):
        return (
            "your weights' std is about the variance: the std is its square root, "
            "sqrt(scale / fan) (and a uniform's limit is sqrt(3 * scale / fan))"
        )
    sqrt_3_off = near(std, expected_std * math.sqrt(3)) or near(std, expected_std / math.sqrt(3))
    if distribution == "uniform" and sqrt_3_off:
        return uniform_hint
    for scale in (1.0, 2.0):
        for fan_name, fan in fans.items():
            if near(std, math.sqrt(scale / fan)):
                if fan_name != right_fan and fans[fan_name] != fans[right_fan]:
                    return f"you divide by {fan_name}: {scheme.capitalize()} uses {right_fan}"
                if scale != right_scale:
                    return f"your variance is {scale:g} / fan: {scheme.capitalize()}'s scale is {right_scale:g}"
    if sqrt_3_off:
        return uniform_hint
    if distribution == "normal" and near(std, expected_std * _TRUNCATED_STD):
        return (
            "a normal truncated at 2 std has 0.88 times its stddev argument: draw with keras.random.normal, "
            "or divide the stddev by 0.8796"
        )
    return "the variance is scale / fan: check the scale (He uses 2) and which fan you divide by"


def _drawn_weights(weights: Any, shape: tuple[int, ...]) -> Any:
    """Return the learner's kernel as a finite float64 array of ``shape``, or fail the check."""
    import numpy as np

    try:
        array = np.asarray(weights, dtype="float64")
    except (TypeError, ValueError):
        raise Failed(f"a tensor of numbers of shape {shape}", f"a {type(weights).__name__}") from None
    if array.shape != shape:
        raise Failed(f"an array of shape {shape}", f"shape {array.shape}", "use the shape argument as it is")
    try:
        return require_finite(array, f"the kernel of shape {shape}")
    except Failed as outcome:
        raise Failed(
            outcome.expected,
            outcome.found,
            "an initializer must draw finite weights: look for a division by zero, a sqrt of a negative "
            "number or an overflow in your std",
        ) from None


def _check_dtype(instance: Any) -> None:
    """Fail unless a kernel asked for in float32, as Dense asks, comes as NumPy or as a float32 tensor."""
    import numpy as np

    from utils._tensorflow import keras

    shape = (64, 10)
    kernel = call_student(instance, shape, dtype="float32", given=f"shape {shape}, dtype='float32'")
    if isinstance(kernel, np.ndarray) or not hasattr(kernel, "dtype"):
        return  # Keras converts NumPy arrays to the variable's dtype
    try:
        dtype = keras.backend.standardize_dtype(kernel.dtype)
    except (TypeError, ValueError):
        dtype = str(kernel.dtype)
    if dtype != "float32":
        raise Failed(
            "a float32 tensor for dtype='float32' (the dtype Dense asks for)",
            f"a {dtype} tensor",
            "pass dtype=dtype on to keras.random.normal / uniform",
        )


def _train_one_step(initializer_class: type, seed: int) -> None:
    """Use the learner's initializer as the course does: in ``build_mlp``, then one SGD step."""
    import numpy as np

    from utils import models
    from utils._tensorflow import keras

    x, y = digits_batch(64)
    given = f"build_mlp(2, 32, 'tanh', {initializer_class.__name__}(seed={seed})) and one training step"
    with learner_code(given):
        model = models.build_mlp(2, 32, "tanh", initializer_class(seed=seed))
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="sparse_categorical_crossentropy")
        loss = model.train_on_batch(x, y)
        weights = [np.asarray(weight) for weight in model.get_weights()]
    require_finite(loss, f"the loss after one training step with {initializer_class.__name__}")
    for weight in weights:
        require_finite(weight, f"the weights after one training step with {initializer_class.__name__}")


@exercise_check("2.2")
def check_initializer(initializer_class: Any, name: str, *, seed: int = 3) -> str:
    """Check a from-scratch initializer class against the closed form of ``name``.

    The class draws the kernels of :data:`INITIALIZER_SHAPES` with ``seed``; their mean,
    std and range must match the scheme, the same seed must give the same kernel and
    another seed another one. Then it initializes a :func:`utils.models.build_mlp`
    network, which takes one training step.

    Parameters
    ----------
    initializer_class : type
        The learner's ``keras.initializers.Initializer`` subclass; it is
        created with ``initializer_class(seed=...)``.
    name : {"glorot_uniform", "he_normal", "lecun_normal"}
        Which scheme it implements.
    seed : int
        The seed the kernels are drawn with (the verdict is the same for seeds 0-4).
    """
    import numpy as np

    from utils import initializers
    from utils._tensorflow import keras

    seed = _validation.check_seed(seed)
    if name not in EXERCISE_INITIALIZERS:
        raise Failed(f"name to be one of {sorted(EXERCISE_INITIALIZERS)}", repr(name))
    if is_unfinished(initializer_class):
        raise NotDone
    if not (isinstance(initializer_class, type) and issubclass(initializer_class, keras.initializers.Initializer)):
        raise Failed("a subclass of keras.initializers.Initializer (the class itself)", repr(initializer_class))
    scheme, distribution = vocabulary.split_initializer(name)
    instance = call_student(initializer_class, seed=seed, given=f"seed={seed}")
    kernels = []
    for shape in INITIALIZER_SHAPES:
        weights = _drawn_weights(call_student(instance, shape, given=f"shape {shape}"), shape)
        kernels.append(weights)
        expected_std = initializers.compute_std(shape, scheme)
        if abs(weights.mean()) > 0.05 * expected_std:
            raise Failed(f"mean 0 for shape {shape}", format_number(weights.mean()), "draw symmetrically around 0")
        std = float(weights.std())
        if abs(std / expected_std - 1) > 0.03:
            raise Failed(
                f"std {format_number(expected_std, 4)} for shape {shape}",
                f"{format_number(std, 4)} ({format_number(std / expected_std)} times)",
                _std_hint(std, shape, scheme, distribution),
            )
        limit, largest = np.sqrt(3) * expected_std, float(np.abs(weights).max())
        if distribution == "uniform":
            if largest > limit * 1.0001 or largest < 0.99 * limit:
                raise Failed(
                    f"values in [-{format_number(limit, 4)}, {format_number(limit, 4)}] reaching the limits",
                    f"max |w| = {format_number(largest, 4)}",
                    "draw from U(-r, r) with r = sqrt(3) * std",
                )
        elif largest <= limit * 1.0001:
            raise Failed(
                "a normal distribution (values beyond sqrt(3) std)",
                "values that all lie within a uniform's limits",
                "draw from a normal, not a uniform",
            )
    shape = INITIALIZER_SHAPES[0]
    again = _drawn_weights(
        call_student(call_student(initializer_class, seed=seed, given=f"seed={seed}"), shape, given="the same seed"),
        shape,
    )
    if not np.array_equal(again, kernels[0]):
        raise Failed(
            "the same kernel for the same seed",
            "different kernels",
            "pass seed=self.seed to keras.random.normal / uniform",
        )
    other_seed = call_student(initializer_class, seed=seed + 1, given=f"seed={seed + 1}")
    other = _drawn_weights(call_student(other_seed, shape, given=f"seed={seed + 1}"), shape)
    if np.array_equal(other, kernels[0]):
        raise Failed(
            "another kernel for another seed",
            f"the same kernel for seeds {seed} and {seed + 1}",
            "pass seed=self.seed, not a fixed number: build_mlp seeds each layer differently",
        )
    _check_dtype(instance)
    _train_one_step(initializer_class, seed)
    return (
        f"{initializer_class.__name__} matches {name} (std and limits, dense and convolution kernels, seeded), "
        "and initializes build_mlp for a training step."
    )


#: The scheme each activation is conventionally paired with: the course's table, kept in utils.vocabulary.
RECOMMENDED_SCHEME = vocabulary.SCHEME_FOR_ACTIVATION
#: The VarianceScaling scale (mode "fan_avg") that the backward argument asks for the logistic,
#: whose slope at 0 is 1/4: 1 / (1/4)^2, that is 16 times Glorot's variance (chapter 2).
LOGISTIC_SCALE = 16.0
_WHY = {
    "sigmoid": (
        "by convention (Glorot and Bengio, 2010; Keras' default) the logistic takes Glorot, like tanh, "
        "although its slope at 0 is 1/4, not 1: what that slope asks for is logistic_scale, "
        "which none of the three names gives"
    ),
    "tanh": "tanh is symmetric with slope 1 at 0, so the plain variance argument gives Glorot",
    "softmax": "a softmax output layer is treated like the logistic: Glorot, by convention",
    "relu": "ReLU zeroes half its inputs, halving the second moment: He's factor 2 makes up for it",
    "leaky_relu": "Leaky ReLU is ReLU with a small slope: He, with factor 2 / (1 + a^2)",
    "elu": "ELU behaves like ReLU for positive inputs: He initialization",
    "selu": "SELU self-normalizes only with LeCun normal weights (Klambauer et al., 2017)",
}


#: Stands for "logistic_scale not given": the table alone is checked. A learner's None is an answer.
_TABLE_ONLY: Any = object()


def _read_scale(value: Any, what: str) -> float:
    """Read a learner's scale as one finite, positive number, or fail saying what was found."""
    if isinstance(value, (str, bytes, bool)) or value is None:
        raise Failed(f"{what} as a number", shorten(repr(value), 60), "write the number itself, such as 2.0")
    array = as_float_array(value, what)
    if array.size != 1:
        raise Failed(f"{what} as one number", f"{array.size} numbers: {format_array(array)}")
    number = float(array[0])
    if number <= 0:
        raise Failed(f"{what} as a positive number", format_number(number), "a variance scale is positive")
    return number


def _is_scheme(value: Any) -> bool:
    return isinstance(value, str) and value in ("glorot", "he", "lecun")


@exercise_check("2.3")
def check_initializer_matching(matching: dict[str, str], logistic_scale: Any = _TABLE_ONLY) -> str:
    """Check the learner's activation -> scheme table, and the logistic's variance-preserving scale.

    Parameters
    ----------
    matching : dict
        Each activation of :data:`RECOMMENDED_SCHEME` mapped to ``"glorot"``,
        ``"he"`` or ``"lecun"`` (letter case and surrounding spaces ignored,
        as for every string answer: :func:`~utils.checks._framework.normalize_choice`).
    logistic_scale : float, optional
        The ``VarianceScaling`` scale, with ``mode="fan_avg"``, that keeps the
        backward signal's variance through the logistic's slope of 1/4 at 0
        (:data:`LOGISTIC_SCALE`). Left out, the table only is checked.
    """
    import math

    if is_unfinished(matching):
        raise NotDone
    if not isinstance(matching, dict):
        raise Failed(f"a dict with the keys {sorted(RECOMMENDED_SCHEME)}", f"a {type(matching).__name__}")
    normalized = {normalize_choice(k): normalize_choice(v) for k, v in matching.items()}
    if set(normalized) != set(RECOMMENDED_SCHEME) or len(normalized) != len(matching):
        missing = sorted(set(RECOMMENDED_SCHEME) - set(normalized))
        extra = sorted(map(repr, set(normalized) - set(RECOMMENDED_SCHEME)))
        found = "; ".join(
            part for part in (f"missing {missing}" * bool(missing), f"extra {', '.join(extra)}" * bool(extra)) if part
        )
        raise Failed(f"a dict with the keys {sorted(RECOMMENDED_SCHEME)}", found or "a key given twice")
    unknown = {k: matching[k] for k in matching if not _is_scheme(normalized[normalize_choice(k)])}
    if unknown:
        raise Failed("each value to be 'glorot', 'he' or 'lecun'", shorten(repr(unknown), 120))
    wrong = [a for a in RECOMMENDED_SCHEME if normalized[a] != RECOMMENDED_SCHEME[a]]
    if wrong:
        reasons = "; ".join(f"{a}: not {normalized[a]}, because {_WHY[a]}" for a in wrong)
        raise Failed("every activation matched", f"{len(wrong)} to revisit", reasons)
    if logistic_scale is _TABLE_ONLY:
        return "every activation has its initializer."
    if logistic_scale is Ellipsis:
        raise NotDone
    scale = _read_scale(logistic_scale, "logistic_scale")
    if not math.isclose(scale, LOGISTIC_SCALE, rel_tol=1e-6):
        hint = (
            "each logistic layer multiplies the backward signal by its slope, 1/4: its variance by 1/16. "
            "The weights' variance must make up for that factor"
        )
        if math.isclose(scale, 4.0, rel_tol=1e-6):
            hint = "4 makes up for the slope in standard deviation; the scale multiplies the variance"
        elif math.isclose(scale, 1 / 16, rel_tol=1e-6) or math.isclose(scale, 0.25, rel_tol=1e-6):
            hint = "the weights must make up for the slope's loss, so the scale is above 1, not below"
        raise Failed("the scale that keeps the backward variance", format_number(scale, 6), hint)
    return (
        f"every activation has its conventional initializer, and logistic_scale = {LOGISTIC_SCALE:g}: "
        "the variance argument carried out for the logistic's slope."
    )


_VARIANCE_SCALING_KEYS = ("distribution", "mode", "scale")
#: What each argument of VarianceScaling does, for a hint that names the argument that is off.
_ARGUMENT_ROLE = {
    "scale": "scale is the numerator of the variance",
    "mode": "mode picks the fan the variance divides by",
    "distribution": "distribution picks the shape; check which normal Keras' named initializers draw from",
}


def _variance_scaling(args: dict[str, Any], name: str) -> Any:
    """``VarianceScaling(**args)`` with the learner's strings normalized, or a failed check."""
    from utils._tensorflow import keras

    scale = _read_scale(args["scale"], f"{name}_args['scale']")
    strings = {}
    for key in ("mode", "distribution"):
        if not isinstance(args[key], str):
            raise Failed(f"{name}_args[{key!r}] as a string", shorten(repr(args[key]), 60))
        strings[key] = normalize_choice(args[key])
    try:
        return keras.initializers.VarianceScaling(scale=scale, **strings, seed=5)
    except (TypeError, ValueError) as error:
        raise Failed(
            f"arguments VarianceScaling accepts for {name}", f"VarianceScaling said: {shorten(error)}"
        ) from None


@exercise_check("2.4")
def check_variance_scaling(he_uniform_args: dict[str, Any], glorot_normal_args: dict[str, Any]) -> str:
    """Check ``VarianceScaling`` arguments equivalent to ``he_uniform`` and ``glorot_normal``.

    Parameters
    ----------
    he_uniform_args, glorot_normal_args : dict
        Keyword arguments ``scale`` (a positive number), ``mode`` and
        ``distribution`` (strings, letter case ignored).
    """
    import numpy as np

    from utils._tensorflow import keras

    for name, args in (("he_uniform", he_uniform_args), ("glorot_normal", glorot_normal_args)):
        if is_unfinished(args):
            raise NotDone
        if not isinstance(args, dict) or set(args) != set(_VARIANCE_SCALING_KEYS):
            found = sorted(map(str, args)) if isinstance(args, dict) else f"a {type(args).__name__}"
            raise Failed(f"a dict with keys {list(_VARIANCE_SCALING_KEYS)} for {name}", f"{found}")
        general = _variance_scaling(args, name)
        named = keras.initializers.get({"class_name": name, "config": {"seed": 5}})
        try:
            kernel = np.asarray(general((300, 200)))
        except (TypeError, ValueError, OverflowError) as error:  # such as a scale of 1e79 in float32
            raise Failed(
                f"arguments VarianceScaling can draw a kernel with for {name}",
                f"VarianceScaling said: {shorten(error)}",
            ) from None
        if not np.array_equal(np.asarray(named((300, 200))), kernel):
            off = [key for key in ("scale", "mode", "distribution") if getattr(general, key) != getattr(named, key)]
            raise Failed(
                f"VarianceScaling(**{name}_args) to draw the same kernel as {name!r}",
                f"{args}",
                f"{' and '.join(off)} {'differs' if len(off) == 1 else 'differ'} from {name}'s: "
                + "; ".join(_ARGUMENT_ROLE[key] for key in off),
            )
    return "both VarianceScaling forms draw exactly the same kernels as the named initializers."


#: Exercise 2.5: a 50-layer tanh network, probed with seeds 0-4, and the bands its signal must stay in.
#: The gradient band applies to the geometric mean of the first/last ratio over the seeds. Measured
#: over 25 seeds (tests/test_checks_lab2.py), the mean of 5 seeds lies within 1.5 to 2.2 for a scale
#: of 1.5 and within 7.1 to 10.6 for He's scale of 2 (truncated, untruncated or uniform): the band's
#: upper end, 4, sits near the geometric midpoint, at least a factor 1.7 from both.
TANH_DEPTH, TANH_UNITS, TANH_STD_BAND, TANH_GRADIENT_BAND = 50, 64, (0.3, 0.8), (0.25, 4.0)
TANH_SEEDS = (0, 1, 2, 3, 4)


def measure_tanh_initializer(kernel_initializer: Any, seeds: Any = TANH_SEEDS) -> tuple[Any, Any, float]:
    """Probe a ``TANH_DEPTH``-layer tanh MLP, as the check of exercise 2.5 does.

    Parameters
    ----------
    kernel_initializer : str or keras.initializers.Initializer
        As for :func:`utils.models.build_mlp`; it is re-seeded with each seed.
    seeds : sequence of int
        The initializer seeds.

    Returns
    -------
    activation_std : numpy.ndarray, shape (seeds, layers)
        Each layer's activation std, for each seed.
    ratios : numpy.ndarray, shape (seeds,)
        The first/last gradient-norm ratio for each seed.
    mean_ratio : float
        The geometric mean of ``ratios``.

    Raises
    ------
    ValueError
        If ``build_mlp`` rejects the initializer.
    """
    import numpy as np

    from utils import experiments

    x, y = digits_batch()
    results = experiments.compute_signal_propagation_over_seeds(
        x,
        y,
        seeds=seeds,
        activation="tanh",
        kernel_initializer=kernel_initializer,
        num_layers=TANH_DEPTH,
        units=TANH_UNITS,
    )
    stds = np.array([result.activation_std for result in results])
    with np.errstate(divide="ignore", invalid="ignore"):  # zero gradients: the check reports them
        ratios = np.array([float(result.gradient_norms[0] / result.gradient_norms[-1]) for result in results])
    return stds, ratios, _geometric_mean_ratio(ratios)


def _geometric_mean_ratio(ratios: Any) -> float:
    """Average first/last gradient-norm ratios geometrically, as the check of exercise 2.5 averages its seeds.

    Parameters
    ----------
    ratios : numpy.ndarray, shape (seeds,)
        One ratio per seed; a 0, NaN or infinite ratio gives a mean that is not finite.

    Returns
    -------
    float
    """
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):  # zero gradients: the check reports them
        return float(np.exp(np.mean(np.log(ratios))))


def _accepted_initializer(kernel_initializer: Any) -> None:
    """Fail the check, quoting build_mlp, for what build_mlp rejects as an initializer."""
    from utils import models
    from utils._tensorflow import keras

    if isinstance(kernel_initializer, type) and issubclass(kernel_initializer, keras.initializers.Initializer):
        raise Failed(
            "an initializer object",
            f"the class {kernel_initializer.__name__}",
            f"create one with parentheses: {kernel_initializer.__name__}(...)",
        )
    if isinstance(kernel_initializer, keras.initializers.Initializer):
        return
    try:
        models.build_mlp(1, 1, "tanh", kernel_initializer)
    except ValueError as error:
        raise Failed("an initializer build_mlp accepts", f"build_mlp said: {shorten(error, 400)}") from None


def _describe(kernel_initializer: Any) -> str:
    if isinstance(kernel_initializer, str):
        return repr(kernel_initializer)
    return type(kernel_initializer).__name__


@exercise_check("2.5")
def check_tanh_initializer(kernel_initializer: Any) -> str:
    """Check that an initializer keeps a deep tanh network's signal in a band, both ways.

    A ``TANH_DEPTH``-layer tanh MLP of ``TANH_UNITS`` units, probed with 256
    digits for each of ``TANH_SEEDS``, must keep every layer's activation std
    within ``TANH_STD_BAND`` for every seed, and the geometric mean over the
    seeds of its first/last gradient-norm ratio within ``TANH_GRADIENT_BAND``.
    The mean over five seeds makes the verdict the same for equivalent answers
    (``"he_normal"`` and ``VarianceScaling(2.0, "fan_in", "untruncated_normal")``).

    Parameters
    ----------
    kernel_initializer : str or keras.initializers.Initializer
        As for :func:`utils.models.build_mlp`; a name is read as every lab reads a string
        answer (:func:`~utils.checks._framework.normalize_choice`).
    """
    import numpy as np

    if is_unfinished(kernel_initializer):
        raise NotDone
    kernel_initializer = normalize_choice(kernel_initializer)  # a name: letter case and spaces ignored
    _accepted_initializer(kernel_initializer)
    given = f"a {TANH_DEPTH}-layer tanh build_mlp initialized by {_describe(kernel_initializer)}"
    with learner_code(given):
        stds, ratios, mean_ratio = measure_tanh_initializer(kernel_initializer)
    nonfinite_hint = (
        "the network's activations hold NaN or infinities, so its weights do: your initializer must draw "
        "finite weights (a finite, positive scale)"
    )
    try:
        require_finite(stds, "the activation std of every layer, for every seed")
    except Failed as outcome:
        raise Failed(outcome.expected, outcome.found, nonfinite_hint) from None
    low, high = TANH_STD_BAND
    if stds.min() < low or stds.max() > high:
        seed = TANH_SEEDS[int(np.argmin(stds.min(axis=1)) if stds.min() < low else np.argmax(stds.max(axis=1)))]
        hint = (
            "the signal fades: the variance needs a larger scale"
            if stds.min() < low
            else "the signal is too large: lower the scale"
        )
        raise Failed(
            f"every layer's std within [{low}, {high}] for every seed",
            f"std from {format_number(stds.min())} to {format_number(stds.max())} (worst: seed {seed})",
            hint,
        )
    try:
        require_finite(ratios, "the first/last gradient-norm ratio of every seed")
    except Failed as outcome:
        raise Failed(
            outcome.expected,
            outcome.found,
            "a gradient norm is 0, NaN or infinite: your initializer's weights stop or blow up the backward signal",
        ) from None
    gradient_low, gradient_high = TANH_GRADIENT_BAND
    if not gradient_low <= mean_ratio <= gradient_high:
        hint = (
            "too large a scale makes gradients grow backwards: aim between LeCun (1) and He (2)"
            if mean_ratio > gradient_high
            else "the gradients fade towards the input: raise the scale"
        )
        raise Failed(
            f"a first/last gradient ratio within [{gradient_low:g}, {gradient_high:g}] on average over "
            f"{len(TANH_SEEDS)} seeds",
            f"{format_number(mean_ratio)} (from {format_number(ratios.min())} to {format_number(ratios.max())})",
            hint,
        )
    return (
        f"every layer's std stays within [{low}, {high}] and the gradient ratio averages "
        f"{format_number(mean_ratio)}, within [{gradient_low:g}, {gradient_high:g}], over {len(TANH_SEEDS)} seeds."
    )


register_answers("2.1", "compute_fans")
register_answers("2.2", "MyGlorotUniform", "MyHeNormal", "MyLecunNormal")
register_answers("2.3", "matching", "logistic_scale")
register_answers("2.4", "he_uniform_args", "glorot_normal_args")
register_answers("2.5", "tanh_initializer")
