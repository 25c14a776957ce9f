"""The Step dock: backpropagation one sample, one phase at a time, with the real numbers
(README, "Single-step backpropagation").

``install(window)`` adds the dock, the Step menu and the actions (actionStepNext N/Right,
actionStepBack B/Left, actionStepNextSample Shift+N, actionFinishSample, actionRunToEpochEnd,
actionPredictReveal P, actionRevealNext, actionGradientCheck, actionExportLedgerCsv,
actionExportLedgerMarkdown, actionLeaveStepping).

The panel runs the commands and decides what is shown; the others hold the rest: the stepper
and its bond with training are the ``StepSession``'s (``session.py``), the phase on the network
view is the ``StepOverlay``'s (``overlay.py``), the texts come from ``nnviz.core.explain``, the
tables are ``tables.py``'s and the other parts (actions, header, formula pane, ledger and check
pages) ``widgets.py``'s. After a command ``controller.refresh_from_network()`` pushes the new
weights to every view. Leaving step mode (Play, or Leave stepping) restores the normal view.

"Predict, then reveal" keeps the newest phase's outputs off the screen until revealed: the panel
shows the formula with the known inputs and "?" for the results, the tables show "?", and the
network view is not given the new values (nor, after a hidden update, the new weights).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QFontDatabase, QFontMetricsF
from PySide6.QtWidgets import QApplication, QDockWidget, QSplitter, QVBoxLayout, QWidget

from nnviz.core import notation
from nnviz.core.explain import (
    Selection,
    explain_selection,
    masked_text,
    next_sample_text,
    phase_rows,
    plan_text,
)
from nnviz.core.ledger import ledger_rows
from nnviz.core.network import GradientCheck
from nnviz.core.stepper import PhaseRecord, Stepper
from nnviz.gui.features import NoViewState
from nnviz.gui.step.overlay import StepOverlay
from nnviz.gui.step.session import StepSession
from nnviz.gui.step.tables import SamplesTable, ValuesTable
from nnviz.gui.step.widgets import (
    CheckPage,
    FormulaPane,
    LedgerPage,
    Options,
    StepHeader,
    StepTabs,
    add_actions,
    tool_bar,
)
from nnviz.gui.theme import DARK, LIGHT, Theme, check_scale

__all__ = ["StepPanel", "install"]

#: The tabs, in order.
VALUES_TAB, LEDGER_TAB, SAMPLES_TAB, CHECK_TAB = range(4)


class StepPanel(QWidget, NoViewState):
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
        self._theme: Theme = LIGHT
        # the unscaled size the classroom recorded: another window may have scaled the font
        base = QApplication.instance().property("nnviz_base_point_size")
        self._base_pt = max(9.0, base if isinstance(base, float) and base > 0
                            else QApplication.font().pointSizeF())
        self.last_gradient_check: GradientCheck | None = None
        self.actions, self.menu = add_actions(window, self)
        self._build_ui()
        self.c.networkRebuilt.connect(self._on_rebuilt)
        self.c.paramsChanged.connect(self._on_params_changed)
        self.c.playingChanged.connect(self._on_playing)
        self.c.sampleSelected.connect(self._on_sample_selected)
        self.view.nodeSelected.connect(self._on_node_selected)
        self.set_scale(1.0)
        self._on_rebuilt()

    # ---- construction -----------------------------------------------------------------------
    def _build_ui(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 4, 6, 4)
        outer.setSpacing(4)
        self.header = StepHeader()
        outer.addWidget(self.header)
        self.toolbar = tool_bar(self.actions)
        outer.addWidget(self.toolbar)

        options = Options(self.view.digits)
        self.shuffle, self.precision_spin = options.shuffle, options.digits
        self.shuffle.toggled.connect(self._on_shuffle)
        self.precision_spin.valueChanged.connect(self.set_precision)

        split = self.splitter = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("stepSplitter")
        split.setChildrenCollapsible(False)
        self.formula_pane = FormulaPane()
        self.formula = self.formula_pane.box
        split.addWidget(self.formula_pane)

        self.tabs = StepTabs(options)
        self.values = ValuesTable()
        self.values.cellClicked.connect(self._on_value_clicked)
        self.tabs.addTab(self.values, "This phase")
        self.ledger_page = LedgerPage(self.actions)
        self.ledger = self.ledger_page.table
        self.tabs.addTab(self.ledger_page, "Ledger")
        self.samples = SamplesTable()
        self.samples.cellClicked.connect(self._on_sample_clicked)
        self.tabs.addTab(self.samples, "Samples")
        self.check_page = CheckPage()
        self.check_page.run.clicked.connect(self.gradient_check)
        self.check_summary, self.check_table = self.check_page.summary, self.check_page.table
        self.tabs.addTab(self.check_page, "Gradient check")
        self.tabs.currentChanged.connect(self._on_tab)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        outer.addWidget(split, 1)
        outer.addWidget(self.tabs.corner_slot)

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
        return self.header.plain_text()

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
        try:
            gc, row = self.session.gradient_check()
        except ValueError as exc:
            self._message(str(exc))
            return None
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
        self.check_page.show_check(gc, row, self.c.net.bias_modes, self.view.digits,
                                   self._theme)

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
        path, message = self.ledger_page.export(kind, path, records, self.c.net,
                                                self.view.digits, self.stepper.phases_per_sample)
        if message:
            self._message(message)
        return path

    # ---- scale, palette and layout ----------------------------------------------------------
    def set_scale(self, factor: float) -> None:
        """Presentation mode: bigger numbers for the back of the hall."""
        factor = self._scale = check_scale(factor)
        title = QFont(self.font())
        title.setPointSizeF(self._base_pt * factor)
        self.formula_pane.set_fonts(self._mono(1.15), title)
        mono = self._mono()
        height = int(QFontMetricsF(mono).height() * 1.35)
        for t in (self.values, self.ledger, self.samples, self.check_table):
            t.set_mono(mono, height)
        head = QFont(self.font())
        head.setPointSizeF(self._base_pt * 1.3 * factor)
        self.header.setFont(head)
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
        self.tabs.set_stacked(on)
        self.formula_pane.set_stacked(on)

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
        # No re-entry guard is needed: the refreshes below (and _after_change's) emit this
        # signal again, and the nested call finds the stepper in step with the weights and the
        # views showing them, so all it does is render.
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
        if not self._hidden and self.session.views_behind():
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
        if not self._hidden and self.session.views_behind():
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

    def _render_header(self, recs: tuple[PhaseRecord, ...], st: Stepper | None) -> None:
        if st is None:
            self.header.show_intro()
            return
        cur = recs[-1] if recs else None
        pos, visit, nxt = self.session.place()
        done = cur is not None and cur.kind == "update" and not self._hidden
        self.header.show_step(cur, pos.sample, pos.epoch, visit, st.n_samples,
                              st.phases_per_sample, nxt if done else None, self._hidden,
                              self._theme)

    def _render_formula(self, recs: tuple[PhaseRecord, ...] | None = None) -> None:
        if recs is None:
            recs, _st = self.session.records()
        net, p = self.c.net, self.view.digits
        if recs:
            cur = recs[-1]
            text = (masked_text(cur, net, self._selection, p) if self._hidden
                    else explain_selection(cur, net, self._selection, p))
        elif self.stepper is None:
            text = plan_text(net.n_layers)
        else:
            row = self.session.read(lambda st: st.position.sample)
            d = self.c.dataset
            text = next_sample_text(net, row, d.X_train[row], d.Y_train[row], p)
        self.formula_pane.show_text(text, self._selection)

    def _refresh_samples(self) -> None:
        """Predictions of the shown weights and the current / next markers."""
        if self.tabs.currentIndex() != SAMPLES_TAB or not self.isVisible():
            return
        d = self.c.dataset
        recs, _st = self.session.records()
        current, nxt = self.session.marks()
        # While predicting, the current row's prediction is its forward pass's output: it stays
        # hidden until the output layer's forward phase is revealed.
        revealed = recs[:-1] if self._hidden else recs
        secret = (current is not None and self.actions["actionPredictReveal"].isChecked()
                  and not any(r.kind == "forward" and r.layer == self.c.net.n_layers
                              for r in revealed))
        self.samples.refresh(lambda n: self.c.display_net.forward(d.X_train[:n]).a[-1],
                             d.class_names, self.view.digits, current, nxt, secret,
                             self._theme)

    # ---- the network view -------------------------------------------------------------------
    def _user_edge_mode(self) -> str:
        return self.window_.view_state.edge_mode

    def _apply_view(self) -> None:
        """Show the current phase in the network view (only numbers already revealed)."""
        recs, st = self.session.records()
        cur = recs[-1] if recs else None
        row = self.session.read(lambda st: st.position.sample) if st is not None else 0
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
    window.menus["view"].addAction(dock.toggleViewAction())
    window.resizeDocks([dock], [280], Qt.Orientation.Vertical)
    restore = window.actions_by_name.get("actionRestoreLayout")
    if restore is not None:
        # the window's default layout puts every dock on the right; this one belongs below
        restore.triggered.connect(panel.place_dock)
    return panel
