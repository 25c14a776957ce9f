"""The Convergence dock: train many random starts of a few configurations, see how often and how
fast they learn, and open any single run in the main window.

Threading. A run of the explorer is a `Job` (configurations plus frozen copies of the training
data) handed to a `ConvergenceWorker` living on the panel's own QThread. The thread is started
for a job and stopped (quit + wait) when the job ends, when it is cancelled and when the window
closes, so no thread outlives its job. The worker never touches a widget: it emits frozen
`Progress`, `ConfigDone` and `JobDone` objects through Signal(object), progress at most
``1 / PROGRESS_INTERVAL`` times a second; the panel's @Slot methods draw them. Cancel sets a
threading.Event that `run_convergence`'s progress callback turns into ``False`` after its current
chunk (~0.1 s), so a cancel (or closing the window) waits at most about that long.

Opening a run. Run r of a configuration starts from ``config.network(r)`` (seed config.seed + r).
`ConvergencePanel.load_run` rebuilds the main window's network with that configuration and seed,
so Reset returns to the run's start, copies run r's initial weights in, and, for mini-batches,
reseeds the trainer's batch order with the configuration's seed, so stepping epochs in the main
window retraces ``config.trainer(r, X, Y)``.
"""

from __future__ import annotations

import functools
import math
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

# isort: off
# pyqtgraph picks its Qt binding from what is already imported: PySide6 must come first.
from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
    QThread,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
import pyqtgraph as pg
# isort: on

from nnviz.core import activations
from nnviz.core.convergence import DIAGNOSES, ConvergenceConfig, ConvergenceResult, run_convergence
from nnviz.core.network import INITS, parse_layers
from nnviz.gui.plot_axes import ReadableAxis
from nnviz.gui.theme import check_scale

__all__ = [
    "ConvergencePanel", "ConvergenceWorker", "Job", "MAX_CONFIGS", "PRESETS", "install",
    "parse_architectures", "parse_rates", "summary_line",
]

#: Seconds between progress signals from the worker (the live plot updates at <= 10 Hz).
PROGRESS_INTERVAL = 0.1
#: At most this many configurations per job: each gets its own colour.
MAX_CONFIGS = 8
#: Bins of the epochs-to-converge histogram (shared by all configurations).
HIST_BINS = 25
THREAD_WAIT_MS = 10_000

#: One-click setups. "symmetric start" is issue 6's case to explain: small init on XOR never
#: converges (symmetric hidden units), the same networks with xavier init do.
PRESETS: dict[str, dict] = {
    "symmetric start": {
        "dataset": "xor", "layers": "2,2,1; 2,4,1", "inits": ("small", "xavier"),
        "activation": "sigmoid", "lr": "0.5", "runs": 200, "epochs": 5000, "threshold": 0.05,
    },
}

STILL_FALLING = "still falling"
#: What each diagnosis means, for tooltips (the core's module doc has the exact tests).
DIAGNOSIS_HELP: dict[str, str] = {
    "diverged": "The loss became NaN/inf or the weights blew up: try a smaller learning rate.",
    "dead ReLUs": "At least half the units of a ReLU layer output 0 on every training point, "
                  "so no gradient flows through them.",
    "saturated hidden units": "At least half the units of a hidden layer sit at a bound of "
                              "their activation on every point: their gradient is ~0.",
    "symmetric hidden units": "The hidden units compute (nearly) the same function and the "
                              "output is (nearly) constant: the layer offers one feature, so "
                              "the output can only be a constant (the symmetric saddle).",
    "loss plateau": "The loss changed by less than 1% over the last 10% of the epochs: a "
                    "local minimum or a very flat region.",
    STILL_FALLING: "Not converged, but the loss is still falling: more epochs may do it.",
}

# Okabe-Ito colours (colour-blind safe), ordered so neighbours differ in hue and lightness.
_COLOURS = {
    False: ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#444444",
            "#8B6D00"),
    True: ("#56B4E9", "#E69F00", "#2BD1A0", "#E89FCB", "#F0E442", "#F07A3C", "#DDDDDD",
           "#7FA8FF"),
}
_PLOT = {
    False: {"bg": "#ffffff", "fg": "#303030", "muted": "#888888"},
    True: {"bg": "#1e1f22", "fg": "#e0e0e0", "muted": "#909090"},
}
_BASE_PLOT_PT = 10.0
_BASE_PEN = 2.0


# ---- parsing the form (no Qt) ------------------------------------------------------------------
def parse_architectures(text: str, n_in: int, n_out: int) -> list[tuple[int, ...]]:
    """'2,2,1; 2,4,1' (full layer sizes) or '2; 4; 8,8' (hidden sizes) -> layer tuples.

    Entries are separated by ';'. An entry with at least three sizes that starts with the data's
    ``n_in`` and ends with its ``n_out`` is taken as the whole network; any other entry lists the
    hidden layers, and '0' or '-' means no hidden layer. Sizes may be separated by ',' or '-'.
    Duplicates are dropped; a bad entry raises ValueError naming it.
    """
    entries = [e.strip() for e in text.split(";")]
    if not any(entries):
        raise ValueError("no architecture given; write e.g. 2,2,1; 2,4,1")
    archs: list[tuple[int, ...]] = []
    for entry in entries:
        if not entry:
            continue
        if entry in ("0", "-"):
            sizes: tuple[int, ...] = (n_in, n_out)
        else:
            try:
                parts = parse_layers(entry.replace("-", ","))
            except ValueError as exc:
                raise ValueError(f"architecture {entry!r}: {exc}") from None
            full = len(parts) >= 3 and parts[0] == n_in and parts[-1] == n_out
            sizes = parts if full else (n_in, *parts, n_out)
        if sizes not in archs:
            archs.append(sizes)
    return archs


def parse_rates(text: str) -> list[float]:
    """'0.5' or '0.5; 2' -> learning rates (each finite and > 0)."""
    rates: list[float] = []
    for part in text.replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        try:
            lr = float(part)
        except ValueError:
            raise ValueError(f"learning rate {part!r} is not a number") from None
        if not (math.isfinite(lr) and lr > 0):
            raise ValueError(f"learning rate must be a number > 0, got {part!r}")
        if lr not in rates:
            rates.append(lr)
    if not rates:
        raise ValueError("no learning rate given; write e.g. 0.5 or 0.5; 2")
    return rates


def _row(*widgets: QWidget) -> QWidget:
    """Widgets side by side in one form field (the first ones stretch)."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(6)
    for w in widgets:
        row.addWidget(w, 0 if isinstance(w, QLabel) else 1)
    return box


class _TitledPlot(pg.PlotWidget):
    """A plot whose tick labels never collide and whose title stays whole: it may use the
    plot's whole width (pyqtgraph centres it over the data area only), its row fits the text
    (pyqtgraph fixes it at 30 px), and in a narrow plot its size steps down to the axis text's."""

    def __init__(self) -> None:
        super().__init__(axisItems={"bottom": ReadableAxis("bottom"), "left": ReadableAxis("left")})
        item = self.getPlotItem()
        item.layout.removeItem(item.titleLabel)
        item.layout.addItem(item.titleLabel, 0, 0, 1, 3)
        self._title: tuple[str, str, float, float] | None = None

    def set_title(self, text: str, colour: str, point_size: float, least: float) -> None:
        """Title ``text`` at ``point_size``, or smaller down to ``least`` where it would not fit."""
        self._title = (text, colour, point_size, least)
        self._fit_title()

    def title_fits(self) -> bool:
        """Whether the drawn title is within the plot's width and its title row."""
        label = self.getPlotItem().titleLabel
        text = label.item.boundingRect()
        return text.width() <= self.width() and text.height() <= label.boundingRect().height()

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802 (Qt override)
        super().resizeEvent(event)
        self._fit_title()

    def _fit_title(self) -> None:
        title = getattr(self, "_title", None)  # resized while pyqtgraph builds it: no title yet
        if title is None:
            return
        text, colour, size, least = title
        item = self.getPlotItem()
        label = item.titleLabel
        room = self.width() - 4
        while True:
            item.setTitle(text, color=colour, size=f"{size:.1f}pt")
            if size <= least or label.item.boundingRect().width() <= room:
                break
            size = max(least, size * 0.9)
        height = math.ceil(label.item.boundingRect().height())
        label.setMaximumHeight(height)
        item.layout.setRowFixedHeight(0, height)


def _arch_text(sizes: Sequence[int]) -> str:
    return "-".join(map(str, sizes))


def _fmt_epochs(x: float | None) -> str:
    return "—" if x is None else f"{x:,.0f}"


def diagnosis_name(diagnosis: str | None) -> str:
    return STILL_FALLING if diagnosis is None else diagnosis


def diagnosis_counts(result: ConvergenceResult) -> dict[str, int]:
    """The core's counts with None shown as 'still falling', most frequent first (ties in
    DIAGNOSES order)."""
    raw = result.diagnosis_counts()
    order = (*DIAGNOSES, "none")
    out = {}
    for key in sorted(raw, key=lambda k: (-raw[k], order.index(k) if k in order else 99)):
        out[STILL_FALLING if key == "none" else key] = raw[key]
    return out


def short_labels(configs: Sequence[ConvergenceConfig]) -> list[str]:
    """Labels naming what differs between the configurations: '2-2-1 small', '2-4-1 xavier
    lr=2' (architecture and init always; activation, lr, momentum, batch when they vary)."""
    def varies(name: str) -> bool:
        return len({getattr(c, name) for c in configs}) > 1

    out = []
    for c in configs:
        parts = [_arch_text(c.layers)]
        if varies("activation"):
            parts.append(c.activation)
        parts.append(c.init)
        if varies("lr"):
            parts.append(f"lr={c.lr:g}")
        if varies("momentum"):
            parts.append(f"mom={c.momentum:g}")
        if varies("batch_size"):
            parts.append("full" if c.batch_size is None else f"batch={c.batch_size}")
        out.append(" ".join(parts))
    return out


def common_text(config: ConvergenceConfig) -> str:
    """The settings every configuration of a job shares, for the status line."""
    batch = "full batch" if config.batch_size is None else \
        "online" if config.batch_size == 1 else f"batch {config.batch_size}"
    text = f"{config.activation} hidden, {config.output} output, {config.loss}, {batch}"
    return text + (f", momentum {config.momentum:g}" if config.momentum else "")


def summary_line(result: ConvergenceResult) -> str:
    """'2-2-1 sigmoid xavier lr=0.5: 74% converged (148/200), median 1,234, p90 3,456 epochs;
    not converged: loss plateau 40, still falling 12'."""
    n = result.n_runs
    k = int(np.count_nonzero(result.converged))
    text = f"{result.config.label}: {100 * result.fraction_converged:.0f}% converged ({k}/{n})"
    if k:
        text += (f", median {_fmt_epochs(result.median_epochs)}, "
                 f"p90 {_fmt_epochs(result.p90_epochs)} epochs")
    counts = diagnosis_counts(result)
    if counts:
        text += "; not converged: " + ", ".join(f"{d} {c}" for d, c in counts.items())
    if result.cancelled:
        text += f" (cancelled at epoch {result.epochs_run:,})"
    return text


def _step_curve(result: ConvergenceResult, until: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact cumulative fraction converged (in %) as a staircase from 0 to ``until``."""
    e = np.unique(result.converged_epochs)
    x = np.concatenate(([0.0], e.astype(float), [float(max(until, e[-1] if len(e) else 0))]))
    y = 100.0 * result.fraction_converged_by(x)
    y[0] = 0.0
    return x, y


# ---- the worker --------------------------------------------------------------------------------
def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.flags.writeable = False
    return a


@dataclass(frozen=True)
class Job:
    """One explorer run: configurations trained in turn on the same (frozen) data."""

    job_id: int
    configs: tuple[ConvergenceConfig, ...]
    X: np.ndarray
    Y: np.ndarray
    data_settings: dict = field(default_factory=dict)  # Settings fields that rebuild the data
    dataset_name: str = ""

    @property
    def total_epochs(self) -> int:
        return sum(c.epochs for c in self.configs)


@dataclass(frozen=True)
class Progress:
    job_id: int
    index: int  # configuration index
    epoch: int
    fraction: float
    curve_epochs: np.ndarray  # fraction converged sampled at the end of every chunk so far
    curve_fraction: np.ndarray
    work_done: int  # epochs of the job done (finished configurations count fully)


@dataclass(frozen=True)
class ConfigDone:
    job_id: int
    index: int
    result: ConvergenceResult  # its arrays are read-only; the worker never touches it again


@dataclass(frozen=True)
class JobDone:
    job_id: int
    cancelled: bool
    error: str | None
    elapsed: float


class _Tracker:
    """run_convergence's progress callback (worker thread): throttled Progress, cancel check."""

    def __init__(self, worker: ConvergenceWorker, job: Job, index: int, offset: int) -> None:
        self.worker, self.job, self.index, self.offset = worker, job, index, offset
        self.xs: list[int] = [0]
        self.ys: list[float] = [0.0]
        self.last = 0.0

    def __call__(self, epoch: int, fraction: float) -> bool:
        self.xs.append(int(epoch))
        self.ys.append(float(fraction))
        now = time.perf_counter()
        if now - self.last >= PROGRESS_INTERVAL:
            self.last = now
            self.worker.progress.emit(Progress(
                self.job.job_id, self.index, int(epoch), float(fraction),
                _frozen(np.array(self.xs)), _frozen(np.array(self.ys)), self.offset + int(epoch),
            ))
        return not self.worker.cancel_requested


class ConvergenceWorker(QObject):
    """Runs a Job on the panel's thread; talks to the GUI only through its signals."""

    progress = Signal(object)  # Progress
    configDone = Signal(object)  # ConfigDone
    jobDone = Signal(object)  # JobDone

    def __init__(self) -> None:
        super().__init__()
        self.job: Job | None = None
        self._cancel = threading.Event()

    # GUI thread, while the worker's thread is not running
    def prepare(self, job: Job) -> None:
        self.job = job
        self._cancel.clear()

    # any thread
    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    @Slot()
    def run(self) -> None:
        job = self.job
        if job is None:
            return
        t0 = time.perf_counter()
        cancelled, error, offset = False, None, 0
        try:
            for i, cfg in enumerate(job.configs):
                if self._cancel.is_set():
                    cancelled = True
                    break
                result = run_convergence(cfg, job.X, job.Y, progress=_Tracker(self, job, i, offset))
                for name in ("seeds", "converged", "epochs", "final_loss", "final_accuracy",
                             "loss_curve_epochs", "loss_curves", "curve_epochs",
                             "curve_fraction"):
                    getattr(result, name).flags.writeable = False
                self.configDone.emit(ConfigDone(job.job_id, i, result))
                offset += cfg.epochs
                if result.cancelled:
                    cancelled = True
                    break
        except Exception as exc:  # noqa: BLE001 (a thread must report, never die silently)
            error = f"{type(exc).__name__}: {exc}"
        self.jobDone.emit(JobDone(job.job_id, cancelled, error, time.perf_counter() - t0))


def _stop_thread(thread: QThread, worker: ConvergenceWorker) -> bool:
    """Cancel the worker's job and wait for its thread (GUI thread)."""
    try:
        if not thread.isRunning():
            return True
    except RuntimeError:  # the C++ object is already gone
        return True
    worker.cancel()
    thread.quit()  # exec() returns as soon as the running job returns
    return thread.wait(THREAD_WAIT_MS)


def _stop_on_destroyed(thread: QThread, worker: ConvergenceWorker, *_args: object) -> None:
    _stop_thread(thread, worker)


# ---- the runs table ----------------------------------------------------------------------------
class RunTableModel(QAbstractTableModel):
    """One row per run of every finished configuration; sorted with NumPy, read from the result
    arrays on demand (thousands of runs cost no Python objects per row)."""

    COLUMNS = ("Configuration", "Run", "Seed", "Converged at", "Diagnosis", "Final loss",
               "Accuracy")
    DIAGNOSIS_COLUMN = 4

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.results: dict[int, ConvergenceResult] = {}
        self.labels: list[str] = []
        self.colours: list[QColor] = []
        self._cfg = np.zeros(0, np.intp)
        self._run = np.zeros(0, np.intp)
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)

    def clear(self) -> None:
        self.beginResetModel()
        self.results = {}
        self._cfg = np.zeros(0, np.intp)
        self._run = np.zeros(0, np.intp)
        self.endResetModel()

    def add_result(self, index: int, result: ConvergenceResult) -> None:
        self.layoutAboutToBeChanged.emit()
        self.results[index] = result
        n = result.n_runs
        self._cfg = np.concatenate([self._cfg, np.full(n, index, np.intp)])
        self._run = np.concatenate([self._run, np.arange(n, dtype=np.intp)])
        self._order(*self._sort)
        self.layoutChanged.emit()

    def set_colours(self, colours: list[QColor]) -> None:
        self.colours = colours
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, 0))

    def run_at(self, row: int) -> tuple[int, int]:
        """(configuration index, run) shown in ``row``."""
        return int(self._cfg[row]), int(self._run[row])

    def row_of(self, config_index: int, run: int) -> int:
        hits = np.nonzero((self._cfg == config_index) & (self._run == run))[0]
        if not len(hits):
            raise KeyError(f"no run {run} of configuration {config_index} in the table")
        return int(hits[0])

    # ---- Qt model interface
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._cfg)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        ci, r = self.run_at(index.row())
        res = self.results[ci]
        col = index.column()
        conv = bool(res.converged[r])
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return self.labels[ci] if ci < len(self.labels) else res.config.label
            if col == 1:
                return str(r)
            if col == 2:
                return str(int(res.seeds[r]))
            if col == 3:
                return f"{int(res.epochs[r]):,}" if conv else "—"
            if col == 4:
                return "" if conv else diagnosis_name(res.diagnosis[r])
            if col == 5:
                x = float(res.final_loss[r])
                return f"{x:.4g}" if math.isfinite(x) else "—"
            a = float(res.final_accuracy[r])
            return f"{100 * a:.0f}%" if math.isfinite(a) else "—"
        if role == Qt.ItemDataRole.DecorationRole and col == 0 and ci < len(self.colours):
            return self.colours[ci]
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (1, 2, 3, 5, 6):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 4 and not conv:
                return DIAGNOSIS_HELP.get(diagnosis_name(res.diagnosis[r]))
            if col == 0:
                return f"{res.config.label}\nDouble-click to open this run in the main window"
            return "Double-click to load this run's initial weights into the main window"
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._order(column, order)
        self.layoutChanged.emit()

    def _key(self, column: int) -> np.ndarray:
        n = len(self._cfg)
        key = np.zeros(n)
        for ci, res in self.results.items():
            rows = np.nonzero(self._cfg == ci)[0]
            runs = self._run[rows]
            if column == 2:
                key[rows] = res.seeds[runs]
            elif column == 3:  # not converged after every converged run
                key[rows] = np.where(res.converged[runs], res.epochs[runs], np.inf)
            elif column == 5:
                key[rows] = np.nan_to_num(res.final_loss[runs], nan=np.inf)
            elif column == 6:
                key[rows] = np.nan_to_num(res.final_accuracy[runs], nan=-np.inf)
            elif column == 4:  # converged, then the diagnoses in the core's order
                names = ("", *DIAGNOSES, STILL_FALLING)
                key[rows] = [
                    0 if res.converged[r] else names.index(diagnosis_name(res.diagnosis[r]))
                    for r in runs
                ]
        return key

    def _order(self, column: int, order: Qt.SortOrder) -> None:
        if column < 0 or not len(self._cfg):
            perm = np.lexsort((self._run, self._cfg))
        elif column == 0:
            perm = np.lexsort((self._run, self._cfg))
        elif column == 1:
            perm = np.lexsort((self._cfg, self._run))
        else:
            perm = np.lexsort((self._run, self._cfg, self._key(column)))
        if column >= 0 and order == Qt.SortOrder.DescendingOrder:
            perm = perm[::-1]
        self._cfg, self._run = self._cfg[perm], self._run[perm]


# ---- the panel ---------------------------------------------------------------------------------
class ConvergencePanel(QWidget):
    """Configurations, live fraction-converged curves, histogram, summary and runs table."""

    #: Every panel ever made (weakly): tests check that none leaves its thread running.
    instances: weakref.WeakSet = weakref.WeakSet()

    started = Signal()
    resultReady = Signal(int)  # configuration index whose result just arrived
    runFinished = Signal()  # a job ended (finished, cancelled or failed)
    runLoaded = Signal(int, int)  # (configuration index, run) now in the main window

    def __init__(self, window: QWidget | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        ConvergencePanel.instances.add(self)
        self.setObjectName("convergencePanel")
        self.window_ = window
        self._scale = 1.0
        self._dark = False
        # the unscaled size the classroom recorded: the application font may already be scaled
        # (the explorer opened first in presentation mode), and set_scale scales it again
        base = QApplication.instance().property("nnviz_base_point_size")
        self._base_pt = base if isinstance(base, float) and base > 0 \
            else QApplication.font().pointSizeF()
        if self._base_pt <= 0:
            self._base_pt = 10.0
        self._job: Job | None = None
        self._job_id = 0
        self._running = False
        self.results: dict[int, ConvergenceResult] = {}
        self._live: dict[int, Progress] = {}
        self.labels: list[str] = []
        self._curves: list[pg.PlotDataItem] = []
        self._hists: list[pg.PlotDataItem] = []
        self.last_status = ""

        self.thread = QThread()
        self.thread.setObjectName("nnviz-converge")
        self.worker = ConvergenceWorker()
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.progress.connect(self._on_progress)
        self.worker.configDone.connect(self._on_config_done)
        self.worker.jobDone.connect(self._on_job_done)

        self._build_ui()
        self._apply_style()
        self._set_running(False)
        if window is not None and hasattr(window, "controller"):
            self.prefill_from_window()
            window.controller.networkRebuilt.connect(self._update_preview)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # ---- building -----------------------------------------------------------------------------
    def _build_ui(self) -> None:
        outer = QHBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("convergenceSplitter")
        splitter.setChildrenCollapsible(False)
        outer.addWidget(splitter)

        # -- left: the form, compact (the dock is often short); it scrolls rather than squeezes
        form_box = QWidget()
        left = QVBoxLayout(form_box)
        left.setContentsMargins(2, 2, 6, 2)
        left.setSpacing(4)
        g = QGridLayout()
        g.setHorizontalSpacing(6)
        g.setVerticalSpacing(3)
        g.setColumnStretch(1, 1)
        g.setColumnStretch(3, 1)
        self.layers_edit = QLineEdit()
        self.layers_edit.setObjectName("convergenceLayers")
        self.layers_edit.setToolTip(
            "Architectures, separated by ';': whole networks (2,2,1; 2,4,1) or hidden sizes "
            "(2; 4; 8,8). Input and output sizes follow the data set.")
        layers_label = QLabel("Layers")
        layers_label.setBuddy(self.layers_edit)  # screen readers say the label
        g.addWidget(layers_label, 0, 0)
        g.addWidget(self.layers_edit, 0, 1, 1, 3)
        self.preview = QLabel()
        self.preview.setObjectName("convergencePreview")
        self.preview.setWordWrap(True)
        g.addWidget(self.preview, 1, 0, 1, 4)
        inits = QWidget()
        row = QHBoxLayout(inits)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        self.init_boxes: dict[str, QCheckBox] = {}
        for name in INITS:
            box = QCheckBox(name)
            box.setObjectName(f"convergenceInit_{name}")
            box.setToolTip("Compare initialisers: every one ticked is a configuration")
            box.toggled.connect(self._update_preview)
            row.addWidget(box)
            self.init_boxes[name] = box
        row.addStretch(1)
        g.addWidget(QLabel("Init"), 2, 0)
        g.addWidget(inits, 2, 1, 1, 3)
        self.activation = QComboBox()
        self.activation.setObjectName("convergenceActivation")
        self.activation.addItems(list(activations.HIDDEN_ACTIVATIONS))
        self.lr_edit = QLineEdit()
        self.lr_edit.setObjectName("convergenceLr")
        self.lr_edit.setToolTip("Learning rate; several separated by ';' are compared")
        self.runs_spin = QSpinBox()
        self.runs_spin.setObjectName("convergenceRuns")
        self.runs_spin.setRange(1, 100_000)
        self.runs_spin.setValue(200)
        self.runs_spin.setGroupSeparatorShown(True)
        self.runs_spin.setToolTip("Random starts per configuration (seeds seed .. seed+runs-1)")
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setObjectName("convergenceEpochs")
        self.epochs_spin.setRange(1, 10_000_000)
        self.epochs_spin.setValue(5000)
        self.epochs_spin.setSingleStep(1000)
        self.epochs_spin.setGroupSeparatorShown(True)
        self.epochs_spin.setToolTip("Maximum epochs per run")
        self.seed_spin = QSpinBox()
        self.seed_spin.setObjectName("convergenceSeed")
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip("Run r starts from the weights of seed + r")
        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setObjectName("convergenceThreshold")
        self.threshold_spin.setDecimals(4)
        self.threshold_spin.setRange(0.0001, 100.0)
        self.threshold_spin.setSingleStep(0.01)
        self.threshold_spin.setValue(0.05)
        self.threshold_spin.setToolTip("A run converges at the first epoch whose loss is below "
                                       "this (and, if ticked, every point is classified right)")
        pairs = (("Activation", self.activation, "lr", self.lr_edit),
                 ("Runs", self.runs_spin, "Epochs", self.epochs_spin),
                 ("Seed", self.seed_spin, "Loss <", self.threshold_spin))
        for r, (l1, w1, l2, w2) in enumerate(pairs, start=3):
            label1, label2 = QLabel(l1), QLabel(l2)
            label1.setBuddy(w1)
            label2.setBuddy(w2)
            g.addWidget(label1, r, 0)
            g.addWidget(w1, r, 1)
            g.addWidget(label2, r, 2, Qt.AlignmentFlag.AlignRight)
            g.addWidget(w2, r, 3)
        self.all_correct = QCheckBox("converged also needs every point classified right")
        self.all_correct.setObjectName("convergenceAllCorrect")
        self.all_correct.setChecked(True)
        g.addWidget(self.all_correct, 6, 0, 1, 4)
        left.addLayout(g)
        for w in (self.layers_edit, self.lr_edit):
            w.textChanged.connect(self._update_preview)

        buttons = QGridLayout()
        buttons.setSpacing(4)
        self.start_button = QPushButton("Start")
        self.start_button.setObjectName("convergenceStart")
        self.start_button.setToolTip("Train every configuration's runs in the background")
        self.start_button.clicked.connect(self._on_start_clicked)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("convergenceCancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.preset_button = QPushButton("Preset: symmetric start")
        self.preset_button.setObjectName("convergencePreset")
        self.preset_button.setToolTip(
            "XOR 2-2-1 and 2-4-1, small vs xavier init: why a tiny random start never learns")
        self.preset_button.clicked.connect(self._on_preset_clicked)
        self.from_window_button = QPushButton("From main window")
        self.from_window_button.setObjectName("convergenceFromWindow")
        self.from_window_button.setToolTip("Copy the main window's network and training settings")
        self.from_window_button.clicked.connect(self.prefill_from_window)
        buttons.addWidget(self.start_button, 0, 0)
        buttons.addWidget(self.cancel_button, 0, 1)
        buttons.addWidget(self.preset_button, 1, 0)
        buttons.addWidget(self.from_window_button, 1, 1)
        left.addLayout(buttons)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("convergenceProgress")
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("")
        left.addWidget(self.progress_bar)
        self.status = QLabel("Pick configurations and press Start.")
        self.status.setObjectName("convergenceStatus")
        self.status.setWordWrap(True)
        self.status.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        left.addWidget(self.status)
        left.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("convergenceFormScroll")
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields; they scroll in
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(form_box)
        self._form_box, self._form_scroll = form_box, scroll
        splitter.addWidget(scroll)

        # -- middle: plots and summary
        middle = QWidget()
        mid = QVBoxLayout(middle)
        mid.setContentsMargins(0, 0, 0, 0)
        plots = QHBoxLayout()
        self.fraction_plot = _TitledPlot()
        self.fraction_plot.setObjectName("convergenceFractionPlot")
        self.fraction_plot.setAccessibleName("Fraction converged by epoch")
        self.hist_plot = _TitledPlot()
        self.hist_plot.setObjectName("convergenceHistogram")
        self.hist_plot.setAccessibleName("Histogram of epochs to converge")
        for w in (self.fraction_plot, self.hist_plot):
            w.setMinimumSize(150, 110)
            item = w.getPlotItem()
            item.setMenuEnabled(False)
            item.hideButtons()
            item.showGrid(x=True, y=True, alpha=0.25)
            w.setMouseEnabled(x=True, y=False)
            plots.addWidget(w, 1)
        self.fraction_plot.setYRange(0, 100, padding=0.02)
        self.fraction_plot.setXRange(0, 1, padding=0)
        self.hist_plot.setXRange(0, 1, padding=0)
        mid.addLayout(plots, 1)
        self.summary = QTableWidget(0, 5)
        self.summary.setObjectName("convergenceSummary")
        self.summary.setAccessibleName("Summary per configuration")
        self.summary.setHorizontalHeaderLabels(
            ["Configuration", "Converged", "Median", "90th pct", "Not converged because"])
        self.summary.verticalHeader().hide()
        self.summary.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.summary.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.summary.setWordWrap(False)
        header = self.summary.horizontalHeader()
        for c in range(4):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        mid.addWidget(self.summary, 0)
        splitter.addWidget(middle)

        # -- right: the runs
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        hint = QLabel("Runs — double-click one to open it in the main window")
        hint.setObjectName("convergenceRunsHint")
        hint.setWordWrap(True)
        rv.addWidget(hint)
        self.model = RunTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("convergenceRunsTable")
        self.table.setAccessibleName("Runs")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self._on_double_clicked)
        rv.addWidget(self.table)
        splitter.addWidget(right)

        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 2)
        self.table.setMinimumWidth(200)
        splitter.setSizes([400, 560, 560])
        self._fit_form()
        self.splitter = splitter

    # ---- reading the form ---------------------------------------------------------------------
    def _data(self) -> tuple[np.ndarray, np.ndarray, str]:
        c = self.window_.controller if self.window_ is not None else None
        if c is None:
            raise ValueError("no main window to take the data set from")
        d = c.dataset
        name = d.name if c.settings.dataset != "csv" else "CSV data"
        return d.X_train, d.Y_train, name

    def selected_inits(self) -> list[str]:
        return [name for name, box in self.init_boxes.items() if box.isChecked()]

    def configs(self) -> list[ConvergenceConfig]:
        """The configurations the form describes (architectures x inits x learning rates), or
        ValueError naming the problem."""
        X, Y, _ = self._data()
        archs = parse_architectures(self.layers_edit.text(), X.shape[1], Y.shape[1])
        inits = self.selected_inits()
        if not inits:
            raise ValueError("tick at least one initialiser")
        rates = parse_rates(self.lr_edit.text())
        n = len(archs) * len(inits) * len(rates)
        if n > MAX_CONFIGS:
            raise ValueError(f"{n} configurations ({len(archs)} architectures x {len(inits)} "
                             f"inits x {len(rates)} learning rates); at most {MAX_CONFIGS}")
        s = self.window_.controller.settings
        out = []
        for arch in archs:
            for lr in rates:
                for init in inits:
                    out.append(ConvergenceConfig(
                        arch, activation=self.activation.currentText(), output=s.output,
                        loss=s.loss, init=init, lr=lr, momentum=s.momentum,
                        batch_size=s.batch_size, epochs=self.epochs_spin.value(),
                        runs=self.runs_spin.value(), seed=self.seed_spin.value(),
                        loss_threshold=self.threshold_spin.value(),
                        require_all_correct=self.all_correct.isChecked(),
                    ))
        return out

    @Slot()
    def _update_preview(self) -> None:
        try:
            X, Y, name = self._data()
            archs = parse_architectures(self.layers_edit.text(), X.shape[1], Y.shape[1])
            rates = parse_rates(self.lr_edit.text())
        except ValueError as exc:
            self.preview.setText(f"<span style='color:#d55e00'>{exc}</span>")
            return
        s = self.window_.controller.settings
        n = len(archs) * max(1, len(self.selected_inits())) * len(rates)
        batch = "full batch" if s.batch_size is None else \
            "online" if s.batch_size == 1 else f"batch {s.batch_size}"
        extra = f", momentum {s.momentum:g}" if s.momentum else ""
        self.preview.setText(
            f"→ {', '.join(_arch_text(a) for a in archs)} on {name} ({len(X)} points); "
            f"{s.output} output, {s.loss}, {batch}{extra}. {n} configuration"
            f"{'s' if n != 1 else ''}.")

    @Slot()
    def prefill_from_window(self) -> None:
        """Copy the main window's architecture, init, activation, lr and seed into the form."""
        c = self.window_.controller
        s = c.settings
        self.layers_edit.setText(",".join(map(str, c.net.sizes)))
        for name, box in self.init_boxes.items():
            box.setChecked(name == s.init)
        self.activation.setCurrentText(s.activation)
        self.lr_edit.setText(f"{s.lr:g}")
        self.seed_spin.setValue(int(s.seed))
        self._update_preview()

    def apply_preset(self, name: str = "symmetric start", start: bool = True) -> str | None:
        """Fill the form with a preset (switching the main window to its data set when needed)
        and, with ``start``, run it. Returns an error message or None."""
        if name not in PRESETS:
            raise ValueError(f"unknown preset {name!r}; one of {', '.join(PRESETS)}")
        p = PRESETS[name]
        c = self.window_.controller
        s = c.settings
        if s.dataset != p["dataset"] or s.output != "sigmoid" or s.loss != "mse":
            error = c.apply_settings(dataset=p["dataset"], noise=0.0, n_points=None,
                                     test_ratio=0.0, dataset_options={}, output="sigmoid",
                                     loss="mse")
            if error:
                self._show_status(f"Preset not applied: {error}", error=True)
                return error
        self.layers_edit.setText(p["layers"])
        for init, box in self.init_boxes.items():
            box.setChecked(init in p["inits"])
        self.activation.setCurrentText(p["activation"])
        self.lr_edit.setText(p["lr"])
        self.runs_spin.setValue(p["runs"])
        self.epochs_spin.setValue(p["epochs"])
        self.threshold_spin.setValue(p["threshold"])
        self.all_correct.setChecked(True)
        self._update_preview()
        return self.start() if start else None

    @Slot()
    def _on_preset_clicked(self) -> None:
        self.apply_preset("symmetric start", start=True)

    @Slot()
    def _on_start_clicked(self) -> None:
        self.start()

    # ---- running ------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> str | None:
        """Start a job from the form; returns an error message (also shown) or None."""
        try:
            configs = self.configs()
        except ValueError as exc:
            self._show_status(f"Not started: {exc}", error=True)
            return str(exc)
        if not _stop_thread(self.thread, self.worker):
            self._show_status("The previous run did not stop; try again", error=True)
            return "previous run still stopping"
        c = self.window_.controller
        X, Y, name = self._data()
        s = c.settings
        data_settings = {k: getattr(s, k) for k in (
            "dataset", "noise", "n_points", "test_ratio", "data_seed")}
        data_settings["dataset_options"] = dict(s.dataset_options)
        self._job_id += 1
        job = Job(self._job_id, tuple(configs), _frozen(X), _frozen(Y), data_settings, name)
        self._job = job
        self._reset_results(job)
        self.worker.prepare(job)
        self._set_running(True)
        self._show_status(f"Training {len(configs)} configuration"
                          f"{'s' if len(configs) != 1 else ''} × {configs[0].runs:,} runs "
                          f"on {name} ({common_text(configs[0])})…")
        self.thread.start()
        self.started.emit()
        return None

    @Slot()
    def cancel(self) -> None:
        """Stop the job after its current chunk and wait for the thread; results so far stay."""
        if not self._running:
            return
        stopped = _stop_thread(self.thread, self.worker)
        self._set_running(False)
        self._show_status("Cancelled." if stopped else "Cancel requested; still stopping…")

    @Slot()
    def shutdown(self) -> None:
        """Stop and wait for the thread (window closing, application quitting)."""
        try:
            _stop_thread(self.thread, self.worker)
            self._running = False
        except RuntimeError:  # already torn down
            pass

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self.window_ and event.type() == QEvent.Type.Close:
            self.shutdown()
        return False

    def _set_running(self, on: bool) -> None:
        self._running = on
        self.start_button.setEnabled(not on)
        self.preset_button.setEnabled(not on)
        self.cancel_button.setEnabled(on)

    def _reset_results(self, job: Job) -> None:
        self.results = {}
        self._live = {}
        self.model.clear()
        self.labels = short_labels(job.configs)
        self.model.labels = self.labels
        plot = self.fraction_plot.getPlotItem()
        for item in self._curves:
            plot.removeItem(item)
        for item in self._hists:
            self.hist_plot.removeItem(item)
        self._curves, self._hists = [], []
        for _ in job.configs:
            curve = pg.PlotDataItem()
            curve.setData([0.0], [0.0])
            plot.addItem(curve)
            self._curves.append(curve)
            hist = pg.PlotDataItem()
            self.hist_plot.addItem(hist)
            self._hists.append(hist)
        top = max(c.epochs for c in job.configs)
        self.fraction_plot.setXRange(0, top, padding=0.01)
        self.hist_plot.setXRange(0, top, padding=0.01)
        self.hist_plot.setYRange(0, 10, padding=0.05)  # whole runs until counts arrive
        self.summary.setRowCount(len(job.configs))
        for i in range(len(job.configs)):
            self._set_summary_row(i, "waiting", "", "", "")
        self._fit_summary()
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("")
        self._apply_style()

    # ---- results from the worker (GUI thread) -------------------------------------------------
    @Slot(object)
    def _on_progress(self, p: Progress) -> None:
        if self._job is None or p.job_id != self._job.job_id or p.index in self.results:
            return
        self._live[p.index] = p
        self._curves[p.index].setData(p.curve_epochs, 100.0 * p.curve_fraction)
        cfg = self._job.configs[p.index]
        self._set_summary_row(p.index, f"{100 * p.fraction:.0f}% so far", "", "",
                              f"running: epoch {p.epoch:,} of {cfg.epochs:,}")
        self._set_progress(p.work_done, p.index)

    @Slot(object)
    def _on_config_done(self, d: ConfigDone) -> None:
        if self._job is None or d.job_id != self._job.job_id:
            return
        res = d.result
        self.results[d.index] = res
        cfg = res.config
        until = res.epochs_run if res.cancelled else cfg.epochs
        self._curves[d.index].setData(*_step_curve(res, until))
        self._update_histograms()
        k = int(np.count_nonzero(res.converged))
        counts = diagnosis_counts(res)
        why = ", ".join(f"{n} {name}" for name, n in counts.items())
        if res.cancelled:
            why = (why + "; " if why else "") + f"cancelled at epoch {res.epochs_run:,}"
        self._set_summary_row(
            d.index, f"{100 * res.fraction_converged:.0f}% ({k}/{res.n_runs})",
            _fmt_epochs(res.median_epochs), _fmt_epochs(res.p90_epochs), why or "—",
            tips=[DIAGNOSIS_HELP.get(name, "") for name in counts])
        self.model.add_result(d.index, res)
        self.table.resizeColumnsToContents()
        self._set_progress(sum(self._job.configs[i].epochs for i in self.results), d.index)
        self.resultReady.emit(d.index)

    @Slot(object)
    def _on_job_done(self, d: JobDone) -> None:
        if self._job is None or d.job_id != self._job.job_id:
            return
        was_running = self._running
        _stop_thread(self.thread, self.worker)
        self._set_running(False)
        if d.error:
            self._show_status(f"Failed: {d.error}", error=True)
        elif d.cancelled or not was_running:
            self._show_status(f"Cancelled after {d.elapsed:.1f} s; {len(self.results)} of "
                              f"{len(self._job.configs)} configurations have results.")
        else:
            n = self._job.configs[0].runs if self._job.configs else 0
            self._show_status(f"Done in {d.elapsed:.1f} s: {len(self.results)} configurations "
                              f"× {n:,} runs. Double-click a run to open it.")
            self.progress_bar.setValue(self.progress_bar.maximum())
            self.progress_bar.setFormat("done")
        self.runFinished.emit()

    def _set_progress(self, work_done: int, index: int) -> None:
        job = self._job
        total = max(job.total_epochs, 1)
        self.progress_bar.setValue(int(self.progress_bar.maximum() * min(work_done / total, 1)))
        self.progress_bar.setFormat(f"configuration {index + 1}/{len(job.configs)} · %p%")

    def _set_summary_row(self, row: int, conv: str, median: str, p90: str, why: str,
                         tips: list[str] | None = None) -> None:
        cells = (self.labels[row], conv, median, p90, why)
        for col, text in enumerate(cells):
            item = self.summary.item(row, col)
            if item is None:
                item = QTableWidgetItem()
                self.summary.setItem(row, col, item)
            item.setText(text)
            if 1 <= col <= 3:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.summary.item(row, 0).setToolTip(self._job.configs[row].label)
        why_item = self.summary.item(row, 4)
        why_item.setToolTip("\n".join(t for t in (tips or []) if t))
        self._colour_summary_row(row)

    def _fit_summary(self) -> None:
        """As tall as its rows (plots get the rest), scrolling only when the panel is short."""
        t = self.summary
        t.resizeRowsToContents()
        h = (t.horizontalHeader().sizeHint().height() + t.verticalHeader().length()
             + 2 * t.frameWidth() + t.horizontalScrollBar().sizeHint().height() // 2)
        t.setMaximumHeight(h)
        t.setMinimumHeight(min(h, 70))

    def _colour_summary_row(self, row: int) -> None:
        item = self.summary.item(row, 0)
        if item is not None:
            item.setData(Qt.ItemDataRole.DecorationRole, self._colour(row))

    def _update_histograms(self) -> None:
        if not self.results:
            return
        top = max(max(r.epochs_run for r in self.results.values()), 1)
        bins = max(1, min(HIST_BINS, top))
        edges = np.linspace(0.5, top + 0.5, bins + 1)
        peak = 0
        for i, res in self.results.items():
            counts, _ = np.histogram(res.converged_epochs, bins=edges)
            peak = max(peak, int(counts.max()) if len(counts) else 0)
            self._hists[i].setData(edges, counts, stepMode="center", fillLevel=0)
        self.hist_plot.setXRange(0, top, padding=0.01)
        self.hist_plot.setYRange(0, max(peak, 1), padding=0.05)

    def _show_status(self, text: str, error: bool = False) -> None:
        self.last_status = text
        colour = "#d55e00" if error else ""
        self.status.setStyleSheet(f"color: {colour};" if colour else "")
        self.status.setText(text)

    def summary_lines(self) -> list[str]:
        """One line per finished configuration (fraction, median, p90, diagnosis counts)."""
        return [summary_line(self.results[i]) for i in sorted(self.results)]

    # ---- opening a run in the main window -----------------------------------------------------
    @Slot(QModelIndex)
    def _on_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.load_run(*self.model.run_at(index.row()))

    def load_run(self, config_index: int, run: int) -> str | None:
        """Put run ``run`` of configuration ``config_index`` into the main window at its initial
        weights (paused), ready to train or step. Returns an error message or None."""
        res = self.results.get(config_index)
        job = self._job
        if res is None or job is None:
            return self._load_failed(f"no results for configuration {config_index}")
        if not 0 <= run < res.n_runs:
            return self._load_failed(f"run {run} is not in 0..{res.n_runs - 1}")
        cfg = res.config
        c = self.window_.controller
        c.pause()
        changes = dict(job.data_settings, hidden=tuple(cfg.layers[1:-1]),
                       activation=cfg.activation, output=cfg.output, loss=cfg.loss,
                       init=cfg.init, seed=cfg.run_seed(run), lr=cfg.lr,
                       momentum=cfg.momentum, batch_size=cfg.batch_size, l2=0.0, l1=0.0,
                       bias="trained")  # the explorer trains every bias
        error = c.apply_settings(**changes)
        if error:
            return self._load_failed(error)
        X, Y = c.dataset.X_train, c.dataset.Y_train
        if X.shape != job.X.shape or not (np.array_equal(X, job.X) and np.array_equal(Y, job.Y)):
            return self._load_failed(
                f"the data set differs from the one these runs trained on ({job.dataset_name})")
        with c.worker.lock:
            c.net.set_params(*res.initial_parameters(run))
            if c.trainer.batch_size is not None:
                # the explorer's batch order comes from the configuration's seed for every run
                c.trainer.rng = np.random.default_rng(cfg.seed)
        c.refresh_from_network()
        r = res.run(run)
        if r.converged:
            outcome = f"converged at epoch {r.epochs_to_converge:,}"
        else:
            outcome = f"not converged: {diagnosis_name(r.diagnosis)}"
        msg = f"Loaded run {run} (seed {r.seed}): {outcome}"
        if hasattr(self.window_, "show_message"):
            self.window_.show_message(msg)
        self._show_status(msg + ". Press Space to train it, E to step an epoch.")
        self.runLoaded.emit(config_index, run)
        return None

    def _load_failed(self, reason: str) -> str:
        msg = f"Run not loaded: {reason}"
        if self.window_ is not None and hasattr(self.window_, "show_message"):
            self.window_.show_message(msg)
        self._show_status(msg, error=True)
        return reason

    # ---- looks ----------------------------------------------------------------------------
    def _colour(self, index: int) -> QColor:
        colours = _COLOURS[self._dark]
        return QColor(colours[index % len(colours)])

    def set_scale(self, factor: float) -> None:
        """Presentation mode: multiply the panel's fonts, plot text and line widths."""
        factor = self._scale = check_scale(factor)
        font = QFont(self.font())
        font.setPointSizeF(max(6.0, self._base_pt * factor))
        self.setFont(font)
        self._apply_style()
        # the form never clips: it gets its width, the plots and the runs share the rest
        sizes = self.splitter.sizes()
        total = sum(sizes)
        form = self._fit_form()
        if total > form:
            rest = total - form
            self.splitter.setSizes([form, rest * 11 // 20, rest - rest * 11 // 20])

    def _fit_form(self) -> int:
        self._form_box.layout().activate()  # size hints for the new font, not cached ones
        bar = self._form_scroll.verticalScrollBar().sizeHint().width()
        width = self._form_box.minimumSizeHint().width() + bar + 4
        self._form_scroll.setMinimumWidth(width)
        return width

    def set_palette_mode(self, dark: bool) -> None:
        """Dark or light plot backgrounds, with configuration colours chosen for each."""
        self._dark = bool(dark)
        self._apply_style()

    def _apply_style(self) -> None:
        pal = _PLOT[self._dark]
        s = self._scale
        font = QFont()
        font.setPointSizeF(_BASE_PLOT_PT * s)
        for widget, (xlabel, ylabel) in (
            (self.fraction_plot, ("epoch", "converged (%)")),
            (self.hist_plot, ("epochs to converge", "runs")),
        ):
            widget.setBackground(pal["bg"])
            item = widget.getPlotItem()
            for name, label in (("bottom", xlabel), ("left", ylabel)):
                axis = item.getAxis(name)
                axis.setPen(pg.mkPen(pal["fg"], width=max(1.0, s)))
                axis.setTextPen(pg.mkPen(pal["fg"]))
                axis.setStyle(tickFont=font, tickTextOffset=int(3 * s), maxTickLevel=1)
                axis.setLabel(label, color=pal["fg"], **{"font-size": f"{_BASE_PLOT_PT * s:.1f}pt"})
        title_pt, least_pt = (_BASE_PLOT_PT + 1) * s, _BASE_PLOT_PT * s
        self.fraction_plot.set_title("Converged by epoch", pal["fg"], title_pt, least_pt)
        self.hist_plot.set_title("Epochs to converge", pal["fg"], title_pt, least_pt)
        width = _BASE_PEN * s
        for i, curve in enumerate(self._curves):
            curve.setPen(pg.mkPen(self._colour(i), width=width))
        for i, hist in enumerate(self._hists):
            c = self._colour(i)
            fill = QColor(c)
            fill.setAlpha(60)
            hist.setPen(pg.mkPen(c, width=max(1.0, width * 0.75)))
            hist.setBrush(pg.mkBrush(fill))
        self.model.set_colours([self._colour(i) for i in range(MAX_CONFIGS)])
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        for row in range(self.summary.rowCount()):
            self._colour_summary_row(row)
        self._fit_summary()


# ---- installing into the main window ----------------------------------------------------------
def install(window) -> ConvergencePanel:  # noqa: ANN001 (MainWindow; imported lazily by it)
    """Add the Convergence dock (hidden, bottom area), its action (Ctrl+K) and menu entries."""
    panel = ConvergencePanel(window)
    dock = window.add_dock("convergence", "Convergence explorer", panel,
                           Qt.DockWidgetArea.BottomDockWidgetArea)
    dock.hide()
    window.installEventFilter(panel)
    # The window's destruction stops the thread too, through a plain function (no lambda, no
    # reference to the panel, which is destroyed with the window).
    window.destroyed.connect(functools.partial(_stop_on_destroyed, panel.thread, panel.worker))
    action = window.add_action("actionConvergence", "Convergence explorer...", "Ctrl+K",
                               functools.partial(show_dock, window),
                               tip="How often and how fast do random starts converge?")
    view = window.menus.get("view") if hasattr(window, "menus") else None
    if view is not None:
        view.addSeparator()
        view.addAction(action)
    restore = getattr(window, "actions_by_name", {}).get("actionRestoreLayout")
    if restore is not None:
        # the window's default layout shows every dock on the right: put this one back
        restore.triggered.connect(functools.partial(_default_place, window))
    return panel


def show_dock(window, *_args: object) -> QDockWidget:  # noqa: ANN001
    """Show and raise the Convergence dock.

    The first time in a session it opens floating, as a wide window over the lower part of the
    main window: docked at the bottom it would get only what the full-height side docks leave
    (about 200 px at 900 px), too little for its plots. The user may dock it (double-click its
    title); from then on it is only shown and raised.
    """
    dock: QDockWidget = window.docks["convergence"]
    if not dock.property("nnvizPlaced") and not dock.isVisible():
        dock.setProperty("nnvizPlaced", True)
        dock.setFloating(True)
        dock.setGeometry(_floating_geometry(window))
    dock.show()
    dock.raise_()
    dock.activateWindow()
    return dock


def _floating_geometry(window) -> QRect:  # noqa: ANN001
    frame = window.frameGeometry()
    screen = window.screen().availableGeometry() if window.screen() else frame
    w = min(max(frame.width(), 900), 1500, screen.width())
    h = min(max(460, int(frame.height() * 0.6)), 640, screen.height())
    x = frame.x() + (frame.width() - w) // 2
    y = frame.bottom() - h - 30
    x = max(screen.left(), min(x, screen.right() - w))
    y = max(screen.top(), min(y, screen.bottom() - h))
    return QRect(x, y, w, h)


def _default_place(window, *_args: object) -> None:  # noqa: ANN001
    """After the window's "Restore layout": docked at the bottom, hidden, floating next time."""
    dock = window.docks["convergence"]
    dock.setFloating(False)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    dock.hide()
    dock.setProperty("nnvizPlaced", False)
