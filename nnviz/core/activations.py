"""Activation functions and their derivatives.

Every function writes into `out` when given one: the trainer reuses preallocated buffers so a
full-batch epoch costs a fixed, small number of NumPy calls, while `Network.forward` calls the very
same functions with fresh arrays. The GUI therefore shows numbers from the code that trains.

`derivative(z, a, out)` receives both the pre-activation z and the activation a = f(z), because the
cheap form of most derivatives is in terms of a (sigmoid: a(1 - a), tanh: 1 - a^2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray

LEAKY_SLOPE = 0.01


# 0-d arrays: NumPy multiplies by them faster than by Python floats (no scalar conversion).
_HALF = np.array(0.5)
_ONE = np.array(1.0)
_ZERO = np.array(0.0)
_SLOPE = np.array(LEAKY_SLOPE)
_ONE_MINUS_SLOPE = np.array(1.0 - LEAKY_SLOPE)


# The ufuncs as module names: the trainer calls these functions a few times per step, and a
# global is found faster than a global's attribute (np.exp).
_negative, _exp, _add, _reciprocal = np.negative, np.exp, np.add, np.reciprocal
_subtract, _multiply, _tanh = np.subtract, np.multiply, np.tanh


def _new(out: Array | None, like: Array) -> Array:
    return np.empty_like(like) if out is None else out


def sigmoid(z: Array, out: Array | None = None) -> Array:
    """1 / (1 + e^-z).

    For z below about -709, e^-z overflows to inf and the result is the correct limit 0; NumPy
    warns about the overflow, so the training loops and Network.forward silence that warning
    once around their work (np.errstate per call would cost more than the call). The exp form
    is about 2.5x faster than the overflow-free tanh form on large arrays.
    """
    # Outputs are passed positionally: NumPy parses that a little faster than out=, and training
    # calls these functions a few times per sample.
    out = _negative(z, out)
    _exp(out, out)
    _add(out, _ONE, out)
    _reciprocal(out, out)
    return out


def sigmoid_derivative(z: Array, a: Array, out: Array | None = None) -> Array:
    out = _subtract(_ONE, a, out)
    _multiply(out, a, out)
    return out


def tanh(z: Array, out: Array | None = None) -> Array:
    return _tanh(z, out)


def tanh_derivative(z: Array, a: Array, out: Array | None = None) -> Array:
    out = _multiply(a, a, out)
    _subtract(_ONE, out, out)
    return out


def relu(z: Array, out: Array | None = None) -> Array:
    return np.maximum(z, _ZERO, out=out)


def relu_derivative(z: Array, a: Array, out: Array | None = None) -> Array:
    # f'(0) is taken as 0, the usual subgradient choice.
    return np.greater(z, _ZERO, out=_new(out, z), casting="unsafe")


def leaky_relu(z: Array, out: Array | None = None) -> Array:
    out = np.multiply(z, _SLOPE, out)
    np.maximum(z, out, out=out)
    return out


def leaky_relu_derivative(z: Array, a: Array, out: Array | None = None) -> Array:
    out = np.greater(z, _ZERO, out=_new(out, z), casting="unsafe")
    np.multiply(out, _ONE_MINUS_SLOPE, out)
    np.add(out, _SLOPE, out)
    return out


def linear(z: Array, out: Array | None = None) -> Array:
    if out is None:
        return z.copy()
    np.copyto(out, z)
    return out


def linear_derivative(z: Array, a: Array, out: Array | None = None) -> Array:
    out = _new(out, z)
    out.fill(1.0)
    return out


def softmax(z: Array, out: Array | None = None, axis: int = -1) -> Array:
    """Softmax over `axis` (the classes); training calls it on the transposed layout (axis 0)."""
    # Shift by the maximum so exp never overflows; the result is unchanged.
    out = np.subtract(z, z.max(axis=axis, keepdims=True), out=_new(out, z))
    np.exp(out, out=out)
    out /= out.sum(axis=axis, keepdims=True)
    return out


def softmax_columns(z: Array, out: Array | None = None) -> Array:
    return softmax(z, out, axis=0)


def softmax_derivative(z: Array, a: Array, out: Array | None = None) -> Array:
    """Diagonal of the softmax Jacobian, a(1 - a). The full Jacobian is handled in `losses`."""
    return sigmoid_derivative(z, a, out)


@dataclass(frozen=True)
class Activation:
    name: str
    f: Callable[..., Array]
    derivative: Callable[..., Array]
    formula: str  # for the step panel
    derivative_formula: str


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", sigmoid, sigmoid_derivative, "1/(1+e^-z)", "a(1-a)"),
        Activation("tanh", tanh, tanh_derivative, "tanh(z)", "1-a^2"),
        Activation("relu", relu, relu_derivative, "max(0, z)", "1 if z>0 else 0"),
        Activation(
            "leaky_relu",
            leaky_relu,
            leaky_relu_derivative,
            f"max({LEAKY_SLOPE}z, z)",
            f"1 if z>0 else {LEAKY_SLOPE}",
        ),
        Activation("linear", linear, linear_derivative, "z", "1"),
        Activation("softmax", softmax, softmax_derivative, "e^z_k / sum_j e^z_j", "a(1-a)"),
    )
}

HIDDEN_ACTIVATIONS: tuple[str, ...] = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
OUTPUT_ACTIVATIONS: tuple[str, ...] = ("sigmoid", "tanh", "linear", "softmax")


def columnwise(activation: Activation) -> Callable[..., Array]:
    """f for the transposed (units x batch) layout: only softmax cares which axis is which."""
    return softmax_columns if activation.name == "softmax" else activation.f


def get(name: str) -> Activation:
    key = name.strip().lower().replace("-", "_")
    if key == "leakyrelu":
        key = "leaky_relu"
    try:
        return ACTIVATIONS[key]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}"
        ) from None
