"""The Weights dock: one Hinton diagram per weight layer.

A square per weight, its area proportional to |w| (relative to the layer's largest |w|), its
colour the sign (the theme's positive and negative colours, as on the network view's edges);
the biases are an extra row below a gap. Rows are the layer's inputs, columns its neurons, so
the diagram reads like ``weights[l]`` (n_in x n_out). Matrices wider or taller than MAX_CELLS
are shown in blocks (each square the mean of its block) with a note saying so. Hovering a
square emphasises its edge in the network view and the other way round; a click edits the
weight as a click on an edge does. README: "Weight matrices".
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QFontMetricsF, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QInputDialog, QSizePolicy, QToolTip, QWidget

from nnviz.gui.dock_placement import follow_restore_layout, show_tabbed
from nnviz.gui.palette import palette, qcolor
from nnviz.gui.theme import DARK, LIGHT, Theme, check_scale

#: Most squares per side of one diagram; larger matrices are averaged in blocks.
MAX_CELLS = 48
#: Repaints while training runs at most this often (the diagram is read, not watched frame by
#: frame, and painting thousands of squares costs the trainer GIL time).
LIVE_INTERVAL = 0.1
MARGIN = 8.0


def block_mean(m: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """``m`` averaged over blocks of rows x cols (the last blocks may be smaller)."""
    r, c = m.shape
    R, C = math.ceil(r / rows), math.ceil(c / cols)
    padded = np.full((R * rows, C * cols), np.nan)
    padded[:r, :c] = m
    with np.errstate(invalid="ignore"):
        return np.nanmean(padded.reshape(R, rows, C, cols), axis=(1, 3))


@dataclass(frozen=True)
class Diagram:
    """One layer as drawn: ``values`` (rows, cols) with the bias row last, ``block`` the rows
    and columns of the weight matrix each square stands for ((1, 1) = exact)."""

    layer: int
    values: np.ndarray
    block: tuple[int, int]
    n_in: int
    n_out: int

    @property
    def exact(self) -> bool:
        return self.block == (1, 1)

    @property
    def scale(self) -> float:
        v = np.abs(self.values)
        m = float(np.nanmax(v)) if np.isfinite(v).any() else 0.0
        return m if m > 0 else 1.0


def diagrams(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
             max_cells: int = MAX_CELLS) -> list[Diagram]:
    out = []
    for l, (w, b) in enumerate(zip(weights, biases, strict=True)):  # noqa: E741
        n_in, n_out = w.shape
        br, bc = math.ceil(n_in / max_cells), math.ceil(n_out / max_cells)
        if (br, bc) == (1, 1):
            values = np.vstack([w, b[None, :]]).astype(float)
        else:
            values = np.vstack([block_mean(w, br, bc), block_mean(b[None, :], 1, bc)])
        out.append(Diagram(l, values, (br, bc), n_in, n_out))
    return out


class WeightMatrixView(QWidget):
    """Hinton diagrams of every layer, side by side."""

    weightEdited = Signal(int, int, int, float)
    biasEdited = Signal(int, int, float)
    hoverChanged = Signal(object)  # ("edge", (l, i, j)), ("bias", (l, j)) or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("weightMatrixView")
        self.setAccessibleName("Weight matrices as Hinton diagrams")
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 120)
        self._scale = 1.0
        self._theme = LIGHT
        self._diagrams: list[Diagram] = []
        self._highlight: tuple[str, tuple[int, ...]] | None = None
        self._boxes: list[tuple[QRectF, float]] = []  # per diagram: top-left area, cell size

    # ---- data ---------------------------------------------------------------------------------
    def set_params(self, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> None:
        self._diagrams = diagrams(weights, biases)
        self._boxes = []
        self.update()

    def diagrams(self) -> list[Diagram]:
        return list(self._diagrams)

    @staticmethod
    def title(d: Diagram) -> str:
        return f"W{d.layer + 1}: {d.n_in}\u2192{d.n_out}"

    def set_highlight(self, item: tuple[str, tuple[int, ...]] | None) -> None:
        """Outline the square of an edge or bias (from the network view's hover)."""
        if item is not None and item[0] not in ("edge", "bias"):
            item = None
        if item != self._highlight:
            self._highlight = item
            self.update()

    # ---- style --------------------------------------------------------------------------------
    def set_style(self, theme: Theme, scale: float) -> None:
        """The theme's colours and the scale of text and margins
        (``nnviz.gui.palette.Styled``)."""
        scale = check_scale(scale)
        if scale != self._scale:
            self._boxes = []
        self._theme, self._scale = theme, scale
        self.update()

    def set_scale(self, factor: float) -> None:
        self._scale = check_scale(factor)
        self._boxes = []
        self.update()

    def set_palette_mode(self, dark: bool) -> None:
        self.set_style(DARK if dark else LIGHT, self._scale)

    def theme(self) -> Theme:
        return self._theme

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(360, 280)

    # ---- geometry -----------------------------------------------------------------------------
    def _text_height(self) -> float:
        return QFontMetricsF(self.font()).height()

    def _layout(self) -> list[tuple[QRectF, float]]:
        """Per diagram: the rectangle of its squares (bias row included) and the cell size."""
        if self._boxes or not self._diagrams:
            return self._boxes
        th = self._text_height()
        fm = QFontMetricsF(self.font())
        notes = 0 if all(d.exact for d in self._diagrams) else 2  # lines of the blocks note
        w, h = self.width() - 2 * MARGIN, self.height() - 2 * MARGIN - (3 + notes) * th
        # each diagram has a column for the bias row's "b" on its left and a gap on its right
        label = QFontMetricsF(self.font()).horizontalAdvance("b ")
        gap = max(12.0, 1.5 * th)
        total_cols = sum(d.values.shape[1] for d in self._diagrams)
        width_for_cells = max(10.0, w - (gap + label) * len(self._diagrams))
        rows = max(d.values.shape[0] + 0.5 for d in self._diagrams)
        titles = [fm.horizontalAdvance(self.title(d)) for d in self._diagrams]
        cell = max(2.0, min(width_for_cells / total_cols, h / rows, 40.0 * self._scale))
        # a narrow diagram keeps room for its title: the others share what is left
        extra = sum(max(0.0, t - d.values.shape[1] * cell)
                    for t, d in zip(titles, self._diagrams, strict=True))
        if extra:
            cell = max(2.0, min(cell, (width_for_cells - extra) / total_cols))
        x = MARGIN
        boxes = []
        for d, title in zip(self._diagrams, titles, strict=True):
            r, c = d.values.shape
            x += label
            boxes.append((QRectF(x, MARGIN + th * 1.2, c * cell, (r + 0.5) * cell), cell))
            x += max(c * cell, title) + gap
        self._boxes = boxes
        return boxes

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802 (Qt override)
        self._boxes = []
        super().resizeEvent(event)

    def square_rect(self, layer: int, row: int, col: int) -> QRectF:
        """The square drawn for ``values[row, col]`` of a layer's diagram (the bias row last)."""
        box, cell = self._layout()[layer]
        d = self._diagrams[layer]
        v = d.values[row, col]
        side = 0.0 if not np.isfinite(v) else cell * 0.92 * math.sqrt(abs(v) / d.scale)
        y = box.top() + row * cell + (0.5 * cell if row == d.values.shape[0] - 1 else 0.0)
        cx, cy = box.left() + (col + 0.5) * cell, y + 0.5 * cell
        return QRectF(cx - side / 2, cy - side / 2, side, side)

    def cell_at(self, pos: QPointF) -> tuple[int, int, int] | None:
        """(layer, row, col) of the cell under ``pos``, or None."""
        for layer, (box, cell) in enumerate(self._layout()):
            if not box.contains(pos):
                continue
            d = self._diagrams[layer]
            col = int((pos.x() - box.left()) // cell)
            y = pos.y() - box.top()
            last = d.values.shape[0] - 1
            if y >= last * cell + 0.5 * cell:
                row = last
            elif y < last * cell:
                row = int(y // cell)
            else:
                return None  # the gap above the bias row
            if 0 <= col < d.values.shape[1]:
                return layer, row, col
        return None

    def item_at(self, pos: QPointF) -> tuple[str, tuple[int, ...]] | None:
        """The edge or bias under ``pos`` (exact diagrams only: a block stands for many)."""
        cell = self.cell_at(pos)
        if cell is None:
            return None
        layer, row, col = cell
        d = self._diagrams[layer]
        if not d.exact:
            return None
        if row == d.values.shape[0] - 1:
            return ("bias", (layer, col))
        return ("edge", (layer, row, col))

    # ---- painting -----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        pal = palette(self._theme)
        p.fillRect(self.rect(), qcolor(pal.base))
        if not self._diagrams:
            p.end()
            return
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        text = qcolor(pal.text)
        muted = qcolor(pal.muted)
        th = self._text_height()
        pos_brush, neg_brush = qcolor(pal.positive), qcolor(pal.negative)
        notes = []
        for d, (box, cell) in zip(self._diagrams, self._layout(), strict=True):
            r, c = d.values.shape
            p.setPen(QPen(muted, 1.0))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(QRectF(box.left(), box.top(), c * cell, (r - 1) * cell))
            p.drawRect(QRectF(box.left(), box.top() + (r - 0.5) * cell, c * cell, cell))
            p.setPen(Qt.PenStyle.NoPen)
            positives, negatives = [], []
            for row in range(r):
                for col in range(c):
                    v = d.values[row, col]
                    if not np.isfinite(v) or v == 0:
                        continue
                    (positives if v > 0 else negatives).append(self.square_rect(d.layer, row, col))
            p.setBrush(pos_brush)
            p.drawRects(positives)
            p.setBrush(neg_brush)
            p.drawRects(negatives)
            p.setPen(text)
            p.drawText(QRectF(box.left(), box.top() - th * 1.2, max(box.width(), 10 * th), th),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, self.title(d))
            p.drawText(QRectF(0, box.top() + (r - 0.5) * cell, box.left() - 2, cell),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, "b")
            p.setPen(muted)
            # the caption may run into the gap, never into the next diagram
            room = box.width() + max(12.0, 1.5 * th)
            caption = p.fontMetrics().elidedText(f"max |w| {d.scale:.3g}",
                                                 Qt.TextElideMode.ElideRight, int(room))
            p.drawText(QRectF(box.left(), box.bottom() + 2, room, th),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, caption)
            if not d.exact:
                notes.append(f"W{d.layer + 1} {d.n_in}\u00d7{d.n_out} in "
                             f"{d.block[0]}\u00d7{d.block[1]} blocks")
        if self._highlight is not None:
            kind, key = self._highlight
            layer = key[0]
            if layer < len(self._diagrams) and self._diagrams[layer].exact:
                d = self._diagrams[layer]
                row, col = (key[1], key[2]) if kind == "edge" else (d.values.shape[0] - 1, key[1])
                if row < d.values.shape[0] and col < d.values.shape[1]:
                    box, cell = self._layout()[layer]
                    centre = self.square_rect(layer, row, col).center()
                    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                    p.setPen(QPen(qcolor(pal.highlight), 2.5 * self._scale))
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    p.drawRect(QRectF(centre.x() - cell / 2, centre.y() - cell / 2, cell, cell))
        if notes:
            p.setPen(text)
            p.drawText(QRectF(MARGIN, self.height() - MARGIN - 2 * th,
                              self.width() - 2 * MARGIN, 2 * th),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom
                       | Qt.TextFlag.TextWordWrap,
                       "Downsampled, each square the mean of a block: " + "; ".join(notes))
        p.end()

    # ---- interaction --------------------------------------------------------------------------
    def mouseMoveEvent(self, e: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        pos = e.position()
        item = self.item_at(pos)
        if item != self._highlight:
            self._highlight = item
            self.update()
            self.hoverChanged.emit(item)
        tip = self.tooltip_text_at(pos)
        if tip:
            QToolTip.showText(e.globalPosition().toPoint(), tip, self)
        else:
            QToolTip.hideText()
        super().mouseMoveEvent(e)

    def leaveEvent(self, e) -> None:  # noqa: ANN001, N802 (Qt override)
        if self._highlight is not None:
            self._highlight = None
            self.update()
            self.hoverChanged.emit(None)
        super().leaveEvent(e)

    def tooltip_text_at(self, pos: QPointF) -> str | None:
        cell = self.cell_at(pos)
        if cell is None:
            return None
        layer, row, col = cell
        d = self._diagrams[layer]
        v = d.values[row, col]
        bias = row == d.values.shape[0] - 1
        if d.exact:
            name = f"b[{layer + 1}][{col + 1}]" if bias else \
                f"w[{layer + 1}][{row + 1},{col + 1}]"
            return f"{name} = {v:.4g} (click to edit)"
        br, bc = d.block
        what = "biases" if bias else f"rows {row * br + 1}-{min((row + 1) * br, d.n_in)},"
        return f"mean of {what} columns {col * bc + 1}-{min((col + 1) * bc, d.n_out)}: {v:.4g}"

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if e.button() == Qt.MouseButton.LeftButton:
            self.click_at(e.position())
        super().mouseReleaseEvent(e)

    def click_at(self, pos: QPointF) -> None:
        """Edit the weight or bias under ``pos`` (exact diagrams only)."""
        item = self.item_at(QPointF(pos))
        if item is None:
            return
        kind, key = item
        d = self._diagrams[key[0]]
        if kind == "edge":
            layer, i, j = key
            value = self.ask_value("Edit weight", f"w[{layer + 1}][{i + 1},{j + 1}]",
                                   float(d.values[i, j]))
            if value is not None:
                self.weightEdited.emit(layer, i, j, value)
        else:
            layer, j = key
            value = self.ask_value("Edit bias", f"b[{layer + 1}][{j + 1}]",
                                   float(d.values[-1, j]))
            if value is not None:
                self.biasEdited.emit(layer, j, value)

    def ask_value(self, title: str, name: str, current: float) -> float | None:
        value, ok = QInputDialog.getDouble(self, title, f"{name} (now {current:.6g}):", current,
                                           -1e9, 1e9, 6)
        return float(value) if ok else None


class WeightsPanel:
    """Connects a WeightMatrixView to the window: live parameters, hover both ways, edits."""

    def __init__(self, window, view: WeightMatrixView) -> None:  # noqa: ANN001 (MainWindow)
        self.window = window
        self.view = view
        self._last = 0.0
        c = window.controller
        c.paramsChanged.connect(self.refresh)
        c.networkRebuilt.connect(self.refresh_now)
        view.weightEdited.connect(c.edit_weight)
        view.biasEdited.connect(c.edit_bias)
        nv = window.network_view
        view.hoverChanged.connect(nv.set_hovered)
        nv.hoverChanged.connect(view.set_highlight)
        self.refresh_now()

    @Slot()
    def refresh(self) -> None:
        if not self.view.isVisible():
            return
        now = time.perf_counter()
        if self.window.controller.playing and now - self._last < LIVE_INTERVAL:
            return
        self.refresh_now()

    @Slot()
    def refresh_now(self) -> None:
        self._last = time.perf_counter()
        net = self.window.controller.display_net
        self.view.set_params(net.weights, net.biases)

    # ---- the Feature contract (nnviz.gui.features) ------------------------------------------
    def view_state(self) -> dict:
        dock = self.window.docks.get("weights")
        return {"weights": {"shown": bool(dock is not None and not dock.isHidden())}}

    def restore(self, state: Mapping[str, Any]) -> None:
        options = state.get("weights")
        dock = self.window.docks.get("weights")
        if isinstance(options, dict) and isinstance(options.get("shown"), bool) and dock:
            if options["shown"]:
                show_tabbed(self.window, "weights")
            else:
                dock.hide()


def install(window) -> WeightsPanel:  # noqa: ANN001 (MainWindow; imported lazily by it)
    """The Weights dock (hidden until asked for), its action and View/Export menu entries."""
    view = WeightMatrixView()
    panel = WeightsPanel(window, view)
    dock = window.add_dock("weights", "Weights", view, Qt.DockWidgetArea.RightDockWidgetArea)
    dock.hide()
    follow_restore_layout(window, "weights")
    dock.visibilityChanged.connect(lambda shown: shown and panel.refresh_now())
    action = window.add_action("actionWeightMatrix", "Weight matrices", "Ctrl+Shift+W",
                               functools.partial(show_dock, window),
                               tip="Every weight as a square: area |w|, colour its sign")
    view_menu = window.menus.get("view")
    if view_menu is not None:
        view_menu.addAction(action)
    export = window.menus.get("export")
    if export is not None:
        for ext in ("png", "svg"):
            a = window.add_action(f"actionExportWeights{ext.capitalize()}",
                                  f"Weight matrices as {ext.upper()}\u2026", None,
                                  functools.partial(_export, window, view, ext),
                                  tip=f"Save the Hinton diagrams as {ext.upper()}")
            export.addAction(a)
    return panel


def show_dock(window, *_args: object) -> None:  # noqa: ANN001
    show_tabbed(window, "weights")


def _export(window, view: WeightMatrixView, ext: str, *_args: object) -> str | None:  # noqa: ANN001
    from nnviz.gui.export import export_widget_png, export_widget_svg

    exporter = window.features.get("export")
    path = exporter._ask_path("weights", ext) if exporter is not None else None
    if not path:
        return None
    try:
        if ext == "png":
            export_widget_png(view, path, exporter.png_scale)
        else:
            export_widget_svg(view, path, title="nnviz weights")
    except (OSError, ValueError) as exc:
        window.show_message(f"Export failed: {exc}")
        return None
    window.show_message(f"Saved {path}")
    return path
