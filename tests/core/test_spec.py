"""NetworkSpec and HyperParams: checked once when made, one message naming the option, and
the Trainer, SGD and Network built from them equal to the ones built from loose arguments."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from nnviz.core import Network, Trainer, datasets
from nnviz.core.optim import SGD, check_hyper
from nnviz.core.spec import HyperParams, NetworkSpec, check_option
from nnviz.core.stepper import Stepper


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lr": 0.0}, "learning rate must be a positive number, got 0.0"),
        ({"lr": math.inf}, "learning rate must be a positive number, got inf"),
        ({"lr": "0.5"}, "learning rate must be a positive number, got 0.5"),
        ({"momentum": 1.0}, r"momentum must be in \[0, 1\), got 1.0"),
        ({"l2": -1.0}, "L2 penalty must be >= 0, got -1.0"),
        ({"l1": math.nan}, "L1 penalty must be >= 0, got nan"),
        ({"batch_size": 0}, r"batch size must be >= 1 \(or None for full batch\), got 0"),
        ({"batch_size": 2.5}, "batch size must be >= 1"),
        ({"batch_size": True}, "batch size must be >= 1"),
        ({"seed": -1}, "seed must be a whole number >= 0, got -1"),
        ({"epochs": 0}, "epochs must be a whole number >= 1, got 0"),
        ({"shuffle": "yes"}, "shuffle must be true or false, got 'yes'"),
    ],
)
def test_a_bad_hyper_parameter_is_one_value_error_naming_it(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        HyperParams(**changes)
    with pytest.raises(ValueError, match=message):
        HyperParams().replace(**changes)


def test_hyper_params_are_frozen_and_canonical() -> None:
    h = HyperParams(lr=np.float32(0.25), momentum=0, batch_size=np.int64(8), seed=np.int64(3),
                    shuffle=np.bool_(False), epochs=100)
    assert (h.lr, h.momentum, h.batch_size, h.seed, h.shuffle, h.epochs) == \
        (0.25, 0.0, 8, 3, False, 100)
    assert type(h.lr) is float and type(h.batch_size) is int and type(h.shuffle) is bool
    with pytest.raises(dataclasses.FrozenInstanceError):
        h.lr = 1.0  # type: ignore[misc]
    assert h.replace(lr=2.0) == dataclasses.replace(h, lr=2.0) != h
    assert h.as_dict()["batch_size"] == 8


def test_check_option_and_check_hyper_apply_the_same_rules() -> None:
    assert check_option("lr", 1) == 1.0 and check_option("batch_size", None) is None
    with pytest.raises(ValueError, match="learning rate must be a positive number, got -2"):
        check_hyper(lr=-2)
    with pytest.raises(ValueError, match="momentum must be in"):
        check_option("momentum", -0.1)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"layers": (2,)}, "at least an input and an output layer"),
        ({"layers": "2,x,1"}, "'x' is not a whole number"),
        ({"activation": "softmax"}, "'softmax' cannot be a hidden activation"),
        ({"output": "relu"}, "'relu' cannot be an output activation"),
        ({"loss": "cross_entropy"}, "cross_entropy"),
        ({"init": "glorot"}, "unknown init 'glorot'"),
        ({"bias": "fixed"}, "unknown bias mode 'fixed'"),
        ({"seed": -3}, "seed must be a whole number >= 0"),
        ({"features": ("x1", "x3")}, "unknown input feature 'x3'"),
    ],
)
def test_a_bad_network_spec_is_one_value_error_naming_it(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        NetworkSpec(**{"layers": (2, 4, 1), **changes})


def test_network_spec_is_canonical_and_builds_the_network_of_loose_arguments() -> None:
    spec = NetworkSpec("2,5,3", activation="Leaky-ReLU", output="softmax",
                       loss="cross-entropy", init="he", seed=4, bias="trained,frozen",
                       features=("x1", "X1X2"))
    assert spec.layers == (2, 5, 3) and spec.hidden == (5,)
    assert (spec.activation, spec.loss, spec.bias, spec.features) == \
        ("leaky_relu", "cross_entropy", ("trained", "frozen"), ("x1", "x1x2"))
    assert NetworkSpec.from_hidden((5,), 2, 3, activation="leaky_relu", output="softmax",
                                   loss="cross_entropy", init="he", seed=4,
                                   bias=("trained", "frozen"), features=("x1", "x1x2")) == spec
    built, loose = spec.build(), Network((2, 5, 3), "leaky_relu", "softmax", "cross_entropy",
                                         "he", seed=4, bias="trained,frozen")
    assert built.config() == loose.config()
    assert built.params.tobytes() == loose.params.tobytes()
    assert spec.build(np.float32).dtype == np.float32


def test_trainer_from_hyper_equals_the_loose_trainer_to_the_bit() -> None:
    X, Y = datasets.load("xor")
    h = HyperParams(lr=0.3, momentum=0.5, l2=1e-3, batch_size=2, shuffle=True, seed=7)
    a = Trainer.from_hyper(Network((2, 4, 1), seed=1), X, Y, h)
    b = Trainer(Network((2, 4, 1), seed=1), X, Y, lr=0.3, momentum=0.5, l2=1e-3,
                batch_size=2, seed=7)
    a.run(50)
    b.run(50)
    assert a.net.params.tobytes() == b.net.params.tobytes()
    assert a.history.train_loss.tobytes() == b.history.train_loss.tobytes()
    assert a.hyper == h == b.hyper


def test_set_hyper_takes_the_live_values_and_keeps_how_the_trainer_was_made() -> None:
    X, Y = datasets.load("xor")
    t = Trainer(Network((2, 4, 1)), X, Y, lr=0.5, batch_size=2, seed=3)
    t.set_hyper(HyperParams(lr=0.1, momentum=0.9, l2=0.01, l1=0.02, batch_size=None,
                            shuffle=False, seed=9))
    assert (t.lr, t.momentum, t.l2, t.l1) == (0.1, 0.9, 0.01, 0.02)
    assert (t.batch_size, t.shuffle, t.seed) == (2, True, 3)
    with pytest.raises(ValueError, match="learning rate must be a positive number"):
        t.lr = -1.0
    assert t.lr == 0.1


def test_the_stepper_takes_the_spec_without_knowing_it() -> None:
    X, Y = datasets.load("xor")
    st = Stepper(Network((2, 2, 1)), X, Y, lr=0.5)
    st.set_hyper(HyperParams(lr=0.25, momentum=0.5))
    assert (st.lr, st.momentum) == (0.25, 0.5)
    assert st.hyper == HyperParams(lr=0.25, momentum=0.5, batch_size=1, shuffle=False)
    with pytest.raises(ValueError, match="L2 penalty must be >= 0"):
        st.l2 = -1.0


def test_sgd_from_hyper_equals_sgd() -> None:
    params = np.arange(6.0)
    mask = np.ones(6)
    a = SGD.from_hyper(params.copy(), mask, HyperParams(lr=0.1, momentum=0.5, l2=0.2))
    b = SGD(params.copy(), mask, 0.1, 0.5, 0.2)
    g = np.linspace(-1, 1, 6)
    for opt in (a, b):
        opt.step(g)
        opt.step(g)
    assert a.params.tobytes() == b.params.tobytes()
