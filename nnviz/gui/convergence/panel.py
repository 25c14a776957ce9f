"""The Convergence dock's widget: the form and the run controls, the plots, the summary and the
runs table, and the job that fills them. See README, "Convergence explorer".

Threading. A run of the explorer is a `Job` (configurations plus frozen copies of the training
data) handed to a `ConvergenceWorker` living on the panel's own QThread. The thread is started
for a job and stopped (quit + wait) when the job ends, when it is cancelled and when the window
closes, so no thread outlives its job. The worker never touches a widget; the panel's @Slot
methods draw what it sends (see ``worker``).
"""

from __future__ import annotations

import weakref

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.convergence import ConvergenceResult
from nnviz.gui.convergence.colours import ERROR_COLOUR, config_colour
from nnviz.gui.convergence.form import MAX_CONFIGS, PRESETS, ConvergenceForm
from nnviz.gui.convergence.open_run import loaded_text, open_run
from nnviz.gui.convergence.plots import ConvergencePlots
from nnviz.gui.convergence.run_table import RunTableModel
from nnviz.gui.convergence.summary import SummaryTable
from nnviz.gui.convergence.text import common_text, short_labels, summary_line
from nnviz.gui.convergence.worker import (
    ConfigDone,
    ConvergenceWorker,
    Job,
    JobDone,
    Progress,
    frozen,
    stop_thread,
)
from nnviz.gui.features import NoViewState
from nnviz.gui.theme import check_scale


class ConvergencePanel(QWidget, NoViewState):
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
            self.form.prefill_from_window()
            window.controller.networkRebuilt.connect(self.form.update_preview)
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
        self.form = ConvergenceForm(self.window_)
        left.addWidget(self.form)
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
        self.from_window_button.clicked.connect(self.form.prefill_from_window)
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
        self.plots = ConvergencePlots()
        mid.addWidget(self.plots, 1)
        self.summary = SummaryTable()
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
        self.table.setProperty("nnvizNumberColumns", list(RunTableModel.NUMBER_COLUMNS))
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

    # ---- presets ------------------------------------------------------------------------------
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
        self.form.fill(p)
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
            configs = self.form.configs()
        except ValueError as exc:
            self._show_status(f"Not started: {exc}", error=True)
            return str(exc)
        if not stop_thread(self.thread, self.worker):
            self._show_status("The previous run did not stop; try again", error=True)
            return "previous run still stopping"
        c = self.window_.controller
        X, Y, name = self.form.data()
        s = c.settings
        data_settings = {k: getattr(s, k) for k in (
            "dataset", "noise", "n_points", "test_ratio", "data_seed")}
        data_settings["dataset_options"] = dict(s.dataset_options)
        self._job_id += 1
        job = Job(self._job_id, tuple(configs), frozen(X), frozen(Y), data_settings, name)
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
        stopped = stop_thread(self.thread, self.worker)
        self._set_running(False)
        self._show_status("Cancelled." if stopped else "Cancel requested; still stopping…")

    @Slot()
    def shutdown(self) -> None:
        """Stop and wait for the thread (window closing, application quitting)."""
        try:
            stop_thread(self.thread, self.worker)
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
        self.plots.reset(len(job.configs), max(c.epochs for c in job.configs))
        self.summary.start(self.labels, [c.label for c in job.configs])
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("")

    # ---- results from the worker (GUI thread) -------------------------------------------------
    @Slot(object)
    def _on_progress(self, p: Progress) -> None:
        if self._job is None or p.job_id != self._job.job_id or p.index in self.results:
            return
        self._live[p.index] = p
        self.plots.show_progress(p.index, p.curve_epochs, p.curve_fraction)
        self.summary.show_progress(p.index, p.fraction, p.epoch, self._job.configs[p.index].epochs)
        self._set_progress(p.work_done, p.index)

    @Slot(object)
    def _on_config_done(self, d: ConfigDone) -> None:
        if self._job is None or d.job_id != self._job.job_id:
            return
        res = d.result
        self.results[d.index] = res
        until = res.epochs_run if res.cancelled else res.config.epochs
        self.plots.show_result(d.index, res, until)
        self.plots.show_histograms(self.results)
        self.summary.show_result(d.index, res)
        self.model.add_result(d.index, res)
        self.table.resizeColumnsToContents()
        self._set_progress(sum(self._job.configs[i].epochs for i in self.results), d.index)
        self.resultReady.emit(d.index)

    @Slot(object)
    def _on_job_done(self, d: JobDone) -> None:
        if self._job is None or d.job_id != self._job.job_id:
            return
        was_running = self._running
        stop_thread(self.thread, self.worker)
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

    def _show_status(self, text: str, error: bool = False) -> None:
        self.last_status = text
        colour = ERROR_COLOUR if error else ""
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
        weights (paused), ready to train or step (see ``open_run``). Returns an error message or
        None."""
        res = self.results.get(config_index)
        job = self._job
        if res is None or job is None:
            return self._load_failed(f"no results for configuration {config_index}")
        if not 0 <= run < res.n_runs:
            return self._load_failed(f"run {run} is not in 0..{res.n_runs - 1}")
        error = open_run(self.window_.controller, job, res, run)
        if error:
            return self._load_failed(error)
        msg = loaded_text(res, run)
        self.window_.show_message(msg)
        self._show_status(msg + ". Press Space to train it, E to step an epoch.")
        self.runLoaded.emit(config_index, run)
        return None

    def _load_failed(self, reason: str) -> str:
        msg = f"Run not loaded: {reason}"
        if self.window_ is not None:
            self.window_.show_message(msg)
        self._show_status(msg, error=True)
        return reason

    # ---- looks ----------------------------------------------------------------------------
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
        self.plots.set_style(self._dark, self._scale)
        colours = [config_colour(i, self._dark) for i in range(MAX_CONFIGS)]
        self.model.set_colours(colours)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.summary.set_colours(colours)
        self.summary.fit()
