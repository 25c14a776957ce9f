"""Convergence explorer: train many random initialisations of one network at once.

``run_convergence(config, X, Y)`` trains ``config.runs`` independent networks of the same shape
side by side and reports, per run, whether and when it converged, its final loss and, for a run
that did not, why it looks stuck. ``compare(configs, X, Y)`` does that for several architectures
or learning rates.

Reproducing a run alone
    Run r starts from ``initial_parameters(layers, init, seed + r)``, exactly the weights of
    ``Network(layers, ..., init=init, seed=seed + r)``, and follows the update of
    ``Trainer(that_network, X, Y, lr, batch_size, momentum, shuffle=shuffle, seed=seed)``:
    full batch, or mini-batches in the Trainer's seeded order (the same order for every run).
    ``config.network(r)`` and ``config.trainer(r, X, Y)`` build that pair; a test checks that
    run r of the batch equals it to 1e-10. (L2/L1 penalties are not offered here.)

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
    ``final_loss``/``final_accuracy`` are the last epoch's history values.

Stuck diagnoses (runs that neither converged nor diverged; the first that applies, judged on
the final weights over the whole training set)
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

The case this module exists to explain: the ``small`` initialiser (0.01 * randn, zero biases)
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

Speed (measured by ``nnviz bench converge``). Arrays are stored with the run axis LAST
(activations (batch, units, runs), parameter blocks (n_in + 1, n_out, runs), all parameters of
all runs in one (n_params, runs) array), so every elementwise call is one long contiguous loop
and an optimiser step is two NumPy calls for all runs. The products use ``np.einsum`` over that
layout: for XOR-sized layers it measured 2-8x faster than ``np.matmul`` over a leading run axis
and ~2x faster than explicit broadcasting plus a sum (for a 512-sample 9x8 layer matmul is ~4x
faster, but there the elementwise work dominates either way). Each layer keeps a trailing row
of ones in its input (the bias trick) so one product gives z = a W + b and one gives [dW; db].
Nothing is allocated per epoch for mse losses and full batch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from nnviz.core import activations as act
from nnviz.core import losses
from nnviz.core.network import Network, initial_parameters, parse_layers
from nnviz.core.optim import check_hyper
from nnviz.core.trainer import WEIGHT_LIMIT, Trainer, epoch_order

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
#: At most this many loss samples per run are kept for the loss curves.
MAX_CURVE_POINTS = 500
#: Automatic chunks: about this long between progress calls, and at most this many epochs.
CHUNK_SECONDS = 0.1
MAX_CHUNK = 2000

DIAGNOSES: tuple[str, ...] = (
    "diverged",
    "dead ReLUs",
    "saturated hidden units",
    "symmetric hidden units",
    "loss plateau",
)

_BOUNDS = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}

# progress(epoch, fraction_converged) -> False to cancel
Progress = Callable[[int, float], "bool | None"]


# ---- configuration ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ConvergenceConfig:
    """One architecture + training setting, trained ``runs`` times from seeds seed .. seed+runs-1.

    Names are validated and canonicalised exactly as ``Network`` does it; bad values raise
    ValueError naming the value.
    """

    layers: tuple[int, ...] | str | Sequence[int]
    activation: str = "sigmoid"
    output: str = "sigmoid"
    loss: str = "mse"
    init: str = "xavier"
    lr: float = 0.5
    momentum: float = 0.0
    batch_size: int | None = None
    shuffle: bool = True
    epochs: int = 10_000
    runs: int = 100
    seed: int = 0
    loss_threshold: float = 0.05
    require_all_correct: bool = True

    def __post_init__(self) -> None:
        sizes = parse_layers(self.layers)
        # Network validates the layer count, activations, loss pair and init with its messages.
        net = Network(sizes, self.activation, self.output, self.loss, self.init, seed=0)
        check_hyper(lr=self.lr, momentum=self.momentum)
        for name in ("epochs", "runs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
        if self.batch_size is not None and (
            isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int | np.integer)
            or self.batch_size < 1
        ):
            raise ValueError(
                f"batch size must be a whole number >= 1 (or None for full batch), "
                f"got {self.batch_size!r}"
            )
        if not isinstance(self.seed, int | np.integer) or self.seed < 0:
            raise ValueError(f"seed must be a whole number >= 0, got {self.seed!r}")
        if not (math.isfinite(self.loss_threshold) and self.loss_threshold > 0):
            raise ValueError(f"loss threshold must be a number > 0, got {self.loss_threshold!r}")
        set_ = partial(object.__setattr__, self)
        set_("layers", sizes)
        set_("activation", net.activation)
        set_("output", net.output)
        set_("loss", net.loss_name)
        for name in ("epochs", "runs", "seed"):
            set_(name, int(getattr(self, name)))
        set_("batch_size", None if self.batch_size is None else int(self.batch_size))
        set_("lr", float(self.lr))
        set_("momentum", float(self.momentum))
        set_("loss_threshold", float(self.loss_threshold))

    @property
    def label(self) -> str:
        """Short text for tables: '2-2-1 sigmoid xavier lr=0.5'."""
        text = f"{'-'.join(map(str, self.layers))} {self.activation} {self.init} lr={self.lr:g}"
        if self.momentum:
            text += f" mom={self.momentum:g}"
        if self.batch_size is not None:
            text += f" batch={self.batch_size}"
        return text

    def run_seed(self, run: int) -> int:
        return self.seed + int(run)

    def network(self, run: int) -> Network:
        """Run ``run``'s network at its initial weights: train it alone with ``trainer``."""
        return Network(
            self.layers, self.activation, self.output, self.loss, self.init,
            seed=self.run_seed(run),
        )

    def trainer(self, run: int, X: Array, Y: Array) -> Trainer:
        """The Trainer that reproduces run ``run`` alone (same weights, update and batch order)."""
        return Trainer(
            self.network(run), X, Y, lr=self.lr, batch_size=self.batch_size,
            momentum=self.momentum, shuffle=self.shuffle, seed=self.seed,
        )

    def as_dict(self) -> dict:
        return {
            "layers": list(self.layers), "activation": self.activation, "output": self.output,
            "loss": self.loss, "init": self.init, "lr": self.lr, "momentum": self.momentum,
            "batch_size": self.batch_size, "shuffle": self.shuffle, "epochs": self.epochs,
            "runs": self.runs, "seed": self.seed, "loss_threshold": self.loss_threshold,
            "require_all_correct": self.require_all_correct,
        }


# ---- results ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class RunResult:
    run: int
    seed: int
    converged: bool
    epochs_to_converge: int | None
    final_loss: float
    final_accuracy: float
    diagnosis: str | None


def _json_float(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


@dataclass
class ConvergenceResult:
    """Per-run arrays (index = run r, seed = config.seed + r) and summaries.

    ``epochs`` holds epochs to converge, 0 for runs that did not converge. ``final_loss`` and
    ``final_accuracy`` are NaN for diverged runs. ``loss_curves`` (runs, len(loss_curve_epochs))
    samples every run's history loss at the epochs ``loss_curve_epochs`` (NaN after a run
    converged). ``curve_epochs``/``curve_fraction``: fraction converged by the end of every
    chunk, the live plot's data (``fraction_converged_by`` gives it at any epoch).
    """

    config: ConvergenceConfig
    seeds: Array
    converged: Array
    epochs: Array
    final_loss: Array
    final_accuracy: Array
    diagnosis: list[str | None]
    loss_curve_epochs: Array
    loss_curves: Array
    curve_epochs: Array
    curve_fraction: Array
    epochs_run: int
    cancelled: bool = False
    elapsed: float = 0.0
    network_epochs: int = 0  # run-epochs actually computed (converged runs drop out)
    _runs: list[RunResult] | None = field(default=None, repr=False)

    @property
    def n_runs(self) -> int:
        return len(self.seeds)

    @property
    def fraction_converged(self) -> float:
        return float(np.mean(self.converged)) if self.n_runs else math.nan

    @property
    def converged_epochs(self) -> Array:
        return self.epochs[self.converged]

    @property
    def median_epochs(self) -> float | None:
        e = self.converged_epochs
        return float(np.median(e)) if len(e) else None

    @property
    def p90_epochs(self) -> float | None:
        e = self.converged_epochs
        return float(np.percentile(e, 90)) if len(e) else None

    def fraction_converged_by(self, epochs: Array) -> Array:
        """Exact fraction of all runs converged by each given epoch."""
        e = np.sort(self.converged_epochs)
        return np.searchsorted(e, np.asarray(epochs), side="right") / max(self.n_runs, 1)

    def diagnosis_counts(self) -> dict[str, int]:
        """Count of every diagnosis among the runs that did not converge (None: still falling)."""
        counts: dict[str, int] = {}
        for c, d in zip(self.converged, self.diagnosis, strict=True):
            if not c:
                key = d if d is not None else "none"
                counts[key] = counts.get(key, 0) + 1
        return counts

    def histogram(self, bins: int = 20) -> tuple[Array, Array]:
        """(edges, counts) of epochs to converge: ``bins`` (at most epochs_run) equal bins over
        [0.5, epochs_run + 0.5]; bin i holds epochs ceil(edges[i]) .. ceil(edges[i + 1]) - 1."""
        hi = max(self.epochs_run, 1)
        counts, edges = np.histogram(
            self.converged_epochs, bins=max(1, min(int(bins), hi)), range=(0.5, hi + 0.5)
        )
        return edges, counts

    def run(self, r: int) -> RunResult:
        c = bool(self.converged[r])
        return RunResult(
            run=int(r), seed=int(self.seeds[r]), converged=c,
            epochs_to_converge=int(self.epochs[r]) if c else None,
            final_loss=float(self.final_loss[r]), final_accuracy=float(self.final_accuracy[r]),
            diagnosis=self.diagnosis[r],
        )

    @property
    def runs(self) -> list[RunResult]:
        if self._runs is None:
            self._runs = [self.run(r) for r in range(self.n_runs)]
        return self._runs

    def initial_parameters(self, r: int) -> tuple[list[Array], list[Array]]:
        """Run r's initial weights and biases, ready for ``Network.set_params``."""
        cfg = self.config
        return initial_parameters(cfg.layers, cfg.init, cfg.run_seed(r))

    def as_dict(self, include_runs: bool = True) -> dict:
        """JSON-safe summary (NaN and inf become None)."""
        d = {
            "layers": list(self.config.layers),
            "label": self.config.label,
            "config": self.config.as_dict(),
            "fraction_converged": self.fraction_converged,
            "median_epochs": self.median_epochs,
            "p90_epochs": self.p90_epochs,
            "epochs_run": self.epochs_run,
            "cancelled": self.cancelled,
            "diagnoses": self.diagnosis_counts(),
        }
        if include_runs:
            d["runs"] = [
                {
                    "seed": r.seed, "converged": r.converged, "epochs": r.epochs_to_converge,
                    "final_loss": _json_float(r.final_loss),
                    "final_accuracy": _json_float(r.final_accuracy), "diagnosis": r.diagnosis,
                }
                for r in self.runs
            ]
        return d


# ---- the batched kernel ----------------------------------------------------------------------
def _blocks(flat: Array, sizes: Sequence[int]) -> list[Array]:
    """(n_params, runs) -> per-layer (n_in + 1, n_out, runs) views ([W; b] as in Network)."""
    out, off = [], 0
    for i, o in zip(sizes[:-1], sizes[1:], strict=True):
        out.append(flat[off : off + (i + 1) * o].reshape(i + 1, o, flat.shape[1]))
        off += (i + 1) * o
    return out


def _n_params(sizes: Sequence[int]) -> int:
    return sum((i + 1) * o for i, o in zip(sizes[:-1], sizes[1:], strict=True))


def stack_initial(config: ConvergenceConfig, run_ids: Array) -> Array:
    """Initial parameters of the given runs, stacked (n_params, len(run_ids))."""
    sizes = config.layers
    P = np.empty((_n_params(sizes), len(run_ids)))
    blocks = _blocks(P, sizes)
    for c, r in enumerate(run_ids):
        w, b = initial_parameters(sizes, config.init, config.run_seed(int(r)))
        for l, blk in enumerate(blocks):  # noqa: E741
            blk[:-1, :, c] = w[l]
            blk[-1, :, c] = b[l]
    return P


class _Workspace:
    """Buffers for one (batch, runs) shape; ``step`` trains all runs on one batch, allocation-free
    for mse with a sigmoid/tanh/linear output."""

    def __init__(self, config: ConvergenceConfig, P: Array, G: Array, batch: int) -> None:
        sizes = config.layers
        R = P.shape[1]
        L = len(sizes) - 1
        k = sizes[-1]
        self.L, self.R, self.batch = L, R, batch
        self.loss, self.output = config.loss, config.output
        hidden = act.get(config.activation)
        out = act.get(config.output)
        fout = partial(act.softmax, axis=1) if out.name == "softmax" else out.f
        self.f = [hidden.f] * (L - 1) + [fout]
        self.fprime = [hidden.derivative] * (L - 1)
        self.P = _blocks(P, sizes)
        self.W = [p[:-1] for p in self.P]
        self.G = _blocks(G, sizes)
        # a[l] = activations entering layer l (a[0] is the data, passed to step); hidden ones
        # keep a trailing unit of ones so one einsum computes a W + b.
        self.a_aug = [None] + [np.ones((batch, n + 1, R)) for n in sizes[1:-1]]
        self.a = [None] + [m[:, :-1] for m in self.a_aug[1:]] + [np.empty((batch, k, R))]
        self.z = [np.empty((batch, n, R)) for n in sizes[1:]]
        self.d = [np.empty((batch, n, R)) for n in sizes[1:]]
        self.s = [np.empty((batch, n, R)) for n in sizes[1:]]
        self.diff = np.empty((batch, k, R))
        self.single = k == 1
        self.wrong = np.empty((batch, k, R) if self.single else (batch, R), bool)
        self.argmax = None if self.single else np.empty((batch, R), np.intp)
        self.loss_tmp = np.empty(R)
        self.wrong_tmp = np.empty(R)
        self.scale = np.array(1.0)

    def forward(self, xaug: Array) -> Array:
        """xaug (batch, n_in + 1) with a trailing column of ones -> output (batch, k, runs)."""
        ein = np.einsum
        ein("bi,ijr->bjr", xaug, self.P[0], out=self.z[0])
        self.f[0](self.z[0], self.a[1])
        for l in range(1, self.L):  # noqa: E741
            ein("bir,ijr->bjr", self.a_aug[l], self.P[l], out=self.z[l])
            self.f[l](self.z[l], self.a[l + 1])
        return self.a[self.L]

    def step(
        self, xaug: Array, t: Array, t_bool: Array | None, t_class: Array | None,
        loss_out: Array, wrong_out: Array, accumulate: bool, scale: float,
        params: Array, grad: Array, velocity: Array | None, momentum: Array,
    ) -> None:
        """Forward, per-run loss sum and error count, backward and the SGD update of all runs.

        t (batch, k, 1) broadcasts over the runs. Writes (or adds, when accumulate) the batch's
        summed raw loss (sum of (a - t)^2 for mse; see _loss_scale) and its number of wrong
        samples into loss_out/wrong_out (runs,). scale = lr / batch.
        """
        ein = np.einsum
        L = self.L
        out = self.forward(xaug)
        lrow = self.loss_tmp if accumulate else loss_out
        wrow = self.wrong_tmp if accumulate else wrong_out
        if self.loss == "mse":
            np.subtract(out, t, out=self.diff)
            ein("bkr,bkr->r", self.diff, self.diff, out=lrow)
        else:
            np.sum(losses.per_sample(self.loss, self.z[-1], out, t), axis=0, out=lrow)
        if self.single:
            np.greater(out, 0.5, out=self.wrong)
            np.not_equal(self.wrong, t_bool, out=self.wrong)
            np.sum(self.wrong, axis=(0, 1), out=wrow)
        else:
            np.argmax(out, axis=1, out=self.argmax)
            np.not_equal(self.argmax, t_class, out=self.wrong)
            np.sum(self.wrong, axis=0, out=wrow)
        if accumulate:
            loss_out += lrow
            wrong_out += wrow
        losses.output_delta_and_loss(
            self.loss, self.output, self.z[-1], out, t, self.d[-1], self.s[-1],
            want_loss=False, axis=1,
        )
        for l in range(L - 1, 0, -1):  # noqa: E741
            ein("bir,bjr->ijr", self.a_aug[l], self.d[l], out=self.G[l])
            ein("bjr,ijr->bir", self.d[l], self.W[l], out=self.d[l - 1])
            self.d[l - 1] *= self.fprime[l - 1](self.z[l - 1], self.a[l], self.s[l - 1])
        ein("bi,bjr->ijr", xaug, self.d[0], out=self.G[0])
        # The Trainer's update: g = sum / batch; v = mu v - lr g; p += v  (mu = 0: p -= lr g)
        self.scale[...] = scale
        grad *= self.scale
        if velocity is None:
            params -= grad
        else:
            velocity *= momentum
            velocity -= grad
            params += velocity


def _loss_scale(loss: str) -> float:
    # the kernel sums (a - t)^2 for mse; E = 1/2 sum (a - t)^2
    return 0.5 if loss == "mse" else 1.0


class _Data:
    """The training set in the kernel's layout, plus per-epoch shuffled copies for mini-batches."""

    def __init__(self, X: Array, Y: Array) -> None:
        n = len(X)
        self.n = n
        self.xaug = np.ones((n, X.shape[1] + 1))
        self.xaug[:, :-1] = X
        self.t = np.ascontiguousarray(Y[:, :, None])
        self.t_bool = self.t > 0.5
        self.t_class = Y.argmax(axis=1)[:, None] if Y.shape[1] > 1 else None
        self._perm = (
            np.empty_like(self.xaug), np.empty_like(self.t), np.empty_like(self.t_bool),
            None if self.t_class is None else np.empty_like(self.t_class),
        )

    def permuted(self, order: Array) -> tuple[Array, Array, Array, Array | None]:
        xs, ts, tbs, tcs = self._perm
        np.take(self.xaug, order, axis=0, out=xs)
        np.take(self.t, order, axis=0, out=ts)
        np.take(self.t_bool, order, axis=0, out=tbs)
        if tcs is not None:
            np.take(self.t_class, order, axis=0, out=tcs)
        return xs, ts, tbs, tcs


class _Batch:
    """The state of the runs still training: their parameters, momentum and workspaces."""

    def __init__(self, config: ConvergenceConfig, data: _Data, run_ids: Array) -> None:
        self.config = config
        self.data = data
        self.ids = np.asarray(run_ids, np.intp)
        self.params = stack_initial(config, self.ids)
        self.velocity = np.zeros_like(self.params) if config.momentum else None
        self.momentum = np.array(config.momentum)
        self.rng = np.random.default_rng(config.seed)
        B = config.batch_size
        self.batch = None if B is None or B >= data.n else B
        self._new_buffers()

    def _new_buffers(self) -> None:
        self.grad = np.empty_like(self.params)
        self._ws: dict[int, _Workspace] = {}

    def workspace(self, batch: int) -> _Workspace:
        ws = self._ws.get(batch)
        if ws is None:
            ws = self._ws[batch] = _Workspace(self.config, self.params, self.grad, batch)
        return ws

    def keep(self, mask: Array) -> None:
        """Drop the runs where mask is False (new contiguous arrays: only between chunks)."""
        self.ids = self.ids[mask]
        self.params = np.ascontiguousarray(self.params[:, mask])
        if self.velocity is not None:
            self.velocity = np.ascontiguousarray(self.velocity[:, mask])
        self._new_buffers()

    def train(self, loss_rows: Array, wrong_rows: Array) -> None:
        """One epoch per row of loss_rows/wrong_rows (epochs, runs), which receive the raw sums."""
        cfg, d = self.config, self.data
        n, B = d.n, self.batch
        lr = cfg.lr
        p, g, v, mu = self.params, self.grad, self.velocity, self.momentum
        if B is None:
            ws = self.workspace(n)
            step = ws.step
            x, t, tb, tc = d.xaug, d.t, d.t_bool, d.t_class
            s = lr / n
            for e in range(len(loss_rows)):
                step(x, t, tb, tc, loss_rows[e], wrong_rows[e], False, s, p, g, v, mu)
            return
        for e in range(len(loss_rows)):
            order = epoch_order(self.rng, n, cfg.shuffle)
            x, t, tb, tc = d.permuted(order) if cfg.shuffle else (
                d.xaug, d.t, d.t_bool, d.t_class)
            for start in range(0, n, B):
                stop = min(start + B, n)
                ws = self.workspace(stop - start)
                ws.step(
                    x[start:stop], t[start:stop], tb[start:stop],
                    None if tc is None else tc[start:stop],
                    loss_rows[e], wrong_rows[e], start > 0, lr / (stop - start), p, g, v, mu,
                )


# ---- driver ----------------------------------------------------------------------------------
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
    return np.ascontiguousarray(X), np.ascontiguousarray(Y)


def run_convergence(
    config: ConvergenceConfig,
    X: Array,
    Y: Array,
    progress: Progress | None = None,
    chunk: int | None = None,
) -> ConvergenceResult:
    """Train config.runs networks at once for up to config.epochs epochs; see the module doc.

    After every chunk of epochs the runs that converged or diverged are dropped from the batch
    and ``progress(epoch, fraction_converged)`` is called; returning False cancels (the result
    then has ``cancelled`` set and ``epochs_run`` < epochs). ``chunk`` epochs per chunk, or
    None: sized to take about ``CHUNK_SECONDS`` each. The per-run results do not depend on the
    chunks (unless a cancel cuts training short); ``epochs_run`` and the sampled fraction curve
    end at a chunk boundary.
    """
    X, Y = _check_data(config, X, Y)
    if chunk is not None and (
        isinstance(chunk, bool) or not isinstance(chunk, int | np.integer) or chunk < 1
    ):
        raise ValueError(f"chunk must be a whole number >= 1 or None, got {chunk!r}")
    t0 = time.perf_counter()
    R, E, n = config.runs, config.epochs, len(X)
    data = _Data(X, Y)
    state = _Batch(config, data, np.arange(R))
    converged = np.zeros(R, bool)
    diverged = np.zeros(R, bool)
    epochs = np.zeros(R, np.int64)
    final_loss = np.full(R, np.nan)
    final_acc = np.full(R, np.nan)
    stride = max(1, math.ceil(E / MAX_CURVE_POINTS))
    curve_x = np.arange(stride, E + 1, stride)
    curves = np.full((R, len(curve_x)), np.nan)
    frac_x, frac_y = [0], [0.0]
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
            ids = state.ids
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
            frac_x.append(done)
            frac_y.append(float(converged.sum()) / R)
            leave = conv | div
            if leave.any():
                state.keep(~leave)
            if progress is not None and progress(done, frac_y[-1]) is False:
                cancelled = done < E and len(state.ids) > 0
                break
    diagnosis: list[str | None] = [None] * R
    for r in np.nonzero(diverged)[0]:
        diagnosis[r] = "diverged"
    if len(state.ids):
        for r, dg in zip(state.ids, _diagnose(config, state, data, curves, stride, done),
                         strict=True):
            diagnosis[r] = dg
    return ConvergenceResult(
        config=config,
        seeds=config.seed + np.arange(R),
        converged=converged,
        epochs=epochs * converged,
        final_loss=final_loss,
        final_accuracy=final_acc,
        diagnosis=diagnosis,
        loss_curve_epochs=curve_x,
        loss_curves=curves,
        curve_epochs=np.array(frac_x),
        curve_fraction=np.array(frac_y),
        epochs_run=done,
        cancelled=cancelled,
        elapsed=time.perf_counter() - t0,
        network_epochs=work,
    )


def _diagnose(
    config: ConvergenceConfig, state: _Batch, data: _Data, curves: Array, stride: int,
    epochs_run: int,
) -> list[str | None]:
    """Diagnoses for the runs still in ``state`` (neither converged nor diverged)."""
    sizes = config.layers
    ws = _Workspace(config, state.params, np.empty_like(state.params), data.n)
    with np.errstate(all="ignore"):
        out = ws.forward(data.xaug)
    Ra = len(state.ids)
    found: list[str | None] = [None] * Ra
    hidden = config.activation

    def mark(mask: Array, name: str) -> None:
        for c in np.nonzero(mask)[0]:
            if found[c] is None:
                found[c] = name

    # Dead ReLUs first: a layer of dead units is also "symmetric", but this names the cause.
    for l in range(1, len(sizes) - 1):  # noqa: E741
        if hidden == "relu":
            dead = (ws.a[l] <= 0.0).all(axis=0)  # (units, runs)
            mark(dead.sum(axis=0) * 2 >= sizes[l], "dead ReLUs")

    for l in range(1, len(sizes) - 1):  # noqa: E741
        # before symmetric: units saturated alike are copies too, but saturation is the cause
        if hidden in _BOUNDS:
            a = ws.a[l]
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
            a = ws.a[l]
            sym |= _spread(a, axis=1).max(axis=0) <= SYMMETRY_TOL * _range(hidden, a)
    mark(flat_out & sym, "symmetric hidden units")

    # plateau: loss sample nearest 0.9 * epochs_run against the last epoch's loss
    ref_epoch = int(0.9 * epochs_run) // stride * stride
    last_epoch = epochs_run // stride * stride
    if ref_epoch >= stride and last_epoch > ref_epoch:
        ref = curves[state.ids, ref_epoch // stride - 1]
        last = curves[state.ids, last_epoch // stride - 1]
        with np.errstate(invalid="ignore"):
            flat = np.abs(last - ref) <= PLATEAU_RTOL * np.maximum(np.abs(ref), 1e-12)
        mark(flat, "loss plateau")
    return found


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
