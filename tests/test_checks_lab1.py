"""Lab 1 checks accept the reference answers and reject stubs and plausible wrong answers."""

import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from utils import checks, diagnostics, experiments

#: The function itself: the fixture below replaces it, in this module, by one that shares runs.
TRAIN_FIX_CANDIDATE = checks.lab1.train_fix_candidate


@pytest.fixture(scope="module", autouse=True)
def _train_each_candidate_once():
    """Share the training runs of exercise 1.4 across this module's tests (each takes seconds).

    ``train_fix_candidate`` seeds everything, so a second run of the same network by name,
    seed and epsilon repeats the first exactly: the check gets the run already made.
    """
    runs = {}
    train = checks.lab1.train_fix_candidate

    def train_once(activation, kernel_initializer, seed=0, **kwargs):
        if not (isinstance(activation, str) and isinstance(kernel_initializer, str)):
            return train(activation, kernel_initializer, seed, **kwargs)
        key = (activation, kernel_initializer, seed, tuple(sorted(kwargs.items())))
        if key not in runs:
            runs[key] = train(activation, kernel_initializer, seed, **kwargs)
        return runs[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(checks.lab1, "train_fix_candidate", train_once)
        patch.setattr(checks, "train_fix_candidate", train_once)
        yield


def reference_gradient_norms(model, x, y):
    kernels = [layer.kernel for layer in diagnostics.hidden_layers(model)]
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x)))
    return [float(tf.norm(g)) for g in tape.gradient(loss, kernels)]


CORRECT_DIAGNOSIS = {
    "model_a": "exploding",  # slopes up towards the input
    "model_b": "exploding",  # level, at millions in every layer
    "model_c": "vanishing",  # slopes down towards the input
    "model_d": "healthy",
    "model_e": "vanishing",  # level, far below 1e-4 in every layer
}


def test_gradient_norms_accepts_a_gradient_tape_solution():
    assert checks.check_gradient_norms(reference_gradient_norms).passed


@pytest.mark.parametrize(
    "wrong, specific",
    [
        (lambda m, x, y: reference_gradient_norms(m, x, y)[::-1], "reverse order"),
        (lambda m, x, y: np.square(reference_gradient_norms(m, x, y)), "squared norms"),
        (lambda m, x, y: reference_gradient_norms(m, x, y)[:-1], "one per hidden Dense layer"),
        (lambda m, x, y: [float(tf.norm(w)) for w in m.trainable_weights[:-2:2]], "not its bias"),
        (lambda m, x, y: [len(y) * n for n in reference_gradient_norms(m, x, y)], "summed over the batch"),
    ],
    ids=["reversed", "squared", "missing a layer", "weights instead of gradients", "summed loss"],
)
def test_gradient_norms_rejects_plausible_mistakes(wrong, specific):
    result = checks.check_gradient_norms(wrong)
    assert result.status == "failed" and specific in result.message


def test_gradient_norms_stub_and_crash():
    assert checks.check_gradient_norms(...).status == "not done"
    assert checks.check_gradient_norms(lambda m, x, y: ...).status == "not done"
    crashed = checks.check_gradient_norms(lambda m, x, y: m.no_such_attribute)
    assert crashed.status == "error" and "AttributeError" in crashed.message and "6-layer sigmoid" in crashed.message


def _tilted(norms, factor):
    """The profile with its first/last ratio multiplied by ``factor`` (a geometric tilt)."""
    return norms * factor ** np.linspace(1, 0, len(norms))


def test_mystery_models_match_their_hidden_verdicts():
    x, y = checks.digits_batch()
    for name, model in checks.build_mystery_models().items():
        norms = diagnostics.gradient_norms(model, x, y)
        # Far from the thresholds, so the verdicts hold on any machine: the slope can move by a
        # factor of 10 and the height by a factor of 100 either way.
        verdicts = {
            checks.lab1.diagnose(variant)
            for variant in (norms, _tilted(norms, 10), _tilted(norms, 0.1), norms * 100, norms / 100)
        }
        assert verdicts == {CORRECT_DIAGNOSIS[name]}, (name, norms)


def test_a_level_profile_at_the_wrong_height_is_not_healthy():
    """Chapter 1's tanh network with N(0, 0.03²) weights: level, and about 5e-13 in every layer."""
    x, y = checks.digits_batch()
    norms = experiments.gradient_norms_at_init(x, y, num_layers=20, weight_std=0.03, activation="tanh")
    assert norms.max() < 1e-10
    assert 0.1 < norms[0] / norms[-1] < 10  # the slope alone would call it healthy
    assert checks.lab1.diagnose(norms) == "vanishing"
    exploded = experiments.gradient_norms_at_init(x, y, num_layers=20, weight_std=0.25, activation="linear")
    assert 0.1 < exploded[0] / exploded[-1] < 10 and exploded.min() > 1e5
    assert checks.lab1.diagnose(exploded) == "exploding"
    assert checks.lab1.diagnose(np.full(12, 0.5)) == "healthy"


def test_mystery_diagnosis():
    assert checks.check_mystery_diagnosis(CORRECT_DIAGNOSIS).passed
    # One rule for string answers in every lab: case and surrounding spaces ignored, keys included.
    shouted = {f" {name.upper()}": f"{verdict.title()} " for name, verdict in CORRECT_DIAGNOSIS.items()}
    assert checks.check_mystery_diagnosis(shouted).passed
    assert checks.check_mystery_diagnosis({k: ... for k in CORRECT_DIAGNOSIS}).status == "not done"
    swapped = dict(CORRECT_DIAGNOSIS, model_a="vanishing", model_c="exploding")
    result = checks.check_mystery_diagnosis(swapped)
    assert result.status == "failed" and "2 wrong" in result.message and "model_a is not vanishing" in result.message
    assert "exploding" not in result.message.split("Hint")[0].replace("model_c is not exploding", "")
    # No measurement in the feedback: the ratios and heights would give the verdicts away.
    assert "ratio" not in result.message and not re.search(r"\de[-+]\d", result.message.split("Hint")[0])
    missing = checks.check_mystery_diagnosis({"model_a": "exploding"})
    assert missing.status == "failed" and "keys" in missing.message
    typo = checks.check_mystery_diagnosis(dict(CORRECT_DIAGNOSIS, model_d="fine"))
    assert typo.status == "failed" and "'fine'" in typo.message


def test_mystery_diagnosis_rejects_a_rule_that_reads_only_the_slope():
    slope_only = dict(CORRECT_DIAGNOSIS, model_b="healthy", model_e="healthy")
    result = checks.check_mystery_diagnosis(slope_only)
    assert result.status == "failed" and "2 wrong" in result.message
    assert "model_e is not healthy" in result.message and "height" in result.message


@pytest.mark.slow
@pytest.mark.parametrize("initializer", ["he_normal", "he_uniform"])
def test_fixed_network_bar_sits_clear_of_seed_noise(initializer):
    """ReLU with He initialization, the pairing the hint points to, passes for seeds 0-4.

    Measured on the reference machine (2 cores, oneDNN off): over seeds 0-4 the validation
    accuracy after 272 Adam steps is 0.803 to 0.869 with he_normal and 0.733 to 0.858 with
    he_uniform (other machines printed 0.733 and 0.758 for he_normal), against chance, 0.10,
    for the sigmoid network. The bar, FIX_TARGET_ACCURACY = 0.50, sits at least 0.2 below the
    lowest of them and 0.4 above chance.
    """
    accuracies = []
    for seed in range(5):
        run = checks.train_fix_candidate("relu", initializer, seed=seed)
        assert 0.1 <= run.ratio <= 10 and checks.lab1.diagnose(run.gradient_norms) == "healthy", (seed, run.ratio)
        accuracies.append(run.val_accuracy)
    assert min(accuracies) >= checks.lab1.FIX_TARGET_ACCURACY + 0.15, accuracies
    assert checks.check_fixed_network("relu", initializer).passed


@pytest.mark.slow
def test_fixed_network_rejects_the_vanishing_original_and_a_mismatched_pair(monkeypatch):
    """Each is rejected at initialization, before any training (training here fails the test)."""

    def no_training(*args, **kwargs):
        raise AssertionError("the check trained a network that fails at initialization")

    monkeypatch.setattr(checks.lab1, "train_fix_candidate", no_training)
    original = checks.check_fixed_network("sigmoid", "glorot_uniform")
    assert original.status == "failed" and "ratio within [0.1, 10]" in original.message
    too_small = checks.check_fixed_network("relu", keras.initializers.RandomNormal(stddev=0.01))
    assert too_small.status == "failed" and "ratio within [0.1, 10]" in too_small.message
    level_but_vanished = checks.check_fixed_network("tanh", keras.initializers.RandomNormal(stddev=0.02))
    assert level_but_vanished.status == "failed" and "wrong height" in level_but_vanished.message


@pytest.mark.slow
def test_adam_epsilon_and_the_vanishing_network():
    """The story of exercise 1.4: the lower layers' gradients lie far below Adam's epsilon.

    Even without epsilon (1e-20) the network stays at chance, because the forward signal vanishes too.
    """
    default = checks.train_fix_candidate("sigmoid", "glorot_uniform")
    assert default.steps == 272 and default.val_accuracy < 0.2
    assert default.gradient_rms[0] < 1e-9 and default.gradient_rms[-1] > 1e-5
    assert default.relative_change[0] < 1e-3 and default.relative_change[-1] > 0.02
    assert default.input_spread[-1] < 1e-3 * default.input_spread[0]
    no_epsilon = checks.train_fix_candidate("sigmoid", "glorot_uniform", epsilon=1e-20)
    assert no_epsilon.relative_change[0] > 0.3 and no_epsilon.val_accuracy < 0.2


def test_fixed_network_stub_and_bad_name():
    assert checks.check_fixed_network(..., "he_normal").status == "not done"
    bad = checks.check_fixed_network("rleu", "he_normal")
    assert bad.status == "failed" and "did you mean 'relu'" in bad.message


def reference_relative_change(before, after):
    return [np.linalg.norm(a - b) / np.linalg.norm(b) for b, a in zip(before, after, strict=True)]


def test_relative_change():
    assert checks.check_relative_change(reference_relative_change).passed
    assert checks.check_relative_change(lambda before, after: ...).status == "not done"
    absolute = checks.check_relative_change(
        lambda before, after: [np.linalg.norm(a - b) for b, a in zip(before, after, strict=True)]
    )
    assert absolute.status == "failed" and "divide by the norm of the kernel before training" in absolute.message
    by_after = checks.check_relative_change(
        lambda before, after: [np.linalg.norm(a - b) / np.linalg.norm(a) for b, a in zip(before, after, strict=True)]
    )
    assert by_after.status == "failed" and "*before* training, not after" in by_after.message


@pytest.fixture(scope="module")
def trained_slowly():
    from utils import data, models

    digits = data.load_digits()
    model = models.build_mlp(10, 64, "sigmoid", keras.initializers.RandomNormal(stddev=0.1, seed=0))
    before = diagnostics.kernel_snapshot(model)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    model.fit(digits.x_train, digits.y_train, epochs=3, batch_size=32, verbose=0)
    return before, model


def test_barely_moved(trained_slowly):
    before, model = trained_slowly
    changes = diagnostics.relative_weight_change(before, model)
    expected = [f"hidden_{i}" for i, c in enumerate(changes, start=1) if c < 0.01]
    assert len(expected) >= 5  # the lower layers of this network barely move
    assert checks.check_barely_moved(expected, before, model).passed
    assert checks.check_barely_moved(..., before, model).status == "not done"
    everything = checks.check_barely_moved([f"hidden_{i}" for i in range(1, 11)], before, model)
    assert everything.status == "failed" and "these moved by 1 % or more" in everything.message
    too_few = checks.check_barely_moved(expected[:1], before, model)
    assert too_few.status == "failed" and f"{len(expected) - 1} that moved by less than 1 % missing" in too_few.message
    assert expected[1] not in too_few.message  # the missing names would give the answer away
    not_names = checks.check_barely_moved([1, 2], before, model)
    assert not_names.status == "failed" and "list of layer names" in not_names.message


@pytest.mark.slow
def test_a_network_trained_again_from_its_compiled_copy_matches_a_fresh_one():
    """train_fix_candidate reuses the compiled network of a named activation: it trains the same, bit for bit.

    The network compiled for one initializer is reused for another (its weights are replaced). The
    same ReLU given as a function is never cached, so that network is compiled afresh. The runs by
    name of the module's sharing stand-in are test_fixed_network_bar_sits_clear_of_seed_noise's if it
    made them (each on the network compiled for seed 0 of he_normal); run alone, the first compiles it.
    """
    train = TRAIN_FIX_CANDIDATE  # not the module's sharing stand-in
    shared = checks.lab1.train_fix_candidate
    fresh = train(keras.activations.relu, "he_uniform", 3)
    shared("relu", "he_normal", 3)  # by now the network for "relu" is compiled, for another initializer
    for reused in (shared("relu", "he_uniform", 3), train("relu", "he_uniform", 3)):
        assert reused.val_accuracy == fresh.val_accuracy and reused.steps == fresh.steps == 272
        np.testing.assert_array_equal(reused.gradient_norms, fresh.gradient_norms)
        np.testing.assert_array_equal(reused.relative_change, fresh.relative_change)


# ---- Issue 13: broken answers fail, correct rewrites pass, blame lands on the learner, no traceback.


def keras_ops_gradient_norms(model, x, y):
    kernels = [layer.kernel for layer in diagnostics.hidden_layers(model)]
    with tf.GradientTape() as tape:
        loss = keras.ops.mean(keras.losses.sparse_categorical_crossentropy(y, model(x, training=True)))
    return keras.ops.stack([keras.ops.norm(keras.ops.reshape(g, (-1,))) for g in tape.gradient(loss, kernels)])


def numpy_gradient_norms(model, x, y):
    kernels = [layer.kernel for layer in diagnostics.hidden_layers(model)]
    with tf.GradientTape() as tape:
        loss = keras.losses.SparseCategoricalCrossentropy()(y, model(x))
    return np.array([np.linalg.norm(np.asarray(g, dtype=np.float64)) for g in tape.gradient(loss, kernels)])


@pytest.mark.parametrize(
    "rewrite",
    [
        keras_ops_gradient_norms,
        numpy_gradient_norms,
        lambda m, x, y: tf.constant(reference_gradient_norms(m, x, y)),
        lambda m, x, y: (norm for norm in reference_gradient_norms(m, x, y)),
    ],
    ids=["keras.ops, a tensor", "NumPy float64 norms", "a tf.Tensor of floats", "a generator"],
)
def test_gradient_norms_accepts_equivalent_rewrites(rewrite):
    assert checks.check_gradient_norms(rewrite).passed


def test_gradient_norms_rejects_nan_inf_and_a_hard_coded_profile():
    x, y = checks.digits_batch(128)
    from utils.models import build_mlp

    profile = diagnostics.gradient_norms(build_mlp(6, 32, "sigmoid", keras.initializers.GlorotUniform(seed=1)), x, y)
    hard_coded = checks.check_gradient_norms(lambda m, x, y: list(profile))
    assert hard_coded.status == "failed" and "4-layer tanh" in hard_coded.message
    for bad in (float("nan"), float("inf")):
        result = checks.check_gradient_norms(lambda m, x, y, bad=bad: [*reference_gradient_norms(m, x, y)[:-1], bad])
        assert result.status == "failed" and "finite numbers" in result.message, result.message
    words = checks.check_gradient_norms(lambda m, x, y: "small, then large")
    assert words.status == "failed" and "as numbers" in words.message


def test_reference_verdicts_do_not_depend_on_the_global_seed():
    """Seeds 0-4 (set as the lab's setup cell sets them): the reference answers of 1.1 to 1.3a pass each time.

    About 3 s: five times the three checks, the brief's seeds 0-4 (the checks' own networks are seeded,
    so the global seed must not matter, and this shows it).
    """
    from utils import setup

    for seed in range(5):
        setup.set_seed(seed)
        assert checks.check_gradient_norms(reference_gradient_norms).passed, seed
        assert checks.check_mystery_diagnosis(CORRECT_DIAGNOSIS).passed, seed
        assert checks.check_relative_change(reference_relative_change).passed, seed


def test_a_fault_in_the_check_itself_reads_could_not_run(monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("injected")

    monkeypatch.setattr(diagnostics, "gradient_norms", broken)
    result = checks.check_gradient_norms(reference_gradient_norms)
    assert (
        result.status == "error" and "the check could not run" in result.message and "your code" not in result.message
    )
    monkeypatch.setattr(diagnostics, "relative_weight_change", broken)
    assert "the check could not run" in checks.check_relative_change(reference_relative_change).message


@pytest.mark.parametrize(
    "rewrite",
    [
        lambda b, a: np.array(
            [np.sqrt(np.sum((y - x) ** 2)) / np.sqrt(np.sum(x**2)) for x, y in zip(b, a, strict=True)]
        ),
        lambda b, a: [float(tf.norm(y - x) / tf.norm(x)) for x, y in zip(b, a, strict=True)],
        lambda b, a: keras.ops.stack(
            [
                keras.ops.norm(keras.ops.ravel(y - x)) / keras.ops.norm(keras.ops.ravel(x))
                for x, y in zip(b, a, strict=True)
            ]
        ),
        lambda b, a: [
            np.linalg.norm((y - x).astype(np.float32)) / np.linalg.norm(x.astype(np.float32))
            for x, y in zip(b, a, strict=True)
        ],
    ],
    ids=["NumPy by hand", "tf.norm", "keras.ops", "float32"],
)
def test_relative_change_accepts_equivalent_rewrites(rewrite):
    assert checks.check_relative_change(rewrite).passed


def test_relative_change_rejects_nan_inf_hard_coding_and_a_crash():
    first = diagnostics.relative_weight_change(*checks.lab1._relative_change_cases()[0][1:])
    hard_coded = checks.check_relative_change(lambda before, after: list(first))
    assert hard_coded.status == "failed" and "float32" in hard_coded.message
    for bad in (np.nan, np.inf):
        result = checks.check_relative_change(lambda b, a, bad=bad: [*reference_relative_change(b, a)[:-1], bad])
        assert result.status == "failed" and "finite numbers" in result.message
    crashed = checks.check_relative_change(lambda b, a: b.shape)
    assert (
        crashed.status == "error" and "AttributeError" in crashed.message and "three random kernels" in crashed.message
    )


def test_barely_moved_reads_any_collection_of_names_and_rejects_garbage(trained_slowly):
    before, model = trained_slowly
    changes = diagnostics.relative_weight_change(before, model)
    expected = [f"hidden_{i}" for i, c in enumerate(changes, start=1) if c < 0.01]
    for rewrite in (tuple(expected), set(expected), np.array(expected), [f" {n.upper()} " for n in expected[::-1]]):
        assert checks.check_barely_moved(rewrite, before, model).passed, rewrite
    fractions = checks.check_barely_moved(list(changes[:4]), before, model)
    # The numbers are shown as they are, never cast to int ([0, 0, 0, 0]).
    assert fractions.status == "failed" and "not their changes" in fractions.message
    assert checks.format_array(changes[:4]) in fractions.message
    with_nan = checks.check_barely_moved([0.001, float("nan")], before, model)
    assert "NaN" in with_nan.message or "nan" in with_nan.message
    assert "-9223372036854775808" not in with_nan.message
    for garbage, words in ((3, "(an int)"), ("hidden_1", "(a str)"), (None, "not done"), ({"hidden_1": 1}, "(a dict)")):
        result = checks.check_barely_moved(garbage, before, model)
        assert words in result.message and result.message.count("\n") <= 1, result.message
    unknown = checks.check_barely_moved(["layer_1"], before, model)
    assert unknown.status == "failed" and "'hidden_1'" in unknown.message
    twice = checks.check_barely_moved([*expected, expected[0]], before, model)
    assert twice.status == "failed" and "more than once" in twice.message


def test_fixed_network_blames_the_learner_and_rejects_nan_before_training(monkeypatch):
    def no_training(*args, **kwargs):
        raise AssertionError("the check trained a network that fails at initialization")

    monkeypatch.setattr(checks.lab1, "train_fix_candidate", no_training)
    nan_weights = checks.check_fixed_network("relu", keras.initializers.Constant(float("nan")))
    assert nan_weights.status == "failed" and "finite initial weights" in nan_weights.message
    assert "initializer" in nan_weights.message
    nan_activation = checks.check_fixed_network(lambda z: z * float("nan"), "he_normal")
    assert nan_activation.status == "failed" and "finite gradient norms" in nan_activation.message
    assert "activation" in nan_activation.message.split("Hint")[1]

    class Raising(keras.initializers.Initializer):
        def __call__(self, shape, dtype=None):
            raise RuntimeError("no weights today")

    def own_value_error(z):
        raise ValueError("my activation's own mistake")

    for activation, initializer, error in (
        ("relu", Raising(), "RuntimeError: no weights today"),
        (own_value_error, "he_normal", "ValueError: my activation's own mistake"),
    ):
        result = checks.check_fixed_network(activation, initializer)
        assert result.status == "error" and "your code raised" in result.message and error in result.message
        assert "could not run" not in result.message and "\x1b" not in result.message
    # NumPy inside an activation: run eagerly, it cuts the gradient tape; the hint names that cause.
    numpy_where = checks.check_fixed_network(lambda z: np.where(z > 0, z, 0.0), "he_normal")
    assert numpy_where.status == "failed" and "exactly 0" in numpy_where.message and "NumPy" in numpy_where.message


def test_fixed_network_reads_names_as_every_lab_does_and_accepts_equivalent_objects_at_initialization():
    """' ReLU' and 'He_Normal' are relu and he_normal (the same, cached, run).

    HeNormal(), its VarianceScaling and the relu function draw other weights than the names (an
    unseeded initializer object draws its own seed), so they are other draws of the same network:
    for seeds 0-4 each passes the check's tests at initialization, and the trained accuracy of
    such draws is the seed spread that test_fixed_network_bar_sits_clear_of_seed_noise measures.
    """
    assert checks.check_fixed_network(" ReLU", "He_Normal ").passed
    equivalents = (
        keras.initializers.HeNormal(),
        keras.initializers.VarianceScaling(scale=2.0, mode="fan_in", distribution="truncated_normal"),
    )
    for seed in range(5):  # one build per seed (a 15-layer network each), the two objects in turn
        _, norms = checks.lab1._fix_network_at_init(keras.activations.relu, equivalents[seed % 2], seed)
        assert 0.1 <= checks.lab1._ratio(norms) <= 10 and checks.lab1.diagnose(norms) == "healthy", (seed, norms)


def test_a_check_run_before_its_exercise_cell_names_the_cell():
    for name, exercise in (
        ("my_gradient_norms", "1.1"),
        ("diagnosis", "1.2"),
        ("relative_change", "1.3a"),
        ("barely_moved", "1.3b"),
        ("kernel_initializer", "1.4"),
    ):
        assert f"Exercise {exercise}'s cell" in checks.missing_name_message(name)


def _answer_cells():
    import json
    from pathlib import Path

    source = Path(__file__).parents[1] / "labs" / "source" / "01-diagnose-gradients.ipynb"
    cells = json.loads(source.read_text())["cells"]
    return [
        "".join(cell["source"])
        for cell in cells
        if cell["cell_type"] == "code" and "answer_cell(" in "".join(cell["source"])
    ]


@pytest.mark.parametrize(
    "norms",
    [..., {"model_a": "tiny"}, ["not", "a", "dict"], {"model_a": [float("nan"), 1.0]}, "missing"],
    ids=["stub", "strings", "a list", "NaN", "missing"],
)
def test_course_cells_after_an_exercise_print_one_line_for_a_wrong_or_missing_answer(norms, capsys):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from utils import plotting

    cells = _answer_cells()
    assert cells, "the lab's course cells that use an answer run inside checks.answer_cell"
    for cell in cells:
        namespace = {"checks": checks, "plotting": plotting, "plt": plt, "np": np}
        if norms != "missing":
            namespace["norms"] = norms
        exec(compile(cell, "<lab 1 cell>", "exec"), namespace)
        printed = capsys.readouterr().out.strip().splitlines()
        plt.close("all")
        assert len(printed) <= 1, printed
        if norms in ("missing", Ellipsis) or isinstance(norms, list) or "tiny" in str(norms):
            assert len(printed) == 1 and "1.2" in printed[0], printed
