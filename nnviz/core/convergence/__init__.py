"""Convergence explorer: train many random initialisations of one network at once.

``run_convergence(config, X, Y)`` trains ``config.runs`` independent networks of the same shape
side by side and reports, per run, whether and when it converged, its final loss and, for a run
that did not, why it looks stuck. ``compare(configs, X, Y)`` does that for several architectures
or learning rates. See README, "Convergence explorer".

Reproducing a run alone
    Run r starts from ``initial_parameters(layers, init, seed + r)``, exactly the weights of
    ``Network(layers, ..., init=init, seed=seed + r)``, and follows the update of
    ``Trainer(that_network, X, Y, lr, batch_size, momentum, shuffle=shuffle, seed=seed)``:
    full batch, or mini-batches in the Trainer's seeded order (the same order for every run).
    ``config.network(r)`` and ``config.trainer(r, X, Y)`` build that pair; a test checks that
    run r of the batch equals it to 1e-10. (L2/L1 penalties are not offered here.)

The modules, from the outside in
    - ``config``: ``ConvergenceConfig`` (what to train) and the ``Progress`` callback type.
    - ``driver``: ``run_convergence`` and ``compare``: checks the data, trains in this process
      or in worker processes, merges the slices into one result.
    - ``pool``: the worker processes (``cores``, ``default_workers``).
    - ``train``: one process's share of the runs, chunk by chunk: when a run converged or
      diverged, its history values, the sampled loss curves.
    - ``batch``: the runs still training (parameters, momentum, batch order) and the training
      set in the kernel's layout; ``runs_first`` picks the kernel.
    - ``kernels``: the two batched kernels (forward, loss, backward, update of every run).
    - ``diagnosis``: why a run that did not converge looks stuck.
    - ``results``: ``ConvergenceResult`` (per-run arrays, statistics, JSON) and ``RunResult``.

The names below are the package's public face. Tuning constants are re-exported for reading;
code that changes one (a test) sets it in the module that owns it (``batch.RUNS_FIRST_MIN_SIZE``,
``pool.POOL_MIN_WORK``, ...). Names with a leading underscore are private to the package.
"""

from __future__ import annotations

from nnviz.core.convergence.batch import RUNS_FIRST_MIN_SIZE, TILE_ELEMENTS, runs_first
from nnviz.core.convergence.config import ConvergenceConfig, Progress
from nnviz.core.convergence.diagnosis import (
    DIAGNOSES,
    PLATEAU_RTOL,
    SATURATION_TOL,
    STUCK_OUTPUT_TOL,
    SYMMETRY_TOL,
)
from nnviz.core.convergence.driver import compare, run_convergence
from nnviz.core.convergence.kernels import stack_initial
from nnviz.core.convergence.pool import POOL_MIN_WORK, cores, default_workers
from nnviz.core.convergence.results import ConvergenceResult, RunResult
from nnviz.core.convergence.train import CHUNK_SECONDS, MAX_CHUNK, MAX_CURVE_POINTS

__all__ = [
    "CHUNK_SECONDS",
    "DIAGNOSES",
    "MAX_CHUNK",
    "MAX_CURVE_POINTS",
    "PLATEAU_RTOL",
    "POOL_MIN_WORK",
    "RUNS_FIRST_MIN_SIZE",
    "SATURATION_TOL",
    "STUCK_OUTPUT_TOL",
    "SYMMETRY_TOL",
    "TILE_ELEMENTS",
    "ConvergenceConfig",
    "ConvergenceResult",
    "Progress",
    "RunResult",
    "compare",
    "cores",
    "default_workers",
    "run_convergence",
    "runs_first",
    "stack_initial",
]
