"""The nnviz icon: an SVG master in resources/icons and PNGs rendered from it (README,
"Install as a desktop app").

`python -m nnviz.gui.icon` renders the PNGs again after the SVG changed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from nnviz.core.resources import resource_path

#: Sizes desktops ask for (freedesktop hicolor, Windows .ico, macOS .icns go up to 512).
SIZES: tuple[int, ...] = (16, 22, 24, 32, 48, 64, 128, 256, 512)
NAME = "nnviz"
ICO_SIZE = 128  # one image (Qt writes one per file); Windows scales it for larger views


def icon_dir() -> Path:
    return resource_path("icons")


def svg_path() -> Path:
    return icon_dir() / f"{NAME}.svg"


def png_path(size: int) -> Path:
    return icon_dir() / f"{NAME}-{size}.png"


def render(size: int, svg: Path | None = None) -> QImage:
    """The SVG drawn into a size x size ARGB image (transparent outside the glyph)."""
    renderer = QSvgRenderer(str(svg or svg_path()))
    if not renderer.isValid():
        raise ValueError(f"not a valid SVG icon: {svg or svg_path()}")
    image = QImage(QSize(size, size), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def render_pngs(out_dir: Path | None = None) -> list[Path]:
    """Write nnviz-<size>.png for every size in SIZES and nnviz.ico; returns the paths."""
    out = Path(out_dir) if out_dir is not None else icon_dir()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for size in SIZES:
        path = out / f"{NAME}-{size}.png"
        if not render(size).save(str(path), "PNG"):
            raise OSError(f"could not write {path}")
        written.append(path)
    # Windows shortcuts take their icon from an .ico file only (README, "Install as a desktop app")
    ico = out / f"{NAME}.ico"
    if not render(ICO_SIZE).save(str(ico), "ICO"):
        raise OSError(f"could not write {ico}")
    written.append(ico)
    return written


def app_icon() -> QIcon:
    """Every rendered size, so the window manager picks a crisp one instead of scaling the
    nearest; the SVG itself is not needed at run time."""
    icon = QIcon()
    for size in SIZES:
        path = png_path(size)
        if path.is_file():
            icon.addFile(str(path), QSize(size, size))
    return icon


if __name__ == "__main__":
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    for p in render_pngs():
        print(p)
