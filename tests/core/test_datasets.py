"""Data sets: generated toys, the shipped UCI files, split and standardise."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from nnviz.core import datasets
from nnviz.core.datasets import Dataset, DatasetError, load, load_dataset, split
from nnviz.core.resources import resource_path

# --------------------------------------------------------------------------------------------
# Every set


@pytest.mark.parametrize("name", datasets.names())
def test_every_set_has_consistent_shapes_and_dtypes(name: str) -> None:
    ds = load_dataset(name)
    assert isinstance(ds, Dataset)
    assert ds.name == name
    for a in (ds.X_train, ds.Y_train, ds.X_test, ds.Y_test):
        assert a.dtype == np.float64 and a.ndim == 2
    n, d = ds.X_train.shape
    assert ds.Y_train.shape[0] == n and n > 0
    assert ds.X_test.shape == (0, d) and ds.Y_test.shape == (0, ds.n_outputs)
    assert ds.n_inputs == d == len(ds.feature_names)
    assert np.all(np.isfinite(ds.X_train))
    assert ds.description and "\n" not in ds.description
    k = ds.n_outputs
    if name in datasets.REGRESSION:  # a number to predict, no classes
        assert ds.class_names == () and k == 1 and np.all(np.isfinite(ds.Y_train))
        return
    assert len(ds.class_names) >= 2
    if k == 1:
        assert len(ds.class_names) == 2
        assert set(np.unique(ds.Y_train)) == {0.0, 1.0}
    else:
        assert len(ds.class_names) == k >= 3
        assert np.all(ds.Y_train.sum(axis=1) == 1) and set(np.unique(ds.Y_train)) == {0.0, 1.0}
        assert np.all(ds.Y_train.sum(axis=0) > 0)


def test_names_and_2d_sets() -> None:
    assert datasets.names() == datasets.GENERATED + datasets.REAL + datasets.REGRESSION
    assert datasets.REGRESSION == ("sine", "bumps")
    assert datasets.GENERATED == (
        "xor",
        "xor-bias",
        "checkerboard",
        "circles",
        "spirals",
        "gaussians",
    )
    assert datasets.REAL == ("iris", "seeds", "heart")
    for name in ("xor", "checkerboard", "circles", "spirals", "gaussians", "bumps"):
        assert load_dataset(name).is_2d
    for name in ("xor-bias", "iris", "seeds", "heart", "sine"):
        assert not load_dataset(name).is_2d


def test_xor_exact_values_and_order() -> None:
    X, Y = load("xor")
    assert np.array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    assert np.array_equal(Y, [[0], [1], [1], [0]])
    # n and noise do not change the four points.
    X2, Y2 = load("xor", n=100, noise=0.3, seed=5)
    assert np.array_equal(X2, X) and np.array_equal(Y2, Y)


def test_xor_bias_adds_constant_input() -> None:
    ds = load_dataset("xor-bias")
    assert np.array_equal(ds.X_train, [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    assert np.array_equal(ds.Y_train, [[0], [1], [1], [0]])
    assert ds.feature_names[-1] == "bias"


@pytest.mark.parametrize("name", datasets.names())
def test_same_arguments_give_bit_identical_arrays(name: str) -> None:
    kwargs = {"noise": 0.1, "test_ratio": 0.25, "seed": 3}
    a, b = load_dataset(name, **kwargs), load_dataset(name, **kwargs)
    for x, y in zip(
        (a.X_train, a.Y_train, a.X_test, a.Y_test),
        (b.X_train, b.Y_train, b.X_test, b.Y_test),
        strict=True,
    ):
        assert x.tobytes() == y.tobytes()


@pytest.mark.parametrize("name", ["checkerboard", "circles", "spirals", "gaussians"])
def test_generated_sets_depend_on_seed_and_n(name: str) -> None:
    X0, Y0 = load(name, seed=0)
    X1, _ = load(name, seed=1)
    assert not np.array_equal(X0, X1)
    X, Y = load(name, n=50)
    assert X.shape == (50, 2) and Y.shape == (50, 1)
    assert 0 < Y0.mean() < 1  # both classes present


def test_checkerboard_labels_are_cell_parity() -> None:
    for k in (2, 4, 5):
        X, Y = load("checkerboard", n=400, k=k, seed=7)
        assert X.shape == (400, 2)
        assert X.min() >= -1 and X.max() <= 1
        cell = np.minimum(np.floor((X + 1) / 2 * k), k - 1).astype(int)
        assert np.array_equal(Y[:, 0], (cell.sum(axis=1) % 2).astype(float))
    assert len(load("checkerboard")[0]) == 512


def test_checkerboard_noise_flips_that_fraction() -> None:
    X, clean = load("checkerboard", n=400, seed=2)
    X2, noisy = load("checkerboard", n=400, seed=2, noise=0.1)
    assert np.array_equal(X, X2)
    assert int((clean != noisy).sum()) == 40


def test_circles_radii_and_jitter() -> None:
    X, Y = load("circles", n=200)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.allclose(r[Y[:, 0] == 1], 0.5) and np.allclose(r[Y[:, 0] == 0], 1.0)
    assert Y.sum() == 100
    Xn, Yn = load("circles", n=200, noise=0.05)
    rn = np.hypot(Xn[:, 0], Xn[:, 1])
    assert np.array_equal(Yn, Y)
    assert 0.01 < np.abs(rn - r).mean() < 0.1


@pytest.mark.parametrize("name", ["spirals", "gaussians"])
def test_noise_only_moves_the_same_points(name: str) -> None:
    X, Y = load(name, seed=4)
    Xn, Yn = load(name, seed=4, noise=0.05)
    assert np.array_equal(Y, Yn)
    assert 0.01 < np.abs(Xn - X).mean() < 0.1


def test_spirals_and_gaussians_ranges() -> None:
    X, Y = load("spirals")
    assert X.shape == (400, 2) and np.abs(X).max() <= 1.0 and Y.sum() == 200
    X, Y = load("gaussians")
    assert X.shape == (200, 2) and Y.sum() == 100
    assert np.allclose(X[Y[:, 0] == 1].mean(axis=0), 0.5, atol=0.1)
    assert np.allclose(X[Y[:, 0] == 0].mean(axis=0), -0.5, atol=0.1)


def test_bad_names_and_options() -> None:
    with pytest.raises(DatasetError, match="valid names: xor, xor-bias.*heart"):
        load_dataset("mnist")
    with pytest.raises(DatasetError, match="unknown option.*'kk'|kk"):
        load_dataset("checkerboard", kk=3)
    with pytest.raises(DatasetError, match="k"):
        load_dataset("checkerboard", k=0)
    with pytest.raises(DatasetError, match="n must be"):
        load_dataset("circles", n=1)
    with pytest.raises(DatasetError, match="noise"):
        load_dataset("circles", noise=-0.1)
    with pytest.raises(DatasetError, match="test_ratio"):
        load_dataset("iris", test_ratio=1.0)
    with pytest.raises(DatasetError, match="missing"):
        load_dataset("heart", missing="zero")


def test_aliases() -> None:
    for alias in ("wheat", "wheat-seeds", "Wheat_Seeds"):
        assert load_dataset(alias).name == "seeds"
    for alias in ("cleveland", "heart-disease"):
        assert load_dataset(alias).name == "heart"


# --------------------------------------------------------------------------------------------
# Real sets


def test_shipped_files_are_the_uci_originals() -> None:
    expected = {
        "iris.data": "6f608b71a7317216319b4d27b4d9bc84e6abd734eda7872b71a458569e2656c0",
        "seeds_dataset.txt": "1f3f83c0d8485ae9148061389d19628607e3f5660e3d6f40ec9102fb398bb12f",
        "processed.cleveland.data": (
            "a74b7efa387bc9d108d7d0115d831fe9b414b29ae7124f331b622b4efa0427c8"
        ),
    }
    for name, digest in expected.items():
        data = resource_path("datasets", name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name


def test_iris_rows_and_balance() -> None:
    ds = load_dataset("iris")
    assert ds.X_train.shape == (150, 4) and ds.Y_train.shape == (150, 3)
    assert ds.class_names == ("setosa", "versicolor", "virginica")
    assert ds.Y_train.sum(axis=0).tolist() == [50, 50, 50]
    # File order is kept: rows 1-50 setosa, 51-100 versicolor, 101-150 virginica.
    assert np.array_equal(ds.Y_train.argmax(axis=1), np.repeat([0, 1, 2], 50))
    raw = load_dataset("iris", standardize=False).X_train
    assert raw[0].tolist() == [5.1, 3.5, 1.4, 0.2]


def test_seeds_rows_balance_and_doubled_tabs() -> None:
    ds = load_dataset("seeds", standardize=False)
    assert ds.X_train.shape == (210, 7) and ds.Y_train.shape == (210, 3)
    assert ds.Y_train.sum(axis=0).tolist() == [70, 70, 70]
    # Line 8 of the file has two doubled tabs; split on whitespace it still has 8 fields.
    assert ds.X_train[7].tolist() == [14.11, 14.1, 0.8911, 5.42, 3.302, 2.7, 5.0]
    assert ds.X_train[:, 0].min() == 10.59 and ds.X_train[:, 0].max() == 21.18


def test_heart_drop_and_median() -> None:
    dropped = load_dataset("heart")
    assert dropped.X_train.shape == (297, 13) and dropped.Y_train.shape == (297, 1)
    assert int(dropped.Y_train.sum()) == 137  # 160 absent, 137 present
    assert dropped.class_names == ("absent", "present")
    kept = load_dataset("heart", missing="median", standardize=False)
    assert kept.X_train.shape == (303, 13) and int(kept.Y_train.sum()) == 139
    assert np.all(np.isfinite(kept.X_train))
    # Row 88 has thal '?': filled with the median of thal over all (training) rows.
    thal = kept.X_train[:, 12]
    others = np.delete(thal, [87, 266])
    assert thal[87] == thal[266] == np.median(others)
    # Row 2 (num 2) counts as disease present.
    assert kept.X_train[1].tolist()[:3] == [67.0, 1.0, 4.0] and kept.Y_train[1, 0] == 1.0


def test_heart_median_uses_training_part_only() -> None:
    ds = load_dataset("heart", missing="median", test_ratio=0.3, seed=1, standardize=False)
    assert len(ds.X_train) + len(ds.X_test) == 303
    assert np.all(np.isfinite(ds.X_train)) and np.all(np.isfinite(ds.X_test))


@pytest.mark.parametrize("name", datasets.REAL)
def test_real_sets_standardized_with_training_statistics(name: str) -> None:
    ds = load_dataset(name, test_ratio=0.3, seed=4)
    raw = load_dataset(name, test_ratio=0.3, seed=4, standardize=False)
    assert np.allclose(ds.X_train.mean(axis=0), 0.0, atol=1e-12)
    assert np.allclose(ds.X_train.std(axis=0), 1.0)
    mean, std = raw.X_train.mean(axis=0), raw.X_train.std(axis=0)
    assert np.allclose(ds.X_test, (raw.X_test - mean) / std)
    # The test part is not standardised on its own statistics.
    assert not np.allclose(ds.X_test.mean(axis=0), 0.0, atol=1e-3)
    assert np.array_equal(ds.Y_test, raw.Y_test)


def test_real_split_is_stratified() -> None:
    ds = load_dataset("iris", test_ratio=0.2, seed=9)
    assert ds.Y_test.sum(axis=0).tolist() == [10, 10, 10]
    assert ds.Y_train.sum(axis=0).tolist() == [40, 40, 40]
    other = load_dataset("iris", test_ratio=0.2, seed=10)
    assert not np.array_equal(ds.X_test, other.X_test)


# --------------------------------------------------------------------------------------------
# split / standardize


def test_split_sizes_order_and_disjointness() -> None:
    X = np.arange(20.0).reshape(10, 2)
    Y = np.array([[0.0]] * 6 + [[1.0]] * 4)
    Xtr, Ytr, Xte, Yte = split(X, Y, 0.3, seed=0)
    assert len(Xte) == 3 and len(Xtr) == 7
    rows = np.concatenate([Xtr[:, 0], Xte[:, 0]])
    assert sorted(rows.tolist()) == X[:, 0].tolist()
    assert np.all(np.diff(Xtr[:, 0]) > 0) and np.all(np.diff(Xte[:, 0]) > 0)
    assert Yte.sum() in (1, 2)  # stratified: 30 % of 4 positives rounds to 1 or 2
    empty = split(X, Y, 0.0, seed=0)
    assert empty[2].shape == (0, 2) and empty[3].shape == (0, 1)
    # Regression targets are split too, at random, and rows stay paired with their targets.
    Xtr, Ytr, Xte, Yte = split(X, X[:, :1] * 0.5, 0.5, seed=1)
    assert len(Xte) == 5 and np.array_equal(Ytr[:, 0], Xtr[:, 0] * 0.5)
    assert np.array_equal(Yte[:, 0], Xte[:, 0] * 0.5)


def test_split_rejects_bad_input() -> None:
    X, Y = np.zeros((4, 2)), np.zeros((4, 1))
    with pytest.raises(DatasetError):
        split(X, Y, 1.0, seed=0)
    with pytest.raises(DatasetError):
        split(X, Y, -0.1, seed=0)
    with pytest.raises(DatasetError):
        split(X, np.zeros((3, 1)), 0.5, seed=0)


def test_standardize_uses_train_statistics_and_handles_constant_columns() -> None:
    Xtr = np.array([[1.0, 5.0, 0.1], [3.0, 5.0, 0.1], [5.0, 5.0, 0.1]])
    Xte = np.array([[7.0, 6.0, 0.1]])
    a, b, mean, std = datasets.standardize(Xtr, Xte)
    assert np.allclose(mean, [3, 5, 0.1]) and std[1] == 1.0 and std[2] == 1.0
    assert np.allclose(a[:, 0], [-1.2247449, 0, 1.2247449])
    assert np.allclose(b, [[(7 - 3) / std[0], 1.0, 0.0]])
    assert np.allclose(a[:, 1:], 0.0)
