"""Long full-batch epochs in slices of rows, and data checks (README: Limits and failures)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnviz.core import Network, Trainer, datasets
from nnviz.core.datacheck import check_finite
from nnviz.core.datasets import DatasetError
from nnviz.core.trainer import slice_rows


def _trainer(rows: int | None, n: int = 600, *, loss: str = "mse", output: str = "sigmoid",
             momentum: float = 0.0, l2: float = 0.0, layers=(2, 8, 6, 1)) -> Trainer:
    X, Y = datasets.load("checkerboard", n=n, seed=3)
    if output == "softmax":
        Y = np.hstack([Y, 1 - Y])
        layers = (*layers[:-1], 2)
    net = Network(layers, activation="tanh", output=output, loss=loss, seed=5)
    trainer = Trainer(net, X, Y, lr=0.3, momentum=momentum, l2=l2, seed=1)
    if rows is not None:
        trainer._slice_rows = rows
    return trainer


def test_a_large_full_batch_is_sliced_and_a_small_one_is_not() -> None:
    assert slice_rows((2, 4, 1), 4) == 4
    assert slice_rows((2, 64, 64, 1), 1_500_000) < 5_000
    assert slice_rows((784, 128, 64, 10), 10**6) >= 64


@settings(max_examples=15, deadline=None)
@given(rows=st.integers(1, 700), combo=st.sampled_from([
    ("mse", "sigmoid", 0.0, 0.0), ("bce", "sigmoid", 0.9, 0.0), ("mse", "linear", 0.0, 1e-3),
    ("cross_entropy", "softmax", 0.5, 1e-4)]))
def test_sliced_epochs_equal_one_batch_to_1e_12(rows: int, combo: tuple) -> None:
    loss, output, momentum, l2 = combo
    whole = _trainer(10**9, loss=loss, output=output, momentum=momentum, l2=l2)
    sliced = _trainer(rows, loss=loss, output=output, momentum=momentum, l2=l2)
    whole.run(5)
    sliced.run(5)
    np.testing.assert_allclose(sliced.net.params, whole.net.params, rtol=0, atol=1e-12)
    np.testing.assert_allclose(sliced.history.train_loss, whole.history.train_loss,
                               rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(sliced.history.accuracy, whole.history.accuracy)
    np.testing.assert_allclose(sliced.last_gradient_vector, whole.last_gradient_vector,
                               rtol=0, atol=1e-12)


def test_slicing_is_bit_identical_run_to_run_and_across_interruptions() -> None:
    straight = _trainer(37)
    straight.run(4)
    asked = 0

    def every_other() -> bool:
        nonlocal asked
        asked += 1
        return asked % 2 == 0

    stepped = _trainer(37)
    calls = 0
    while stepped.epoch < 4:
        stepped.run(4 - stepped.epoch, should_yield=every_other)
        calls += 1
    assert calls > 4  # it really handed back in the middle of epochs
    assert np.array_equal(stepped.net.params, straight.net.params)
    assert np.array_equal(stepped.history.train_loss, straight.history.train_loss)


def test_a_yielded_epoch_is_half_done_and_the_weights_untouched() -> None:
    t = _trainer(50)
    before = t.net.params.copy()
    t.run(1, should_yield=lambda: True)
    assert t.stop_reason == "time_slice"
    assert t.epoch == 0 and len(t.history) == 0
    assert np.array_equal(t.net.params, before)
    t.run(1)
    assert t.epoch == 1


def test_an_edit_during_a_half_done_epoch_restarts_it_from_the_edited_weights() -> None:
    t = _trainer(50)
    t.run(1, should_yield=lambda: True)
    t.net.weights[0][0, 0] += 0.5
    edited = t.net.params.copy()
    t.run(1)
    ref = _trainer(50)
    ref.net.params[...] = edited
    ref.run(1)
    assert np.array_equal(t.net.params, ref.net.params)


def test_restore_checkpoint_drops_a_half_done_epoch() -> None:
    t = _trainer(50)
    t.run(2)
    t.run(1, should_yield=lambda: True)
    assert t._pending is not None
    assert t.restore_checkpoint() == 2
    assert t._pending is None


# ---- non-finite data is a data problem -----------------------------------------------------------
def test_nan_in_the_inputs_names_column_and_row() -> None:
    X = np.zeros((20, 3))
    X[16, 1] = np.nan
    with pytest.raises(DatasetError, match=r"input column 2 has NaN at row 17"):
        check_finite(X, np.zeros((20, 1)))


@pytest.mark.parametrize("value, shown", [(np.inf, "inf"), (-np.inf, "-inf")])
def test_inf_in_the_targets_and_test_data_is_refused_by_the_trainer(value, shown) -> None:
    X, Y = np.zeros((5, 2)), np.zeros((5, 1))
    Y[3, 0] = value
    net = Network((2, 3, 1), seed=0)
    with pytest.raises(DatasetError, match=rf"training data: target column 1 has {shown} at "
                                           r"row 4") as info:
        Trainer(net, X, Y)
    assert "learning rate" not in str(info.value).replace("not a learning rate", "")
    Xt = np.zeros((3, 2))
    Xt[0, 0] = np.nan
    with pytest.raises(DatasetError, match=r"test data: input column 1 has NaN at row 1"):
        Trainer(net, X, np.zeros((5, 1)), X_test=Xt, Y_test=np.zeros((3, 1)))


# ---- long mini-batch and online epochs -----------------------------------------------------------
@pytest.mark.parametrize("batch", [1, 7, 64])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_long_batched_epochs_paused_anywhere_give_the_same_bits(monkeypatch, batch, momentum):
    from nnviz.core import trainer as trainer_module

    def make() -> Trainer:
        X, Y = datasets.load("checkerboard", n=300, seed=3)
        net = Network((2, 8, 1), activation="tanh", seed=5)
        return Trainer(net, X, Y, lr=0.3, momentum=momentum, batch_size=batch, seed=1)

    plain = make()
    plain.run(3)
    monkeypatch.setattr(trainer_module, "SLICE_FLOPS", 1)  # a pause point after every batch
    long = make()
    monkeypatch.setattr(long, "_long_batched_epoch", lambda: True)
    asked = 0

    def every_third() -> bool:
        nonlocal asked
        asked += 1
        return asked % 3 == 0

    calls = 0
    while long.epoch < 3:
        long.run(3 - long.epoch, should_yield=every_third)
        calls += 1
    assert calls > 3
    assert np.array_equal(long.net.params, plain.net.params)
    assert np.array_equal(long.history.train_loss, plain.history.train_loss)
    assert np.array_equal(long.history.accuracy, plain.history.accuracy)
    assert np.array_equal(long.last_gradient_vector, plain.last_gradient_vector)


def test_a_long_epoch_is_one_whose_work_exceeds_the_limit() -> None:
    X, Y = datasets.load("checkerboard", n=200_000, seed=3)
    net = Network((2, 8, 1), seed=0)
    assert Trainer(net, X, Y, batch_size=1)._long_batched_epoch()
    assert not Trainer(net, X[:1000], Y[:1000], batch_size=1)._long_batched_epoch()
    assert not Trainer(net, X[:4], Y[:4], batch_size=1)._long_batched_epoch()


def test_the_cli_names_nan_data_as_a_data_problem(monkeypatch, capsys) -> None:
    from nnviz import cli
    from nnviz.commands import train

    real = train.load_data

    def with_nan(args, test_ratio=0.0):
        data = real(args, test_ratio)
        data.X_train[2, 1] = np.nan
        return data

    monkeypatch.setattr(train, "load_data", with_nan)
    try:
        code = cli.main(["train", "--dataset", "xor", "--epochs", "5"])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2
    assert "input column 2 has NaN at row 3" in out + err
    assert "learning rate" not in (out + err).replace("not a learning rate", "")
