"""`Session` in memory: exact round trips, resumed training, comparison by bits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nnviz.core import Network, Trainer, datasets
from nnviz.core import session as sessions
from nnviz.core.session import Session, SessionError, builtin_spec, embedded_spec, load, save
from tests.core.session.helpers import (
    assert_same_arrays,
    trained_session,
)

# --------------------------------------------------------------------------------------------
# Round trips


def test_round_trip_with_generated_data_is_exact(tmp_path: Path) -> None:
    s = trained_session()
    path = tmp_path / "lesson.nnviz"
    save(path, s)
    back = load(path)
    assert back == s
    for w0, w1 in zip(s.weights + s.biases, back.weights + back.biases, strict=True):
        assert_same_arrays(w0, w1)
    assert_same_arrays(s.velocity, back.velocity)
    assert set(back.history) == {"epoch", "train_loss", "test_loss", "accuracy", "test_accuracy"}
    for c in s.history:
        assert_same_arrays(s.history[c], back.history[c])
    assert back.history["epoch"].dtype == np.int64
    assert back.epoch == 7 and back.hyper["momentum"] == 0.9 and back.hyper["batch_size"] == 8
    assert back.network == {
        "layers": [2, 4, 1], "activation": "tanh", "output": "sigmoid", "loss": "bce",
        "init": "xavier", "seed": 3, "dtype": "float64",
    }
    assert back.stepper == s.stepper and back.view == s.view and back.hidden == s.hidden
    assert back.title == s.title and back.notes == s.notes
    ds0 = datasets.load_dataset("circles", n=40, noise=0.1, test_ratio=0.25, seed=2)
    ds1 = back.load_dataset()
    for k in ("X_train", "Y_train", "X_test", "Y_test"):
        assert_same_arrays(getattr(ds0, k), getattr(ds1, k))


def test_round_trip_with_embedded_csv_data_is_exact(tmp_path: Path) -> None:
    csv = tmp_path / "flowers.csv"
    rows = ["length;width;colour;kind"] + [
        f"{1 + 0.1 * i:.3f};{2 - 0.07 * i:.3f};{i % 3};{'ab'[i % 2]}" for i in range(30)
    ]
    csv.write_text("\n".join(rows) + "\n")
    ds = datasets.load_csv(csv, target="kind", test_ratio=0.2, seed=1)
    net = Network([3, 5, 1], activation="relu", seed=4)
    s = Session.from_network(net, dataset=embedded_spec(ds, source=csv), title="own data")
    path = tmp_path / "own.nnviz"
    save(path, s)
    back = load(path)
    assert back == s
    assert back.dataset["kind"] == "embedded" and back.dataset["source"] == str(csv)
    got = back.load_dataset()
    for k in ("X_train", "Y_train", "X_test", "Y_test"):
        assert_same_arrays(getattr(ds, k), getattr(got, k))
    assert got.feature_names == ("length", "width", "colour")
    assert got.class_names == ("a", "b") and got.name == "flowers"
    # A Dataset passed directly is embedded the same way.
    assert Session.from_network(net, dataset=ds).dataset["kind"] == "embedded"


def test_stepper_position_named_tuple_is_stored_as_a_dict() -> None:
    from typing import NamedTuple

    class Position(NamedTuple):  # the shape of nnviz.core.stepper.Position
        epoch: int
        sample: int
        phase: int

    s = Session.from_network(Network([2, 2, 1]), stepper=Position(2, 1, 5))
    assert s.stepper == {"epoch": 2, "sample": 1, "phase": 5}
    s.validate()


def test_identical_sessions_give_identical_bytes(tmp_path: Path) -> None:
    s = trained_session()
    save(tmp_path / "a.nnviz", s)
    save(tmp_path / "b.nnviz", load(tmp_path / "a.nnviz"))
    assert (tmp_path / "a.nnviz").read_bytes() == (tmp_path / "b.nnviz").read_bytes()


def test_from_network_minimal_and_build_network_reproduces_predictions(tmp_path: Path) -> None:
    net = Network([3, 6, 4, 3], activation="leaky_relu", output="softmax",
                  loss="cross_entropy", init="he", seed=9)
    net.weights[1][2, 1] = 0.123456789  # not what the seed would give: weights come from the file
    s = Session.from_network(net)
    assert s.dataset is None and s.history == {} and s.velocity is None and s.epoch == 0
    assert s.stepper is None and s.view == {} and s.hidden == [] and s.title == ""
    assert s.hyper == sessions.DEFAULT_HYPER
    net.weights[0][0, 0] = 99.0  # the session holds copies
    assert s.weights[0][0, 0] != 99.0
    path = tmp_path / "min.nnviz"
    save(path, s)
    rebuilt = load(path).build_network()
    net.weights[0][0, 0] = s.weights[0][0, 0]
    X = np.random.default_rng(0).standard_normal((10, 3))
    assert np.array_equal(rebuilt.predict(X), net.predict(X))
    assert rebuilt.config() == net.config() and rebuilt.weights[1][2, 1] == 0.123456789
    with pytest.raises(SessionError, match="no data set"):
        load(path).load_dataset()


def test_float32_network_round_trips(tmp_path: Path) -> None:
    net = Network([2, 3, 1], seed=1, dtype=np.float32)
    save(tmp_path / "f32.nnviz", Session.from_network(net))
    back = load(tmp_path / "f32.nnviz").build_network()
    assert back.dtype == np.float32
    assert_same_arrays(back.params, net.params)


def test_resumed_training_matches_uninterrupted_training(tmp_path: Path) -> None:
    def trainer() -> Trainer:
        ds = datasets.load_dataset("gaussians", n=30, test_ratio=0.2, seed=1)
        net = Network([2, 3, 1], seed=2)
        return Trainer(net, ds.X_train, ds.Y_train, lr=0.4, batch_size=4, momentum=0.5,
                       X_test=ds.X_test, Y_test=ds.Y_test, seed=7)

    straight = trainer()
    straight.run(10)
    first = trainer()
    first.run(6)
    spec = builtin_spec("gaussians", n=30, test_ratio=0.2, seed=1)
    save(tmp_path / "half.nnviz", Session.from_network(first.net, trainer=first, dataset=spec))
    resumed = load(tmp_path / "half.nnviz").build_trainer()
    resumed.run(4)
    assert_same_arrays(resumed.net.params, straight.net.params)
    for c in straight.history.COLUMNS:
        assert_same_arrays(resumed.history.column(c), straight.history.column(c))
    assert resumed.epoch == 10



def test_sessions_compare_by_value_and_bits() -> None:
    a, b = trained_session(), trained_session()
    assert a == b
    b.weights[0][0, 0] = np.nextafter(b.weights[0][0, 0], 1.0)
    assert a != b
    c = trained_session(hidden=["lr"])
    assert a != c
    with pytest.raises(TypeError):
        hash(a)
