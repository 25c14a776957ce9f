"""Hide for the classroom: the controls, docks and toolbars a lesson keeps from the students.

The choice belongs to the lesson: sessions save it (README, "Classroom"). Hidden items stay
hidden through rebuilds, which would otherwise show the boundary dock again for 2-D data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

#: Rows of the controls panel that a lesson can hide: (key, label, ControlsPanel attribute).
CONTROL_ROWS: tuple[tuple[str, str, str], ...] = (
    ("dataset", "Data set", "dataset"),
    ("noise", "Noise", "noise"),
    ("test_ratio", "Test ratio", "test_ratio"),
    ("features", "Features", "features"),
    ("hidden", "Hidden layers", "hidden"),
    ("bias", "Biases", "bias"),
    ("activation", "Activation", "activation"),
    ("output", "Output", "output"),
    ("loss", "Loss", "loss"),
    ("init", "Init", "init"),
    ("seed", "Seed", "seed"),
    ("lr", "Learning rate", "lr"),
    ("batch", "Batch", "batch_mode"),
    ("momentum", "Momentum", "momentum"),
    ("l2", "L2", "l2"),
    ("l1", "L1", "l1"),
    ("speed", "Speed", "speed"),
    ("auto_stop", "Stop when converged", "auto_stop"),
    ("stop_accuracy", "Stop at (accuracy)", "stop_accuracy"),
    ("stop_loss", "and loss (auto-stop)", "stop_loss"),
    ("edge_mode", "Edges show", "edge_mode"),
    ("colour_scale", "Colour scale", "colour_scale"),
    ("min_mag", "Hide small", "min_mag"),
    ("sample", "Sample", "sample"),
    ("show_test", "Show test data", "show_test"),
)


@dataclass(frozen=True)
class HideableItem:
    key: str  # "control:lr", "dock:loss", "toolbar:toolbarTraining"
    label: str
    group: str  # "Controls", "Panels", "Toolbars"



class HiddenItems(QObject):
    """Which items of one window are hidden, and hiding them."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._hidden: list[str] = []
        self._dock_was_visible: dict[str, bool] = {}
        self._dialog: HideDialog | None = None
        window.controller.networkRebuilt.connect(self.reapply)

    def _control_widget(self, attr: str) -> QWidget | None:
        widget = getattr(self.window.controls, attr, None)
        return widget if isinstance(widget, QWidget) else None

    def hideable_items(self) -> list[HideableItem]:
        """Everything the "Hide for the classroom" dialog lists, in display order."""
        items = [HideableItem(f"control:{key}", label, "Controls")
                 for key, label, attr in CONTROL_ROWS if self._form_row(attr) is not None]
        if self._button_widgets():
            items.append(HideableItem("control:buttons", "Play / Step / Reset buttons",
                                      "Controls"))
        for key, dock in self.window.docks.items():
            items.append(HideableItem(f"dock:{key}", dock.windowTitle() or key, "Panels"))
        for bar in self.window.findChildren(QToolBar):
            if bar.objectName():
                items.append(HideableItem(f"toolbar:{bar.objectName()}",
                                          f"Toolbar: {bar.windowTitle()}", "Toolbars"))
        return items

    def _form_row(self, attr: str) -> tuple[QFormLayout, int] | None:
        widget = self._control_widget(attr)
        if widget is None or widget.parentWidget() is None:
            return None
        form = widget.parentWidget().layout()
        if not isinstance(form, QFormLayout):
            return None
        row, _role = form.getWidgetPosition(widget)
        if row >= 0:
            return form, row
        for r in range(form.rowCount()):  # the field is a layout holding the widget (Batch)
            item = form.itemAt(r, QFormLayout.ItemRole.FieldRole)
            if item is not None and item.layout() is not None \
                    and item.layout().indexOf(widget) >= 0:
                return form, r
        return None

    def _button_widgets(self) -> list[QWidget]:
        layout = self.window.controls.buttons
        items = (layout.itemAt(i) for i in range(layout.count()))
        return [it.widget() for it in items if it is not None and it.widget() is not None]

    def hidden_items(self) -> list[str]:
        """Keys of the hidden items ("control:lr", "dock:loss", ...), for the session file."""
        return list(self._hidden)

    def set_hidden_items(self, keys: Iterable[str]) -> None:
        """Hide exactly these items (unknown keys are kept, so a session saved with a feature
        this build lacks keeps them, and applied once such an item exists)."""
        if isinstance(keys, str):
            raise ValueError("hidden items must be a list of names, not one string")
        new: list[str] = []
        for key in keys:
            if not isinstance(key, str) or ":" not in key:
                raise ValueError(f"a hidden item is a name like 'control:lr' or 'dock:loss', "
                                 f"got {key!r}")
            if key not in new:
                new.append(key)
        old = set(self._hidden)
        self._hidden = new
        for key in old - set(new):
            self._set_visible(key, True)
        self.reapply()

    def set_item_hidden(self, key: str, hidden: bool) -> None:
        keys = [k for k in self._hidden if k != key]
        if hidden:
            keys.append(key)
        self.set_hidden_items(keys)

    @Slot()
    def reapply(self) -> None:
        # Rebuilds re-show the boundary dock for 2-D data; hidden stays hidden.
        for key in self._hidden:
            self._set_visible(key, False)

    def _set_visible(self, key: str, visible: bool) -> None:
        kind, _, name = key.partition(":")
        w = self.window
        if kind == "control":
            if name == "buttons":
                for widget in self._button_widgets():
                    widget.setVisible(visible)
                return
            attr = next((a for k, _l, a in CONTROL_ROWS if k == name), None)
            found = self._form_row(attr) if attr else None
            if found is not None:
                form, row = found
                form.setRowVisible(row, visible)
                box = form.parentWidget()
                if isinstance(box, QGroupBox):  # a group with every row hidden goes too
                    box.setVisible(any(form.isRowVisible(r) for r in range(form.rowCount())))
        elif kind == "dock":
            dock = w.docks.get(name)
            if dock is None:
                return
            dock.toggleViewAction().setVisible(visible)
            if not visible:
                if name not in self._dock_was_visible:
                    self._dock_was_visible[name] = dock.isVisible() or not w.isVisible()
                dock.hide()
            else:
                was = self._dock_was_visible.pop(name, True)
                if name == "boundary" and not w.controller.dataset.is_2d:
                    was = False
                dock.setVisible(was)
        elif kind == "toolbar":
            bar = w.findChild(QToolBar, name)
            if bar is not None:
                bar.toggleViewAction().setVisible(visible)
                bar.setVisible(visible)

    def show_dialog(self) -> HideDialog:
        if self._dialog is None:
            self._dialog = HideDialog(self)
        self._dialog.refill()
        self._dialog.show()
        self._dialog.raise_()
        return self._dialog


class HideDialog(QDialog):
    """"Hide for the classroom": one checkbox per control row, dock and toolbar; applies at once."""

    def __init__(self, hiding: HiddenItems) -> None:
        super().__init__(hiding.window)
        self.setObjectName("hideForClassroomDialog")
        self.setWindowTitle("Hide for the classroom")
        self.setModal(False)
        self.hiding = hiding
        self.boxes: dict[str, QCheckBox] = {}
        intro = QLabel("Ticked items are hidden from the students. Sessions save this choice.")
        intro.setWordWrap(True)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        # Tab goes to the boxes themselves (the area scrolls to the focused one).
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.show_all = QPushButton("Show everything")
        self.show_all.setObjectName("showEverythingButton")
        self.show_all.clicked.connect(self._show_all)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.close)
        row = QHBoxLayout()
        row.addWidget(self.show_all)
        row.addStretch(1)
        row.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(row)

    def refill(self) -> None:
        self.boxes.clear()
        body = QWidget()
        outer = QVBoxLayout(body)
        hidden = set(self.hiding.hidden_items())
        groups: dict[str, QGridLayout] = {}
        for item in self.hiding.hideable_items():
            grid = groups.get(item.group)
            if grid is None:
                box = QGroupBox(item.group)
                grid = QGridLayout(box)
                groups[item.group] = grid
                outer.addWidget(box)
            box = QCheckBox(item.label)
            box.setObjectName(f"hide_{item.key.replace(':', '_')}")
            box.setChecked(item.key in hidden)
            box.toggled.connect(lambda on, k=item.key: self.hiding.set_item_hidden(k, on))
            n = grid.count()
            per_col = 9
            grid.addWidget(box, n % per_col, n // per_col)
            self.boxes[item.key] = box
        outer.addStretch(1)
        self.scroll.setWidget(body)  # deletes the previous body and its boxes
        # Boxes were made after the buttons: Tab reads them first, in the order shown.
        chain = [*self.boxes.values(), self.show_all,
                 self.buttons.button(QDialogButtonBox.StandardButton.Close)]
        for a, b in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(a, b)
        screen = self.hiding.window.screen().availableGeometry()
        hint = body.sizeHint()
        self.resize(min(hint.width() + 60, int(screen.width() * 0.9)),
                    min(hint.height() + 140, int(screen.height() * 0.9)))

    def _show_all(self) -> None:
        self.hiding.set_hidden_items([])
        for box in self.boxes.values():
            box.blockSignals(True)
            box.setChecked(False)
            box.blockSignals(False)
