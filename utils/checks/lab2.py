"""Checks for lab 2, initializers from scratch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from utils import vocabulary
from utils.checks._framework import (
    Failed,
    NotDone,
    call_student,
    digits_batch,
    exercise_check,
    is_unfinished,
    shorten,
)

__all__ = [
    "FAN_SHAPES",
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
            hint = (
                f"a convolution unit sees a receptive field of {math.prod(shape[:-2])} weights "
                "per channel: multiply both fans by the product of the kernel size"
            )
        else:
            hint = "fan_in is the second-to-last dimension, fan_out the last, both times the receptive field"
        raise Failed(f"{expected} for shape {shape}", f"{found}", hint)
    return f"compute_fans is right on {len(FAN_SHAPES)} dense and convolution shapes."


#: The initializers of exercise 2.2 (their scheme and distribution: :func:`utils.vocabulary.split_initializer`).
EXERCISE_INITIALIZERS = ("glorot_uniform", "he_normal", "lecun_normal")


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

    if name not in EXERCISE_INITIALIZERS:
        raise Failed(f"name to be one of {sorted(EXERCISE_INITIALIZERS)}", repr(name))
    if is_unfinished(initializer_class):
        raise NotDone
    if not (isinstance(initializer_class, type) and issubclass(initializer_class, keras.initializers.Initializer)):
        raise Failed("a subclass of keras.initializers.Initializer (the class itself)", repr(initializer_class))
    scheme, distribution = vocabulary.split_initializer(name)
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
                raise Failed(
                    f"values in [-{limit:.4g}, {limit:.4g}] reaching the limits",
                    f"max |w| = {np.abs(weights).max():.4g}",
                    "draw from U(-r, r) with r = sqrt(3) * std",
                )
        elif np.abs(weights).max() <= limit * 1.0001:
            raise Failed(
                "a normal distribution (values beyond sqrt(3) std)",
                "values that all lie within a uniform's limits",
                "draw from a normal, not a uniform",
            )
    again = np.asarray(call_student(initializer_class(seed=3), (1000, 500), given="seed=3 again"))
    first = np.asarray(call_student(initializer_class(seed=3), (1000, 500), given="seed=3"))
    if not np.array_equal(again, first):
        raise Failed(
            "the same kernel for the same seed",
            "different kernels",
            "pass seed=self.seed to keras.random.normal / uniform",
        )
    return f"{initializer_class.__name__} matches {name} (std and limits, dense and convolution kernels, seeded)."


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


@exercise_check("2.3")
def check_initializer_matching(matching: dict[str, str], logistic_scale: Any = None) -> str:
    """Check the learner's activation -> scheme table, and the logistic's variance-preserving scale.

    Parameters
    ----------
    matching : dict
        Each activation of :data:`RECOMMENDED_SCHEME` mapped to ``"glorot"``,
        ``"he"`` or ``"lecun"`` (in any letter case).
    logistic_scale : float, optional
        The ``VarianceScaling`` scale, with ``mode="fan_avg"``, that keeps the
        backward signal's variance through the logistic's slope of 1/4 at 0
        (:data:`LOGISTIC_SCALE`). None checks the table only.
    """
    import math

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
    if logistic_scale is None:
        return "every activation has its initializer."
    if is_unfinished(logistic_scale):
        raise NotDone
    try:
        scale = float(logistic_scale)
    except (TypeError, ValueError):
        raise Failed("logistic_scale as a number", repr(logistic_scale)) from None
    if not math.isclose(scale, LOGISTIC_SCALE, rel_tol=1e-6):
        hint = (
            "each logistic layer multiplies the backward signal by its slope, 1/4: its variance by 1/16. "
            "The weights' variance must make up for that factor"
        )
        if math.isclose(scale, 4.0, rel_tol=1e-6):
            hint = "4 makes up for the slope in standard deviation; the scale multiplies the variance"
        elif math.isclose(scale, 1 / 16, rel_tol=1e-6) or math.isclose(scale, 0.25, rel_tol=1e-6):
            hint = "the weights must make up for the slope's loss, so the scale is above 1, not below"
        raise Failed(f"logistic_scale = {LOGISTIC_SCALE:g}", f"{scale:g}", hint)
    return (
        f"every activation has its conventional initializer, and logistic_scale = {LOGISTIC_SCALE:g}: "
        "the variance argument carried out for the logistic's slope."
    )


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
            raise Failed(
                f"arguments VarianceScaling accepts for {name}", f"VarianceScaling said: {shorten(error)}"
            ) from None
        if not same:
            raise Failed(
                f"VarianceScaling(**{name}_args) to draw the same kernel as {name!r}",
                f"{args}",
                "scale is the numerator of the variance, mode picks the fan, distribution the shape",
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
    ratios = np.array([float(result.gradient_norms[0] / result.gradient_norms[-1]) for result in results])
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_ratio = float(np.exp(np.mean(np.log(ratios))))
    return stds, ratios, mean_ratio


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
        As for :func:`utils.models.build_mlp`.
    """
    import numpy as np

    if is_unfinished(kernel_initializer):
        raise NotDone
    try:
        stds, ratios, mean_ratio = measure_tanh_initializer(kernel_initializer)
    except ValueError as error:
        raise Failed("an initializer build_mlp accepts", f"build_mlp said: {shorten(error, 400)}") from None
    low, high = TANH_STD_BAND
    if not np.all(np.isfinite(stds)) or not np.all(np.isfinite(ratios)):
        raise Failed("finite activations and gradients", "NaN or inf", "draw finite weights")
    if stds.min() < low or stds.max() > high:
        seed = TANH_SEEDS[int(np.argmin(stds.min(axis=1)) if stds.min() < low else np.argmax(stds.max(axis=1)))]
        hint = (
            "the signal fades: the variance needs a larger scale"
            if stds.min() < low
            else "the signal is too large: lower the scale"
        )
        raise Failed(
            f"every layer's std within [{low}, {high}] for every seed",
            f"std from {stds.min():.2f} to {stds.max():.2f} (worst: seed {seed})",
            hint,
        )
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
            f"{mean_ratio:.2f} (from {ratios.min():.2f} to {ratios.max():.2f})",
            hint,
        )
    return (
        f"every layer's std stays within [{low}, {high}] and the gradient ratio averages {mean_ratio:.2f}, "
        f"within [{gradient_low:g}, {gradient_high:g}], over {len(TANH_SEEDS)} seeds."
    )
