"""Convergence explorer in worker processes: the same per-run results, progress and cancel."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import datasets
from nnviz.core.convergence import (
    POOL_MIN_WORK,
    ConvergenceConfig,
    cores,
    default_workers,
    run_convergence,
    runs_first,
)

PER_RUN = ("converged", "epochs", "final_loss", "final_accuracy", "loss_curves")


def _assert_same_runs(a, b) -> None:
    for name in PER_RUN:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.diagnosis == b.diagnosis
    np.testing.assert_array_equal(a.seeds, b.seeds)


@pytest.mark.parametrize(
    ("cfg", "dataset"),
    [
        # runs first (64 points x 8 units), mini-batches in the seeded order, momentum
        (ConvergenceConfig((2, 8, 8, 1), runs=7, epochs=150, batch_size=16, momentum=0.5,
                           loss_threshold=0.2), "checkerboard"),
        # runs last (XOR), some runs converge and leave their slice early
        (ConvergenceConfig((2, 3, 1), runs=9, epochs=3000), "xor"),
    ],
    ids=["runs first", "runs last"],
)
def test_per_run_results_are_bit_identical_for_any_number_of_workers(cfg, dataset) -> None:
    X, Y = datasets.load(dataset, n=64) if dataset == "checkerboard" else datasets.load(dataset)
    assert runs_first(cfg, len(X)) == (dataset == "checkerboard")
    one = run_convergence(cfg, X, Y, workers=1)
    for workers in (2, 3, cfg.runs):  # cfg.runs: one run per process
        many = run_convergence(cfg, X, Y, workers=workers)
        _assert_same_runs(one, many)
        if dataset == "checkerboard":  # no run converges: all train every epoch
            assert many.epochs_run == one.epochs_run == cfg.epochs
        assert not many.cancelled
        # the fraction curve is exact at the epochs it was sampled
        np.testing.assert_array_equal(
            many.curve_fraction, many.fraction_converged_by(many.curve_epochs))
    if dataset == "xor":
        assert 0 < one.converged.sum() < cfg.runs  # both kinds of run were compared


def test_workers_relay_progress_and_cancel() -> None:
    X, Y = datasets.load("xor")
    cfg = ConvergenceConfig((2, 2, 1), runs=6, epochs=50_000, loss_threshold=1e-9)
    calls: list[tuple[int, float]] = []

    def progress(epoch: int, fraction: float) -> bool:
        calls.append((epoch, fraction))
        return epoch < 300

    res = run_convergence(cfg, X, Y, progress=progress, chunk=100, workers=2)
    epochs = [e for e, _ in calls]
    assert epochs[:3] == [100, 200, 300] and epochs == sorted(set(epochs))
    assert res.cancelled and 300 <= res.epochs_run < cfg.epochs
    assert len(res.diagnosis) == 6 and np.isfinite(res.final_loss).all()


def test_by_default_only_large_jobs_use_every_core() -> None:
    small = ConvergenceConfig((2, 2, 1), runs=10, epochs=100)
    assert default_workers(small, 4) == 1
    big = ConvergenceConfig((2, 16, 16, 1), runs=100, epochs=2000)
    assert 512 * 100 * 2000 * 33 >= POOL_MIN_WORK
    assert default_workers(big, 512) == cores() >= 1


def test_bad_worker_counts_are_named() -> None:
    X, Y = datasets.load("xor")
    cfg = ConvergenceConfig((2, 2, 1), runs=2, epochs=10)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="workers must be"):
            run_convergence(cfg, X, Y, workers=bad)
