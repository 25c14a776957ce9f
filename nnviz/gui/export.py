"""Export pictures and numbers: network view and decision boundary to PNG (1x, 2x, 3x) and SVG,
the loss history to CSV and PNG, and ``nnviz --screenshot out.png`` (the whole window, headless).

The plain functions (no dialogs) raise ``OSError`` when a file cannot be written and
``ValueError`` for bad arguments; the menu actions show those errors in the status bar.

Pictures come from ``QWidget.render`` into a QImage whose device pixel ratio is the export
scale, so widgets paint at their on-screen layout with ``scale`` times the pixels; pyqtgraph
views (loss, boundary) draw their vectors and text at that resolution. SVG goes through
QSvgGenerator: what a widget draws as vectors stays vector, what it blits from an image (the
network view's cached scene) is embedded as an image.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect, QSettings, Slot
from PySide6.QtGui import QActionGroup, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication, QFileDialog, QMainWindow, QMenu, QWidget

from nnviz.commands.parser import ArgumentParser
from nnviz.gui.features import NoViewState

SETTINGS_ORG, SETTINGS_APP = "nnviz", "nnviz"
PNG_SCALES: tuple[float, ...] = (1.0, 2.0, 3.0)
MAX_SCALE = 8.0
MAX_PIXELS = 200_000_000  # ~800 MB of ARGB32: beyond this QImage allocation fails anyway
LOSS_COLUMNS = ("epoch", "train_loss", "test_loss", "accuracy", "test_accuracy")
DEFAULT_SCREENSHOT_SIZE = (1600, 1000)


# ---- plain functions ------------------------------------------------------------------------
def _check_scale(scale: float) -> float:
    scale = float(scale)
    if not (math.isfinite(scale) and 0.25 <= scale <= MAX_SCALE):
        raise ValueError(f"export scale must be between 0.25 and {MAX_SCALE:g}, got {scale}")
    return scale


def _write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write a file; any failure raises OSError naming the path and the reason."""
    p = Path(path)
    if p.is_dir():
        raise IsADirectoryError(f"cannot write {p}: it is a folder")
    try:
        with open(p, "wb") as f:
            f.write(data)
    except OSError as exc:
        raise OSError(f"cannot write {p}: {exc.strerror or exc}") from exc


def widget_image(widget: QWidget, scale: float = 1.0) -> QImage:
    """The widget as it looks now, rendered at ``scale`` device pixels per logical pixel."""
    scale = _check_scale(scale)
    size = widget.size()
    w, h = max(1, math.ceil(size.width() * scale)), max(1, math.ceil(size.height() * scale))
    if w * h > MAX_PIXELS:
        raise ValueError(f"a {w}x{h} picture is too large; choose a smaller scale")
    img = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    img.setDevicePixelRatio(scale)
    img.fill(widget.palette().window().color())
    # QWidget's render, not an override's: QGraphicsView (pyqtgraph) redefines render().
    QWidget.render(widget, img)
    return img


def _png_bytes(img: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not img.save(buf, "PNG"):
        raise OSError("could not encode the picture as PNG")
    buf.close()
    return bytes(data.data())


def export_widget_png(widget: QWidget, path: str | os.PathLike[str],
                      scale: float = 2.0) -> QImage:
    """Save ``widget`` as a PNG at ``scale`` (2.0 = twice the on-screen pixels); returns the
    image written."""
    img = widget_image(widget, scale)
    _write_bytes(path, _png_bytes(img))
    return img


def export_widget_svg(widget: QWidget, path: str | os.PathLike[str],
                      title: str = "nnviz") -> None:
    """Save ``widget`` as an SVG of its on-screen size."""
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    gen = QSvgGenerator()
    gen.setOutputDevice(buf)
    gen.setSize(widget.size())
    gen.setViewBox(QRect(QPoint(0, 0), widget.size()))
    gen.setTitle(title)
    gen.setDescription("Exported from nnviz")
    painter = QPainter()
    if not painter.begin(gen):
        raise OSError("could not start the SVG painter")
    try:
        QWidget.render(widget, painter, QPoint(0, 0))
    finally:
        painter.end()
    buf.close()
    # QSvgGenerator states the size in millimetres at its resolution, which viewers convert
    # back at different dpi; plain user units (= CSS pixels) keep the on-screen size.
    text = bytes(data.data()).decode("utf-8")
    w, h = widget.width(), widget.height()
    text = re.sub(r'<svg width="[^"]*" height="[^"]*"', f'<svg width="{w}" height="{h}"', text,
                  count=1)
    _write_bytes(path, text.encode("utf-8"))


def export_boundary_svg(view: QWidget, path: str | os.PathLike[str]) -> None:
    """The decision boundary's plot (map, points, axes; not the widgets around it) as SVG,
    every point drawn as a vector circle or diamond."""
    scatters = [view.train_scatter, view.test_scatter]
    # pyqtgraph blits points from a sprite atlas, which SVG would embed squashed into each
    # point; in export mode it draws every symbol as a path
    for item in scatters:
        item.setExportMode(True, {"antialias": True})
    try:
        export_widget_svg(view.plot_widget, path, title="nnviz boundary")
    finally:
        for item in scatters:
            item.setExportMode(False)


def loss_history(controller: object) -> dict[str, list[float]]:
    """A copy of the trainer's history columns, taken under the worker's lock; with a
    ``thinned`` column (1 for the rows of the thinned older part) when the history is thinned."""
    with controller.worker.lock:
        h = controller.trainer.history
        cols, until = h.as_dict(), h.thinned_until
    out = {c: cols[c].tolist() for c in LOSS_COLUMNS}
    if until:
        out["thinned"] = (cols["epoch"] < until).astype(int).tolist()
    return out


def _csv_number(x: float) -> str:
    # Missing values (no test set) are empty cells, which spreadsheets read as blanks.
    if isinstance(x, float) and math.isnan(x):
        return ""
    return repr(x) if isinstance(x, float) else str(x)


def export_loss_csv(controller: object, path: str | os.PathLike[str]) -> int:
    """Write epoch, train_loss, test_loss, accuracy, test_accuracy per epoch; returns the
    number of rows (= epochs trained, unless the history is thinned: then a last column
    ``thinned`` is 1 on the rows of the thinned older part). Floats are written exactly
    (shortest round trip)."""
    cols = loss_history(controller)
    names = list(cols)
    n = len(cols["epoch"])
    lines: list[str] = []

    class _Sink:
        def write(self, s: str) -> None:
            lines.append(s)

    writer = csv.writer(_Sink(), lineterminator="\n")
    writer.writerow(names)
    for i in range(n):
        writer.writerow([_csv_number(cols[c][i]) for c in names])
    _write_bytes(path, "".join(lines).encode("utf-8"))
    return n


def export_loss_png(window: QMainWindow, path: str | os.PathLike[str],
                    scale: float = 2.0) -> QImage:
    """The loss plot (curves, axes, legend) as a PNG."""
    plot = window.loss_plot
    plot.refresh(force=True)  # points appended since the last frame are drawn too
    _settle()  # pyqtgraph widens the axes for new tick labels in deferred layout passes
    return export_widget_png(plot.plot_widget, path, scale)


def _settle(rounds: int = 3) -> None:
    """Let posted layout requests and deferred updates run before a picture is taken."""
    app = QApplication.instance()
    for _ in range(rounds):
        app.processEvents()


def render_window_png(window: QMainWindow, path: str | os.PathLike[str],
                      size: tuple[int, int] = DEFAULT_SCREENSHOT_SIZE,
                      scale: float = 1.0) -> QImage:
    """Resize the window to ``size`` (logical pixels; the window's minimum size wins if it is
    larger), let its layout settle and save it."""
    w, h = int(size[0]), int(size[1])
    if w < 200 or h < 150:
        raise ValueError(f"screenshot size must be at least 200x150, got {w}x{h}")
    window.resize(w, h)
    window.loss_plot.refresh(force=True)
    _settle()
    return export_widget_png(window, path, scale)


# ---- screenshot CLI -------------------------------------------------------------------------
def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        msg = f"expected WIDTHxHEIGHT like 1600x1000, got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if w < 200 or h < 150 or w > 10_000 or h > 10_000:
        raise argparse.ArgumentTypeError(f"size must be between 200x150 and 10000x10000, "
                                         f"got {text}")
    return w, h


def build_screenshot_parser() -> argparse.ArgumentParser:
    p = ArgumentParser(
        prog="nnviz --screenshot",
        description="Render the window headless to a PNG and exit. The other options are the "
                    "window's (data set, layers, session file, ...).")
    p.add_argument("--screenshot", required=True, metavar="OUT.png", help="PNG file to write")
    p.add_argument("--size", type=_size, default=DEFAULT_SCREENSHOT_SIZE, metavar="WxH",
                   help="window size in logical pixels (default 1600x1000)")
    p.add_argument("--scale", type=float, default=None,
                   help="pixels per logical pixel, e.g. 2 for a sharp slide (default: the "
                        "screen's device pixel ratio, 1 without a screen)")
    p.add_argument("--epochs", type=int, default=0,
                   help="train this many epochs before taking the picture")
    p.add_argument("--theme", choices=("light", "dark", "high-contrast"), default="light")
    p.add_argument("--zoom", type=float, default=1.0, help="text and line zoom (default 1)")
    p.add_argument("--presentation", action="store_true",
                   help="presentation-mode text sizes (without going full screen)")
    return p


def train_epochs(window: QMainWindow, epochs: int) -> str | None:
    """Train ``epochs`` epochs at once on the GUI thread (worker paused, lock held) and show
    the result in every view; returns the divergence message if training diverged."""
    from nnviz.core.trainer import DivergenceError

    c = window.controller
    c.pause()
    error = None
    with c.worker.lock:
        try:
            c.trainer.run(epochs)
        except DivergenceError as exc:
            error = str(exc)
        h = c.trainer.history
        epoch, train = h.epoch.copy(), h.train_loss.copy()
        test = h.test_loss.copy() if c.trainer.X_test is not None else None
    c.refresh_from_network()
    window.loss_plot.set_history(epoch, train, test)
    window.update_status()
    return error


def screenshot_main(argv: Sequence[str]) -> int:
    """`nnviz --screenshot OUT.png [window options]`: 0 written, 1 write failed, 2 bad
    arguments (one line on stderr)."""
    argv = list(argv)
    parser = build_screenshot_parser()
    try:
        opts, rest = parser.parse_known_args(argv)
        if "--play" in rest:
            parser.error("--play does not fit a still picture; use --epochs N to train first")
        if opts.epochs < 0:
            parser.error(f"--epochs must be >= 0, got {opts.epochs}")
        if opts.scale is not None and not (math.isfinite(opts.scale)
                                           and 0.25 <= opts.scale <= MAX_SCALE):
            parser.error(f"--scale must be between 0.25 and {MAX_SCALE:g}, got {opts.scale}")
        if not opts.screenshot.lower().endswith(".png"):
            parser.error(f"--screenshot writes a PNG; give a name ending in .png, "
                         f"got {opts.screenshot!r}")
        from nnviz.gui import theme

        if not theme.MIN_SCALE <= opts.zoom <= theme.MAX_SCALE:
            parser.error(f"--zoom must be between {theme.MIN_SCALE} and {theme.MAX_SCALE}, "
                         f"got {opts.zoom}")
    except SystemExit as exc:
        return int(exc.code or 0)
    if QApplication.instance() is None:
        # A screenshot never needs the screen: no window flashes up, and it works over ssh.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from nnviz.gui.app import create_main_window

    try:
        window = create_main_window(rest, restore_layout=False)
    except SystemExit as exc:  # the window's own options were bad (message already printed)
        return int(exc.code or 0)
    try:
        if window.session_error:
            # A picture of the default lesson would pass for the session's: fail instead.
            print(f"nnviz: error: {window.session_error}", file=sys.stderr)
            return 1
        classroom = window.features.get("classroom")
        if classroom is not None:
            classroom.persistent = False  # the user's remembered zoom and theme stay as they are
            classroom.set_presentation(opts.presentation, full_screen=False)
            classroom.set_theme(opts.theme)
            classroom.set_zoom(opts.zoom)
        if opts.epochs:
            error = train_epochs(window, opts.epochs)
            if error:
                print(f"nnviz: warning: {error}", file=sys.stderr)
        scale = opts.scale if opts.scale is not None else \
            min(MAX_SCALE, max(1.0, window.devicePixelRatioF()))
        img = render_window_png(window, opts.screenshot, opts.size, scale)
        got = (window.width(), window.height())
        if got != tuple(opts.size):
            print(f"nnviz: note: the window needs at least {got[0]}x{got[1]} with these "
                  f"options, so the picture is that size", file=sys.stderr)
    except (OSError, ValueError) as exc:
        print(f"nnviz: error: {exc}", file=sys.stderr)
        return 1
    finally:
        # Not window.close(): that would save this window's geometry as the user's layout.
        window.controller.close()
        window.hide()
    print(f"nnviz: wrote {opts.screenshot} ({img.width()}x{img.height()} px)")
    return 0


# ---- menu actions ---------------------------------------------------------------------------
def screen_png_scale(widget: QWidget) -> float:
    """The PNG scale offered until one is chosen: the device pixel ratio of the widget's screen,
    rounded up (a 1.25 or 1.5 display gets 2x), so an export is at least as sharp as the screen
    (README, "High DPI")."""
    ratio = widget.devicePixelRatioF()
    if not math.isfinite(ratio) or ratio <= 0:
        return PNG_SCALES[0]
    want = math.ceil(ratio - 0.01)
    return next((s for s in PNG_SCALES if s >= want), PNG_SCALES[-1])


class Exporter(NoViewState):
    """File > Export: the actions, their file dialogs and the chosen PNG scale."""

    FILTERS = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)",
               "csv": "CSV table (*.csv)"}

    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        w = window
        add = w.add_action
        add("actionExportNetworkPng", "Network view as PNG\u2026", None,
            lambda: self._export("network", "png"), tip="Save the network picture as PNG")
        add("actionExportNetworkSvg", "Network view as SVG\u2026", None,
            lambda: self._export("network", "svg"), tip="Save the network picture as SVG")
        add("actionExportBoundaryPng", "Decision boundary as PNG\u2026", None,
            lambda: self._export("boundary", "png"), tip="Save the decision boundary as PNG")
        add("actionExportBoundarySvg", "Decision boundary as SVG\u2026", None,
            lambda: self._export("boundary", "svg"), tip="Save the decision boundary as SVG")
        add("actionExportLossCsv", "Loss history as CSV\u2026", None,
            lambda: self._export("loss", "csv"),
            tip="Save epoch, losses and accuracies of every epoch as CSV")
        add("actionExportLossPng", "Loss plot as PNG\u2026", None,
            lambda: self._export("loss", "png"), tip="Save the loss plot as PNG")
        group = QActionGroup(w)
        group.setExclusive(True)
        self.scale_actions = {}
        for scale in PNG_SCALES:
            n = int(scale)
            action = add(f"actionExportScale{n}", f"PNG at {n}x", None,
                         lambda _checked=False, s=scale: self.set_png_scale(s), checkable=True,
                         tip=f"PNG exports get {n}x the on-screen pixels")
            group.addAction(action)
            self.scale_actions[scale] = action
        screen = screen_png_scale(w)
        saved = QSettings(SETTINGS_ORG, SETTINGS_APP).value("export/png_scale", screen)
        try:
            scale = float(saved)
        except (TypeError, ValueError):
            scale = screen
        self.png_scale = scale if scale in PNG_SCALES else screen
        self.scale_actions[self.png_scale].setChecked(True)

        menu = QMenu("&Export", w)
        menu.setObjectName("menuExport")
        a = w.actions_by_name
        for name in ("actionExportNetworkPng", "actionExportNetworkSvg", None,
                     "actionExportBoundaryPng", "actionExportBoundarySvg", None,
                     "actionExportLossCsv", "actionExportLossPng", None):
            if name is None:
                menu.addSeparator()
            else:
                menu.addAction(a[name])
        scales = menu.addMenu("PNG &scale")
        scales.setObjectName("menuExportScale")
        for action in self.scale_actions.values():
            scales.addAction(action)
        file_menu = w.menus["file"]
        quit_action = a.get("actionQuit")
        if quit_action is not None and quit_action in file_menu.actions():
            file_menu.insertMenu(quit_action, menu)
            file_menu.insertSeparator(quit_action)
        else:
            file_menu.addMenu(menu)
        w.menus["export"] = menu
        self.menu = menu

    def set_png_scale(self, scale: float) -> None:
        if scale not in PNG_SCALES:
            raise ValueError(f"PNG scale must be one of {PNG_SCALES}, got {scale}")
        self.png_scale = scale
        self.scale_actions[scale].setChecked(True)
        QSettings(SETTINGS_ORG, SETTINGS_APP).setValue("export/png_scale", scale)

    def _ask_path(self, what: str, ext: str) -> str | None:
        s = QSettings(SETTINGS_ORG, SETTINGS_APP)
        folder = str(s.value("export/folder", "") or "") or str(Path.home())
        default = str(Path(folder) / f"nnviz-{what}.{ext}")
        path, _ = QFileDialog.getSaveFileName(self.window, f"Export {what} as {ext.upper()}",
                                              default, self.FILTERS[ext])
        if not path:
            return None
        if not path.lower().endswith(f".{ext}"):
            path += f".{ext}"
        s.setValue("export/folder", str(Path(path).parent))
        return path

    @Slot()
    def _export(self, what: str, ext: str) -> str | None:
        """Ask for a path and export; returns the path written (None: cancelled or failed)."""
        w = self.window
        if what == "boundary" and not w.controller.dataset.is_2d:
            w.show_message("The decision boundary exists only for 2-D data")
            return None
        path = self._ask_path(what, ext)
        if path is None:
            return None
        try:
            detail = self.export_to(what, ext, path)
        except Exception as exc:  # noqa: BLE001 (a failed export must not take the app down)
            w.show_message(f"Export failed: {exc}")
            return None
        w.show_message(f"Saved {path} ({detail})")
        return path

    def export_to(self, what: str, ext: str, path: str) -> str:
        """Export without dialogs; returns a short description of what was written."""
        w = self.window
        widgets = {"network": w.network_view, "boundary": w.boundary_view}
        if what == "loss" and ext == "csv":
            rows = export_loss_csv(w.controller, path)
            return f"{rows} epochs"
        if what == "loss" and ext == "png":
            img = export_loss_png(w, path, self.png_scale)
        elif what in widgets and ext == "png":
            img = export_widget_png(widgets[what], path, self.png_scale)
        elif what == "boundary" and ext == "svg":
            export_boundary_svg(w.boundary_view, path)
            return "SVG"
        elif what in widgets and ext == "svg":
            export_widget_svg(widgets[what], path, title=f"nnviz {what}")
            return "SVG"
        else:
            raise ValueError(f"cannot export {what} as {ext}")
        return f"{img.width()}x{img.height()} px"


def install(window: QMainWindow) -> Exporter:
    """Add File > Export to ``window``."""
    return Exporter(window)
