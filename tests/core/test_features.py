"""Input features of a 2-D plane: values, names, sessions, and XOR without a hidden layer."""

import numpy as np
import pytest

from nnviz.core import session as core_session
from nnviz.core.datasets import DatasetError, load_dataset
from nnviz.core.features import expand, labels, parse_features, with_features
from nnviz.core.network import Network
from nnviz.core.trainer import Trainer


def test_every_feature_and_its_name():
    feats = parse_features("x1, x2, x1^2, x2sq, x1*x2, sin(x1), sinx2")
    assert feats == ("x1", "x2", "x1^2", "x2^2", "x1x2", "sinx1", "sinx2")
    assert labels(feats) == ("x1", "x2", "x1²", "x2²", "x1·x2", "sin x1", "sin x2")
    P = np.array([[0.5, -2.0], [3.0, 1.0]])
    a, b = P[:, 0], P[:, 1]
    np.testing.assert_array_equal(
        expand(P, feats), np.column_stack([a, b, a * a, b * b, a * b, np.sin(a), np.sin(b)]))
    with pytest.raises(ValueError, match="unknown input feature 'x3'"):
        parse_features("x1,x3")
    with pytest.raises(ValueError, match="listed twice"):
        parse_features("x1x2,x1*x2")


def test_with_features_keeps_the_plane_and_needs_two_inputs():
    xor = load_dataset("xor")
    ds = with_features(xor, "x1x2")
    assert ds.feature_names == ("x1·x2",) and ds.features == ("x1x2",) and ds.is_2d
    np.testing.assert_array_equal(ds.X_train[:, 0], [0, 0, 0, 1])
    np.testing.assert_array_equal(ds.plane_points()[0], xor.X_train)
    with pytest.raises(DatasetError, match="need data with two inputs"):
        with_features(load_dataset("iris"), "x1")


def test_xor_with_x1x2_needs_no_hidden_layer():
    ds = with_features(load_dataset("xor"), "x1,x2,x1x2")
    net = Network([3, 1], seed=0)
    Trainer(net, ds.X_train, ds.Y_train, lr=2.0).run(2000)
    assert net.accuracy(ds.X_train, ds.Y_train) == 1.0
    raw = load_dataset("xor")
    plain = Network([2, 1], seed=0)
    Trainer(plain, raw.X_train, raw.Y_train, lr=2.0).run(2000)
    assert plain.accuracy(raw.X_train, raw.Y_train) < 1.0  # no straight cut separates XOR


def test_features_round_trip_through_a_session(tmp_path):
    spec = core_session.builtin_spec("circles", n=40, features=["x1^2", "x2^2"])
    net = Network([2, 1], seed=1)
    s = core_session.Session.from_network(net, dataset=spec)
    core_session.save(tmp_path / "f.nnviz", s)
    ds = core_session.load(tmp_path / "f.nnviz").load_dataset()
    assert ds.features == ("x1^2", "x2^2") and ds.feature_names == ("x1²", "x2²")
    bad = core_session.Session.from_network(net, dataset={**spec, "features": ["x9"]})
    with pytest.raises(core_session.SessionError, match="unknown input feature 'x9'"):
        bad.validate()
