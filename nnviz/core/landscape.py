"""The loss landscape: the loss over a plane through weight space and along a line.

The plane is centred on the current parameters theta_c and spanned by two directions d1, d2:
theta(alpha, beta) = theta_c + alpha d1 + beta d2. The directions are either the first two
principal components of the run's parameter trajectory (the path is then seen best), or two
random directions scaled per neuron to the weights' own scale ("filter normalisation", Li et al.,
NeurIPS 2018). The line runs from the initial to the current parameters (Goodfellow et al.,
ICLR 2015). README: "Loss landscape".

Every grid point is a full parameter vector; all of them go through one batched forward pass
(stacked parameters, in chunks that bound the memory), with the activation and loss functions
that training uses, so a grid value equals ``Network.loss`` at that point.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from nnviz.core import losses
from nnviz.core.network import Network

Array = np.ndarray

DIRECTIONS: tuple[str, ...] = ("pca", "random")
#: Elements of one layer's activations per chunk of stacked parameters (8 MB of float64).
CHUNK_ELEMENTS = 1 << 20
#: The line from the initial to the current weights runs over t in this range (0 = initial,
#: 1 = current), a little beyond both ends as in Goodfellow et al.
LINE_RANGE = (-0.5, 1.5)
MIN_GRID, MAX_GRID = 3, 201


class LandscapeCancelled(Exception):
    """The caller asked to stop (the window closing) before the computation ended."""


def forward_cost(net: Network, n_samples: int) -> int:
    """Multiply-adds of one forward pass over ``n_samples``: what a grid point costs."""
    return n_samples * sum((i + 1) * o for i, o in zip(net.sizes[:-1], net.sizes[1:],
                                                       strict=True))


def affordable_grid(net: Network, n_samples: int, budget: float, largest: int = 51,
                    smallest: int = 11) -> int:
    """The largest odd grid size (so the centre is a grid point) whose points cost at most
    ``budget`` multiply-adds in all, between ``smallest`` and ``largest``."""
    side = int((budget / max(1, forward_cost(net, n_samples))) ** 0.5)
    side = max(smallest, min(largest, side))
    return side if side % 2 else side - 1


# ---- losses of many parameter vectors at once ---------------------------------------------------
def stacked_losses(net: Network, X: Array, Y: Array, params: Array,
                   cancelled: Callable[[], bool] | None = None) -> Array:
    """The mean loss of ``net``'s architecture on (X, Y) for every row of ``params`` (K, n_params).

    One batched forward pass: layer by layer, the K weight matrices are applied to the K stacked
    activations by one ``np.matmul``, in chunks of parameter vectors small enough that a layer's
    activations stay under CHUNK_ELEMENTS. ``cancelled`` is asked before every chunk; when it
    answers True, LandscapeCancelled is raised.
    """
    X = net.check_input(X)
    Y = net.check_target(Y, X.shape[0])
    params = np.asarray(params, dtype=net.dtype)
    if params.ndim == 1:
        params = params[None, :]
    if params.ndim != 2 or params.shape[1] != net.n_params():
        raise ValueError(f"parameters have shape {params.shape}, expected (K, {net.n_params()})")
    n, widest = X.shape[0], max(net.sizes)
    chunk = max(1, CHUNK_ELEMENTS // max(1, n * widest))
    out = np.empty(params.shape[0], net.dtype)
    for start in range(0, params.shape[0], chunk):
        if cancelled is not None and cancelled():
            raise LandscapeCancelled("the landscape computation was cancelled")
        out[start : start + chunk] = _chunk_losses(net, X, Y, params[start : start + chunk])
    return out


def _chunk_losses(net: Network, X: Array, Y: Array, params: Array) -> Array:
    k, n = params.shape[0], X.shape[0]
    a: Array = X  # (n, n_in) for the first layer, then (k, n, width)
    z: Array = X
    off = 0
    with np.errstate(over="ignore", invalid="ignore"):  # sigmoid's e^-z overflows to its limit
        for l, (i, o) in enumerate(zip(net.sizes[:-1], net.sizes[1:], strict=True)):  # noqa: E741
            block = params[:, off : off + (i + 1) * o].reshape(k, i + 1, o)
            off += (i + 1) * o
            z = np.matmul(a, block[:, :-1, :])
            z += block[:, None, -1, :]
            a = net.layer_activation(l).f(z, np.empty_like(z))
        o = net.sizes[-1]
        t = np.broadcast_to(Y, (k, n, o)).reshape(k * n, o)
        per = losses.per_sample(net.loss_name, z.reshape(k * n, o), a.reshape(k * n, o), t)
    return per.reshape(k, n).mean(axis=1)


# ---- directions -----------------------------------------------------------------------------
def pca_directions(trajectory: Array, center: Array) -> tuple[Array, Array]:
    """The first two principal components of the trajectory's parameter vectors (rows), as an
    orthonormal (2, n_params) array, and the fraction of the trajectory's variance each explains.

    PCA centres the points on their mean (as Li et al.'s code does); the plane through
    ``center`` spanned by the components then contains every point when the trajectory lies in
    a plane at all. With fewer than two independent steps the missing components are unit
    directions orthogonal to the found ones, with explained variance 0.
    """
    T = np.asarray(trajectory, dtype=float)
    n = center.shape[0]
    dirs = np.zeros((2, n))
    ratio = np.zeros(2)
    found = 0
    if T.ndim == 2 and T.shape[0] >= 2:
        D = T - T.mean(axis=0)
        _, s, vt = np.linalg.svd(D, full_matrices=False)
        total = float((s**2).sum())
        if total > 0:
            tol = s[0] * max(D.shape) * np.finfo(float).eps
            found = int(min(2, np.count_nonzero(s > tol)))
            dirs[:found] = vt[:found]
            ratio[:found] = s[:found] ** 2 / total
    rng = np.random.default_rng(0)
    for j in range(found, 2):
        v = rng.standard_normal(n)
        v -= dirs[:j].T @ (dirs[:j] @ v)
        dirs[j] = v / np.linalg.norm(v)
    return dirs, ratio


def random_directions(net: Network, seed: int = 0) -> Array:
    """Two Gaussian directions, each scaled per neuron to the norm of that neuron's parameters.

    A neuron's parameters are its column of the layer block [W; b] (incoming weights and bias),
    so every direction moves each neuron by as much as the neuron already has: the plane looks
    the same for nets whose weights differ only in scale (filter normalisation, Li et al. 2018).
    """
    rng = np.random.default_rng(seed)
    dirs = rng.standard_normal((2, net.n_params()))
    for d in dirs:
        for block, weights in zip(net._blocks(d), net._P, strict=True):
            norm = np.linalg.norm(block, axis=0)
            scale = np.linalg.norm(weights, axis=0)
            block *= np.divide(scale, norm, out=np.zeros_like(scale), where=norm > 0)
    return dirs


def project(center: Array, directions: Array, points: Array) -> Array:
    """(alpha, beta) of each point (rows) in the plane: least squares, so the directions need not
    be orthogonal (random ones are not quite)."""
    P = np.atleast_2d(np.asarray(points, dtype=float)) - center
    coef, *_ = np.linalg.lstsq(directions.T, P.T, rcond=None)
    return coef.T


def plane_points(center: Array, directions: Array, alphas: Array, betas: Array) -> Array:
    """Parameter vectors of the grid, row-major over (beta, alpha): shape (nb * na, n_params)."""
    A, B = np.meshgrid(alphas, betas)
    return center + A.reshape(-1, 1) * directions[0] + B.reshape(-1, 1) * directions[1]


# ---- the whole picture ----------------------------------------------------------------------
@dataclass(frozen=True)
class Landscape:
    """A computed plane and line; ``grid[i, j]`` is the loss at (alphas[j], betas[i])."""

    alphas: Array
    betas: Array
    grid: Array
    trajectory: Array  # (m, 3): alpha, beta and the loss of each recorded parameter vector
    directions: str
    basis: Array  # (2, n_params): the direction vectors d1, d2 themselves
    explained_variance: Array | None  # for pca: fraction of the path's variance per direction
    line_t: Array  # 0 = initial weights, 1 = current
    line_loss: Array
    current_loss: float
    seconds: float

    def as_json(self) -> dict:
        return {
            "grid": self.grid.tolist(),
            "alphas": self.alphas.tolist(),
            "betas": self.betas.tolist(),
            "trajectory": self.trajectory.tolist(),
            "directions": self.directions,
            "direction_vectors": self.basis.tolist(),
            "explained_variance": None if self.explained_variance is None
            else self.explained_variance.tolist(),
            "line": {"t": self.line_t.tolist(), "loss": self.line_loss.tolist()},
            "current_loss": self.current_loss,
            "seconds": self.seconds,
        }


def check_grid(size: int) -> int:
    size = int(size)
    if not MIN_GRID <= size <= MAX_GRID:
        raise ValueError(f"grid size must be between {MIN_GRID} and {MAX_GRID}, got {size}")
    return size


def _extents(coords: Array, directions: str) -> tuple[float, float]:
    """Half-widths of the plane: the projected path with a margin (each axis at least a quarter
    of the other, so a straight path still shows its valley's walls); +-1 for random
    directions, where 1 is the weights' own scale."""
    if directions == "random" or not len(coords):
        return 1.0, 1.0
    ea, eb = 1.25 * np.abs(coords).max(axis=0)
    big = max(ea, eb, 1e-3)
    return max(ea, 0.25 * big), max(eb, 0.25 * big)


def compute_landscape(
    net: Network, X: Array, Y: Array, trajectory: Sequence[Array] | Array | None = None, *,
    directions: str = "pca", grid: int = 51, seed: int = 0,
    cancelled: Callable[[], bool] | None = None,
) -> Landscape:
    """The plane around ``net``'s current parameters and the line from the trajectory's first
    point (the initial weights) to them. ``trajectory``: parameter vectors of the run so far,
    oldest first (the current one may be among them)."""
    if directions not in DIRECTIONS:
        raise ValueError(f"unknown directions {directions!r}; choose pca or random")
    grid = check_grid(grid)
    t0 = time.perf_counter()
    center = net.params.astype(float)
    T = np.empty((0, center.size)) if trajectory is None or not len(trajectory) \
        else np.asarray(trajectory, dtype=float).reshape(-1, center.size)
    if directions == "pca":
        ends_here = len(T) and np.array_equal(T[-1], center)
        dirs, explained = pca_directions(T if ends_here else np.vstack([T, center]), center)
    else:
        dirs, explained = random_directions(net, seed), None
    coords = project(center, dirs, T) if len(T) else np.empty((0, 2))
    ea, eb = _extents(coords, directions)
    alphas, betas = np.linspace(-ea, ea, grid), np.linspace(-eb, eb, grid)
    start = T[0] if len(T) else center
    line_t = np.linspace(*LINE_RANGE, 101)
    everything = np.vstack([
        plane_points(center, dirs, alphas, betas),
        T,
        start + line_t[:, None] * (center - start),
        center,
    ])
    values = stacked_losses(net, X, Y, everything, cancelled)
    n_grid = grid * grid
    path_loss = values[n_grid : n_grid + len(T)]
    return Landscape(
        alphas=alphas, betas=betas, grid=values[:n_grid].reshape(grid, grid),
        trajectory=np.column_stack([coords, path_loss]) if len(T) else np.empty((0, 3)),
        directions=directions, basis=dirs, explained_variance=explained,
        line_t=line_t, line_loss=values[n_grid + len(T) : -1],
        current_loss=float(values[-1]), seconds=time.perf_counter() - t0,
    )
