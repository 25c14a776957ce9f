"""The Step dock: backpropagation one sample, one phase at a time, with the real numbers
(README, "Single-step backpropagation").

``install(window)`` adds the dock, the Step menu and the actions (actionStepNext N/Right,
actionStepBack B/Left, actionStepNextSample Shift+N, actionFinishSample, actionRunToEpochEnd,
actionPredictReveal P, actionRevealNext, actionGradientCheck, actionExportLedgerCsv,
actionExportLedgerMarkdown, actionLeaveStepping).

The panel lays out what the others hold: the stepper and its bond with training are the
``StepSession``'s (``session.py``), the phase on the network view is the ``StepOverlay``'s
(``overlay.py``), the texts come from ``nnviz.core.explain`` and the tables are ``tables.py``'s.
After a command ``controller.refresh_from_network()`` pushes the new weights to every view.
Leaving step mode (Play, or Leave stepping) restores the normal view.

"Predict, then reveal" keeps the newest phase's outputs off the screen until revealed: the panel
shows the formula with the known inputs and "?" for the results, the tables show "?", and the
network view is not given the new values (nor, after a hidden update, the new weights).
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction, QFont, QFontDatabase, QFontMetricsF
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnviz.core import notation
from nnviz.core.explain import (
    Selection,
    explain,
    gradient_check_rows,
    masked_text,
    next_sample_text,
    phase_rows,
    phase_title,
    plan_text,
    selection_name,
)
from nnviz.core.ledger import ledger_csv, ledger_markdown, ledger_rows
from nnviz.core.network import GradientCheck, Network, gradient_check_detail
from nnviz.core.stepper import PhaseRecord, Stepper
from nnviz.gui.formula_box import FormulaBox
from nnviz.gui.step.overlay import StepOverlay
from nnviz.gui.step.session import StepSession
from nnviz.gui.step.tables import CheckTable, LedgerTable, SamplesTable, ValuesTable
from nnviz.gui.theme import DARK, LIGHT, Theme, check_scale

__all__ = ["StepPanel", "install", "MAX_CHECK_PARAMS"]

MIN_FORMULA_LINES = 4  # lines the stacked formula box shows at least (presentation mode)
#: Finite differences cost two forward passes per parameter: keep the check interactive.
MAX_CHECK_PARAMS = 5000
#: The tabs, in order.
VALUES_TAB, LEDGER_TAB, SAMPLES_TAB, CHECK_TAB = range(4)


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
        self.session = StepSession(self.c)
        self.overlay = StepOverlay(self.view)
        self._active = False
        self._hidden = False
        self._selection: Selection | None = None
        self._scale = 1.0
        self._stacked = False
        self._theme: Theme = LIGHT
        # the unscaled size the classroom recorded: another window may have scaled the font
        base = QApplication.instance().property("nnviz_base_point_size")
        self._base_pt = max(9.0, base if isinstance(base, float) and base > 0
                            else QApplication.font().pointSizeF())
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
        self.values = ValuesTable()
        self.values.cellClicked.connect(self._on_value_clicked)
        self.tabs.addTab(self.values, "This phase")

        ledger_page = QWidget()
        lg = QVBoxLayout(ledger_page)
        lg.setContentsMargins(0, 0, 0, 0)
        self.ledger = LedgerTable()
        lg.addWidget(self.ledger, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Export this sample's numbers:"))
        row.addWidget(self._button("actionExportLedgerCsv", "CSV..."))
        row.addWidget(self._button("actionExportLedgerMarkdown", "Markdown..."))
        row.addStretch(1)
        lg.addLayout(row)
        self.tabs.addTab(ledger_page, "Ledger")

        self.samples = SamplesTable()
        self.samples.cellClicked.connect(self._on_sample_clicked)
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
        self.check_table = CheckTable()
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
        self.tabs.currentChanged.connect(self._on_tab)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        outer.addWidget(split, 1)
        outer.addWidget(self._corner_slot)

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
        return self.session.stepper

    def ensure_stepper(self) -> Stepper:
        """The stepper, created now if needed (training paused first)."""
        return self.session.ensure()

    def restore_position(self, position: dict) -> None:
        """Re-enter a saved ``Position`` (a session's ``stepper``): the same row, stepped to the
        same phase on the loaded weights, in order (``Stepper.restore``); the trainer's epoch
        becomes the position's. ``phase`` is the number of phases done (as
        ``Stepper.position``) or a phase kind name (the first phase of that kind); a finished
        sample is not stepped again: the loaded weights already contain its update.
        """
        self._on_rebuilt()
        pos = self.session.restore(position)
        if 0 < pos.phase:
            self._enter()
        self._after_change()

    def formula_text(self) -> str:
        return self.formula.formula()

    def header_text(self) -> str:
        """The header line as plain text (it is shown as rich text)."""
        return html.unescape(re.sub(r"<[^>]+>", "", self.header.text()))

    # ---- commands ---------------------------------------------------------------------------
    def _begin(self) -> Stepper | None:
        """Common start of every stepping command: training paused, the stepper made and in
        step with the trainer; None (and a message) if stepping is impossible now."""
        try:
            st = self.session.ensure()
        except ValueError as exc:
            self._message(f"Cannot step: {exc}")
            return None
        if self.session.outside_change():
            self._note_restart()
        return st

    def _run(self) -> bool:
        if self._begin() is None:
            return False
        self._enter()
        return True

    def _enter(self) -> None:
        if not self._active:
            self._active = True
            # first: the presentation stage makes room for the panel before it appears
            self.activeChanged.emit(True)
            if self.dock is not None and not self.dock.isVisible():
                self.dock.show()
                self.dock.raise_()

    def _note_restart(self) -> None:
        self._hidden = False
        self._message("The weights changed outside the stepper (training or an edit): the "
                      "sample restarts from its first phase with the new weights")

    @Slot()
    def next_phase(self) -> PhaseRecord | None:
        """N: reveal the hidden phase, else compute the next phase."""
        if self._hidden:
            self.reveal()
            return self.session.current()
        if not self._run():
            return None
        rec = self.session.command(lambda st: st.step())
        self._hidden = self.actions["actionPredictReveal"].isChecked()
        self._after_change()
        return rec

    @Slot()
    def back(self) -> PhaseRecord | None:
        """B: undo one phase (a hidden phase is simply taken back)."""
        if not self._run():
            return None

        def undo(st: Stepper) -> tuple[bool, bool]:
            if not st.can_back:
                return False, st.current is None
            st.back()
            return True, False

        done, void = self.session.command(undo)
        self._hidden = False
        if not done:
            self._message("Nothing to undo" + (" (the weights changed since the last step)"
                                               if void else ""))
        self._after_change()
        return self.session.current() if done else None

    @Slot()
    def reveal(self) -> None:
        if not self._hidden:
            return
        self._hidden = False
        self._after_change()

    def _multi(self, run: Callable[[Stepper], object]) -> None:
        if not self._run():
            return
        self._hidden = False
        self.session.command(run)
        self._after_change()

    @Slot()
    def next_sample(self) -> None:
        """Shift+N: finish the sample in progress, or run the whole next one at a boundary."""
        self._multi(lambda st: st.finish_sample())

    @Slot()
    def finish_sample(self) -> None:
        """Run the rest of the sample in progress (a finished sample stays as it is)."""
        if self.stepper is not None and self.session.read(
                lambda st: st.at_boundary and st.current is not None):
            self.reveal()
            self._message("This sample is finished; N starts the next one, Shift+N runs it")
            return
        self._multi(lambda st: st.finish_sample())

    @Slot()
    def run_to_epoch_end(self) -> None:
        def run(st: Stepper) -> None:
            n = st.run_to_epoch_end()
            cur = st.current
            epoch = f" {cur.epoch + 1}" if cur is not None else ""
            self._message(f"Stepped {n} sample{'s' * (n != 1)} to the end of epoch{epoch}")

        self._multi(run)

    @Slot()
    def leave(self) -> None:
        """Back to the normal view: no highlight, the controller's sample activations."""
        if not self._active:
            return
        self._active = False
        self._hidden = False
        self.overlay.clear(self._user_edge_mode())
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
        if self._begin() is None:
            return False
        busy = self.session.pick(int(row))
        if busy is not None:
            self._message(f"Finish this sample first ({notation.sample(busy.sample)} is at "
                          f"phase {busy.phase} of {self.stepper.phases_per_sample}; Finish "
                          "sample or Shift+N)")
            return False
        self._message(f"{notation.sample(row).capitalize()} is the next sample; N starts it")
        self._render_panel()
        return True

    @Slot(int)
    def _on_sample_selected(self, row: int) -> None:
        """The controls' "Sample" field while stepping: that sample is stepped next."""
        if self.session.selecting or not self._active or self.stepper is None:
            return
        if row in self.session.read(lambda st: (st.position.sample, st.next_sample)):
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
        self.samples.dirty = True
        self._render_panel()

    # ---- gradient check and ledger ----------------------------------------------------------
    @Slot()
    def gradient_check(self) -> GradientCheck | None:
        self.session.pause_training()
        if self._hidden:
            # the check prints every gradient: no secret survives it
            self.reveal()
        n_params = self.c.net.params.size
        if n_params > MAX_CHECK_PARAMS:
            self._message(f"Gradient check is for small networks: this one has {n_params:,} "
                          f"parameters (limit {MAX_CHECK_PARAMS:,})")
            return None
        try:
            net, row = self.session.check_network()
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
        self.tabs.setCurrentIndex(CHECK_TAB)
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
        self.check_table.show_rows(gradient_check_rows(gc, self.c.net.bias_modes),
                                   self.view.digits)

    def ledger_records(self) -> tuple[PhaseRecord, ...]:
        """The current sample's records as far as they are revealed."""
        recs, _st = self.session.records()
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
        net = self.c.net
        if kind == "csv":
            text = ledger_csv(records, bias_modes=net.bias_modes)
        else:
            text = (f"# Ledger: {notation.sample(row)}, epoch {epoch + 1}\n\n"
                    f"Network {'-'.join(map(str, net.sizes))}, {net.activation} hidden, "
                    f"{net.output} output, {net.loss_name} loss; "
                    f"{len(records)} of {self.stepper.phases_per_sample} phases; numbers with "
                    f"{self.view.digits} decimals.\n\n"
                    + ledger_markdown(records, precision=self.view.digits,
                                      bias_modes=net.bias_modes))
        try:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        except OSError as exc:
            self._message(f"Could not write the ledger to {path}: {exc.strerror or exc}")
            return None
        n = len(ledger_rows(records, bias_modes=net.bias_modes))
        self._message(f"Ledger of {notation.sample(row)} ({n} numbers) written to {path}")
        return path

    # ---- scale, palette and layout ----------------------------------------------------------
    def set_scale(self, factor: float) -> None:
        """Presentation mode: bigger numbers for the back of the hall."""
        factor = self._scale = check_scale(factor)
        self.formula.setFont(self._mono(1.15))
        self._fit_formula_height()
        mono = self._mono()
        height = int(QFontMetricsF(mono).height() * 1.35)
        for t in (self.values, self.ledger, self.samples, self.check_table):
            t.set_mono(mono, height)
        head = QFont(self.font())
        head.setPointSizeF(self._base_pt * 1.3 * factor)
        self.header.setFont(head)
        title = QFont(self.font())
        title.setPointSizeF(self._base_pt * factor)
        self.formula_title.setFont(title)
        self.samples.fitter.fit()
        self.check_table.fitter.fit()
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
        lines = MIN_FORMULA_LINES if self._stacked else 0
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
        self.samples.dirty = True
        self._render_panel()

    def _mono(self, k: float = 1.0) -> QFont:
        f = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        f.setPointSizeF(self._base_pt * 1.05 * k * self._scale)
        return f

    # ---- reactions --------------------------------------------------------------------------
    @Slot()
    def _on_rebuilt(self) -> None:
        # A new network (rebuild, reset, new data): the old stepper and its records are void.
        self.session.drop()
        self._active = False
        self._hidden = False
        self._selection = None
        self.last_gradient_check = None
        self.check_table.setRowCount(0)
        self.samples.fill(self.c.dataset)
        self._render_panel()

    @Slot()
    def _on_params_changed(self) -> None:
        # No re-entry guard: the refresh calls below emit this signal again, and the nested
        # call finds nothing left to do (the stepper has seen the weights, the views show them).
        self.samples.dirty = True
        if not self._active:
            if not self.c.playing:
                self._refresh_samples()
            return
        if self.session.outside_change():
            # trained (Step epoch) or edited behind the stepper's back: its records are
            # void; the normal view until the next step
            self._note_restart()
            self.leave()
            return
        with self.c.worker.lock:
            stale = not self._hidden and not self.c.playing and not np.array_equal(
                self.c.display_net.params, self.c.net.params)
        if stale:
            # a snapshot sent before our step (the worker's last one) arrived after it; the
            # refresh comes back here and renders
            self.c.refresh_from_network()
            return
        self._render()

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
        sel = self.values.selection_at(row)
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
        data_row = self.samples.data_row(row)
        if data_row is not None:
            self.pick_sample(data_row)

    @Slot(bool)
    def _on_shuffle(self, on: bool) -> None:
        if self.session.set_shuffle(on):
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

    def _after_change(self) -> None:
        """After a stepper command: the new weights everywhere (unless hidden), then the phase."""
        if not self._hidden and not np.array_equal(self.c.display_net.params,
                                                   self.c.net.params):
            self.samples.dirty = True
            # emits paramsChanged: _on_params_changed renders the phase while stepping
            self.c.refresh_from_network()
            if self._active:
                return
        self._render()

    def _render(self) -> None:
        self._render_panel()
        if self._active:
            self._apply_view()

    def _render_panel(self) -> None:
        recs, st = self.session.records()
        self._render_header(recs, st)
        self._render_formula(recs)
        cur = recs[-1] if recs else None
        rows = phase_rows(cur, self.c.net) if cur is not None else []
        self.values.show_rows(rows, self._hidden, self.view.digits, self._theme,
                              self._selection)
        i = self.tabs.currentIndex()
        if i == LEDGER_TAB:
            self.ledger.show_rows(ledger_rows(self.ledger_records(),
                                              bias_modes=self.c.net.bias_modes),
                                  self.view.digits)
        elif i == SAMPLES_TAB and not self.c.playing:
            self._refresh_samples()
        self._update_enabled()

    def _update_enabled(self) -> None:
        a = self.actions
        a["actionRevealNext"].setEnabled(self._hidden)
        a["actionLeaveStepping"].setEnabled(self._active)

    def _sample_label(self, st: Stepper, row: int, epoch: int, picked: bool) -> str:
        name = notation.sample(row).capitalize()
        if picked:
            return f"<b>{name}</b> (picked, out of order)"
        with self.c.worker.lock:
            k = int(np.flatnonzero(st.order_of(epoch) == row)[0]) + 1
        return f"<b>{name}</b> ({k} of {st.n_samples} in this epoch's order)"

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
        with self.c.worker.lock:
            pos, picked = st.position, st.picked
        label = self._sample_label(st, pos.sample, pos.epoch, picked)
        if cur is None:
            text = (f"{label}, {notation.epoch(pos.epoch)} — <span style='{badge}'>ready</span>: "
                    f"N computes phase 1/{P}, forward, layer 1")
        else:
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
            recs, _st = self.session.records()
        cur = recs[-1] if recs else None
        sel = self._selection
        self.formula_title.setText("Formula" + (f" for {selection_name(sel)}" if sel else
                                                " (click a node or a row for one unit)"))
        net = self.c.net
        if cur is None:
            st = self.stepper
            if st is None:
                self.formula.set_formula(plan_text(net.n_layers))
                return
            row = self.session.read(lambda st: st.position.sample)
            d = self.c.dataset
            self.formula.set_formula(next_sample_text(net, row, d.X_train[row], d.Y_train[row],
                                                      self.view.digits))
            return
        if self._hidden:
            text = masked_text(cur, net, sel, self.view.digits)
        else:
            text = self._explain(cur, net, sel)
        self.formula.set_formula(text)

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
            return f"({selection_name(sel)}: {exc})\n\n" + explain(rec, net, precision=p)
        if "is not computed in this phase" in text:
            return text + "\n\nThis phase:\n" + explain(rec, net, precision=p)
        return text

    def _refresh_samples(self) -> None:
        """Predictions of the shown weights and the current / next markers."""
        if self.tabs.currentIndex() != SAMPLES_TAB or not self.isVisible():
            return
        d = self.c.dataset
        current = nxt = None
        secret = False
        recs, st = self.session.records()
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
        self.samples.refresh(lambda n: self.c.display_net.forward(d.X_train[:n]).a[-1],
                             d.class_names, self.view.digits, current, nxt, secret,
                             self._theme)

    # ---- the network view -------------------------------------------------------------------
    def _user_edge_mode(self) -> str:
        a = self.window_.actions_by_name.get("actionGradientEdges")
        return "gradient" if a is not None and a.isChecked() else "weight"

    def _apply_view(self) -> None:
        """Show the current phase in the network view (only numbers already revealed)."""
        recs, st = self.session.records()
        cur = recs[-1] if recs else None
        if cur is not None:
            row = cur.sample
        elif st is not None:
            row = self.session.read(lambda st: st.position.sample)
        else:
            row = 0
        self.overlay.show(recs[:-1] if self._hidden else recs, cur, self.c.dataset.X_train[row],
                          self.c.display_net, self._user_edge_mode(), self._hidden,
                          self._selection, self._theme, self.font())


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
