"""One process's share of a convergence job: its runs trained chunk by chunk.

Convergence
    A run converges at the first epoch whose Trainer-history row shows every training point
    classified correctly (when ``require_all_correct``) and a train loss below
    ``loss_threshold``. Those values are measured as the Trainer measures them: during the
    epoch, before each batch's update (for full batch: the loss of the weights the epoch
    started from). ``epochs_to_converge`` is that epoch number (1-based, like
    ``History.epoch``); ``final_loss``/``final_accuracy`` are that row's values. A converged run
    stops there: it is dropped from the batch at the end of the chunk in which it converged
    (whatever it did after its convergence epoch is never reported), and training stops early
    when every run has converged or diverged. A run whose loss becomes NaN/inf, or whose
    weights pass ``trainer.WEIGHT_LIMIT``, is marked diverged (diagnosis "diverged") and dropped;
    the other runs carry on. Runs that never converge train for all ``epochs``; their
    ``final_loss``/``final_accuracy`` are the last epoch's history values; ``diagnosis`` says
    why they look stuck.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnviz.core.convergence.batch import _Batch, _Data, runs_first
from nnviz.core.convergence.config import ConvergenceConfig
from nnviz.core.convergence.diagnosis import _diagnose
from nnviz.core.convergence.kernels import _loss_scale
from nnviz.core.trainer import WEIGHT_LIMIT

Array = np.ndarray

#: At most this many loss samples per run are kept for the loss curves.
MAX_CURVE_POINTS = 500
#: Automatic chunks: about this long between progress calls, and at most this many epochs.
CHUNK_SECONDS = 0.1
MAX_CHUNK = 2000


@dataclass
class _Part:
    """Per-run results of the runs ``run_ids`` (in that order), trained in one process."""

    run_ids: Array
    converged: Array
    epochs: Array
    final_loss: Array
    final_acc: Array
    curves: Array
    diagnosis: list[str | None]
    done: int
    cancelled: bool
    work: int
    ends: list[int]  # the epoch at the end of every chunk
    cpu_seconds: float


def _train_part(
    config: ConvergenceConfig, X: Array, Y: Array, run_ids: Array,
    report: Callable[[int, int], bool | None], chunk: int | None,
) -> _Part:
    """Train the given runs in this process; report(epoch, n_converged) after every chunk,
    False from it cancels."""
    cpu0 = time.process_time()
    R, E, n = len(run_ids), config.epochs, len(X)
    data = _Data(X, Y, runs_first(config, n))
    state = _Batch(config, data, run_ids)
    converged = np.zeros(R, bool)
    diverged = np.zeros(R, bool)
    epochs = np.zeros(R, np.int64)
    final_loss = np.full(R, np.nan)
    final_acc = np.full(R, np.nan)
    stride = max(1, math.ceil(E / MAX_CURVE_POINTS))
    curve_x = np.arange(stride, E + 1, stride)
    curves = np.full((R, len(curve_x)), np.nan)
    ends: list[int] = []
    loss_scale = _loss_scale(config.loss) / n
    thr = config.loss_threshold
    size = 10 if chunk is None else int(chunk)
    loss_buf = np.empty((size, R))
    wrong_buf = np.empty((size, R))
    done = 0
    cancelled = False
    work = 0
    with np.errstate(all="ignore"):  # a diverging run makes inf/NaN; it is caught below
        while done < E and len(state.ids):
            m = min(size, E - done)
            Ra = len(state.ids)
            if len(loss_buf) < m:
                loss_buf, wrong_buf = np.empty((m, R)), np.empty((m, R))
            lrows, wrows = loss_buf[:m, :Ra], wrong_buf[:m, :Ra]
            started = time.perf_counter()
            state.train(lrows, wrows)
            if chunk is None:  # aim the next chunk at CHUNK_SECONDS (at most 4x bigger)
                spent = max(time.perf_counter() - started, 1e-6)
                size = int(min(4 * m, max(1, m * CHUNK_SECONDS / spent), MAX_CHUNK))
            work += m * Ra
            lrows *= loss_scale
            ok = lrows < thr
            if config.require_all_correct:
                ok &= wrows == 0
            bad = ~np.isfinite(lrows)
            first_ok = ok.argmax(axis=0)
            first_bad = bad.argmax(axis=0)
            any_ok, any_bad = ok.any(axis=0), bad.any(axis=0)
            conv = any_ok & (~any_bad | (first_ok < first_bad))
            div = any_bad & ~conv
            P = state.params
            with np.errstate(invalid="ignore"):
                big = ~(np.abs(P).max(axis=0) <= WEIGHT_LIMIT)  # NaN counts as big
            div |= big & ~conv
            ids = state.pos
            # history rows: the convergence epoch for converged runs, else the last one
            row = np.where(conv, first_ok, m - 1)
            cols = np.arange(Ra)
            final_loss[ids] = lrows[row, cols]
            final_acc[ids] = (n - wrows[row, cols]) / n  # as the Trainer: correct / n
            epochs[ids[conv]] = done + first_ok[conv] + 1
            converged[ids[conv]] = True
            diverged[ids[div]] = True
            epochs[ids[div]] = np.where(any_bad[div], done + first_bad[div] + 1, done + m)
            final_loss[ids[div]] = np.nan
            final_acc[ids[div]] = np.nan
            # sampled loss curves; a run's samples stop at its convergence epoch
            sel = np.nonzero((np.arange(done + 1, done + m + 1) % stride) == 0)[0]
            if len(sel):
                ep = done + sel + 1
                vals = lrows[sel].T.copy()  # (Ra, len(sel))
                stop_at = np.where(conv, done + first_ok + 1, E + 1)
                vals[ep[None, :] > stop_at[:, None]] = np.nan
                curves[ids[:, None], (ep // stride - 1)[None, :]] = vals
            done += m
            ends.append(done)
            leave = conv | div
            if leave.any():
                state.keep(~leave)
            if report(done, int(converged.sum())) is False:
                cancelled = done < E and len(state.ids) > 0
                break
    diagnosis: list[str | None] = [None] * R
    for r in np.nonzero(diverged)[0]:
        diagnosis[r] = "diverged"
    if len(state.ids):
        for r, dg in zip(state.pos, _diagnose(config, state, data, curves, stride, done),
                         strict=True):
            diagnosis[r] = dg
    return _Part(np.asarray(run_ids), converged, epochs * converged, final_loss, final_acc,
                 curves, diagnosis, done, cancelled, work, ends, time.process_time() - cpu0)
