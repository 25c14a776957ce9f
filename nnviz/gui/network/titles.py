"""Layer titles over the nodes ("Hidden 1  4 neurons", the phase badge while stepping): the
longest form that fits each layer's share of the width, as a cached image keyed by what it
shows."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QFont, QFontMetricsF, QImage, QPainter

from nnviz.gui.network.data import NetworkData, Phase
from nnviz.gui.network.drawing import new_image
from nnviz.gui.network.layout import Layout
from nnviz.gui.network.text import Fonts
from nnviz.gui.palette import Palette, qcolor


def title_variants(data: NetworkData, phase: Phase, al: int) -> list[tuple[str, str]]:
    """(title, subtitle) pairs for one layer, longest first; the first that fits is drawn."""
    name = data.layer_name(al)
    n = data.sizes[al]
    title = f"{name[0].upper()}{name[1:]}"
    short = {"input": "In", "output": "Out"}.get(name, f"H{al}")
    strong, _, _ = phase.node_roles(len(data.sizes))
    if al in strong and phase.kind is not None:
        badge = f"▶ {phase.kind.replace('_', ' ')}"
        return [(title, badge), (short, badge), (short, "▶"), ("", "▶")]
    unit = "inputs" if al == 0 else ("outputs" if al == len(data.sizes) - 1 else "neurons")
    sub = f"{n} {unit}" if n > 1 else f"{n} {unit[:-1]}"
    return [(title, sub), (title, str(n)), (short, str(n)), (short, "")]


class TitlePainter:
    """Measures and draws the title band; owns its cached image."""

    def __init__(self, fonts: Fonts, palette: Palette, scale: float) -> None:
        self._text = fonts
        self._palette = palette
        self._scale = scale
        self._image: QImage | None = None
        self._key: tuple | None = None

    def set_style(self, palette: Palette, scale: float) -> None:
        self._palette, self._scale = palette, scale

    def clear(self) -> None:
        """Forget the image (a new pixel ratio, or new fonts)."""
        self._image = None
        self._key = None

    def fonts(self, compact: bool) -> tuple[QFont, QFont]:
        s = self._scale
        if compact:
            return self._text.font(15 * s, True), self._text.font(13 * s)
        return self._text.font(17 * s, True), self._text.font(14 * s)

    def metrics(self, compact: bool) -> tuple[QFontMetricsF, QFontMetricsF]:
        f, sf = self.fonts(compact)
        return QFontMetricsF(f), QFontMetricsF(sf)

    def image(self, lay: Layout, data: NetworkData, phase: Phase, dpr: float) -> QImage:
        """The title band, rebuilt when what it shows changes."""
        key = (lay.width, lay.compact, self._scale, self._palette, dpr, lay.header_h,
               tuple(lay.xs.tolist()), tuple(data.sizes), phase.layer, phase.kind)
        if self._image is not None and self._key == key:
            return self._image
        img = new_image(lay.width, lay.header_h, dpr)
        img.fill(qcolor(self._palette.background))
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        try:
            self._draw(p, lay, data, phase)
        finally:
            p.end()
        self._image, self._key = img, key
        return img

    def _draw(self, p: QPainter, lay: Layout, data: NetworkData, phase: Phase) -> None:
        f, sf = self.fonts(lay.compact)
        fm, sfm = QFontMetricsF(f), QFontMetricsF(sf)
        s = self._scale
        pal = self._palette
        y = lay.header_h - 2 * s - (max(fm.height(), sfm.height()) if lay.compact
                                    else fm.height() + sfm.height())
        n_layers = len(data.sizes)
        strong, _, _ = phase.node_roles(n_layers)
        pad = 6 * s
        for al in range(n_layers):
            x = float(lay.xs[al])
            # each title keeps to its own share of the width (up to halfway to its neighbours)
            lo = 4.0 if al == 0 else (float(lay.xs[al - 1]) + x) / 2 + 3 * s
            hi = lay.width - 4.0 if al == n_layers - 1 else (x + float(lay.xs[al + 1])) / 2 - 3 * s
            active = al in strong and phase.kind is not None
            chosen = None
            for title, sub in title_variants(data, phase, al):
                tw, sw = fm.horizontalAdvance(title), sfm.horizontalAdvance(sub)
                if active:
                    sw += 2 * pad  # the badge's own padding
                if lay.compact:
                    w = tw + sw + (pad if title and sub else 0.0) + 2 * pad
                else:
                    w = max(tw, sw) + 2 * pad
                if w <= hi - lo:
                    chosen = (title, sub, tw, sw, w)
                    break
            if chosen is None:
                continue  # no room even for the short form: leave it out rather than overlap
            title, sub, tw, sw, w = chosen
            left = min(max(x - w / 2, lo), hi - w)
            if lay.compact:
                h = max(fm.height(), sfm.height())
                title_box = QRectF(left + pad, y, tw, h)
                sub_box = QRectF(left + w - pad - sw, y, sw, h)
            else:
                title_box = QRectF(left, y, w, fm.height())
                sub_box = QRectF(left, y + fm.height(), w, sfm.height() + 2 * s)
            p.setFont(f)
            p.setPen(qcolor(pal.text))
            p.drawText(title_box, Qt.AlignmentFlag.AlignCenter, title)
            if not sub:
                continue
            p.setFont(sf)
            if active:
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QBrush(qcolor(pal.emphasis)))
                p.drawRoundedRect(sub_box, 5 * s, 5 * s)
                p.setPen(qcolor(pal.background))
            else:
                p.setPen(qcolor(pal.muted))
            p.drawText(sub_box, Qt.AlignmentFlag.AlignCenter, sub)
