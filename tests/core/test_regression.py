"""Several targets and regression: CSV targets, the generated sets, R^2 / MAE, default output."""

import numpy as np
import pytest

from nnviz.core import datasets, metrics
from nnviz.core.datasets import DatasetError, load_csv, load_dataset


def write(tmp_path, text: str, name: str = "data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_several_numeric_target_columns(tmp_path):
    path = write(tmp_path, "i1,i2,t1,t2\n0.05,0.10,0.01,0.99\n0.2,0.3,0.5,0.5\n")
    ds = load_csv(path, target=["t1", "t2"], standardize=False)
    assert ds.class_names == () and ds.n_outputs == 2 and ds.feature_names == ("i1", "i2")
    np.testing.assert_array_equal(ds.Y_train, [[0.01, 0.99], [0.5, 0.5]])
    assert "'t1', 't2' (2 regression targets)" in ds.description
    with pytest.raises(DatasetError, match="classify takes one target column"):
        load_csv(path, target=["t1", "t2"], task="classify")
    with pytest.raises(DatasetError, match="both the target and a feature"):
        load_csv(path, target=["t1", "t2"], features=["i1", "t2"])


def test_task_overrides_the_inference(tmp_path):
    path = write(tmp_path, "x,y\n1,0\n2,1\n3,2\n4,1\n")
    assert load_csv(path).class_names == ("0", "1", "2")  # integers: classes, inferred
    ds = load_csv(path, task="regress", standardize=False)
    assert ds.class_names == () and ds.Y_train[:, 0].tolist() == [0, 1, 2, 1]
    path = write(tmp_path, "x,y\n1,0.5\n2,1.5\n3,0.5\n", "f.csv")
    assert load_csv(path).class_names == ()  # fractions: a number, inferred
    assert load_csv(path, task="classify").class_names == ("0.5", "1.5")
    with pytest.raises(DatasetError, match="task must be classify or regress"):
        load_csv(path, task="guess")


def test_a_single_constant_number_is_fine_as_a_regression_target(tmp_path):
    # The worked example's one sample: "only one class (0.01)" unless read as numbers.
    path = write(tmp_path, "i1,i2,t1,t2\n0.05,0.10,0.01,0.99\n")
    ds = load_csv(path, target=["t1", "t2"], standardize=False, header=True)
    assert ds.Y_train.shape == (1, 2)


def test_generated_regression_sets():
    sine = load_dataset("sine", n=50, noise=0.0)
    np.testing.assert_allclose(sine.Y_train[:, 0], np.sin(sine.X_train[:, 0]))
    assert metrics.default_output(sine) == ("linear", "mse")
    noisy = load_dataset("sine", n=50, noise=0.1)
    np.testing.assert_array_equal(noisy.X_train, sine.X_train)  # the noise is drawn last
    bumps = load_dataset("bumps")
    assert bumps.is_2d and bumps.X_train.shape == (400, 2)
    assert metrics.default_output(bumps) == ("sigmoid", "mse")  # every target in (0, 1)
    assert metrics.is_regression(bumps) and not metrics.is_regression(load_dataset("xor"))


def test_r2_and_mae():
    Y = np.array([[1.0], [2.0], [3.0]])
    assert metrics.r2(Y, Y) == 1.0 and metrics.mae(Y, Y) == 0.0
    assert metrics.r2(np.full_like(Y, 2.0), Y) == 0.0
    assert metrics.mae(Y + 0.5, Y) == 0.5
    assert np.isnan(metrics.r2(np.zeros((0, 1)), np.zeros((0, 1))))


def test_default_output_of_classes():
    assert metrics.default_output(load_dataset("iris")) == ("softmax", "cross_entropy")
    assert metrics.default_output(load_dataset("xor")) == ("sigmoid", "mse")
    assert datasets.REGRESSION == ("sine", "bumps")
