"""The argument checks of utils._validation (the unit under test here), and NumPy seeds across the package."""

import functools
import importlib
import inspect
import pkgutil
import re

import numpy as np
import pytest

import utils
from utils import _validation

#: Every message of every check: "<parameter> must be <what>; got <value>", on one line.
MESSAGE = re.compile(r"^[\w\[\]'\"]+(?: of '\w+')? must (?:be|have|hold) [^\n]+; got [^\n]+$")

NUMPY_INTEGERS = [np.int8(3), np.int32(3), np.int64(3), np.uint8(3), np.uint64(3)]


def raised(call):
    """The message of the ValueError that call() raises (each test compares it whole)."""
    with pytest.raises(ValueError) as error:  # noqa: PT011
        call()
    return str(error.value)


# --- check_int and check_seed ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [3, *NUMPY_INTEGERS], ids=lambda v: type(v).__name__)
def test_check_int_accepts_python_and_numpy_integers_and_returns_a_python_int(value):
    result = _validation.check_int(value, "num_layers", minimum=1, maximum=3)
    assert result == 3 and type(result) is int


@pytest.mark.parametrize(
    "value, bounds, message",
    [
        (0, {"minimum": 1}, "num_layers must be a positive integer; got 0"),
        (1, {"minimum": 2}, "num_layers must be an integer >= 2; got 1"),
        (0, {"minimum": 1, "maximum": 40}, "num_layers must be an integer in [1, 40]; got 0"),
        (np.int64(41), {"minimum": 1, "maximum": 40}, "num_layers must be an integer in [1, 40]; got 41"),
        (-1, {"minimum": 0}, "num_layers must be a non-negative integer; got -1"),
        (5, {"maximum": 4}, "num_layers must be an integer <= 4; got 5"),
        (2.0, {}, "num_layers must be an integer; got 2.0"),
        ("3", {}, "num_layers must be an integer; got '3'"),
        (None, {}, "num_layers must be an integer; got None"),
        (True, {}, "num_layers must be an integer; got True"),
        (np.bool_(True), {}, "num_layers must be an integer; got True"),
        (np.array(3), {}, "num_layers must be an integer; got ndarray"),
        ([3], {}, "num_layers must be an integer; got list"),
    ],
)
def test_check_int_messages(value, bounds, message):
    assert raised(lambda: _validation.check_int(value, "num_layers", **bounds)) == message


@pytest.mark.parametrize("seed", [0, 7, *NUMPY_INTEGERS], ids=lambda v: f"{type(v).__name__}({v})")
def test_check_seed_accepts_non_negative_python_and_numpy_integers(seed):
    result = _validation.check_seed(seed)
    assert result == int(seed) and type(result) is int


@pytest.mark.parametrize(
    "seed, message",
    [
        (-1, "seed must be a non-negative integer; got -1"),
        (np.int64(-2), "seed must be a non-negative integer; got -2"),
        (1.0, "seed must be a non-negative integer; got 1.0"),
        ("0", "seed must be a non-negative integer; got '0'"),
        (False, "seed must be a non-negative integer; got False"),
    ],
)
def test_check_seed_messages(seed, message):
    assert raised(lambda: _validation.check_seed(seed)) == message


def test_check_seed_names_its_parameter():
    assert raised(lambda: _validation.check_seed(-1, "data_seed")) == "data_seed must be a non-negative integer; got -1"


def test_check_seeds_returns_a_tuple_of_python_ints():
    assert _validation.check_seeds(range(3)) == (0, 1, 2)
    assert _validation.check_seeds(np.arange(2)) == (0, 1) and type(_validation.check_seeds([np.int64(4)])[0]) is int


@pytest.mark.parametrize(
    "seeds, message",
    [
        ([], "seeds must be a non-empty sequence of non-negative integers; got none"),
        (3, "seeds must be a non-empty sequence of non-negative integers; got 3"),
        ("012", "seeds must be a non-empty sequence of non-negative integers; got '012'"),
        ([0, -1], "each of seeds must be a non-negative integer; got -1"),
        ([0, 1.5], "each of seeds must be a non-negative integer; got 1.5"),
    ],
)
def test_check_seeds_messages(seeds, message):
    assert raised(lambda: _validation.check_seeds(seeds)) == message


# --- check_number ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [0.5, np.float32(0.5), np.float64(0.5), np.int64(1), 1], ids=lambda v: type(v).__name__
)
def test_check_number_accepts_python_and_numpy_numbers_and_returns_a_python_float(value):
    result = _validation.check_number(value, "epsilon", above=0, at_most=1)
    assert result == float(value) and type(result) is float


@pytest.mark.parametrize(
    "value, bounds, message",
    [
        (0.5, {"above": 0, "below": 0.5}, "epsilon must be a number strictly between 0 and 0.5; got 0.5"),
        (0, {"above": 0}, "epsilon must be a positive number; got 0"),
        (0, {"above": 0, "at_most": 1}, "epsilon must be a number > 0 and <= 1; got 0"),
        (-1, {"at_least": 0}, "epsilon must be a number >= 0; got -1"),
        (3, {"at_least": 0, "at_most": 2}, "epsilon must be a number in [0, 2]; got 3"),
        (float("nan"), {}, "epsilon must be a finite number; got nan"),
        (float("inf"), {"above": 0}, "epsilon must be a positive number; got inf"),
        (True, {}, "epsilon must be a finite number; got True"),
        ("1", {"above": 0}, "epsilon must be a positive number; got '1'"),
        (1 + 2j, {}, "epsilon must be a finite number; got (1+2j)"),
        (np.ones(2), {}, "epsilon must be a finite number; got ndarray"),
    ],
)
def test_check_number_messages(value, bounds, message):
    assert raised(lambda: _validation.check_number(value, "epsilon", **bounds)) == message


# --- check_choice, quoted, suggestion -------------------------------------------------------------------------


def test_check_choice_returns_the_value():
    assert _validation.check_choice("tanh", "activation", ("relu", "tanh")) == "tanh"
    assert _validation.check_choice(0.125, "weight_std", {0.125: "1/8", 0.25: "1/4"}) == 0.125


@pytest.mark.parametrize(
    "value, kwargs, message",
    [
        (
            "he_norml",
            {},
            "kernel_initializer must be one of 'he_normal', 'lecun_normal'; got 'he_norml' (did you mean 'he_normal'?)",
        ),
        ("xavier", {}, "kernel_initializer must be one of 'he_normal', 'lecun_normal'; got 'xavier'"),
        (None, {"also": "or None"}, "kernel_initializer must be one of 'he_normal', 'lecun_normal' or None; got None"),
        (3, {}, "kernel_initializer must be one of 'he_normal', 'lecun_normal'; got 3"),
        (["he_normal"], {}, "kernel_initializer must be one of 'he_normal', 'lecun_normal'; got list"),
        ({"he": 1}, {}, "kernel_initializer must be one of 'he_normal', 'lecun_normal'; got dict"),
    ],
)
def test_check_choice_messages(value, kwargs, message):
    call = lambda: _validation.check_choice(value, "kernel_initializer", ("he_normal", "lecun_normal"), **kwargs)  # noqa: E731
    assert raised(call) == message


def test_check_choice_handles_unhashable_values_against_a_mapping():
    message = raised(lambda: _validation.check_choice(["relu"], "activation", {"relu": None, "elu": "alpha"}))
    assert message == "activation must be one of 'relu', 'elu'; got list"


def test_check_choice_gives_an_array_the_one_line_message():
    # An array compared with the allowed values is ambiguous for NumPy; the learner should still read which
    # parameter is wrong and what it accepts, not NumPy's "truth value of an array" error.
    message = raised(lambda: _validation.check_choice(np.array(["relu", "tanh"]), "activation", ("relu", "tanh")))
    assert message == "activation must be one of 'relu', 'tanh'; got ndarray"


def test_quoted_and_suggestion():
    assert _validation.quoted(("relu", 0.5, None)) == "'relu', 0.5, None"
    assert _validation.suggestion("sigmod", ("sigmoid", "tanh")) == " (did you mean 'sigmoid'?)"
    assert _validation.suggestion("xyzzy", ("sigmoid", "tanh")) == ""
    assert _validation.suggestion(3, ("sigmoid", "tanh")) == ""


# --- arrays and instances -------------------------------------------------------------------------------------


def test_check_batch_returns_float32():
    batch = _validation.check_batch([[1, 2], [3, 4]])
    assert batch.dtype == np.float32 and batch.shape == (2, 2)


@pytest.mark.parametrize(
    "x, message",
    [
        ("pixels", "x must be a numeric array; got str"),
        ([[1, 2], [3]], "x must be a numeric array; got list"),
        ([1.0, 2.0], "x must be a non-empty batch with shape (examples, features); got shape (2,)"),
        (np.zeros((0, 4)), "x must be a non-empty batch with shape (examples, features); got shape (0, 4)"),
    ],
)
def test_check_batch_messages(x, message):
    assert raised(lambda: _validation.check_batch(x)) == message


def test_check_targets_and_labels():
    x = np.zeros((3, 2))
    assert _validation.check_targets(x, np.ones((3, 4))).shape == (3, 4)
    assert _validation.check_labels(x, np.array([0, 2, 1], dtype=np.uint8)).tolist() == [0, 2, 1]
    assert (
        raised(lambda: _validation.check_targets(x, 5)) == "y must have one target per example of x (3); got shape ()"
    )
    assert raised(lambda: _validation.check_targets(x, [1, 2], "targets")) == (
        "targets must have one target per example of x (3); got shape (2,)"
    )


@pytest.mark.parametrize(
    "y, message",
    [
        ([0.0, 1.0, 1.0], "got shape (3,) and dtype float64"),
        ([0, -1, 1], "got shape (3,) and dtype int64"),
        ([[0], [1], [1]], "got shape (3, 1) and dtype int64"),
        ([0, 1], "got shape (2,) and dtype int64"),
    ],
)
def test_check_labels_messages(y, message):
    expected = f"y must hold one non-negative class index per example of x (3); {message}"
    assert raised(lambda: _validation.check_labels(np.zeros((3, 2)), np.asarray(y))) == expected


def test_check_instance():
    assert _validation.check_instance("x", "name", str, "a string") == "x"
    assert raised(lambda: _validation.check_instance(3, "model", (str, list), "a keras.Model")) == (
        "model must be a keras.Model; got int"
    )


# --- one format for every check ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: _validation.check_int(0, "units", minimum=1),
        lambda: _validation.check_seed(-3),
        lambda: _validation.check_number(0, "weight_std", above=0),
        lambda: _validation.check_choice("rleu", "activation", ("relu", "elu")),
        lambda: _validation.check_batch([1, 2]),
        lambda: _validation.check_targets(np.zeros((2, 1)), [1]),
        lambda: _validation.check_labels(np.zeros((2, 1)), [0.5, 1]),
        lambda: _validation.check_instance(None, "ax", list, "a matplotlib Axes"),
    ],
    ids=["int", "seed", "number", "choice", "batch", "targets", "labels", "instance"],
)
def test_every_check_uses_the_one_message_format(call):
    assert MESSAGE.match(raised(call))


# --- NumPy seeds across the public API ----------------------------------------------------------------------------
#
# Seeds used to be accepted as np.integer in some modules and rejected in others. Every public function, class or
# public method with a `seed` parameter is found below by inspection; each must accept np.int64(3) and mean by it
# what it means by 3. A new one fails test_every_seed_function_is_covered until it gets a call in SEED_CALLS.


def public_modules():
    modules = []
    for name in utils.__all__:
        module = importlib.import_module(f"utils.{name}")
        modules.append(module)
        if hasattr(module, "__path__"):  # a subpackage, such as utils.checks: its public modules too
            modules += [
                importlib.import_module(f"{module.__name__}.{info.name}")
                for info in pkgutil.iter_modules(module.__path__)
                if not info.name.startswith("_")
            ]
    return modules


def seed_callables():
    """{qualified name: callable} of every public function, class and public method that takes a `seed`."""
    found = {}
    for module in public_modules():
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)) or not obj.__module__.startswith("utils"):
                continue
            candidates = [obj]
            if inspect.isclass(obj):
                candidates += [
                    member
                    for attribute, member in vars(obj).items()
                    if not attribute.startswith("_") and inspect.isfunction(member)
                ]
            for candidate in candidates:
                try:
                    parameters = inspect.signature(candidate).parameters
                except ValueError:  # an exception class inherits a C signature: it takes no seed
                    continue
                if "seed" in parameters:
                    found[f"{candidate.__module__}.{candidate.__qualname__}"] = candidate
    return found


def small_batch():
    rng = np.random.default_rng(0)
    return rng.standard_normal((16, 8)).astype("float32"), rng.integers(0, 3, 16)


@functools.cache
def tiny_trainer():
    """One trainer for both seeds: the int seed must find the run of the np.int64 seed (runs are keyed by seed)."""
    from utils import training

    x, y = small_batch()

    class Data:
        x_train, y_train, x_val, y_val = x, y, x[:8], y[:8]

    return training.ActivationTrainer(
        {"relu": ("relu", "he_normal")}, Data(), num_layers=1, units=4, epochs=1, batch_size=16
    )


def kernel_of(initializer):
    return np.asarray(initializer((4, 3)))


def after_seeding(function):
    def seeded(seed):
        function(seed)
        return np.random.rand(3)

    return seeded


def widget_figure(explorer):
    return explorer.children[-1].value


def seed_calls():
    """{qualified name: function of a seed returning what that seed determines}."""
    from utils import activations, checks, data, experiments, initializers, models, setup, widgets

    x, y = small_batch()
    calls = {
        "utils.activations.RReLU": lambda seed: np.asarray(
            activations.RReLU(seed=seed)(-np.ones(8, dtype="float32"), training=True)
        ),
        "utils.data.load_digits": lambda seed: data.load_digits(seed=seed).y_val,
        "utils.checks.lab5.residual_stack": lambda seed: checks.lab5.residual_stack(
            lambda h, kernel, scale: h + scale * np.maximum(h, 0) @ kernel, 0.5, 2, seed=seed
        )[1],
        "utils.checks.lab2.check_initializer": lambda seed: (
            checks.check_initializer(initializers.HeNormal, "he_normal", seed=seed).message
        ),
        "utils.experiments.compute_activation_profile": lambda seed: (
            experiments.compute_activation_profile(num_layers=2, units=4, num_examples=16, seed=seed).std
        ),
        "utils.experiments.compute_signal_propagation": lambda seed: (
            experiments.compute_signal_propagation(x, y, num_layers=2, units=4, seed=seed).activation_std
        ),
        "utils.experiments.gradient_norms_at_init": lambda seed: experiments.gradient_norms_at_init(
            x, y, num_layers=2, weight_std=0.1, activation="tanh", units=4, seed=seed
        ),
        "utils.experiments.gradient_norms_at_init_grid": lambda seed: experiments.gradient_norms_at_init_grid(
            x, y, depths=[2], weight_stds=[0.1], activations=["tanh"], units=4, seed=seed
        )[("tanh", 0.1, 2)],
        "utils.experiments.layer_statistics_grid": lambda seed: experiments.layer_statistics_grid(
            x, activations=["relu"], kernel_initializers=["he_normal"], num_layers=2, widths=[4], seed=seed
        )[("relu", "he_normal", 4, 1.0)][1],
        "utils.models.seeded_initializer": lambda seed: kernel_of(models.seeded_initializer("he_normal", seed)),
        "utils.setup.set_seed": after_seeding(setup.set_seed),
        "utils.setup.configure": after_seeding(lambda seed: setup.configure(seed, style=False, verbose=False)),
        "utils.training.ActivationTrainer.train": lambda seed: tiny_trainer().train("relu", seed).weights,
        "utils.training.ActivationTrainer.trained_model": lambda seed: (
            tiny_trainer().trained_model("relu", seed).get_weights()
        ),
        "utils.widgets.gradient_norm_explorer": lambda seed: widget_figure(
            widgets.gradient_norm_explorer(x, y, num_layers=2, seed=seed)
        ),
        "utils.widgets.initialization_explorer": lambda seed: widget_figure(
            widgets.initialization_explorer(x, y, num_layers=2, units=8, seed=seed)
        ),
    }
    for name in initializers.__all__:
        cls = getattr(initializers, name)
        if inspect.isclass(cls):
            calls[f"utils.initializers.{name}"] = lambda seed, cls=cls: kernel_of(cls(seed=seed))
    return calls


class _Seeded(Exception):
    """Raised by a stand-in set_seed, to stop a check's training once its seed is set."""


def _seed_set_by_train_fix_candidate(seed, monkeypatch_context):
    """The seed train_fix_candidate hands to setup.set_seed (it would then train for minutes)."""
    from utils import setup as setup_module
    from utils.checks import lab1

    real = setup_module.set_seed

    def stop(value):
        real(value)  # validates the seed as the real call does
        raise _Seeded(value)

    monkeypatch_context.setattr(setup_module, "set_seed", stop)
    try:
        lab1.train_fix_candidate("relu", "he_normal", seed)
    except _Seeded as seeded:
        return int(seeded.args[0])
    raise AssertionError("train_fix_candidate did not seed")


SEED_FUNCTIONS = sorted(seed_callables())


def test_every_seed_function_is_covered():
    covered = set(seed_calls()) | {"utils.checks.lab1.train_fix_candidate"}
    assert sorted(set(SEED_FUNCTIONS) - covered) == [], "add a call to seed_calls() for each new seed function"
    assert sorted(covered - set(SEED_FUNCTIONS)) == [], "a function in seed_calls() no longer takes a seed"


@pytest.mark.parametrize("name", SEED_FUNCTIONS)
def test_every_public_seed_accepts_numpy_integers(name, monkeypatch):
    if name == "utils.checks.lab1.train_fix_candidate":  # stopped once seeded: its training takes minutes
        assert _seed_set_by_train_fix_candidate(np.int64(3), monkeypatch) == 3
        return
    calls = seed_calls()
    if name not in calls:
        pytest.fail(f"{name} takes a seed but seed_calls() has no call for it")
    call = calls[name]
    np.testing.assert_equal(call(np.int64(3)), call(3))
