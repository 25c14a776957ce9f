"""Data sets: seeded toy problems, three classic UCI tables, and a CSV loader for your own data.

Every loader returns a `Dataset` whose arrays are float64 and ready for a `Network`:

* inputs `X` have shape (n, d);
* targets `Y` have shape (n, k): a single 0/1 column for two classes, one-hot columns for three or
  more classes, or the raw value(s) for a regression target (then `class_names == ()`).

Everything is deterministic: the same arguments give bit-identical arrays (all randomness comes
from `numpy.random.default_rng(seed)`).

Generated sets (`n` points, `noise`, `seed`; all 2-D except the XOR variants):

* ``xor``: the 4 corners [[0,0],[0,1],[1,0],[1,1]] with targets [[0],[1],[1],[0]], in that order;
  `n` and `noise` are ignored.
* ``xor-bias``: the same 4 points with a constant third input of 1, the way classic tutorials feed
  the bias as an extra input.
* ``checkerboard``: `n` (default 512) points uniform in [-1, 1]^2 cut into `k` x `k` cells (option
  `k`, default 4); the label is the parity of the cell's column + row index. `noise` is the
  fraction of labels flipped (exactly round(noise * n) of them).
* ``circles``: `n` (default 300) points, half on a ring of radius 0.5 (class 1, "inner") and half
  on a ring of radius 1 (class 0, "outer"); `noise` is the standard deviation of a Gaussian radial
  jitter, so coordinates stay within about [-1, 1] for small noise.
* ``spirals``: `n` (default 400) points on two interleaved spirals (option `turns`, default 1.75)
  whose radius grows from 0 to 1, the second rotated by 180 degrees; `noise` is the standard
  deviation of Gaussian jitter added to both coordinates.
* ``gaussians``: `n` (default 200) points from two round Gaussian blobs centred at (-0.5, -0.5)
  (class 0) and (0.5, 0.5) (class 1) with standard deviation `std` (option, default 0.25);
  `noise` adds further Gaussian jitter of that standard deviation.

Generated points come in a seeded random order (except XOR), so online training in fixed order
does not see one class after the other. The noise is drawn last, so changing only `noise` moves
the same points (same order, same labels, except the flipped checkerboard ones).

Generated regression sets (a number to predict, ``class_names == ()``; `n`, `noise`, `seed`):

* ``sine``: `n` (default 200) points x uniform in [-pi, pi], y = sin(x) plus Gaussian noise of
  standard deviation `noise` (1-D).
* ``bumps``: `n` (default 400) points uniform in [-1, 1]^2, y = a sum of three Gaussian bumps
  (heights 0.8, 0.6, 0.4) plus Gaussian noise of standard deviation `noise`.

Real sets (files in ``resources/datasets``, parsed exactly as UCI ships them; see the README there
for provenance and the CC BY 4.0 licence). `n` and `noise` do not apply to them. The rows are split
first (`test_ratio`, stratified, seeded) and then every feature is standardised with the mean and
standard deviation of the training part only (option ``standardize=False`` keeps raw units):

* ``iris`` (Fisher 1936): 150 flowers, 4 measurements in cm, 3 species (one-hot).
* ``seeds`` (alias ``wheat``, ``wheat-seeds``): 210 wheat kernels, 7 geometric measurements,
  3 varieties Kama / Rosa / Canadian (one-hot). The file has runs of tabs, so it is split on
  whitespace.
* ``heart`` (alias ``cleveland``, ``heart-disease``): Cleveland heart disease, 13 clinical
  attributes, binary target: 0 = no disease (``num`` 0) vs 1 = disease (``num`` 1-4). The
  categorical attributes (cp, restecg, slope, thal, ...) are used as their numeric codes. The
  file has six ``?`` (four in ``ca``, two in ``thal``, in rows 88, 167, 193, 267, 288, 303).
  Option ``missing``: ``"drop"`` (default) removes those 6 rows, leaving 297 (160 absent,
  137 present), as most of the literature does; ``"median"`` keeps all 303 rows and fills each
  ``?`` with the median of that column over the training part (after the split, so the test
  part does not leak into it).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nnviz.core import limits
from nnviz.core.csv_table import (
    DatasetError,
    Table,
    labels,
    numeric_matrix,
    read_table,
    select_columns,
)
from nnviz.core.resources import resource_path

__all__ = [
    "GENERATED",
    "REAL",
    "REGRESSION",
    "Dataset",
    "DatasetError",
    "load",
    "load_csv",
    "load_dataset",
    "names",
    "split",
    "standardize",
]


@dataclass(frozen=True, eq=False)  # eq=False: arrays have no single truth value, keep id hashing
class Dataset:
    name: str
    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    description: str
    #: Input features of a 2-D plane (``nnviz.core.features``), () when the inputs are the data's
    #: own columns; then ``plane`` holds the raw (x1, x2) points of the train and test parts.
    features: tuple[str, ...] = ()
    plane: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def n_inputs(self) -> int:
        return int(self.X_train.shape[1])

    @property
    def n_outputs(self) -> int:
        return int(self.Y_train.shape[1])

    @property
    def is_2d(self) -> bool:
        """The samples are points of a plane (two inputs, or features of two inputs)."""
        return bool(self.features) or self.n_inputs == 2

    def plane_points(self) -> tuple[np.ndarray, np.ndarray]:
        """The train and test samples as points (x1, x2) of the plane (2-D data only)."""
        return self.plane if self.plane is not None else (self.X_train, self.X_test)

    @property
    def is_classification(self) -> bool:
        return len(self.class_names) > 0


GENERATED: tuple[str, ...] = ("xor", "xor-bias", "checkerboard", "circles", "spirals", "gaussians")
REAL: tuple[str, ...] = ("iris", "seeds", "heart")
#: Generated sets with a number to predict (class_names == ()).
REGRESSION: tuple[str, ...] = ("sine", "bumps")

_ALIASES = {
    "wheat": "seeds",
    "wheat-seeds": "seeds",
    "cleveland": "heart",
    "heart-disease": "heart",
}

def names() -> tuple[str, ...]:
    return GENERATED + REAL + REGRESSION


def load_dataset(
    name: str,
    *,
    n: int | None = None,
    noise: float = 0.0,
    test_ratio: float = 0.0,
    seed: int = 0,
    **options: Any,
) -> Dataset:
    """Build the named data set (see the module docstring for each set and its options)."""
    key = _canonical_name(name)
    _check_number("noise", noise, low=0.0)
    if n is not None and (isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2):
        raise DatasetError(f"n must be an integer >= 2, got {n!r}")
    builder, allowed = _BUILDERS[key]
    if n is not None:
        try:
            limits.check_points(int(n), 3)  # before generating: at most 3 inputs and 1 target
        except limits.SizeError as exc:
            raise DatasetError(str(exc)) from None
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        valid = ", ".join(allowed) if allowed else "none"
        raise DatasetError(
            f"unknown option(s) for data set {key!r}: {', '.join(unknown)} (valid: {valid})"
        )
    return builder(n=n, noise=float(noise), test_ratio=test_ratio, seed=seed, **options)


def load(name: str, **kwargs: Any) -> tuple[np.ndarray, np.ndarray]:
    """X_train, Y_train of `load_dataset(name, **kwargs)`; with the default test_ratio 0 that is
    all the data."""
    ds = load_dataset(name, **kwargs)
    return ds.X_train, ds.Y_train


# ---------------------------------------------------------------------------------------------
# Split and standardisation


def split(
    X: np.ndarray, Y: np.ndarray, test_ratio: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Seeded split into (X_train, Y_train, X_test, Y_test).

    round(test_ratio * n) rows go to the test part (at least one when test_ratio > 0). Class
    targets (a 0/1 column or one-hot rows) are split stratified: each class gives its share,
    remainders going to the classes with the largest fractional share. Both parts keep the
    original row order. test_ratio 0 gives an empty test part of shape (0, d) and (0, k).
    """
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[0] != Y.shape[0]:
        raise DatasetError(
            f"split needs X (n, d) and Y (n, k) with the same n, got {X.shape} and {Y.shape}"
        )
    _check_number("test_ratio", test_ratio, low=0.0, high_exclusive=1.0)
    n = X.shape[0]
    if test_ratio == 0:
        return X.copy(), Y.copy(), X[:0].copy(), Y[:0].copy()
    n_test = max(1, math.floor(test_ratio * n + 0.5))
    if n_test >= n:
        raise DatasetError(
            f"test_ratio {test_ratio} leaves no training rows out of {n}; use a smaller ratio"
        )
    rng = np.random.default_rng(seed)
    labels = _class_labels(Y)
    if labels is None:
        test_idx = rng.permutation(n)[:n_test]
    else:
        classes = np.unique(labels)
        members = [np.flatnonzero(labels == c) for c in classes]
        quota = np.array([test_ratio * len(m) for m in members])
        counts = np.floor(quota).astype(int)
        # Largest remainder: hand out the rows still missing to the biggest fractional parts;
        # the stable sort makes ties go to the lower class index, deterministically.
        order = np.argsort(-(quota - counts), kind="stable")
        for i in order[: n_test - counts.sum()]:
            counts[i] += 1
        test_idx = np.concatenate(
            [rng.permutation(m)[:c] for m, c in zip(members, counts, strict=True)]
        )
    is_test = np.zeros(n, dtype=bool)
    is_test[test_idx] = True
    return X[~is_test], Y[~is_test], X[is_test], Y[is_test]


def _class_labels(Y: np.ndarray) -> np.ndarray | None:
    """Class index per row when Y is a 0/1 column or one-hot rows, else None (regression)."""
    if Y.shape[1] == 1:
        column = Y[:, 0]
        return column.astype(int) if np.all((column == 0) | (column == 1)) else None
    if np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=1) == 1):
        return Y.argmax(axis=1)
    return None


def standardize(
    X_train: np.ndarray, X_test: np.ndarray, feature_names: Sequence[str] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Scale every column to mean 0 and standard deviation 1 using the training part only.

    Returns (X_train, X_test, mean, std). A constant training column gets std 1, so it becomes
    0 instead of dividing by zero. A column whose mean or spread overflows (values near
    +-1e308) raises DatasetError naming it (from `feature_names` when given): its scaled values
    would be NaN or silent zeros.
    """
    X_train = np.asarray(X_train, dtype=np.float64)
    X_test = np.asarray(X_test, dtype=np.float64)
    if X_train.ndim != 2 or X_train.shape[0] == 0:
        raise DatasetError(
            f"standardize needs a non-empty (n, d) training part, got {X_train.shape}"
        )
    if X_test.ndim != 2 or X_test.shape[1] != X_train.shape[1]:
        raise DatasetError(
            f"standardize: test part {X_test.shape} does not match training part {X_train.shape}"
        )
    with np.errstate(over="ignore", invalid="ignore"):
        mean = X_train.mean(axis=0)
        std = X_train.std(axis=0)
    bad = ~(np.isfinite(mean) & np.isfinite(std))
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        name = f"column {j + 1}" if feature_names is None else repr(feature_names[j])
        peak = float(np.abs(X_train[:, j]).max())
        raise DatasetError(
            f"feature {name}: values up to {peak:.3g} overflow when scaled (their mean or "
            "spread is beyond the largest float); divide the column by a large power of 10 first"
        )
    # The mean of a constant column is not always exactly that constant in floating point, so a
    # "zero" std can come out as 1e-17; treat anything that small as constant.
    std = np.where(std <= 1e-12 * np.maximum(1.0, np.abs(mean)), 1.0, std)
    return (X_train - mean) / std, (X_test - mean) / std, mean, std


# Loaders take a `standardize` flag, which shadows the function inside them.
_standardize = standardize


# ---------------------------------------------------------------------------------------------
# Generated sets


def _xor(*, n: int | None, noise: float, test_ratio: float, seed: int) -> Dataset:
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    Y = np.array([[0.0], [1.0], [1.0], [0.0]])
    return _make(
        "xor",
        X,
        Y,
        test_ratio,
        seed,
        ("x1", "x2"),
        ("0", "1"),
        "XOR: the 4 corners of the unit square, target 1 when exactly one input is 1",
    )


def _xor_bias(*, n: int | None, noise: float, test_ratio: float, seed: int) -> Dataset:
    X = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 1.0]])
    Y = np.array([[0.0], [1.0], [1.0], [0.0]])
    return _make(
        "xor-bias",
        X,
        Y,
        test_ratio,
        seed,
        ("x1", "x2", "bias"),
        ("0", "1"),
        "XOR with a constant third input of 1 (the bias fed as an input)",
    )


def _checkerboard(
    *, n: int | None, noise: float, test_ratio: float, seed: int, k: int = 4
) -> Dataset:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise DatasetError(
            f"checkerboard option k (cells per side) must be an integer >= 1, got {k!r}"
        )
    _check_number("noise", noise, low=0.0, high=1.0, what="checkerboard noise (fraction flipped)")
    n = 512 if n is None else int(n)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    # min() keeps a point drawn exactly at +1 in the last cell.
    cell = np.minimum(np.floor((X + 1.0) / 2.0 * k).astype(int), k - 1)
    y = ((cell[:, 0] + cell[:, 1]) % 2).astype(np.float64)
    n_flip = math.floor(noise * n + 0.5)
    if n_flip:
        flip = rng.choice(n, size=n_flip, replace=False)
        y[flip] = 1.0 - y[flip]
    return _make(
        "checkerboard",
        X,
        y[:, None],
        test_ratio,
        seed,
        ("x1", "x2"),
        ("0", "1"),
        f"Checkerboard {k}x{k} over [-1, 1]²: {n} points, label = parity of the cell"
        + _noise_note(noise, "labels flipped"),
    )


def _circles(*, n: int | None, noise: float, test_ratio: float, seed: int) -> Dataset:
    n = 300 if n is None else int(n)
    rng = np.random.default_rng(seed)
    n_inner = n // 2
    y = np.zeros(n)
    y[:n_inner] = 1.0
    radius = np.where(y == 1.0, 0.5, 1.0)
    angle = rng.uniform(0.0, 2.0 * np.pi, size=n)
    order = rng.permutation(n)
    y, radius, angle = y[order], radius[order], angle[order]
    if noise:
        radius = radius + noise * rng.standard_normal(n)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    return _make(
        "circles",
        X,
        y[:, None],
        test_ratio,
        seed,
        ("x1", "x2"),
        ("outer", "inner"),
        f"Two circles: {n} points on rings of radius 0.5 (inner) and 1 (outer)"
        + _noise_note(noise, "radial jitter"),
    )


def _spirals(
    *, n: int | None, noise: float, test_ratio: float, seed: int, turns: float = 1.75
) -> Dataset:
    _check_number("turns", turns, low=0.0, what="spirals option turns")
    n = 400 if n is None else int(n)
    rng = np.random.default_rng(seed)
    y = np.zeros(n)
    y[n // 2 :] = 1.0
    radius = rng.uniform(0.0, 1.0, size=n)
    angle = 2.0 * np.pi * turns * radius + np.pi * y
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    X, y = _shuffle(rng, X, y)
    if noise:
        X = X + noise * rng.standard_normal(X.shape)
    return _make(
        "spirals",
        X,
        y[:, None],
        test_ratio,
        seed,
        ("x1", "x2"),
        ("spiral A", "spiral B"),
        f"Two interleaved spirals: {n} points, {turns:g} turns, radius up to 1"
        + _noise_note(noise, "jitter"),
    )


def _gaussians(
    *, n: int | None, noise: float, test_ratio: float, seed: int, std: float = 0.25
) -> Dataset:
    _check_number("std", std, low=0.0, what="gaussians option std")
    n = 200 if n is None else int(n)
    rng = np.random.default_rng(seed)
    y = np.zeros(n)
    y[n // 2 :] = 1.0
    centre = np.where(y[:, None] == 1.0, 0.5, -0.5)
    X = centre + std * rng.standard_normal((n, 2))
    X, y = _shuffle(rng, X, y)
    if noise:
        X = X + noise * rng.standard_normal(X.shape)
    return _make(
        "gaussians",
        X,
        y[:, None],
        test_ratio,
        seed,
        ("x1", "x2"),
        ("blob A", "blob B"),
        f"Two Gaussian blobs at (-0.5, -0.5) and (0.5, 0.5), std {std:g}: {n} points"
        + _noise_note(noise, "jitter"),
    )


def _sine(*, n: int | None, noise: float, test_ratio: float, seed: int) -> Dataset:
    n = 200 if n is None else int(n)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-math.pi, math.pi, n)
    y = np.sin(x)
    if noise:
        y = y + noise * rng.standard_normal(n)
    return _make(
        "sine", x[:, None], y[:, None], test_ratio, seed, ("x",), (),
        f"y = sin(x) for {n} points x uniform in [-pi, pi]" + _noise_note(noise, "Gaussian noise"),
    )


#: (centre x1, centre x2, height, width) of the bumps of the "bumps" set.
_BUMPS = ((-0.45, -0.35, 0.8, 0.3), (0.45, 0.4, 0.6, 0.25), (0.35, -0.5, 0.4, 0.2))


def _bumps(*, n: int | None, noise: float, test_ratio: float, seed: int) -> Dataset:
    n = 400 if n is None else int(n)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, (n, 2))
    y = np.zeros(n)
    for c1, c2, height, width in _BUMPS:
        y += height * np.exp(-((X[:, 0] - c1) ** 2 + (X[:, 1] - c2) ** 2) / (2 * width**2))
    if noise:
        y = y + noise * rng.standard_normal(n)
    return _make(
        "bumps", X, y[:, None], test_ratio, seed, ("x1", "x2"), (),
        f"y = a sum of {len(_BUMPS)} Gaussian bumps over [-1, 1]^2: {n} points"
        + _noise_note(noise, "Gaussian noise"),
    )


def _shuffle(
    rng: np.random.Generator, X: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(y))
    return X[order], y[order]


def _noise_note(noise: float, what: str) -> str:
    return f", {noise:g} {what}" if noise else ""


def _make(
    name: str,
    X: np.ndarray,
    Y: np.ndarray,
    test_ratio: float,
    seed: int,
    feature_names: tuple[str, ...],
    class_names: tuple[str, ...],
    description: str,
) -> Dataset:
    X_train, Y_train, X_test, Y_test = split(X, Y, test_ratio, seed)
    return Dataset(name, X_train, Y_train, X_test, Y_test, feature_names, class_names, description)


# ---------------------------------------------------------------------------------------------
# Real (UCI) sets


_IRIS_FEATURES = ("sepal length", "sepal width", "petal length", "petal width")
_SEEDS_FEATURES = (
    "area",
    "perimeter",
    "compactness",
    "kernel length",
    "kernel width",
    "asymmetry",
    "groove length",
)
_HEART_FEATURES = (
    "age",
    "sex",
    "cp",
    "trestbps",
    "chol",
    "fbs",
    "restecg",
    "thalach",
    "exang",
    "oldpeak",
    "slope",
    "ca",
    "thal",
)


def _iris(
    *, n: int | None, noise: float, test_ratio: float, seed: int, standardize: bool = True
) -> Dataset:
    path = resource_path("datasets", "iris.data")
    table = _uci_table(path, 5)
    X = numeric_matrix(table, path, range(4), header=False)
    y = _class_index(path, table, 4, ("Iris-setosa", "Iris-versicolor", "Iris-virginica"))
    return _finish_real(
        "iris",
        X,
        np.eye(3)[y],
        test_ratio,
        seed,
        standardize,
        _IRIS_FEATURES,
        ("setosa", "versicolor", "virginica"),
        "Iris (Fisher 1936, UCI): 150 flowers, 4 measurements, 3 species",
    )


def _seeds(
    *, n: int | None, noise: float, test_ratio: float, seed: int, standardize: bool = True
) -> Dataset:
    path = resource_path("datasets", "seeds_dataset.txt")
    table = _uci_table(path, 8)
    X = numeric_matrix(table, path, range(7), header=False)
    y = _class_index(path, table, 7, ("1", "2", "3"))
    return _finish_real(
        "seeds",
        X,
        np.eye(3)[y],
        test_ratio,
        seed,
        standardize,
        _SEEDS_FEATURES,
        ("Kama", "Rosa", "Canadian"),
        "Wheat seeds (UCI): 210 kernels, 7 measurements, 3 varieties",
    )


def _heart(
    *,
    n: int | None,
    noise: float,
    test_ratio: float,
    seed: int,
    standardize: bool = True,
    missing: str = "drop",
) -> Dataset:
    if missing not in ("drop", "median"):
        raise DatasetError(f"heart option missing must be 'drop' or 'median', got {missing!r}")
    path = resource_path("datasets", "processed.cleveland.data")
    table = _uci_table(path, 14)
    X = numeric_matrix(table, path, range(13), header=False, missing="?")
    num = _class_index(path, table, 13, ("0", "1", "2", "3", "4"))
    Y = (num > 0).astype(np.float64)[:, None]
    if missing == "drop":
        keep = ~np.isnan(X).any(axis=1)
        X, Y = X[keep], Y[keep]
    X_train, Y_train, X_test, Y_test = split(X, Y, test_ratio, seed)
    if missing == "median":
        # Medians of the training part only, so held-out rows never shape the training inputs.
        fill = np.nanmedian(X_train, axis=0)
        X_train = np.where(np.isnan(X_train), fill, X_train)
        X_test = np.where(np.isnan(X_test), fill, X_test)
    if standardize:
        X_train, X_test, _, _ = _standardize(X_train, X_test)
    note = "6 rows with '?' dropped" if missing == "drop" else "'?' filled with training medians"
    return Dataset(
        "heart",
        X_train,
        Y_train,
        X_test,
        Y_test,
        _HEART_FEATURES,
        ("absent", "present"),
        f"Cleveland heart disease (UCI): {len(X)} patients, "
        f"13 attributes, disease absent vs present ({note})",
    )


def _finish_real(
    name: str,
    X: np.ndarray,
    Y: np.ndarray,
    test_ratio: float,
    seed: int,
    do_standardize: bool,
    feature_names: tuple[str, ...],
    class_names: tuple[str, ...],
    description: str,
) -> Dataset:
    X_train, Y_train, X_test, Y_test = split(X, Y, test_ratio, seed)
    if do_standardize:
        X_train, X_test, _, _ = standardize(X_train, X_test)
    return Dataset(name, X_train, Y_train, X_test, Y_test, feature_names, class_names, description)


def _uci_table(path: Path, width: int) -> Table:
    """A UCI file, every row `width` cells (they have no header line)."""
    table = read_table(path)
    if not len(table):
        raise DatasetError(f"{path}: line 1: file is empty")
    bad = table.width_mismatch(width)
    if bad is not None:
        raise DatasetError(f"{path}: line {bad[0]} has {bad[1]} fields, expected {width}")
    return table


def _class_index(path: Path, table: Table, j: int, names: Sequence[str]) -> np.ndarray:
    """Index into `names` of every row's class in column j."""
    lookup = {name: i for i, name in enumerate(names)}
    cells = labels(table, j, header=False)
    unknown = next((r for r, c in enumerate(cells) if c not in lookup), None)
    if unknown is not None:
        raise DatasetError(
            f"{path}: line {table.lines[unknown]}: unknown class {cells[unknown]!r} (expected "
            f"one of {', '.join(names)})"
        )
    return np.array([lookup[c] for c in cells])


_BUILDERS: dict[str, tuple[Callable[..., Dataset], tuple[str, ...]]] = {
    "xor": (_xor, ()),
    "xor-bias": (_xor_bias, ()),
    "checkerboard": (_checkerboard, ("k",)),
    "circles": (_circles, ()),
    "spirals": (_spirals, ("turns",)),
    "gaussians": (_gaussians, ("std",)),
    "iris": (_iris, ("standardize",)),
    "seeds": (_seeds, ("standardize",)),
    "heart": (_heart, ("standardize", "missing")),
    "sine": (_sine, ()),
    "bumps": (_bumps, ()),
}


def _canonical_name(name: str) -> str:
    if not isinstance(name, str):
        raise DatasetError(f"data set name must be a string, got {name!r}")
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    key = _ALIASES.get(key, key)
    if key not in _BUILDERS:
        raise DatasetError(f"unknown data set {name!r}; valid names: {', '.join(names())}")
    return key


def _check_number(
    label: str,
    value: object,
    *,
    low: float | None = None,
    high: float | None = None,
    high_exclusive: float | None = None,
    what: str | None = None,
) -> None:
    what = what or label
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise DatasetError(f"{what} must be a number, got {value!r}")
    v = float(value)
    if not math.isfinite(v):
        raise DatasetError(f"{what} must be finite, got {value!r}")
    if low is not None and v < low:
        raise DatasetError(f"{what} must be >= {low:g}, got {value!r}")
    if high is not None and v > high:
        raise DatasetError(f"{what} must be <= {high:g}, got {value!r}")
    if high_exclusive is not None and v >= high_exclusive:
        raise DatasetError(f"{what} must be < {high_exclusive:g}, got {value!r}")


# ---------------------------------------------------------------------------------------------
# Your own CSV files


def load_csv(
    path: str | os.PathLike[str],
    *,
    target: str | int | Sequence[str | int] = -1,
    header: bool | None = None,
    features: Sequence[str | int] | None = None,
    test_ratio: float = 0.0,
    seed: int = 0,
    standardize: bool = True,
    table: Table | None = None,
    task: str | None = None,
) -> Dataset:
    """Load your own table: one row per sample, numeric feature columns, one target column.

    * Separator, quoting, blank lines, byte-order mark, decimal commas and NUL bytes: as
      `nnviz.core.csv_table.read_table` reads them.
    * header=None detects a header: the first row is one when it has a non-numeric cell where
      the second row has a number, or when it is all numbers but cannot be data (a column holds
      text in every other row); `read_table` says which rule decided.
    * target: column name (needs a header) or index (negative counts from the end).
      features: names or indices of the input columns (default: every other column).
    * Target values that are not all numbers, or are integers with at most 20 distinct values,
      are class labels (sorted; numerically when numeric; TRUE/True/true are one class, as are
      the spellings of false): two classes give one 0/1 column (1 = the second class), three or
      more give one-hot columns. Other numeric targets are a regression target, kept unscaled in
      one column, and class_names is (). More than limits.MAX_CLASSES classes is refused ("N
      classes: is the target column right?") before the one-hot matrix is made.
    * target may also list several columns: several numbers to predict (a regression task,
      one output per column). task="classify" or "regress" overrides the inference for a
      single target column ("regress" reads integer labels as numbers, "classify" reads any
      distinct values as classes); task=None infers it as above.
    * With standardize=True the inputs are scaled with the statistics of the training part; a
      column whose scaling overflows (values near +-1e308) is an error.

    Problems raise DatasetError naming the file, the line and what is wrong. `table` is the
    file as `read_table` read it, so one reading serves many choices of columns.
    See README, "Data sets" and "Limits and failures".
    """
    path = Path(path)
    table = read_table(path) if table is None else table
    chosen = select_columns(
        table, path, target=target, features=features, task=task,
        header=table.header if header is None else bool(header),
    )
    X_train, Y_train, X_test, Y_test = split(chosen.X, chosen.Y, test_ratio, seed)
    if standardize:
        try:
            X_train, X_test, _, _ = _standardize(X_train, X_test, chosen.feature_names)
        except DatasetError as exc:
            raise DatasetError(f"{path}: {exc}") from None
    return Dataset(
        path.stem,
        X_train,
        Y_train,
        X_test,
        Y_test,
        chosen.feature_names,
        chosen.class_names,
        f"{path.name}: {len(chosen.X)} rows, {len(chosen.feature_names)} inputs, target "
        f"{', '.join(map(repr, chosen.target_names))} ({chosen.kind})",
    )
