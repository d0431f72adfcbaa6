"""Keras 3 model builders.

:func:`build_mlp` builds the deep multilayer perceptrons that every chapter
studies. Its hidden layers are named ``hidden_1``, ``hidden_2``, ... from the
input to the output, which is the order :mod:`utils.diagnostics` reports them in.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable
from typing import Any

from utils import _validation
from utils._tensorflow import keras
from utils.vocabulary import (
    ACTIVATION_NAMES,
    KERAS_INITIALIZER_NAMES,
    NORMALIZATION_NAMES,
    NORMALIZATION_POSITIONS,
    OUTPUT_ACTIVATION_NAMES,
)

__all__ = ["build_mlp", "build_residual_mlp", "redraw_kernels", "seeded_initializer"]

Activation = str | Callable[..., Any] | type
Initializer = str | keras.initializers.Initializer


def _is_layer_factory(activation: Any) -> bool:
    """Tell a Layer subclass or a callable that takes no required argument (a layer factory)."""
    if isinstance(activation, type):
        return issubclass(activation, keras.layers.Layer)
    try:
        signature = inspect.signature(activation)
    except (TypeError, ValueError):
        return False
    required = [
        p
        for p in signature.parameters.values()
        if p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return not required


def _activation_layer(activation: Activation, index: int) -> keras.layers.Layer | None:
    """Return the layer that follows hidden Dense layer ``index``, or None if it is built in."""
    if isinstance(activation, str):
        return None
    if isinstance(activation, keras.layers.Layer):
        raise ValueError(
            "activation must be a name, a function or a layer factory, not a layer "
            "instance, so that each hidden layer gets its own; got "
            f"{type(activation).__name__}(...): pass "
            f"`lambda: keras.layers.{type(activation).__name__}(...)` instead"
        )
    if not callable(activation):
        raise ValueError(
            f"activation must be one of {_validation.quoted(ACTIVATION_NAMES)}, a function or a "
            f"layer factory; got {activation!r}"
        )
    if not _is_layer_factory(activation):
        return None
    layer = activation()
    if not isinstance(layer, keras.layers.Layer):
        raise ValueError(f"activation factory must return a keras.layers.Layer; it returned {type(layer).__name__}")
    layer.name = f"activation_{index}"
    return layer


def _check_activation(activation: Activation, parameter: str) -> None:
    if isinstance(activation, str):
        _validation.check_choice(activation, parameter, ACTIVATION_NAMES, also="(or a function or a layer factory)")


def _check_initializer(initializer: Any) -> None:
    if isinstance(initializer, str):
        _validation.check_choice(
            initializer, "kernel_initializer", KERAS_INITIALIZER_NAMES, also="(or a keras.initializers.Initializer)"
        )
    else:
        _validation.check_instance(
            initializer,
            "kernel_initializer",
            keras.initializers.Initializer,
            "a Keras initializer name or a keras.initializers.Initializer",
        )


def _config_of(initializer: keras.initializers.Initializer) -> dict[str, Any]:
    """Return the initializer's config, with its ``seed`` attribute where a custom class leaves it out.

    A learner's initializer class often stores ``self.seed`` without overriding ``get_config``
    (which then returns ``{}``): rebuilt from that config, it would draw unseeded.
    """
    config = dict(initializer.get_config())
    seed = getattr(initializer, "seed", None)
    if "seed" not in config and isinstance(seed, int) and not isinstance(seed, bool):
        config["seed"] = seed
    return config


def _fresh(initializer: keras.initializers.Initializer, config: dict[str, Any]) -> keras.initializers.Initializer:
    try:
        # A fresh instance: an unseeded Keras initializer draws its seed once,
        # in __init__, so reusing the instance would repeat the same kernel.
        return type(initializer).from_config(config)
    except (TypeError, ValueError):
        # A custom initializer whose config does not round-trip.
        return copy.deepcopy(initializer)


def seeded_initializer(initializer: Initializer, seed: int) -> keras.initializers.Initializer:
    """Return a new instance of ``initializer`` that draws with ``seed``.

    Experiments re-seed the initializer they are given, so that their result
    depends on their arguments only, not on the global random state. An
    initializer without a seed (a constant, such as ``"zeros"``) comes back as
    a fresh, unchanged copy.

    Parameters
    ----------
    initializer : str or keras.initializers.Initializer
        A Keras initializer name (``"he_normal"``) or instance.
    seed : int
        A non-negative integer.

    Returns
    -------
    keras.initializers.Initializer

    Examples
    --------
    >>> seeded_initializer("he_normal", 3).get_config()["seed"]
    3
    """
    _check_initializer(initializer)
    seed = _validation.check_seed(seed)
    if isinstance(initializer, str):
        initializer = keras.initializers.get(initializer)
    config = _config_of(initializer)
    if "seed" in config:
        config["seed"] = seed
    return _fresh(initializer, config)


def _kernel_initializer(initializer: Initializer, index: int) -> Any:
    """Return a fresh initializer for one layer.

    One Keras 3 initializer *instance* reused across layers gives every layer
    the same kernel (seeded or not), so each layer gets a new instance built
    from the config; a seeded initializer's copies get seeds ``seed + index``,
    which keeps the model reproducible and its layers distinct.
    """
    _check_initializer(initializer)
    if isinstance(initializer, str):
        return initializer
    config = _config_of(initializer)
    if config.get("seed") is not None:
        return seeded_initializer(initializer, int(config["seed"]) + index)
    return _fresh(initializer, config)


def _output_layer(num_classes: int, output_activation: Any, kernel_initializer: Any, index: int) -> keras.layers.Dense:
    """Return the classifier's last Dense layer, named "output", with the ``index``-th kernel initializer."""
    return keras.layers.Dense(
        num_classes,
        activation=output_activation,
        kernel_initializer=_kernel_initializer(kernel_initializer, index),
        name="output",
    )


def _check_network(
    depth: tuple[str, Any],
    units: Any,
    activation: Any,
    input_dim: Any,
    num_classes: Any,
    output_activation: Any,
    normalization: Any,
) -> None:
    """Validate the arguments that build_mlp and build_residual_mlp share; ``depth`` is (name, value)."""
    for parameter, value in (depth, ("units", units), ("input_dim", input_dim), ("num_classes", num_classes)):
        _validation.check_int(value, parameter, minimum=1)
    _check_activation(activation, "activation")
    if output_activation is not None:
        _validation.check_choice(output_activation, "output_activation", OUTPUT_ACTIVATION_NAMES, also="or None")
    if normalization is not None:
        _validation.check_choice(normalization, "normalization", NORMALIZATION_NAMES, also="or None")


def build_mlp(
    num_layers: int = 5,
    units: int = 64,
    activation: Activation = "relu",
    kernel_initializer: Initializer = "glorot_uniform",
    *,
    input_dim: int = 64,
    num_classes: int = 10,
    output_activation: str | None = "softmax",
    normalization: str | None = None,
    normalization_position: str = "before",
    name: str = "mlp",
) -> keras.Sequential:
    """Build a multilayer perceptron for classification.

    Parameters
    ----------
    num_layers : int
        Number of hidden layers (>= 1).
    units : int
        Units in each hidden layer (>= 1).
    activation : str, callable or layer factory
        The hidden layers' activation:

        - a Keras name from :data:`utils.vocabulary.ACTIVATION_NAMES`, such as ``"relu"``;
        - a function of one tensor, such as ``keras.activations.tanh``;
        - a *layer factory*: a ``keras.layers.Layer`` subclass or a callable with
          no arguments that returns a new layer, such as ``keras.layers.PReLU``
          or ``lambda: keras.layers.LeakyReLU(negative_slope=0.2)``. Each hidden
          layer then gets its own activation layer, named ``activation_1``, ...
    kernel_initializer : str or keras.initializers.Initializer
        A Keras name from :data:`utils.vocabulary.KERAS_INITIALIZER_NAMES` or an initializer object.
        Each layer gets its own instance, so layers never share a kernel.
    input_dim : int
        Number of input features; 64 for the digits data.
    num_classes : int
        Number of output units.
    output_activation : str or None
        Activation of the output layer: ``"softmax"`` for probabilities, or
        None (linear) for logits.
    normalization : {None, "batch", "layer"}
        Add a normalization layer to every hidden layer (chapter 5):
        ``keras.layers.BatchNormalization`` or ``keras.layers.LayerNormalization``
        with Keras' defaults, named ``normalization_1``, ... The Dense layer is
        then linear and its activation becomes a separate layer ``activation_1``, ...
    normalization_position : {"before", "after"}
        With ``normalization``: normalize the Dense layer's output before the
        activation (as Ioffe and Szegedy did) or the activation's output after it.
    name : str
        The model's name.

    Returns
    -------
    keras.Sequential
        An uncompiled model: ``Input(input_dim)``, then Dense layers
        ``hidden_1`` ... ``hidden_{num_layers}`` (each followed by its
        activation layer when ``activation`` is a layer factory), then a Dense
        layer ``output`` with ``num_classes`` units.

    Raises
    ------
    ValueError
        For fewer than one layer or unit, or an unknown activation or
        initializer.

    Examples
    --------
    >>> model = build_mlp(num_layers=3, units=16, activation="tanh")
    >>> [layer.name for layer in model.layers]
    ['hidden_1', 'hidden_2', 'hidden_3', 'output']
    >>> leaky = build_mlp(2, 8, lambda: keras.layers.LeakyReLU(negative_slope=0.2))
    >>> [layer.name for layer in leaky.layers]
    ['hidden_1', 'activation_1', 'hidden_2', 'activation_2', 'output']
    >>> normalized = build_mlp(1, 8, "relu", normalization="batch")
    >>> [layer.name for layer in normalized.layers]
    ['hidden_1', 'normalization_1', 'activation_1', 'output']
    """
    _check_network(
        ("num_layers", num_layers), units, activation, input_dim, num_classes, output_activation, normalization
    )
    _validation.check_choice(normalization_position, "normalization_position", NORMALIZATION_POSITIONS)
    # Validate the initializer once, before building anything.
    _kernel_initializer(kernel_initializer, 0)

    if normalization is not None:
        return _normalized_mlp(
            num_layers,
            units,
            activation,
            kernel_initializer,
            input_dim=input_dim,
            num_classes=num_classes,
            output_activation=output_activation,
            normalization=normalization,
            normalization_position=normalization_position,
            name=name,
        )
    layers: list[keras.layers.Layer] = [keras.Input(shape=(input_dim,), name="features")]
    for index in range(1, num_layers + 1):
        activation_layer = _activation_layer(activation, index)
        layers.append(
            keras.layers.Dense(
                units,
                activation=None if activation_layer is not None else activation,
                kernel_initializer=_kernel_initializer(kernel_initializer, index),
                name=f"hidden_{index}",
            )
        )
        if activation_layer is not None:
            layers.append(activation_layer)
    layers.append(_output_layer(num_classes, output_activation, kernel_initializer, num_layers + 1))
    return keras.Sequential(layers, name=name)


def _normalization_layer(normalization: str, name: str) -> keras.layers.Layer:
    if normalization == "batch":
        return keras.layers.BatchNormalization(name=name)
    return keras.layers.LayerNormalization(name=name)


def _separate_activation(activation: Activation, index: int) -> keras.layers.Layer:
    """Return the activation of hidden layer ``index`` as a layer of its own, ``activation_<index>``."""
    layer = _activation_layer(activation, index)
    if layer is None:
        layer = keras.layers.Activation(activation, name=f"activation_{index}")
    return layer


def _normalized_mlp(
    num_layers: int,
    units: int,
    activation: Activation,
    kernel_initializer: Initializer,
    *,
    input_dim: int,
    num_classes: int,
    output_activation: str | None,
    normalization: str,
    normalization_position: str,
    name: str,
) -> keras.Sequential:
    layers: list[keras.layers.Layer] = [keras.Input(shape=(input_dim,), name="features")]
    for index in range(1, num_layers + 1):
        dense = keras.layers.Dense(
            units,
            kernel_initializer=_kernel_initializer(kernel_initializer, index),
            name=f"hidden_{index}",
        )
        norm = _normalization_layer(normalization, f"normalization_{index}")
        act = _separate_activation(activation, index)
        layers += [dense, norm, act] if normalization_position == "before" else [dense, act, norm]
    layers.append(_output_layer(num_classes, output_activation, kernel_initializer, num_layers + 1))
    return keras.Sequential(layers, name=name)


def build_residual_mlp(
    num_blocks: int = 10,
    units: int = 64,
    activation: Activation = "relu",
    kernel_initializer: Initializer = "he_normal",
    *,
    normalization: str | None = None,
    branch_scale: float = 1.0,
    zero_init_last: bool = False,
    input_dim: int = 64,
    num_classes: int = 10,
    output_activation: str | None = "softmax",
    name: str = "residual_mlp",
) -> keras.Model:
    r"""Build a residual multilayer perceptron: ``h <- h + branch_scale * f(h)`` per block.

    The residual stream keeps the input's width, ``input_dim``. Each block's
    branch is the two-layer MLP of a transformer block (chapter 5):
    ``f(h) = W_b act(W_a norm(h))``, with ``W_a`` of shape (input_dim, units) and
    ``W_b`` of shape (units, input_dim), and the normalization layer (if any)
    at the branch's input ("pre-norm"); with a normalization, one more normalizes
    the stream before the output layer.

    Parameters
    ----------
    num_blocks : int
        Number of residual blocks (>= 1); the network has ``2 * num_blocks``
        hidden Dense layers.
    units : int
        Width of each branch's hidden layer (>= 1).
    activation : str, callable or layer factory
        As for :func:`build_mlp`; used in each branch, between ``W_a`` and ``W_b``.
    kernel_initializer : str or keras.initializers.Initializer
        As for :func:`build_mlp`, for every Dense layer (except ``W_b`` with
        ``zero_init_last``).
    normalization : {None, "batch", "layer"}
        The branch's input normalization, named ``normalization_<block>``.
    branch_scale : float
        A fixed factor on every branch's output (> 0), for example ``1 / sqrt(num_blocks)``.
    zero_init_last : bool
        Initialize each branch's last kernel ``W_b`` at zero, so that every block
        starts as the identity (the SkipInit, ReZero and Fixup family).
    input_dim, num_classes, output_activation
        As for :func:`build_mlp`.
    name : str
        The model's name.

    Returns
    -------
    keras.Model
        An uncompiled functional model. Its Dense layers are ``hidden_1``,
        ``hidden_2``, ... (two per block, ``hidden_{2k-1}`` = ``W_a`` and
        ``hidden_{2k}`` = ``W_b`` of block ``k``), then ``output``; each block
        ends with the Add layer ``residual_<block>``, whose output
        :func:`utils.diagnostics.layer_outputs` reports for ``W_b``.

    Raises
    ------
    ValueError
        For a bad argument, naming it.

    Examples
    --------
    >>> model = build_residual_mlp(num_blocks=2, units=8, input_dim=4, num_classes=3)
    >>> [layer.name for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    ['hidden_1', 'hidden_2', 'hidden_3', 'hidden_4', 'output']
    """
    _check_network(
        ("num_blocks", num_blocks), units, activation, input_dim, num_classes, output_activation, normalization
    )
    branch_scale = _validation.check_number(branch_scale, "branch_scale", above=0)
    _validation.check_instance(zero_init_last, "zero_init_last", bool, "True or False")
    _kernel_initializer(kernel_initializer, 0)

    inputs = keras.Input(shape=(input_dim,), name="features")
    stream = inputs
    for block in range(1, num_blocks + 1):
        first, last = 2 * block - 1, 2 * block
        h = stream
        if normalization is not None:
            h = _normalization_layer(normalization, f"normalization_{block}")(h)
        h = keras.layers.Dense(
            units,
            kernel_initializer=_kernel_initializer(kernel_initializer, first),
            name=f"hidden_{first}",
        )(h)
        h = _separate_activation(activation, first)(h)
        h = keras.layers.Dense(
            input_dim,
            kernel_initializer="zeros" if zero_init_last else _kernel_initializer(kernel_initializer, last),
            name=f"hidden_{last}",
        )(h)
        if branch_scale != 1.0:
            h = keras.layers.Rescaling(branch_scale, name=f"branch_scale_{block}")(h)
        stream = keras.layers.Add(name=f"residual_{block}")([stream, h])
    if normalization is not None:
        stream = _normalization_layer(normalization, "normalization_final")(stream)
    outputs = _output_layer(num_classes, output_activation, kernel_initializer, 2 * num_blocks + 1)(stream)
    return keras.Model(inputs, outputs, name=name)


def redraw_kernels(model: keras.Model, kernel_initializer: Initializer) -> keras.Model:
    """Draw the weights of a :func:`build_mlp` network again, as a new build would.

    Each Dense layer's kernel is drawn from that layer's copy of
    ``kernel_initializer`` (for a seeded initializer, seed ``seed + index``, as
    :func:`build_mlp` seeds them) and its bias is set to zero. With a seeded
    initializer the model then holds, bit for bit, the weights of
    ``build_mlp(..., kernel_initializer)`` with its other arguments; drawing
    again is several times faster than building a deep network, which matters
    when an experiment repeats one network over many seeds.

    Parameters
    ----------
    model : keras.Model
        A network built by :func:`build_mlp` (hidden layers ``hidden_1`` ...
        ``hidden_N``, then ``output``).
    kernel_initializer : str or keras.initializers.Initializer
        As for :func:`build_mlp`, usually :func:`seeded_initializer`'s result.

    Returns
    -------
    keras.Model
        ``model`` itself, with its new weights.

    Raises
    ------
    ValueError
        If ``model`` is not laid out as :func:`build_mlp` builds, or the
        initializer is unknown.

    Examples
    --------
    >>> import numpy as np
    >>> model = build_mlp(3, 8, "relu", seeded_initializer("he_normal", 0), input_dim=4, num_classes=2)
    >>> fresh = build_mlp(3, 8, "relu", seeded_initializer("he_normal", 5), input_dim=4, num_classes=2)
    >>> redrawn = redraw_kernels(model, seeded_initializer("he_normal", 5))
    >>> all(np.array_equal(a, b) for a, b in zip(redrawn.get_weights(), fresh.get_weights()))
    True
    """
    _check_initializer(kernel_initializer)
    dense = [layer for layer in getattr(model, "layers", ()) if isinstance(layer, keras.layers.Dense)]
    expected = [*(f"hidden_{index}" for index in range(1, len(dense))), "output"]
    if not dense or [layer.name for layer in dense] != expected or not all(layer.built for layer in dense):
        raise ValueError(
            f"model must be a built network from build_mlp (Dense layers hidden_1 ... output); "
            f"got {_validation.describe(model)}"
        )
    for index, layer in enumerate(dense, start=1):
        initializer = keras.initializers.get(_kernel_initializer(kernel_initializer, index))
        layer.kernel.assign(initializer(tuple(layer.kernel.shape), dtype=layer.kernel.dtype))
        layer.bias.assign(keras.ops.zeros_like(layer.bias))
    return model
