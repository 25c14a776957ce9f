"""Why runs that did not converge look stuck: symmetric, plateau, dead ReLUs, saturated,
diverged."""

from __future__ import annotations

import json

import numpy as np

from nnviz.core import datasets
from nnviz.core.convergence import DIAGNOSES, ConvergenceConfig, compare, run_convergence

X, Y = datasets.load("xor")


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
