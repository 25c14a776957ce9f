"""Every data set's recommended setup reaches its stated training accuracy (README "Data sets")."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import Network, Trainer, datasets
from nnviz.core.metrics import r2
from nnviz.core.recommended import (
    LOSS_THRESHOLD,
    SETUPS,
    is_converged,
    setup_for,
)


def _trainer(name: str) -> Trainer:
    s = setup_for(name)
    d = datasets.load_dataset(name, seed=0)
    net = Network((d.n_inputs, *s.hidden, d.n_outputs), activation=s.activation,
                  output=s.output, loss=s.loss, init="xavier", seed=0)
    return Trainer(net, d.X_train, d.Y_train, lr=s.lr, batch_size=s.batch_size, seed=0)


def test_every_data_set_has_a_setup() -> None:
    assert set(SETUPS) == set(datasets.names())


@pytest.mark.parametrize("name", datasets.names())
def test_recommended_setup_reaches_its_stated_accuracy(name: str) -> None:
    trainer = _trainer(name)
    setup = setup_for(name)
    trainer.run(setup.epochs)
    if setup.r2 is not None:  # numbers to predict
        assert r2(trainer.net.predict(trainer.X), trainer.Y) >= setup.r2
    else:
        assert trainer.evaluate().accuracy >= setup.accuracy


@pytest.mark.parametrize("name", ["xor", "circles", "gaussians"])
def test_the_2d_classics_reach_100_percent(name: str) -> None:
    assert setup_for(name).accuracy == 1.0


@pytest.mark.parametrize("name", ["checkerboard", "spirals", "iris"])
def test_the_harder_sets_promise_97_percent(name: str) -> None:
    assert setup_for(name).accuracy >= 0.97


def test_converge_stops_at_the_first_epoch_meeting_both_conditions() -> None:
    s = setup_for("xor")
    trainer = _trainer("xor")
    trainer.run(20_000, converge=(LOSS_THRESHOLD, s.accuracy))
    h = trainer.history
    assert trainer.stop_reason == "converged"
    assert is_converged(h.train_loss[-1], h.accuracy[-1])
    earlier = [is_converged(loss, acc) for loss, acc in zip(h.train_loss[:-1], h.accuracy[:-1],
                                                            strict=True)]
    assert not any(earlier)
    assert trainer.epoch == h.epoch[-1] < 20_000


def test_csv_data_gets_softmax_for_several_classes() -> None:
    assert setup_for("my.csv", n_outputs=3).output == "softmax"
    assert setup_for("my.csv", n_outputs=1).output == "sigmoid"
    assert np.isfinite(setup_for("my.csv").lr)
