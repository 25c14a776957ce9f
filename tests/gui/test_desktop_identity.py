"""The app's identity on the desktop: names, icon, and a .nnviz file given on the command line
(what a double-click in the file manager runs: `nnviz %f`)."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication

from nnviz.commands import desktop
from nnviz.gui import icon
from nnviz.gui.app import DESKTOP_FILE_NAME
from nnviz.gui.sessions import save_path


def test_application_names_and_icon(make_window):
    w = make_window()
    app = QApplication.instance()
    assert (app.applicationName(), app.organizationName()) == ("nnviz", "nnviz")
    assert app.desktopFileName() == DESKTOP_FILE_NAME == desktop.APP_ID
    sizes = {s.width() for s in app.windowIcon().availableSizes()}
    assert set(icon.SIZES) <= sizes
    assert not w.windowIcon().isNull()
    assert {s.width() for s in w.windowIcon().availableSizes()} == sizes


def test_committed_pngs_are_the_svg_rendered(tmp_path, qapp):
    """The PNGs in resources/icons are what `python -m nnviz.gui.icon` makes of the SVG."""
    assert tuple(desktop.ICON_SIZES) == icon.SIZES
    fresh = icon.render_pngs(tmp_path)
    assert fresh[-1].suffix == ".ico" and (icon.icon_dir() / "nnviz.ico").is_file()
    for size, path in zip(icon.SIZES, fresh[:-1], strict=True):
        from PySide6.QtGui import QImage

        committed = QImage(str(icon.png_path(size))).convertToFormat(
            QImage.Format.Format_ARGB32)
        made = QImage(str(path)).convertToFormat(QImage.Format.Format_ARGB32)
        assert committed.size() == made.size() == QSize(size, size)
        step = max(1, size // 32)
        worst = max(abs(a - b)
                    for x in range(0, size, step) for y in range(0, size, step)
                    for a, b in zip(committed.pixelColor(x, y).getRgb(),
                                    made.pixelColor(x, y).getRgb(), strict=True))
        assert worst <= 8, (size, worst)  # renderer versions differ in antialiasing only


def test_a_session_path_on_the_command_line_opens_it(make_window, tmp_path):
    first = make_window("--dataset", "circles", "--layers", "5,3", "--seed", "4")
    path = tmp_path / "lesson.nnviz"
    assert save_path(first, path) is None
    opened = make_window(str(path))
    assert opened.controller.settings.dataset == "circles"
    assert opened.controller.net.sizes == (2, 5, 3, 1)
    assert opened.windowTitle().startswith("lesson.nnviz")
