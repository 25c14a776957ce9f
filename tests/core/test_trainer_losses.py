"""The training kernel's fused bce and cross-entropy loss: the same numbers as losses.per_sample.

The loss comes from what the step computes anyway (the output's z, the softmax's shifted z and
sum of exponentials); the weights must not change by a bit, the loss by at most 1e-12 (relative):
its sums run in a different order than per_sample's.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import Network, Trainer, losses
from nnviz.core.kernels import make_step
from nnviz.core.optim import SGD


def _data(loss: str, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, tuple, str]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    if loss == "bce":
        Y = rng.uniform(size=(n, 2))  # soft targets as well: bce allows any t in [0, 1]
        Y[: n // 2] = Y[: n // 2] > 0.5
        return X, Y, (3, 5, 2), "sigmoid"
    Y = np.eye(4)[rng.integers(0, 4, n)]
    Y[-1] = [0.25, 0.25, 0.5, 0.0]  # a soft target row: the loss weighs -log a_k by t_k
    return X, Y, (3, 5, 4), "softmax"


def _xT(X: np.ndarray) -> np.ndarray:
    xT = np.ones((X.shape[1] + 1, len(X)))
    xT[:-1] = X.T
    return xT


@pytest.mark.parametrize("loss", ["bce", "cross_entropy"])
@pytest.mark.parametrize("momentum", [0.0, 0.5])
@pytest.mark.parametrize("n", [1, 9, 100])  # 2 x 100 outputs: bce's split softplus
def test_step_loss_is_the_per_sample_sum_and_the_forward_pass_is_network_forward_into(
    loss: str, momentum: float, n: int
) -> None:
    X, Y, sizes, output = _data(loss, n)
    net = Network(sizes, "tanh", output, loss, seed=1)
    ref = net.copy()
    ws = net.workspace(n)
    step, factor, _ = make_step(net, ws, SGD(net.params, net.weight_mask, 0.3, momentum))
    xT, yT = _xT(X), np.ascontiguousarray(Y.T)
    for _ in range(5):
        ref_ws = ref.workspace(n)
        ref.forward_into(ref_ws, xT)
        expected = float(losses.per_sample(loss, ref_ws.z[-1], ref_ws.a[-1], Y).sum())
        got = step(xT, yT) * factor
        assert got == pytest.approx(expected, rel=1e-12, abs=0)
        for mine, theirs in zip(ws.aT + ws.zT, ref_ws.aT + ref_ws.zT, strict=True):
            np.testing.assert_array_equal(mine, theirs)  # bit for bit
        ref.set_params(*net.get_params())


@pytest.mark.parametrize("loss", ["bce", "cross_entropy"])
@pytest.mark.parametrize("n", [8, 80])
def test_the_loss_stays_finite_and_exact_where_the_outputs_round_to_0_and_1(
    loss: str, n: int
) -> None:
    X, Y, sizes, output = _data(loss, n)
    net = Network(sizes, "linear", output, loss, seed=2)
    net.weights[-1][...] *= 400.0  # z of several hundred: a is exactly 0 or 1 in float64
    net.biases[-1][0] = 760.0  # e^-z underflows to 0 and e^z overflows: softplus must not
    net.set_params(*net.get_params())
    ws = net.workspace(n)
    step, factor, _ = make_step(net, ws, SGD(net.params, net.weight_mask, 1e-9))
    ref = net.copy()
    ref_ws = ref.workspace(n)
    with np.errstate(over="ignore"):  # e^-z overflows to its limit, as in training
        ref.forward_into(ref_ws, _xT(X))
    assert np.abs(ref_ws.z[-1]).max() > 745
    expected = float(losses.per_sample(loss, ref_ws.z[-1], ref_ws.a[-1], Y).sum())
    with np.errstate(over="ignore"):
        got = step(_xT(X), np.ascontiguousarray(Y.T)) * factor
    assert np.isfinite(got)
    assert got == pytest.approx(expected, rel=1e-12, abs=0)


@pytest.mark.parametrize("loss", ["bce", "cross_entropy"])
@pytest.mark.parametrize("batch_size", [None, 4, 1])
def test_trainer_history_loss_is_the_mean_per_sample_loss_before_each_update(
    loss: str, batch_size: int | None
) -> None:
    X, Y, sizes, output = _data(loss, 12, seed=3)
    net = Network(sizes, "sigmoid", output, loss, seed=4)
    probe = net.copy()
    tr = Trainer(net, X, Y, lr=0.2, batch_size=batch_size, shuffle=False)
    for _ in range(3):
        w, b = net.get_params()
        probe.set_params(w, b)
        tr.run(1)
        if batch_size is None:  # full batch: the loss of the weights the epoch started from
            assert tr.history.train_loss[-1] == pytest.approx(probe.loss(X, Y), rel=1e-12)
        else:  # mini-batches: each batch's loss just before its update, then the mean
            total, B = 0.0, batch_size
            for s in range(0, 12, B):
                total += float(probe.per_sample_loss(X[s : s + B], Y[s : s + B]).sum())
                g = probe.backward(probe.forward(X[s : s + B]), Y[s : s + B])
                probe.set_params([w_ - 0.2 * d for w_, d in zip(probe.weights, g.dW, strict=True)],
                                 [b_ - 0.2 * d for b_, d in zip(probe.biases, g.db, strict=True)])
            assert tr.history.train_loss[-1] == pytest.approx(total / 12, rel=1e-9)
