"""Glorot, He and LeCun initializers, written from the variance argument.

Chapter 2 derives them; the labs reuse them. Each one draws a kernel with
mean 0 and the variance that keeps the signal's scale from layer to layer:

============  ===================
scheme        weight variance
============  ===================
``glorot``    ``1 / fan_avg``
``he``        ``2 / fan_in``
``lecun``     ``1 / fan_in``
============  ===================

where ``fan_avg = (fan_in + fan_out) / 2``. Which activation each scheme
suits is the course's vocabulary: :data:`utils.vocabulary.SCHEME_FOR_ACTIVATION`. The *normal* versions draw from
an (untruncated) normal distribution with that variance; the *uniform*
versions draw from ``U(-r, r)`` with ``r = sqrt(3 * variance)``, which has
the same variance. Keras' own ``*_normal`` initializers draw from a
*truncated* normal instead, rescaled so that the standard deviation is the
same; chapter 2 compares the two.

The classes are ``keras.initializers.Initializer`` subclasses, so they can be
passed to any Keras layer or to :func:`utils.models.build_mlp`::

    from utils import initializers, models
    model = models.build_mlp(30, 64, "relu", initializers.HeNormal(seed=0))
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np

from utils import _validation
from utils._tensorflow import keras

__all__ = [
    "SCHEMES",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "LecunNormal",
    "LecunUniform",
    "compute_fans",
    "compute_limit",
    "compute_std",
]

#: The three schemes: name -> (scale, fan), weight variance = scale / fan.
SCHEMES: Mapping[str, tuple[float, str]] = MappingProxyType(
    {
        "glorot": (1.0, "fan_avg"),
        "he": (2.0, "fan_in"),
        "lecun": (1.0, "fan_in"),
    }
)


def _check_shape(shape: Any) -> tuple[int, ...]:
    try:
        dims = tuple(shape)
    except TypeError:
        dims = None
    if dims is None or not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 1 for d in dims):
        raise ValueError(f"shape must be a sequence of positive integers; got {shape!r}")
    return tuple(int(d) for d in dims)


def compute_fans(shape: Sequence[int]) -> tuple[int, int]:
    """Return ``(fan_in, fan_out)`` of a kernel of the given shape.

    Follows the Keras convention: a Dense kernel has shape
    ``(inputs, units)``; a convolution kernel has shape
    ``(*kernel_size, input_channels, filters)``, and each of its input and
    output units sees a receptive field of ``prod(kernel_size)`` weights, so
    both fans are multiplied by it. A 1-D shape (a bias) has
    ``fan_in = fan_out = shape[0]``; a scalar has fans of 1.

    Parameters
    ----------
    shape : sequence of int
        The kernel shape; every dimension a positive integer.

    Returns
    -------
    (int, int)
        ``fan_in`` and ``fan_out``.

    Examples
    --------
    >>> compute_fans((784, 256))
    (784, 256)
    >>> compute_fans((3, 3, 16, 32))  # a 3x3 convolution, 16 -> 32 channels
    (144, 288)
    """
    dims = _check_shape(shape)
    if len(dims) == 0:
        return 1, 1
    if len(dims) == 1:
        return dims[0], dims[0]
    receptive_field = math.prod(dims[:-2])
    return dims[-2] * receptive_field, dims[-1] * receptive_field


def _check_scheme(scheme: str) -> tuple[float, str]:
    return SCHEMES[_validation.check_choice(scheme, "scheme", SCHEMES)]


def _check_negative_slope(negative_slope: float) -> float:
    return _validation.check_number(negative_slope, "negative_slope", at_least=0, at_most=1)


def compute_std(shape: Sequence[int], scheme: str, *, negative_slope: float = 0.0) -> float:
    """Return the standard deviation that ``scheme`` gives a kernel of this shape.

    Parameters
    ----------
    shape : sequence of int
        The kernel shape (see :func:`compute_fans`).
    scheme : str
        ``"glorot"`` (variance ``1 / fan_avg``), ``"he"`` (``2 / fan_in``) or
        ``"lecun"`` (``1 / fan_in``).
    negative_slope : float
        Only for ``"he"``: the slope ``a`` of a Leaky ReLU or PReLU on negative
        inputs, in [0, 1]. The variance becomes ``2 / ((1 + a**2) * fan_in)``.

    Returns
    -------
    float
        The standard deviation, ``sqrt(variance)``.

    Examples
    --------
    >>> round(compute_std((1000, 1000), "he"), 6)
    0.044721
    >>> round(compute_std((100, 300), "glorot"), 6)
    0.070711
    """
    scale, fan = _check_scheme(scheme)
    negative_slope = _check_negative_slope(negative_slope)
    if negative_slope and scheme != "he":
        raise ValueError(f"negative_slope applies to scheme 'he' only; got scheme {scheme!r}")
    fan_in, fan_out = compute_fans(shape)
    fans = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}
    return math.sqrt(scale / (1 + negative_slope**2) / fans[fan])


def compute_limit(shape: Sequence[int], scheme: str, *, negative_slope: float = 0.0) -> float:
    """Return the limit ``r`` of the uniform version, ``U(-r, r)``, of ``scheme``.

    ``U(-r, r)`` has variance ``r**2 / 3``, so ``r = sqrt(3) * std``.

    Parameters
    ----------
    shape : sequence of int
        The kernel shape (see :func:`compute_fans`).
    scheme : str
        ``"glorot"``, ``"he"`` or ``"lecun"``.
    negative_slope : float
        Only for ``"he"``; see :func:`compute_std`.

    Returns
    -------
    float
        The limit ``r``.

    Examples
    --------
    >>> round(compute_limit((100, 100), "lecun"), 6)  # sqrt(3 / 100)
    0.173205
    """
    return math.sqrt(3.0) * compute_std(shape, scheme, negative_slope=negative_slope)


class _FanScaled(keras.initializers.Initializer):
    """Draw a kernel with the variance of ``scheme``, from ``distribution``.

    Without a seed, each call draws new values from Keras' global random
    state (seeded by ``utils.setup.set_seed``); with a seed, each call returns
    the same values, as Keras' own initializers do.
    """

    scheme: str = "glorot"
    distribution: str = "normal"

    def __init__(self, seed: int | None = None) -> None:
        self.seed = None if seed is None else _validation.check_seed(seed)

    def _std(self, shape: Sequence[int]) -> float:
        return compute_std(shape, self.scheme)

    def __call__(self, shape: Sequence[int], dtype: Any = None) -> Any:
        std = self._std(shape)
        shape = _check_shape(shape)
        if self.distribution == "normal":
            return keras.random.normal(shape, mean=0.0, stddev=std, dtype=dtype, seed=self.seed)
        limit = math.sqrt(3.0) * std
        return keras.random.uniform(shape, minval=-limit, maxval=limit, dtype=dtype, seed=self.seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}

    def __repr__(self) -> str:
        config = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({config})"


class GlorotNormal(_FanScaled):
    """Glorot (Xavier) normal: ``N(0, 1 / fan_avg)``; for tanh, logistic and softmax.

    Parameters
    ----------
    seed : int or None
        A non-negative integer makes every call return the same kernel; None
        draws from Keras' global random state.
    """

    scheme = "glorot"
    distribution = "normal"


class GlorotUniform(_FanScaled):
    """Glorot (Xavier) uniform: ``U(-r, r)`` with ``r = sqrt(3 / fan_avg)``.

    Parameters
    ----------
    seed : int or None
        As for :class:`GlorotNormal`.
    """

    scheme = "glorot"
    distribution = "uniform"


class LecunNormal(_FanScaled):
    """LeCun normal: ``N(0, 1 / fan_in)``; for SELU.

    Parameters
    ----------
    seed : int or None
        As for :class:`GlorotNormal`.
    """

    scheme = "lecun"
    distribution = "normal"


class LecunUniform(_FanScaled):
    """LeCun uniform: ``U(-r, r)`` with ``r = sqrt(3 / fan_in)``.

    Parameters
    ----------
    seed : int or None
        As for :class:`GlorotNormal`.
    """

    scheme = "lecun"
    distribution = "uniform"


class _HeFamily(_FanScaled):
    scheme = "he"

    def __init__(self, seed: int | None = None, negative_slope: float = 0.0) -> None:
        super().__init__(seed)
        self.negative_slope = _check_negative_slope(negative_slope)

    def _std(self, shape: Sequence[int]) -> float:
        return compute_std(shape, "he", negative_slope=self.negative_slope)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed, "negative_slope": self.negative_slope}


class HeNormal(_HeFamily):
    """He (Kaiming) normal: ``N(0, 2 / ((1 + a**2) fan_in))``; for ReLU and its variants.

    Parameters
    ----------
    seed : int or None
        As for :class:`GlorotNormal`.
    negative_slope : float
        The slope ``a`` of a Leaky ReLU or PReLU for negative inputs, in
        [0, 1]; 0 (plain ReLU) gives ``2 / fan_in``.
    """

    distribution = "normal"


class HeUniform(_HeFamily):
    """He (Kaiming) uniform: ``U(-r, r)`` with ``r = sqrt(6 / ((1 + a**2) fan_in))``.

    Parameters
    ----------
    seed : int or None
        As for :class:`GlorotNormal`.
    negative_slope : float
        As for :class:`HeNormal`.
    """

    distribution = "uniform"
