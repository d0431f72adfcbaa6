"""The course's vocabulary: activation and initializer names, and which initializer suits which activation.

Every module, explorer and exercise check reads its names from here, so a
name is spelt, listed and paired in one place.

========================  =========  =====================================
activation                scheme     why (chapter 2)
========================  =========  =====================================
``sigmoid``, ``softmax``  glorot     by convention; its slope at 0 is 1/4
``tanh``                  glorot     symmetric, slope 1 at 0
``relu``, ``leaky_relu``  he         half the inputs zeroed: factor 2
``elu``                   he         like ReLU for positive inputs
``selu``                  lecun      self-normalizes with LeCun normal
========================  =========  =====================================
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from utils import _validation

__all__ = [
    "ACTIVATION_NAMES",
    "ACTIVATION_PARAMETERS",
    "DEFAULT_DISTRIBUTION",
    "DISTRIBUTIONS",
    "INITIALIZER_NAMES",
    "KERAS_INITIALIZER_NAMES",
    "NORMALIZATION_NAMES",
    "NORMALIZATION_POSITIONS",
    "OUTPUT_ACTIVATION_NAMES",
    "SCHEMES",
    "SCHEME_FOR_ACTIVATION",
    "matching_initializer",
    "split_initializer",
]

#: Activation names that :func:`utils.models.build_mlp` accepts as strings (Keras' own names).
ACTIVATION_NAMES: tuple[str, ...] = (
    "linear",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "elu",
    "selu",
    "gelu",
    "silu",
    "swish",
    "softplus",
    "softsign",
    "hard_sigmoid",
    "relu6",
    "celu",
    "mish",
    "exponential",
)

#: Normalization layers the model builders can add (chapter 5): batch and layer normalization.
NORMALIZATION_NAMES: tuple[str, ...] = ("batch", "layer")

#: Where :func:`utils.models.build_mlp` puts a normalization layer: before or after the activation.
NORMALIZATION_POSITIONS: tuple[str, ...] = ("before", "after")

#: Output activations that :func:`utils.models.build_mlp` accepts (None means logits).
OUTPUT_ACTIVATION_NAMES: tuple[str, ...] = ("softmax", "sigmoid", "linear")

#: The three variance-scaling schemes of chapter 2 (:data:`utils.initializers.SCHEMES` holds their formulas).
SCHEMES: tuple[str, ...] = ("glorot", "he", "lecun")

#: How each scheme can draw its weights.
DISTRIBUTIONS: tuple[str, ...] = ("uniform", "normal")

#: The course's six initializers, as Keras names them: ``<scheme>_<distribution>``.
INITIALIZER_NAMES: tuple[str, ...] = tuple(f"{s}_{d}" for s in SCHEMES for d in DISTRIBUTIONS)

#: Every initializer name :func:`utils.models.build_mlp` accepts as a string (Keras' own names).
KERAS_INITIALIZER_NAMES: tuple[str, ...] = (
    *INITIALIZER_NAMES,
    "random_normal",
    "random_uniform",
    "truncated_normal",
    "orthogonal",
    "zeros",
    "ones",
)

#: The scheme each activation is conventionally paired with (chapter 2's table, Keras' defaults).
SCHEME_FOR_ACTIVATION: Mapping[str, str] = MappingProxyType(
    {
        "sigmoid": "glorot",
        "tanh": "glorot",
        "softmax": "glorot",
        "relu": "he",
        "leaky_relu": "he",
        "elu": "he",
        "selu": "lecun",
    }
)

#: The distribution each scheme is usually used with: Keras' default Glorot is uniform; He (the
#: paper's) and LeCun normal (which SELU requires) are normal.
DEFAULT_DISTRIBUTION: Mapping[str, str] = MappingProxyType({"glorot": "uniform", "he": "normal", "lecun": "normal"})

#: Hidden activations with a free parameter, and that parameter's name (None: no parameter).
ACTIVATION_PARAMETERS: Mapping[str, str | None] = MappingProxyType(
    {
        "relu": None,
        "leaky_relu": "negative slope",
        "elu": "alpha",
        "selu": None,
        "tanh": None,
        "sigmoid": None,
    }
)


def split_initializer(name: str) -> tuple[str, str]:
    """Split one of :data:`INITIALIZER_NAMES` into its scheme and its distribution.

    Parameters
    ----------
    name : str
        For example ``"he_normal"``.

    Returns
    -------
    (str, str)
        The scheme (``"he"``) and the distribution (``"normal"``).

    Examples
    --------
    >>> split_initializer("glorot_uniform")
    ('glorot', 'uniform')
    """
    scheme, distribution = _validation.check_choice(name, "name", INITIALIZER_NAMES).split("_")
    return scheme, distribution


def matching_initializer(activation: str) -> str:
    """Name the Keras initializer that suits ``activation``: its scheme, with the scheme's usual distribution.

    He normal for the ReLU family and ELU, LeCun normal for SELU, Glorot
    uniform for tanh and the logistic function.

    Parameters
    ----------
    activation : str
        One of the keys of :data:`SCHEME_FOR_ACTIVATION`.

    Returns
    -------
    str

    Examples
    --------
    >>> matching_initializer("selu")
    'lecun_normal'
    """
    scheme = SCHEME_FOR_ACTIVATION[_validation.check_choice(activation, "activation", SCHEME_FOR_ACTIVATION)]
    return f"{scheme}_{DEFAULT_DISTRIBUTION[scheme]}"
