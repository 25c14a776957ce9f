"""`nnviz bench core`: the contestants compute the same thing, and the result is well formed.

No timing assertions: figures depend on the machine and its load.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from nnviz.bench import core as bench
from nnviz.core import Network, Trainer, datasets


@pytest.mark.parametrize(("name", "sizes", "output", "loss"), [
    ("xor", (2, 4, 1), "sigmoid", "mse"),
    ("checkerboard", (2, 16, 16, 1), "sigmoid", "mse"),
    ("xor", (2, 4, 1), "sigmoid", "bce"),
    ("checkerboard", (2, 16, 16, 1), "sigmoid", "bce"),  # 1 x 200 outputs: split softplus
    ("iris", (4, 8, 3), "softmax", "cross_entropy"),
])
def test_hand_tuned_loop_trains_the_same_network_as_the_trainer(
    name: str, sizes: tuple[int, ...], output: str, loss: str
) -> None:
    # The bar is only fair if it does the same work: same weights after the same epochs.
    X, Y = datasets.load(name)
    net = Network(sizes, output=output, loss=loss, seed=0)
    w, b = net.get_params()
    trainer = Trainer(net, X, Y, lr=bench.LR)
    hand = bench.HandTunedLoop(sizes, X, Y, w, b, bench.LR, loss=loss)
    trainer.run(50)
    hand.train(30)
    hand.train(20)
    for l in range(net.n_layers):  # noqa: E741
        np.testing.assert_allclose(hand.weights()[l], net.weights[l], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(hand.biases()[l], net.biases[l], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(hand.losses[:50], trainer.history.train_loss, rtol=1e-12)


def test_hand_tuned_online_loop_matches_the_online_trainer() -> None:
    X, Y = datasets.load("xor")
    net = Network((2, 4, 1), seed=0)
    w, b = net.get_params()
    trainer = Trainer(net, X, Y, lr=bench.LR, batch_size=1, shuffle=False)
    hand = bench.HandTunedLoop((2, 4, 1), X, Y, w, b, bench.LR, batch=1)
    trainer.run(25)
    hand.train(25)
    np.testing.assert_allclose(hand.params, net.params, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(hand.losses[:25], trainer.history.train_loss, rtol=1e-12)


def test_tutorial_class_is_the_classic_one_and_learns_xor() -> None:
    X, Y = datasets.load("xor")
    nn = bench.NeuralNetwork([2, 4, 1], alpha=0.5)
    # Hidden layers carry an extra trained bias unit: (2+1) x (4+1), then (4+1) x 1.
    assert [w.shape for w in nn.W] == [(3, 5), (5, 1)]
    before = nn.calculate_loss(np.c_[X, np.ones(4)], Y)
    nn.fit(X, Y, epochs=3000)
    assert nn.calculate_loss(np.c_[X, np.ones(4)], Y) < 0.1 * before
    assert np.array_equal(nn.predict(X)[:, 0] > 0.5, Y[:, 0] > 0.5)


def test_measure_and_report() -> None:
    result = bench.measure(0.05)
    json.dumps(result)  # the --json output must serialise
    items = result["items"]
    assert set(items) == {"xor_trainer", "xor_hand", "cb_trainer", "cb_hand", "xor_bce_trainer",
                          "xor_bce_hand", "cb_bce_trainer", "cb_bce_hand", "iris_ce_trainer",
                          "iris_ce_hand", "iris_mse_trainer", "xor_tutorial", "online_trainer",
                          "online_trainer_shuffled", "online_hand"}
    for item in items.values():
        assert item["epochs_per_second"] > 0 and item["median_epochs_per_second"] > 0
        assert item["epochs_per_second"] >= item["median_epochs_per_second"]
        assert item["samples_per_second"] == pytest.approx(
            item["epochs_per_second"] * item["samples_per_epoch"])
        assert item["calls"] >= 3 and item["epochs_per_call"] >= 1
    assert items["cb_trainer"]["samples_per_epoch"] == 512
    assert len(result["targets"]) == 10
    assert {t["name"]: t["goal"] for t in result["targets"]}[
        "Trainer bce / Trainer mse, checkerboard 2-16-16-1"] == 0.9
    for target in result["targets"]:
        assert target["ratio"] > 0 and target["pass"] == (target["ratio"] >= target["goal"])
    text = bench.report({**result, "machine": {"processor": "cpu", "system": "Linux",
                                               "python": "3", "numpy": "2"}})
    assert "(a) hand-tuned loop" in text and "(b) tutorial class" in text
    verdicts = [line.split()[-1] for line in text.splitlines()[-10:]]
    assert all(v in ("PASS", "MISS") for v in verdicts)
    assert ">= 0.8" in text and ">= 0.9" in text and ">= 5" in text and ">= 1.3" in text
