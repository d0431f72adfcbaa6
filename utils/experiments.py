"""Experiments: build a fresh, seeded network and measure it with :mod:`utils.diagnostics`.

Every function takes its data first (the inputs ``x`` and labels ``y``) and
its settings as keyword arguments, builds its own network with
:func:`utils.models.build_mlp` and a re-seeded initializer, and returns plain
arrays, so the same arguments give the same result whatever ran before. The
plots of these results are in :mod:`utils.plotting`; the explorers that vary
their settings are in :mod:`utils.widgets`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from utils import _validation, activations, diagnostics, models, vocabulary
from utils import activations as activations_module
from utils._tensorflow import keras, tf

__all__ = [
    "ActivationProfile",
    "SignalPropagation",
    "activation_curve",
    "compute_activation_profile",
    "compute_signal_propagation",
    "compute_signal_propagation_over_seeds",
    "gradient_norms_at_init",
    "gradient_norms_at_init_grid",
    "layer_statistics_grid",
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


def activation_curve(
    *, activation: str, parameter: float | None = None, points: int = 321
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``f(z)`` and ``f'(z)`` on ``points`` evenly spaced values of ``z`` from -4 to 4 (TensorFlow's gradient).

    Parameters
    ----------
    activation : str
        One of :data:`utils.vocabulary.ACTIVATION_PARAMETERS`.
    parameter : float or None
        Its slope or alpha; see :func:`utils.activations.make_activation`.
    points : int
        Number of values of ``z`` (>= 2).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        ``z``, ``f(z)`` and ``f'(z)``.

    Examples
    --------
    >>> z, values, derivative = activation_curve(activation="leaky_relu", parameter=0.1, points=3)
    >>> z.tolist(), values.round(6).tolist(), derivative.round(6).tolist()
    ([-4.0, 0.0, 4.0], [-0.4, 0.0, 4.0], [0.1, 0.1, 1.0])
    """
    function = activations.make_activation(activation, parameter)
    z = np.linspace(-4.0, 4.0, _validation.check_int(points, "points", minimum=2))
    z_tensor = tf.constant(z, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(z_tensor)
        values = function(z_tensor)
    derivative = tape.gradient(values, z_tensor)
    return z, np.asarray(values, dtype=float), np.asarray(derivative, dtype=float)


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

    z, values, derivative = activation_curve(activation=activation, parameter=parameter)

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
        values=values,
        derivative=derivative,
        mean=stats.mean,
        std=stats.std,
    )


# --- Grids: the same measurements over many settings at once --------------------------------
#
# The book's explorers offer every setting of their controls without a kernel, so the
# results for the whole grid are measured when the page is built. Building a Keras
# network per setting would take minutes; these functions compute the same quantities
# with NumPy, on the very kernels that `models.build_mlp` would draw (the same seeded
# initializers, layer by layer), so each result equals the Keras measurement to float32
# rounding (tests/test_experiments.py compares them).


def _kernels(initializer: Any, seed: int, shapes: list[tuple[int, int]], first_index: int = 1) -> list[np.ndarray]:
    """Draw the kernels :func:`utils.models.build_mlp` draws for its layers ``first_index, first_index + 1, ...``."""
    seeded = models.seeded_initializer(initializer, seed)
    base = seeded.get_config().get("seed")
    return [
        np.asarray(
            (seeded if base is None else models.seeded_initializer(seeded, base + index))(shape, dtype="float32")
        )
        for index, shape in enumerate(shapes, start=first_index)
    ]


# f'(z) times an incoming gradient, as TensorFlow's gradient of each activation computes it.
_BACKWARD = {
    "linear": lambda grad, z, h: grad,
    "sigmoid": lambda grad, z, h: grad * (h * (1 - h)),
    "tanh": lambda grad, z, h: grad * (1 - h * h),
    "relu": lambda grad, z, h: tf.where(z > 0, grad, tf.zeros_like(grad)),
}


def _forward(x: Any, kernels: list[Any], function: Any) -> tuple[list[Any], list[Any]]:
    """Pre-activations and outputs of each hidden layer (zero biases, as at initialization).

    TensorFlow's own ops, so the numbers are those of the Keras model: the same
    activation kernels and the same flushing of subnormal numbers to zero.
    """
    pre, out = [], []
    h = x
    for kernel in kernels:
        z = tf.linalg.matmul(h, kernel)
        h = function(z)
        pre.append(z)
        out.append(h)
    return pre, out


def _check_values(values: Any, parameter: str, check: Any) -> tuple[Any, ...]:
    """Check each item of a non-empty sequence of settings (a list, tuple, range or 1-D array)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple, range, np.ndarray)) or not len(values):
        raise ValueError(f"{parameter} must be a non-empty sequence; got {_validation.describe(values)}")
    return tuple(check(value) for value in values)


def gradient_norms_at_init_grid(
    x: Any,
    y: Any,
    *,
    depths: Any,
    weight_stds: Any,
    activations: Any,
    units: int = 64,
    num_classes: int | None = None,
    seed: int = 0,
) -> dict[tuple[str, float, int], np.ndarray]:
    """:func:`gradient_norms_at_init` for every activation, weight std and depth of a grid, in NumPy.

    The networks are those of :func:`gradient_norms_at_init` (the same seeded
    kernels, zero biases, a softmax output and the mean cross-entropy loss);
    the gradients are computed by hand, in float32, so a grid of hundreds of
    settings takes a second or two instead of minutes.

    Parameters
    ----------
    x : array-like, shape (examples, features)
        The inputs.
    y : array-like, shape (examples,)
        Class labels, non-negative integers.
    depths : sequence of int
        Numbers of hidden layers (each >= 1).
    weight_stds : sequence of float
        Standard deviations of the weights (each > 0).
    activations : sequence of str
        Names among ``"linear"``, ``"sigmoid"``, ``"tanh"`` and ``"relu"``.
    units, num_classes, seed
        As for :func:`gradient_norms_at_init`.

    Returns
    -------
    dict
        ``(activation, weight_std, depth)`` -> gradient norms, shape (depth,), input to output.

    Examples
    --------
    >>> grid = gradient_norms_at_init_grid(np.ones((8, 64)), np.arange(8), depths=[2, 3],
    ...                                    weight_stds=[0.125], activations=["tanh"])
    >>> sorted((key, norms.shape) for key, norms in grid.items())
    [(('tanh', 0.125, 2), (2,)), (('tanh', 0.125, 3), (3,))]
    """
    x = _validation.check_batch(x).astype(np.float32)
    y = _validation.check_labels(x, y)
    depths = _check_values(depths, "depths", lambda d: _validation.check_int(d, "depths", minimum=1))
    weight_stds = _check_values(
        weight_stds, "weight_stds", lambda s: _validation.check_number(s, "weight_stds", above=0)
    )
    allowed = tuple(_BACKWARD)
    activation_names = _check_values(
        activations, "activations", lambda a: _validation.check_choice(a, "activations", allowed)
    )
    units = _validation.check_int(units, "units", minimum=1)
    seed = _validation.check_seed(seed)
    if num_classes is None:
        num_classes = int(y.max()) + 1
    elif _validation.check_int(num_classes, "num_classes", minimum=1) <= y.max():
        raise ValueError(f"num_classes must be greater than every label in y (max {y.max()}); got {num_classes}")

    deepest = max(depths)
    unit_normal = keras.initializers.RandomNormal(stddev=1.0)
    hidden = _kernels(unit_normal, seed, [(x.shape[1], units)] + [(units, units)] * (deepest - 1))
    scales = tf.constant(np.array(weight_stds, dtype=np.float32)[:, None, None])
    kernels = [scales * kernel for kernel in hidden]  # (stds, fan_in, units): every std at once
    onehot = tf.constant(np.eye(num_classes, dtype=np.float32)[y])
    results = {}
    for activation in activation_names:
        function = keras.activations.get(activation)
        backward = _BACKWARD[activation]
        pre, out = _forward(tf.constant(x[None]), kernels, function)
        inputs = [tf.constant(x[None]), *out]
        for depth in depths:
            # The output layer (seed + depth + 1) and the gradient of the mean cross-entropy at its logits.
            output = scales * _kernels(unit_normal, seed, [(units, num_classes)], first_index=depth + 1)[0]
            delta = (tf.nn.softmax(tf.linalg.matmul(out[depth - 1], output)) - onehot) / len(x)
            delta = tf.linalg.matmul(delta, output, transpose_b=True)
            norms = np.empty((len(weight_stds), depth))
            for layer in range(depth - 1, -1, -1):
                delta = backward(delta, pre[layer], out[layer])
                norms[:, layer] = tf.norm(tf.linalg.matmul(inputs[layer], delta, transpose_a=True), axis=(1, 2))
                if layer:
                    delta = tf.linalg.matmul(delta, kernels[layer], transpose_b=True)
            for index, weight_std in enumerate(weight_stds):
                results[(activation, weight_std, depth)] = norms[index]
    return results


def _variance_scaling_factor(name: str, fan_in: int, fan_out: int) -> float:
    """Return the factor by which Keras's ``name`` initializer scales a draw of its unit distribution."""
    scheme, distribution = vocabulary.split_initializer(name)
    scale, fans = {"glorot": (1.0, (fan_in + fan_out) / 2), "he": (2.0, fan_in), "lecun": (1.0, fan_in)}[scheme]
    scale /= max(1.0, fans)
    return math.sqrt(scale) / 0.87962566103423978 if distribution == "normal" else math.sqrt(3.0 * scale)


_UNIT_DISTRIBUTIONS = {
    "normal": keras.initializers.TruncatedNormal(mean=0.0, stddev=1.0),
    "uniform": keras.initializers.RandomUniform(minval=-1.0, maxval=1.0),
}


def layer_statistics_grid(
    x: Any,
    *,
    activations: Any,
    kernel_initializers: Any,
    num_layers: int,
    widths: Any,
    input_scales: Any = (1.0,),
    seed: int = 0,
) -> dict[tuple[Any, str, int, float], tuple[np.ndarray, np.ndarray]]:
    """Mean and std of every hidden layer's outputs, over a grid of networks, without building them.

    For each activation, initializer, width and input scale, the numbers are
    those of :func:`utils.diagnostics.activation_stats` on the network that
    :func:`compute_signal_propagation` (or :func:`compute_activation_profile`)
    builds, fed ``input_scale * x``, to float32 rounding. A network of fewer
    layers has the same first layers, so its statistics are the first entries.
    Every setting shares one draw of each layer's kernel from the unit
    distribution, which each initializer scales as Keras does.

    Parameters
    ----------
    x : array-like, shape (examples, features)
        The inputs.
    activations : sequence of str or (str, float)
        Names of :data:`utils.vocabulary.ACTIVATION_PARAMETERS`, or (name, parameter)
        pairs such as ``("leaky_relu", 0.1)`` (see :func:`utils.activations.make_activation`).
    kernel_initializers : sequence of str
        Names of :data:`utils.vocabulary.INITIALIZER_NAMES`.
    num_layers : int
        Hidden layers (>= 1).
    widths : sequence of int
        Units per hidden layer (each >= 1).
    input_scales : sequence of float
        Factors applied to ``x`` (each > 0).
    seed : int
        Seed of the kernels, as for :func:`compute_signal_propagation`.

    Returns
    -------
    dict
        ``(activation, initializer, width, input_scale)`` -> (mean, std), each of shape (num_layers,),
        input to output; ``activation`` is the item as given.

    Examples
    --------
    >>> grid = layer_statistics_grid(np.ones((8, 64)), activations=["relu"], kernel_initializers=["he_normal"],
    ...                              num_layers=3, widths=[16])
    >>> mean, std = grid[("relu", "he_normal", 16, 1.0)]
    >>> std.shape
    (3,)
    """
    x = _validation.check_batch(x)
    functions = {}
    for item in _check_values(activations, "activations", lambda a: a):
        name, parameter = (item, None) if isinstance(item, str) else tuple(item)
        functions[item] = activations_module.make_activation(name, parameter)
    initializers = _check_values(
        kernel_initializers,
        "kernel_initializers",
        lambda n: _validation.check_choice(n, "kernel_initializers", vocabulary.INITIALIZER_NAMES),
    )
    num_layers = _validation.check_int(num_layers, "num_layers", minimum=1)
    widths = _check_values(widths, "widths", lambda w: _validation.check_int(w, "widths", minimum=1))
    scales = _check_values(input_scales, "input_scales", lambda s: _validation.check_number(s, "input_scales", above=0))
    seed = _validation.check_seed(seed)

    inputs = tf.constant(np.stack([scale * x for scale in scales]).astype(np.float32))  # (scales, examples, features)
    results = {}
    for width in widths:
        shapes = [(x.shape[1], width)] + [(width, width)] * (num_layers - 1)
        unit = {d: _kernels(initializer, seed, shapes) for d, initializer in _UNIT_DISTRIBUTIONS.items()}
        kernels = [  # (initializers, 1, fan_in, width): every initializer at once
            tf.constant(
                np.stack(
                    [
                        np.float32(_variance_scaling_factor(name, *shape))
                        * unit[vocabulary.split_initializer(name)[1]][layer]
                        for name in initializers
                    ]
                )[:, None]
            )
            for layer, shape in enumerate(shapes)
        ]
        for item, function in functions.items():
            _, out = _forward(inputs[None], kernels, function)
            means = np.stack([np.asarray(tf.reduce_mean(h, axis=(2, 3))) for h in out], axis=-1)
            stds = np.stack([np.asarray(tf.math.reduce_std(h, axis=(2, 3))) for h in out], axis=-1)
            for i, name in enumerate(initializers):
                for j, scale in enumerate(scales):
                    results[(item, name, width, scale)] = (means[i, j].astype(float), stds[i, j].astype(float))
    return results
