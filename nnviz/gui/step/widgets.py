"""The Step dock's parts (README, "Single-step backpropagation"): its actions, menu and tool bar,
the header line, the formula pane, the ledger page and the gradient-check page. Each part owns
its widgets and is given what to show; the panel (``step_panel.py``) decides when."""

from __future__ import annotations

import html
import os
import re
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFont, QFontMetricsF
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnviz.core import notation
from nnviz.core.explain import Selection, gradient_check_rows, phase_title, selection_name
from nnviz.core.ledger import ledger_csv, ledger_markdown, ledger_rows
from nnviz.core.network import GradientCheck, Network
from nnviz.core.stepper import PhaseRecord
from nnviz.gui.formula_box import FormulaBox
from nnviz.gui.step.tables import CheckTable, LedgerTable
from nnviz.gui.theme import Theme

MIN_FORMULA_LINES = 4  # lines the stacked formula box shows at least (presentation mode)

#: (objectName, text, shortcuts, the panel's slot, tip) of every Step action.
ACTIONS = (
    ("actionStepNext", "Next phase", ["N", "Right"], "next_phase",
     "Compute the next phase of backpropagation for this sample"),
    ("actionStepBack", "Previous phase", ["B", "Left"], "back",
     "Undo one phase (also an update: the old weights come back exactly)"),
    ("actionStepNextSample", "Next sample", ["Shift+N"], "next_sample",
     "Finish this sample; at a sample boundary run the whole next sample"),
    ("actionFinishSample", "Finish sample", None, "finish_sample",
     "Run the remaining phases of this sample, up to its update"),
    ("actionRunToEpochEnd", "Run to epoch end", None, "run_to_epoch_end",
     "Step every remaining sample of this epoch (online SGD)"),
    ("actionPredictReveal", "Predict, then reveal", ["P"], "_on_predict_toggled",
     "Hide the numbers of each new phase until revealed, so the class can guess first"),
    ("actionRevealNext", "Reveal", None, "reveal",
     "Show the hidden numbers of this phase (N does the same)"),
    ("actionGradientCheck", "Gradient check", None, "gradient_check",
     "Backprop gradient of every weight next to the central finite difference"),
    ("actionExportLedgerCsv", "Export ledger as CSV...", None, "export_ledger_csv",
     "Every number of this sample's phases as a CSV file"),
    ("actionExportLedgerMarkdown", "Export ledger as Markdown...", None,
     "export_ledger_markdown", "Every number of this sample's phases as a table"),
    ("actionLeaveStepping", "Leave stepping", None, "leave",
     "Back to the normal view (Play does this too)"),
)
_MENU_GROUPS = (
    ("actionStepNext", "actionStepBack", "actionStepNextSample", "actionFinishSample",
     "actionRunToEpochEnd"),
    ("actionPredictReveal", "actionRevealNext"),
    ("actionGradientCheck", "actionExportLedgerCsv", "actionExportLedgerMarkdown"),
    ("actionLeaveStepping",),
)
_BAR_GROUPS = (
    ("actionStepBack", "actionStepNext", "actionStepNextSample", "actionFinishSample",
     "actionRunToEpochEnd"),
    ("actionPredictReveal", "actionRevealNext"),
    ("actionLeaveStepping",),
)
_BAR_TEXT = {"actionStepBack": "◀ Back", "actionStepNext": "Next ▶",
             "actionStepNextSample": "Sample ▶▶", "actionRunToEpochEnd": "Epoch ▶|"}


def add_actions(window, target: object) -> tuple[dict[str, QAction], QMenu]:
    """The Step actions on ``window`` (its ``add_action``), each calling ``target``'s slot, and
    the Step menu holding them."""
    actions = {}
    for name, text, keys, slot, tip in ACTIONS:
        actions[name] = window.add_action(name, text, keys, getattr(target, slot),
                                          checkable=name == "actionPredictReveal", tip=tip)
    menu = window.menuBar().addMenu("&Step")
    menu.setObjectName("menuStep")
    for k, group in enumerate(_MENU_GROUPS):
        if k:
            menu.addSeparator()
        for name in group:
            menu.addAction(actions[name])
    window.menus["step"] = menu
    return actions, menu


def tool_bar(actions: dict[str, QAction]) -> QToolBar:
    """The dock's tool bar, not a row of buttons: in a narrow dock the rest folds into its »
    menu."""
    bar = QToolBar("Step")
    bar.setObjectName("stepToolBar")
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    for group in _BAR_GROUPS:
        if bar.actions():
            bar.addSeparator()
        for name in group:
            a = actions[name]
            if name in _BAR_TEXT:
                a.setIconText(_BAR_TEXT[name])  # the tool bar's text; menus keep the long one
            bar.addAction(a)
    return bar


def action_button(action: QAction, text: str) -> QToolButton:
    """A button for ``action`` with its own short ``text``."""
    b = QToolButton()
    b.setDefaultAction(action)
    b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    b.setObjectName(action.objectName().replace("action", "button"))
    b.setText(text)
    # setDefaultAction copies the action's text again whenever the action changes
    action.changed.connect(lambda b=b, t=text: b.setText(t))
    return b


class Options(QWidget):
    """The sample order (shuffle) and the digits setting, in the tabs' corner."""

    def __init__(self, digits: int) -> None:
        super().__init__()
        cl = QHBoxLayout(self)
        cl.setContentsMargins(0, 0, 4, 0)
        self.shuffle = QCheckBox("shuffle")
        self.shuffle.setObjectName("stepShuffleCheck")
        self.shuffle.setToolTip("Sample order: fixed (rows in order, default) or a seeded "
                                "permutation per epoch, as the online trainer draws it")
        cl.addWidget(self.shuffle)
        cl.addSpacing(6)
        label = QLabel("digits")
        cl.addWidget(label)
        self.digits = QSpinBox(minimum=2, maximum=10)
        label.setBuddy(self.digits)
        self.digits.setObjectName("stepPrecisionSpin")
        self.digits.setValue(digits)
        self.digits.setToolTip("Decimals of the numbers in the panel and the Markdown "
                               "ledger (the CSV keeps full precision)")
        cl.addWidget(self.digits)


class StepTabs(QTabWidget):
    """The panel's tabs with ``corner`` (the options) at their top right, or, stacked, in
    ``corner_slot`` below them (the panel places that slot)."""

    def __init__(self, corner: QWidget) -> None:
        super().__init__()
        self.setObjectName("stepTabs")
        self.corner = corner
        self.setCornerWidget(corner, Qt.Corner.TopRightCorner)
        self.corner_slot = QWidget()
        slot = QHBoxLayout(self.corner_slot)
        slot.setContentsMargins(0, 0, 0, 0)
        slot.addStretch(1)
        self.corner_slot.hide()

    def set_stacked(self, on: bool) -> None:
        bar = self.tabBar()
        # stacked, every tab shows its whole label: no scroll arrows, no corner widget
        bar.setUsesScrollButtons(not on)
        bar.setElideMode(Qt.TextElideMode.ElideNone)
        if on and self.cornerWidget() is self.corner:
            self.setCornerWidget(None, Qt.Corner.TopRightCorner)
            self.corner_slot.layout().insertWidget(0, self.corner)
            self.corner.show()
            self.corner_slot.show()
        elif not on and self.cornerWidget() is not self.corner:
            self.corner_slot.hide()
            self.setCornerWidget(self.corner, Qt.Corner.TopRightCorner)
            self.corner.show()


class StepHeader(QLabel):
    """The line above the panel: the sample, where it is in the epoch's order, the phase."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("stepHeader")
        self.setAccessibleDescription(
            "Single step: the sample, the phase and where it is in the epoch")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)

    def plain_text(self) -> str:
        """The header as plain text (it is shown as rich text)."""
        return html.unescape(re.sub(r"<[^>]+>", "", self.text()))

    def show_intro(self) -> None:
        self.setText(
            "<b>Single-step backpropagation.</b> Press <b>N</b> (or Right) for the next "
            "phase, <b>B</b> (or Left) to go back, <b>Shift+N</b> for a whole sample. "
            "Click a node or a table row to see its formula with the numbers.")

    def show_step(self, current: PhaseRecord | None, row: int, epoch: int, visit: int | None,
                  n: int, phases: int, next_row: int | None, hidden: bool,
                  theme: Theme) -> None:
        """``row`` of ``epoch`` (the current sample, or the next one before it starts) is the
        ``visit``-th of the epoch's ``n`` (None: a pick, out of order); ``next_row`` follows
        it once updated (None: not shown)."""
        badge = f"color:{theme.highlight}; font-weight:bold"
        name = notation.sample(row).capitalize()
        label = (f"<b>{name}</b> (picked, out of order)" if visit is None
                 else f"<b>{name}</b> ({visit} of {n} in this epoch's order)")
        if current is None:
            text = (f"{label}, {notation.epoch(epoch)} — <span style='{badge}'>ready</span>: "
                    f"N computes phase 1/{phases}, forward, layer 1")
        else:
            text = (f"{label}, {notation.epoch(current.epoch)} — phase "
                    f"{current.index + 1}/{phases}: "
                    f"<span style='{badge}'>{phase_title(current)}</span>")
            if next_row is not None:
                text += f" · done, next: {notation.sample(next_row)}"
        if hidden:
            text += (f" · <span style='color:{theme.negative}; font-weight:bold'>PREDICT</span>"
                     " — numbers hidden, N reveals")
        self.setText(text)


class FormulaPane(QWidget):
    """The formula of the phase (or of the selected node or edge) with its numbers."""

    def __init__(self) -> None:
        super().__init__()
        lv = QVBoxLayout(self)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.setSpacing(2)
        self.title = QLabel()
        self.title.setObjectName("stepFormulaTitle")
        lv.addWidget(self.title)
        self.box = FormulaBox()
        self.box.setObjectName("stepFormula")
        self.box.setAccessibleName("Formula")
        self.box.setMinimumWidth(280)
        lv.addWidget(self.box, 1)
        self._stacked = False

    def show_text(self, text: str, selection: Selection | None) -> None:
        self.title.setText("Formula" + (f" for {selection_name(selection)}" if selection else
                                        " (click a node or a row for one unit)"))
        self.box.set_formula(text)

    def set_fonts(self, mono: QFont, title: QFont) -> None:
        self.box.setFont(mono)
        self.title.setFont(title)
        self._fit_height()

    def set_stacked(self, on: bool) -> None:
        self._stacked = bool(on)
        self._fit_height()

    def _fit_height(self) -> None:
        # stacked, the formula keeps room for MIN_FORMULA_LINES lines; beside the tables it
        # takes the panel's height anyway
        lines = MIN_FORMULA_LINES if self._stacked else 0
        box = self.box
        fm = QFontMetricsF(box.font())
        margin = 2 * box.document().documentMargin() + 2 * box.frameWidth()
        box.setMinimumHeight(int(lines * fm.lineSpacing() + margin + 1) if lines else 0)


class LedgerPage(QWidget):
    """The ledger tab: every revealed number of the sample, and its export buttons."""

    def __init__(self, actions: dict[str, QAction]) -> None:
        super().__init__()
        lg = QVBoxLayout(self)
        lg.setContentsMargins(0, 0, 0, 0)
        self.table = LedgerTable()
        lg.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Export this sample's numbers:"))
        row.addWidget(action_button(actions["actionExportLedgerCsv"], "CSV..."))
        row.addWidget(action_button(actions["actionExportLedgerMarkdown"], "Markdown..."))
        row.addStretch(1)
        lg.addLayout(row)

    def export(self, kind: str, path: str | None, records: Sequence[PhaseRecord], net: Network,
               digits: int, phases: int) -> tuple[str | None, str]:
        """Write the ledger of ``records`` as "csv" or "md" ("md": with a heading naming the
        network) to ``path`` (None: ask for one). Returns the path written (None if cancelled
        or failed) and the message to show ("" if cancelled)."""
        row, epoch = records[0].sample, records[0].epoch
        if not path:
            label = "CSV" if kind == "csv" else "Markdown"
            filt = "CSV files (*.csv)" if kind == "csv" else "Markdown files (*.md)"
            path, _ = QFileDialog.getSaveFileName(
                self, f"Export ledger as {label}",
                f"ledger_sample{row + 1}_epoch{epoch + 1}.{kind}", f"{filt};;All files (*)")
            if not path:
                return None, ""
            if not os.path.splitext(path)[1]:
                path += f".{kind}"
        if kind == "csv":
            text = ledger_csv(records, bias_modes=net.bias_modes)
        else:
            text = (f"# Ledger: {notation.sample(row)}, epoch {epoch + 1}\n\n"
                    f"Network {'-'.join(map(str, net.sizes))}, {net.activation} hidden, "
                    f"{net.output} output, {net.loss_name} loss; "
                    f"{len(records)} of {phases} phases; numbers with {digits} decimals.\n\n"
                    + ledger_markdown(records, precision=digits, bias_modes=net.bias_modes))
        try:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        except OSError as exc:
            return None, f"Could not write the ledger to {path}: {exc.strerror or exc}"
        n = len(ledger_rows(records, bias_modes=net.bias_modes))
        return path, f"Ledger of {notation.sample(row)} ({n} numbers) written to {path}"


class CheckPage(QWidget):
    """The gradient-check tab: the verdict per layer and every parameter's two gradients."""

    def __init__(self) -> None:
        super().__init__()
        cv = QVBoxLayout(self)
        cv.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.summary = QLabel("Compares backprop with central finite differences "
                              "(E(w + eps) - E(w - eps)) / 2 eps for the current sample.")
        self.summary.setObjectName("stepGradCheckSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        top.addWidget(self.summary, 1)
        self.run = QPushButton("Run check")
        self.run.setObjectName("stepGradCheckButton")
        top.addWidget(self.run)
        cv.addLayout(top)
        self.table = CheckTable()
        cv.addWidget(self.table, 1)

    def show_check(self, gc: GradientCheck, row: int, bias_modes: Sequence[str], digits: int,
                   theme: Theme) -> None:
        good = gc.max_error < 1e-6
        colour = theme.highlight if good else theme.negative
        per_layer = ", ".join(f"layer {l}: {e:.2e}" for l, e in enumerate(gc.errors, start=1))  # noqa: E741
        verdict = "backprop agrees" if good else "backprop DISAGREES"
        self.summary.setText(
            f"{notation.sample(row).capitalize()}: relative error per layer (norm-based; "
            "&lt; 1e-6 is agreement): "
            f"{per_layer} — <b style='color:{colour}'>max {gc.max_error:.2e}, {verdict}</b>")
        self.table.show_rows(gradient_check_rows(gc, bias_modes), digits)
