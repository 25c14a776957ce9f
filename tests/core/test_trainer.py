"""Trainer: updates against hand-written NumPy, convergence, determinism, divergence, history."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.core import DivergenceError, History, Network, Trainer, datasets
from nnviz.core.optim import SGD
from nnviz.core.trainer import CHECK_EVERY

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


# ---- an independent reference: plain NumPy, one sample at a time --------------------------------
def _f(name: str, z: np.ndarray) -> np.ndarray:
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.where(z > 0, z, 0.0)
    assert name == "linear"
    return z


def _fprime(name: str, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    if name == "sigmoid":
        return a * (1.0 - a)
    if name == "tanh":
        return 1.0 - a**2
    if name == "relu":
        return (z > 0).astype(float)
    return np.ones_like(z)


def hand_online_epoch(
    weights: list[np.ndarray], biases: list[np.ndarray], X: np.ndarray, Y: np.ndarray,
    hidden: str, output: str, loss: str, lr: float,
) -> tuple[list[np.ndarray], list[np.ndarray], float]:
    """One epoch in data order, updating after every sample; returns the mean pre-update loss."""
    W = [w.copy() for w in weights]
    b = [v.copy() for v in biases]
    L = len(W)
    total = 0.0
    for x, t in zip(X, Y, strict=True):
        a = [x.reshape(1, -1)]
        zs = []
        for l in range(L):  # noqa: E741
            z = a[l] @ W[l] + b[l]
            zs.append(z)
            a.append(_f(output if l == L - 1 else hidden, z))
        out = a[-1]
        if loss == "mse":
            total += 0.5 * float(np.sum((out - t) ** 2))
            delta = (out - t) * _fprime(output, zs[-1], out)
        else:  # bce with a sigmoid output: the sigmoid's derivative cancels
            total += -float(np.sum(t * np.log(out) + (1 - t) * np.log(1 - out)))
            delta = out - t
        deltas = [delta]
        for l in range(L - 1, 0, -1):  # noqa: E741
            deltas.insert(0, (deltas[0] @ W[l].T) * _fprime(hidden, zs[l - 1], a[l]))
        for l in range(L):  # noqa: E741
            W[l] -= lr * a[l].T @ deltas[l]
            b[l] -= lr * deltas[l][0]
    return W, b, total / len(X)


@pytest.mark.parametrize(
    ("sizes", "hidden", "output", "loss"),
    [
        ([2, 4, 1], "sigmoid", "sigmoid", "mse"),
        ([3, 5, 4, 2], "tanh", "sigmoid", "bce"),
        ([3, 6, 2], "relu", "linear", "mse"),
        ([3, 3, 3, 1], "tanh", "tanh", "mse"),
    ],
)
def test_online_epoch_in_fixed_order_equals_a_hand_written_loop(
    sizes: list[int], hidden: str, output: str, loss: str
) -> None:
    rng = np.random.default_rng(4)
    if sizes[0] == 2:
        X, Y = XOR_X, XOR_Y
    else:
        X = rng.normal(size=(13, sizes[0]))
        Y = rng.integers(0, 2, (13, sizes[-1])).astype(float)
    net = Network(sizes, activation=hidden, output=output, loss=loss, init="normal", seed=1)
    w0, b0 = net.get_params()
    trainer = Trainer(net, X, Y, lr=0.3, batch_size=1, shuffle=False)
    trainer.run(1)
    W, b, mean_loss = hand_online_epoch(w0, b0, X, Y, hidden, output, loss, 0.3)
    for l in range(net.n_layers):  # noqa: E741
        np.testing.assert_allclose(net.weights[l], W[l], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(net.biases[l], b[l], rtol=1e-12, atol=1e-12)
    # The epoch's loss is the mean of the losses measured before each sample's update.
    assert trainer.history.train_loss[0] == pytest.approx(mean_loss, rel=1e-12)
    # Second epoch continues from there and still matches.
    trainer.run(1)
    W, b, _ = hand_online_epoch(W, b, X, Y, hidden, output, loss, 0.3)
    for l in range(net.n_layers):  # noqa: E741
        np.testing.assert_allclose(net.weights[l], W[l], rtol=1e-12, atol=1e-12)


def test_shuffled_online_epoch_visits_the_seeded_permutation() -> None:
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(7, 2)), rng.integers(0, 2, (7, 1)).astype(float)
    net = Network([2, 3, 1], seed=0)
    w0, b0 = net.get_params()
    trainer = Trainer(net, X, Y, lr=0.2, batch_size=1, shuffle=True, seed=5)
    order = np.random.default_rng(5).permutation(7)
    trainer.run(1)
    W, b, _ = hand_online_epoch(w0, b0, X[order], Y[order], "sigmoid", "sigmoid", "mse", 0.2)
    for l in range(net.n_layers):  # noqa: E741
        np.testing.assert_allclose(net.weights[l], W[l], rtol=1e-12, atol=1e-12)


def flat(net: Network, grads) -> np.ndarray:
    return np.concatenate(
        [np.vstack([grads.dW[l], grads.db[l][None]]).ravel()
         for l in range(net.n_layers)]  # noqa: E741
    )


def test_full_batch_step_is_lr_times_the_mean_gradient() -> None:
    net = Network([2, 4, 1], seed=3)
    before = net.params.copy()
    g = flat(net, net.backward(net.forward(XOR_X), XOR_Y))
    Trainer(net, XOR_X, XOR_Y, lr=0.7).run(1)
    np.testing.assert_allclose(net.params, before - 0.7 * g, rtol=1e-14, atol=1e-16)


def test_mini_batch_epoch_steps_once_per_batch_with_the_batch_mean() -> None:
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(10, 2)), rng.integers(0, 2, (10, 1)).astype(float)
    net = Network([2, 3, 1], seed=0)
    ref = net.copy()
    Trainer(net, X, Y, lr=0.4, batch_size=4, shuffle=False).run(1)
    for sl in (slice(0, 4), slice(4, 8), slice(8, 10)):  # the last batch is the 2 left over
        ref.params -= 0.4 * flat(ref, ref.backward(ref.forward(X[sl]), Y[sl]))
    np.testing.assert_allclose(net.params, ref.params, rtol=1e-13, atol=1e-15)


def test_momentum_l2_l1_two_steps_match_a_hand_computation() -> None:
    lr, mu, l2, l1 = 0.3, 0.8, 0.01, 0.002
    net = Network([2, 3, 1], activation="tanh", seed=2)
    ref = net.copy()
    trainer = Trainer(net, XOR_X, XOR_Y, lr=lr, momentum=mu, l2=l2, l1=l1)
    trainer.run(2)
    v = [np.zeros_like(w) for w in ref.weights], [np.zeros_like(b) for b in ref.biases]
    for _ in range(2):
        g = ref.backward(ref.forward(XOR_X), XOR_Y)
        for l in range(ref.n_layers):  # noqa: E741
            W = ref.weights[l]
            gw = g.dW[l] + l2 * W + l1 * np.sign(W)  # penalties on weights only
            v[0][l] = mu * v[0][l] - lr * gw
            v[1][l] = mu * v[1][l] - lr * g.db[l]
        for l in range(ref.n_layers):  # noqa: E741
            ref.weights[l] += v[0][l]
            ref.biases[l] += v[1][l]
    np.testing.assert_allclose(net.params, ref.params, rtol=1e-13, atol=1e-15)


def test_sgd_step_on_a_flat_vector() -> None:
    params = np.array([1.0, -2.0, 0.5])
    mask = np.array([1.0, 1.0, 0.0])  # the last entry is a bias: no penalty
    grad = np.array([0.1, 0.2, -0.3])
    opt = SGD(params, mask, lr=0.5, momentum=0.9, l2=0.1, l1=0.05)
    opt.step(grad)
    g1 = grad + 0.1 * np.array([1.0, -2.0, 0.0]) + 0.05 * np.array([1.0, -1.0, 0.0])
    expect = np.array([1.0, -2.0, 0.5]) - 0.5 * g1
    np.testing.assert_allclose(params, expect, rtol=1e-15)
    np.testing.assert_allclose(opt.velocity, -0.5 * g1, rtol=1e-15)
    opt.lr = 0.1
    opt.step(grad)
    g2 = grad + 0.1 * expect * mask + 0.05 * np.sign(expect) * mask
    np.testing.assert_allclose(params, expect + 0.9 * (-0.5 * g1) - 0.1 * g2, rtol=1e-15)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lr": 0.0}, "learning rate must be a positive number, got 0"),
        ({"lr": -1.0}, "learning rate must be a positive number"),
        ({"lr": math.nan}, "learning rate must be a positive number"),
        ({"momentum": 1.0}, r"momentum must be in \[0, 1\)"),
        ({"l2": -0.1}, "L2 penalty must be >= 0"),
        ({"l1": -0.1}, "L1 penalty must be >= 0"),
        ({"batch_size": 0}, "batch size must be >= 1"),
    ],
)
def test_bad_hyper_parameters_raise(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Trainer(Network([2, 2, 1]), XOR_X, XOR_Y, **kwargs)


# ---- convergence and determinism -----------------------------------------------------------------
def xor_trainer(seed: int = 0, **kwargs) -> Trainer:
    net = Network([2, 4, 1], activation="sigmoid", output="sigmoid", loss="mse", seed=seed)
    return Trainer(net, XOR_X, XOR_Y, lr=0.5, seed=seed, **kwargs)


def test_xor_2_4_1_sigmoid_full_batch_learns_within_10000_epochs() -> None:
    trainer = xor_trainer()
    history = trainer.run(10_000)
    assert len(history) == 10_000 and trainer.epoch == 10_000
    assert trainer.evaluate().accuracy == 1.0
    assert history.accuracy[-1] == 1.0
    first = int(np.argmax(history.accuracy == 1.0))
    assert history.accuracy[first:].min() == 1.0  # once learnt, it stays learnt
    assert history.train_loss[-1] < 0.01 < history.train_loss[0]
    np.testing.assert_array_equal(history.epoch, np.arange(1, 10_001))


def _state(trainer: Trainer) -> tuple[dict, np.ndarray]:
    return trainer.history.as_dict(), trainer.net.params.copy()


def _assert_identical(a: tuple[dict, np.ndarray], b: tuple[dict, np.ndarray]) -> None:
    for column in History.COLUMNS:
        assert np.array_equal(a[0][column], b[0][column], equal_nan=True), column
    assert np.array_equal(a[1], b[1])


@pytest.mark.parametrize("batch_size", [None, 1, 3])
def test_same_seed_is_bit_identical_other_seed_differs(batch_size: int | None) -> None:
    X, Y = datasets.load("gaussians", n=40, seed=2)
    runs = []
    for seed in (7, 7, 8):
        net = Network([2, 3, 1], activation="tanh", seed=seed)
        trainer = Trainer(net, X, Y, lr=0.1, batch_size=batch_size, momentum=0.5, seed=seed,
                          X_test=X[:10], Y_test=Y[:10])
        trainer.run(60)
        runs.append(_state(trainer))
    _assert_identical(runs[0], runs[1])
    assert not np.array_equal(runs[0][1], runs[2][1])
    assert not np.array_equal(runs[0][0]["train_loss"], runs[2][0]["train_loss"])


def test_xor_same_seed_twice_bit_identical() -> None:
    a, b = xor_trainer(), xor_trainer()
    a.run(2000)
    b.run(2000)
    _assert_identical(_state(a), _state(b))
    c = xor_trainer(seed=1)
    c.run(2000)
    assert not np.array_equal(_state(a)[1], _state(c)[1])


def test_shuffle_seed_alone_changes_online_training() -> None:
    X, Y = datasets.load("gaussians", n=20)
    params = []
    for seed in (0, 1):
        net = Network([2, 3, 1], seed=0)  # same start
        Trainer(net, X, Y, lr=0.1, batch_size=1, seed=seed).run(3)
        params.append(net.params.copy())
    assert not np.array_equal(*params)


def test_checkerboard_4x4_reaches_95_percent() -> None:
    """4x4 checkerboard (512 points, the default data set), network 2-16-16-1 with tanh hidden
    units and a sigmoid output trained on bce; xavier init, seed 0; mini-batches of 32 in a
    seeded shuffled order, lr 0.05, momentum 0.9, 400 epochs (~0.5 s). Train accuracy ~98 %."""
    X, Y = datasets.load("checkerboard")
    assert X.shape == (512, 2)
    net = Network([2, 16, 16, 1], activation="tanh", output="sigmoid", loss="bce", seed=0)
    trainer = Trainer(net, X, Y, lr=0.05, batch_size=32, momentum=0.9, seed=0)
    trainer.run(400)
    assert trainer.evaluate().accuracy >= 0.95


# ---- divergence ----------------------------------------------------------------------------------
def test_nan_or_inf_raises_naming_the_epoch_and_keeps_finite_weights() -> None:
    net = Network([2, 4, 1], activation="relu", output="linear", seed=0)
    start = net.params.copy()
    trainer = Trainer(net, XOR_X, XOR_Y, lr=1e6)
    with pytest.raises(DivergenceError) as info:
        trainer.run(100)
    err = info.value
    assert 1 <= err.epoch < 100
    assert f"diverged at epoch {err.epoch}" in str(err)
    assert "smaller learning rate" in str(err)
    assert err.restored_epoch == 0 and trainer.epoch == 0
    assert len(trainer.history) == 0
    assert trainer.stop_reason == "diverged"
    assert np.isfinite(net.params).all()
    assert np.array_equal(net.params, start)


def test_divergence_restores_the_last_checkpoint_not_the_start() -> None:
    net = Network([2, 4, 1], activation="relu", output="linear", seed=0)
    trainer = Trainer(net, XOR_X, XOR_Y, lr=0.1, X_test=XOR_X, Y_test=XOR_Y)
    trainer.run(300)  # checkpoints at 256 and at the end of the run
    good, good_history = trainer.net.params.copy(), trainer.history.as_dict()
    trainer.lr = 1e6
    with pytest.raises(DivergenceError) as info:
        trainer.run(1000)
    assert info.value.restored_epoch == 300
    assert "weights from epoch 300" in str(info.value)
    assert trainer.epoch == 300 and len(trainer.history) == 300
    assert np.array_equal(trainer.net.params, good)
    _assert_identical((trainer.history.as_dict(), good), (good_history, good))
    # Training can go on from the restored state with a sane learning rate.
    trainer.lr = 0.1
    trainer.run(10)
    assert trainer.epoch == 310 and np.isfinite(trainer.net.params).all()


def test_exploding_sigmoid_weights_raise_although_everything_stays_finite() -> None:
    trainer = xor_trainer()
    trainer.lr = 1e6
    start = trainer.net.params.copy()
    with pytest.raises(DivergenceError, match="weights of layer .* exploded") as info:
        trainer.run(CHECK_EVERY + 10)
    assert info.value.epoch == CHECK_EVERY  # found at the first periodic check
    assert np.array_equal(trainer.net.params, start) and len(trainer.history) == 0


def test_momentum_is_rolled_back_with_the_weights() -> None:
    trainer = xor_trainer(momentum=0.9)
    trainer.run(20)
    velocity = trainer.optimizer.velocity.copy()
    trainer.lr = 1e6
    with pytest.raises(DivergenceError):
        trainer.run(CHECK_EVERY)
    assert np.array_equal(trainer.optimizer.velocity, velocity)


# ---- run(), targets, live changes, history ------------------------------------------------------
def test_target_loss_stops_early() -> None:
    trainer = xor_trainer()
    history = trainer.run(10_000, target_loss=0.05)
    assert trainer.stop_reason == "target_loss"
    assert len(history) == trainer.epoch < 10_000
    assert history.train_loss[-1] <= 0.05 < history.train_loss[-2]


def test_target_accuracy_stops_early() -> None:
    trainer = xor_trainer()
    history = trainer.run(10_000, target_accuracy=1.0)
    assert trainer.stop_reason == "target_accuracy"
    assert history.accuracy[-1] == 1.0 and history.accuracy[:-1].max() < 1.0
    assert trainer.epoch == len(history) < 10_000


def test_no_target_runs_all_epochs() -> None:
    trainer = xor_trainer()
    trainer.run(50, target_loss=1e-9)
    assert trainer.stop_reason == "epochs" and trainer.epoch == 50


@pytest.mark.parametrize("batch_size", [None, 1, 3])
def test_run_is_resumable(batch_size: int | None) -> None:
    X, Y = datasets.load("circles", n=30)

    def make() -> Trainer:
        net = Network([2, 5, 1], activation="tanh", seed=4)
        return Trainer(net, X, Y, lr=0.2, momentum=0.3, batch_size=batch_size, seed=4,
                       X_test=X[::3], Y_test=Y[::3])

    once, twice = make(), make()
    once.run(10)
    twice.run(5)
    twice.run(5)
    _assert_identical(_state(once), _state(twice))
    assert twice.epoch == 10
    np.testing.assert_array_equal(twice.history.epoch, np.arange(1, 11))


def test_learning_rate_can_change_between_runs() -> None:
    trainer = xor_trainer()
    trainer.run(1)
    net = trainer.net
    before = net.params.copy()
    g = flat(net, net.backward(net.forward(XOR_X), XOR_Y))
    trainer.lr = 0.05
    assert trainer.lr == 0.05
    trainer.run(1)
    np.testing.assert_allclose(net.params, before - 0.05 * g, rtol=1e-14, atol=1e-16)
    with pytest.raises(ValueError, match="learning rate must be a positive number"):
        trainer.lr = 0.0
    assert trainer.lr == 0.05


def test_test_split_metrics_are_recorded_after_each_epoch() -> None:
    ds = datasets.load_dataset("gaussians", n=60, test_ratio=0.25, seed=1)
    net = Network([2, 3, 1], seed=1)
    trainer = Trainer(net, ds.X_train, ds.Y_train, lr=0.5, X_test=ds.X_test, Y_test=ds.Y_test)
    trainer.run(5)
    h = trainer.history
    assert np.isfinite(h.test_loss).all() and np.isfinite(h.test_accuracy).all()
    assert h.test_loss[-1] == pytest.approx(net.loss(ds.X_test, ds.Y_test), rel=1e-12)
    assert h.test_accuracy[-1] == net.accuracy(ds.X_test, ds.Y_test)
    ev = trainer.evaluate()
    assert ev.test_loss == pytest.approx(h.test_loss[-1], rel=1e-12)
    assert ev.train_loss == pytest.approx(net.loss(ds.X_train, ds.Y_train), rel=1e-12)
    # Without a test split the columns hold NaN.
    plain = xor_trainer()
    plain.run(3)
    assert np.isnan(plain.history.test_loss).all()
    assert math.isnan(plain.evaluate().test_loss)


def test_full_batch_history_loss_is_the_loss_before_the_update() -> None:
    trainer = xor_trainer()
    first = trainer.net.loss(XOR_X, XOR_Y)
    trainer.run(1)
    assert trainer.history.train_loss[0] == pytest.approx(first, rel=1e-13)


def test_history_grows_beyond_its_initial_capacity() -> None:
    trainer = xor_trainer()
    capacity = len(trainer.history._data["epoch"])
    trainer.run(capacity + 500)
    trainer.run(capacity)  # a second growth
    h = trainer.history
    assert len(h) == 2 * capacity + 500
    np.testing.assert_array_equal(h.epoch, np.arange(1, 2 * capacity + 501))
    assert np.isfinite(h.train_loss).all()
    small = History(capacity=2)
    for i in range(5):
        small.append(epoch=i + 1, train_loss=float(i))
    assert len(small) == 5 and small.last()["train_loss"] == 4.0
    small.extend({"epoch": np.arange(6, 9), "train_loss": np.zeros(3)})
    np.testing.assert_array_equal(small.epoch, np.arange(1, 9))
    with pytest.raises(ValueError):
        small.epoch[0] = 99  # views handed out are read-only


def test_last_gradients_match_backward() -> None:
    trainer = xor_trainer()
    assert trainer.last_gradients is None
    net = trainer.net
    g = net.backward(net.forward(XOR_X), XOR_Y)
    trainer.run(1)
    dW, db = trainer.last_gradients
    for l in range(net.n_layers):  # noqa: E741
        np.testing.assert_allclose(dW[l], g.dW[l], rtol=1e-13)
        np.testing.assert_allclose(db[l], g.db[l], rtol=1e-13)


def test_a_trainer_built_on_another_s_data_takes_its_layout_and_trains_the_same():
    """A reset builds a new trainer on the same arrays: it shares the old one's read-only
    kernel layout and gives the same bits as a trainer that built its own."""
    from nnviz.core.spec import HyperParams

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    Y = (X[:, :1] * X[:, 1:] > 0).astype(float)
    hyper = HyperParams(lr=0.3, batch_size=16, momentum=0.5)
    old = Trainer.from_hyper(Network((2, 4, 1), seed=1), X, Y, hyper)
    old.run(5)
    reused = Trainer.from_hyper(Network((2, 4, 1), seed=1), X, Y, hyper, data_of=old)
    fresh = Trainer.from_hyper(Network((2, 4, 1), seed=1), X, Y, hyper)
    assert reused.XT_aug is old.XT_aug and fresh.XT_aug is not old.XT_aug
    reused.run(20)
    fresh.run(20)
    assert np.array_equal(reused.net.params, fresh.net.params)
    assert np.array_equal(reused.history.train_loss, fresh.history.train_loss)
    # other arrays (new data) are never mixed up with the old layout
    other = Trainer.from_hyper(Network((2, 4, 1), seed=1), X.copy(), Y, hyper, data_of=old)
    assert other.XT_aug is not old.XT_aug
