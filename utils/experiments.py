"""Experiments: build a fresh, seeded network and measure it with :mod:`utils.diagnostics`.

Every function takes its data first (the inputs ``x`` and labels ``y``) and
its settings as keyword arguments, builds its own network with
:func:`utils.models.build_mlp` and a re-seeded initializer, and returns plain
arrays, so the same arguments give the same result whatever ran before. The
plots of these results are in :mod:`utils.plotting`; the explorers that vary
their settings are in :mod:`utils.widgets`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from utils import _validation, activations, diagnostics, models, vocabulary
from utils._tensorflow import keras, tf

__all__ = [
    "ActivationProfile",
    "SignalPropagation",
    "compute_activation_profile",
    "compute_signal_propagation",
    "compute_signal_propagation_over_seeds",
    "gradient_norms_at_init",
]


@dataclass(frozen=True)
class SignalPropagation:
    """How a freshly initialized network passes signals forward and gradients back.

    Attributes
    ----------
    activation_std : numpy.ndarray, shape (layers,)
        Standard deviation of each hidden layer's outputs, input to output.
    gradient_norms : numpy.ndarray, shape (layers,)
        Norm of the loss gradient with respect to each hidden kernel.
    """

    activation_std: np.ndarray
    gradient_norms: np.ndarray


def compute_signal_propagation(
    x: Any,
    y: Any,
    *,
    activation: Any = "relu",
    kernel_initializer: Any = "he_normal",
    num_layers: int = 30,
    units: int = 100,
    num_classes: int | None = None,
    seed: int = 0,
) -> SignalPropagation:
    """Build a fresh MLP and measure its per-layer activation std and gradient norms.

    The model comes from :func:`utils.models.build_mlp`, with
    ``input_dim=x.shape[1]``. Its kernels are drawn from ``kernel_initializer``
    re-seeded with ``seed`` (:func:`utils.models.seeded_initializer`; each
    layer with its own seed), so the result depends on the arguments only, not
    on the global random state.

    Parameters
    ----------
    x : array-like, shape (examples, features)
        The inputs, for example a batch of 256 standardized digits.
    y : array-like, shape (examples,)
        Class indices, for the loss whose gradient is measured.
    activation : str, callable or layer factory
        The hidden activation, as for :func:`utils.models.build_mlp`.
    kernel_initializer : str or keras.initializers.Initializer
        An initializer name (``"he_normal"``) or instance; it is re-seeded.
    num_layers : int
        Number of hidden layers (>= 1).
    units : int
        Units per hidden layer (>= 1).
    num_classes : int or None
        Units of the softmax output layer; None uses ``max(y) + 1``.
    seed : int
        A non-negative integer.

    Returns
    -------
    SignalPropagation
        Arrays of shape (num_layers,), input to output.

    See Also
    --------
    compute_signal_propagation_over_seeds : The same for many seeds, faster.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> result = compute_signal_propagation(
    ...     rng.standard_normal((32, 8)), rng.integers(0, 3, 32), num_layers=4, units=16)
    >>> result.activation_std.shape, result.gradient_norms.shape
    ((4,), (4,))
    """
    (result,) = compute_signal_propagation_over_seeds(
        x,
        y,
        seeds=(_validation.check_seed(seed),),
        activation=activation,
        kernel_initializer=kernel_initializer,
        num_layers=num_layers,
        units=units,
        num_classes=num_classes,
    )
    return result


def compute_signal_propagation_over_seeds(
    x: Any,
    y: Any,
    *,
    seeds: Any,
    activation: Any = "relu",
    kernel_initializer: Any = "he_normal",
    num_layers: int = 30,
    units: int = 100,
    num_classes: int | None = None,
) -> list[SignalPropagation]:
    """Measure the same network freshly initialized with each of several seeds.

    The results equal, bit for bit, ``[compute_signal_propagation(x, y,
    ..., seed=seed) for seed in seeds]``, but the network is built once: for
    each further seed its weights are drawn again
    (:func:`utils.models.redraw_kernels`), which takes a fraction of the time
    of building a deep network.

    Parameters
    ----------
    x : array-like, shape (examples, features)
        The inputs.
    y : array-like, shape (examples,)
        Class indices, for the loss whose gradient is measured.
    seeds : sequence of int
        One or more non-negative integers.
    activation, kernel_initializer, num_layers, units, num_classes
        As for :func:`compute_signal_propagation`.

    Returns
    -------
    list of SignalPropagation
        One per seed, in the order of ``seeds``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> results = compute_signal_propagation_over_seeds(
    ...     rng.standard_normal((32, 8)), rng.integers(0, 3, 32), seeds=range(3), num_layers=4, units=16)
    >>> [result.gradient_norms.shape for result in results]
    [(4,), (4,), (4,)]
    """
    x = _validation.check_batch(x)
    y = _validation.check_labels(x, y)
    seeds = _validation.check_seeds(seeds)
    if num_classes is None:
        num_classes = int(y.max()) + 1
    elif _validation.check_int(num_classes, "num_classes", minimum=1) <= y.max():
        raise ValueError(f"num_classes must be greater than every label in y (max {y.max()}); got {num_classes}")
    model = models.build_mlp(
        num_layers,
        units,
        activation,
        models.seeded_initializer(kernel_initializer, seeds[0]),
        input_dim=x.shape[1],
        num_classes=num_classes,
    )
    results = []
    for index, seed in enumerate(seeds):
        if index:
            models.redraw_kernels(model, models.seeded_initializer(kernel_initializer, seed))
        results.append(
            SignalPropagation(
                activation_std=diagnostics.activation_stats(model, x).std,
                gradient_norms=diagnostics.gradient_norms(model, x, y),
            )
        )
    return results


def gradient_norms_at_init(
    x: Any,
    y: Any,
    *,
    num_layers: int,
    weight_std: float,
    activation: str,
    units: int = 64,
    num_classes: int | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Per-layer gradient norms of a fresh MLP whose weights are drawn from N(0, weight_std²).

    :func:`compute_signal_propagation` with the initializer
    ``keras.initializers.RandomNormal(stddev=weight_std)`` (biases start at 0):
    its gradient norms.

    Parameters
    ----------
    x : array-like, shape (examples, features)
        The inputs.
    y : array-like, shape (examples,)
        Class labels, non-negative integers.
    num_layers : int
        Number of hidden layers (>= 1).
    weight_std : float
        Standard deviation of the initial weights (> 0). With ``units`` inputs
        per layer, ``weight_std * sqrt(units)`` is the per-layer gain of a
        linear network: 1 keeps the signal's size.
    activation : str
        A Keras activation name, such as ``"sigmoid"``, ``"tanh"`` or ``"relu"``.
    units : int
        Units per hidden layer.
    num_classes : int or None
        Units of the softmax output layer; None uses ``max(y) + 1``.
    seed : int
        Seed of the weight initializer (a non-negative integer).

    Returns
    -------
    numpy.ndarray, shape (num_layers,)
        Gradient norms, input to output.

    Examples
    --------
    >>> norms = gradient_norms_at_init(np.ones((8, 64)), np.arange(8), num_layers=3, weight_std=0.125,
    ...                                activation="tanh")
    >>> norms.shape
    (3,)
    """
    weight_std = _validation.check_number(weight_std, "weight_std", above=0)
    return compute_signal_propagation(
        x,
        y,
        activation=activation,
        kernel_initializer=keras.initializers.RandomNormal(stddev=weight_std),
        num_layers=num_layers,
        units=units,
        num_classes=num_classes,
        seed=seed,
    ).gradient_norms


@dataclass(frozen=True)
class ActivationProfile:
    """An activation, its derivative and the per-layer statistics of a deep net that uses it.

    Attributes
    ----------
    activation : str
        The activation's name.
    parameter : float or None
        Its parameter (slope or alpha), None when it has none.
    kernel_initializer : str
        The initializer of the deep net.
    z, values, derivative : numpy.ndarray, shape (points,)
        Pre-activations, ``f(z)`` and ``f'(z)``.
    mean, std : numpy.ndarray, shape (layers,)
        Mean and standard deviation of each hidden layer's outputs at
        initialization, input to output.
    """

    activation: str
    parameter: float | None
    kernel_initializer: str
    z: np.ndarray
    values: np.ndarray
    derivative: np.ndarray
    mean: np.ndarray
    std: np.ndarray


def compute_activation_profile(
    *,
    activation: str = "relu",
    parameter: float | None = None,
    kernel_initializer: str | None = None,
    num_layers: int = 30,
    units: int = 64,
    input_std: float = 1.0,
    num_examples: int = 512,
    seed: int = 0,
) -> ActivationProfile:
    """Measure an activation: ``f``, ``f'`` and the layer statistics of a fresh deep MLP.

    The MLP (:func:`utils.models.build_mlp`, seeded kernels) is fed
    ``num_examples`` Gaussian inputs with 64 features, mean 0 and standard
    deviation ``input_std``, which it draws itself from ``seed``; nothing is
    trained. The statistics come from :func:`utils.diagnostics.activation_stats`.

    Parameters
    ----------
    activation : str
        One of :data:`utils.vocabulary.ACTIVATION_PARAMETERS`.
    parameter : float or None
        Slope of ``"leaky_relu"`` or alpha of ``"elu"``; see :func:`utils.activations.make_activation`.
    kernel_initializer : str or None
        One of :data:`utils.vocabulary.INITIALIZER_NAMES`; None picks
        :func:`utils.vocabulary.matching_initializer`.
    num_layers : int
        Hidden layers of the MLP (>= 1).
    units : int
        Units per hidden layer (>= 1).
    input_std : float
        Standard deviation of the inputs (> 0); 1 means standardized inputs.
    num_examples : int
        Number of input examples (>= 2).
    seed : int
        Seed of the inputs and of the kernels (>= 0).

    Returns
    -------
    ActivationProfile

    Examples
    --------
    >>> profile = compute_activation_profile(activation="selu", num_layers=3, units=8)
    >>> profile.kernel_initializer, profile.std.shape
    ('lecun_normal', (3,))
    """
    function = activations.make_activation(activation, parameter)
    if vocabulary.ACTIVATION_PARAMETERS[activation] is None:
        parameter = None
    elif parameter is None:
        parameter = activations.DEFAULT_PARAMETER[activation]
    if kernel_initializer is None:
        kernel_initializer = vocabulary.matching_initializer(activation)
    _validation.check_choice(kernel_initializer, "kernel_initializer", vocabulary.INITIALIZER_NAMES, also="or None")
    input_std = _validation.check_number(input_std, "input_std", above=0)
    num_examples = _validation.check_int(num_examples, "num_examples", minimum=2)
    seed = _validation.check_seed(seed)

    z = np.linspace(-4.0, 4.0, 321)
    z_tensor = tf.constant(z, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(z_tensor)
        values = function(z_tensor)
    derivative = tape.gradient(values, z_tensor)

    model = models.build_mlp(
        num_layers, units, function, models.seeded_initializer(kernel_initializer, seed), input_dim=64
    )
    x = np.random.default_rng(seed).normal(0.0, input_std, size=(num_examples, 64))
    stats = diagnostics.activation_stats(model, x)
    return ActivationProfile(
        activation=activation,
        parameter=None if parameter is None else float(parameter),
        kernel_initializer=kernel_initializer,
        z=z,
        values=np.asarray(values, dtype=float),
        derivative=np.asarray(derivative, dtype=float),
        mean=stats.mean,
        std=stats.std,
    )
