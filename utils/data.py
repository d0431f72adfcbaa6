"""Datasets, standardized and split the same way every time.

:func:`load_digits` works offline (scikit-learn ships the data), and every
notebook uses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from utils import _validation

__all__ = ["Dataset", "load_digits"]


@dataclass(frozen=True, repr=False)
class Dataset:
    """A classification dataset split into train, validation and test sets.

    Inputs are float32 arrays of shape (examples, features), standardized with
    the training set's per-feature mean and standard deviation (nearly
    constant features are only centred). Labels are
    int64 arrays of class indices.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...] = field(default=())

    @property
    def num_features(self) -> int:
        """Number of input features."""
        return int(self.x_train.shape[1])

    @property
    def num_classes(self) -> int:
        """Number of classes."""
        return len(self.class_names)

    def __repr__(self) -> str:
        """Name the dataset, its sizes and its three splits in one line."""
        return (
            f"Dataset({self.name!r}: {self.num_features} features, {self.num_classes} classes; "
            f"train {len(self.x_train)}, validation {len(self.x_val)}, test {len(self.x_test)})"
        )


def _check_fraction(value: float, parameter: str) -> float:
    return _validation.check_number(value, parameter, above=0, below=1)


def _standardize(train: np.ndarray, *others: np.ndarray, min_std: float) -> list[np.ndarray]:
    """Scale every array with the training set's per-feature mean and std.

    Features whose training std is below ``min_std`` (nearly blank border
    pixels) are divided by ``min_std`` instead: dividing by their tiny std
    would turn one stray ink pixel in a validation image into a value of 100+.
    """
    mean = train.mean(axis=0)
    std = np.maximum(train.std(axis=0), min_std)
    return [((array - mean) / std).astype("float32") for array in (train, *others)]


def load_digits(
    validation_fraction: float = 0.2,
    test_fraction: float = 0.2,
    seed: int = 0,
) -> Dataset:
    """Load scikit-learn's 8x8 handwritten digits (1,797 images, 10 classes), offline.

    The split is stratified by class and depends only on ``seed``, so every
    notebook sees the same examples.

    Parameters
    ----------
    validation_fraction : float
        Share of all examples held out for validation, in (0, 1).
    test_fraction : float
        Share of all examples held out for testing, in (0, 1).
    seed : int
        Seed of the split (not of any model).

    Returns
    -------
    Dataset
        64 standardized features per image; labels 0-9.

    Examples
    --------
    >>> digits = load_digits()
    >>> digits
    Dataset('digits': 64 features, 10 classes; train 1077, validation 360, test 360)
    """
    from sklearn import datasets
    from sklearn.model_selection import train_test_split

    validation_fraction = _check_fraction(validation_fraction, "validation_fraction")
    test_fraction = _check_fraction(test_fraction, "test_fraction")
    if validation_fraction + test_fraction >= 1:
        raise ValueError(
            f"validation_fraction + test_fraction must be less than 1; got {validation_fraction} + {test_fraction}"
        )
    seed = _validation.check_seed(seed)

    bunch = datasets.load_digits()
    x, y = bunch.data.astype("float64"), bunch.target.astype("int64")
    x_rest, x_test, y_rest, y_test = train_test_split(x, y, test_size=test_fraction, stratify=y, random_state=seed)
    x_train, x_val, y_train, y_val = train_test_split(
        x_rest,
        y_rest,
        test_size=validation_fraction / (1 - test_fraction),
        stratify=y_rest,
        random_state=seed,
    )
    # Pixels are grey levels 0-16; a feature that varies by less than one
    # level is nearly constant.
    x_train, x_val, x_test = _standardize(x_train, x_val, x_test, min_std=1.0)
    return Dataset(
        name="digits",
        x_train=x_train,
        y_train=y_train,
        x_val=x_val,
        y_val=y_val,
        x_test=x_test,
        y_test=y_test,
        class_names=tuple(str(c) for c in range(10)),
    )
