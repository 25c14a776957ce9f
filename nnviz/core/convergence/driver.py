"""``run_convergence`` and ``compare``: the convergence explorer's entry points. See README,
"Convergence explorer", and the package's doc."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from functools import partial

import numpy as np

from nnviz.core import limits
from nnviz.core.convergence.config import ConvergenceConfig, Progress
from nnviz.core.convergence.pool import _train_in_processes, default_workers
from nnviz.core.convergence.results import ConvergenceResult
from nnviz.core.convergence.train import MAX_CURVE_POINTS, _Part, _train_part

Array = np.ndarray


def _check_data(config: ConvergenceConfig, X: Array, Y: Array) -> tuple[Array, Array]:
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(f"X must be a non-empty (samples, features) array, got shape {X.shape}")
    if Y.ndim == 1:
        Y = Y.reshape(len(Y), -1)
    n_in, n_out = config.layers[0], config.layers[-1]
    if X.shape[1] != n_in:
        raise ValueError(
            f"the data has {X.shape[1]} features but layers {config.layers} start with {n_in} "
            "inputs"
        )
    if Y.shape != (len(X), n_out):
        raise ValueError(
            f"targets have shape {Y.shape}, expected ({len(X)}, {n_out}): layers "
            f"{config.layers} end with {n_out} outputs"
        )
    if not (np.isfinite(X).all() and np.isfinite(Y).all()):
        raise ValueError("the data contains NaN or inf")
    limits.check_runs(config.layers, config.runs, len(X), config.batch_size)
    return np.ascontiguousarray(X), np.ascontiguousarray(Y)


def run_convergence(
    config: ConvergenceConfig,
    X: Array,
    Y: Array,
    progress: Progress | None = None,
    chunk: int | None = None,
    workers: int | None = None,
) -> ConvergenceResult:
    """Train config.runs networks at once for up to config.epochs epochs (see README,
    "Convergence explorer", and the package's doc).

    After every chunk of epochs the runs that converged or diverged are dropped from the batch
    and ``progress(epoch, fraction_converged)`` is called; returning False cancels (the result
    then has ``cancelled`` set and ``epochs_run`` < epochs). ``chunk`` epochs per chunk, or
    None: sized to take about ``CHUNK_SECONDS`` each. The per-run results do not depend on the
    chunks (unless a cancel cuts training short); ``epochs_run`` and the sampled fraction curve
    end at a chunk boundary.

    ``workers`` processes share the runs (contiguous slices of them, see ``pool``,
    "Processes"): 1 trains in this process; None uses every core when the job is large enough
    (``POOL_MIN_WORK``), else this process. The per-run results are the same bit for bit
    whatever the number of workers.
    """
    X, Y = _check_data(config, X, Y)
    if chunk is not None and (
        isinstance(chunk, bool) or not isinstance(chunk, int | np.integer) or chunk < 1
    ):
        raise ValueError(f"chunk must be a whole number >= 1 or None, got {chunk!r}")
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int | np.integer) or workers < 1
    ):
        raise ValueError(f"workers must be a whole number >= 1 or None, got {workers!r}")
    t0 = time.perf_counter()
    R = config.runs
    n_workers = min(R, default_workers(config, len(X)) if workers is None else int(workers))
    if n_workers > 1:
        parts, ends = _train_in_processes(config, X, Y, n_workers, progress, chunk)
    else:
        def report(epoch: int, n_converged: int) -> bool | None:
            return None if progress is None else progress(epoch, n_converged / R)

        part = _train_part(config, X, Y, np.arange(R), report, chunk)
        parts, ends = [part], part.ends
    return _merge(config, parts, ends, time.perf_counter() - t0)


def _merge(
    config: ConvergenceConfig, parts: list[_Part], ends: list[int], elapsed: float
) -> ConvergenceResult:
    R, E = config.runs, config.epochs
    stride = max(1, math.ceil(E / MAX_CURVE_POINTS))
    curves = np.empty((R, len(range(stride, E + 1, stride))))
    converged = np.empty(R, bool)
    epochs = np.empty(R, np.int64)
    final_loss, final_acc = np.empty(R), np.empty(R)
    diagnosis: list[str | None] = [None] * R
    for part in parts:
        ids = part.run_ids
        converged[ids], epochs[ids], curves[ids] = part.converged, part.epochs, part.curves
        final_loss[ids], final_acc[ids] = part.final_loss, part.final_acc
        for r, dg in zip(ids.tolist(), part.diagnosis, strict=True):
            diagnosis[r] = dg
    # the fraction converged by the end of every chunk: exact from the runs' epochs
    conv_epochs = np.sort(epochs[converged])
    curve_epochs = np.array([0, *ends])
    curve_fraction = np.searchsorted(conv_epochs, curve_epochs, side="right") / R
    return ConvergenceResult(
        config=config,
        seeds=config.seed + np.arange(R),
        converged=converged,
        epochs=epochs,
        final_loss=final_loss,
        final_accuracy=final_acc,
        diagnosis=diagnosis,
        loss_curve_epochs=np.arange(stride, E + 1, stride),
        loss_curves=curves,
        curve_epochs=curve_epochs,
        curve_fraction=curve_fraction,
        epochs_run=max(p.done for p in parts),
        cancelled=any(p.cancelled for p in parts),
        elapsed=elapsed,
        network_epochs=sum(p.work for p in parts),
        cpu_seconds=sum(p.cpu_seconds for p in parts),
    )


def compare(
    configs: Sequence[ConvergenceConfig],
    X: Array,
    Y: Array,
    progress: Callable[[int, int, float], bool | None] | None = None,
    chunk: int | None = None,
) -> list[ConvergenceResult]:
    """run_convergence for each configuration in turn on the same data.

    progress(config_index, epoch, fraction_converged) -> False cancels: the configuration in
    progress is returned cancelled and the later ones are not run (the list is then shorter).
    """
    results = []
    for i, cfg in enumerate(configs):
        cb = None if progress is None else partial(progress, i)
        res = run_convergence(cfg, X, Y, cb, chunk)
        results.append(res)
        if res.cancelled:
            break
    return results
