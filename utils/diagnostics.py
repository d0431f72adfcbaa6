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
    "activation_stats",
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
