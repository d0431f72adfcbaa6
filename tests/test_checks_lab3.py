"""Lab 3 checks accept the reference answers and correct alternatives, and reject stubs, broken and wrong answers."""

import json
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from utils import checks, diagnostics, models, plotting, report, setup
from utils.checks import lab3
from utils.data import load_digits

SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805
LAB_SOURCE = Path(__file__).resolve().parents[1] / "labs" / "source" / "03-activations-from-scratch.ipynb"


def leaky_relu(z, negative_slope=0.2):
    return ops.where(z > 0, z, negative_slope * z)


def elu(z, alpha=1.0):
    return ops.where(z > 0, z, alpha * (ops.exp(z) - 1))


def selu(z):
    return SELU_SCALE * elu(z, SELU_ALPHA)


def one_line(result):
    """The feedback is one line, plus at most one hint line, and never a traceback."""
    lines = result.message.splitlines()
    return (
        len(lines) <= 2 and (len(lines) == 1 or lines[1].startswith("   Hint:")) and "Traceback" not in result.message
    )


# Exercise 3.1 ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "function, name",
    [
        (leaky_relu, "leaky_relu"),
        (elu, "elu"),
        (selu, "selu"),
        (lambda z: tf.where(z > 0, z, 0.2 * z), "leaky_relu"),
        (lambda z: ops.maximum(z, 0.2 * z), "leaky_relu"),
        (lambda z, alpha=1.0: tf.where(z > 0, z, alpha * tf.math.expm1(tf.minimum(z, 0.0))), "elu"),
        (keras.activations.elu, "elu"),
        (lambda z: SELU_SCALE * ops.where(z > 0, z, SELU_ALPHA * (ops.exp(ops.minimum(z, 0)) - 1)), "selu"),
        (tf.nn.selu, "selu"),
    ],
    ids=[
        "ops leaky",
        "ops elu",
        "ops selu",
        "tf leaky",
        "maximum leaky",
        "tf expm1 elu",
        "keras elu",
        "safe selu",
        "tf selu",
    ],
)
def test_activation_accepts_correct_answers_written_differently(function, name):
    result = checks.check_activation(function, name)
    assert result.passed, result.message


@pytest.mark.parametrize("seed", range(5))
def test_activation_verdict_is_the_same_for_seeds_0_to_4(seed):
    """The values and gradients are deterministic; only the model of the training step is drawn at random."""
    setup.set_seed(seed)
    function, name = [(leaky_relu, "leaky_relu"), (elu, "elu"), (selu, "selu")][seed % 3]
    assert checks.check_activation(function, name).passed


def test_activation_tries_several_inputs():
    """Signs and magnitudes from -1e4 to 1e4, float32 and float64, tensors and NumPy arrays, three shapes."""
    probes = lab3._activation_probes()
    values = np.concatenate([np.ravel(z) for _, z in probes])
    assert values.min() <= -1e4 and values.max() >= 1e4 and (values == 0).any()
    assert {np.asarray(z).dtype.name for _, z in probes} == {"float32", "float64"}
    assert {type(z).__module__.split(".")[0] for _, z in probes} == {"numpy", "tensorflow"}
    assert len({np.shape(z) for _, z in probes}) == 3


@pytest.mark.parametrize(
    "function, name, specific",
    [
        (lambda z: ops.where(z > 0, z, 0.01 * z), "leaky_relu", "negative_slope * z"),
        (lambda z: ops.where(z > 0, z, ops.exp(z)), "elu", "alpha * (exp(z) - 1)"),
        (lambda z: 1.0507 * elu(z, 1.6733), "selu", "keep all digits"),
        (lambda z: elu(z, SELU_ALPHA), "selu", "scale ≈ 1.0507"),
        (lambda z: ops.where(z > 0, z, -0.2 * ops.ones_like(z)), "leaky_relu", "leaky_relu(-6) = -1.2"),
        (lambda z, negative_slope=0.2: leaky_relu(z), "leaky_relu", "use the argument negative_slope"),
        (lambda z, alpha=1.0: elu(z), "elu", "use the argument alpha"),
        (
            lambda z: z * ops.cast(z > 0, z.dtype) + (ops.exp(z) - 1) * ops.cast(z <= 0, z.dtype),
            "elu",
            "finite numbers in your elu's outputs on z = a float32 NumPy array",
        ),
        (lambda z: leaky_relu(z) * float("nan"), "leaky_relu", "found 1000 NaN of 1000"),
        (lambda z: ops.where(z > 0, z, tf.stop_gradient(0.2 * z)), "leaky_relu", "derivative 0.2 at z = -6"),
        (
            lambda z: ops.convert_to_tensor(np.where(np.asarray(z) > 0, np.asarray(z), 0.2 * np.asarray(z))),
            "leaky_relu",
            "use keras.ops",
        ),
        (lambda z: np.where(z > 0, z, 0.2 * z), "leaky_relu", "use keras.ops"),
        (lambda z: "z", "elu", "found a str"),
        (lambda z: ops.reshape(elu(z), (-1,))[:3], "elu", "an output of shape"),
    ],
    ids=[
        "slope 0.01",
        "elu without -1",
        "rounded selu constants",
        "selu without scale",
        "ignores the magnitude",
        "hard-coded slope",
        "hard-coded alpha",
        "inf * 0 overflow",
        "nan",
        "stopped gradient",
        "numpy converted",
        "numpy where",
        "a string",
        "wrong shape",
    ],
)
def test_activation_rejects_broken_and_wrong_answers(function, name, specific):
    result = checks.check_activation(function, name)
    assert result.status in ("failed", "error") and specific in result.message, result.message
    assert one_line(result), result.message
    assert "could not run" not in result.message


def test_activation_numpy_inside_a_model_gets_the_keras_ops_hint():
    """The mistake the lab warns about reaches its hint: the check uses the function inside build_mlp."""
    result = checks.check_activation(lambda z: np.where(z > 0, z, 0.2 * z), "leaky_relu")
    assert result.status == "error" and "one training step of models.build_mlp" in result.message, result.message
    assert "inside a model, use keras.ops" in result.message and "\x1b" not in result.message


def test_activation_raising_code_is_the_learners():
    result = checks.check_activation(lambda z: ops.where(z > 0, z, undefined_slope * z), "leaky_relu")  # noqa: F821
    assert result.status == "error" and result.message.count("\n") == 0, result.message
    assert "your code uses undefined_slope, which is not defined yet" in result.message, result.message
    result = checks.check_activation(lambda z: ops.where(z > 0, z, z / 0 if z.shape[0] < 0 else z.foo), "elu")
    assert result.status == "error" and result.message.count("\n") == 0, result.message
    assert (
        "your code raised AttributeError" in result.message and "on z = a float32 tensor in [-6, 6]" in result.message
    )


def test_activation_stub():
    assert checks.check_activation(..., "elu").status == "not done"
    assert checks.check_activation(lambda z: ..., "selu").status == "not done"


def test_a_fault_in_the_check_reads_could_not_run(monkeypatch):
    def broken():
        raise RuntimeError("injected fault")

    monkeypatch.setattr(lab3, "_activation_probes", broken)
    result = checks.check_activation(leaky_relu, "leaky_relu")
    assert result.status == "error" and "the check could not run (RuntimeError: injected fault)" in result.message


# Exercise 3.2 ---------------------------------------------------------------------------------------------------


class ReferenceRReLU(keras.layers.Layer):
    def __init__(self, lower=0.125, upper=1 / 3, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.lower, self.upper = lower, upper
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        if training:
            slope = keras.random.uniform(ops.shape(inputs), self.lower, self.upper, seed=self.seed_generator)
        else:
            slope = (self.lower + self.upper) / 2
        return ops.where(inputs >= 0, inputs, slope * inputs)


def variant(call, **attributes):
    return type("Candidate", (ReferenceRReLU,), {"call": call, **attributes})


def slopes_of(self, x, training, draw):
    mean = (self.lower + self.upper) / 2
    return ops.where(x >= 0, x, (draw(self, x) if training else mean) * x)


def seeded_uniform(self, x):
    return keras.random.uniform(ops.shape(x), self.lower, self.upper, seed=self.seed_generator)


def with_seed(seed):
    """The reference layer, whatever seed the check passes replaced by ``seed``."""

    def __init__(self, lower=0.125, upper=1 / 3, seed_=None, **kwargs):
        kwargs.pop("seed", None)
        ReferenceRReLU.__init__(self, lower, upper, seed, **kwargs)

    return type("Seeded", (ReferenceRReLU,), {"__init__": __init__})


RRELU_ANSWERS = {
    "reference": ReferenceRReLU,
    "training is True": variant(lambda self, x, training=None: slopes_of(self, x, training is True, seeded_uniform)),
    "ops.maximum": variant(
        lambda self, x, training=None: (
            ops.maximum(x, 0)
            + (seeded_uniform(self, x) if training else (self.lower + self.upper) / 2) * ops.minimum(x, 0)
        )
    ),
    "explicit get_config": variant(
        ReferenceRReLU.call,
        get_config=lambda self: {**keras.layers.Layer.get_config(self), "lower": self.lower, "upper": self.upper},
    ),
}


@pytest.fixture(scope="module")
def rrelu_verdicts():
    """Each correct answer's status, for a layer seeded 0 to 4 (the reference) or 0 (the others).

    Each run trains a small model one step and saves and loads it (about 0.4 s).
    """
    verdicts = {f"reference, seed {seed}": checks.check_rrelu_layer(with_seed(seed)).status for seed in range(5)}
    verdicts.update({name: checks.check_rrelu_layer(answer).status for name, answer in RRELU_ANSWERS.items()})
    return verdicts


def test_rrelu_accepts_correct_answers_for_seeds_0_to_4(rrelu_verdicts):
    """Slopes over 10,000 draws: mean 0.2 and std 0.0577 vary by about 0.0006, against a 0.01 tolerance."""
    assert set(rrelu_verdicts.values()) == {"passed"}, rrelu_verdicts


@pytest.mark.parametrize(
    "call, attributes, specific",
    [
        (lambda self, x, training=None: ops.where(x >= 0, x, 0.2 * x), {}, "different random slope"),
        (
            lambda self, x, training=None: ops.where(x >= 0, x, seeded_uniform(self, x) * x),
            {},
            "(training=False)",
        ),
        (
            lambda self, x, training=None: seeded_uniform(self, x) * x if training else ops.where(x >= 0, x, 0.2 * x),
            {},
            "unchanged (training=True)",
        ),
        (
            lambda self, x, training=None: slopes_of(
                self, x, training, lambda s, x: keras.random.uniform((), s.lower, s.upper, seed=s.seed_generator)
            ),
            {},
            "different random slope for each element",
        ),
        (
            lambda self, x, training=None: ops.where(
                x >= 0, x, -(seeded_uniform(self, x) if training else (self.lower + self.upper) / 2)
            ),
            {},
            "whatever their size",
        ),
        (
            lambda self, x, training=None: slopes_of(
                self, x, training, lambda s, x: keras.random.uniform(ops.shape(x), s.lower, s.upper, seed=0)
            ),
            {},
            "new slopes on every training call",
        ),
        (
            lambda self, x, training=None: slopes_of(
                self, x, training, lambda s, x: keras.random.uniform(ops.shape(x), s.lower, s.upper)
            ),
            {},
            "the same slopes from two layers made with seed=0",
        ),
        (
            lambda self, x, training=None: slopes_of(
                self, x, training, lambda s, x: keras.random.normal(ops.shape(x), 0.2, 0.1, seed=s.seed_generator)
            ),
            {},
            "within [0.1, 0.3]",
        ),
        (
            lambda self, x, training=None: slopes_of(
                self,
                x,
                training,
                lambda s, x: ops.where(keras.random.uniform(ops.shape(x), seed=s.seed_generator) < 0.5, 0.1, 0.3),
            ),
            {},
            "spread uniformly",
        ),
        (ReferenceRReLU.call, {"get_config": lambda self: {"name": self.name}}, "the loaded model to predict"),
        (lambda self, x, training=None: ReferenceRReLU.call(self, x, training) * float("nan"), {}, "10000 NaN"),
        (
            lambda self, x, training=None: ops.where(x >= 0, x, 0.2 * x) / (0.0 if training else 1.0),
            {},
            "infinite value",
        ),
    ],
    ids=[
        "never random",
        "random in inference",
        "slope on positives",
        "one slope per batch",
        "ignores the magnitude",
        "integer seed",
        "unseeded",
        "normal slopes",
        "two slopes only",
        "get_config without lower and upper",
        "nan",
        "inf in training",
    ],
)
def test_rrelu_rejects_broken_and_wrong_answers(call, attributes, specific):
    result = checks.check_rrelu_layer(variant(call, **attributes))
    assert result.status == "failed" and specific in result.message, result.message
    assert one_line(result), result.message


def test_rrelu_nan_does_not_blame_the_seed():
    result = checks.check_rrelu_layer(variant(lambda self, x, training=None: x * float("nan")))
    assert "NaN" in result.message and "seed" not in result.message, result.message


def test_rrelu_errors_inside_the_model_are_the_learners():
    """NumPy on the inputs works eagerly, alone, and fails only where Keras traces the layer: in build_mlp's fit."""

    def numpy_guard(self, x, training=None):
        if np.asarray(x).size == 0:
            return x
        return ReferenceRReLU.call(self, x, training)

    result = checks.check_rrelu_layer(variant(numpy_guard))
    assert result.status == "error" and "on one training step of models.build_mlp" in result.message, result.message
    assert "inside a model, use keras.ops" in result.message and "could not run" not in result.message

    def broken_config(self):
        raise TypeError("no config here")

    unsaveable = checks.check_rrelu_layer(variant(ReferenceRReLU.call, get_config=broken_config))
    assert unsaveable.status == "error", unsaveable.message
    assert "your code raised TypeError: no config here on a .keras save and load" in unsaveable.message


def test_rrelu_stub_and_instance():
    assert checks.check_rrelu_layer(...).status == "not done"
    assert checks.check_rrelu_layer(variant(lambda self, x, training=None: ...)).status == "not done"
    instance = checks.check_rrelu_layer(ReferenceRReLU())
    assert instance.status == "failed" and "the class itself" in instance.message


# Exercise 3.3 ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dead():
    return checks.build_dead_network()


def reference_count(model, x):
    return [int(np.sum(np.all(o == 0, axis=0))) for o in diagnostics.layer_outputs(model, x)]


def test_the_dead_network_has_dead_units(dead):
    """Over 25 shuffling seeds, 35 to 72 of the 128 units died, and no run diverged to NaN."""
    assert all(np.isfinite(w).all() for w in dead.get_weights())
    assert sum(reference_count(dead, load_digits().x_val)) >= 20


def test_leaking_revives_some_dead_units_and_kills_none(dead):
    """Lab 3 after 3.3: with Leaky ReLU, some dead units turn positive for some digits, and none is dead."""
    x = load_digits().x_val
    revived = revive(dead, lambda: keras.layers.LeakyReLU(negative_slope=0.1))
    was_dead = [np.all(o == 0, axis=0) for o in diagnostics.layer_outputs(dead, x)]
    leaky = diagnostics.layer_outputs(revived, x)
    still_negative = sum(int((d & np.all(o < 0, axis=0)).sum()) for d, o in zip(was_dead, leaky, strict=True))
    assert 0 <= still_negative < sum(int(d.sum()) for d in was_dead)
    assert sum(int(np.all(o == 0, axis=0).sum()) for o in leaky) == 0


def test_dead_unit_count(dead):
    assert checks.check_dead_unit_count(reference_count, dead).passed
    as_array = checks.check_dead_unit_count(
        lambda m, x: np.sum(np.all(np.stack(diagnostics.layer_outputs(m, x)) == 0, axis=1), axis=1), dead
    )
    assert as_array.passed, as_array.message
    assert checks.check_dead_unit_count(lambda m, x: ..., dead).status == "not done"
    zeros = checks.check_dead_unit_count(
        lambda m, x: [int(np.sum(o == 0)) for o in diagnostics.layer_outputs(m, x)], dead
    )
    assert zeros.status == "failed" and "you counted zero outputs" in zeros.message


def test_dead_unit_count_prints_fractions_and_nan_as_they_are(dead):
    fractions = checks.check_dead_unit_count(
        lambda m, x: [float(np.mean(np.all(o == 0, axis=0))) for o in diagnostics.layer_outputs(m, x)], dead
    )
    assert fractions.status == "failed" and "[0, 0, 0, 0]" not in fractions.message, fractions.message
    assert "0.312" in fractions.message and "not their fraction" in fractions.message
    nan = checks.check_dead_unit_count(lambda m, x: [float("nan")] * 4, dead)
    assert nan.status == "failed" and "4 NaN of 4" in nan.message and "-9223372036854775808" not in nan.message


def test_dead_unit_count_rejects_hard_coded_counts(dead):
    counts = reference_count(dead, load_digits().x_val)
    result = checks.check_dead_unit_count(lambda m, x: counts, dead)
    assert result.status == "failed" and "a second network" in result.message, result.message
    assert "not fixed numbers" in result.message


def test_dead_unit_count_needs_the_network():
    result = checks.check_dead_unit_count(reference_count, "dead_model")
    assert result.status == "failed" and "checks.build_dead_network()" in result.message


def revive(dead, activation, names=("hidden_1", "hidden_2", "hidden_3", "hidden_4", "output"), **options):
    revived = models.build_mlp(4, 32, activation, **options)
    for name in names:
        revived.get_layer(name).set_weights(dead.get_layer(name).get_weights())
    return revived


REVIVING_ACTIVATIONS = {
    "LeakyReLU(0.1) layer": lambda: keras.layers.LeakyReLU(negative_slope=0.1),
    "leaky_relu string": "leaky_relu",
    "LeakyReLU class": keras.layers.LeakyReLU,
    "leaky function": lambda z: ops.leaky_relu(z, 0.05),
}


@pytest.mark.parametrize("activation", REVIVING_ACTIVATIONS.values(), ids=REVIVING_ACTIVATIONS.keys())
def test_revived_network_accepts_every_way_to_leak(dead, activation):
    result = checks.check_revived_network(revive(dead, activation), dead)
    assert result.passed, result.message


def test_revived_network_rejects_incomplete_copies_and_other_activations(dead):
    cases = {
        "relu": (revive(dead, "relu"), "a slope of 0 on negative inputs"),
        "elu": (revive(dead, "elu"), "not one fixed slope"),
        "PReLU (slopes start at 0)": (revive(dead, keras.layers.PReLU), "a slope of 0"),
        "fresh weights": (models.build_mlp(4, 32, "leaky_relu"), "weights in hidden_1 (its kernel and bias)"),
        "no output layer": (
            revive(dead, "leaky_relu", names=("hidden_1", "hidden_2", "hidden_3", "hidden_4")),
            "weights in output",
        ),
        "logits": (revive(dead, "leaky_relu", output_activation=None), "output layer on top"),
        "three hidden layers": (models.build_mlp(3, 32, "leaky_relu"), "5 Dense layers"),
    }
    no_bias = revive(dead, "leaky_relu")
    for name in ("hidden_1", "hidden_2", "hidden_3", "hidden_4", "output"):
        kernel, bias = dead.get_layer(name).get_weights()
        no_bias.get_layer(name).set_weights([kernel, np.zeros_like(bias)])
    cases["kernels only"] = (no_bias, "(its bias)")
    for label, (model, specific) in cases.items():
        result = checks.check_revived_network(model, dead)
        assert result.status == "failed" and specific in result.message, (label, result.message)


def test_revived_network_rejects_nan_weights(dead):
    revived = revive(dead, "leaky_relu")
    kernel, bias = revived.get_layer("hidden_2").get_weights()
    kernel[0, 0] = np.nan
    revived.get_layer("hidden_2").set_weights([kernel, bias])
    result = checks.check_revived_network(revived, dead)
    assert result.status == "failed" and "1 NaN" in result.message and "hidden_2" in result.message


def dead_like(seed):
    """A 4-layer ReLU network (He normal, ``seed``) with units killed in every layer: no training needed."""
    model = models.build_mlp(4, 32, "relu", keras.initializers.HeNormal(seed=seed))
    for index, layer in enumerate(diagnostics.hidden_layers(model)):
        kernel, bias = layer.get_weights()
        kernel[:, : index + 2] = -np.abs(kernel[:, : index + 2])
        bias[: index + 2] = -50.0
        layer.set_weights([kernel, bias])
    return model


@pytest.fixture(scope="module")
def revived_verdicts():
    """For five dead networks (seeds 0-4): the verdicts on correct answers, and on copies without the output layer."""
    verdicts = {}
    for seed in range(5):
        network = dead_like(seed)
        # The reference answer, and one other way to leak in turn (each is also tested on the dead network).
        for label in ("LeakyReLU(0.1) layer", list(REVIVING_ACTIVATIONS)[1 + seed % 3]):
            answer = revive(network, REVIVING_ACTIVATIONS[label])
            verdicts[seed, label] = checks.check_revived_network(answer, network).status
        verdicts[seed, "no output layer"] = checks.check_revived_network(
            revive(network, "leaky_relu", names=("hidden_1", "hidden_2", "hidden_3", "hidden_4")), network
        ).status
    return verdicts


def test_revived_network_verdicts_are_the_same_for_seeds_0_to_4(revived_verdicts):
    assert {v for (_, label), v in revived_verdicts.items() if label != "no output layer"} == {"passed"}
    assert {v for (_, label), v in revived_verdicts.items() if label == "no output layer"} == {"failed"}


def test_dead_unit_count_verdict_is_the_same_for_seeds_0_to_4():
    for seed in range(5):
        network = dead_like(seed)
        assert checks.check_dead_unit_count(reference_count, network).passed, seed
        hard_coded = reference_count(dead_like((seed + 1) % 5), load_digits().x_val)
        if hard_coded != reference_count(network, load_digits().x_val):
            assert checks.check_dead_unit_count(lambda m, x, counts=hard_coded: counts, network).status == "failed"


def test_revived_network_stub_and_types(dead):
    assert checks.check_revived_network(..., dead).status == "not done"
    assert checks.check_revived_network("revived", dead).status == "failed"
    assert checks.check_revived_network(revive(dead, "leaky_relu"), "dead").status == "failed"


def test_is_revived_is_the_check_without_output(dead, capsys):
    assert lab3.is_revived(revive(dead, lambda: keras.layers.LeakyReLU(negative_slope=0.1)), dead)
    assert not lab3.is_revived(..., dead)
    assert not lab3.is_revived(revive(dead, "relu"), dead)
    assert not lab3.is_revived("not a model", dead)
    assert capsys.readouterr().out == ""


# Exercise 3.4 ---------------------------------------------------------------------------------------------------

SELU_ANSWERS = {
    "reference": ("selu", "lecun_normal"),
    "objects": (keras.activations.selu, keras.initializers.LecunNormal()),
    "VarianceScaling": (lambda: keras.layers.Activation("selu"), keras.initializers.VarianceScaling(1.0, "fan_in")),
}


@pytest.fixture(scope="module")
def selu_verdicts():
    """The reference for seeds 0-4, the other spellings for seed 1 or 3 (each 50-layer build costs ~0.5 s)."""
    verdicts = {}
    for seed in range(5):
        for name, (activation, initializer) in SELU_ANSWERS.items():
            if name == "reference" or (name, seed) in (("objects", 1), ("VarianceScaling", 3)):
                setup.set_seed(seed)
                verdicts[name, seed] = checks.check_self_normalizing(models.build_mlp(50, 64, activation, initializer))
    return verdicts


def test_self_normalizing_accepts_correct_answers_for_seeds_0_to_4(selu_verdicts):
    """Every spelling passes, for every seed.

    Measured over seeds 0-4 for these spellings: every layer's std lies in [0.877, 1.102] (lowest layer
    0.877-0.919, highest 1.036-1.102), at least 0.077 inside the band [0.8, 1.2].
    """
    assert all(result.passed for result in selu_verdicts.values()), [r.message for r in selu_verdicts.values()]


@pytest.mark.parametrize("value, specific", [(np.nan, "NaN"), (np.inf, "infinite value")])
def test_self_normalizing_rejects_nan_and_inf(value, specific):
    model = models.build_mlp(50, 64, "selu", keras.initializers.Constant(value))
    result = checks.check_self_normalizing(model)
    assert result.status == "failed" and specific in result.message and "finite numbers" in result.message
    assert "between nan and nan" not in result.message


def test_self_normalizing_rejects_wrong_networks():
    assert checks.check_self_normalizing(...).status == "not done"
    setup.set_seed(0)
    he = checks.check_self_normalizing(models.build_mlp(50, 64, "selu", "he_normal"))
    assert he.status == "failed" and "LeCun normal" in he.message
    shallow = checks.check_self_normalizing(models.build_mlp(10, 64, "selu", "lecun_normal"))
    assert shallow.status == "failed" and "at least 50 hidden layers" in shallow.message
    unbuilt = keras.Sequential([keras.layers.Dense(64, activation="selu") for _ in range(51)])
    assert checks.check_self_normalizing(unbuilt).status == "failed"
    assert checks.check_self_normalizing("selu_model").status == "failed"


class BoomWhenEager(keras.layers.Layer):
    """Builds symbolically, and raises once it meets real data, as a learner's custom layer can."""

    def call(self, inputs):
        if hasattr(inputs, "numpy"):
            raise ValueError("\x1b[31mboom\x1b[0m")
        return inputs


def test_self_normalizing_blames_the_learners_network_when_it_raises():
    layers = [keras.Input((64,)), *(keras.layers.Dense(4) for _ in range(50)), BoomWhenEager(), keras.layers.Dense(10)]
    result = checks.check_self_normalizing(keras.Sequential(layers))
    assert result.status == "error" and result.message.count("\n") == 0, result.message
    assert "your code raised ValueError: boom on your network on the validation digits" in result.message


# Course cells after an exercise (point 4 of issue 13) ------------------------------------------------------------


def course_cell(exercise_marker):
    """The source of the code cell after the exercise cell that contains ``exercise_marker``."""
    cells = [cell for cell in json.loads(LAB_SOURCE.read_text())["cells"] if cell["cell_type"] == "code"]
    sources = ["".join(cell["source"]) for cell in cells]
    return next(s for s in sources if s.startswith(f'with checks.answer_cell("{exercise_marker}")'))


def namespace(**answers):
    return {
        "checks": checks,
        "diagnostics": diagnostics,
        "digits": load_digits(),
        "np": np,
        "ops": ops,
        "plotting": plotting,
        "plt": plt,
        "report": report,
        **answers,
    }


def stub(z, *args):
    return ...


@pytest.mark.parametrize(
    "exercise, answers",
    [
        ("3.1", {"my_leaky_relu": stub, "my_elu": stub, "my_selu": stub}),
        ("3.1", {"my_leaky_relu": leaky_relu, "my_elu": lambda z: "elu", "my_selu": selu}),
        ("3.1", {"my_leaky_relu": leaky_relu, "my_selu": selu}),
        ("3.3b", {"revived": ...}),
        ("3.3b", {"revived": "a network"}),
        ("3.3b", {"revived": "relu"}),
        ("3.3b", {}),
        ("3.4", {"selu_model": ...}),
        ("3.4", {"selu_model": "a network"}),
        ("3.4", {}),
    ],
    ids=[
        "3.1 stub",
        "3.1 wrong",
        "3.1 missing",
        "3.3b stub",
        "3.3b wrong",
        "3.3b relu",
        "3.3b missing",
        "3.4 stub",
        "3.4 wrong",
        "3.4 missing",
    ],
)
def test_course_cells_after_an_exercise_print_one_line(exercise, answers, dead, capsys):
    if exercise == "3.3b":
        if answers.get("revived") == "relu":
            answers = {"revived": revive(dead, "relu")}
        answers = {"dead_model": dead, **answers}
    exec(course_cell(exercise), namespace(**answers))  # raises nothing
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and lines[0][0] in "⏳❌⚠", lines
    if not answers or exercise == "3.1" and "my_elu" not in answers:
        assert "is not defined yet: run Exercise" in lines[0], lines


def test_course_cell_after_3_4_names_a_nan_network_instead_of_plotting_it(capsys):
    nan_network = models.build_mlp(3, 8, "selu", keras.initializers.Constant(float("nan")))
    exec(course_cell("3.4"), namespace(selu_model=nan_network))
    out = capsys.readouterr().out
    assert (
        out.startswith("❌ This cell needs a correct answer to Exercise 3.4: expected finite numbers") and "NaN" in out
    )
    assert not plt.get_fignums(), "a figure was drawn for a NaN network"


def test_course_cell_after_3_3b_runs_with_a_revived_network(dead, capsys):
    exec(course_cell("3.3b"), namespace(dead_model=dead, revived=revive(dead, "leaky_relu")))
    assert "dead in the ReLU network" in capsys.readouterr().out


def test_every_answer_name_says_which_cell_defines_it():
    for name, exercise in [("my_selu", "3.1"), ("MyRReLU", "3.2"), ("revived", "3.3b"), ("selu_model", "3.4")]:
        assert f"run Exercise {exercise}'s cell first" in checks.missing_name_message(name)
