"""The loss history a plot draws, in bounded memory, and its per-bin reduction (Qt-free).

Memory stays flat over any number of epochs. :class:`LossHistoryBuffer` grows by doubling up to
``max_points``; after that it keeps two parts: the newest points at full resolution (at least a
quarter of the cap) and an older part at a uniform lower resolution. When a chunk would not fit,
the older end of the full-resolution part is folded into the older part (every block of ``2r``
points becomes the two holding the block's minimum and maximum train loss), and when that is
not enough the older part is halved the same way (``r`` doubles). So the whole run stays
visible, evenly sampled from the first epoch on, spikes survive, and the last epoch is always
there.

While the plot follows the whole run it draws :class:`EpochBins`: an incrementally maintained
min/max per epoch bin (at most ``DISPLAY_POINTS`` points), so the cost per frame stays flat too
(README, "Speed").
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["DEFAULT_MAX_POINTS", "DISPLAY_POINTS", "EpochBins", "LossHistoryBuffer",
           "format_epoch"]

# 1e6 points x 3 float64 arrays = 24 MB; enough resolution to zoom 250x into a full history.
DEFAULT_MAX_POINTS = 1_000_000
# Points handed to pyqtgraph per curve while following the whole run: a few per pixel at 4k.
DISPLAY_POINTS = 16_384
_MIN_MAX_POINTS = 64
_INITIAL_CAPACITY = 4096


def format_epoch(epoch: float) -> str:
    """Epoch numbers as people read them: ``12,345``; fractional epochs keep two decimals."""
    if float(epoch).is_integer():
        return f"{int(epoch):,}"
    return f"{epoch:,.2f}"



def _as_1d(name: str, values: np.ndarray | float) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, got shape {arr.shape}")
    return arr


def _minmax_indices(y: np.ndarray, block: int) -> np.ndarray:
    """Indices into ``y`` (length a multiple of ``block``) of each block's minimum and maximum,
    two per block in index order. NaNs are ignored; a flat or all-NaN block keeps its first and
    last point, so every block yields exactly two."""
    nb = len(y) // block
    blocks = y[: nb * block].reshape(nb, block)
    nan = np.isnan(blocks)
    if nan.any():
        imin = np.where(nan, np.inf, blocks).argmin(axis=1)
        imax = np.where(nan, -np.inf, blocks).argmax(axis=1)
    else:
        imin = blocks.argmin(axis=1)
        imax = blocks.argmax(axis=1)
    same = imin == imax
    imax[same] = np.where(imin[same] == block - 1, 0, block - 1)
    idx = np.empty((nb, 2), dtype=np.intp)
    base = np.arange(0, nb * block, block)
    idx[:, 0] = base + np.minimum(imin, imax)
    idx[:, 1] = base + np.maximum(imin, imax)
    return idx.ravel()



class LossHistoryBuffer:
    """Epochs with their train and test loss in preallocated float64 arrays (Qt-free).

    Capacity doubles as points arrive, up to ``max_points``; beyond that older points are kept
    at a uniform lower resolution (see the module docstring), so memory never exceeds three
    arrays of ``max_points`` floats. Missing test losses are stored as NaN.
    """

    def __init__(self, max_points: int = DEFAULT_MAX_POINTS) -> None:
        if max_points < _MIN_MAX_POINTS:
            raise ValueError(f"max_points must be at least {_MIN_MAX_POINTS}, got {max_points}")
        self.max_points = int(max_points)
        # Chunks are copied in pieces of at most this size, and this many newest points keep
        # full resolution; a quarter of the cap leaves the rest for the older part.
        self._recent = self.max_points // 4
        self._alloc(min(_INITIAL_CAPACITY, self.max_points))
        self.clear()

    def _alloc(self, capacity: int) -> None:
        self._epochs = np.empty(capacity)
        self._train = np.empty(capacity)
        self._test = np.empty(capacity)

    @property
    def capacity(self) -> int:
        """Number of points the arrays can hold before growing (or decimating)."""
        return len(self._epochs)

    def clear(self) -> None:
        """Forget all points; the allocated arrays are kept for reuse."""
        self._n = 0
        self._old = 0  # points [0, _old) form the reduced older part
        self._gap_until = 0.0  # first epoch after the last gap in the epochs given (0: none)
        self.level = 0  # each older point stands for 2**level original points
        self.decimations = 0
        self.has_test = False
        self.has_nonpositive = False
        self.min_positive = math.inf
        self.min_value = math.inf
        self.max_value = -math.inf

    def __len__(self) -> int:
        return self._n

    @property
    def epochs(self) -> np.ndarray:
        return self._epochs[: self._n]

    @property
    def train(self) -> np.ndarray:
        return self._train[: self._n]

    @property
    def test(self) -> np.ndarray:
        return self._test[: self._n]

    @property
    def last_epoch(self) -> float | None:
        return float(self._epochs[self._n - 1]) if self._n else None

    @property
    def thinned_until(self) -> float:
        """The epoch from which every epoch has its point; older ones are a thinned record,
        either here (see ``reduced_points``) or already in the history given (gaps between
        its epochs, as the trainer's history leaves on long runs). 0 when nothing is thinned."""
        reduced = float(self._epochs[self._old]) if 0 < self._old < self._n else 0.0
        return max(reduced, self._gap_until)

    @property
    def reduced_points(self) -> int:
        """How many of the oldest points are at the reduced resolution (2**level : 1)."""
        return self._old

    def append(
        self, epochs: np.ndarray, train: np.ndarray, test: np.ndarray | None = None
    ) -> int:
        """Add points with strictly increasing epochs; returns how many decimations it caused."""
        e = _as_1d("epochs", epochs)
        tr = _as_1d("train loss", train)
        if tr.shape != e.shape:
            raise ValueError(
                f"train loss has {tr.shape[0]} values but epochs has {e.shape[0]}"
            )
        if test is None:
            te = None
        else:
            te = _as_1d("test loss", test)
            if te.shape != e.shape:
                raise ValueError(
                    f"test loss has {te.shape[0]} values but epochs has {e.shape[0]}"
                )
        if e.size == 0:
            return 0
        if not np.all(np.isfinite(e)):
            raise ValueError("epochs must be finite numbers")
        if e.size > 1 and not np.all(np.diff(e) > 0):
            raise ValueError("epochs must be strictly increasing within a chunk")
        last = self.last_epoch
        if last is not None and e[0] <= last:
            raise ValueError(
                f"epochs must continue after the last stored epoch {format_epoch(last)}, "
                f"got {format_epoch(float(e[0]))} (clear the history after a reset)"
            )
        steps = np.diff(e if last is None else np.concatenate(([last], e)))
        gaps = np.flatnonzero(steps > 1)
        if gaps.size:
            self._gap_until = float(e[gaps[-1] + (0 if last is not None else 1)])
        self._note_values(tr)
        if te is not None:
            finite = np.isfinite(te)
            if finite.any():
                self.has_test = True
                self._note_values(te[finite])
        before = self.decimations
        for start in range(0, e.size, self._recent):
            stop = start + self._recent
            piece_te = None if te is None else te[start:stop]
            self._append_piece(e[start:stop], tr[start:stop], piece_te)
        return self.decimations - before

    def _note_values(self, values: np.ndarray) -> None:
        # Log-y needs a positive floor for zero losses; tracked here, not scanned per frame.
        positive = values[values > 0]
        if positive.size:
            self.min_positive = min(self.min_positive, float(positive.min()))
        finite = values[np.isfinite(values)]
        if finite.size:
            self.min_value = min(self.min_value, float(finite.min()))
            self.max_value = max(self.max_value, float(finite.max()))
        if np.any(values <= 0):
            self.has_nonpositive = True

    def _append_piece(self, e: np.ndarray, tr: np.ndarray, te: np.ndarray | None) -> None:
        k = e.size
        if self._n + k > self.max_points:
            self._make_room(k)
        if self._n + k > self.capacity:
            capacity = self.capacity
            while capacity < self._n + k:
                capacity *= 2
            capacity = min(capacity, self.max_points)
            old_e, old_tr, old_te = self.epochs, self.train, self.test
            self._alloc(capacity)
            self._epochs[: self._n] = old_e
            self._train[: self._n] = old_tr
            self._test[: self._n] = old_te
        n = self._n
        self._epochs[n : n + k] = e
        self._train[n : n + k] = tr
        self._test[n : n + k] = np.nan if te is None else te
        self._n = n + k

    def _make_room(self, k: int) -> None:
        self.level = max(self.level, 1)
        while self._n + k > self.max_points:
            r = 1 << self.level
            spare = self._n - self._old - self._recent  # full-resolution points not protected
            if spare >= 2 * r:
                self._fold(spare // (2 * r) * (2 * r), 2 * r)
            elif self._old >= 4:
                self._compact(0, self._old // 4 * 4, 4)
                self.level += 1
            elif spare >= 4:
                # Only with tiny caps after astronomically many epochs: fold at a finer level
                # than the older part rather than fail.
                block = 1 << int(math.log2(spare))
                self._fold(block, block)
            else:  # unreachable: n > 3/4 of a cap >= 64 leaves one of the cases above
                raise RuntimeError("loss history cannot be reduced further")
            self.decimations += 1

    def _fold(self, m: int, block: int) -> None:
        self._compact(self._old, self._old + m, block)

    def _compact(self, start: int, stop: int, block: int) -> None:
        """Replace points [start, stop) by two per ``block`` (min and max train loss)."""
        keep = start + _minmax_indices(self._train[start:stop], block)
        n = self._n
        dest = start + keep.size
        for arr in (self._epochs, self._train, self._test):
            arr[start:dest] = arr[keep]
            arr[dest : dest + n - stop] = arr[stop:n]  # numpy handles the overlapping move
        self._n = dest + n - stop
        if start == self._old:  # a fold: the older part now ends where the copied tail starts
            self._old = dest
        else:  # halving the older part from 0
            self._old = dest + (self._old - stop)



class EpochBins:
    """Incremental min/max of one curve per bin of equal epoch width, for the follow view.

    Bin width is a power of two chosen so there are at most ``DISPLAY_POINTS // 2`` bins; it
    doubles (and the bins are rebuilt, amortised O(1) per point) as the run grows. Completed
    bins are never recomputed; points of the current, incomplete bin are passed through raw, so
    the newest epoch is always drawn exactly.
    """

    def __init__(self) -> None:
        self.x = np.empty(DISPLAY_POINTS + 8)
        self.y = np.empty(DISPLAY_POINTS + 8)
        self.reset()

    def reset(self) -> None:
        self.width = 0.0
        self.anchor = 0.0
        self.done_bin = 0  # bins [0, done_bin) are in x/y
        self.size = 0

    def update(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        first, last = float(x[0]), float(x[-1])
        bins = DISPLAY_POINTS // 2 - 2
        width = 2.0 ** math.ceil(math.log2(max((last - first) / bins, 1e-9)))
        if width != self.width or first < self.anchor or (last - self.anchor) / width > bins + 1:
            self.width, self.anchor, self.done_bin, self.size = width, first, 0, 0
        last_bin = int((last - self.anchor) // width)
        start_edge = self.anchor + self.done_bin * width
        end_edge = self.anchor + last_bin * width
        i0 = int(np.searchsorted(x, start_edge, side="left"))
        i1 = int(np.searchsorted(x, end_edge, side="left"))
        if i1 > i0:
            seg_x, seg_y = x[i0:i1], y[i0:i1]
            b = ((seg_x - self.anchor) // width).astype(np.int64)
            starts = np.flatnonzero(np.concatenate(([True], b[1:] != b[:-1])))
            lo = np.fmin.reduceat(seg_y, starts)  # fmin/fmax skip NaN (missing test loss)
            hi = np.fmax.reduceat(seg_y, starts)
            centre = self.anchor + (b[starts] + 0.5) * width
            m = 2 * starts.size
            out_x = self.x[self.size : self.size + m]
            out_y = self.y[self.size : self.size + m]
            out_x[0::2] = centre
            out_x[1::2] = centre
            out_y[0::2] = hi
            out_y[1::2] = lo
            self.size += m
        self.done_bin = max(self.done_bin, last_bin)
        return (
            np.concatenate((self.x[: self.size], x[i1:])),
            np.concatenate((self.y[: self.size], y[i1:])),
        )

