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

from utils import _validation
from utils._tensorflow import keras, tf

__all__ = [
    "ActivationStats",
    "GradientNormRecorder",
    "activation_stats",
    "backward_signal_norms",
    "dead_unit_fraction",
    "first_to_last_ratio",
    "gradient_norms",
    "hidden_layers",
    "kernel_gradients",
    "kernel_snapshot",
    "layer_outputs",
    "per_layer_factor",
    "relative_weight_change",
    "saturation_fraction",
]


def _check_model(model: Any) -> keras.Model:
    return _validation.check_instance(model, "model", keras.Model, "a keras.Model")


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
    """For each hidden Dense layer, the last layer before the next Dense layer.

    A residual sum (an ``Add`` layer) ends the block it closes: when one lies
    between a Dense layer and the next, the block ends at the first such sum,
    so that a residual network reports its residual stream (a pre-norm
    network's next normalization layer belongs to the next block).
    """
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    hidden = hidden_layers(model)
    positions = [layers.index(layer) for layer in hidden]
    next_dense = positions[1:] + [next(i for i, layer in enumerate(layers) if layer is _output_dense(model))]
    ends = []
    for start, end in zip(positions, next_dense, strict=True):
        sums = [layer for layer in layers[start + 1 : end] if isinstance(layer, keras.layers.Add)]
        ends.append(sums[0] if sums else layers[end - 1])
    return ends


def _output_dense(model: keras.Model) -> keras.layers.Dense:
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)][-1]


def _is_chain(model: keras.Model) -> bool:
    """Whether ``model`` is a built ``keras.Sequential``: each layer feeds the next."""
    return isinstance(model, keras.Sequential) and model.built


def _run_chain(
    model: keras.Sequential, x: Any, *, training: bool, record: list[keras.layers.Layer]
) -> tuple[Any, list[Any]]:
    """Run a built Sequential model layer by layer; return its output and the outputs of ``record``.

    The same operations, in the same order, as ``model(x, training=training)``, so the same
    values bit for bit, in about a third less time for a deep MLP: a plain ``Dense`` layer
    whose input already has its dtype runs its ``call`` (a matrix product, the bias, the
    activation) without the bookkeeping of ``Layer.__call__``, which the other layers keep
    (their ``training`` behaviour, their state updates, a cast to their dtype).
    """
    recorded = {id(layer) for layer in record}
    h = tf.convert_to_tensor(x, dtype=model.layers[0].compute_dtype)
    outputs = []
    for layer in model.layers:
        plain = type(layer) is keras.layers.Dense and h.dtype == layer.compute_dtype
        h = layer.call(h) if plain else layer(h, training=training)
        if id(layer) in recorded:
            outputs.append(h)
    return h, outputs


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
    x = _validation.check_batch(x)
    ends = _block_ends(model)
    if _is_chain(model):
        return [np.asarray(output) for output in _run_chain(model, x, training=False, record=ends)[1]]
    try:
        inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
        probe = keras.Model(inputs=inputs, outputs=[layer.output for layer in ends])
    except (AttributeError, ValueError) as error:
        raise ValueError(
            f"model must be built with a known input (keras.Input or a first call); {model.name!r} is not: {error}"
        ) from None
    outputs = probe(x, training=False)
    if not isinstance(outputs, (list, tuple)):  # Keras returns a lone tensor for a single output
        outputs = [outputs]
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
        Arrays of shape (layers,), input to output. The mean and std are computed
        in float64, so that a layer with large but finite float32 outputs (an
        exploding network) gets its finite std; a layer whose outputs overflowed
        to infinity gets an infinite or NaN one, without a NumPy warning.

    Examples
    --------
    >>> from utils.models import build_mlp
    >>> stats = activation_stats(build_mlp(num_layers=2, units=8), np.ones((4, 64)))
    >>> stats.layer_names
    ('hidden_1', 'hidden_2')
    """
    outputs = layer_outputs(model, x)
    with np.errstate(over="ignore", invalid="ignore"):  # outputs that overflowed: inf - inf
        return ActivationStats(
            layer_names=tuple(layer.name for layer in hidden_layers(model)),
            mean=np.array([float(np.mean(o, dtype=np.float64)) for o in outputs]),
            std=np.array([float(np.std(o, dtype=np.float64)) for o in outputs]),
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
    x = _validation.check_batch(x)
    y = _validation.check_targets(x, y)
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
    r"""Size of the backward signal at each hidden layer: the loss gradient with respect to its pre-activations.

    For hidden layer ``l`` this is :math:`\delta^{(l)} = \partial\mathcal{L}/\partial\mathbf{z}^{(l)}`,
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
    x = _validation.check_batch(x)
    y = _validation.check_targets(x, y)
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
    """Divide the first layer's value by the last layer's: how a profile tips over.

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
    """Return the average factor from one layer to the next: the geometric mean of the steps.

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
    _validation.check_choice(towards, "towards", ("last", "first"))
    ratio = values[-1] / values[0] if towards == "last" else values[0] / values[-1]
    return float(ratio ** (1 / (values.size - 1)))


def _loss_and_kernel_gradients(
    model: keras.Model, x: np.ndarray, y: np.ndarray, *, loss: Any, training: bool
) -> tuple[float, list[np.ndarray]]:
    """Return the mean loss on (x, y) and its gradient with respect to each hidden kernel."""
    loss_fn = keras.losses.get(loss) if loss is not None else _default_loss(model)
    kernels = [layer.kernel for layer in hidden_layers(model)]
    with tf.GradientTape() as tape:
        if _is_chain(model):  # the same values as model(x), faster
            predictions = _run_chain(model, x, training=training, record=[])[0]
        else:
            predictions = model(x, training=training)
        # Loss *functions* (a compiled "mse", say) return one value per example;
        # averaging them, as Keras' own reduction does, keeps the norms
        # independent of the batch size and of whether the model was compiled.
        loss_value = tf.reduce_mean(loss_fn(y, predictions))
    gradients = tape.gradient(loss_value, kernels)
    return float(loss_value), [
        np.zeros(kernel.shape, dtype="float32") if g is None else np.asarray(g)
        for kernel, g in zip(kernels, gradients, strict=True)
    ]


def _loss_and_gradient_norms(
    model: keras.Model, x: np.ndarray, y: np.ndarray, *, loss: Any, training: bool
) -> tuple[float, np.ndarray]:
    """Return the mean loss on (x, y) and the norm of its gradient for each hidden kernel."""
    loss_value, gradients = _loss_and_kernel_gradients(model, x, y, loss=loss, training=training)
    return loss_value, np.array([float(tf.norm(g)) for g in gradients])


def kernel_gradients(
    model: keras.Model,
    x: Any,
    y: Any,
    *,
    loss: str | Callable[..., Any] | None = None,
    training: bool = True,
) -> list[np.ndarray]:
    """Return the loss gradient with respect to each hidden layer's kernel, as arrays.

    The same forward and backward pass as :func:`gradient_norms`, which
    reduces each of these arrays to its norm: use this one to look at the
    individual weights' gradients (their distribution, their median size).

    Parameters
    ----------
    model : keras.Model
        A built model.
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
    list of numpy.ndarray
        One array per hidden layer, input to output, with the kernel's shape
        (fan_in, units).

    Examples
    --------
    >>> from utils.models import build_mlp
    >>> [g.shape for g in kernel_gradients(build_mlp(num_layers=2, units=8), np.ones((4, 64)), np.zeros(4))]
    [(64, 8), (8, 8)]
    """
    model = _check_model(model)
    x = _validation.check_batch(x)
    y = _validation.check_targets(x, y)
    return _loss_and_kernel_gradients(model, x, y, loss=loss, training=training)[1]


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
    if isinstance(value, (str, bytes, np.ndarray)) or not hasattr(value, "__len__") or len(value) == 0:
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
        raise ValueError(f"before and after must hold the same number of kernels; got {len(before)} and {len(after)}")
    changes = []
    for index, (start, end) in enumerate(zip(before, after, strict=True)):
        if start.shape != end.shape:
            raise ValueError(f"kernel {index} has shape {start.shape} in before but {end.shape} in after")
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
    epsilon = _validation.check_number(epsilon, "epsilon", above=0, below=0.5)
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
    for output, (low, high) in zip(outputs, layer_bounds, strict=True):
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
        every = _validation.check_int(every, "every", minimum=1)
        self._x = _validation.check_batch(x)
        self._y = _validation.check_targets(self._x, y)
        self.every = every
        self._step = 0
        self._records: list[tuple[int, float, np.ndarray]] = []

    def _record(self) -> None:
        loss, norms = _loss_and_gradient_norms(self.model, self._x, self._y, loss=None, training=True)
        self._records.append((self._step, loss, norms))

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Start a fresh record."""
        # A second fit() on the same model starts a fresh record.
        self._step = 0
        self._records = []

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Record before every ``every``-th step."""
        if self._step % self.every == 0:
            self._record()

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Count the step."""
        self._step += 1

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        """Record the trained model, unless the last step was just recorded."""
        if not self._records or self._records[-1][0] != self._step:
            self._record()

    @property
    def steps(self) -> np.ndarray:
        """Return how many training steps had run at each record."""
        return np.array([step for step, _, _ in self._records], dtype=int)

    @property
    def losses(self) -> np.ndarray:
        """Return the mean loss on the probe batch at each record."""
        return np.array([loss for _, loss, _ in self._records])

    @property
    def norms(self) -> np.ndarray:
        """Return the gradient norm of each hidden kernel at each record, shape (records, layers)."""
        if not self._records:
            return np.zeros((0, 0))
        return np.stack([norms for _, _, norms in self._records])

    @property
    def global_norms(self) -> np.ndarray:
        """Return the norm of all hidden kernels' gradients together at each record."""
        return np.sqrt(np.sum(self.norms**2, axis=1))
