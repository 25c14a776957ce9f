"""The per-epoch records of a training run (README, "Limits and failures")."""

from __future__ import annotations

import numpy as np

Array = np.ndarray

_HALF = np.array(0.5)


class History:
    """Per-epoch records in preallocated arrays, bounded in memory (README, "Limits and
    failures").

    Rows grow by doubling up to ``max_rows``. When full, every row but the newest ``recent``
    is thinned: each block of 4 older rows keeps the 2 with the lowest and the highest train
    loss (real rows, every column of the same epoch), so spikes survive and older epochs get
    sparser the older they are, while the newest ``recent`` epochs stay at full resolution.
    Memory is flat over any number of epochs and every history fits a session file.
    ``thinned_until`` is the epoch before which rows are thinned (0: none are).
    """

    COLUMNS = ("epoch", "train_loss", "test_loss", "accuracy", "test_accuracy")
    MAX_ROWS = 1_000_000
    RECENT = 100_000

    def __init__(
        self, capacity: int = 1024, max_rows: int = MAX_ROWS, recent: int = RECENT
    ) -> None:
        if not 0 < 2 * recent < max_rows:
            raise ValueError(f"recent ({recent}) must be > 0 and below half of max_rows "
                             f"({max_rows})")
        self.max_rows, self.recent = int(max_rows), int(recent)
        self._n = 0
        self._data = {c: self._empty(c, min(capacity, self.max_rows)) for c in self.COLUMNS}
        self._thinned: tuple[int, int] | None = None  # (rows, epoch) when last computed

    @staticmethod
    def _empty(column: str, n: int) -> Array:
        return np.zeros(n, np.int64) if column == "epoch" else np.full(n, np.nan)

    def reserve(self, total: int) -> None:
        """Capacity for `total` rows (at most max_rows)."""
        total = min(total, self.max_rows)
        cap = len(self._data["epoch"])
        if total <= cap:
            return
        while cap < total:
            cap *= 2
        cap = min(cap, self.max_rows)
        for c, old in self._data.items():
            new = self._empty(c, cap)
            new[: self._n] = old[: self._n]
            self._data[c] = new

    def make_room(self, wanted: int) -> int:
        """Room for up to `wanted` more rows, thinning older rows first when full. Returns the
        row index at which a writer filling the arrays directly must call again."""
        if self._n >= self.max_rows:
            self._thin()
        end = min(self._n + max(int(wanted), 1), self.max_rows)
        self.reserve(end)
        return end

    def _thin(self) -> None:
        """Halve every row but the newest `recent` by min/max of the train loss in blocks of 4."""
        old = (self._n - self.recent) // 4 * 4
        if old <= 0:
            return
        loss = self._data["train_loss"][:old].reshape(-1, 4)
        nan = np.isnan(loss)
        lo = np.where(nan, np.inf, loss).argmin(axis=1)
        hi = np.where(nan, -np.inf, loss).argmax(axis=1)
        hi = np.where(hi == lo, np.where(lo == 3, 0, 3), hi)  # flat block: keep two ends
        base = np.arange(0, old, 4)
        keep = np.empty((len(base), 2), np.intp)
        keep[:, 0] = base + np.minimum(lo, hi)
        keep[:, 1] = base + np.maximum(lo, hi)
        keep = keep.ravel()
        m = len(keep)
        for col in self._data.values():
            col[:m] = col[keep]
            col[m : m + self._n - old] = col[old : self._n]
        self._n = m + self._n - old
        self._thinned = None

    def __len__(self) -> int:
        return self._n

    def column(self, name: str) -> Array:
        view = self._data[name][: self._n]
        view.flags.writeable = False
        return view

    epoch = property(lambda self: self.column("epoch"))
    train_loss = property(lambda self: self.column("train_loss"))
    test_loss = property(lambda self: self.column("test_loss"))
    accuracy = property(lambda self: self.column("accuracy"))
    test_accuracy = property(lambda self: self.column("test_accuracy"))

    @property
    def thinned_until(self) -> int:
        """The first epoch from which every epoch has its row (0 when none is missing, as in a
        history that was never thinned); rows before it are a thinned record."""
        n = self._n
        if self._thinned is None or self._thinned[0] != n:
            e = self._data["epoch"][:n]
            gaps = np.flatnonzero(np.diff(e) > 1) if n > 1 else np.empty(0, np.intp)
            self._thinned = (n, int(e[gaps[-1] + 1]) if len(gaps) else 0)
        return self._thinned[1]

    def truncate(self, n: int) -> None:
        self._n = min(self._n, max(0, n))

    def truncate_to_epoch(self, epoch: int) -> None:
        """Drop the rows of epochs after `epoch` (what a divergence restore does)."""
        self.truncate(int(np.searchsorted(self._data["epoch"][: self._n], epoch, "right")))

    def append(self, **values: float) -> None:
        self.make_room(1)
        for c in self.COLUMNS:
            self._data[c][self._n] = values.get(c, np.nan)
        self._n += 1

    def extend(self, columns: dict[str, Array]) -> None:
        total = len(columns["epoch"])
        done = 0
        while done < total:
            stop = min(total, done + self.make_room(total - done) - self._n)
            n = stop - done
            for c in self.COLUMNS:
                if c in columns:
                    self._data[c][self._n : self._n + n] = columns[c][done:stop]
                else:
                    self._data[c][self._n : self._n + n] = 0 if c == "epoch" else np.nan
            self._n += n
            done = stop

    def as_dict(self) -> dict[str, Array]:
        return {c: self._data[c][: self._n].copy() for c in self.COLUMNS}

    def last(self) -> dict[str, float]:
        if not self._n:
            return {}
        return {c: self._data[c][self._n - 1].item() for c in self.COLUMNS}

    # ---- writing rows in place (the Trainer's loop) --------------------------------------------
    def columns(self) -> tuple[Array, Array, Array, Array]:
        """The train loss, accuracy, test loss and test accuracy arrays, for a writer that fills
        rows len(self) .. make_room(...) - 1 in place and then calls publish."""
        d = self._data
        return d["train_loss"], d["accuracy"], d["test_loss"], d["test_accuracy"]

    def publish(self, row: int, epoch: int) -> None:
        """Rows up to `row` (written through columns()) join the history, the last of them
        epoch `epoch`. One row per epoch, so their epoch numbers are consecutive and filled here
        in bulk: a store less per epoch for the writer."""
        n = self._n
        self._data["epoch"][n:row] = np.arange(epoch - (row - n) + 1, epoch + 1)
        self._n = row


def score(outputs: Array, targets: Array, flags: Array) -> float:
    """The fraction of samples right in one epoch's (units, samples) outputs: one unit is
    thresholded at 0.5 against a bool per sample, several compared by argmax against the class
    per sample. `flags` is a bool scratch array, one per sample."""
    if len(outputs) == 1:
        np.greater(outputs[0], _HALF, flags)
        np.equal(flags, targets, flags)
    else:
        np.equal(outputs.argmax(axis=0), targets, flags)
    return np.count_nonzero(flags) / len(flags)


class AccuracyBlock:
    """The accuracies of consecutive full-batch epochs, computed a block of epochs at a time.

    Scoring one epoch's outputs (threshold or argmax, compare, count) takes three NumPy calls,
    as long as a small network's backward pass; keeping its outputs takes one copy. So a run
    keeps each epoch's outputs here and scores them when it publishes their rows, with the
    operations `score` applies to one epoch, so the accuracies are the same to the bit.
    """

    #: Output values kept at most (8 MB of float64): blocks of fewer epochs for large data.
    BUDGET = 1 << 20
    #: Up to this many samples the flags are counted down the columns of a (samples, epochs)
    #: array: counting along rows of a few values each is several times slower.
    COLUMNS_UP_TO = 64

    def __init__(self, outputs: Array, targets: Array, most: int) -> None:
        """`outputs`: the (units, samples) array each epoch leaves its outputs in; `targets`:
        a bool per sample (one output unit, thresholded at 0.5) or the class per sample (argmax
        of several); at most `most` epochs are kept."""
        units, n = outputs.shape
        self.rows = max(1, min(int(most), self.BUDGET // max(outputs.size, 1)))
        #: outputs[e] holds the outputs of the block's epoch e
        self.outputs = np.empty((self.rows, units, n), outputs.dtype)
        self._by_column = n <= self.COLUMNS_UP_TO
        self._flags = np.empty((n, self.rows) if self._by_column else (self.rows, n), bool)
        self._one = np.empty(n, bool)
        self._targets = targets
        self._single = units == 1
        self._n = n

    def score(self, outputs: Array) -> float:
        """The accuracy of one epoch's (units, samples) outputs."""
        return score(outputs, self._targets, self._one)

    def score_into(self, count: int, accuracies: Array) -> None:
        """accuracies[:] = the accuracies of the first `count` epochs kept."""
        if not count:
            return
        outs = self.outputs[:count]
        flags = self._flags[:, :count].T if self._by_column else self._flags[:count]
        if self._single:
            np.greater(outs[:, 0], _HALF, flags)
            np.equal(flags, self._targets, flags)
        else:
            np.equal(outs.argmax(axis=1), self._targets, flags)
        hits = np.count_nonzero(flags.T if self._by_column else flags, axis=0 if
                                self._by_column else 1)
        np.divide(hits, self._n, accuracies)
