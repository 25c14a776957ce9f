"""Why a run of the convergence explorer that neither converged nor diverged looks stuck.

Stuck diagnoses (the first that applies, judged on the final weights over the whole training set)
    - "dead ReLUs": at least half the units of a ReLU layer output 0 on every training point.
    - "saturated hidden units": at least half the units of a sigmoid/tanh layer are within
      ``SATURATION_TOL`` of a bound of the activation on every training point (gradient ~0).
    - "symmetric hidden units": the output is (nearly) the same on every training point (spread
      <= ``STUCK_OUTPUT_TOL`` of its range) and the units of a hidden layer compute (nearly) the
      same function: on every training point they differ by at most ``SYMMETRY_TOL`` of the
      activation's range. The symmetric saddle: the layer offers one feature, so the output
      can only be a constant.
    - "loss plateau": the loss changed by less than ``PLATEAU_RTOL`` (relative) over the last
      10 % of the epochs trained. On XOR 2-2-1 (xavier) these are mostly the classic local
      minimum near loss 0.0625 where two patterns sit at output 0.5: followed to 50,000
      epochs they creep to 0.0627 and stay; runs still falling faster usually escape.
    - None: not converged but the loss is still falling; more epochs may do it.
A run whose loss became NaN/inf, or whose weights passed ``trainer.WEIGHT_LIMIT``, is "diverged"
(see ``train``).

The case the explorer exists to explain: the ``small`` initialiser (0.01 * randn, zero biases)
with sigmoid units on XOR. What happens (measured, lr 0.5, 10,000 epochs, 200 runs each of
2-2-1, 2-4-1 and 2-8-1: none converged, all diagnosed "symmetric hidden units"): every hidden
unit works in the linear middle of the sigmoid and outputs 0.5 +- 0.01 on all four points, and
the output bias centres the output on 0.5 (loss 0.125) within a few hundred epochs. From there
the output deltas are +-0.125 in XOR's pattern, and for a near-linear hidden layer their
contributions to every hidden weight's gradient cancel over the four points, so the hidden
weights hardly move (about 1e-5 in 10,000 epochs). Note that the units' WEIGHTS are not copies
of each other (they keep their random differences of size 0.01); it is their outputs that are
nearly the same, which is what the diagnosis tests. The same 2-2-1 network with ``xavier``
init converges in about three runs out of four.
"""

from __future__ import annotations

import numpy as np

from nnviz.core.convergence.batch import _Batch, _Data
from nnviz.core.convergence.config import ConvergenceConfig
from nnviz.core.convergence.kernels import _RunsFirstWorkspace, _Workspace

Array = np.ndarray

#: Hidden units count as copies when their outputs differ by at most this fraction of the
#: activation's range on every training point (small-init XOR: <= 0.02 measured).
SYMMETRY_TOL = 0.05
#: The output counts as constant when it varies by at most this fraction of its range.
STUCK_OUTPUT_TOL = 0.05
#: A unit is saturated when within this distance of a bound of its activation on every sample.
SATURATION_TOL = 1e-3
#: Relative loss change over the last 10 % of epochs below which the loss counts as flat.
PLATEAU_RTOL = 0.01

DIAGNOSES: tuple[str, ...] = (
    "diverged",
    "dead ReLUs",
    "saturated hidden units",
    "symmetric hidden units",
    "loss plateau",
)

_BOUNDS = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}


def _diagnose(
    config: ConvergenceConfig, state: _Batch, data: _Data, curves: Array, stride: int,
    epochs_run: int,
) -> list[str | None]:
    """Diagnoses for the runs still in ``state`` (neither converged nor diverged)."""
    sizes = config.layers
    # the final activations on all training points, in the kernel the runs trained in, seen
    # as (samples, units, runs)
    if data.first:
        store = np.ascontiguousarray(state.store)
        ws = _RunsFirstWorkspace(config, store, np.empty_like(store), data.n)
        with np.errstate(all="ignore"):
            out = ws.forward(data.x).transpose(2, 1, 0)
        acts = [None] + [ws.a[l].transpose(2, 1, 0) for l in range(1, len(sizes) - 1)]  # noqa: E741
    else:
        params = _Batch._padded(np.ascontiguousarray(state.params))  # as in training
        ws = _Workspace(config, params, np.empty_like(params), data.n)
        with np.errstate(all="ignore"):
            out = ws.forward(data.xaug)
        acts = ws.a
    Ra = out.shape[-1]
    found: list[str | None] = [None] * Ra
    hidden = config.activation

    def mark(mask: Array, name: str) -> None:
        for c in np.nonzero(mask)[0]:
            if found[c] is None:
                found[c] = name

    # Dead ReLUs first: a layer of dead units is also "symmetric", but this names the cause.
    for l in range(1, len(sizes) - 1):  # noqa: E741
        if hidden == "relu":
            dead = (acts[l] <= 0.0).all(axis=0)  # (units, runs)
            mark(dead.sum(axis=0) * 2 >= sizes[l], "dead ReLUs")

    for l in range(1, len(sizes) - 1):  # noqa: E741
        # before symmetric: units saturated alike are copies too, but saturation is the cause
        if hidden in _BOUNDS:
            a = acts[l]
            lo, hi = _BOUNDS[hidden]
            sat = ((a - lo <= SATURATION_TOL) | (hi - a <= SATURATION_TOL)).all(axis=0)
            mark(sat.sum(axis=0) * 2 >= sizes[l], "saturated hidden units")

    # Symmetric: the output is (nearly) the same on every training point and the units of some
    # hidden layer compute (nearly) the same function on every training point.
    out_range = _range(config.output, out)
    flat_out = _spread(out, axis=0).max(axis=0) <= STUCK_OUTPUT_TOL * out_range
    sym = np.zeros(Ra, bool)
    for l in range(1, len(sizes) - 1):  # noqa: E741
        if sizes[l] >= 2:
            a = acts[l]
            sym |= _spread(a, axis=1).max(axis=0) <= SYMMETRY_TOL * _range(hidden, a)
    mark(flat_out & sym, "symmetric hidden units")

    # plateau: loss sample nearest 0.9 * epochs_run against the last epoch's loss
    ref_epoch = int(0.9 * epochs_run) // stride * stride
    last_epoch = epochs_run // stride * stride
    if ref_epoch >= stride and last_epoch > ref_epoch:
        ref = curves[state.pos, ref_epoch // stride - 1]
        last = curves[state.pos, last_epoch // stride - 1]
        with np.errstate(invalid="ignore"):
            flat = np.abs(last - ref) <= PLATEAU_RTOL * np.maximum(np.abs(ref), 1e-12)
        mark(flat, "loss plateau")
    return found[: len(state.ids)]


def _spread(a: Array, axis: int) -> Array:
    """max - min along axis of a (batch, units, runs) array: (what is left, runs)."""
    return a.max(axis=axis) - a.min(axis=axis)


def _range(activation: str, a: Array) -> Array | float:
    """The activation's output range, or the largest |a| per run for unbounded ones."""
    if activation in _BOUNDS:
        lo, hi = _BOUNDS[activation]
        return hi - lo
    if activation == "softmax":
        return 1.0
    return np.abs(a).reshape(-1, a.shape[-1]).max(axis=0)
