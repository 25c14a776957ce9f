"""Checks that data handed to training holds finite numbers (README: Limits and failures).

A NaN or inf in the inputs or targets makes every loss NaN from the first epoch on, which would
otherwise be reported as divergence ("try a smaller learning rate") although the learning rate
is not the problem. The trainer runs this check when it is given data, so the window, the CLI
and loaded sessions all refuse such data with the same message.
"""

from __future__ import annotations

import numpy as np

from nnviz.core.datasets import DatasetError


def first_non_finite(a: np.ndarray) -> tuple[int, int, float] | None:
    """(row, column, value) of the first NaN or inf of a 2-D array in row order, or None."""
    bad = ~np.isfinite(a)
    if not bad.any():
        return None
    row = int(np.argmax(bad.any(axis=1)))
    col = int(np.argmax(bad[row]))
    return row, col, float(a[row, col])


def check_finite(X: np.ndarray, Y: np.ndarray, part: str = "training data") -> None:  # noqa: N803
    """Raise DatasetError naming the first non-finite cell: "training data: input column 2 has
    NaN at row 17" (1-based, rows and columns of the data as the trainer gets it)."""
    for what, a in (("input", X), ("target", Y)):
        found = first_non_finite(np.asarray(a).reshape(len(a), -1))
        if found is not None:
            row, col, value = found
            kind = "NaN" if np.isnan(value) else f"{value:g}"  # inf or -inf
            raise DatasetError(
                f"{part}: {what} column {col + 1} has {kind} at row {row + 1}; "
                "remove or fill that value (this is a data problem, not a learning rate one)"
            )
