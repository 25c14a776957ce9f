"""The full-batch loop writes its history rows in blocks (losses scaled, accuracies scored and
epochs numbered when rows are published); every value must equal, to the bit, what scoring each
epoch on its own gives."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.core import Network, Trainer, datasets
from nnviz.core.history import AccuracyBlock, History
from nnviz.core.kernels import make_step
from nnviz.core.optim import SGD
from nnviz.core.trainer import CHECK_EVERY

SETUPS = {
    "xor mse": ("xor", (2, 4, 1), "sigmoid", "mse"),
    "xor bce": ("xor", (2, 3, 1), "sigmoid", "bce"),
    "iris cross-entropy": ("iris", (4, 5, 3), "softmax", "cross_entropy"),
    "iris mse": ("iris", (4, 5, 3), "softmax", "mse"),
}


def _data(name: str) -> tuple[np.ndarray, np.ndarray]:
    return datasets.load(name)


def reference(name: str, sizes: tuple[int, ...], output: str, loss: str, epochs: int,
              history: History | None = None, stop=None) -> tuple[History, Network]:  # noqa: ANN001
    """One epoch at a time, scored at once: the kernel, (a > 0.5) == t or argmax, count / n."""
    X, Y = _data(name)
    net = Network(sizes, output=output, loss=loss, seed=3)
    n = len(X)
    ws = net.workspace(n)
    step, factor, _ = make_step(net, ws, SGD(net.params, net.weight_mask, 0.5))
    XT = np.ones((X.shape[1] + 1, n))
    XT[:-1] = X.T
    YT = np.ascontiguousarray(Y.T)
    h = History() if history is None else history
    with np.errstate(over="ignore", invalid="ignore"):
        for e in range(1, epochs + 1):
            value = step(XT, YT) * (factor / n)
            out = ws.aT[-1]
            if sizes[-1] == 1:
                hits = np.count_nonzero((out[0] > 0.5) == (Y[:, 0] > 0.5))
            else:
                hits = np.count_nonzero(out.argmax(axis=0) == Y.argmax(axis=1))
            h.append(epoch=e, train_loss=value, accuracy=hits / n)
            if stop is not None and stop(value, hits / n):
                break
    return h, net


def trained(name: str, sizes: tuple[int, ...], output: str, loss: str, chunks: list[int],
            history: History | None = None, **run) -> Trainer:  # noqa: ANN003
    X, Y = _data(name)
    t = Trainer(Network(sizes, output=output, loss=loss, seed=3), X, Y, lr=0.5)
    if history is not None:
        t.history = history
    for k in chunks:
        t.run(k, **run)
        if t.stop_reason != "epochs":
            break
    return t


def same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("setup", SETUPS)
def test_history_in_blocks_equals_epoch_by_epoch_to_the_bit(setup: str) -> None:
    # chunks that end inside blocks, on a weight check and across several of them
    chunks = [1, 7, CHECK_EVERY - 8, 300, 2 * CHECK_EVERY + 3]
    t = trained(*SETUPS[setup], chunks)
    ref, net = reference(*SETUPS[setup], sum(chunks))
    for column in ("epoch", "train_loss", "accuracy"):
        assert same(t.history.column(column), ref.column(column)), column
    assert same(t.net.params, net.params)
    assert t.epoch == sum(chunks)


def test_rows_thinned_inside_a_run_equal_epoch_by_epoch() -> None:
    """A small history fills up in the middle of run(): its rows are published (scaled and
    scored) before the oldest are thinned, as with one row appended at a time."""
    setup = SETUPS["xor mse"]
    t = trained(*setup, [900], history=History(capacity=8, max_rows=120, recent=40))
    ref, _ = reference(*setup, 900, history=History(capacity=8, max_rows=120, recent=40))
    assert t.history.thinned_until > 0
    for column in History.COLUMNS:
        assert same(t.history.column(column), ref.column(column)), column


def test_a_small_accuracy_block_scores_the_same() -> None:
    """Large data keeps fewer epochs per block (a memory budget): the same numbers."""
    setup = SETUPS["iris cross-entropy"]
    budget = AccuracyBlock.BUDGET
    try:
        AccuracyBlock.BUDGET = 3 * 150 * 5  # blocks of 5 epochs
        t = trained(*setup, [333])
        assert t._block.rows == 5
    finally:
        AccuracyBlock.BUDGET = budget
    ref, _ = reference(*setup, 333)
    for column in ("epoch", "train_loss", "accuracy"):
        assert same(t.history.column(column), ref.column(column)), column


@pytest.mark.parametrize("rule", ["target_accuracy", "converge", "target_loss"])
def test_stop_rules_stop_at_the_same_epoch_with_the_same_rows(rule: str) -> None:
    setup = SETUPS["xor mse"]
    run, stop = {
        "target_accuracy": ({"target_accuracy": 1.0}, lambda loss, acc: acc >= 1.0),
        "converge": ({"converge": (0.1, 1.0)}, lambda loss, acc: loss <= 0.1 and acc >= 1.0),
        "target_loss": ({"target_loss": 0.05}, lambda loss, acc: loss <= 0.05),
    }[rule]
    t = trained(*setup, [500] * 20, **run)
    ref, _ = reference(*setup, 10_000, stop=stop)
    assert t.stop_reason == {"converge": "converged"}.get(rule, rule)
    assert t.epoch == len(ref) < 10_000
    for column in ("epoch", "train_loss", "accuracy"):
        assert same(t.history.column(column), ref.column(column)), column


def test_a_diverging_run_publishes_scaled_rows_before_restoring() -> None:
    X, Y = _data("xor")
    t = Trainer(Network((2, 4, 1), activation="relu", output="linear", seed=0), X, Y, lr=1.0)
    t.net.weights[0][...] = 1e153  # the loss overflows to inf at once
    with pytest.raises(Exception, match="the loss became inf"):
        t.run(10)
    assert t.epoch == 0 and len(t.history) == 0
    assert math.isfinite(float(np.abs(t.net.params).max()))
