"""Loss functions: per-sample values and the output-layer delta dE/dz_L.

Per-sample losses (E for one sample, summed over the outputs k):
- ``mse``:            E = 1/2 * sum_k (a_k - t_k)^2   (the classic backprop texts' E)
- ``bce``:            E = -sum_k [t_k log a_k + (1 - t_k) log(1 - a_k)]   (sigmoid outputs)
- ``cross_entropy``:  E = -sum_k t_k log a_k   (softmax outputs)

bce and cross_entropy are evaluated from z, not from a: log(sigmoid(z)) and log(softmax(z)) in
their log-sum-exp forms stay finite where a has rounded to exactly 0 or 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.core import activations as act

Array = np.ndarray

LOSSES: tuple[str, ...] = ("mse", "bce", "cross_entropy")
_ALIASES = {
    "ce": "cross_entropy", "crossentropy": "cross_entropy", "cross-entropy": "cross_entropy",
    "sse": "mse", "squared_error": "mse", "binary_cross_entropy": "bce",
}


def canonical(name: str) -> str:
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}")
    return key


def check_pair(output: str, loss: str) -> None:
    """Reject output/loss pairs whose maths does not fit, with a message that says why."""
    if loss == "bce" and output != "sigmoid":
        raise ValueError(
            f"loss 'bce' needs a sigmoid output (outputs in (0, 1)), not {output!r}; "
            "use --output sigmoid, or loss mse"
        )
    if loss == "cross_entropy" and output != "softmax":
        raise ValueError(
            f"loss 'cross_entropy' needs a softmax output, not {output!r}; "
            "use --output softmax (or loss bce for a single sigmoid output)"
        )


#: The values an output activation can produce (open intervals), for the target warning.
_OUTPUT_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}


def check_targets(loss: str, Y: Array) -> None:
    """Refuse targets the loss is not defined for: bce needs every target in [0, 1] (else its
    value is meaningless and can go negative without bound)."""
    if loss == "bce" and Y.size:
        lo, hi = float(np.min(Y)), float(np.max(Y))
        if not (0.0 <= lo and hi <= 1.0):
            raise ValueError(
                f"loss 'bce' needs targets in [0, 1] (class labels or probabilities), but they "
                f"range from {lo:g} to {hi:g}; use loss mse with a linear output for these values"
            )


def target_warning(output: str, Y: Array) -> str | None:
    """A sentence when regression targets lie beyond what the output activation can reach or
    approach (a sigmoid gives values in (0, 1), tanh in (-1, 1)); None when all is well."""
    bounds = _OUTPUT_RANGE.get(output)
    if bounds is None or not Y.size or np.all((Y == 0) | (Y == 1)):
        return None
    lo, hi = float(np.min(Y)), float(np.max(Y))
    if bounds[0] <= lo and hi <= bounds[1]:  # the ends themselves can be approached
        return None
    return (
        f"a {output} output only reaches values in ({bounds[0]:g}, {bounds[1]:g}), but the "
        f"targets range from {lo:g} to {hi:g}: those outside can never be fitted (a linear "
        "output can)"
    )


def _log_sigmoid(z: Array) -> Array:
    # log(1/(1+e^-z)) = -softplus(-z) = min(z, 0) - log1p(e^-|z|)
    return np.minimum(z, 0.0) - np.log1p(np.exp(-np.abs(z)))


def per_sample(loss: str, z: Array, a: Array, t: Array) -> Array:
    """E for every sample of the batch: shape (batch,)."""
    if loss == "mse":
        d = a - t
        return 0.5 * np.einsum("ij,ij->i", d, d)
    if loss == "bce":
        # log(1 - sigmoid(z)) = log_sigmoid(-z)
        return -(t * _log_sigmoid(z) + (1.0 - t) * _log_sigmoid(-z)).sum(axis=1)
    if loss == "cross_entropy":
        m = z.max(axis=1, keepdims=True)
        log_a = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
        return -(t * log_a).sum(axis=1)
    raise ValueError(f"unknown loss {loss!r}")


def mean(loss: str, z: Array, a: Array, t: Array) -> float:
    return float(per_sample(loss, z, a, t).mean())


def output_delta(
    loss: str, output: str, z: Array, a: Array, t: Array, out: Array | None = None,
    scratch: Array | None = None,
) -> Array:
    return output_delta_and_loss(loss, output, z, a, t, out, scratch, want_loss=False)[0]


def output_delta_and_loss(
    loss: str, output: str, z: Array, a: Array, t: Array, out: Array | None = None,
    scratch: Array | None = None, want_loss: bool = True, axis: int = 1,
) -> tuple[Array, float]:
    """delta_L = dE/dz_L for every sample, shape (batch, n_out).

    sigmoid + bce and softmax + cross_entropy collapse to a - t. With mse the chain rule gives
    (a - t) * f'(z); for a softmax output the Jacobian is not diagonal, so the product is
    a * (g - sum_k g_k a_k) with g = a - t.

    ``axis`` is the axis of the outputs k: 1 for (batch, k) arrays, 0 for the transposed
    (k, batch) layout the training kernel uses. The second value is the sum over the batch of
    E (nan unless want_loss): for mse it costs one call on a - t, which the delta needs anyway,
    so the trainer records a loss every epoch.
    """
    out = np.subtract(a, t, out=out)
    if loss != "mse":
        if not want_loss:
            return out, float("nan")
        if axis == 0:
            return out, float(per_sample(loss, z.T, a.T, t.T).sum())
        return out, float(per_sample(loss, z, a, t).sum())
    total = 0.5 * float(np.vdot(out, out)) if want_loss else float("nan")
    if output == "softmax":
        out -= (out * a).sum(axis=axis, keepdims=True)
        out *= a
    elif output != "linear":
        out *= act.ACTIVATIONS[output].derivative(z, a, scratch)
    return out, total


@dataclass(frozen=True)
class LossInfo:
    name: str
    formula: str
    delta_formula: str


def describe(loss: str, output: str) -> LossInfo:
    """Text for the step panel: the loss and how delta_L follows from it."""
    if loss == "mse":
        formula = "E = 1/2 * sum_k (a_k - t_k)^2"
        if output == "softmax":
            delta = "delta_k = a_k * ((a_k - t_k) - sum_j (a_j - t_j) a_j)"
        elif output == "linear":
            delta = "delta_k = (a_k - t_k)"
        else:
            fprime = act.get(output).derivative_formula
            delta = f"delta_k = (a_k - t_k) * f'(z_k),  f'(z) = {fprime}"
    elif loss == "bce":
        formula = "E = -sum_k [t_k ln a_k + (1 - t_k) ln(1 - a_k)]"
        delta = "delta_k = a_k - t_k"
    else:
        formula = "E = -sum_k t_k ln a_k"
        delta = "delta_k = a_k - t_k"
    return LossInfo(loss, formula, delta)
