"""Per-layer measurements of a network: gradients, activations, dead units.

Every function reports the *hidden* layers of a model from the input to the
output. A hidden layer is a ``keras.layers.Dense`` layer other than the last
one; its *output* is what reaches the next Dense layer, that is the output of
the last layer before it (its activation layer, when the activation is a
separate layer such as ``LeakyReLU``). For models from
:func:`utils.models.build_mlp` that means ``hidden_1`` ... ``hidden_L``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from utils._tensorflow import keras, tf

__all__ = [
    "ActivationStats",
    "SignalPropagation",
    "activation_stats",
    "compute_signal_propagation",
    "dead_unit_fraction",
    "gradient_norms",
    "hidden_layers",
    "layer_outputs",
]


def _check_model(model: Any) -> keras.Model:
    if not isinstance(model, keras.Model):
        raise ValueError(f"model must be a keras.Model; got {type(model).__name__}")
    return model


def hidden_layers(model: keras.Model) -> list[keras.layers.Dense]:
    """Return the hidden Dense layers of ``model``, from input to output.

    Parameters
    ----------
    model : keras.Model
        A model with at least two Dense layers; the last one is the output layer.

    Returns
    -------
    list of keras.layers.Dense
        Every Dense layer except the last, in ``model.layers`` order.

    Examples
    --------
    >>> from utils.models import build_mlp
    >>> [layer.name for layer in hidden_layers(build_mlp(num_layers=2))]
    ['hidden_1', 'hidden_2']
    """
    model = _check_model(model)
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    if len(dense) < 2:
        raise ValueError(
            "model must have at least one hidden Dense layer before its output Dense "
            f"layer; got {len(dense)} Dense layer(s) in {model.name!r}"
        )
    return dense[:-1]


def _block_ends(model: keras.Model) -> list[keras.layers.Layer]:
    """For each hidden Dense layer, the last layer before the next Dense layer."""
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    hidden = hidden_layers(model)
    positions = [layers.index(layer) for layer in hidden]
    next_dense = positions[1:] + [
        next(i for i, layer in enumerate(layers) if layer is _output_dense(model))
    ]
    return [layers[end - 1] for end in next_dense]


def _output_dense(model: keras.Model) -> keras.layers.Dense:
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)][-1]


def _as_batch(x: Any, parameter: str = "x") -> np.ndarray:
    try:
        array = np.asarray(x, dtype="float32")
    except (TypeError, ValueError) as error:
        raise ValueError(f"{parameter} must be a numeric array; got {type(x).__name__}") from error
    if array.ndim < 2 or array.shape[0] == 0:
        raise ValueError(
            f"{parameter} must be a non-empty batch with shape (examples, features); "
            f"got shape {array.shape}"
        )
    return array


def layer_outputs(model: keras.Model, x: Any) -> list[np.ndarray]:
    """Return each hidden layer's output on ``x`` in inference mode.

    Parameters
    ----------
    model : keras.Model
        A built model (for example from :func:`utils.models.build_mlp`).
    x : array-like, shape (examples, features)
        The inputs.

    Returns
    -------
    list of numpy.ndarray
        One array of shape (examples, units) per hidden layer, input to output.

    Examples
    --------
    >>> from utils.models import build_mlp
    >>> outputs = layer_outputs(build_mlp(num_layers=3, units=8), np.zeros((5, 64)))
    >>> [o.shape for o in outputs]
    [(5, 8), (5, 8), (5, 8)]
    """
    model = _check_model(model)
    x = _as_batch(x)
    ends = _block_ends(model)
    try:
        inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
        probe = keras.Model(inputs=inputs, outputs=[layer.output for layer in ends])
    except (AttributeError, ValueError) as error:
        raise ValueError(
            f"model must be built with a known input (keras.Input or a first call); "
            f"{model.name!r} is not: {error}"
        ) from None
    outputs = probe(x, training=False)
    return [np.asarray(output) for output in outputs]


@dataclass(frozen=True)
class ActivationStats:
    """Per-layer statistics of the hidden layers' outputs.

    Attributes
    ----------
    layer_names : tuple of str
        The hidden Dense layers, input to output.
    mean, std : numpy.ndarray, shape (layers,)
        Mean and standard deviation over all examples and units of each layer.
    zero_fraction : numpy.ndarray, shape (layers,)
        Fraction of outputs (examples x units) that are exactly 0.
    """

    layer_names: tuple[str, ...]
    mean: np.ndarray
    std: np.ndarray
    zero_fraction: np.ndarray


def activation_stats(model: keras.Model, x: Any) -> ActivationStats:
    """Mean, standard deviation and fraction of exact zeros of each hidden layer.

    Parameters
    ----------
    model : keras.Model
        A built model.
    x : array-like, shape (examples, features)
        The inputs.

    Returns
    -------
    ActivationStats
        Arrays of shape (layers,), input to output.

    Examples
    --------
    >>> from utils.models import build_mlp
    >>> stats = activation_stats(build_mlp(num_layers=2, units=8), np.ones((4, 64)))
    >>> stats.layer_names
    ('hidden_1', 'hidden_2')
    """
    outputs = layer_outputs(model, x)
    return ActivationStats(
        layer_names=tuple(layer.name for layer in hidden_layers(model)),
        mean=np.array([float(np.mean(o)) for o in outputs]),
        std=np.array([float(np.std(o)) for o in outputs]),
        zero_fraction=np.array([float(np.mean(o == 0)) for o in outputs]),
    )


def dead_unit_fraction(model: keras.Model, x: Any) -> np.ndarray:
    """Fraction of each hidden layer's units that output exactly 0 for every example.

    Such a unit passes no gradient to its weights for any of these examples.
    Measure on held-out data: a unit dead on a small batch may be alive on others.

    Parameters
    ----------
    model : keras.Model
        A built model.
    x : array-like, shape (examples, features)
        The inputs.

    Returns
    -------
    numpy.ndarray, shape (layers,)
        Values in [0, 1], input to output.

    Examples
    --------
    >>> from utils.models import build_mlp
    >>> model = build_mlp(num_layers=2, units=8, kernel_initializer="zeros")
    >>> dead_unit_fraction(model, np.ones((4, 64)))
    array([1., 1.])
    """
    outputs = layer_outputs(model, x)
    return np.array([float(np.mean(np.all(o == 0, axis=0))) for o in outputs])


def _default_loss(model: keras.Model) -> Callable[..., Any]:
    compiled = getattr(model, "loss", None)
    if compiled is not None:
        return keras.losses.get(compiled)
    softmax_output = _output_dense(model).activation is keras.activations.softmax
    return keras.losses.SparseCategoricalCrossentropy(from_logits=not softmax_output)


def gradient_norms(
    model: keras.Model,
    x: Any,
    y: Any,
    *,
    loss: str | Callable[..., Any] | None = None,
    training: bool = True,
) -> np.ndarray:
    """L2 norm of the loss gradient with respect to each hidden layer's kernel.

    One forward and backward pass over the whole batch, with ``tf.GradientTape``.

    Parameters
    ----------
    model : keras.Model
        A built model.
    x : array-like, shape (examples, features)
        The inputs.
    y : array-like, shape (examples,) or (examples, outputs)
        The targets.
    loss : str, callable or None
        The loss. None uses the model's compiled loss, or else sparse
        categorical cross-entropy (on probabilities if the output layer is a
        softmax, on logits otherwise).
    training : bool
        Run the forward pass in training mode, as ``fit`` does (it matters for
        dropout and for random activations such as RReLU).

    Returns
    -------
    numpy.ndarray, shape (layers,)
        The Frobenius norm of each hidden kernel's gradient, input to output.

    Examples
    --------
    >>> from utils.models import build_mlp
    >>> norms = gradient_norms(build_mlp(num_layers=3), np.ones((8, 64)), np.zeros(8))
    >>> norms.shape
    (3,)
    """
    model = _check_model(model)
    x = _as_batch(x)
    y = np.asarray(y)
    if y.shape[0] != x.shape[0]:
        raise ValueError(
            f"y must have one target per example of x ({x.shape[0]}); got shape {y.shape}"
        )
    loss_fn = keras.losses.get(loss) if loss is not None else _default_loss(model)
    kernels = [layer.kernel for layer in hidden_layers(model)]
    with tf.GradientTape() as tape:
        predictions = model(x, training=training)
        loss_value = loss_fn(y, predictions)
    gradients = tape.gradient(loss_value, kernels)
    return np.array([float(tf.norm(g)) if g is not None else 0.0 for g in gradients])


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


def _seeded_initializer(initializer: Any, seed: int) -> keras.initializers.Initializer:
    if isinstance(initializer, str):
        try:
            initializer = keras.initializers.get(initializer)
        except ValueError:
            raise ValueError(
                f"kernel_initializer must be a Keras initializer name or instance; got {initializer!r}"
            ) from None
    if not isinstance(initializer, keras.initializers.Initializer):
        raise ValueError(
            "kernel_initializer must be a Keras initializer name or instance; got "
            f"{type(initializer).__name__}"
        )
    config = dict(initializer.get_config())
    if "seed" not in config:  # a constant initializer such as "zeros"
        return initializer
    config["seed"] = seed
    return type(initializer).from_config(config)


def compute_signal_propagation(
    x: Any,
    y: Any,
    *,
    activation: Any = "relu",
    kernel_initializer: Any = "he_normal",
    num_layers: int = 30,
    units: int = 100,
    seed: int = 0,
) -> SignalPropagation:
    """Build a fresh MLP and measure its per-layer activation std and gradient norms.

    The model comes from :func:`utils.models.build_mlp`, with
    ``input_dim=x.shape[1]`` and ``num_classes=int(max(y)) + 1``. Its kernels
    are drawn from ``kernel_initializer`` seeded with ``seed`` (each layer
    with its own seed), so the result depends on the arguments only, not on
    the global random state.

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
    seed : int
        A non-negative integer.

    Returns
    -------
    SignalPropagation
        Arrays of shape (num_layers,), input to output.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> result = compute_signal_propagation(
    ...     rng.standard_normal((32, 8)), rng.integers(0, 3, 32), num_layers=4, units=16)
    >>> result.activation_std.shape, result.gradient_norms.shape
    ((4,), (4,))
    """
    from utils import models

    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}")
    x = _as_batch(x)
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != x.shape[0] or not np.issubdtype(y.dtype, np.integer) or y.min() < 0:
        raise ValueError(
            f"y must hold one non-negative class index per example of x ({x.shape[0]}); "
            f"got shape {y.shape} and dtype {y.dtype}"
        )
    model = models.build_mlp(
        num_layers, units, activation, _seeded_initializer(kernel_initializer, int(seed)),
        input_dim=x.shape[1], num_classes=int(y.max()) + 1,
    )
    return SignalPropagation(
        activation_std=activation_stats(model, x).std,
        gradient_norms=gradient_norms(model, x, y),
    )
