"""Opening one run of the convergence explorer in the main window.

Run r of a configuration starts from ``config.network(r)`` (seed config.seed + r). `open_run`
rebuilds the main window's network with that configuration and seed, so Reset returns to the
run's start, copies run r's initial weights in, and, for mini-batches, reseeds the trainer's
batch order with the configuration's seed, so stepping epochs in the main window retraces
``config.trainer(r, X, Y)``. See README, "Convergence explorer".
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnviz.core.convergence import ConvergenceResult
from nnviz.gui.convergence.text import diagnosis_name
from nnviz.gui.convergence.worker import Job


def open_run(controller: Any, job: Job, result: ConvergenceResult, run: int) -> str | None:
    """Put run ``run`` of ``result`` (a configuration of ``job``) into the main window's
    ``controller`` at its initial weights, paused. Returns why it could not, or None."""
    cfg = result.config
    c = controller
    c.pause()
    changes = dict(job.data_settings, hidden=tuple(cfg.layers[1:-1]),
                   activation=cfg.activation, output=cfg.output, loss=cfg.loss,
                   init=cfg.init, seed=cfg.run_seed(run), lr=cfg.lr,
                   momentum=cfg.momentum, batch_size=cfg.batch_size, l2=0.0, l1=0.0,
                   bias="trained")  # the explorer trains every bias
    error = c.apply_settings(**changes)
    if error:
        return error
    X, Y = c.dataset.X_train, c.dataset.Y_train
    if X.shape != job.X.shape or not (np.array_equal(X, job.X) and np.array_equal(Y, job.Y)):
        return f"the data set differs from the one these runs trained on ({job.dataset_name})"
    with c.worker.lock:
        c.net.set_params(*result.initial_parameters(run))
        if c.trainer.batch_size is not None:
            # the explorer's batch order comes from the configuration's seed for every run
            c.trainer.rng = np.random.default_rng(cfg.seed)
    c.refresh_from_network()
    return None


def loaded_text(result: ConvergenceResult, run: int) -> str:
    """'Loaded run 17 (seed 20): converged at epoch 1,234' (or why it did not)."""
    r = result.run(run)
    if r.converged:
        outcome = f"converged at epoch {r.epochs_to_converge:,}"
    else:
        outcome = f"not converged: {diagnosis_name(r.diagnosis)}"
    return f"Loaded run {run} (seed {r.seed}): {outcome}"
