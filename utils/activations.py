"""Activations as functions and layers: the course's parameterized activations, and the randomized leaky ReLU.

:func:`make_activation` turns a name and its parameter (the negative slope of
Leaky ReLU, the alpha of ELU) into a function of a tensor.

:class:`RReLU` is the randomized leaky ReLU of Xu et al. (2015), "Empirical
Evaluation of Rectified Activations in Convolutional Network". It is a Leaky
ReLU whose negative slope is random during training and fixed at test time::

    from utils import activations, models
    model = models.build_mlp(activation=activations.RReLU)

Two conventions describe the random slope, and they do not give the same
numbers:

- **The paper** defines ``y = a * x`` for ``x < 0``, with the slope drawn as
  ``a ~ U(l, u)`` (``l < u`` in [0, 1)) during training and fixed at
  ``(l + u) / 2`` at test time. Its experiments, following the winner of the
  Kaggle National Data Science Bowl, instead draw a *divisor* ``a ~ U(3, 8)``
  and use ``y = x / a``; at test time they divide by the mean divisor
  ``(3 + 8) / 2``, so the test-time slope is ``2 / 11 = 0.18``. Those slopes
  ``1 / a`` lie in [1/8, 1/3] but are not uniform there.
- **Other libraries** (PyTorch's ``nn.RReLU``, for example) draw the *slope*
  itself, ``a ~ U(1/8, 1/3)``, and use the mean slope ``(1/8 + 1/3) / 2 = 11/48
  = 0.23`` at test time.

:class:`RReLU` follows the second convention (a uniform slope in
[``lower``, ``upper``], with defaults 1/8 and 1/3), because it makes the
layer's two modes agree on average: the expected training-time slope equals
the test-time slope. :func:`paper_slope_range` converts the paper's divisor
range into the slope range that covers the same slopes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from utils import _validation
from utils._tensorflow import keras, tf
from utils.vocabulary import ACTIVATION_PARAMETERS

__all__ = [
    "DEFAULT_PARAMETER",
    "PAPER_DIVISOR_RANGE",
    "RReLU",
    "gaussian_second_moment",
    "make_activation",
    "paper_slope_range",
    "paper_test_slope",
    "variance_gain",
]

#: The parameter :func:`make_activation` uses when none is given: Leaky ReLU's slope, ELU's alpha.
DEFAULT_PARAMETER: Mapping[str, float] = MappingProxyType({"leaky_relu": 0.2, "elu": 1.0})


def make_activation(activation: str, parameter: float | None = None) -> Callable[[Any], Any]:
    """Return the activation as a function of one tensor, with its parameter bound.

    Parameters
    ----------
    activation : str
        One of :data:`utils.vocabulary.ACTIVATION_PARAMETERS`.
    parameter : float or None
        The negative slope of ``"leaky_relu"`` (>= 0, default 0.2) or the
        ``alpha`` of ``"elu"`` (>= 0, default 1.0). Ignored by the other
        activations, which have no free parameter.

    Returns
    -------
    callable
        A function of a tensor, usable as the ``activation`` of
        :func:`utils.models.build_mlp`.

    Examples
    --------
    >>> round(float(make_activation("leaky_relu", 0.1)(-2.0)), 6)
    -0.2
    """
    _validation.check_choice(activation, "activation", ACTIVATION_PARAMETERS)
    if ACTIVATION_PARAMETERS[activation] is None:
        return keras.activations.get(activation)
    value = _validation.check_number(
        DEFAULT_PARAMETER[activation] if parameter is None else parameter, f"parameter of {activation!r}", at_least=0
    )
    if activation == "leaky_relu":

        def leaky_relu(z: Any) -> Any:
            return keras.activations.leaky_relu(z, negative_slope=value)

        return leaky_relu

    def elu(z: Any) -> Any:
        return keras.activations.elu(z, alpha=value)

    return elu


#: The divisor range of Xu et al.'s (2015) experiments: ``a ~ U(3, 8)`` and ``y = x / a`` for ``x < 0``.
PAPER_DIVISOR_RANGE: tuple[float, float] = (3.0, 8.0)


def _check_bounds(lower: Any, upper: Any, names: tuple[str, str] = ("lower", "upper")) -> tuple[float, float]:
    lower, upper = (
        _validation.check_number(value, name, at_least=0) for value, name in zip((lower, upper), names, strict=True)
    )
    if lower > upper:
        raise ValueError(f"{names[0]} must be <= {names[1]}; got {names[0]}={lower!r}, {names[1]}={upper!r}")
    return float(lower), float(upper)


def paper_slope_range(lower_divisor: float = 3.0, upper_divisor: float = 8.0) -> tuple[float, float]:
    """Convert the paper's divisor range into the slope range it covers: ``(1 / upper, 1 / lower)``.

    Parameters
    ----------
    lower_divisor, upper_divisor : float
        The paper's divisor range, ``a ~ U(lower_divisor, upper_divisor)``;
        both > 0 and ``lower_divisor <= upper_divisor``.

    Returns
    -------
    (float, float)
        ``(1 / upper_divisor, 1 / lower_divisor)``, the arguments ``lower`` and
        ``upper`` of :class:`RReLU` that span the same slopes (drawn uniformly,
        which the paper's slopes are not).

    Examples
    --------
    >>> paper_slope_range()
    (0.125, 0.3333333333333333)
    """
    lower_divisor, upper_divisor = _check_bounds(lower_divisor, upper_divisor, ("lower_divisor", "upper_divisor"))
    if lower_divisor == 0:
        raise ValueError(f"lower_divisor must be > 0; got {lower_divisor!r}")
    return 1.0 / upper_divisor, 1.0 / lower_divisor


def paper_test_slope(lower_divisor: float = 3.0, upper_divisor: float = 8.0) -> float:
    """Return the paper's test-time slope: one over the mean divisor, ``2 / (lower + upper)``.

    Parameters
    ----------
    lower_divisor, upper_divisor : float
        The paper's divisor range; both > 0 and ``lower_divisor <= upper_divisor``.

    Returns
    -------
    float
        ``2 / (lower_divisor + upper_divisor)``; 2/11 = 0.1818... for (3, 8).

    Examples
    --------
    >>> round(paper_test_slope(), 4)
    0.1818
    """
    lower_divisor, upper_divisor = _check_bounds(lower_divisor, upper_divisor, ("lower_divisor", "upper_divisor"))
    if lower_divisor == 0:
        raise ValueError(f"lower_divisor must be > 0; got {lower_divisor!r}")
    return 2.0 / (lower_divisor + upper_divisor)


@keras.saving.register_keras_serializable(package="taming_gradients")
class RReLU(keras.layers.Layer):
    """Randomized leaky ReLU: ``f(x) = x`` for ``x >= 0`` and ``a * x`` for ``x < 0``.

    - **Training** (``training=True``, as in ``fit``): every element gets its
      own slope ``a ~ U(lower, upper)``, drawn afresh at each call.
    - **Inference** (``training`` False or None, as in ``predict`` and
      ``evaluate``): ``a = (lower + upper) / 2`` for every element, so the
      output is deterministic.

    The defaults (1/8, 1/3) are the slope range of PyTorch's ``nn.RReLU``;
    the paper's own convention draws a divisor from U(3, 8) instead and uses
    2/11 at test time (see the module docstring and :func:`paper_test_slope`).

    Parameters
    ----------
    lower : float
        Smallest negative slope, >= 0. Default 1/8.
    upper : float
        Largest negative slope, >= ``lower``. Default 1/3.
    seed : int or None
        Seed of the layer's ``keras.random.SeedGenerator``. With None, the
        seed comes from Keras' global seed (``setup.set_seed``).
    **kwargs
        Passed to ``keras.layers.Layer`` (``name``, ``dtype``, ...).

    Raises
    ------
    ValueError
        If a bound is negative or not a finite number, or ``lower > upper``.

    Examples
    --------
    >>> layer = RReLU(lower=0.1, upper=0.3, seed=0)
    >>> [round(float(v), 6) for v in layer(keras.ops.convert_to_tensor([-1.0, 2.0]))]
    [-0.2, 2.0]
    >>> from utils.models import build_mlp
    >>> model = build_mlp(num_layers=2, units=8, activation=lambda: RReLU(seed=1))
    """

    def __init__(
        self, lower: float = 1.0 / 8.0, upper: float = 1.0 / 3.0, seed: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.lower, self.upper = _check_bounds(lower, upper)
        if seed is not None:
            seed = _validation.check_seed(seed)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    @property
    def mean_slope(self) -> float:
        """The inference-time slope, ``(lower + upper) / 2``."""
        return (self.lower + self.upper) / 2.0

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        """Apply a random slope (training) or the mean slope (inference) to the negative inputs."""
        inputs = keras.ops.convert_to_tensor(inputs, dtype=self.compute_dtype)
        if training:
            slope = keras.random.uniform(
                keras.ops.shape(inputs),
                minval=self.lower,
                maxval=self.upper,
                dtype=inputs.dtype,
                seed=self.seed_generator,
            )
        else:
            slope = keras.ops.cast(self.mean_slope, inputs.dtype)
        return keras.ops.where(inputs >= 0, inputs, inputs * slope)

    def compute_output_shape(self, input_shape: Any) -> Any:
        """Return the input shape: the layer acts element-wise."""
        return input_shape

    def get_config(self) -> dict[str, Any]:
        """Return the layer's configuration, with its slope range and seed."""
        config = super().get_config()
        config.update({"lower": self.lower, "upper": self.upper, "seed": self.seed})
        return config


def _activation_callable(activation: Any) -> Callable[[Any], Any]:
    if isinstance(activation, str):
        try:
            return keras.activations.get(activation)
        except ValueError:
            raise ValueError(f"activation must be a Keras activation name or a callable; got {activation!r}") from None
    if callable(activation):
        return activation
    raise ValueError(f"activation must be a Keras activation name or a callable; got {type(activation).__name__}")


def gaussian_second_moment(
    activation: Any,
    *,
    std: float = 1.0,
    derivative: bool = False,
    limit: float = 12.0,
    num_points: int = 240_001,
) -> float:
    """Return ``E[f(z)**2]`` (or ``E[f'(z)**2]``) for ``z ~ N(0, std**2)``, by quadrature on a fine grid.

    This is the factor of chapter 2's variance argument: with weights of
    variance ``gain / fan_in``, a layer whose inputs are ``f(z)`` gives
    pre-activations of variance ``gain * E[f(z)**2]``, and a gradient on its
    way down is scaled in variance by ``gain * E[f'(z)**2]``. The integral is
    the trapezoidal rule over ``[-limit * std, limit * std]`` in float64,
    exact to about ``1e-9`` for the course's smooth activations and to about
    ``1e-4`` where ``f'`` jumps (ReLU's derivative at 0).

    Parameters
    ----------
    activation : str or callable
        A Keras activation name (``"gelu"``) or a function of a float64 tensor
        or array, such as ``lambda z: keras.activations.gelu(z, approximate=True)``.
    std : float
        Standard deviation of the Gaussian pre-activation (> 0).
    derivative : bool
        Integrate the square of the derivative ``f'`` (by automatic
        differentiation, as training computes it) instead of ``f``.
    limit : float
        Half-width of the grid in standard deviations (> 0).
    num_points : int
        Grid points (>= 3).

    Returns
    -------
    float

    See Also
    --------
    variance_gain : The gain that keeps unit variance, ``1 / E[f(z)**2]``.

    Examples
    --------
    >>> round(gaussian_second_moment("relu"), 6)
    0.5
    >>> round(gaussian_second_moment("relu", std=2.0), 6)
    2.0
    >>> round(gaussian_second_moment("tanh", derivative=True), 4)
    0.4644
    """
    function = _activation_callable(activation)
    std = _validation.check_number(std, "std", above=0)
    limit = _validation.check_number(limit, "limit", above=0)
    num_points = _validation.check_int(num_points, "num_points", minimum=3)
    if not isinstance(derivative, bool):
        raise ValueError(f"derivative must be True or False; got {_validation.describe(derivative)}")
    unit = np.linspace(-limit, limit, num_points)
    z = tf.constant(std * unit, dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(z)
        values = tf.convert_to_tensor(function(z), dtype=tf.float64)
    if derivative:
        values = tape.gradient(values, z)
        if values is None:
            raise ValueError("activation must be differentiable by TensorFlow when derivative=True")
    values = np.asarray(values, dtype="float64")
    density = np.exp(-(unit**2) / 2) / np.sqrt(2 * np.pi)
    return float(np.trapezoid(values**2 * density, unit))


def variance_gain(activation: Any, **options: Any) -> float:
    """Return the weight-variance gain ``1 / E[f(z)**2]`` that keeps unit pre-activation variance, ``z ~ N(0, 1)``.

    He's 2 for ReLU and 1 for SELU (LeCun's variance) come out of this formula;
    for the smooth activations of chapter 4 it gives the matched scale of
    ``keras.initializers.VarianceScaling(scale=gain, mode="fan_in")``.

    Parameters
    ----------
    activation : str or callable
        As for :func:`gaussian_second_moment`.
    **options
        Passed to :func:`gaussian_second_moment` (``limit``, ``num_points``).

    Returns
    -------
    float

    Examples
    --------
    >>> round(variance_gain("relu"), 6)
    2.0
    >>> round(variance_gain("selu"), 4)
    1.0
    """
    moment = gaussian_second_moment(activation, **options)
    if moment == 0:
        raise ValueError("activation must not be zero almost everywhere: its second moment is 0")
    return 1.0 / moment
