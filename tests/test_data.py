import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from utils import data


def test_load_digits_shapes_and_types():
    digits = data.load_digits()
    assert (len(digits.x_train), len(digits.x_val), len(digits.x_test)) == (1077, 360, 360)
    assert digits.num_features == 64 and digits.num_classes == 10
    assert digits.x_train.dtype == np.float32 and digits.y_train.dtype == np.int64
    assert repr(digits) == "Dataset('digits': 64 features, 10 classes; train 1077, validation 360, test 360)"


def test_load_digits_is_deterministic_and_seed_dependent():
    a, b = data.load_digits(), data.load_digits()
    assert_array_equal(a.x_train, b.x_train)
    assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.y_train, data.load_digits(seed=1).y_train)


def test_load_digits_splits_are_disjoint_and_complete():
    from sklearn.datasets import load_digits as sklearn_digits

    digits = data.load_digits()
    total = len(digits.x_train) + len(digits.x_val) + len(digits.x_test)
    assert total == len(sklearn_digits().target)
    rows = {tuple(np.round(r, 4)) for r in np.concatenate([digits.x_train, digits.x_val, digits.x_test])}
    assert len(rows) > 0.99 * total  # a few digits images are exact duplicates in the source data


def test_load_digits_is_standardized_with_training_statistics():
    digits = data.load_digits()
    assert_allclose(digits.x_train.mean(axis=0), 0, atol=1e-5)
    stds = digits.x_train.std(axis=0)
    # Features that vary by a grey level or more get unit std; nearly blank ones are only centred.
    varying = stds > 0.999
    assert varying.sum() >= 45
    assert_allclose(stds[varying], 1, atol=1e-4)
    assert np.all(stds <= 1 + 1e-4)
    assert np.abs(digits.x_val).max() < 20 and np.abs(digits.x_test).max() < 20


def test_load_digits_is_stratified():
    digits = data.load_digits()
    for labels in (digits.y_train, digits.y_val, digits.y_test):
        counts = np.bincount(labels, minlength=10)
        assert counts.max() - counts.min() <= 0.1 * counts.mean() + 1


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"validation_fraction": 0}, r"^validation_fraction must be a number strictly between 0 and 1; got 0$"),
        ({"test_fraction": 1.5}, r"^test_fraction must be a number strictly between 0 and 1; got 1.5$"),
        (
            {"validation_fraction": 0.5, "test_fraction": 0.5},
            r"^validation_fraction \+ test_fraction must be less than 1",
        ),
        ({"seed": -1}, r"^seed must be a non-negative integer; got -1$"),
    ],
)
def test_load_digits_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.load_digits(**kwargs)
