"""Per-layer measurements of a network: gradients, activations, saturation, dead units.

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

from utils import models
from utils._tensorflow import keras, tf

__all__ = [
    "ActivationStats",
    "GradientNormRecorder",
    "SignalPropagation",
    "activation_stats",
    "backward_signal_norms",
    "compute_signal_propagation",
    "dead_unit_fraction",
    "first_to_last_ratio",
    "gradient_norms",
    "gradient_norms_at_init",
    "hidden_layers",
    "kernel_snapshot",
    "layer_outputs",
    "per_layer_factor",
    "relative_weight_change",
    "saturation_fraction",
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
    The loss is the mean over the batch's examples, as in ``model.fit``, so the
    norms do not grow with the batch size.

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
    y = _check_targets(x, y)
    _, norms = _loss_and_gradient_norms(model, x, y, loss=loss, training=training)
    return norms


def backward_signal_norms(
    model: keras.Model,
    x: Any,
    y: Any,
    *,
    loss: str | Callable[..., Any] | None = None,
    training: bool = True,
) -> np.ndarray:
    """Size of the backward signal at each hidden layer: the loss gradient with respect to its pre-activations.

    For hidden layer ``l`` this is :math:`\\delta^{(l)} = \\partial\\mathcal{L}/\\partial\\mathbf{z}^{(l)}`,
    the quantity the rule of thumb of chapter 1, section 1 predicts from layer to layer.
    Unlike :func:`gradient_norms` (the gradient of each kernel, which also carries
    the forward signal entering the layer), it holds the backward signal alone.
    The loss is summed over the batch, so each example's signal is its own, and
    the result is the root mean square over the examples of each example's norm.

    Parameters
    ----------
    model : keras.Model
        A model whose layers run one after the other (a ``keras.Sequential``, such
        as :func:`utils.models.build_mlp` builds).
    x : array-like, shape (examples, features)
        The inputs.
    y : array-like, shape (examples,) or (examples, outputs)
        The targets.
    loss : str, callable or None
        As for :func:`gradient_norms`.
    training : bool
        As for :func:`gradient_norms`.

    Returns
    -------
    numpy.ndarray, shape (layers,)
        One value per hidden Dense layer, input to output.

    Examples
    --------
    >>> from utils.models import build_mlp
    >>> backward_signal_norms(build_mlp(num_layers=3), np.ones((8, 64)), np.zeros(8)).shape
    (3,)
    """
    model = _check_model(model)
    if not isinstance(model, keras.Sequential):
        raise ValueError(f"model must be a keras.Sequential; got {type(model).__name__}")
    x = _as_batch(x)
    y = _check_targets(x, y)
    loss_fn = keras.losses.get(loss) if loss is not None else _default_loss(model)
    hidden = set(id(layer) for layer in hidden_layers(model))
    pre_activations = []
    with tf.GradientTape() as tape:
        h = tf.convert_to_tensor(x)
        for layer in model.layers:
            if id(layer) not in hidden:
                h = layer(h, training=training)
                continue
            # The Dense layer's own activation (build_mlp puts a named one inside it)
            # is applied after its pre-activations are recorded.
            z = tf.matmul(h, layer.kernel)
            if layer.use_bias:
                z = z + layer.bias
            pre_activations.append(z)
            h = layer.activation(z)
        # The mean loss times the batch size: each example's own loss (loss objects average).
        loss_value = tf.reduce_mean(loss_fn(y, h)) * x.shape[0]
    gradients = tape.gradient(loss_value, pre_activations)
    return np.array([float(tf.sqrt(tf.reduce_mean(tf.reduce_sum(g**2, axis=-1)))) for g in gradients])


def _profile(values: Any) -> np.ndarray:
    array = np.asarray(values, dtype="float64")
    if array.ndim != 1 or array.size < 2:
        raise ValueError(f"values must be a 1-D sequence of at least 2 per-layer values; got shape {array.shape}")
    return array


def first_to_last_ratio(values: Any) -> float:
    """The first layer's value divided by the last layer's: how a profile tips over.

    Parameters
    ----------
    values : array-like, shape (layers,)
        One value per layer, input to output, such as :func:`gradient_norms`.

    Examples
    --------
    >>> first_to_last_ratio([1e-6, 1e-3, 1.0])
    1e-06
    """
    values = _profile(values)
    return float(values[0] / values[-1])


def per_layer_factor(values: Any, *, towards: str = "last") -> float:
    """The average factor from one layer to the next: the geometric mean of the steps.

    Parameters
    ----------
    values : array-like, shape (layers,)
        One value per layer, input to output.
    towards : {"last", "first"}
        ``"last"`` follows the forward signal, ``(last / first) ** (1 / (layers - 1))``;
        ``"first"`` follows the backward signal from the output down to the input,
        ``(first / last) ** (1 / (layers - 1))``.

    Examples
    --------
    >>> round(per_layer_factor([8.0, 4.0, 2.0, 1.0]), 3)
    0.5
    >>> round(per_layer_factor([8.0, 4.0, 2.0, 1.0], towards="first"), 3)
    2.0
    """
    values = _profile(values)
    if towards not in ("last", "first"):
        raise ValueError(f"towards must be one of 'last', 'first'; got {towards!r}")
    ratio = values[-1] / values[0] if towards == "last" else values[0] / values[-1]
    return float(ratio ** (1 / (values.size - 1)))


def _check_targets(x: np.ndarray, y: Any) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim == 0 or y.shape[0] != x.shape[0]:
        raise ValueError(
            f"y must have one target per example of x ({x.shape[0]}); got shape {y.shape}"
        )
    return y


def _loss_and_gradient_norms(
    model: keras.Model, x: np.ndarray, y: np.ndarray, *, loss: Any, training: bool
) -> tuple[float, np.ndarray]:
    """The mean loss on (x, y) and the norm of its gradient for each hidden kernel."""
    loss_fn = keras.losses.get(loss) if loss is not None else _default_loss(model)
    kernels = [layer.kernel for layer in hidden_layers(model)]
    with tf.GradientTape() as tape:
        predictions = model(x, training=training)
        # Loss *functions* (a compiled "mse", say) return one value per example;
        # averaging them, as Keras' own reduction does, keeps the norms
        # independent of the batch size and of whether the model was compiled.
        loss_value = tf.reduce_mean(loss_fn(y, predictions))
    gradients = tape.gradient(loss_value, kernels)
    norms = np.array([float(tf.norm(g)) if g is not None else 0.0 for g in gradients])
    return float(loss_value), norms


def kernel_snapshot(model: keras.Model) -> list[np.ndarray]:
    """Copy each hidden layer's kernel, to compare with the same kernels later.

    Parameters
    ----------
    model : keras.Model
        A built model.

    Returns
    -------
    list of numpy.ndarray
        One copy per hidden layer, input to output, with the kernel's shape
        (fan_in, units). Later training does not change the copies.

    Examples
    --------
    >>> from utils.models import build_mlp
    >>> [k.shape for k in kernel_snapshot(build_mlp(num_layers=2, units=8))]
    [(64, 8), (8, 8)]
    """
    return [np.array(layer.kernel.numpy(), copy=True) for layer in hidden_layers(model)]


def _kernels(value: Any, parameter: str) -> list[np.ndarray]:
    if isinstance(value, keras.Model):
        return kernel_snapshot(value)
    # A single array would pass as a list of rows and give one value per row.
    if (isinstance(value, (str, bytes, np.ndarray)) or not hasattr(value, "__len__")
            or len(value) == 0):
        raise ValueError(
            f"{parameter} must be a keras.Model or a non-empty list of kernels from "
            f"kernel_snapshot; got {type(value).__name__}"
        )
    try:
        return [np.asarray(kernel, dtype="float64") for kernel in value]
    except (TypeError, ValueError):
        raise ValueError(f"{parameter} must hold numeric arrays") from None


def relative_weight_change(before: Any, after: Any) -> np.ndarray:
    """How far each hidden kernel moved: ``||W_after - W_before|| / ||W_before||``.

    Both norms are Frobenius norms, so the result is the size of the total
    update relative to the size of the initial kernel: 0.01 means the layer
    moved by 1 % of its own size.

    Parameters
    ----------
    before : list of numpy.ndarray or keras.Model
        The kernels at the start, usually from :func:`kernel_snapshot` before
        training. A model stands for its current kernels.
    after : list of numpy.ndarray or keras.Model
        The kernels at the end: a later snapshot, or the trained model itself.

    Returns
    -------
    numpy.ndarray, shape (layers,)
        Non-negative values, input to output. Exactly 0 means the kernel is
        bit-for-bit unchanged, for example because every update was too small
        to change a float32 weight.

    Raises
    ------
    ValueError
        If the two hold different numbers of kernels or different shapes, or a
        kernel in ``before`` is all zeros (its relative change is undefined).

    Examples
    --------
    >>> before = [np.ones((2, 2)), np.ones((2, 2))]
    >>> relative_weight_change(before, [np.ones((2, 2)), 1.5 * np.ones((2, 2))])
    array([0. , 0.5])
    """
    before, after = _kernels(before, "before"), _kernels(after, "after")
    if len(before) != len(after):
        raise ValueError(
            f"before and after must hold the same number of kernels; got {len(before)} and {len(after)}"
        )
    changes = []
    for index, (start, end) in enumerate(zip(before, after)):
        if start.shape != end.shape:
            raise ValueError(
                f"kernel {index} has shape {start.shape} in before but {end.shape} in after"
            )
        scale = np.linalg.norm(start)
        if scale == 0:
            raise ValueError(f"kernel {index} of before is all zeros: its relative change is undefined")
        changes.append(float(np.linalg.norm(end - start) / scale))
    return np.array(changes)


#: The asymptotes of the bounded activations :func:`saturation_fraction` knows.
_ASYMPTOTES: tuple[tuple[Callable[..., Any], tuple[float, float]], ...] = (
    (keras.activations.sigmoid, (0.0, 1.0)),
    (keras.activations.tanh, (-1.0, 1.0)),
)


def _asymptotes(layer: keras.layers.Layer) -> tuple[float, float]:
    activation = getattr(layer, "activation", None)
    for function, bounds in _ASYMPTOTES:
        if activation is function:
            return bounds
    name = getattr(activation, "__name__", type(layer).__name__)
    raise ValueError(
        f"saturation_fraction knows the asymptotes of 'sigmoid' and 'tanh' only; layer "
        f"{layer.name!r} uses {name!r}: pass bounds=(low, high)"
    )


def saturation_fraction(
    model: keras.Model,
    x: Any,
    *,
    epsilon: float = 0.01,
    bounds: tuple[float, float] | None = None,
) -> np.ndarray:
    """Fraction of each hidden layer's outputs that sit next to an asymptote.

    An output ``a`` of a unit with range (low, high) counts as saturated when
    it lies within ``epsilon * (high - low)`` of ``low`` or of ``high``. With
    the default ``epsilon = 0.01`` that is ``a <= 0.01`` or ``a >= 0.99`` for
    the sigmoid, and ``|a| >= 0.98`` for tanh. Both thresholds mean the same thing:
    the unit's derivative is below 4 % of its maximum (``4 * epsilon * (1 -
    epsilon)``), since tanh is a rescaled sigmoid, ``tanh(z) = 2 sigmoid(2z) - 1``.

    Parameters
    ----------
    model : keras.Model
        A built model whose hidden layers use a bounded activation.
    x : array-like, shape (examples, features)
        The inputs.
    epsilon : float
        The threshold, as a fraction of the activation's range, in (0, 0.5).
    bounds : (float, float), optional
        The activation's asymptotes (low, high). By default they are read
        from each hidden layer's activation: (0, 1) for ``sigmoid`` and
        (-1, 1) for ``tanh``; any other activation needs ``bounds``.

    Returns
    -------
    numpy.ndarray, shape (layers,)
        Values in [0, 1], over all examples and units, input to output.

    Examples
    --------
    >>> from utils.models import build_mlp
    >>> model = build_mlp(num_layers=2, units=8, activation="sigmoid", kernel_initializer="zeros")
    >>> saturation_fraction(model, np.ones((4, 64)))  # every output is sigmoid(0) = 0.5
    array([0., 0.])
    """
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float)) or not 0 < epsilon < 0.5:
        raise ValueError(f"epsilon must be a number strictly between 0 and 0.5; got {epsilon!r}")
    if bounds is not None:
        try:
            if isinstance(bounds, (str, bytes)):
                raise TypeError
            low, high = (float(b) for b in bounds)
        except (TypeError, ValueError):
            raise ValueError(f"bounds must be two numbers (low, high); got {bounds!r}") from None
        if not low < high:
            raise ValueError(f"bounds must satisfy low < high; got {bounds!r}")
    model = _check_model(model)
    layer_bounds = [(low, high) if bounds is not None else _asymptotes(layer) for layer in _block_ends(model)]
    outputs = layer_outputs(model, x)
    fractions = []
    for output, (low, high) in zip(outputs, layer_bounds):
        margin = epsilon * (high - low)
        saturated = (output <= low + margin) | (output >= high - margin)
        fractions.append(float(np.mean(saturated)))
    return np.array(fractions)


class GradientNormRecorder(keras.callbacks.Callback):
    """A Keras callback that records per-layer gradient norms while ``fit`` runs.

    Before every ``every``-th training step, and once when training ends, it
    measures the loss and :func:`gradient_norms` on a fixed probe batch, with
    the model's compiled loss. Recording on a fixed batch makes the records
    comparable from step to step; it costs one extra forward and backward pass
    per record.

    Parameters
    ----------
    x : array-like, shape (examples, features)
        The probe inputs, for example 256 training examples.
    y : array-like, shape (examples,) or (examples, outputs)
        Their targets.
    every : int
        Record every this many training steps (>= 1).

    Attributes
    ----------
    steps : numpy.ndarray, shape (records,)
        How many training steps had run at each record (0 is the initial model).
    losses : numpy.ndarray, shape (records,)
        The mean loss on the probe batch; inf or NaN once training has diverged.
    norms : numpy.ndarray, shape (records, layers)
        The gradient norm of each hidden kernel, input to output.
    global_norms : numpy.ndarray, shape (records,)
        The norm of all hidden kernels' gradients taken together, the square
        root of the sum of squares of ``norms``: the kind of norm that an
        optimizer's ``global_clipnorm`` bounds (over every weight, not only
        the hidden kernels).

    Examples
    --------
    >>> from utils.models import build_mlp
    >>> model = build_mlp(num_layers=2, units=8)
    >>> model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    >>> x, y = np.zeros((32, 64)), np.zeros(32)
    >>> recorder = GradientNormRecorder(x, y)
    >>> _ = model.fit(x, y, batch_size=16, epochs=1, verbose=0, callbacks=[recorder])
    >>> recorder.steps, recorder.norms.shape
    (array([0, 1, 2]), (3, 2))
    """

    def __init__(self, x: Any, y: Any, *, every: int = 1) -> None:
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be an integer >= 1; got {every!r}")
        self._x = _as_batch(x)
        self._y = _check_targets(self._x, y)
        self.every = every
        self._step = 0
        self._records: list[tuple[int, float, np.ndarray]] = []

    def _record(self) -> None:
        loss, norms = _loss_and_gradient_norms(self.model, self._x, self._y, loss=None, training=True)
        self._records.append((self._step, loss, norms))

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        # A second fit() on the same model starts a fresh record.
        self._step = 0
        self._records = []

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self._step % self.every == 0:
            self._record()

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._step += 1

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if not self._records or self._records[-1][0] != self._step:
            self._record()

    @property
    def steps(self) -> np.ndarray:
        return np.array([step for step, _, _ in self._records], dtype=int)

    @property
    def losses(self) -> np.ndarray:
        return np.array([loss for _, loss, _ in self._records])

    @property
    def norms(self) -> np.ndarray:
        if not self._records:
            return np.zeros((0, 0))
        return np.stack([norms for _, _, norms in self._records])

    @property
    def global_norms(self) -> np.ndarray:
        return np.sqrt(np.sum(self.norms**2, axis=1))


def gradient_norms_at_init(
    num_layers: int,
    weight_std: float,
    activation: str,
    x: Any,
    y: Any,
    *,
    units: int = 64,
    num_classes: int = 10,
    seed: int = 0,
) -> np.ndarray:
    """Per-layer gradient norms of a fresh MLP whose weights are drawn from N(0, weight_std²).

    Builds ``models.build_mlp(num_layers, units, activation)`` with every
    kernel drawn from a normal distribution of standard deviation
    ``weight_std`` (biases start at 0), then returns :func:`gradient_norms` on
    (x, y). The same arguments give the same norms: the weights come from
    ``seed``, not from the global random state.

    Parameters
    ----------
    num_layers : int
        Number of hidden layers (>= 1).
    weight_std : float
        Standard deviation of the initial weights (> 0). With ``units`` inputs
        per layer, ``weight_std * sqrt(units)`` is the per-layer gain of a
        linear network: 1 keeps the signal's size.
    activation : str
        A Keras activation name, such as ``"sigmoid"``, ``"tanh"`` or ``"relu"``.
    x : array-like, shape (examples, features)
        The inputs.
    y : array-like, shape (examples,)
        Class labels in ``range(num_classes)``.
    units : int
        Units per hidden layer.
    num_classes : int
        Units of the softmax output layer; 10 for the digits data.
    seed : int
        Seed of the weight initializer (a non-negative integer).

    Returns
    -------
    numpy.ndarray, shape (num_layers,)
        Gradient norms, input to output.

    Examples
    --------
    >>> norms = gradient_norms_at_init(3, 0.125, "tanh", np.ones((8, 64)), np.zeros(8))
    >>> norms.shape
    (3,)
    """
    if isinstance(weight_std, bool) or not isinstance(weight_std, (int, float)) or not weight_std > 0:
        raise ValueError(f"weight_std must be a positive number; got {weight_std!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}")
    x = _as_batch(x)
    initializer = keras.initializers.RandomNormal(stddev=float(weight_std), seed=int(seed))
    model = models.build_mlp(
        num_layers, units, activation, initializer,
        input_dim=x.shape[1], num_classes=num_classes,
    )
    return gradient_norms(model, x, y)


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
