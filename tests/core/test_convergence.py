"""Convergence explorer: batched runs equal single Trainer runs, seeds, statistics, diagnoses."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nnviz.core import Network, datasets
from nnviz.core.convergence import (
    DIAGNOSES,
    ConvergenceConfig,
    _Batch,
    _blocks,
    _Data,
    _loss_scale,
    compare,
    run_convergence,
)

X, Y = datasets.load("xor")


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


def test_xor_2_4_1_converges_more_often_than_2_2_1() -> None:
    # Measured with these seeds: about 0.31 against 0.71.
    narrow, wide = compare(
        [ConvergenceConfig((2, 2, 1), runs=200, epochs=3000),
         ConvergenceConfig((2, 4, 1), runs=200, epochs=3000)], X, Y)
    assert wide.fraction_converged > narrow.fraction_converged + 0.2
    assert 0.1 < narrow.fraction_converged < 0.9
    for res in (narrow, wide):
        e = res.converged_epochs
        assert res.median_epochs == np.median(e)
        assert res.p90_epochs == pytest.approx(np.percentile(e, 90))
        assert e.min() >= 1 and e.max() <= 3000
        edges, counts = res.histogram(10)
        assert counts.sum() == res.converged.sum() and len(edges) == 11
        # the live curve: fraction converged never falls and ends at the total
        assert np.all(np.diff(res.curve_fraction) >= 0)
        assert res.curve_fraction[-1] == res.fraction_converged
        np.testing.assert_allclose(
            res.fraction_converged_by(res.curve_epochs), res.curve_fraction)


def test_small_init_gets_stuck_symmetric_while_xavier_converges() -> None:
    small, xavier = compare(
        [ConvergenceConfig((2, 2, 1), init="small", runs=100, epochs=3000),
         ConvergenceConfig((2, 2, 1), init="xavier", runs=100, epochs=3000)], X, Y)
    assert small.fraction_converged == 0.0
    assert small.diagnosis_counts() == {"symmetric hidden units": 100}
    # what "stuck" looks like: output 0.5 on all four points, loss 1/2 * 0.5^2
    assert np.allclose(small.final_loss, 0.125, atol=1e-6)
    assert xavier.fraction_converged > 0.25
    assert xavier.diagnosis_counts().get("symmetric hidden units", 0) < 5


def test_a_loss_plateau_is_a_flat_loss_curve() -> None:
    cfg = ConvergenceConfig((2, 2, 1), runs=100, epochs=3000)
    res = run_convergence(cfg, X, Y)
    plateau = [r for r in range(100) if res.diagnosis[r] == "loss plateau"]
    falling = [r for r in range(100) if not res.converged[r] and res.diagnosis[r] is None]
    assert plateau and falling
    x = res.loss_curve_epochs
    i90 = np.searchsorted(x, 2700)
    for r in plateau:
        c = res.loss_curves[r]
        assert abs(c[-1] - c[i90]) <= 0.01 * c[i90]
    for r in falling:
        c = res.loss_curves[r]
        assert c[i90] - c[-1] > 0.01 * c[i90]


def test_dead_relus_and_saturated_units_are_named() -> None:
    relu = run_convergence(
        ConvergenceConfig((2, 2, 1), activation="relu", init="he", runs=100, epochs=1000), X, Y)
    assert relu.diagnosis_counts().get("dead ReLUs", 0) > 10
    # Unscaled inputs (around 1000) saturate every sigmoid unit on every point: stuck.
    sat = run_convergence(
        ConvergenceConfig((2, 3, 1), init="normal", runs=20, epochs=300), X * 1000 + 1000, Y)
    assert sat.diagnosis_counts() == {"saturated hidden units": 20}


def test_diverging_runs_are_marked_and_the_rest_carry_on() -> None:
    cfg = ConvergenceConfig((2, 4, 1), activation="tanh", output="linear", init="normal",
                            lr=1.0, runs=50, epochs=1000)
    with np.errstate(all="raise"):  # the batch must not leak floating-point errors
        res = run_convergence(cfg, X, Y)
    div = np.array([d == "diverged" for d in res.diagnosis])
    assert 0 < div.sum() < 50 and res.converged.sum() > 20
    assert np.isnan(res.final_loss[div]).all() and not res.converged[div].any()
    assert np.isfinite(res.final_loss[~div]).all()
    text = json.dumps(res.as_dict(), allow_nan=False)  # NaN became null
    runs = json.loads(text)["runs"]
    assert all(r["final_loss"] is None for r, d in zip(runs, div, strict=True) if d)
    assert set(res.diagnosis_counts()) <= {*DIAGNOSES, "none"}


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
