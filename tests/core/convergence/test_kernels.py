"""The batched kernels: every run of a batch equals that network trained alone, in both
layouts; the layout chosen never changes a run's result or diagnosis."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import datasets
from nnviz.core.convergence import ConvergenceConfig, run_convergence, runs_first
from nnviz.core.convergence import batch as batch_module
from nnviz.core.convergence.batch import _Batch, _Data
from nnviz.core.convergence.kernels import _blocks, _loss_scale


def _history_of_batch(
    cfg: ConvergenceConfig, X: np.ndarray, Y: np.ndarray, epochs: int, first: bool = False
):
    """Train all runs of cfg in a batched kernel (runs first or runs last); per-run weights and
    history columns."""
    state = _Batch(cfg, _Data(X, Y, first), np.arange(cfg.runs))
    loss = np.empty((epochs, cfg.runs))
    wrong = np.empty((epochs, cfg.runs))
    state.train(loss, wrong)
    loss *= _loss_scale(cfg.loss) / len(X)
    return _blocks(state.params, cfg.layers), loss, (len(X) - wrong) / len(X)


CASES = {
    "sigmoid/mse full batch": (ConvergenceConfig((2, 2, 1), runs=6), "xor", 1500),
    "tanh/bce full batch": (
        ConvergenceConfig((2, 3, 1), activation="tanh", loss="bce", runs=6), "xor", 1500),
    "relu 2 hidden layers, momentum": (
        ConvergenceConfig((2, 3, 4, 1), activation="relu", loss="bce", lr=0.1, momentum=0.9,
                          runs=5), "xor", 500),
    "online, shuffled": (ConvergenceConfig((2, 3, 1), batch_size=1, runs=4), "xor", 200),
    "mini-batches with a short last one": (
        ConvergenceConfig((2, 5, 1), batch_size=24, momentum=0.5, runs=4), "checkerboard", 40),
    "softmax/cross-entropy mini-batches": (
        ConvergenceConfig((4, 5, 3), output="softmax", loss="cross_entropy", batch_size=32,
                          runs=4), "iris", 40),
    "softmax/mse full batch": (
        ConvergenceConfig((4, 5, 3), output="softmax", loss="mse", runs=4), "iris", 60),
    "two wide tanh layers, bce, full batch": (
        ConvergenceConfig((2, 8, 8, 1), activation="tanh", loss="bce", runs=3), "checkerboard",
        60),
}


@pytest.mark.parametrize("first", [False, True], ids=["runs last", "runs first"])
@pytest.mark.parametrize("case", list(CASES))
def test_every_run_of_the_batch_equals_that_network_trained_alone(case: str, first: bool) -> None:
    cfg, dataset, epochs = CASES[case]
    Xd, Yd = datasets.load(dataset)
    if dataset == "checkerboard":
        Xd, Yd = Xd[:100], Yd[:100]  # 100 = 4 batches of 24 + one of 4
    blocks, loss, acc = _history_of_batch(cfg, Xd, Yd, epochs, first)
    for r in range(cfg.runs):
        trainer = cfg.trainer(r, Xd, Yd)
        trainer.run(epochs)
        for l, blk in enumerate(blocks):  # noqa: E741
            np.testing.assert_allclose(blk[:-1, :, r], trainer.net.weights[l], rtol=0, atol=1e-10)
            np.testing.assert_allclose(blk[-1, :, r], trainer.net.biases[l], rtol=0, atol=1e-10)
        np.testing.assert_allclose(loss[:, r], trainer.history.train_loss, rtol=0, atol=1e-10)
        np.testing.assert_array_equal(acc[:, r], trainer.history.accuracy)
    # the runs really differ from each other (seeds seed+r), so the comparison meant something
    assert not np.allclose(blocks[0][..., 0], blocks[0][..., 1])


def test_both_kernels_give_the_same_runs_and_diagnoses(monkeypatch) -> None:
    X, Y = datasets.load("checkerboard", n=64)
    cases = [
        (ConvergenceConfig((2, 4, 1), init="small", runs=4, epochs=300), X, Y),  # symmetric
        (ConvergenceConfig((2, 3, 1), init="normal", runs=3, epochs=50), X * 1000 + 1000, Y),
    ]
    first = [run_convergence(cfg, Xc, Yc, workers=1) for cfg, Xc, Yc in cases]
    assert all(runs_first(cfg, len(Xc)) for cfg, Xc, _ in cases)
    monkeypatch.setattr(batch_module, "RUNS_FIRST_MIN_SIZE", 10**9)  # every job runs last
    assert not any(runs_first(cfg, len(Xc)) for cfg, Xc, _ in cases)
    last = [run_convergence(cfg, Xc, Yc, workers=1) for cfg, Xc, Yc in cases]
    for a, b in zip(first, last, strict=True):
        assert a.diagnosis == b.diagnosis
        np.testing.assert_allclose(a.final_loss, b.final_loss, rtol=1e-10)
    assert set(first[0].diagnosis) == {"symmetric hidden units"}
    assert set(first[1].diagnosis) == {"saturated hidden units"}
