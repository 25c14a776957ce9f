"""Scores of a network's outputs: accuracy for classes, R^2 and mean absolute error for numbers.

Which one applies follows the data: a data set without class names is a regression task
(README "Several targets and regression").
"""

from __future__ import annotations

import math

import numpy as np

from nnviz.core.datasets import Dataset

Array = np.ndarray


def is_regression(data: Dataset) -> bool:
    return not data.class_names


def r2(output: Array, Y: Array) -> float:
    """Coefficient of determination 1 - SS_res / SS_tot over all target columns together
    (NaN without samples; -inf / 1 when the targets are constant)."""
    Y = np.asarray(Y, dtype=np.float64)
    if len(Y) == 0:
        return math.nan
    Y = Y.reshape(len(Y), -1)
    res = float(np.sum((Y - output) ** 2))
    tot = float(np.sum((Y - Y.mean(axis=0)) ** 2))
    if tot == 0.0:
        return 1.0 if res == 0.0 else -math.inf
    return 1.0 - res / tot


def mae(output: Array, Y: Array) -> float:
    """Mean absolute error over every target value (NaN without samples)."""
    Y = np.asarray(Y, dtype=np.float64)
    return float(np.mean(np.abs(Y.reshape(len(Y), -1) - output))) if len(Y) else math.nan


def default_output(data: Dataset) -> tuple[str, str]:
    """(output activation, loss) that fit the data's targets: softmax + cross entropy for one-hot
    classes, sigmoid + mse for one 0/1 column, and for numbers mse with a sigmoid output when
    every target lies strictly between 0 and 1, else a linear one."""
    if data.class_names:
        return ("softmax", "cross_entropy") if data.n_outputs > 1 else ("sigmoid", "mse")
    Y = np.concatenate([data.Y_train, data.Y_test])
    inside = bool(len(Y)) and bool(np.all((Y > 0.0) & (Y < 1.0)))
    return ("sigmoid" if inside else "linear"), "mse"
