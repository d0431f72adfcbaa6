"""utils.training: the chapter 3 training loop, fast, cached and reproducible."""

from __future__ import annotations

import re
from types import SimpleNamespace

import keras
import numpy as np
import pytest
from numpy.testing import assert_allclose

from utils import data, training


@pytest.fixture(scope="module")
def small_data():
    digits = data.load_digits()
    return SimpleNamespace(
        x_train=digits.x_train[:256], y_train=digits.y_train[:256], x_val=digits.x_val[:128], y_val=digits.y_val[:128]
    )


CANDIDATES = {
    "ReLU": ("relu", "he_normal"),
    "Leaky ReLU": (lambda: keras.layers.LeakyReLU(negative_slope=0.2), "he_normal"),
}


def make(small_data, **kwargs):
    settings = {"num_layers": 3, "units": 16, "epochs": 3, "batch_size": 64} | kwargs
    return training.ActivationTrainer(CANDIDATES, small_data, **settings)


def test_a_run_learns_and_reports_what_it_measured(small_data):
    run = make(small_data, epochs=6).train("ReLU", seed=1, learning_rate=1e-2, track_dead=True)
    assert run.val_accuracy.shape == (6,) and run.dead.shape == (7, 3)
    assert run.val_accuracy[-1] > 0.5  # ten classes: chance is 0.1
    assert 0 <= run.dead.min() and run.dead.max() <= 1
    assert run.train_accuracy > 0.5 and run.seconds > 0
    assert [w.shape for w in run.weights[:2]] == [(64, 16), (16,)]


def test_runs_are_cached_and_reproducible_across_trainers(small_data):
    trainer = make(small_data)
    first = trainer.train("Leaky ReLU", seed=3)
    assert trainer.train("Leaky ReLU", seed=3) is first
    trainer.train("Leaky ReLU", seed=4)  # the same model, reloaded with other initial weights
    again = make(small_data).train("Leaky ReLU", seed=3)
    assert_allclose(again.val_accuracy, first.val_accuracy)
    for a, b in zip(again.weights, first.weights, strict=True):
        assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert set(trainer.runs) == {("Leaky ReLU", 3, 1e-3), ("Leaky ReLU", 4, 1e-3)}


def test_seeds_give_different_runs_and_the_model_holds_the_chosen_weights(small_data):
    trainer = make(small_data)
    a = trainer.train("ReLU", seed=1)
    b = trainer.train("ReLU", seed=2)
    assert not np.allclose(a.weights[0], b.weights[0])
    model = trainer.trained_model("ReLU", seed=1)
    assert_allclose(model.get_weights()[0], a.weights[0])
    assert training.accuracy(model, small_data.x_train, small_data.y_train) == pytest.approx(a.train_accuracy)


def test_asking_for_dead_units_retrains_a_run_cached_without_them(small_data):
    trainer = make(small_data, epochs=1)
    plain = trainer.train("ReLU", seed=5)
    tracked = trainer.train("ReLU", seed=5, track_dead=True)
    assert plain.dead.size == 0 and tracked.dead.shape == (2, 3)
    assert_allclose(tracked.val_accuracy, plain.val_accuracy)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"candidates": {}}, r"^candidates must be a non-empty mapping name -> \(activation, initializer\); got \{\}$"),
        (
            {"data": SimpleNamespace(x_train=0)},
            r"^data must have x_train, y_train, x_val and y_val; it lacks y_train, x_val, y_val$",
        ),
        ({"epochs": 0}, r"^epochs must be a positive integer; got 0$"),
        ({"batch_size": 32.0}, r"^batch_size must be a positive integer; got 32.0$"),
    ],
)
def test_bad_settings_raise_one_line_errors(small_data, kwargs, message):
    settings = {"candidates": CANDIDATES, "data": small_data} | kwargs
    with pytest.raises(ValueError, match=message):
        training.ActivationTrainer(settings.pop("candidates"), settings.pop("data"), **settings)


def test_bad_run_arguments_raise_one_line_errors(small_data):
    trainer = make(small_data)
    with pytest.raises(ValueError, match=r"^name must be one of 'ReLU', 'Leaky ReLU'; got 'relu'$"):
        trainer.train("relu")
    with pytest.raises(ValueError, match=r"^learning_rate must be a positive number; got 0$"):
        trainer.train("ReLU", learning_rate=0)


def test_a_run_takes_epochs_times_batches_steps_with_the_optimizer_given(small_data):
    made = []

    def adam_with_tiny_epsilon():
        made.append(keras.optimizers.Adam(epsilon=1e-12))
        return made[-1]

    trainer = make(small_data, epochs=2, optimizer=adam_with_tiny_epsilon)
    assert trainer.steps_per_run == 2 * 4  # 256 images in batches of 64
    trainer.train("ReLU", seed=1)
    (optimizer,) = made
    assert optimizer.epsilon == 1e-12 and int(optimizer.iterations.numpy()) == trainer.steps_per_run
    assert make(small_data, batch_size=100).steps_per_run == 3 * 3  # the last batch is smaller
    assert make(small_data).optimizer is keras.optimizers.Adam


def test_a_bad_optimizer_raises_a_one_line_error(small_data):
    with pytest.raises(ValueError, match=r"^optimizer must be a function that returns a new Keras optimizer"):
        make(small_data, optimizer=keras.optimizers.Adam())
    trainer = make(small_data, optimizer=lambda: "adam")
    with pytest.raises(ValueError, match=r"^optimizer must return a Keras optimizer; it returned str$"):
        trainer.train("ReLU")


def test_an_epoch_is_the_plain_loop_over_consecutive_batches_of_the_shuffled_order(small_data):
    """The graph's loop gives the weights of an eager step-by-step loop (last batch smaller)."""
    import tensorflow as tf

    from utils import models, setup

    trainer = make(small_data, epochs=1, batch_size=100)
    run = trainer.train("ReLU", seed=7, learning_rate=1e-2)

    setup.set_seed(7)
    model = models.build_mlp(3, 16, "relu", "he_normal", input_dim=64)
    optimizer = keras.optimizers.Adam(learning_rate=1e-2)
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    order = np.random.default_rng(7).permutation(len(small_data.x_train))
    for begin in range(0, len(order), 100):  # batches of 100, 100 and 56
        batch = order[begin : begin + 100]
        with tf.GradientTape() as tape:
            loss = loss_fn(small_data.y_train[batch], model(small_data.x_train[batch], training=True))
        optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
    for expected, found in zip(model.get_weights(), run.weights, strict=True):
        assert_allclose(found, expected, rtol=1e-5, atol=1e-6)


# --- build_for_fit: fit traces its training step once, and trains the same ---------------------------


def _compiled_bn_network(seed):
    from utils import models, setup

    setup.set_seed(seed)
    model = models.build_mlp(4, 16, "relu", "glorot_normal", normalization="batch")
    model.compile(
        optimizer=keras.optimizers.SGD(0.01, momentum=0.9),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def _fit_counting_traces(model, small_data):
    traces = []
    train_step = model.train_step
    model.train_step = lambda batch: traces.append(1) or train_step(batch)  # runs while fit traces the step
    history = model.fit(small_data.x_train, small_data.y_train, epochs=2, batch_size=64, verbose=0)
    return len(traces), history.history, model.get_weights()


def test_build_for_fit_makes_fit_trace_once_and_train_the_same(small_data):
    traces, history, weights = _fit_counting_traces(_compiled_bn_network(3), small_data)
    model = training.build_for_fit(_compiled_bn_network(3), small_data.x_train[:64], small_data.y_train[:64])
    assert all(not np.any(variable.numpy()) for metric in model.metrics for variable in metric.variables)
    traces_built, history_built, weights_built = _fit_counting_traces(model, small_data)
    assert (traces, traces_built) == (2, 1)  # Keras creates the optimizer's slots in fit's first trace
    assert history_built == history  # the first epoch's metrics too: build_for_fit leaves none behind
    assert all(np.array_equal(a, b) for a, b in zip(weights, weights_built, strict=True))


@pytest.mark.parametrize(
    "model, x, y, message",
    [
        ("a model", np.zeros((2, 64)), [0, 1], "model must be a keras.Model; got str"),
        (None, np.zeros((2, 64)), [0, 1], "model must be compiled first"),
        ("compiled", np.zeros(64), [0], "x must be a non-empty batch with shape (examples, features)"),
        ("compiled", np.zeros((2, 64)), [0, 1, 2], "y must have one target per example of x (2)"),
    ],
)
def test_build_for_fit_rejects_bad_arguments_in_one_line(model, x, y, message):
    from utils import models

    if model is None:
        model = models.build_mlp(1, 4)
    elif model == "compiled":
        model = models.build_mlp(1, 4)
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="^" + re.escape(message)) as caught:
        training.build_for_fit(model, x, y)
    assert "\n" not in str(caught.value)
