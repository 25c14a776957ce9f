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

Speed (measured by ``nnviz bench converge``; README "Speed")
    Two kernels, chosen from the shapes alone (``runs_first``), never from the number of runs,
    so each run computes the same bits however the runs are grouped.

    Runs last, for small batches such as XOR's 4 points: activations (batch, units, runs),
    parameter blocks (n_in + 1, n_out, runs), all parameters of all runs in one (n_params, runs)
    array, so every elementwise call is one long contiguous loop over all runs and an optimiser
    step is two NumPy calls. The products use ``np.einsum`` over that layout: at these sizes it
    measured 2-8x faster than ``np.matmul`` over a leading run axis and ~1.7x faster than
    broadcasting plus a sum (7 against 12 us a call for 1,000 XOR runs).

    Runs first, once samples x widest layer reach ``RUNS_FIRST_MIN_SIZE``: activations
    (runs, units, batch), each run's [W; b] a (n_in + 1, n_out) block of a (runs, n_params)
    array, so every run's product is one BLAS call on contiguous memory (``np.matmul`` over the
    run axis) and every elementwise call still covers all runs. There the work is the
    elementwise passes themselves (the sigmoid's exp is about half of it), the same for
    batched and serial, so one core gains only the Python calls the batch shares (~1.0-1.15x);
    the cores do the rest.

    Each layer keeps a trailing row (or unit) of ones in its input (the bias trick) so one
    product gives z = a W + b and one gives [dW; db]. Nothing is allocated per epoch for mse
    losses and full batch.

Processes
    ``run_convergence(..., workers=N)`` splits the runs into N contiguous slices and trains each
    in its own process (``multiprocessing`` with a fork server: the GUI calls this from a thread,
    and forking a threaded process can copy held locks). This process relays progress (the
    epoch every unfinished slice has reached, the fraction converged over all runs) and the
    cancel (an Event the workers check after every chunk), then merges the slices. Per-run
    results are the same bit for bit for any N (a test checks 1, 2 and 3); ``epochs_run`` and
    the chunk ends of the fraction curve depend on the chunks, as in one process. The default
    (None) uses every core for jobs of at least ``POOL_MIN_WORK`` run x epoch x sample x unit
    steps, about half a second on one core. Scripts that call it with workers > 1 need the
    usual ``if __name__ == "__main__":`` guard (the workers import the main module).
"""

from __future__ import annotations

import math
import multiprocessing
import multiprocessing.context
import multiprocessing.synchronize
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from queue import Empty

import numpy as np

from nnviz.core import activations as act
from nnviz.core import limits, losses
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
#: Batches whose samples x widest layer reach this train in the runs-first kernel (the
#: measured crossover: XOR 2-2-1 stays runs-last, 16 points of 2-8-8-1 go runs-first).
RUNS_FIRST_MIN_SIZE = 64
#: The runs-first kernel trains runs in groups of about this many activations per layer
#: (runs x samples x widest layer; 2-8-8-1 on 512 points: 16 runs); measured: 16k (4 runs) and
#: smaller tiles lose more to the calls per tile than they gain in cache.
TILE_ELEMENTS = 65_536
#: Jobs of at least this many run x epoch x sample x unit steps use every core by default
#: (about half a second on one core; below it the processes' start does not pay).
POOL_MIN_WORK = 50_000_000

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
    cpu_seconds: float = 0.0  # processor time of the training, summed over the processes
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


def _run_blocks(flat: Array, sizes: Sequence[int]) -> list[Array]:
    """(runs, n_params) -> per-layer (runs, n_in + 1, n_out) views: each run's [W; b]."""
    out, off = [], 0
    for i, o in zip(sizes[:-1], sizes[1:], strict=True):
        block = flat[:, off : off + (i + 1) * o].reshape(flat.shape[0], i + 1, o)
        assert np.shares_memory(block, flat)  # a copy would never see the updates
        out.append(block)
        off += (i + 1) * o
    return out


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


class _RunsFirstWorkspace:
    """The kernel for larger batches: runs first, (runs, units, batch) arrays, so every run's
    product is one BLAS call on contiguous memory (``np.matmul`` over the run axis) and every
    elementwise call covers all runs. Same ``step`` as _Workspace; params and grad are
    (runs, n_params)."""

    def __init__(self, config: ConvergenceConfig, P: Array, G: Array, batch: int) -> None:
        sizes = config.layers
        R = P.shape[0]
        L = len(sizes) - 1
        k = sizes[-1]
        self.L, self.R, self.batch = L, R, batch
        self.loss, self.output = config.loss, config.output
        hidden = act.get(config.activation)
        out = act.get(config.output)
        fout = partial(act.softmax, axis=1) if out.name == "softmax" else out.f
        self.f = [hidden.f] * (L - 1) + [fout]
        self.fprime = [hidden.derivative] * (L - 1)
        blocks = _run_blocks(P, sizes)
        self.PT = [b.transpose(0, 2, 1) for b in blocks]  # (runs, n_out, n_in + 1)
        # Sigmoid hidden layers take their products from negated weights: (-W) a gives -z
        # exactly (negation is exact and every sum of negated terms rounds alike), which is
        # the first step of 1 / (1 + e^-z), so the pass that negates z is saved.
        self.P, self.negP = P, (np.empty_like(P) if hidden.name == "sigmoid" else None)
        if self.negP is not None:
            self.nPT = [b.transpose(0, 2, 1) for b in _run_blocks(self.negP, sizes)]
        self.W = [b[:, :-1] for b in blocks]  # (runs, n_in, n_out)
        self.G = _run_blocks(G, sizes)
        # a_aug[l] = activations entering layer l with a trailing row of ones (the bias trick);
        # a[0] is the data, passed to step as (n_in + 1, batch).
        self.a_aug = [None] + [np.ones((R, n + 1, batch)) for n in sizes[1:-1]]
        self.a = [None] + [m[:, :-1] for m in self.a_aug[1:]] + [np.empty((R, k, batch))]
        # Hidden z is written straight into a and activated in place: one buffer less to
        # stream through the cache. Every hidden derivative can take a for z (sigmoid and tanh
        # use a; relu's and leaky relu's z > 0 is a > 0), but leaky relu's f cannot run in place.
        inplace = hidden.name != "leaky_relu"
        self.z = [self.a[l + 1] if inplace else np.empty((R, n, batch))
                  for l, n in enumerate(sizes[1:-1])] + [np.empty((R, k, batch))]  # noqa: E741
        self.d = [np.empty((R, n, batch)) for n in sizes[1:]]
        self.s = [np.empty((R, n, batch)) for n in sizes[1:]]
        self.single = k == 1
        self.wrong = np.empty((R, k, batch) if self.single else (R, batch), bool)
        self.argmax = None if self.single else np.empty((R, batch), np.intp)
        self.loss_tmp = np.empty(R)
        self.wrong_tmp = np.empty(R)
        self.scale = np.array(1.0)

    def forward(self, x: Array) -> Array:
        """x (n_in + 1, batch) with a trailing row of ones -> output (runs, k, batch)."""
        mm = np.matmul
        negP = self.negP
        if negP is not None:
            np.negative(self.P, negP)
        A = x
        for l in range(self.L):  # noqa: E741
            z = self.z[l]
            if z is not self.a[l + 1]:
                mm(self.PT[l], A, out=z)
                self.f[l](z, self.a[l + 1])
            elif negP is not None:  # sigmoid, in place from -z
                mm(self.nPT[l], A, out=z)
                np.exp(z, z)
                np.add(z, 1.0, z)
                np.reciprocal(z, z)
            else:  # hidden, in place
                mm(self.PT[l], A, out=z)
                self.f[l](z, z)
            if l + 1 < self.L:
                A = self.a_aug[l + 1]
        return self.a[self.L]

    def step(
        self, x: Array, t: Array, t_bool: Array | None, t_class: Array | None,
        loss_out: Array, wrong_out: Array, accumulate: bool, scale: float,
        params: Array, grad: Array, velocity: Array | None, momentum: Array,
    ) -> None:
        """As _Workspace.step, with t (k, batch), t_bool (k, batch), t_class (batch,)."""
        mm = np.matmul
        L, R = self.L, self.R
        out = self.forward(x)
        lrow = self.loss_tmp if accumulate else loss_out
        wrow = self.wrong_tmp if accumulate else wrong_out
        if self.loss == "mse":
            diff = np.subtract(out, t, out=self.d[-1]).reshape(R, -1)  # the delta comes later
            np.vecdot(diff, diff, out=lrow)
        else:
            np.sum(losses.per_sample(self.loss, self.z[-1], out, t), axis=1, out=lrow)
        if self.single:
            np.greater(out, 0.5, out=self.wrong)
            np.not_equal(self.wrong, t_bool, out=self.wrong)
            np.sum(self.wrong, axis=(1, 2), out=wrow)
        else:
            np.argmax(out, axis=1, out=self.argmax)
            np.not_equal(self.argmax, t_class, out=self.wrong)
            np.sum(self.wrong, axis=1, out=wrow)
        if accumulate:
            loss_out += lrow
            wrong_out += wrow
        losses.output_delta_and_loss(
            self.loss, self.output, self.z[-1], out, t, self.d[-1], self.s[-1],
            want_loss=False, axis=1,
        )
        for l in range(L - 1, 0, -1):  # noqa: E741
            mm(self.a_aug[l], self.d[l].transpose(0, 2, 1), out=self.G[l])
            mm(self.W[l], self.d[l], out=self.d[l - 1])
            self.d[l - 1] *= self.fprime[l - 1](self.z[l - 1], self.a[l], self.s[l - 1])
        mm(x, self.d[0].transpose(0, 2, 1), out=self.G[0])
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


def runs_first(config: ConvergenceConfig, n_samples: int) -> bool:
    """Whether this job trains in the runs-first kernel (see the module doc's Speed). It depends
    on the shapes alone, never on the number of runs, so every slice of runs takes the same."""
    B = config.batch_size
    batch = n_samples if B is None else min(B, n_samples)
    return batch * max(config.layers[1:]) >= RUNS_FIRST_MIN_SIZE


class _Data:
    """The training set in the kernel's layout, plus per-epoch shuffled copies for mini-batches.

    Runs last: x (n, n_in + 1), t (n, k, 1), t_bool alike, t_class (n, 1), batches cut on axis
    0. Runs first: x (n_in + 1, n), t and t_bool (k, n), t_class (n,), cut on the last axis.
    ``xaug`` (n, n_in + 1) is kept for the diagnoses either way.
    """

    def __init__(self, X: Array, Y: Array, first: bool = False) -> None:
        n = len(X)
        self.n = n
        self.first = first
        self.xaug = np.ones((n, X.shape[1] + 1))
        self.xaug[:, :-1] = X
        multi = Y.shape[1] > 1
        if first:
            self.x = np.ascontiguousarray(self.xaug.T)
            self.t = np.ascontiguousarray(Y.T)
            self.t_class = Y.argmax(axis=1) if multi else None
        else:
            self.x = self.xaug
            self.t = np.ascontiguousarray(Y[:, :, None])
            self.t_class = Y.argmax(axis=1)[:, None] if multi else None
        self.t_bool = self.t > 0.5
        self._axis = -1 if first else 0
        self._perm = tuple(None if a is None else np.empty_like(a) for a in self.arrays())

    def arrays(self) -> tuple[Array, Array, Array, Array | None]:
        return self.x, self.t, self.t_bool, self.t_class

    def permuted(self, order: Array) -> tuple[Array, Array, Array, Array | None]:
        for src, dst in zip(self.arrays(), self._perm, strict=True):
            if src is not None:
                np.take(src, order, axis=self._axis, out=dst)
        return self._perm

    def cut(self, arrays: tuple, start: int, stop: int) -> tuple:
        """The samples start..stop of (x, t, t_bool, t_class)."""
        if self.first:
            return tuple(None if a is None else a[..., start:stop] for a in arrays)
        return tuple(None if a is None else a[start:stop] for a in arrays)


class _Batch:
    """The state of the runs still training: their parameters, momentum and workspaces.

    ``params`` is (n_params, runs) whichever kernel runs; ``store`` is the kernel's own layout
    ((runs, n_params) for the runs-first one, else (n_params, runs)). The runs-last kernel never
    holds a single run: einsum drops a run axis of length 1 and then sums in another order, so
    a lone run trains with a copy of itself beside it and computes the bits it would in company.
    """

    def __init__(self, config: ConvergenceConfig, data: _Data, run_ids: Array) -> None:
        self.config = config
        self.data = data
        self.ids = np.asarray(run_ids, np.intp)
        self.pos = np.arange(len(self.ids))  # where each run's results go
        initial = stack_initial(config, self.ids)
        self.store = np.ascontiguousarray(initial.T) if data.first else self._padded(initial)
        self.velocity = np.zeros_like(self.store) if config.momentum else None
        self.momentum = np.array(config.momentum)
        self.rng = np.random.default_rng(config.seed)
        B = config.batch_size
        self.batch = None if B is None or B >= data.n else B
        self._new_buffers()

    @staticmethod
    def _padded(runs_last: Array) -> Array:
        return np.repeat(runs_last, 2, axis=1) if runs_last.shape[1] == 1 else runs_last

    @property
    def padded(self) -> bool:
        return not self.data.first and self.store.shape[1] != len(self.ids)

    @property
    def params(self) -> Array:
        if self.data.first:
            return self.store.T
        return self.store[:, : len(self.ids)]

    def _new_buffers(self) -> None:
        self.grad = np.empty_like(self.store)
        self._ws: dict[tuple[int, int], _Workspace | _RunsFirstWorkspace] = {}

    def keep(self, mask: Array) -> None:
        """Drop the runs where mask is False (new contiguous arrays: only between chunks)."""
        n = len(self.ids)
        self.ids = self.ids[mask]
        self.pos = self.pos[mask]
        if self.data.first:
            def take(a: Array) -> Array:
                return np.ascontiguousarray(a[mask])
        else:
            def take(a: Array) -> Array:
                return self._padded(np.ascontiguousarray(a[:, :n][:, mask]))
        self.store = take(self.store)
        if self.velocity is not None:
            self.velocity = take(self.velocity)
        self._new_buffers()

    def train(self, loss_rows: Array, wrong_rows: Array) -> None:
        """One epoch per row of loss_rows/wrong_rows (epochs, runs), which receive the raw sums."""
        if self.padded:
            rows = np.empty((len(loss_rows), 2)), np.empty((len(loss_rows), 2))
            self._train(*rows)
            loss_rows[:] = rows[0][:, :1]
            wrong_rows[:] = rows[1][:, :1]
        else:
            self._train(loss_rows, wrong_rows)

    def _tiles(self) -> list[slice]:
        """Groups of runs trained one after another: runs first, as many as keep a layer's
        activations near ``TILE_ELEMENTS`` (they then stay in the core's cache across the
        chunk's epochs); runs last, all of them."""
        R = self.store.shape[0] if self.data.first else self.store.shape[1]
        if not self.data.first:
            return [slice(0, R)]
        batch = self.data.n if self.batch is None else self.batch
        size = max(1, TILE_ELEMENTS // (batch * max(self.config.layers[1:])))
        return [slice(r, min(r + size, R)) for r in range(0, R, size)]

    def _tile_workspace(self, tile: slice, batch: int) -> _Workspace | _RunsFirstWorkspace:
        key = (tile.start, batch)
        ws = self._ws.get(key)
        if ws is None:
            if self.data.first:
                ws = _RunsFirstWorkspace(self.config, self.store[tile], self.grad[tile], batch)
            else:
                ws = _Workspace(self.config, self.store, self.grad, batch)
            self._ws[key] = ws
        return ws

    def _train(self, loss_rows: Array, wrong_rows: Array) -> None:
        cfg, d = self.config, self.data
        n, B = d.n, self.batch
        lr, mu = cfg.lr, self.momentum
        first = d.first
        # every tile sees the same batch order: draw the chunk's orders once
        orders = None if B is None else [epoch_order(self.rng, n, cfg.shuffle)
                                         for _ in range(len(loss_rows))]
        for tile in self._tiles():
            if first:
                p, g = self.store[tile], self.grad[tile]
                v = None if self.velocity is None else self.velocity[tile]
            else:
                p, g, v = self.store, self.grad, self.velocity
            lrows, wrows = loss_rows[:, tile], wrong_rows[:, tile]
            if B is None:
                step = self._tile_workspace(tile, n).step
                x, t, tb, tc = d.arrays()
                s = lr / n
                for e in range(len(loss_rows)):
                    step(x, t, tb, tc, lrows[e], wrows[e], False, s, p, g, v, mu)
                continue
            for e, order in enumerate(orders):
                arrays = d.permuted(order) if cfg.shuffle else d.arrays()
                for start in range(0, n, B):
                    stop = min(start + B, n)
                    ws = self._tile_workspace(tile, stop - start)
                    x, t, tb, tc = d.cut(arrays, start, stop)
                    ws.step(x, t, tb, tc, lrows[e], wrows[e], start > 0, lr / (stop - start),
                            p, g, v, mu)


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
    """Train config.runs networks at once for up to config.epochs epochs; see the module doc.

    After every chunk of epochs the runs that converged or diverged are dropped from the batch
    and ``progress(epoch, fraction_converged)`` is called; returning False cancels (the result
    then has ``cancelled`` set and ``epochs_run`` < epochs). ``chunk`` epochs per chunk, or
    None: sized to take about ``CHUNK_SECONDS`` each. The per-run results do not depend on the
    chunks (unless a cancel cuts training short); ``epochs_run`` and the sampled fraction curve
    end at a chunk boundary.

    ``workers`` processes share the runs (contiguous slices of them, see "Processes" in the
    module doc): 1 trains in this process; None uses every core when the job is large enough
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


def cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers(config: ConvergenceConfig, n_samples: int) -> int:
    """Every core when the job is worth the processes' start, else 1 (this process)."""
    work = config.runs * config.epochs * n_samples * sum(config.layers[1:])
    return cores() if work >= POOL_MIN_WORK else 1


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


# ---- processes -------------------------------------------------------------------------------
def _context() -> multiprocessing.context.BaseContext:
    # Not fork: the GUI calls this from a thread, and forking a threaded process can copy locks
    # that are held. The fork server starts once, imports this module, and forks cleanly.
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([__name__])
        return ctx
    return multiprocessing.get_context("spawn")


def _worker(
    config: ConvergenceConfig, X: Array, Y: Array, run_ids: Array, chunk: int | None,
    index: int, queue: multiprocessing.Queue, cancel: multiprocessing.synchronize.Event,
) -> None:
    def report(epoch: int, n_converged: int) -> bool:
        queue.put(("progress", index, epoch, n_converged))
        return not cancel.is_set()

    try:
        queue.put(("done", index, _train_part(config, X, Y, run_ids, report, chunk)))
    except BaseException as exc:  # noqa: BLE001 (the parent must hear of it, not hang)
        queue.put(("error", index, f"{type(exc).__name__}: {exc}"))


def _train_in_processes(
    config: ConvergenceConfig, X: Array, Y: Array, n_workers: int,
    progress: Progress | None, chunk: int | None,
) -> tuple[list[_Part], list[int]]:
    """Each worker trains a contiguous slice of the runs; this process relays progress (at the
    epoch every unfinished worker has reached) and the cancel."""
    R = config.runs
    ctx = _context()
    queue, cancel = ctx.Queue(), ctx.Event()
    slices = np.array_split(np.arange(R), n_workers)
    procs = [
        ctx.Process(target=_worker, args=(config, X, Y, ids, chunk, i, queue, cancel),
                    daemon=True, name=f"nnviz-converge-{i}")
        for i, ids in enumerate(slices)
    ]
    parts: list[_Part | None] = [None] * n_workers
    reached = [0] * n_workers
    n_conv = [0] * n_workers
    ends: list[int] = []
    try:
        for p in procs:
            p.start()
        while any(part is None for part in parts):
            try:
                kind, i, *rest = queue.get(timeout=0.25)
            except Empty:
                for i, p in enumerate(procs):
                    if parts[i] is None and not p.is_alive():
                        raise RuntimeError(
                            f"convergence worker process {i} ended without a result "
                            f"(exit code {p.exitcode})") from None
                continue
            if kind == "error":
                raise RuntimeError(f"a convergence worker process failed: {rest[0]}")
            if kind == "done":
                parts[i] = rest[0]
                n_conv[i] = int(rest[0].converged.sum())
                if any(part is None for part in parts):
                    continue  # its runs are finished; the others set the pace
                epoch = max(part.done for part in parts)
            else:
                reached[i], n_conv[i] = rest
                epoch = min(reached[j] for j in range(n_workers) if parts[j] is None)
            if epoch > (ends[-1] if ends else 0):
                ends.append(epoch)
                if progress is not None and progress(epoch, sum(n_conv) / R) is False:
                    cancel.set()
    finally:
        cancel.set()  # stops the workers if this ends early (an error or an interrupt)
        for p in procs:
            if p.pid is None:  # never started
                continue
            p.join(timeout=5)
            if p.is_alive():
                p.terminate()
        queue.close()
    return parts, ends  # type: ignore[return-value]


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
