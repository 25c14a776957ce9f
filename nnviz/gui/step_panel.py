"""The Step dock: backpropagation one sample, one phase at a time, with the real numbers.

``install(window)`` adds the dock, the Step menu and the actions (actionStepNext N/Right,
actionStepBack B/Left, actionStepNextSample Shift+N, actionFinishSample, actionRunToEpochEnd,
actionPredictReveal P, actionRevealNext, actionGradientCheck, actionExportLedgerCsv,
actionExportLedgerMarkdown, actionLeaveStepping).

How it shares the network with live training (DESIGN.md section 3): the panel drives a core
``Stepper`` on ``controller.net`` itself, never on a copy. Every step first pauses the worker
and waits until it has really stopped, then runs with ``worker.lock`` held; afterwards
``controller.refresh_from_network()`` pushes the new weights to every view. Play (Space) trains
on from the stepped weights; the stepper notices weights changed behind its back (training, an
edited weight) through ``Stepper.sync()`` and restarts the sample in progress.

While stepping, the network view shows the phase: the active layer highlighted, the current
sample's activations computed so far, its deltas in the backward phases, dE/dw on the edges in
the gradients phase and the new weights in the update phase. Every number comes from the
stepper's records. Leaving step mode (Play, or Leave stepping) restores the normal view.

"Predict, then reveal" keeps the newest phase's outputs off the screen until revealed: the panel
shows the formula with the known inputs and "?" for the results, the tables show "?", and the
network view is not given the new values (nor, after a hidden update, the new weights).
"""

from __future__ import annotations

import html
import os
import re
import time
import weakref
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QImage,
    QPainter,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnviz.core import losses, notation
from nnviz.core.ledger import ledger_csv, ledger_markdown, ledger_rows
from nnviz.core.network import GradientCheck, Network, gradient_check_detail
from nnviz.core.stepper import PhaseRecord, Stepper, explain, fmt, phase_plan
from nnviz.gui.formula_box import FormulaBox
from nnviz.gui.network import HIDES_VALUE, MAX_CIRCLE_NODES
from nnviz.gui.table_fit import ColumnFitter
from nnviz.gui.theme import DARK, LIGHT, Theme, check_scale

__all__ = ["StepPanel", "install", "MAX_TABLE_ROWS", "MAX_SAMPLE_ROWS", "MAX_CHECK_PARAMS"]

#: Rows of a phase or ledger table (a 784-128 layer has 100k weights; the export has them all).
MAX_TABLE_ROWS = 600
MIN_FORMULA_LINES = 4  # lines the stacked formula box shows at least (presentation mode)
#: Data rows listed in the sample picker.
MAX_SAMPLE_ROWS = 2000
#: Finite differences cost two forward passes per parameter: keep the check interactive.
MAX_CHECK_PARAMS = 5000
#: How long a step waits for the worker to finish its current chunk (a chunk is ~6 ms).
PAUSE_TIMEOUT_S = 1.0
MAX_FEATURE_COLUMNS = 4

_TITLES = {
    "forward": "forward, layer {l}",
    "loss": "loss",
    "output_delta": "output delta",
    "backward": "backward, layer {l}",
    "gradients": "gradients",
    "update": "update",
}

Selection = tuple  # ("node", layer, unit) or ("edge", layer, i, j); layers as in the formulas


# The panel's notation is the one of nnviz.core.notation: a^(2)_1 is unit 1 of layer 2.
_sub, _sym = notation.sub, notation.sym


def phase_title(record: PhaseRecord) -> str:
    return _TITLES[record.kind].format(l=record.layer)


@dataclass(frozen=True)
class _Row:
    where: str
    what: str
    value: float | None  # None: text only (update rows, "... more")
    text: str | None
    sel: Selection | None
    new: bool  # computed by this phase: hidden while predicting
    old: float | None = None  # update rows: the value before the update


class StepPanel(QWidget):
    """The dock's widget; the window's features["step_panel"]."""

    #: True when the network view starts showing stepper phases, False when it stops.
    activeChanged = Signal(bool)

    def __init__(self, window) -> None:
        super().__init__()
        self.setObjectName("stepPanel")
        self.window_ = window
        self.c = window.controller
        self.view = window.network_view
        self.dock: QDockWidget | None = None
        self._stepper: Stepper | None = None
        self._counter: int | None = None  # the trainer's epoch when the stepper last synced
        self._selecting = False  # the panel itself is moving the controller's selection
        self._active = False
        self._hidden = False
        self._selection: Selection | None = None
        self._scale = 1.0
        self._theme: Theme = LIGHT
        # the unscaled size the classroom recorded: another window may have scaled the font
        base = QApplication.instance().property("nnviz_base_point_size")
        self._base_pt = max(9.0, base if isinstance(base, float) and base > 0
                            else QApplication.font().pointSizeF())
        self._view_takes_none: bool | None = None  # set_activations with None entries?
        self._pick_pending: int | None = None
        self._picked: dict[int, weakref.ref] = {}  # id(first record of a picked visit)
        self._seen: np.ndarray | None = None  # net.params as the panel last left them
        self._busy = False  # re-entrancy guard for paramsChanged -> refresh -> paramsChanged
        self._samples_dirty = True
        self._question_cache: dict[str, QImage] = {}
        self._predictions: list[str] = []
        self._marks: dict[int, str] = {}  # sample-table rows marked as current / next
        self.last_gradient_check: GradientCheck | None = None
        self._build_actions()
        self._build_ui()
        self.c.networkRebuilt.connect(self._on_rebuilt)
        self.c.paramsChanged.connect(self._on_params_changed)
        self.c.playingChanged.connect(self._on_playing)
        self.c.sampleSelected.connect(self._on_sample_selected)
        self.view.nodeSelected.connect(self._on_node_selected)
        self.set_scale(1.0)
        self._on_rebuilt()

    # ---- construction -----------------------------------------------------------------------
    def _build_actions(self) -> None:
        w = self.window_
        add = w.add_action
        self.actions: dict[str, QAction] = {}
        specs = [
            ("actionStepNext", "Next phase", ["N", "Right"], self.next_phase,
             "Compute the next phase of backpropagation for this sample"),
            ("actionStepBack", "Previous phase", ["B", "Left"], self.back,
             "Undo one phase (also an update: the old weights come back exactly)"),
            ("actionStepNextSample", "Next sample", ["Shift+N"], self.next_sample,
             "Finish this sample; at a sample boundary run the whole next sample"),
            ("actionFinishSample", "Finish sample", None, self.finish_sample,
             "Run the remaining phases of this sample, up to its update"),
            ("actionRunToEpochEnd", "Run to epoch end", None, self.run_to_epoch_end,
             "Step every remaining sample of this epoch (online SGD)"),
            ("actionPredictReveal", "Predict, then reveal", ["P"], self._on_predict_toggled,
             "Hide the numbers of each new phase until revealed, so the class can guess first"),
            ("actionRevealNext", "Reveal", None, self.reveal,
             "Show the hidden numbers of this phase (N does the same)"),
            ("actionGradientCheck", "Gradient check", None, self.gradient_check,
             "Backprop gradient of every weight next to the central finite difference"),
            ("actionExportLedgerCsv", "Export ledger as CSV...", None, self.export_ledger_csv,
             "Every number of this sample's phases as a CSV file"),
            ("actionExportLedgerMarkdown", "Export ledger as Markdown...", None,
             self.export_ledger_markdown, "Every number of this sample's phases as a table"),
            ("actionLeaveStepping", "Leave stepping", None, self.leave,
             "Back to the normal view (Play does this too)"),
        ]
        for name, text, keys, slot, tip in specs:
            checkable = name == "actionPredictReveal"
            self.actions[name] = add(name, text, keys, slot, checkable=checkable, tip=tip)
        menu = w.menuBar().addMenu("&Step")
        menu.setObjectName("menuStep")
        groups = [
            ("actionStepNext", "actionStepBack", "actionStepNextSample", "actionFinishSample",
             "actionRunToEpochEnd"),
            ("actionPredictReveal", "actionRevealNext"),
            ("actionGradientCheck", "actionExportLedgerCsv", "actionExportLedgerMarkdown"),
            ("actionLeaveStepping",),
        ]
        for k, group in enumerate(groups):
            if k:
                menu.addSeparator()
            for name in group:
                menu.addAction(self.actions[name])
        self.menu = menu
        if hasattr(w, "menus"):
            w.menus["step"] = menu

    def _button(self, name: str, text: str | None = None) -> QToolButton:
        b = QToolButton()
        b.setDefaultAction(self.actions[name])
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        b.setObjectName(name.replace("action", "button"))
        if text:
            b.setText(text)
            # setDefaultAction copies the action's text again whenever the action changes
            self.actions[name].changed.connect(lambda b=b, t=text: b.setText(t))
        return b

    def _build_ui(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 4, 6, 4)
        outer.setSpacing(4)

        self.header = QLabel()
        self.header.setObjectName("stepHeader")
        self.header.setAccessibleDescription(
            "Single step: the sample, the phase and where it is in the epoch")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        outer.addWidget(self.header)

        # A tool bar, not a row of buttons: in a narrow dock the rest folds into its » menu.
        bar = QToolBar("Step")
        bar.setObjectName("stepToolBar")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        short = {"actionStepBack": "◀ Back", "actionStepNext": "Next ▶",
                 "actionStepNextSample": "Sample ▶▶", "actionRunToEpochEnd": "Epoch ▶|"}
        for group in (("actionStepBack", "actionStepNext", "actionStepNextSample",
                       "actionFinishSample", "actionRunToEpochEnd"),
                      ("actionPredictReveal", "actionRevealNext"), ("actionLeaveStepping",)):
            if bar.actions():
                bar.addSeparator()
            for name in group:
                a = self.actions[name]
                if name in short:
                    a.setIconText(short[name])  # the tool bar's text; menus keep the long one
                bar.addAction(a)
        self.toolbar = bar
        outer.addWidget(bar)

        corner = QWidget()
        cl = QHBoxLayout(corner)
        cl.setContentsMargins(0, 0, 4, 0)
        self.shuffle = QCheckBox("shuffle")
        self.shuffle.setObjectName("stepShuffleCheck")
        self.shuffle.setToolTip("Sample order: fixed (rows in order, default) or a seeded "
                                "permutation per epoch, as the online trainer draws it")
        self.shuffle.toggled.connect(self._on_shuffle)
        cl.addWidget(self.shuffle)
        cl.addSpacing(6)
        digits = QLabel("digits")
        cl.addWidget(digits)
        self.precision_spin = QSpinBox(minimum=2, maximum=10)
        digits.setBuddy(self.precision_spin)
        self.precision_spin.setObjectName("stepPrecisionSpin")
        self.precision_spin.setValue(self.view.digits)
        self.precision_spin.setToolTip("Decimals of the numbers in the panel and the Markdown "
                                       "ledger (the CSV keeps full precision)")
        self.precision_spin.valueChanged.connect(self.set_precision)
        cl.addWidget(self.precision_spin)

        split = self.splitter = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("stepSplitter")
        split.setChildrenCollapsible(False)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.setSpacing(2)
        self.formula_title = QLabel()
        self.formula_title.setObjectName("stepFormulaTitle")
        lv.addWidget(self.formula_title)
        self.formula = FormulaBox()
        self.formula.setObjectName("stepFormula")
        self.formula.setAccessibleName("Formula")
        self.formula.setMinimumWidth(280)
        lv.addWidget(self.formula, 1)
        split.addWidget(left)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("stepTabs")
        self.values = self._table("stepValuesTable", ["where", "quantity", "value"])
        self.values.cellClicked.connect(self._on_value_clicked)
        self.tabs.addTab(self.values, "This phase")

        ledger_page = QWidget()
        lg = QVBoxLayout(ledger_page)
        lg.setContentsMargins(0, 0, 0, 0)
        self.ledger = self._table("stepLedgerTable",
                                  ["phase", "kind", "layer", "quantity", "index", "value"])
        self.ledger.setAccessibleName("Ledger of this sample")
        lg.addWidget(self.ledger, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Export this sample's numbers:"))
        row.addWidget(self._button("actionExportLedgerCsv", "CSV..."))
        row.addWidget(self._button("actionExportLedgerMarkdown", "Markdown..."))
        row.addStretch(1)
        lg.addLayout(row)
        self.tabs.addTab(ledger_page, "Ledger")

        self.samples = self._table("stepSamplesTable", ["", "sample"])
        self.samples.cellClicked.connect(self._on_sample_clicked)
        self.samples.setToolTip("Click a row to step that sample next")
        self.tabs.addTab(self.samples, "Samples")

        check_page = QWidget()
        cv = QVBoxLayout(check_page)
        cv.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.check_summary = QLabel("Compares backprop with central finite differences "
                                    "(E(w + eps) - E(w - eps)) / 2 eps for the current sample.")
        self.check_summary.setObjectName("stepGradCheckSummary")
        self.check_summary.setWordWrap(True)
        self.check_summary.setTextFormat(Qt.TextFormat.RichText)
        top.addWidget(self.check_summary, 1)
        run = QPushButton("Run check")
        run.setObjectName("stepGradCheckButton")
        run.clicked.connect(self.gradient_check)
        top.addWidget(run)
        cv.addLayout(top)
        self.check_table = self._table(
            "stepGradCheckTable", ["parameter", "backprop", "finite difference", "|difference|"])
        self.check_table.setAccessibleName("Gradient check per parameter")
        cv.addWidget(self.check_table, 1)
        self.tabs.addTab(check_page, "Gradient check")
        self.tabs.setCornerWidget(corner, Qt.Corner.TopRightCorner)
        self._corner = corner
        # stacked (presentation), the tabs take the whole width and these go below them
        self._corner_slot = QWidget()
        slot = QHBoxLayout(self._corner_slot)
        slot.setContentsMargins(0, 0, 0, 0)
        slot.addStretch(1)
        self._corner_slot.hide()
        self.fitters = {t.objectName(): ColumnFitter(t, keep)
                        for t, keep in ((self.values, (2,)), (self.ledger, (5,)),
                                        (self.samples, (0, 1)), (self.check_table, (1, 2, 3)))}
        self.tabs.currentChanged.connect(self._on_tab)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        outer.addWidget(split, 1)
        outer.addWidget(self._corner_slot)

    def _table(self, name: str, headers: list[str]) -> QTableWidget:
        t = QTableWidget(0, len(headers))
        t.setObjectName(name)
        t.setHorizontalHeaderLabels(headers)
        t.verticalHeader().setVisible(False)
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        t.setAlternatingRowColors(True)
        t.setWordWrap(False)
        t.horizontalHeader().setStretchLastSection(True)
        # Interactive, sized once per fill: ResizeToContents re-measures every row on every
        # cell change, seconds for a few hundred rows.
        t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        t.horizontalHeader().setResizeContentsPrecision(200)
        return t

    # ---- public state -----------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """True while the network view shows a stepper phase."""
        return self._active

    @property
    def hidden(self) -> bool:
        """True while "Predict, then reveal" hides the newest phase's numbers."""
        return self._hidden

    @property
    def precision(self) -> int:
        return self.view.digits

    @property
    def selection(self) -> Selection | None:
        return self._selection

    @property
    def stepper(self) -> Stepper | None:
        """The stepper on the controller's network, or None before the first step on it
        (sessions save its ``position`` only once stepping has begun)."""
        st = self._stepper
        return st if st is not None and st.net is self.c.net else None

    def ensure_stepper(self) -> Stepper:
        """The stepper, created now if needed (training paused first)."""
        self._pause_training()
        return self._ensure_stepper()

    def restore_position(self, position: dict) -> None:
        """Re-enter a saved ``Position`` (a session's ``stepper``): the same row, stepped to the
        same phase on the loaded weights, at the loaded trainer's epoch.

        ``phase`` is the number of phases done (as ``Stepper.position``) or a phase kind name
        (the first phase of that kind). A finished sample (all phases done) is not stepped
        again: the loaded weights already contain its update.
        """
        sample = int(position["sample"])
        phase = position.get("phase", 0)
        kinds = [k for k, _ in phase_plan(self.c.net.n_layers)]
        P = len(kinds)
        n = len(self.c.dataset.X_train)
        if isinstance(phase, str):
            if phase not in kinds:
                raise ValueError(f"unknown phase {phase!r}; expected one of {sorted(set(kinds))}")
            count = kinds.index(phase) + 1
        else:
            count = int(phase)
            if not 0 <= count <= P:
                raise ValueError(f"phase {count} is out of range 0..{P}")
        if not 0 <= sample < n:
            raise ValueError(f"sample {sample} is out of range 0..{n - 1}")
        self._on_rebuilt()
        st = self.ensure_stepper()  # at the trainer's epoch, in the trainer's next order
        with self.c.worker.lock:
            if st.shuffle:
                hits = np.flatnonzero(st.order_of(st.epochs_done) == sample)
                k = int(hits[0]) if len(hits) else None
            else:
                k = sample
            if k is not None and count >= P:
                k += 1  # finished: the loaded weights hold its update, the next one is due
                if k == n:
                    return
            if k is not None:
                # Where the saved order had it: no "picked" sample nobody picked.
                st.set_position(st.epochs_done, self.c.trainer.rng.bit_generator.state, k)
            elif count >= P:
                return
            else:
                st.set_next_sample(sample)  # an order that no longer holds it: an honest pick
                self._pick_pending = sample
            for _ in range(count if count < P else 0):
                st.step()
            self._track_start(st, True)
            self._sync_counter(st)
        if 0 < count < P:
            self._enter()
        self._after_change()

    def formula_text(self) -> str:
        return self.formula.formula()

    def header_text(self) -> str:
        """The header line as plain text (it is shown as rich text)."""
        return html.unescape(re.sub(r"<[^>]+>", "", self.header.text()))

    # ---- the stepper ------------------------------------------------------------------------
    def _ensure_stepper(self) -> Stepper:
        c = self.c
        s = c.settings
        with c.worker.lock:
            st = self._stepper
            if st is None or st.net is not c.net:
                st = Stepper(c.net, c.dataset.X_train, c.dataset.Y_train, lr=s.lr,
                             momentum=s.momentum, shuffle=self.shuffle.isChecked(), seed=s.seed,
                             l2=s.l2, l1=s.l1)
                self._stepper = st
                self._counter = None  # new: it starts where the trainer is
                self._pick_pending = None
                self._picked.clear()
                self._sync_counter(st)
            else:
                # The controls change these live; the next update uses the current values.
                for name in ("lr", "momentum", "l2", "l1"):
                    value = float(getattr(s, name))
                    if getattr(st, name) != value:
                        setattr(st, name, value)
                self._sync_counter(st)
        return st

    def _sync_counter(self, st: Stepper) -> None:
        """One epoch count, the trainer's (call with the worker's lock held). Trained since the
        stepper last looked: the stepper continues at the trainer's epoch, in the order the
        trainer would draw next. Stepped through epochs (or back): the trainer's count and
        order follow the stepper, so the status bar and Play continue from there."""
        t = self.c.trainer
        if t.epoch != self._counter:
            if st.at_boundary and st.epochs_done != t.epoch:
                st.set_position(t.epoch, t.rng.bit_generator.state)
        elif st.epochs_done != t.epoch:
            t.epoch = st.epochs_done
            t.rng.bit_generator.state = st.rng_state()
        self._counter = t.epoch
        pos = st.position
        self._follow_selection(pos.sample)
        P = st.phases_per_sample
        if 0 < pos.phase < P:
            text = (f"stepping {notation.epoch(pos.epoch)}, {notation.sample(pos.sample)}, "
                    f"phase {pos.phase}/{P}")
        else:
            text = f"next step: {notation.epoch(st.epochs_done)}, {notation.sample(st.next_sample)}"
        self.c.show_step_position(t.epoch, text)

    def _pause_training(self) -> None:
        """Stop live training and wait until the worker has finished its chunk.

        controller.pause() only queues the command; without waiting, the worker could start one
        more chunk between our step and its reading of the queue, on top of the stepped weights.
        """
        c = self.c
        if c.playing or c.worker.playing:
            c.pause()
            deadline = time.perf_counter() + PAUSE_TIMEOUT_S
            while c.worker.playing and time.perf_counter() < deadline:
                time.sleep(0.0005)

    def _enter(self) -> None:
        if not self._active:
            self._active = True
            # first: the presentation stage makes room for the panel before it appears
            self.activeChanged.emit(True)
            if self.dock is not None and not self.dock.isVisible():
                self.dock.show()
                self.dock.raise_()

    def _order(self, epoch: int) -> np.ndarray:
        """The stepper's sample order of ``epoch`` (for "k of n in this epoch's order")."""
        st = self._stepper
        n = len(self.c.dataset.X_train)
        if st is None or not st.shuffle:
            return np.arange(n)
        try:
            with self.c.worker.lock:
                return st.order_of(epoch)
        except ValueError:  # an epoch whose order the stepper no longer keeps
            return np.arange(n)

    def _run(self) -> bool:
        """Common start of every stepping command; False if stepping is impossible now."""
        self._pause_training()
        try:
            self._ensure_stepper()
        except ValueError as exc:
            self._message(f"Cannot step: {exc}")
            return False
        if self._changed_outside():
            self._note_restart()
        self._enter()
        return True

    def _changed_outside(self) -> bool:
        """True once after the weights changed behind the panel's back (training, an edit).

        Compared with the panel's own copy, not through ``Stepper.sync()``'s answer: other
        features (sessions) read the stepper too, and the first reader gets that answer.
        """
        st = self._stepper
        with self.c.worker.lock:
            params = self.c.net.params
            changed = self._seen is not None and not np.array_equal(params, self._seen)
            if st is not None and st.net is self.c.net:
                st.sync()
            self._seen = params.copy()
        return changed

    def _note_restart(self) -> None:
        self._hidden = False
        self._message("The weights changed outside the stepper (training or an edit): the "
                      "sample restarts from its first phase with the new weights")

    def _track_start(self, st: Stepper, was_boundary: bool) -> None:
        """Remember picked visits for the header (the stepper consumes picks silently)."""
        if not was_boundary:
            return
        recs = st.sample_records()
        if recs and self._pick_pending is not None and recs[0].sample == self._pick_pending:
            first = recs[0]
            self._picked[id(first)] = weakref.ref(first)
        self._pick_pending = None

    def _is_picked(self, first: PhaseRecord | None) -> bool:
        if first is None:
            return False
        ref = self._picked.get(id(first))
        return ref is not None and ref() is first

    # ---- commands ---------------------------------------------------------------------------
    @Slot()
    def next_phase(self) -> PhaseRecord | None:
        """N: reveal the hidden phase, else compute the next phase."""
        if self._hidden:
            self.reveal()
            return self._current()
        if not self._run():
            return None
        st = self._stepper
        with self.c.worker.lock:
            was_boundary = st.at_boundary
            rec = st.step()
            self._track_start(st, was_boundary)
            self._sync_counter(st)
        self._hidden = self.actions["actionPredictReveal"].isChecked()
        self._after_change()
        return rec

    @Slot()
    def back(self) -> PhaseRecord | None:
        """B: undo one phase (a hidden phase is simply taken back)."""
        if not self._run():
            return None
        st = self._stepper
        with self.c.worker.lock:
            if not st.can_back:
                self._hidden = False
                self._message("Nothing to undo" + (" (the weights changed since the last step)"
                                                   if st.current is None else ""))
                self._after_change()
                return None
            recs = st.sample_records()
            if len(recs) == 1 and self._is_picked(recs[0]) and not st.at_boundary:
                self._pick_pending = recs[0].sample  # the stepper makes the pick pending again
            rec = st.back()
            self._sync_counter(st)
        self._hidden = False
        self._after_change()
        return rec

    @Slot()
    def reveal(self) -> None:
        if not self._hidden:
            return
        self._hidden = False
        self._after_change()

    def _multi(self, run) -> None:
        if not self._run():
            return
        self._hidden = False
        st = self._stepper
        with self.c.worker.lock:
            was_boundary = st.at_boundary
            result = run(st)
            self._track_start(st, was_boundary)
            self._sync_counter(st)
        self._after_change()
        return result

    @Slot()
    def next_sample(self) -> None:
        """Shift+N: finish the sample in progress, or run the whole next one at a boundary."""
        self._multi(lambda st: st.finish_sample())

    @Slot()
    def finish_sample(self) -> None:
        """Run the rest of the sample in progress (a finished sample stays as it is)."""
        st = self.stepper
        if st is not None:
            with self.c.worker.lock:
                st.sync()
                finished = st.at_boundary and st.current is not None
            if finished:
                self.reveal()
                self._message("This sample is finished; N starts the next one, Shift+N runs it")
                return
        self._multi(lambda st: st.finish_sample())

    @Slot()
    def run_to_epoch_end(self) -> None:
        def run(st: Stepper) -> int:
            n = st.run_to_epoch_end()
            cur = st.current
            epoch = f" {cur.epoch + 1}" if cur is not None else ""
            self._message(f"Stepped {n} sample{'s' * (n != 1)} to the end of epoch{epoch}")
            return n

        self._multi(run)

    @Slot()
    def leave(self) -> None:
        """Back to the normal view: no highlight, the controller's sample activations."""
        if not self._active:
            return
        self._active = False
        self._hidden = False
        view = self.view
        view.set_highlight(None)
        view.set_deltas(None)
        view.set_node_images(None)  # the "?" marks; 2-D data gets its node maps back below
        view.set_edge_mode(self._user_edge_mode())
        self.c.refresh_from_network()
        self._render_panel()
        self.activeChanged.emit(False)

    @Slot()
    def _on_predict_toggled(self) -> None:
        on = self.actions["actionPredictReveal"].isChecked()
        if not on and self._hidden:
            self.reveal()
        self._message("Predict, then reveal: the numbers of each new phase stay hidden until "
                      "you press N again" if on else "Predict, then reveal is off")
        self._render_panel()

    def set_predict(self, on: bool) -> None:
        a = self.actions["actionPredictReveal"]
        if a.isChecked() != bool(on):
            a.setChecked(bool(on))
            self._on_predict_toggled()

    def pick_sample(self, row: int) -> bool:
        """Make data row ``row`` the next sample (only between samples)."""
        self._pause_training()
        try:
            st = self._ensure_stepper()
        except ValueError as exc:
            self._message(f"Cannot step: {exc}")
            return False
        if self._changed_outside():
            self._note_restart()
        with self.c.worker.lock:
            if not st.at_boundary:
                pos = st.position
                self._message(f"Finish this sample first ({notation.sample(pos.sample)} is at "
                              f"phase {pos.phase} of {st.phases_per_sample}; Finish sample or "
                              "Shift+N)")
                return False
            st.set_next_sample(int(row))
        self._pick_pending = int(row)
        self._message(f"{notation.sample(row).capitalize()} is the next sample; N starts it")
        self._follow_selection(int(row))
        self._render_panel()
        return True

    def _follow_selection(self, row: int) -> None:
        """The controller's one selected sample follows the stepper (no pick back)."""
        self._selecting = True
        try:
            self.c.select_sample(row)
        finally:
            self._selecting = False

    @Slot(int)
    def _on_sample_selected(self, row: int) -> None:
        """The controls' "Sample" field while stepping: that sample is stepped next."""
        if self._selecting or not self._active:
            return
        st = self.stepper
        if st is None:
            return
        with self.c.worker.lock:
            if row in (st.position.sample, st.next_sample):
                return
        self.pick_sample(row)

    def select(self, node: tuple[int, int] | None = None,
               edge: tuple[int, int, int] | None = None) -> None:
        """Show the formula for one node (layer, unit) or edge (layer, i, j); layers as in the
        formulas (0 = inputs, weight layer l connects layer l-1 to l), units 0-based."""
        if node is not None and edge is not None:
            raise ValueError("select a node or an edge, not both")
        if node is not None:
            self._selection = ("node", int(node[0]), int(node[1]))
        elif edge is not None:
            self._selection = ("edge", int(edge[0]), int(edge[1]), int(edge[2]))
        else:
            self._selection = None
        self._render_panel()
        if self._active:
            self._apply_view()

    @Slot(int)
    def set_precision(self, digits: int) -> None:
        digits = int(digits)
        if not 2 <= digits <= 10:
            raise ValueError(f"precision must be 2..10 digits, got {digits}")
        self.view.set_digits(digits)  # the one digits setting: nodes, tooltips and panel
        if self.precision_spin.value() != digits:
            self.precision_spin.setValue(digits)
        self._samples_dirty = True
        self._render_panel()

    # ---- gradient check ---------------------------------------------------------------------
    def _check_params(self) -> tuple[Network, int]:
        """A copy of the network at the weights the current sample was stepped with, and its row.

        After the update those are the update's old weights, so the check compares the very
        gradient the panel showed.
        """
        c = self.c
        st = self._ensure_stepper()
        with c.worker.lock:
            net = c.net.copy()
            recs = st.sample_records()
            row = recs[-1].sample if recs else st.position.sample
            if recs and recs[-1].kind == "update":
                v = recs[-1].values
                L = net.n_layers
                net.set_params([v[f"W_old_{l}"] for l in range(1, L + 1)],  # noqa: E741
                               [v[f"b_old_{l}"] for l in range(1, L + 1)])  # noqa: E741
        return net, row

    @Slot()
    def gradient_check(self) -> GradientCheck | None:
        self._pause_training()
        if self._hidden:
            # the check prints every gradient: no secret survives it
            self.reveal()
        n_params = self.c.net.params.size
        if n_params > MAX_CHECK_PARAMS:
            self._message(f"Gradient check is for small networks: this one has {n_params:,} "
                          f"parameters (limit {MAX_CHECK_PARAMS:,})")
            return None
        try:
            net, row = self._check_params()
        except ValueError as exc:
            self._message(f"Cannot check: {exc}")
            return None
        X, Y = self.c.dataset.X_train, self.c.dataset.Y_train
        gc = gradient_check_detail(net, X[row], Y[row])
        self.last_gradient_check = gc
        self._show_check(gc, row)
        if self.dock is not None:
            self.dock.show()
            self.dock.raise_()
        self.tabs.setCurrentIndex(3)
        self._message(f"Gradient check of {notation.sample(row)}: largest relative error "
                      f"{gc.max_error:.2e}")
        return gc

    def _show_check(self, gc: GradientCheck, row: int) -> None:
        good = gc.max_error < 1e-6
        colour = self._theme.highlight if good else self._theme.negative
        per_layer = ", ".join(f"layer {l}: {e:.2e}" for l, e in enumerate(gc.errors, start=1))  # noqa: E741
        verdict = "backprop agrees" if good else "backprop DISAGREES"
        self.check_summary.setText(
            f"{notation.sample(row).capitalize()}: relative error per layer (norm-based; "
            "&lt; 1e-6 is agreement): "
            f"{per_layer} — <b style='color:{colour}'>max {gc.max_error:.2e}, {verdict}</b>")
        p = self.view.digits
        rows = []
        for l in range(len(gc.dW)):  # noqa: E741
            dW, nW = gc.dW[l], gc.numeric_dW[l]
            for i, j in np.ndindex(dW.shape):
                rows.append((_sym("w", l + 1, i, j), dW[i, j], nW[i, j]))
            for j in range(gc.db[l].size if self.c.net.bias_modes[l] == "trained" else 0):
                rows.append((_sym("b", l + 1, j), gc.db[l][j], gc.numeric_db[l][j]))
        t = self.check_table
        t.setRowCount(0)
        t.setRowCount(min(len(rows), MAX_TABLE_ROWS))
        for r, (name, a, b) in enumerate(rows[:MAX_TABLE_ROWS]):
            cells = [name, fmt(a, p), fmt(b, p), f"{abs(float(a) - float(b)):.2e}"]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                t.setItem(r, col, item)
        self.fitters[t.objectName()].fit()

    # ---- ledger -----------------------------------------------------------------------------
    def ledger_records(self) -> tuple[PhaseRecord, ...]:
        """The current sample's records as far as they are revealed."""
        if self._stepper is None or self._stepper.net is not self.c.net:
            return ()
        with self.c.worker.lock:
            recs = self._stepper.sample_records()
        return recs[:-1] if self._hidden else recs

    @Slot()
    def export_ledger_csv(self, path: str | None = None) -> str | None:
        return self._export("csv", path)

    @Slot()
    def export_ledger_markdown(self, path: str | None = None) -> str | None:
        return self._export("md", path)

    def _export(self, kind: str, path: str | None) -> str | None:
        records = self.ledger_records()
        if not records:
            self._message("Nothing to export yet: step into a sample first (N)")
            return None
        row, epoch = records[0].sample, records[0].epoch
        if not path:
            label = "CSV" if kind == "csv" else "Markdown"
            filt = "CSV files (*.csv)" if kind == "csv" else "Markdown files (*.md)"
            path, _ = QFileDialog.getSaveFileName(
                self, f"Export ledger as {label}",
                f"ledger_sample{row + 1}_epoch{epoch + 1}.{kind}",
                f"{filt};;All files (*)")
            if not path:
                return None
            if not os.path.splitext(path)[1]:
                path += f".{kind}"
        if kind == "csv":
            text = ledger_csv(records, bias_modes=self.c.net.bias_modes)
        else:
            net = self.c.net
            text = (f"# Ledger: {notation.sample(row)}, epoch {epoch + 1}\n\n"
                    f"Network {'-'.join(map(str, net.sizes))}, {net.activation} hidden, "
                    f"{net.output} output, {net.loss_name} loss; "
                    f"{len(records)} of {self._n_phases()} phases; numbers with "
                    f"{self.view.digits} decimals.\n\n"
                    + ledger_markdown(records, precision=self.view.digits,
                                      bias_modes=net.bias_modes))
        try:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        except OSError as exc:
            self._message(f"Could not write the ledger to {path}: {exc.strerror or exc}")
            return None
        n = len(ledger_rows(records, bias_modes=self.c.net.bias_modes))
        self._message(f"Ledger of {notation.sample(row)} ({n} numbers) written to {path}")
        return path

    def _n_phases(self) -> int:
        return self._stepper.phases_per_sample if self._stepper is not None else 0

    # ---- scale and palette ------------------------------------------------------------------
    def set_scale(self, factor: float) -> None:
        """Presentation mode: bigger numbers for the back of the hall."""
        factor = self._scale = check_scale(factor)
        mono = self._mono(1.15)
        self.formula.setFont(mono)
        self._fit_formula_height()
        for t in (self.values, self.ledger, self.samples, self.check_table):
            t.setFont(self._mono())
            t.verticalHeader().setDefaultSectionSize(int(QFontMetricsF(self._mono()).height()
                                                         * 1.35))
        head = QFont(self.font())
        head.setPointSizeF(self._base_pt * 1.3 * factor)
        self.header.setFont(head)
        title = QFont(self.font())
        title.setPointSizeF(self._base_pt * factor)
        self.formula_title.setFont(title)
        self._size_sample_columns()
        self.fitters["stepGradCheckTable"].fit()
        self._samples_dirty = True
        self._render_panel()

    @Slot()
    def place_dock(self) -> None:
        """The default place: under the network view, full width of the centre."""
        w, dock = self.window_, self.dock
        if dock is None:
            return
        dock.setFloating(False)
        w.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        dock.show()
        w.resizeDocks([dock], [280], Qt.Orientation.Vertical)

    def scale(self) -> float:
        return self._scale

    def set_stacked(self, on: bool) -> None:
        """Formula above the tables (a tall, narrow panel beside the network view in
        presentation mode) or beside them (the wide dock under it)."""
        self.splitter.setOrientation(Qt.Orientation.Vertical if on else
                                     Qt.Orientation.Horizontal)
        self._stacked = bool(on)
        bar = self.tabs.tabBar()
        # stacked, every tab shows its whole label: no scroll arrows, no corner widget
        bar.setUsesScrollButtons(not on)
        bar.setElideMode(Qt.TextElideMode.ElideNone)
        if on and self.tabs.cornerWidget() is self._corner:
            self.tabs.setCornerWidget(None, Qt.Corner.TopRightCorner)
            self._corner_slot.layout().insertWidget(0, self._corner)
            self._corner.show()
            self._corner_slot.show()
        elif not on and self.tabs.cornerWidget() is not self._corner:
            self._corner_slot.hide()
            self.tabs.setCornerWidget(self._corner, Qt.Corner.TopRightCorner)
            self._corner.show()
        self._fit_formula_height()

    def _fit_formula_height(self) -> None:
        # stacked, the formula keeps room for MIN_FORMULA_LINES lines; beside the tables it
        # takes the panel's height anyway
        lines = MIN_FORMULA_LINES if getattr(self, "_stacked", False) else 0
        fm = QFontMetricsF(self.formula.font())
        margin = 2 * self.formula.document().documentMargin() + 2 * self.formula.frameWidth()
        self.formula.setMinimumHeight(int(lines * fm.lineSpacing() + margin + 1) if lines
                                      else 0)

    def set_palette_mode(self, dark: bool) -> None:
        self.set_theme(DARK if dark else LIGHT)

    def set_theme(self, theme: Theme) -> None:
        """Colours of the highlighted numbers and marks (nnviz.gui.theme)."""
        if theme is self._theme:
            return
        self._theme = theme
        self._samples_dirty = True
        self._render_panel()

    def _mono(self, k: float = 1.0) -> QFont:
        f = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        f.setPointSizeF(self._base_pt * 1.05 * k * self._scale)
        return f

    # ---- reactions --------------------------------------------------------------------------
    @Slot()
    def _on_rebuilt(self) -> None:
        # A new network (rebuild, reset, new data): the old stepper and its records are void.
        self._stepper = None
        self._active = False
        self._hidden = False
        self._selection = None
        self._pick_pending = None
        self._picked.clear()
        self._seen = None
        self.last_gradient_check = None
        self.check_table.setRowCount(0)
        self._fill_sample_rows()
        self._render_panel()

    @Slot()
    def _on_params_changed(self) -> None:
        if self._busy:
            return
        self._samples_dirty = True
        if not self._active:
            if not self.c.playing:
                self._refresh_samples()
            return
        self._busy = True
        try:
            st = self._stepper
            if st is not None and st.net is self.c.net:
                restarted = self._changed_outside()
                with self.c.worker.lock:
                    stale = not self._hidden and not self.c.playing and not np.array_equal(
                        self.c.display_net.params, self.c.net.params)
                if restarted:
                    # trained (Step epoch) or edited behind the stepper's back: its records
                    # are void; the normal view until the next step
                    self._note_restart()
                    self.leave()
                    return
                if stale:
                    # a snapshot sent before our step (the worker's last one) arrived after it
                    self.c.refresh_from_network()
            self._render()
        finally:
            self._busy = False

    @Slot(bool)
    def _on_playing(self, playing: bool) -> None:
        if playing:
            self.leave()
        self._update_enabled()

    @Slot(int, int)
    def _on_node_selected(self, layer: int, unit: int) -> None:
        self.select(node=(layer, unit))

    @Slot(int, int)
    def _on_value_clicked(self, row: int, _col: int) -> None:
        sel = self._row_selections[row] if row < len(self._row_selections) else None
        if sel is None:
            return
        self._selection = sel
        if sel[0] == "node":
            self.view.set_selected_node((sel[1], sel[2]))
        self._render_formula()
        if self._active:
            self._apply_view()

    @Slot(int, int)
    def _on_sample_clicked(self, row: int, _col: int) -> None:
        item = self.samples.item(row, 1)
        if item is not None:
            self.pick_sample(int(item.text()) - 1)  # the table numbers samples from 1

    @Slot(bool)
    def _on_shuffle(self, on: bool) -> None:
        if self._stepper is not None:
            self._stepper = None
            self._hidden = False
            if self._active:
                self.leave()
            self._message("Sample order: " + ("a seeded permutation per epoch" if on else
                                              "fixed (rows in order)")
                          + "; stepping starts again at the first sample")
        self._render_panel()

    @Slot(int)
    def _on_tab(self, _index: int) -> None:
        self._render_panel()

    # ---- rendering --------------------------------------------------------------------------
    def _message(self, text: str) -> None:
        self.window_.show_message(text)

    def _current(self) -> PhaseRecord | None:
        st = self._stepper
        if st is None or st.net is not self.c.net:
            return None
        with self.c.worker.lock:
            return st.current

    def _after_change(self) -> None:
        """After a stepper command: show the new weights everywhere (unless hidden), then the
        phase. refresh_from_network emits paramsChanged, which renders."""
        with self.c.worker.lock:
            self._seen = self.c.net.params.copy()
        needs = not self._hidden and not np.array_equal(self.c.display_net.params,
                                                       self.c.net.params)
        if needs:
            self._busy = True
            try:
                self.c.refresh_from_network()
            finally:
                self._busy = False
            self._samples_dirty = True
        self._render()

    def _render(self) -> None:
        self._render_panel()
        if self._active:
            self._apply_view()

    def _records(self) -> tuple[tuple[PhaseRecord, ...], Stepper | None]:
        st = self._stepper
        if st is None or st.net is not self.c.net:
            return (), None
        with self.c.worker.lock:
            return st.sample_records(), st

    def _render_panel(self) -> None:
        recs, st = self._records()
        cur = recs[-1] if recs else None
        self._render_header(recs, st)
        self._render_formula(recs)
        self._render_values(cur)
        i = self.tabs.currentIndex()
        if i == 1:
            self._render_ledger()
        elif i == 2 and not self.c.playing:
            self._refresh_samples()
        self._update_enabled()

    def _update_enabled(self) -> None:
        a = self.actions
        a["actionRevealNext"].setEnabled(self._hidden)
        a["actionLeaveStepping"].setEnabled(self._active)

    def _sample_label(self, row: int, epoch: int, first: PhaseRecord | None,
                      pending_pick: bool) -> str:
        n = len(self.c.dataset.X_train)
        if pending_pick or self._is_picked(first):
            return f"<b>{notation.sample(row).capitalize()}</b> (picked, out of order)"
        hits = np.flatnonzero(self._order(epoch) == row)
        k = int(hits[0]) + 1 if len(hits) else row + 1
        return f"<b>{notation.sample(row).capitalize()}</b> ({k} of {n} in this epoch's order)"

    def _render_header(self, recs: tuple[PhaseRecord, ...], st: Stepper | None) -> None:
        th = self._theme
        badge = f"color:{th.highlight}; font-weight:bold"
        if st is None:
            self.header.setText(
                "<b>Single-step backpropagation.</b> Press <b>N</b> (or Right) for the next "
                "phase, <b>B</b> (or Left) to go back, <b>Shift+N</b> for a whole sample. "
                "Click a node or a table row to see its formula with the numbers.")
            return
        P = st.phases_per_sample
        cur = recs[-1] if recs else None
        if cur is None:
            with self.c.worker.lock:
                pos = st.position
            label = self._sample_label(pos.sample, pos.epoch, None,
                                       self._pick_pending == pos.sample)
            text = (f"{label}, {notation.epoch(pos.epoch)} — <span style='{badge}'>ready</span>: "
                    f"N computes phase 1/{P}, forward, layer 1")
        else:
            label = self._sample_label(cur.sample, cur.epoch, recs[0], False)
            text = (f"{label}, {notation.epoch(cur.epoch)} — phase {cur.index + 1}/{P}: "
                    f"<span style='{badge}'>{phase_title(cur)}</span>")
            if cur.kind == "update" and not self._hidden:
                with self.c.worker.lock:
                    nxt = st.next_sample
                text += f" · done, next: {notation.sample(nxt)}"
        if self._hidden:
            text += (f" · <span style='color:{th.negative}; font-weight:bold'>PREDICT</span>"
                     " — numbers hidden, N reveals")
        self.header.setText(text)

    def _render_formula(self, recs: tuple[PhaseRecord, ...] | None = None) -> None:
        if recs is None:
            recs, _st = self._records()
        cur = recs[-1] if recs else None
        sel = self._selection
        self.formula_title.setText("Formula" + (f" for {self._sel_name(sel)}" if sel else
                                                " (click a node or a row for one unit)"))
        if cur is None:
            self.formula.set_formula(self._intro_text())
            return
        net = self.c.net
        if self._hidden:
            text = masked_text(cur, net, sel, self.view.digits)
        else:
            text = self._explain(cur, net, sel)
        self.formula.set_formula(text)

    def _intro_text(self) -> str:
        st = self._stepper
        net = self.c.net
        if st is None:
            return ("Each sample goes through these phases, every one with its numbers:\n"
                    + "\n".join(f"  {i + 1}. {_TITLES[k].format(l=layer)}" for i, (k, layer)
                                in enumerate(phase_plan(net.n_layers)))
                    + "\n\nPredict, then reveal (P) hides each new phase's numbers until N "
                      "is pressed again.")
        with self.c.worker.lock:
            row = st.position.sample
        x = self.c.dataset.X_train[row]
        t = self.c.dataset.Y_train[row]
        p = self.view.digits
        return (f"Next: {notation.sample(row)}\n  x = {_vec(x, p)}\n  t = {_vec(t, p)}\n\n"
                f"N computes z^(1) = x W^(1) + b^(1) and a^(1) = "
                f"{net.layer_activation(0).name}(z^(1)).")

    def _explain(self, rec: PhaseRecord, net: Network, sel: Selection | None) -> str:
        p = self.view.digits
        if sel is None:
            return explain(rec, net, precision=p)
        try:
            if sel[0] == "node":
                text = explain(rec, net, node=sel[1:], precision=p)
            else:
                text = explain(rec, net, edge=sel[1:], precision=p)
        except ValueError as exc:
            return f"({self._sel_name(sel)}: {exc})\n\n" + explain(rec, net, precision=p)
        if "is not computed in this phase" in text:
            return text + "\n\nThis phase:\n" + explain(rec, net, precision=p)
        return text

    def _sel_name(self, sel: Selection) -> str:
        if sel[0] == "node":
            l, j = sel[1], sel[2]  # noqa: E741
            return f"x_{_sub(j)}" if l == 0 else f"unit {j + 1} of layer {l}"
        return _sym("w", sel[1], sel[2], sel[3])

    def _render_values(self, cur: PhaseRecord | None) -> None:
        t = self.values
        rows = phase_rows(cur, self.c.net) if cur is not None else []
        self._row_selections = [r.sel for r in rows]
        t.setUpdatesEnabled(False)
        t.setRowCount(0)
        t.setRowCount(len(rows))
        p = self.view.digits
        th = self._theme
        pos, neg, muted = QColor(th.positive), QColor(th.negative), QColor(th.muted)
        select_row = -1
        for r, row in enumerate(rows):
            hide = self._hidden and row.new
            if row.value is not None:
                text = "?" if hide else fmt(row.value, p)
                if row.old is not None:
                    text = f"{fmt(row.old, p)} → {text}"
                colour = muted if hide else (pos if row.value > 0 else neg if row.value < 0
                                             else None)
            else:
                text, colour = row.text or "", muted
            for col, cell in enumerate((row.where, row.what, text)):
                item = QTableWidgetItem(cell)
                if col == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                    if colour is not None:
                        item.setForeground(QBrush(colour))
                t.setItem(r, col, item)
            if row.sel is not None and row.sel == self._selection and select_row < 0:
                select_row = r
        if select_row >= 0:
            t.selectRow(select_row)
            t.scrollToItem(t.item(select_row, 0), QAbstractItemView.ScrollHint.EnsureVisible)
        self.fitters[t.objectName()].fit()
        t.setUpdatesEnabled(True)

    def _render_ledger(self) -> None:
        records = self.ledger_records()
        rows = ledger_rows(records, bias_modes=self.c.net.bias_modes)
        t = self.ledger
        t.setUpdatesEnabled(False)
        t.setRowCount(0)
        t.setRowCount(min(len(rows), MAX_TABLE_ROWS))
        p = self.view.digits
        for r, row in enumerate(rows[:MAX_TABLE_ROWS]):
            cells = (str(row.phase + 1), row.kind, "" if row.layer is None else str(row.layer),
                     row.quantity, row.index, fmt(row.value, p))
            for col, cell in enumerate(cells):
                item = QTableWidgetItem(cell)
                if col == 5:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                t.setItem(r, col, item)
        self.fitters[t.objectName()].fit()
        t.setUpdatesEnabled(True)

    # ---- sample picker ----------------------------------------------------------------------
    def _fill_sample_rows(self) -> None:
        d = self.c.dataset
        n_in = d.X_train.shape[1]
        names = list(d.feature_names) or [f"x{i + 1}" for i in range(n_in)]
        shown = names[:MAX_FEATURE_COLUMNS] + (["…"] if n_in > MAX_FEATURE_COLUMNS else [])
        headers = ["", "sample", *shown, "target", "prediction"]
        t = self.samples
        t.setColumnCount(len(headers))
        t.setHorizontalHeaderLabels(headers)
        n = min(len(d.X_train), MAX_SAMPLE_ROWS)
        t.setRowCount(n)
        for r in range(n):
            x = d.X_train[r]
            cells = ["", str(r + 1), *(f"{v:.4g}" for v in x[:MAX_FEATURE_COLUMNS])]
            if n_in > MAX_FEATURE_COLUMNS:
                cells.append("…")
            cells.append(_target_text(d.Y_train[r], d.class_names))
            cells.append("")
            for col, cell in enumerate(cells):
                item = QTableWidgetItem(cell)
                t.setItem(r, col, item)
        self._size_sample_columns()
        self._marks = {}
        self._samples_dirty = True

    def _size_sample_columns(self) -> None:
        self.fitters["stepSamplesTable"].fit()

    def _refresh_samples(self) -> None:
        """Predictions of the shown weights and the current / next markers."""
        if self.tabs.currentIndex() != 2 or not self.isVisible():
            return
        d = self.c.dataset
        t = self.samples
        n = t.rowCount()
        if n == 0:
            return
        cols = t.columnCount()
        touch = set(self._marks)
        if self._samples_dirty or len(self._predictions) != n:
            out = self.c.display_net.forward(d.X_train[:n]).a[-1]
            p = min(self.view.digits, 4)
            self._predictions = [_prediction_text(out[r], d.class_names, p) for r in range(n)]
            self._samples_dirty = False
            touch = set(range(n))
        current = nxt = None
        secret = False
        recs, st = self._records()
        if st is not None:
            with self.c.worker.lock:
                if recs and not st.at_boundary:
                    current = recs[-1].sample
                nxt = st.next_sample
            # While predicting, the current row's prediction is its forward pass's output:
            # it stays hidden until the output layer's forward phase is revealed.
            revealed = recs[:-1] if self._hidden else recs
            secret = (current is not None and self.actions["actionPredictReveal"].isChecked()
                      and not any(r.kind == "forward" and r.layer == self.c.net.n_layers
                                  for r in revealed))
        elif len(d.X_train):
            nxt = 0
        marks = {r: tag for r, tag in ((nxt, "next"), (current, "●")) if r is not None and r < n}
        th = self._theme
        mark = QBrush(QColor(th.highlight))
        plain = QBrush()
        bold = self._mono()
        bold.setBold(True)
        mono = self._mono()
        # Only the rows whose marks change: a long table costs nothing per step.
        for r in sorted(touch | set(marks)):
            hide = secret and r == current
            t.item(r, cols - 1).setText("?" if hide else self._predictions[r])
            tag = marks.get(r, "")
            t.item(r, 0).setText(tag)
            t.item(r, 0).setForeground(mark if tag else plain)
            for col in range(1, cols):
                t.item(r, col).setFont(bold if r == current else mono)
        self._marks = marks
        focus = current if current is not None else nxt
        if focus is not None and focus < n:
            t.scrollToItem(t.item(focus, 1), QAbstractItemView.ScrollHint.EnsureVisible)

    # ---- the network view -------------------------------------------------------------------
    def _user_edge_mode(self) -> str:
        a = self.window_.actions_by_name.get("actionGradientEdges")
        return "gradient" if a is not None and a.isChecked() else "weight"

    def _apply_view(self) -> None:
        """Show the current phase in the network view (only numbers already revealed)."""
        recs, st = self._records()
        view = self.view
        c = self.c
        net = c.display_net
        L = net.n_layers
        cur = recs[-1] if recs else None
        revealed = recs[:-1] if self._hidden else recs
        if cur is not None:
            row = cur.sample
        elif st is not None:
            with c.worker.lock:
                row = st.position.sample
        else:
            row = 0
        a: list[np.ndarray | None] = [c.dataset.X_train[row]] + [None] * L
        z: list[np.ndarray | None] = [None] * L
        delta: list[np.ndarray | None] = [None] * L
        grads = None
        for r in revealed:
            if r.kind == "forward":
                a[r.layer] = r.values["a"]
                z[r.layer - 1] = r.values["z"]
            elif r.kind in ("output_delta", "backward"):
                delta[r.layer - 1] = r.values["delta"]
            elif r.kind == "gradients":
                grads = [r.values[f"dW_{l}"] for l in range(1, L + 1)]  # noqa: E741
        mode = self._user_edge_mode()
        if cur is not None and cur.kind == "gradients" and not self._hidden:
            mode = "gradient"
        view.set_edge_mode(mode)
        view.set_params(net.weights, net.biases, grads)
        # Node maps would hide the numbers inside the circles: none while stepping, except the
        # "?" of nodes whose values are not computed (or not revealed) yet.
        view.set_node_images(self._set_activations(a, z) or None)
        view.set_deltas(delta if any(d is not None for d in delta) else None)
        if cur is None:
            view.set_highlight(None)
        else:
            view.set_highlight(self._highlight_layer(cur, L), cur.kind)

    def _highlight_layer(self, rec: PhaseRecord, L: int) -> int:
        """The view's 0-based weights index for a phase (its docstring's convention)."""
        if rec.layer is not None:
            return rec.layer - 1
        if rec.kind in ("gradients", "update") and self._selection is not None:
            sel = self._selection
            layer = sel[1] if sel[0] == "edge" else sel[1]
            if 1 <= layer <= L:
                return layer - 1
        return L - 1

    def _set_activations(self, a: list, z: list) -> dict:
        """Give the view the values computed so far; returns node images marking the rest."""
        view = self.view
        if all(v is not None for v in a) and all(v is not None for v in z):
            view.set_activations(a, z)
            return {}
        if self._view_takes_none is not False:
            try:
                view.set_activations(a, z)
                self._view_takes_none = True
                return {}
            except (ValueError, TypeError):
                self._view_takes_none = False
        # This view wants every layer: fill the missing ones with 0 and cover their circles
        # with a "?" (a node image hides the node's number), so no made-up value is shown.
        sizes = self.c.net.sizes
        a0 = [v if v is not None else np.zeros(sizes[k]) for k, v in enumerate(a)]
        z0 = [v if v is not None else np.zeros(sizes[k + 1]) for k, v in enumerate(z)]
        view.set_activations(a0, z0)
        img = self._question_image()
        missing = [al for al, v in enumerate(a) if v is None and sizes[al] <= MAX_CIRCLE_NODES]
        return {(al, i): img for al in missing for i in range(sizes[al])}

    def _question_image(self) -> QImage:
        key = self._theme.name
        img = self._question_cache.get(key)
        if img is None:
            img = QImage(64, 64, QImage.Format.Format_ARGB32_Premultiplied)
            img.fill(Qt.GlobalColor.transparent)
            p = QPainter(img)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            f = QFont(self.font())
            f.setPixelSize(40)
            f.setBold(True)
            p.setFont(f)
            p.setPen(QColor(self._theme.muted))
            p.drawText(img.rect(), Qt.AlignmentFlag.AlignCenter, "?")
            p.end()
            img.setText(HIDES_VALUE, "1")  # the view must not write a value beside it
            self._question_cache[key] = img
        return img


# ---- phase tables and masked formulas (pure functions of a record) ------------------------------


def _vec(x: np.ndarray, p: int, limit: int = 8) -> str:
    x = np.ravel(x)
    items = [fmt(v, p) for v in x[:limit]]
    if x.size > limit:
        items.append(f"… ({x.size - limit} more)")
    return "[" + ", ".join(items) + "]"


def _target_text(y: np.ndarray, classes: tuple[str, ...] | list[str]) -> str:
    y = np.ravel(y)
    if y.size == 1:
        return f"{float(y[0]):g}"
    if np.all((y == 0) | (y == 1)) and y.sum() == 1:
        k = int(np.argmax(y))
        return classes[k] if k < len(classes) else str(k)
    return ", ".join(f"{v:g}" for v in y)


def _prediction_text(out: np.ndarray, classes: tuple[str, ...] | list[str], p: int) -> str:
    out = np.ravel(out)
    if out.size == 1:
        return fmt(out[0], p)
    k = int(np.argmax(out))
    name = classes[k] if k < len(classes) else str(k)
    return f"{name} ({fmt(out[k], p)})"


def phase_rows(rec: PhaseRecord, net: Network) -> list[_Row]:
    """The values table of one phase: (where, quantity, value, selection, computed here)."""
    v, l, L = rec.values, rec.layer, net.n_layers  # noqa: E741
    rows: list[_Row] = []
    extra = 0

    def full() -> bool:
        nonlocal extra
        if len(rows) >= MAX_TABLE_ROWS:
            extra += 1  # counted, not formatted: a wide layer has 100k weights
            return True
        return False

    def add(where: str, what: str, value: float, sel: Selection | None, new: bool) -> None:
        if not full():
            rows.append(_Row(where, what, float(value), None, sel, new))

    if rec.kind == "forward":
        for i, x in enumerate(v["a_prev"]):
            add(_sym("a", l - 1, i) if l > 1 else f"x_{_sub(i)}", "input", x,
                ("node", l - 1, i), False)
        for j in range(v["z"].size):
            add(_sym("z", l, j), "z = sum a w + b", v["z"][j], ("node", l, j), True)
            add(_sym("a", l, j), "a = f(z)", v["a"][j], ("node", l, j), True)
        W = v["W"]
        for i, j in np.ndindex(W.shape):
            add(_sym("w", l, i, j), "weight", W[i, j], ("edge", l, i, j), False)
        for j in range(v["b"].size if net.has_bias(l - 1) else 0):
            add(_sym("b", l, j), "bias", v["b"][j], ("node", l, j), False)
    elif rec.kind == "loss":
        for k in range(v["a"].size):
            add(_sym("a", L, k), "output", v["a"][k], ("node", L, k), False)
            add(_sym("t", None, k), "target", v["t"][k], ("node", L, k), False)
            add(f"E_{_sub(k)}", "loss term", v["terms"][k], ("node", L, k), True)
        add("E", "loss of the sample", v["E"], None, True)
    elif rec.kind == "output_delta":
        for k in range(v["a"].size):
            add(_sym("a", L, k) + " - " + _sym("t", None, k), "error", v["error"][k],
                ("node", L, k), True)
            if "fprime" in v:
                add(f"f'({_sym('z', L, k)})", "slope", v["fprime"][k], ("node", L, k), True)
            add(_sym("delta", L, k), "delta = dE/dz", v["delta"][k], ("node", L, k), True)
        if "s" in v:
            add("s", "sum_j (a_j - t_j) a_j", v["s"], None, True)
    elif rec.kind == "backward":
        for j in range(v["delta"].size):
            add(f"sum_k {_sym('w', l + 1)}_{_sub(j)}k {_sym('delta', l + 1)}_k",
                "error sent back", v["backprop"][j], ("node", l, j), True)
            add(f"f'({_sym('z', l, j)})", "slope", v["fprime"][j], ("node", l, j), True)
            add(_sym("delta", l, j), "delta = dE/dz", v["delta"][j], ("node", l, j), True)
        for k in range(v["delta_next"].size):
            add(_sym("delta", l + 1, k), "delta of next layer", v["delta_next"][k],
                ("node", l + 1, k), False)
        Wn = v["W_next"]
        for i, j in np.ndindex(Wn.shape):
            add(_sym("w", l + 1, i, j), "weight", Wn[i, j], ("edge", l + 1, i, j), False)
    elif rec.kind == "gradients":
        for k in range(1, L + 1):
            dW, db = v[f"dW_{k}"], v[f"db_{k}"]
            for i, j in np.ndindex(dW.shape):
                add(f"dE/d{_sym('w', k, i, j)}", "a * delta", dW[i, j], ("edge", k, i, j), True)
            for j in range(db.size if net.bias_modes[k - 1] == "trained" else 0):
                add(f"dE/d{_sym('b', k, j)}", "delta", db[j], ("node", k, j), True)
    elif rec.kind == "update":
        for k in range(1, L + 1):
            Wo, Wn = v[f"W_old_{k}"], v[f"W_new_{k}"]
            bo, bn = v[f"b_old_{k}"], v[f"b_new_{k}"]
            for i, j in np.ndindex(Wo.shape):
                if not full():
                    rows.append(_Row(_sym("w", k, i, j), "weight old → new", float(Wn[i, j]),
                                     None, ("edge", k, i, j), True, float(Wo[i, j])))
            for j in range(bo.size if net.bias_modes[k - 1] == "trained" else 0):
                if not full():
                    rows.append(_Row(_sym("b", k, j), "bias old → new", float(bn[j]), None,
                                     ("node", k, j), True, float(bo[j])))
    if extra:
        rows.append(_Row("…", f"{extra} more (see the ledger export)", None, "", None, False))
    return rows


_QUESTIONS = {
    "forward": "What are z^({l}) and a^({l})? Which units will be most active?",
    "loss": "How large is the loss E of this sample?",
    "output_delta": "What is the sign of each output delta? (Is the output too high or too low?)",
    "backward": "What is the sign of each delta^({l})_j? Which unit gets the most blame?",
    "gradients": "Which weights get a positive dE/dw, which a negative one?",
    "update": "Which weights go up, which go down, and which change most?",
}


def masked_text(rec: PhaseRecord, net: Network, sel: Selection | None, p: int,
                max_units: int = 8) -> str:
    """The phase's formula with the known inputs filled in and "?" for everything it computes.

    Only values that earlier phases (or the data and the weights) already showed appear, so the
    text gives nothing of the hidden phase away.
    """
    v, l, L = rec.values, rec.layer, net.n_layers  # noqa: E741
    n = lambda x: fmt(x, p)  # noqa: E731
    kind = rec.kind
    lines: list[str] = []
    if kind == "forward":
        name = net.layer_activation(l - 1).name
        lines.append(f"z^({l}) = a^({l - 1}) W^({l}) + b^({l}),  a^({l}) = {name}(z^({l}))")
        lines.append(f"known: a^({l - 1}) = {_vec(v['a_prev'], p)}")
        units = _sel_units(sel, l, v["z"].size, max_units)
        for j in units:
            terms = [f"{n(x)} * {n(w)}" for x, w in zip(v["a_prev"], v["W"][:, j], strict=True)]
            lines.append(f"{_sym('z', l, j)} = {_join(terms)} + {n(v['b'][j])} = ?")
            lines.append(f"{_sym('a', l, j)} = {name}({_sym('z', l, j)}) = ?")
    elif kind == "loss":
        info = losses.describe(net.loss_name, net.output)
        lines.append(f"{info.formula} = ?")
        lines.append(f"known: a^({L}) = {_vec(v['a'], p)},  t = {_vec(v['t'], p)}")
    elif kind == "output_delta":
        info = losses.describe(net.loss_name, net.output)
        lines.append(f"delta^({L}): {info.delta_formula}")
        for k in _sel_units(sel, L, v["a"].size, max_units):
            lines.append(f"{_sym('delta', L, k)} = ?   with {_sym('a', L, k)} = {n(v['a'][k])},"
                         f" {_sym('t', None, k)} = {n(v['t'][k])}, {_sym('z', L, k)} = "
                         f"{n(v['z'][k])}")
    elif kind == "backward":
        lines.append(f"delta^({l}) = (delta^({l + 1}) W^({l + 1})^T) * f'(z^({l}))")
        lines.append(f"known: delta^({l + 1}) = {_vec(v['delta_next'], p)}")
        for j in _sel_units(sel, l, v["delta"].size, max_units):
            terms = [f"{n(w)} * {n(d)}" for w, d in zip(v["W_next"][j], v["delta_next"],
                                                       strict=True)]
            lines.append(f"{_sym('delta', l, j)} = f'({n(v['z'][j])}) * ({_join(terms)}) = ?"
                         f"   (a = {n(v['a'][j])})")
    elif kind == "gradients":
        lines.append("dE/dW^(l) = a^(l-1)^T delta^(l),  dE/db^(l) = delta^(l)")
        if sel is not None and sel[0] == "edge":
            k, i, j = sel[1:]
            lines.append(f"dE/d{_sym('w', k, i, j)} = {_sym('a', k - 1, i)} * "
                         f"{_sym('delta', k, j)} = {n(v[f'a_{k - 1}'][i])} * "
                         f"{n(v[f'delta_{k}'][j])} = ?")
        else:
            for k in range(1, L + 1):
                lines.append(f"layer {k}: a^({k - 1}) = {_vec(v[f'a_{k - 1}'], p)},  "
                             f"delta^({k}) = {_vec(v[f'delta_{k}'], p)}")
    elif kind == "update":
        lr = float(v["lr"])
        extra = "".join(f", {h} = {float(v[h]):g}" for h in ("momentum", "l2", "l1")
                        if float(v[h]))
        lines.append(f"W^(l) <- W^(l) - lr * dE/dW^(l)   (lr = {lr:g}{extra})")
        if sel is not None and sel[0] == "edge":
            k, i, j = sel[1:]
            old, g = float(v[f"W_old_{k}"][i, j]), float(v[f"dW_{k}"][i, j])
            lines.append(f"{_sym('w', k, i, j)} <- {n(old)} - {lr:g} * ({n(g)}) = ?")
        elif sel is not None and sel[0] == "node" and 1 <= sel[1] <= L:
            k, j = sel[1:]
            old, g = float(v[f"b_old_{k}"][j]), float(v[f"db_{k}"][j])
            lines.append(f"{_sym('b', k, j)} <- {n(old)} - {lr:g} * ({n(g)}) = ?")
        else:
            lines.append("known: every dE/dw from the gradients phase (click an edge row)")
    lines.append("")
    lines.append("Predict: " + _QUESTIONS[kind].format(l=l))
    lines.append("Press N (or Reveal) to show the numbers.")
    return "\n".join(lines)


def _sel_units(sel: Selection | None, layer: int, n: int, max_units: int) -> list[int]:
    if sel is not None and sel[0] == "node" and sel[1] == layer and 0 <= sel[2] < n:
        return [sel[2]]
    return list(range(min(n, max_units)))


def _join(terms: list[str], max_terms: int = 8) -> str:
    if len(terms) > max_terms:
        return " + ".join(terms[:max_terms]) + f" + … ({len(terms) - max_terms} more)"
    return " + ".join(terms)


def install(window) -> StepPanel:
    """Add the Step dock, its actions and the Step menu to the main window."""
    panel = StepPanel(window)
    dock = window.add_dock("step", "Step", panel, Qt.DockWidgetArea.BottomDockWidgetArea)
    # The controls column keeps its full height; the step panel sits under the network view.
    window.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
    panel.dock = dock
    menus = getattr(window, "menus", None)
    if menus and "view" in menus:
        menus["view"].addAction(dock.toggleViewAction())
    window.resizeDocks([dock], [280], Qt.Orientation.Vertical)
    restore = getattr(window, "actions_by_name", {}).get("actionRestoreLayout")
    if restore is not None:
        # the window's default layout puts every dock on the right; this one belongs below
        restore.triggered.connect(panel.place_dock)
    return panel
