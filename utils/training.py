"""A fast, cached training loop for comparing activations on one MLP.

Chapter 3 trains the same small network with nine activation and initializer
pairs, several seeds and three learning rates. ``model.fit`` traces a
general-purpose training step for every new model, which on a 2-core CPU costs
more than the few epochs themselves. :class:`ActivationTrainer` instead traces
one plain epoch (a loop over the batches, each a ``tf.GradientTape`` step,
inside one ``tf.function``) per activation, and every later run of that
activation loads fresh initial weights into the same model and resets its
optimizer. The algorithm is the one ``fit`` runs: Adam (or the optimizer you
pass) on batches, reshuffled every epoch. Each run is cached, so a section can
reuse a network an earlier section trained.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from utils import _validation, diagnostics, models, setup
from utils._tensorflow import keras, tf

__all__ = ["ActivationTrainer", "TrainingRun", "accuracy", "build_for_fit"]


@dataclass(frozen=True)
class TrainingRun:
    """What one training run measured.

    Attributes
    ----------
    weights : list of numpy.ndarray
        The model's weights at the end of the run.
    seconds : float
        Time spent in training steps, the first run's tracing included.
    val_accuracy : numpy.ndarray, shape (epochs,)
        Validation accuracy after each epoch, in inference mode.
    train_accuracy : float
        Training accuracy at the end, in inference mode (RReLU uses its mean slope).
    dead : numpy.ndarray, shape (epochs + 1, layers)
        Fraction of dead units per hidden layer on the validation set, before
        training and after each epoch; empty unless ``track_dead`` was set.
    """

    weights: list[np.ndarray]
    seconds: float
    val_accuracy: np.ndarray
    train_accuracy: float
    dead: np.ndarray


def build_for_fit(model: Any, x: Any, y: Any) -> Any:
    """Create, before ``fit``, the variables it would create while tracing its training step.

    TensorFlow traces a ``tf.function`` twice when its first trace creates variables. Without
    a distribution strategy, Keras creates the optimizer's slots and the loss's and metrics'
    state inside the first trace of ``fit``'s training step, so ``fit`` traces that step
    twice: for a deep network, seconds more than the training itself (a 30-layer network
    with batch normalization, 5 short epochs: about 6 s instead of 3 s on a 2-core CPU).
    This function creates them now, from one eager forward pass in inference mode on
    ``x``; ``fit`` then traces once. It changes no weight, running statistic or metric
    value: the training that follows is the same, bit for bit (tests/test_training.py).

    Parameters
    ----------
    model : keras.Model
        A built and compiled model (``model.compile(optimizer=..., loss=...)``).
    x : array-like, shape (examples, features)
        A few inputs, such as the first batch.
    y : array-like, shape (examples,)
        Their targets.

    Returns
    -------
    keras.Model
        ``model``, ready to ``fit``.

    Examples
    --------
    >>> from utils import models
    >>> model = models.build_mlp(2, 8, "relu", "he_normal", input_dim=4, num_classes=3)
    >>> model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    >>> build_for_fit(model, np.zeros((2, 4)), np.array([0, 2])).optimizer.built
    True
    """
    _validation.check_instance(model, "model", keras.Model, "a keras.Model")
    if getattr(model, "optimizer", None) is None or getattr(model, "loss", None) is None:
        raise ValueError("model must be compiled first: call model.compile(optimizer=..., loss=...)")
    x = _validation.check_batch(x)
    y = _validation.check_targets(x, y)
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    predictions = model(x, training=False)
    model.compute_loss(x=x, y=y, y_pred=predictions, training=False)
    model.compute_metrics(x, y, predictions)
    model.reset_metrics()
    return model


def accuracy(model: Any, x: Any, y: Any) -> float:
    """Fraction of ``x`` classified as ``y``, in inference mode, with one direct call.

    Parameters
    ----------
    model : keras.Model
        A classifier whose outputs have one column per class.
    x : array-like, shape (examples, features)
        The inputs.
    y : array-like, shape (examples,)
        Class indices.

    Returns
    -------
    float
        The accuracy, in [0, 1].

    Examples
    --------
    >>> from utils import models
    >>> model = models.build_mlp(1, 4, "relu", "he_normal", input_dim=2, num_classes=2)
    >>> 0.0 <= accuracy(model, np.zeros((3, 2), "float32"), np.array([0, 1, 1])) <= 1.0
    True
    """
    return float(np.mean(np.argmax(model(x, training=False), axis=-1) == y))


class _Compiled(NamedTuple):
    """One activation's model, optimizer and traced functions, built once per trainer."""

    model: Any
    optimizer: Any
    train_epoch: Callable[[Any, Any], None]
    predict: Callable[[Any], Any]


def _accuracy(predict: Callable[[Any], Any], x: Any, y: Any) -> float:
    """:func:`accuracy` with a traced prediction function."""
    return float(np.mean(np.argmax(predict(np.asarray(x, dtype="float32")), axis=-1) == y))


def _positive_int(name: str, value: Any) -> int:
    return _validation.check_int(value, name, minimum=1)


class ActivationTrainer:
    """Train one MLP per activation, quickly and reproducibly, and cache every run.

    Parameters
    ----------
    candidates : mapping
        ``{name: (activation, kernel_initializer)}``. The activation is anything
        :func:`utils.models.build_mlp` accepts, including a zero-argument layer
        factory such as ``lambda: keras.layers.LeakyReLU(negative_slope=0.2)``.
    data : object
        With ``x_train``, ``y_train``, ``x_val`` and ``y_val`` arrays, such as
        what :func:`utils.data.load_digits` returns.
    num_layers, units : int
        Hidden layers and units per layer of the MLP.
    epochs, batch_size : int
        Length of each run and size of its batches. A run takes
        ``epochs * ceil(len(x_train) / batch_size)`` optimizer steps.
    optimizer : callable
        Makes a new Keras optimizer, called once per activation; the learning
        rate is set for each run. Default ``keras.optimizers.Adam``; for example
        ``lambda: keras.optimizers.Adam(epsilon=1e-12)``.

    Attributes
    ----------
    runs : dict
        ``{(name, seed, learning_rate): TrainingRun}``, every run so far.
    """

    def __init__(
        self,
        candidates: Mapping[str, tuple[Any, Any]],
        data: Any,
        *,
        num_layers: int = 8,
        units: int = 64,
        epochs: int = 8,
        batch_size: int = 64,
        optimizer: Callable[[], Any] | None = None,
    ):
        if not isinstance(candidates, Mapping) or not candidates:
            raise ValueError(
                f"candidates must be a non-empty mapping name -> (activation, initializer); got {candidates!r}"
            )
        missing = [a for a in ("x_train", "y_train", "x_val", "y_val") if not hasattr(data, a)]
        if missing:
            raise ValueError(f"data must have x_train, y_train, x_val and y_val; it lacks {', '.join(missing)}")
        self.candidates = dict(candidates)
        self.data = data
        self.num_layers = _positive_int("num_layers", num_layers)
        self.units = _positive_int("units", units)
        self.epochs = _positive_int("epochs", epochs)
        self.batch_size = _positive_int("batch_size", batch_size)
        if optimizer is not None and not callable(optimizer):
            raise ValueError(
                f"optimizer must be a function that returns a new Keras optimizer, "
                f"such as keras.optimizers.Adam; got {optimizer!r}"
            )
        self.optimizer = keras.optimizers.Adam if optimizer is None else optimizer
        self.runs: dict[tuple[str, int, float], TrainingRun] = {}
        self._trainers: dict[str, _Compiled] = {}
        self._initial_weights: dict[tuple[str, int], list[np.ndarray]] = {}

    @property
    def steps_per_run(self) -> int:
        """Optimizer steps in one run: ``epochs`` times the batches per epoch."""
        return self.epochs * -(-len(self.data.x_train) // self.batch_size)

    def _build(self, name: str) -> Any:
        activation, initializer = self.candidates[name]
        return models.build_mlp(
            self.num_layers, self.units, activation, initializer, input_dim=self.data.x_train.shape[1]
        )

    def _trainer(self, name: str) -> _Compiled:
        """Build the model of ``name``, its optimizer, its training epoch and its prediction, built once."""
        if name not in self._trainers:
            model = self._build(name)
            optimizer = self.optimizer()
            if not isinstance(optimizer, keras.optimizers.Optimizer):
                raise ValueError(f"optimizer must return a Keras optimizer; it returned {type(optimizer).__name__}")
            optimizer.build(model.trainable_variables)
            loss_fn = keras.losses.SparseCategoricalCrossentropy()

            batch_size = self.batch_size
            features = tf.TensorSpec((None, self.data.x_train.shape[1]), "float32")

            # One call per epoch: the loop over the batches runs inside the graph, which
            # saves a Python round trip per step. The last batch may be smaller.
            @tf.function(input_signature=[features, tf.TensorSpec((None,), "int64")])
            def train_epoch(x: Any, y: Any) -> None:
                for begin in tf.range(0, tf.shape(x)[0], batch_size):
                    x_batch, y_batch = x[begin : begin + batch_size], y[begin : begin + batch_size]
                    with tf.GradientTape() as tape:
                        loss = loss_fn(y_batch, model(x_batch, training=True))
                    gradients = tape.gradient(loss, model.trainable_variables)
                    optimizer.apply(gradients, model.trainable_variables)

            # Inference mode, traced once: an eager call of a Keras model costs more than the graph.
            @tf.function(input_signature=[features])
            def predict(x: Any) -> Any:
                return model(x, training=False)

            self._trainers[name] = _Compiled(model, optimizer, train_epoch, predict)
        return self._trainers[name]

    def train(self, name: str, seed: int = 42, learning_rate: float = 1e-3, track_dead: bool = False) -> TrainingRun:
        """Train the MLP with activation ``name`` from the initial weights of ``seed``.

        The first call for a (name, seed, learning rate) trains; later calls return the
        cached run (with ``track_dead``, a cached run without dead-unit counts is retrained).

        Parameters
        ----------
        name : str
            One of the trainer's candidates.
        seed : int
            Seed of the initial weights and of the batches' order.
        learning_rate : float
            The optimizer's learning rate (> 0).
        track_dead : bool
            Also record the fraction of dead units on the validation set, before training
            and after each epoch.

        Returns
        -------
        TrainingRun
        """
        _validation.check_choice(name, "name", self.candidates)
        _validation.check_number(learning_rate, "learning_rate", above=0)
        key = (name, seed, learning_rate)
        if key in self.runs and (self.runs[key].dead.size or not track_dead):
            return self.runs[key]
        model, optimizer, train_epoch, predict = self._trainer(name)
        # Load the initial weights of `seed` (built once per activation and seed) and reset the optimizer.
        setup.set_seed(seed)
        if (name, seed) not in self._initial_weights:
            self._initial_weights[name, seed] = self._build(name).get_weights()
        model.set_weights(self._initial_weights[name, seed])
        for variable in optimizer.variables:
            variable.assign(keras.ops.zeros_like(variable))
        optimizer.learning_rate.assign(learning_rate)

        d = self.data
        y_train = np.asarray(d.y_train, dtype="int64")
        shuffle = np.random.default_rng(seed)
        val_accuracy, dead, seconds = [], [], 0.0
        if track_dead:  # on the validation set: before training, after each epoch
            dead.append(diagnostics.dead_unit_fraction(model, d.x_val))
        for _ in range(self.epochs):
            start = time.perf_counter()
            order = shuffle.permutation(len(d.x_train))  # batches: consecutive slices of this order
            train_epoch(d.x_train[order], y_train[order])
            seconds += time.perf_counter() - start
            val_accuracy.append(_accuracy(predict, d.x_val, d.y_val))
            if track_dead:
                dead.append(diagnostics.dead_unit_fraction(model, d.x_val))
        self.runs[key] = TrainingRun(
            weights=model.get_weights(),
            seconds=seconds,
            val_accuracy=np.array(val_accuracy),
            train_accuracy=_accuracy(predict, d.x_train, d.y_train),
            dead=np.array(dead),
        )
        return self.runs[key]

    def trained_model(self, name: str, seed: int = 42, learning_rate: float = 1e-3) -> Any:
        """Return the model of ``name``, holding the weights its run ended with (trained if needed).

        The model object is shared by every run of ``name``: the next call for that
        activation replaces its weights.

        Parameters
        ----------
        name, seed, learning_rate
            As for :meth:`train`.

        Returns
        -------
        keras.Model
        """
        weights = self.train(name, seed, learning_rate).weights
        model = self._trainer(name).model
        model.set_weights(weights)
        return model
