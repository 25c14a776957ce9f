"""Drawn data: edit the training points of a 2-D data set in the decision-boundary view.

With View > Edit points (actionEditPoints) on, a left click in the boundary view adds a training
point of the chosen class and a right click removes the nearest one. The data set becomes
"custom": it is installed like your own CSV data (so sessions embed it and File > Export can
write it as CSV), and the network keeps its weights, so live training adapts to the new points.
Every edit can be undone. README: "Drawn data".
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import replace

import numpy as np
from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QComboBox, QLabel, QToolBar

from nnviz.core import datasets
from nnviz.gui.features import NoViewState

CUSTOM_NAME = "custom"
MAX_UNDO = 100
MIN_POINTS = 2


def class_of(Y: np.ndarray) -> np.ndarray:
    """Class index per row: one column -> Y > 0.5, several -> argmax."""
    return (Y[:, 0] > 0.5).astype(int) if Y.shape[1] == 1 else Y.argmax(axis=1)


def target_row(k: int, n_outputs: int) -> np.ndarray:
    if n_outputs == 1:
        return np.array([float(k)])
    row = np.zeros(n_outputs)
    row[k] = 1.0
    return row


def with_point(data: datasets.Dataset, x: float, y: float, k: int) -> datasets.Dataset:
    X = np.vstack([data.X_train, [[x, y]]])
    Y = np.vstack([data.Y_train, target_row(k, data.n_outputs)])
    return _custom(data, X, Y)


def without_point(data: datasets.Dataset, index: int) -> datasets.Dataset:
    keep = np.arange(len(data.X_train)) != index
    return _custom(data, data.X_train[keep], data.Y_train[keep])


def nearest(data: datasets.Dataset, x: float, y: float, span: tuple[float, float]) -> int:
    """Index of the training point nearest (x, y), distances measured in fractions of the
    plot's width and height (as the eye sees them)."""
    d = (data.X_train - [x, y]) / np.maximum(np.asarray(span, float), 1e-12)
    return int(np.argmin(np.einsum("ij,ij->i", d, d)))


def _custom(data: datasets.Dataset, X: np.ndarray, Y: np.ndarray) -> datasets.Dataset:
    return replace(data, name=CUSTOM_NAME, X_train=np.ascontiguousarray(X, float),
                   Y_train=np.ascontiguousarray(Y, float),
                   description="points drawn in the decision-boundary view")


def csv_text(data: datasets.Dataset) -> str:
    """The training points as CSV: the features, then the class by name (nnviz reads it back
    with File > Open CSV)."""
    names = list(data.feature_names) or ["x1", "x2"]
    classes = list(data.class_names) or ["0", "1"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*names, "class"])
    for row, k in zip(data.X_train, class_of(data.Y_train), strict=True):
        writer.writerow([repr(float(v)) for v in row] + [classes[int(k)]])
    return out.getvalue()


class PointEditor(NoViewState):
    """The edit mode, its toolbar (class to add, undo) and the edits themselves."""

    def __init__(self, window) -> None:  # noqa: ANN001 (MainWindow)
        self.window = window
        self.undo_stack: list[tuple[str, datasets.Dataset]] = []  # (data set setting, data)
        self._busy = False
        w = window
        self.action = w.add_action("actionEditPoints", "Edit points", "Ctrl+Shift+E",
                                   self._on_toggled, checkable=True,
                                   tip="Left click adds a point of the chosen class, right "
                                       "click removes the nearest (decision-boundary view)")
        self.undo_action = w.add_action("actionUndoPoints", "Undo point edit", "Ctrl+Z",
                                        self.undo, tip="Take back the last added or removed point")
        self.export_action = w.add_action("actionExportPointsCsv", "Training points as CSV\u2026",
                                          None, self.export_dialog,
                                          tip="Save the training points as CSV")
        self.class_box = QComboBox()
        self.class_box.setObjectName("pointClass")
        self.class_box.setAccessibleName("Class of added points")
        self.class_box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        label = QLabel("Add class:")
        label.setBuddy(self.class_box)
        self.toolbar = QToolBar("Points", w)
        self.toolbar.setObjectName("toolbarPoints")
        self.toolbar.addAction(self.action)
        self.toolbar.addWidget(label)
        self.toolbar.addWidget(self.class_box)
        self.toolbar.addAction(self.undo_action)
        for action in (self.action, self.undo_action):
            button = self.toolbar.widgetForAction(action)
            if button is not None:
                button.setAccessibleName(action.text())
        w.addToolBar(self.toolbar)
        self.toolbar.hide()
        view = w.menus.get("view")
        if view is not None:
            view.addAction(self.action)
            view.addAction(self.undo_action)
        export = w.menus.get("export")
        if export is not None:
            export.addAction(self.export_action)
        w.controller.networkRebuilt.connect(self._on_rebuilt)
        bview = w.boundary_view
        if bview is not None:
            bview.plot_widget.scene().sigMouseClicked.connect(self._on_click)
        self._on_rebuilt()

    @property
    def editing(self) -> bool:
        return self.action.isChecked()

    def set_editing(self, on: bool) -> None:
        self.action.setChecked(on)
        self._on_toggled()

    @Slot()
    def _on_toggled(self) -> None:
        c = self.window.controller
        if self.editing and not (c.dataset.is_2d and c.dataset.is_classification):
            self.action.setChecked(False)
            self.window.show_message("Points can be drawn for 2-D classification data only")
        self.toolbar.setVisible(self.editing)
        if self.editing:
            self.window.show_message("Edit points: left click adds a point of the chosen class, "
                                     "right click removes the nearest")

    @Slot()
    def _on_rebuilt(self) -> None:
        data = self.window.controller.dataset
        if not self._busy and data.name != CUSTOM_NAME:
            self.undo_stack = []  # other data chosen: the edits belonged to the old points
        names = list(data.class_names) or ["0", "1"]
        if [self.class_box.itemText(i) for i in range(self.class_box.count())] != names:
            self.class_box.clear()
            self.class_box.addItems(names)
        self.undo_action.setEnabled(bool(self.undo_stack))

    # ---- edits ----------------------------------------------------------------------------
    def _on_click(self, event) -> None:  # noqa: ANN001 (pyqtgraph MouseClickEvent)
        if not self.editing:
            return
        bview = self.window.boundary_view
        vb = bview.plot_item.getViewBox()
        if not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        p = vb.mapSceneToView(event.scenePos())
        if event.button() == Qt.MouseButton.LeftButton:
            self.add_point(p.x(), p.y())
        elif event.button() == Qt.MouseButton.RightButton:
            self.remove_nearest(p.x(), p.y())
        event.accept()

    def add_point(self, x: float, y: float, k: int | None = None) -> str | None:
        data = self.window.controller.dataset
        k = self.class_box.currentIndex() if k is None else k
        return self._install(with_point(data, x, y, max(0, k)))

    def remove_nearest(self, x: float, y: float) -> str | None:
        data = self.window.controller.dataset
        if len(data.X_train) <= MIN_POINTS:
            return self._say(f"Keep at least {MIN_POINTS} training points")
        bview = self.window.boundary_view
        span = (bview.xlim[1] - bview.xlim[0], bview.ylim[1] - bview.ylim[0])
        return self._install(without_point(data, nearest(data, x, y, span)))

    @Slot()
    def undo(self) -> str | None:
        if not self.undo_stack:
            return self._say("No point edit to undo")
        setting, data = self.undo_stack.pop()
        return self._install(data, record=False, setting=setting)

    def _install(self, data: datasets.Dataset, record: bool = True,
                 setting: str = "csv") -> str | None:
        """Install ``data`` as the window's data, keeping the network's weights. ``setting``:
        the data set setting it goes with ("csv" for drawn or loaded data; undoing the first
        edit of a built-in set brings that set back by name)."""
        c = self.window.controller
        before = (c.settings.dataset, c.dataset)
        with c.worker.lock:
            params = c.net.params.copy()
        self._busy = True
        try:
            error = c.load_csv_dataset(data) if setting == "csv" else \
                c.apply_settings(dataset=setting)
        finally:
            self._busy = False
        if error:
            return self._say(f"Not changed: {error}")
        with c.worker.lock:
            if c.net.params.shape == params.shape:
                np.copyto(c.net.params, params)
        c.refresh_from_network()
        if record:
            self.undo_stack = [*self.undo_stack[-(MAX_UNDO - 1):], before]
        self.undo_action.setEnabled(bool(self.undo_stack))
        return None

    def _say(self, text: str) -> str:
        self.window.show_message(text)
        return text

    # ---- export -----------------------------------------------------------------------------
    def export_csv(self, path: str | os.PathLike[str]) -> int:
        from nnviz.gui.export import _write_bytes

        data = self.window.controller.dataset
        _write_bytes(path, csv_text(data).encode("utf-8"))
        return len(data.X_train)

    @Slot()
    def export_dialog(self) -> str | None:
        w = self.window
        exporter = w.features.get("export")
        path = exporter._ask_path("points", "csv") if exporter is not None else None
        if not path:
            return None
        try:
            rows = self.export_csv(path)
        except OSError as exc:
            return self._say(f"Export failed: {exc}")
        w.show_message(f"Saved {path} ({rows} points)")
        return path


def install(window) -> PointEditor:  # noqa: ANN001 (MainWindow; imported lazily by it)
    return PointEditor(window)
