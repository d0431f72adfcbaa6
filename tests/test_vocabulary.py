"""utils.vocabulary: one consistent table of names, and every module, explorer and check reads from it."""

import importlib

import numpy as np
import pytest

import utils
from utils import activations, experiments, initializers, models, vocabulary, widgets

VOCABULARY_NAMES = [name for name in vocabulary.__all__ if name.isupper()]


def quoted(names):
    return ", ".join(repr(name) for name in names)


# --- the table is consistent -----------------------------------------------------------------------------------


def test_initializer_names_are_every_scheme_with_every_distribution():
    assert len(vocabulary.INITIALIZER_NAMES) == 6 == len(set(vocabulary.INITIALIZER_NAMES))
    assert {vocabulary.split_initializer(name) for name in vocabulary.INITIALIZER_NAMES} == {
        (scheme, distribution) for scheme in vocabulary.SCHEMES for distribution in vocabulary.DISTRIBUTIONS
    }


@pytest.mark.parametrize("name", vocabulary.INITIALIZER_NAMES)
def test_split_initializer_round_trips(name):
    scheme, distribution = vocabulary.split_initializer(name)
    assert scheme in vocabulary.SCHEMES and distribution in vocabulary.DISTRIBUTIONS
    assert f"{scheme}_{distribution}" == name


def test_every_scheme_for_activation_is_a_scheme():
    assert set(vocabulary.SCHEME_FOR_ACTIVATION.values()) <= set(vocabulary.SCHEMES)
    assert set(vocabulary.SCHEME_FOR_ACTIVATION) <= {*vocabulary.ACTIVATION_NAMES, *vocabulary.OUTPUT_ACTIVATION_NAMES}


@pytest.mark.parametrize("activation", sorted(vocabulary.SCHEME_FOR_ACTIVATION))
def test_matching_initializer_is_an_initializer_of_the_activations_scheme(activation):
    name = vocabulary.matching_initializer(activation)
    assert name in vocabulary.INITIALIZER_NAMES
    scheme, distribution = vocabulary.split_initializer(name)
    assert scheme == vocabulary.SCHEME_FOR_ACTIVATION[activation]
    assert distribution == vocabulary.DEFAULT_DISTRIBUTION[scheme]


def test_the_pairings_of_chapter_2():
    assert {
        a: vocabulary.matching_initializer(a) for a in ("relu", "leaky_relu", "elu", "selu", "tanh", "sigmoid")
    } == {
        "relu": "he_normal",
        "leaky_relu": "he_normal",
        "elu": "he_normal",
        "selu": "lecun_normal",
        "tanh": "glorot_uniform",
        "sigmoid": "glorot_uniform",
    }


def test_default_distribution_covers_every_scheme():
    assert set(vocabulary.DEFAULT_DISTRIBUTION) == set(vocabulary.SCHEMES)
    assert set(vocabulary.DEFAULT_DISTRIBUTION.values()) <= set(vocabulary.DISTRIBUTIONS)


def test_parameterized_activations_are_known_and_have_a_scheme_and_a_default():
    assert set(vocabulary.ACTIVATION_PARAMETERS) <= set(vocabulary.ACTIVATION_NAMES)
    assert set(vocabulary.ACTIVATION_PARAMETERS) <= set(vocabulary.SCHEME_FOR_ACTIVATION)
    with_parameter = {a for a, parameter in vocabulary.ACTIVATION_PARAMETERS.items() if parameter is not None}
    assert with_parameter == set(activations.DEFAULT_PARAMETER) == {"leaky_relu", "elu"}


def test_the_course_initializers_are_keras_names():
    assert set(vocabulary.INITIALIZER_NAMES) <= set(vocabulary.KERAS_INITIALIZER_NAMES)
    for name in vocabulary.INITIALIZER_NAMES:  # Keras knows them: they can be seeded
        assert models.seeded_initializer(name, 0).get_config()["seed"] == 0


@pytest.mark.parametrize("name", VOCABULARY_NAMES)
def test_the_vocabulary_cannot_be_changed_by_accident(name):
    value = getattr(vocabulary, name)
    assert isinstance(value, tuple) or not hasattr(value, "__setitem__"), f"{name} is mutable"


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: vocabulary.split_initializer("he_nromal"),
            r"^name must be one of 'glorot_uniform', .*; got 'he_nromal' \(did you mean 'he_normal'\?\)$",
        ),
        (lambda: vocabulary.split_initializer("random_normal"), r"^name must be one of .*; got 'random_normal'"),
        (
            lambda: vocabulary.matching_initializer("gelu"),
            r"^activation must be one of 'sigmoid', 'tanh', 'softmax', 'relu', 'leaky_relu', 'elu', 'selu'; got 'gelu'",
        ),
        (lambda: vocabulary.matching_initializer("rleu"), r"\(did you mean 'relu'\?\)$"),
    ],
)
def test_bad_names_raise_one_line_value_errors(call, message):
    with pytest.raises(ValueError, match=message) as error:
        call()
    assert "\n" not in str(error.value)


# --- everything reads from it ----------------------------------------------------------------------------------


#: Public names that other modules may share with the vocabulary, because they mean something else there.
HOMONYMS = {("initializers", "SCHEMES"): "the schemes' formulas, keyed by vocabulary.SCHEMES (tested below)"}


def test_the_names_live_in_the_vocabulary_only():
    # models.ACTIVATION_NAMES, widgets.matching_initializer, ... moved here: no module exports a copy.
    for name in utils.__all__:
        module = importlib.import_module(f"utils.{name}")
        if module is vocabulary:
            continue
        for attribute in vocabulary.__all__:
            if (name, attribute) in HOMONYMS:
                continue
            assert attribute not in getattr(module, "__all__", ()), f"utils.{name} exports {attribute}"
            if hasattr(module, attribute):
                assert getattr(module, attribute) is getattr(vocabulary, attribute), (name, attribute)


def test_the_schemes_formulas_cover_the_vocabularys_schemes():
    assert tuple(initializers.SCHEMES) == vocabulary.SCHEMES


def test_lab2_checks_the_vocabularys_pairing():
    from utils.checks import lab2

    assert dict(lab2.RECOMMENDED_SCHEME) == dict(vocabulary.SCHEME_FOR_ACTIVATION)


@pytest.mark.parametrize(
    "kwargs, allowed",
    [
        ({"activation": "rleu"}, vocabulary.ACTIVATION_NAMES),
        ({"kernel_initializer": "he_nromal"}, vocabulary.KERAS_INITIALIZER_NAMES),
        ({"output_activation": "relu"}, vocabulary.OUTPUT_ACTIVATION_NAMES),
    ],
)
def test_build_mlp_accepts_and_lists_the_vocabularys_names(kwargs, allowed):
    with pytest.raises(ValueError, match=f"must be one of {quoted(allowed)}"):
        models.build_mlp(**kwargs)


def test_build_mlp_accepts_every_name():
    for activation in vocabulary.ACTIVATION_NAMES:
        assert models.build_mlp(1, 2, activation, input_dim=2, num_classes=2).get_layer("hidden_1").activation
    for initializer in vocabulary.KERAS_INITIALIZER_NAMES:
        models.build_mlp(1, 2, kernel_initializer=initializer, input_dim=2, num_classes=2)
    for output in vocabulary.OUTPUT_ACTIVATION_NAMES:
        models.build_mlp(1, 2, output_activation=output, input_dim=2, num_classes=2)


@pytest.mark.parametrize("activation", list(vocabulary.ACTIVATION_PARAMETERS))
def test_make_activation_knows_every_parameterized_activation(activation):
    values = np.asarray(activations.make_activation(activation)(np.array([-1.0, 1.0], dtype="float32")))
    assert values.shape == (2,)


@pytest.mark.parametrize("activation", list(vocabulary.ACTIVATION_PARAMETERS))
def test_activation_profile_picks_the_matching_initializer(activation):
    profile = experiments.compute_activation_profile(activation=activation, num_layers=1, units=2, num_examples=4)
    assert profile.kernel_initializer == vocabulary.matching_initializer(activation)


@pytest.fixture(scope="module")
def explorers():
    """The three explorers, built once with small networks."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((16, 8)).astype("float32"), rng.integers(0, 3, 16)
    return {
        "gradient_norm": widgets.gradient_norm_explorer(x, y, num_layers=2),
        "initialization": widgets.initialization_explorer(x, y, num_layers=2, units=8),
        "activation": widgets.activation_explorer(num_layers=2, units=4),
    }


def menu(explorer, description):
    (control,) = [c for c in explorer.children[0].children if c.description == description]
    return tuple(control.options)


def test_the_explorers_initializer_menus_are_the_vocabularys(explorers):
    assert menu(explorers["initialization"], "initializer") == vocabulary.INITIALIZER_NAMES
    assert menu(explorers["activation"], "initializer") == ("matching", *vocabulary.INITIALIZER_NAMES)


def test_the_explorers_activation_menus_are_known_names(explorers):
    assert menu(explorers["activation"], "activation") == tuple(vocabulary.ACTIVATION_PARAMETERS)
    assert set(menu(explorers["gradient_norm"], "activation")) <= set(vocabulary.ACTIVATION_NAMES)
    # The initialization explorer pairs each of its activations with a scheme.
    assert set(menu(explorers["initialization"], "activation")) <= set(vocabulary.SCHEME_FOR_ACTIVATION)
