"""The runs still training and the training set in the kernel's layout; which kernel a job uses.
See ``kernels`` for the two layouts."""

from __future__ import annotations

import numpy as np

from nnviz.core.convergence.config import ConvergenceConfig
from nnviz.core.convergence.kernels import _RunsFirstWorkspace, _Workspace, stack_initial
from nnviz.core.trainer import epoch_order

Array = np.ndarray

#: Batches whose samples x widest layer reach this train in the runs-first kernel (the
#: measured crossover: XOR 2-2-1 stays runs-last, 16 points of 2-8-8-1 go runs-first).
RUNS_FIRST_MIN_SIZE = 64
#: The runs-first kernel trains runs in groups of about this many activations per layer
#: (runs x samples x widest layer; 2-8-8-1 on 512 points: 16 runs); measured: 16k (4 runs) and
#: smaller tiles lose more to the calls per tile than they gain in cache.
TILE_ELEMENTS = 65_536


def runs_first(config: ConvergenceConfig, n_samples: int) -> bool:
    """Whether this job trains in the runs-first kernel (see ``kernels``, "Speed"). It depends
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
