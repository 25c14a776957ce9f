"""The convergence explorer's two batched kernels: forward, loss, backward and the SGD update of
every run at once.

Speed (measured by ``nnviz bench converge``; README "Speed")
    Two kernels, chosen from the shapes alone (``batch.runs_first``), never from the number of
    runs, so each run computes the same bits however the runs are grouped.

    Runs last, for small batches such as XOR's 4 points: activations (batch, units, runs),
    parameter blocks (n_in + 1, n_out, runs), all parameters of all runs in one (n_params, runs)
    array, so every elementwise call is one long contiguous loop over all runs and an optimiser
    step is two NumPy calls. The products use ``np.einsum`` over that layout: at these sizes it
    measured 2-8x faster than ``np.matmul`` over a leading run axis and ~1.7x faster than
    broadcasting plus a sum (7 against 12 us a call for 1,000 XOR runs).

    Runs first, once samples x widest layer reach ``batch.RUNS_FIRST_MIN_SIZE``: activations
    (runs, units, batch), each run's [W; b] a (n_in + 1, n_out) block of a (runs, n_params)
    array, so every run's product is one BLAS call on contiguous memory (``np.matmul`` over the
    run axis) and every elementwise call still covers all runs. There the work is the
    elementwise passes themselves (the sigmoid's exp is about half of it), the same for
    batched and serial, so one core gains only the Python calls the batch shares (~1.0-1.15x);
    the cores do the rest.

    Each layer keeps a trailing row (or unit) of ones in its input (the bias trick) so one
    product gives z = a W + b and one gives [dW; db]. Nothing is allocated per epoch for mse
    losses and full batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np

from nnviz.core import activations as act
from nnviz.core import losses
from nnviz.core.convergence.config import ConvergenceConfig
from nnviz.core.network import initial_parameters

Array = np.ndarray


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
