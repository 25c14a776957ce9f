"""The Landscape dock: the loss over a plane through weight space with the path the run took,
and the loss along the straight line from the initial to the current weights.

The numbers come from ``nnviz.core.landscape`` (the forward and loss functions that train). They
are computed on the dock's own worker thread, never on the GUI thread: every few seconds while
training runs (when "Live" is on and the dock is visible), after a pause, and on "Recompute".
The path is the sequence of parameter vectors the training snapshots carried since the network
was built. README: "Loss landscape".
"""

from __future__ import annotations

import functools
import os
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QRectF, QSize, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.landscape import (
    Landscape,
    LandscapeCancelled,
    affordable_grid,
    compute_landscape,
)
from nnviz.core.network import Network
from nnviz.gui.dock_placement import follow_restore_layout, show_tabbed
from nnviz.gui.palette import hex_name, palette
from nnviz.gui.theme import DARK, LIGHT, Theme, check_scale

#: Seconds between live recomputations while training runs (at least; a computation that took
#: long waits LIVE_FACTOR times its duration, so it never takes more than a fraction of the CPU).
LIVE_INTERVAL = 3.0
LIVE_FACTOR = 4.0
#: Multiply-adds a live plane may cost (about a second on one core); larger networks and data
#: get a coarser grid (at least 11x11), and the status line says which.
GRID_BUDGET = 5e8
#: Parameter vectors kept for the path; when full, every other one is dropped (the first and
#: the newest always stay), so a long run keeps an evenly thinned path.
MAX_PATH = 400
GRID = 51
CONTOUR_LEVELS = 10
DIRECTION_CHOICES = (("pca", "PCA of the path"), ("random", "Random (filter-normalised)"))
COLORMAP = "viridis"


@dataclass(frozen=True)
class Request:
    """Everything one computation needs, copied on the GUI thread."""

    generation: int
    net: Network
    X: np.ndarray
    Y: np.ndarray
    path: np.ndarray
    directions: str
    grid: int
    seed: int


@dataclass(frozen=True)
class Result:
    generation: int
    landscape: Landscape | None
    error: str | None = None


class LandscapeWorker(QObject):
    """Computes one landscape per start of the dock's thread, which then ends: no thread is
    left running between computations (or when the application exits). Talks to the GUI only
    through ``done``."""

    done = Signal(object)  # Result

    def __init__(self) -> None:
        super().__init__()
        self.job: Request | None = None  # set on the GUI thread while the thread is stopped
        self.cancel = threading.Event()

    @Slot()
    def run(self) -> None:
        req, self.job = self.job, None
        try:
            if req is not None:
                land = compute_landscape(req.net, req.X, req.Y, req.path,
                                         directions=req.directions, grid=req.grid, seed=req.seed,
                                         cancelled=self.cancel.is_set)
                self.done.emit(Result(req.generation, land))
        except LandscapeCancelled:
            pass
        except Exception as exc:  # noqa: BLE001 (a thread must report, never die silently)
            self.done.emit(Result(req.generation, None, f"{type(exc).__name__}: {exc}"))
        finally:
            QThread.currentThread().quit()  # exec() then returns at once: the thread ends


class PathRecorder:
    """The parameter vectors of the run so far, thinned evenly once MAX_PATH are kept."""

    def __init__(self) -> None:
        self._points: list[np.ndarray] = []
        self._epochs: list[int] = []

    def reset(self, params: np.ndarray, epoch: int = 0) -> None:
        self._points = [np.array(params, dtype=float)]
        self._epochs = [epoch]

    def add(self, params: np.ndarray, epoch: int) -> None:
        if self._epochs and epoch == self._epochs[-1]:
            self._points[-1] = np.array(params, dtype=float)  # an edit or a final snapshot
            return
        self._points.append(np.array(params, dtype=float))
        self._epochs.append(epoch)
        if len(self._points) > MAX_PATH:
            keep = list(range(0, len(self._points) - 1, 2)) + [len(self._points) - 1]
            self._points = [self._points[i] for i in keep]
            self._epochs = [self._epochs[i] for i in keep]

    def array(self) -> np.ndarray:
        return np.array(self._points)

    def __len__(self) -> int:
        return len(self._points)


class LandscapePlot(QWidget):
    """The picture: heat map with contours and the path, and the 1-D line; no computation."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scale = 1.0
        self._theme = LIGHT
        self.log_scale = True
        self.landscape: Landscape | None = None
        self.title = QLabel()
        self.title.setObjectName("landscapeTitle")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.plane_widget = pg.PlotWidget()
        self.plane_widget.setObjectName("landscapePlane")
        self.plane_widget.setAccessibleName("Loss landscape plane")
        self.plane = self.plane_widget.getPlotItem()
        self.plane.setMenuEnabled(False)
        self.image = pg.ImageItem()
        self.image.setColorMap(pg.colormap.get(COLORMAP))
        self.plane.addItem(self.image)
        self.contours: list[pg.IsocurveItem] = []
        self.path_item = pg.PlotDataItem()
        self.start_item = pg.ScatterPlotItem()
        self.current_item = pg.ScatterPlotItem()
        for item in (self.path_item, self.start_item, self.current_item):
            self.plane.addItem(item)

        self.line_widget = pg.PlotWidget()
        self.line_widget.setObjectName("landscapeLine")
        self.line_widget.setAccessibleName("Loss along the line from initial to current weights")
        self.line = self.line_widget.getPlotItem()
        self.line.setMenuEnabled(False)
        self.line_curve = pg.PlotDataItem()
        self.line_marks = pg.ScatterPlotItem()
        self.line.addItem(self.line_curve)
        self.line.addItem(self.line_marks)
        for w in (self.plane_widget, self.line_widget):
            w.setMinimumSize(120, 100)
            w.setFocusPolicy(Qt.FocusPolicy.TabFocus)

        self.plots = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.plots.addWidget(self.plane_widget, 3)
        self.plots.addWidget(self.line_widget, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(self.plots, 1)
        self._apply_style()

    # ---- style ------------------------------------------------------------------------------
    def set_style(self, theme: Theme, scale: float) -> None:
        """The theme's colours and the scale of lines and markers
        (``nnviz.gui.palette.Styled``)."""
        self._scale = check_scale(scale)
        self._theme = theme
        self._apply_style()

    def set_scale(self, factor: float) -> None:
        self.set_style(self._theme, factor)

    def set_palette_mode(self, dark: bool) -> None:
        self.set_style(DARK if dark else LIGHT, self._scale)

    def theme(self) -> Theme:
        return self._theme

    def _colours(self) -> dict[str, str]:
        """The palette's colours this plot uses, as '#rrggbb'."""
        pal = palette(self._theme)
        return {name: hex_name(getattr(pal, name))
                for name in ("base", "text", "highlight", "positive", "negative")}

    def _apply_style(self) -> None:
        t = self._colours()
        s = self._scale
        font = QFont(QApplication.font())
        for widget, (xlabel, ylabel) in (
            # short: the dock is often narrow; the title says what the axes are
            (self.plane_widget, ("α", "β")),
            (self.line_widget, ("t (0 start, 1 now)", "loss")),
        ):
            widget.setBackground(t["base"])
            item = widget.getPlotItem()
            for name, label in (("bottom", xlabel), ("left", ylabel)):
                axis = item.getAxis(name)
                axis.setPen(pg.mkPen(t["text"], width=max(1.0, s)))
                axis.setTextPen(pg.mkPen(t["text"]))
                axis.setStyle(tickFont=font, tickTextOffset=int(3 * s))
                axis.setLabel(label, color=t["text"],
                              **{"font-size": f"{font.pointSizeF():.1f}pt"})
                # never "x1000 (m)" on unitless axes: this pyqtgraph scales ranges within
                # (0, 1) even with the automatic prefix off, unless no range allows it
                axis.setSIPrefixEnableRanges(())
                axis.enableAutoSIPrefix(False)
        self.title.setStyleSheet(f"color: {t['text']};")
        self.path_item.setPen(pg.mkPen(t["highlight"], width=2.0 * s))
        self.line_curve.setPen(pg.mkPen(t["positive"], width=2.0 * s))
        self._draw_markers()
        self._draw_contours()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(380, 520)

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802 (Qt override)
        wide = event.size().width() > 1.3 * event.size().height()
        self.plots.setDirection(QBoxLayout.Direction.LeftToRight if wide
                                else QBoxLayout.Direction.TopToBottom)
        super().resizeEvent(event)

    # ---- content ----------------------------------------------------------------------------
    def set_log_scale(self, on: bool) -> None:
        self.log_scale = bool(on)
        if self.landscape is not None:
            self.show_landscape(self.landscape)

    def shown_values(self) -> np.ndarray:
        """The grid as coloured: log10 of the loss with the log option (floored at 1e-12)."""
        grid = self.landscape.grid
        return np.log10(np.maximum(grid, 1e-12)) if self.log_scale else grid

    def show_landscape(self, land: Landscape, note: str = "") -> None:
        self.landscape = land
        data = self.shown_values()
        finite = data[np.isfinite(data)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if hi <= lo:
            hi = lo + 1e-9
        # ImageItem's first axis is x: the grid's rows are beta, so it goes in transposed.
        self.image.setImage(np.nan_to_num(data.T, nan=hi, posinf=hi, neginf=lo),
                            levels=(lo, hi), autoLevels=False)
        a, b = land.alphas, land.betas
        self.image.setRect(QRectF(a[0], b[0], a[-1] - a[0], b[-1] - b[0]))
        self.plane.setRange(xRange=(a[0], a[-1]), yRange=(b[0], b[-1]), padding=0)
        self.line_curve.setData(land.line_t, land.line_loss)
        self.line.setLogMode(y=self.log_scale and bool((land.line_loss > 0).all()))
        self._draw_markers()
        self._draw_contours(lo, hi)
        t = self._colours()
        # a key in words and the markers' colours: a legend inside the plot would hide the path
        key = (f'<span style="color:{t["positive"]}">\u25cf</span> start, '
               f'<span style="color:{t["highlight"]}">\u2501</span> path, '
               f'<span style="color:{t["negative"]}">\u2605</span> now. ')
        scale = "log10 loss" if self.log_scale else "loss"
        text = f"{key}Colour: {scale}; loss now {land.current_loss:.4g}; line: loss from the " \
               "initial (t = 0) to the current weights (t = 1)"
        if land.explained_variance is not None:
            ev = land.explained_variance
            text += (f"; α, β: the path's principal directions, holding {100 * ev[0]:.1f}% + "
                     f"{100 * ev[1]:.1f}% of its variance")
        else:
            text += "; α, β: random directions, 1 = the weights' own scale"
        self.title.setText(text + (f". {note}" if note else ""))

    def _draw_markers(self) -> None:
        land = self.landscape
        t = self._colours()
        s = self._scale
        if land is None or not len(land.trajectory):
            self.path_item.setData([], [])
            self.start_item.setData([], [])
            self.current_item.setData([], [])
            self.line_marks.setData([], [])
            return
        tr = land.trajectory
        self.path_item.setData(tr[:, 0], tr[:, 1])
        self.start_item.setData([tr[0, 0]], [tr[0, 1]], symbol="o", size=11 * s,
                                brush=pg.mkBrush(t["positive"]), pen=pg.mkPen(t["text"], width=s))
        self.current_item.setData([0.0], [0.0], symbol="star", size=16 * s,
                                  brush=pg.mkBrush(t["negative"]),
                                  pen=pg.mkPen(t["text"], width=s))
        ys = np.interp([0.0, 1.0], land.line_t, land.line_loss)
        if self.log_scale and (ys > 0).all() and (land.line_loss > 0).all():
            ys = np.log10(ys)
        self.line_marks.setData([0.0, 1.0], ys, symbol="o", size=10 * s,
                                brush=[pg.mkBrush(t["positive"]), pg.mkBrush(t["negative"])],
                                pen=pg.mkPen(t["text"], width=s))

    def _draw_contours(self, lo: float | None = None, hi: float | None = None) -> None:
        for c in self.contours:
            c.setParentItem(None)
            if c.scene() is not None:
                c.scene().removeItem(c)
        self.contours = []
        land = self.landscape
        if land is None:
            return
        if lo is None or hi is None:
            lo, hi = self.image.getLevels()
        data = np.nan_to_num(self.shown_values().T, nan=hi, posinf=hi, neginf=lo)
        pen = pg.mkPen(self._colours()["text"], width=max(0.8, 0.8 * self._scale))
        for level in np.linspace(lo, hi, CONTOUR_LEVELS + 2)[1:-1]:
            curve = pg.IsocurveItem(data=data, level=float(level), pen=pen)
            curve.setParentItem(self.image)  # in the image's pixel coordinates, like the map
            self.contours.append(curve)


class LandscapePanel(QWidget):
    """The dock's widget: controls above the picture, the worker thread and the path."""

    computed = Signal(object)  # Landscape, after it is shown

    def __init__(self, window: QWidget | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("landscapePanel")
        self.window_ = window
        self.controller = None if window is None else window.controller
        self.path = PathRecorder()
        self.generation = 0
        self.busy = False
        self._pending: Request | None = None
        self._finished_at = 0.0  # when the last computation ended (perf_counter)
        self._last_seconds = 0.0  # and how long it took
        self.last_error: str | None = None

        self.plot = LandscapePlot()
        self.directions = QComboBox()
        self.directions.setObjectName("landscapeDirections")
        self.directions.setAccessibleName("Landscape directions")
        for key, text in DIRECTION_CHOICES:
            self.directions.addItem(text, key)
        self.log_box = QCheckBox("Log colour")
        self.log_box.setObjectName("landscapeLog")
        self.log_box.setAccessibleName("Logarithmic loss colours")
        self.log_box.setChecked(True)
        self.live_box = QCheckBox("Live")
        self.live_box.setObjectName("landscapeLive")
        self.live_box.setAccessibleName("Recompute the landscape every few seconds")
        self.live_box.setToolTip(f"Recompute every {LIVE_INTERVAL:g} s while training runs")
        self.live_box.setChecked(True)
        self.recompute_button = QPushButton("Recompute")
        self.recompute_button.setObjectName("landscapeRecompute")
        self.recompute_button.setAccessibleName("Recompute the landscape")
        self.status = QLabel("")
        self.status.setObjectName("landscapeStatus")
        self.status.setWordWrap(True)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        for w in (self.directions, self.log_box, self.live_box, self.recompute_button):
            w.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        row = QHBoxLayout()
        row.addWidget(self.directions, 1)
        row.addWidget(self.log_box)
        row.addWidget(self.live_box)
        row.addWidget(self.recompute_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.status)

        self.thread = QThread()
        self.thread.setObjectName("nnviz-landscape")
        self.worker = LandscapeWorker()
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.done.connect(self._on_done)
        self.thread.finished.connect(self._on_thread_finished)

        self.timer = QTimer(self)
        self.timer.setInterval(int(LIVE_INTERVAL * 1000))
        self.timer.timeout.connect(self._on_timer)
        self.timer.start()
        self.directions.currentIndexChanged.connect(lambda _i: self.recompute())
        self.log_box.toggled.connect(self.plot.set_log_scale)
        self.recompute_button.clicked.connect(lambda: self.recompute())
        c = self.controller
        if c is not None:
            c.networkRebuilt.connect(self._on_rebuilt)
            c.metricsChanged.connect(self._on_metrics)
            c.playingChanged.connect(self._on_playing)
            self._on_rebuilt()
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # ---- what the window tells us -----------------------------------------------------------
    @Slot()
    def _on_rebuilt(self) -> None:
        c = self.controller
        self.generation += 1
        self.path.reset(c.display_net.params, c.trainer.epoch)
        if self._visible():
            self.recompute()

    @Slot(object)
    def _on_metrics(self, snap: object) -> None:
        if snap is None or snap.generation != self.controller.generation:
            return
        self.path.add(snap.params, snap.epoch)

    @Slot(bool)
    def _on_playing(self, playing: bool) -> None:
        if not playing and self._visible():
            self.recompute()

    def _on_timer(self) -> None:
        c = self.controller
        rest = time.perf_counter() - self._finished_at
        if (c is not None and c.playing and self.live_box.isChecked() and self._visible()
                and rest >= LIVE_FACTOR * self._last_seconds):
            self.recompute()

    def _visible(self) -> bool:
        return self.isVisible() and not self.visibleRegion().isEmpty()

    # ---- computing --------------------------------------------------------------------------
    def options(self) -> dict:
        return {"directions": self.directions.currentData(), "log": self.log_box.isChecked(),
                "live": self.live_box.isChecked()}

    def set_options(self, options: dict) -> None:
        key = options.get("directions")
        index = self.directions.findData(key)
        if index >= 0:
            self.directions.setCurrentIndex(index)
        for box, name in ((self.log_box, "log"), (self.live_box, "live")):
            if isinstance(options.get(name), bool):
                box.setChecked(options[name])

    # ---- the Feature contract (nnviz.gui.features) ------------------------------------------
    def _dock(self) -> QDockWidget | None:
        return None if self.window_ is None else self.window_.docks.get("landscape")

    def view_state(self) -> dict:
        """What a saved session keeps of this view (README: "Loss landscape")."""
        dock = self._dock()
        shown = bool(dock is not None and not dock.isHidden())
        return {"landscape": {**self.options(), "shown": shown}}

    def restore(self, state: Mapping[str, Any]) -> None:
        options = state.get("landscape")
        if not isinstance(options, dict):
            return
        self.set_options(options)
        dock = self._dock()
        if dock is not None and isinstance(options.get("shown"), bool):
            if options["shown"]:
                show_tabbed(self.window_, "landscape")
            else:
                dock.hide()

    def request(self) -> Request | None:
        c = self.controller
        if c is None:
            return None
        net = c.display_net.copy()
        path = self.path.array()
        if len(path):
            path = np.vstack([path, net.params])  # the path ends where the picture is centred
        X, Y = c.trainer.X, c.trainer.Y
        grid = affordable_grid(net, len(X), GRID_BUDGET, largest=GRID)
        return Request(self.generation, net, X, Y, path, self.directions.currentData(), grid,
                       c.settings.seed)

    def recompute(self) -> bool:
        """Ask the worker thread for a new landscape; a request made while one is being
        computed replaces any older waiting one. False if there is nothing to compute."""
        req = self.request()
        if req is None:
            return False
        self._pending = req
        if not self.busy:
            self._start()
        return True

    def _start(self) -> None:
        self.worker.job, self._pending = self._pending, None
        self.busy = True
        self.status.setText("Computing\u2026")
        self.thread.start()

    @Slot()
    def _on_thread_finished(self) -> None:
        self.busy = False
        if self._pending is not None:
            if self._pending.generation == self.generation:
                self._start()
            else:
                self._pending = None

    @Slot(object)
    def _on_done(self, result: Result) -> None:
        if result.generation != self.generation:
            return
        if result.error:
            self.last_error = result.error
            self.status.setText(f"Landscape failed: {result.error}")
            return
        land = result.landscape
        self._finished_at, self._last_seconds = time.perf_counter(), land.seconds
        self.plot.show_landscape(land)
        self.status.setText(f"{len(land.alphas)}x{len(land.betas)} grid and "
                            f"{len(land.line_t)} line points in {land.seconds:.2f} s; "
                            f"{len(land.trajectory)} points on the path")
        self.computed.emit(land)

    # ---- presentation -----------------------------------------------------------------------
    def set_style(self, theme: Theme, scale: float) -> None:
        self.plot.set_style(theme, scale)

    def set_scale(self, factor: float) -> None:
        self.plot.set_scale(factor)

    def set_palette_mode(self, dark: bool) -> None:
        self.plot.set_palette_mode(dark)

    def shutdown(self) -> None:
        self.timer.stop()
        self._pending = None
        self.worker.cancel.set()  # a computation under way stops at its next chunk
        _stop_thread(self.thread)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self.window_ and event.type() == QEvent.Type.Close:
            self.shutdown()
        return False


def _stop_thread(thread: QThread, *_args: object) -> None:
    """Wait for a computation under way (at most about a second) to end its thread."""
    try:
        if thread.isRunning():
            thread.wait(10_000)
    except RuntimeError:  # the C++ object is already gone
        pass


# ---- installing into the main window ----------------------------------------------------------
def install(window) -> LandscapePanel:  # noqa: ANN001 (MainWindow; imported lazily by it)
    """The Landscape dock (hidden until asked for), its action and View/Export menu entries."""
    panel = LandscapePanel(window)
    dock = window.add_dock("landscape", "Landscape", panel, Qt.DockWidgetArea.RightDockWidgetArea)
    dock.hide()
    follow_restore_layout(window, "landscape")
    dock.visibilityChanged.connect(lambda shown: shown and panel.recompute())
    window.installEventFilter(panel)
    window.destroyed.connect(functools.partial(_stop_thread, panel.thread))
    action = window.add_action("actionLossLandscape", "Loss landscape", "Ctrl+Shift+L",
                               functools.partial(show_dock, window),
                               tip="The loss around the current weights and the path taken")
    view = window.menus.get("view")
    if view is not None:
        view.addAction(action)
    export = window.menus.get("export")
    if export is not None:
        png = window.add_action("actionExportLandscapePng", "Landscape as PNG\u2026", None,
                                functools.partial(_export, window, panel, "png"),
                                tip="Save the loss landscape as PNG")
        svg = window.add_action("actionExportLandscapeSvg", "Landscape as SVG\u2026", None,
                                functools.partial(_export, window, panel, "svg"),
                                tip="Save the loss landscape as SVG")
        export.addSeparator()
        export.addAction(png)
        export.addAction(svg)
    return panel


def show_dock(window, *_args: object) -> None:  # noqa: ANN001
    show_tabbed(window, "landscape")
    window.features["landscape_view"].recompute()


def _export(window, panel: LandscapePanel, ext: str, *_args: object) -> str | None:  # noqa: ANN001
    from nnviz.gui.export import export_widget_png, export_widget_svg

    exporter = window.features.get("export")
    path = exporter._ask_path("landscape", ext) if exporter is not None else None
    if not path:
        return None
    try:
        if ext == "png":
            export_widget_png(panel.plot, path, exporter.png_scale)
        else:
            export_widget_svg(panel.plot, path, title="nnviz landscape")
    except (OSError, ValueError) as exc:
        window.show_message(f"Export failed: {exc}")
        return None
    window.show_message(f"Saved {path}")
    return path


_app_holder: list[QApplication] = []  # keeps a headless QApplication alive for the process


# ---- the picture without a window (nnviz landscape --out) -----------------------------------
def save_landscape_png(land: Landscape, path: str | os.PathLike[str], *, title: str = "",
                       size: tuple[int, int] = (1100, 480), dark: bool = False) -> None:
    """Draw ``land`` as the dock does and save it as a PNG (needs no display)."""
    from nnviz.gui.export import export_widget_png

    if QApplication.instance() is None:
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) \
                and sys.platform not in ("win32", "darwin"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _app_holder.append(QApplication([]))
    plot = LandscapePlot()
    plot.set_palette_mode(dark)
    plot.resize(*size)
    plot.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    plot.show()
    plot.show_landscape(land, note=title)
    QApplication.processEvents()
    try:
        export_widget_png(plot, path, 1.0)
    finally:
        plot.close()

