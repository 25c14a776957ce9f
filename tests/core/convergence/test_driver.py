"""run_convergence and compare: Trainer history values, seeds, chunks, progress and cancel,
early stop, bad input named."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import Network, datasets
from nnviz.core.convergence import ConvergenceConfig, compare, run_convergence

X, Y = datasets.load("xor")


def test_epochs_and_final_loss_are_the_trainer_history_values() -> None:
    cfg = ConvergenceConfig((2, 2, 1), runs=40, epochs=2500, loss_threshold=0.05)
    res = run_convergence(cfg, X, Y, chunk=64)
    conv = np.nonzero(res.converged)[0]
    stuck = np.nonzero(~res.converged)[0]
    assert len(conv) and len(stuck)
    for r in [*conv[:3], *stuck[:3]]:
        h = cfg.trainer(r, X, Y).run(cfg.epochs)
        ok = (h.accuracy == 1.0) & (h.train_loss < cfg.loss_threshold)
        if ok.any():
            e = int(np.argmax(ok)) + 1
            assert res.converged[r] and res.epochs[r] == e
            assert res.run(r).epochs_to_converge == e
            assert res.final_loss[r] == pytest.approx(h.train_loss[e - 1], abs=1e-10)
            assert res.final_accuracy[r] == 1.0
        else:
            assert not res.converged[r] and res.epochs[r] == 0
            assert res.run(r).epochs_to_converge is None
            assert res.final_loss[r] == pytest.approx(h.train_loss[-1], abs=1e-10)
            assert res.final_accuracy[r] == h.accuracy[-1]


def test_initial_weights_of_run_r_are_network_seed_plus_r() -> None:
    cfg = ConvergenceConfig((2, 3, 1), init="uniform", runs=5, epochs=1, seed=7)
    res = run_convergence(cfg, X, Y)
    for r in range(5):
        net = Network((2, 3, 1), init="uniform", seed=7 + r)
        w, b = res.initial_parameters(r)
        for l in range(2):  # noqa: E741
            np.testing.assert_array_equal(w[l], net.weights[l])
            np.testing.assert_array_equal(b[l], net.biases[l])
        np.testing.assert_array_equal(cfg.network(r).params, net.params)
    assert list(res.seeds) == [7, 8, 9, 10, 11]


def test_same_config_twice_is_identical_and_seeds_shift_runs() -> None:
    cfg = ConvergenceConfig((2, 2, 1), runs=30, epochs=1500, seed=0)
    a, b = run_convergence(cfg, X, Y), run_convergence(cfg, X, Y)
    np.testing.assert_array_equal(a.epochs, b.epochs)
    np.testing.assert_array_equal(a.final_loss, b.final_loss)
    np.testing.assert_array_equal(a.loss_curves, b.loss_curves)
    assert a.diagnosis == b.diagnosis
    # run r of seed 0 is run r - 5 of seed 5 (full batch: nothing else is seeded)
    c = run_convergence(ConvergenceConfig((2, 2, 1), runs=25, epochs=1500, seed=5), X, Y)
    np.testing.assert_array_equal(a.epochs[5:], c.epochs)
    np.testing.assert_array_equal(a.final_loss[5:], c.final_loss)


def test_results_do_not_depend_on_the_chunk_size() -> None:
    cfg = ConvergenceConfig((2, 2, 1), runs=40, epochs=2000)
    a = run_convergence(cfg, X, Y, chunk=7)
    b = run_convergence(cfg, X, Y, chunk=2000)
    np.testing.assert_array_equal(a.epochs, b.epochs)
    np.testing.assert_array_equal(a.final_loss, b.final_loss)
    np.testing.assert_array_equal(a.loss_curves, b.loss_curves)
    assert a.diagnosis == b.diagnosis


def test_progress_is_called_per_chunk_and_false_cancels() -> None:
    cfg = ConvergenceConfig((2, 2, 1), runs=20, epochs=5000)
    calls = []

    def progress(epoch: int, fraction: float) -> bool:
        calls.append((epoch, fraction))
        return epoch < 300

    res = run_convergence(cfg, X, Y, progress=progress, chunk=100)
    assert calls == [(100, 0.0), (200, 0.0), (300, 0.0)]
    assert res.cancelled and res.epochs_run == 300
    assert len(res.diagnosis) == 20 and not res.converged.any()
    # not cancelling runs to the end, or to the epoch where every run is done
    full = run_convergence(cfg, X, Y, progress=lambda e, f: None, chunk=500)
    assert not full.cancelled and full.epochs_run in range(500, 5001, 500)


def test_training_stops_once_every_run_converged() -> None:
    res = run_convergence(ConvergenceConfig((2, 4, 1), runs=10, epochs=20_000), X, Y, chunk=100)
    assert res.converged.all()
    assert res.epochs_run == -(-res.epochs.max() // 100) * 100
    assert res.network_epochs < 10 * res.epochs_run


def test_loss_only_convergence_never_later_than_with_all_correct() -> None:
    both = run_convergence(ConvergenceConfig((2, 3, 1), runs=30, epochs=2000), X, Y)
    loss_only = run_convergence(
        ConvergenceConfig((2, 3, 1), runs=30, epochs=2000, require_all_correct=False), X, Y)
    c = both.converged
    assert loss_only.converged[c].all()
    assert (loss_only.epochs[c] <= both.epochs[c]).all()


def test_compare_passes_the_config_index_and_stops_on_cancel() -> None:
    cfgs = [ConvergenceConfig((2, 2, 1), runs=5, epochs=200, lr=lr) for lr in (0.5, 1.0, 2.0)]
    seen = []
    results = compare(cfgs, X, Y, progress=lambda i, e, f: seen.append(i), chunk=100)
    assert [r.config.lr for r in results] == [0.5, 1.0, 2.0]
    assert seen == [0, 0, 1, 1, 2, 2]
    results = compare(cfgs, X, Y, progress=lambda i, e, f: i != 1, chunk=100)
    assert len(results) == 2 and results[1].cancelled


def test_bad_configurations_and_data_are_named() -> None:
    with pytest.raises(ValueError, match="'x' is not a whole number"):
        ConvergenceConfig("2,x,1")
    with pytest.raises(ValueError, match="unknown activation"):
        ConvergenceConfig((2, 2, 1), activation="swish")
    with pytest.raises(ValueError, match="unknown init"):
        ConvergenceConfig((2, 2, 1), init="zeros")
    with pytest.raises(ValueError, match="runs must be"):
        ConvergenceConfig((2, 2, 1), runs=0)
    with pytest.raises(ValueError, match="learning rate"):
        ConvergenceConfig((2, 2, 1), lr=-1)
    with pytest.raises(ValueError, match="loss threshold"):
        ConvergenceConfig((2, 2, 1), loss_threshold=0)
    with pytest.raises(ValueError, match="batch size"):
        ConvergenceConfig((2, 2, 1), batch_size=0)
    with pytest.raises(ValueError, match="data has 2 features but layers"):
        run_convergence(ConvergenceConfig((3, 2, 1)), X, Y)
    with pytest.raises(ValueError, match=r"targets have shape \(4, 1\), expected \(4, 2\)"):
        run_convergence(ConvergenceConfig((2, 2, 2)), X, Y)
    with pytest.raises(ValueError, match="chunk"):
        run_convergence(ConvergenceConfig((2, 2, 1)), X, Y, chunk=0)
    cfg = ConvergenceConfig("2, 2, 1", activation="Leaky-ReLU", loss="sse")
    assert (cfg.layers, cfg.activation, cfg.loss) == ((2, 2, 1), "leaky_relu", "mse")
