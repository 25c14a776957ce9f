"""One notation for every index and number the program shows (README "Single-step").

Layers are numbered as in the formulas: a^(0) = x is the input, layer l = 1..L computes
z^(l) = a^(l-1) W^(l) + b^(l), so weight layer l is ``net.weights[l - 1]``. Units, edges and
samples are 1-based: ``w^(1)_12`` joins input unit 1 to hidden unit 2, ``h^(1)_2`` is unit 2 of
hidden layer 1 and "sample 3" is data row 3 (``X[2]``). Every function here takes the 0-based
indices the code uses and returns the text people read, so no label does the arithmetic itself.
Numbers are written with the one digits setting (decimals) by ``number``.
"""

from __future__ import annotations

import math

#: Decimals of every number shown, until the user changes the digits setting.
DEFAULT_DIGITS = 4


def sub(*units: int) -> str:
    """1-based subscripts of 0-based unit indices; run together (``13``) while every index is
    one digit, else comma separated (``1,12``)."""
    idx = [str(int(u) + 1) for u in units]
    return "".join(idx) if all(len(s) == 1 for s in idx) else ",".join(idx)


def sym(name: str, layer: int | None, *units: int) -> str:
    """``name^(layer)_units``: ``layer`` as in the formulas (already 1-based), units 0-based."""
    head = name if layer is None else f"{name}^({layer})"
    return f"{head}_{sub(*units)}" if units else head


def weight(li: int, i: int, j: int) -> str:
    """Weight ``net.weights[li][i, j]``: ``w^(li+1)_(i+1)(j+1)``."""
    return sym("w", li + 1, i, j)


def bias(li: int, j: int) -> str:
    """Bias ``net.biases[li][j]``: ``b^(li+1)_(j+1)``."""
    return sym("b", li + 1, j)


def unit(layer: int, j: int, n_layers: int) -> str:
    """Unit j of activation layer ``layer`` (0 = inputs, ``n_layers`` = outputs): ``x_1``,
    ``h^(1)_2``, ``y_1``."""
    if layer == 0:
        return sym("x", None, j)
    if layer == n_layers:
        return sym("y", None, j)
    return sym("h", layer, j)


def sample(row: int) -> str:
    """Data row ``row`` (0-based) as every label names it: "sample 3" for ``X[2]``."""
    return f"sample {int(row) + 1}"


def epoch(done: int) -> str:
    """The epoch in progress after ``done`` finished ones (a Trainer's ``epoch``)."""
    return f"epoch {int(done) + 1:,}"


def number(x: float, digits: int = DEFAULT_DIGITS) -> str:
    """A number with ``digits`` decimals; scientific when it would round to 0 or is huge."""
    x = float(x)
    if x == 0.0:
        return f"{0.0:.{digits}f}"
    if not math.isfinite(x):
        return str(x)
    if abs(x) < 0.5 * 10.0 ** (-digits) or abs(x) >= 1e7:
        return f"{x:.{max(digits - 1, 1)}e}"
    return f"{x:.{digits}f}"
