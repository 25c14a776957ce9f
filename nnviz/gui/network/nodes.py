"""Nodes: circles filled by their value (one atlas blit per layer), compressed columns for wide
layers, node maps, bias squares, the phase's rings, and the numbers: inside a node, beside it
when it is small, "?" for a layer not computed yet, and the input and output names. See README
"Classroom" (numbers never vanish)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QStaticText, QTransform

from nnviz.gui.network import layout
from nnviz.gui.network.atlas import ATLAS_BAD, Sprites, fill_cells
from nnviz.gui.network.data import NetworkData, Phase
from nnviz.gui.network.drawing import draw_cells
from nnviz.gui.network.layout import Layout
from nnviz.gui.network.text import Fonts, readable_px, short
from nnviz.gui.palette import Palette, qcolor

#: Layers up to this wide show every node's value: inside the node, or beside it when small.
MAX_LABELLED_NODES = 16
#: QImage.text key of node images that stand for a value not to be shown ("?" marks); other
#: node images (maps over the input plane) get the value beside the node.
HIDES_VALUE = "nnviz-hides-value"


class NodePainter:
    """Draws every layer's nodes; owns the sprites and atlases (``sprites``) and what the last
    drawing wrote (``labels``: text per node, ``label_boxes``: boxes beside nodes)."""

    def __init__(self, fonts: Fonts, palette: Palette, scale: float) -> None:
        self._text = fonts
        self._palette = palette
        self._scale = scale
        self._dpr = 1.0
        self.sprites = Sprites(palette, scale)
        self.labels: dict[tuple[int, int], str] = {}
        self.label_boxes: list[QRectF] = []

    def set_style(self, palette: Palette, scale: float) -> None:
        self._palette, self._scale = palette, scale
        self.sprites.set_style(palette, scale)

    def set_dpr(self, dpr: float) -> None:
        self._dpr = dpr
        self.sprites.set_dpr(dpr)

    def reset(self) -> None:
        """A new network: nothing written yet."""
        self.labels = {}
        self.label_boxes = []

    def draw(self, p: QPainter, lay: Layout, data: NetworkData, phase: Phase, mode: str,
             value_scale: float, digits: int) -> None:
        # Runs for every live frame, on the GUI thread whose Python time the trainer loses:
        # per node only a lookup and a blit; colours come from a table, positions from the layout.
        pal = self._palette
        s = self._scale
        strong, light, shows = phase.node_roles(len(data.sizes))
        bias_rects: list[QRectF] = []
        white, black = qcolor(pal.text_on_dark), qcolor(pal.text_on_light)
        self.labels = labels = {}
        self.label_boxes = []
        beside: list[tuple[int, np.ndarray, float, bool, Iterable[int]]] = []
        images = data.images
        for al, n in enumerate(data.sizes):
            a = data.a[al] if data.a is not None else None
            show_delta = (shows == "delta" and al in strong and al > 0 and data.delta is not None
                          and data.delta[al - 1] is not None)
            vals = data.delta[al - 1] if show_delta else a  # type: ignore[index]
            if vals is not None:
                finite = np.abs(vals[np.isfinite(vals)])
                peak = float(finite.max()) if finite.size else 0.0
                scale = peak if show_delta else max(1.0, peak)
                scale = scale if scale > 0 else 1.0
            else:
                scale = 1.0
            ring = qcolor(pal.emphasis) if al in strong else None
            if lay.compressed[al]:
                self._draw_column(p, lay, n, al, vals, scale, ring, al in light)
                continue
            r = lay.radius[al]
            dashed = al in light
            atlas, cell = self.sprites.node_atlas(r, dashed)
            if vals is not None:
                cells = fill_cells(vals, scale)
            else:
                cells = np.full(n, ATLAS_BAD + 1, dtype=np.intp)
            draw_cells(p, atlas, cell, cells, lay.derived, ("nodes", al), self._dpr,
                       float(lay.xs[al]), lay.ys[al])
            written = None if vals is None else \
                self.node_texts(al, vals, r, shows if al in strong else None, show_delta,
                                digits, data.z)
            if written is not None:
                texts, px = written
                # white text on dark fills: the atlas cell says which fill a node has
                dark = self.sprites.dark_cells()[cells].tolist()
                p.setFont(self._text.font(px))
                x = float(lay.xs[al])
                ys = lay.ys[al].tolist()
                covered = []
                for i in range(n):
                    if (al, i) in images:
                        covered.append(i)
                        continue
                    p.setPen(white if dark[i] else black)
                    p.drawText(QRectF(x - r, ys[i] - r, 2 * r, 2 * r),
                               Qt.AlignmentFlag.AlignCenter, texts[i])
                    labels[(al, i)] = texts[i]
                if covered and n <= MAX_LABELLED_NODES:
                    beside.append((al, vals, r, show_delta, covered))  # maps cover them
            elif vals is not None and n <= MAX_LABELLED_NODES:
                beside.append((al, vals, r, show_delta, range(n)))
            elif vals is None and n <= MAX_LABELLED_NODES:
                self._draw_unknown(p, lay, al, r)
            if images and r >= 8:
                maps = self.sprites.map_atlas(images, data.images_version, n, al, 0.8 * r)
                if maps is not None:
                    pix, mcell, nodes = maps
                    draw_cells(p, pix, mcell, np.arange(nodes.size), lay.derived,
                               ("maps", al, nodes.tobytes()), self._dpr, float(lay.xs[al]),
                               lay.ys[al][nodes])
            if al > 0 and data.bias_mode(al - 1) != "none":
                cx, cy, size = self._bias_centres(lay, data, al - 1)
                pix, bcell = self.sprites.bias_atlas(size)
                draw_cells(p, pix, bcell, self._bias_cells(data, al - 1, mode, value_scale),
                           lay.derived, ("biases", al), self._dpr, cx, cy)
                bias_rects.extend(layout.bias_rects(lay, data, s, al - 1))
            if ring is not None:
                rw = 3.5 * s
                p.setPen(QPen(ring, rw))
                p.setBrush(Qt.BrushStyle.NoBrush)
                x = float(lay.xs[al])
                for y in lay.ys[al].tolist():
                    p.drawEllipse(QPointF(x, y), r + rw, r + rw)
            self._draw_side_labels(p, lay, data, al)
        for al, vals, r, show_delta, nodes in beside:
            self._draw_beside_labels(p, lay, data, al, vals, r, show_delta, nodes)
        if bias_rects:
            p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            p.setPen(QPen(qcolor(pal.node_outline), 1.0))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRects(bias_rects)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)

    def node_texts(self, al: int, vals: np.ndarray, r: float, shows: str | None,
                   show_delta: bool, digits: int,
                   z: list[np.ndarray | None] | None = None) -> tuple[list[str], float] | None:
        """The numbers written inside one layer's nodes and their font size, or None when they
        would not be readable (below ``readable_px``): z and a when asked and they fit, else
        one value; ``digits`` decimals unless fewer give a clearly larger font."""
        s = self._scale
        min_px = readable_px(s)
        pre = "δ " if show_delta else ""
        choices: list[tuple[float, Callable[[int], list[str]]]] = []
        if shows == "za" and z is not None and z[al - 1] is not None:
            zl = z[al - 1]
            choices.append((min(r * 0.42, 19 * s),
                            lambda d: [f"z {short(float(zi), d)}\na {short(float(ai), d)}"
                                       for zi, ai in zip(zl, vals, strict=True)]))
        choices.append((min(r * 0.5, 19 * s),
                        lambda d: [pre + short(float(v), d) for v in vals]))
        for base, make in choices:
            if base < min_px:
                continue  # built only for sizes that can be drawn: this runs on every frame
            fm = self._text.metrics(base)
            # the digits setting first; fewer decimals only where those would not be readable
            options = [make(d) for d in range(digits, 1, -1)] or [make(digits)]
            for k, texts in enumerate(options):
                widest = max(fm.horizontalAdvance(ln) for t in texts for ln in t.split("\n"))
                px = base * min(1.0, 1.7 * r / widest) if widest > 0 else base
                if px >= max(min_px, 0.85 * base) or (k == len(options) - 1 and px >= min_px):
                    return texts, px
        return None

    def _draw_beside_labels(self, p: QPainter, lay: Layout, data: NetworkData, al: int,
                            vals: np.ndarray, r: float, show_delta: bool,
                            nodes: Iterable[int]) -> None:
        """Values of nodes too small to hold them, in boxes beside the nodes: right of them,
        left of the output layer (its names are on the right)."""
        s = self._scale
        spacing = float(lay.ys[al][1] - lay.ys[al][0]) if len(lay.ys[al]) > 1 else lay.height
        px = max(readable_px(s), min(16.0 * s, 0.9 * spacing))
        fm = self._text.metrics(px)
        pre = "δ " if show_delta else ""
        left = al == len(data.sizes) - 1 and al > 0
        x = float(lay.xs[al])
        gap = 3.0 * s
        bg = qcolor(self._palette.background)
        bg.setAlpha(230)
        fg = qcolor(self._palette.text)
        p.setFont(self._text.font(px))
        ys = lay.ys[al].tolist()
        for i in nodes:
            y = ys[i]
            image = data.images.get((al, i))
            if image is not None and image.text(HIDES_VALUE):
                self.labels[(al, i)] = "?"  # not computed yet, or hidden until revealed
                continue
            text = pre + short(float(vals[i]), 3 if show_delta else 2)
            w = fm.horizontalAdvance(text) + 6 * s
            box = QRectF(x - r - gap - w if left else x + r + gap, y - fm.height() / 2, w,
                         fm.height())
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(bg)
            p.drawRoundedRect(box, 3 * s, 3 * s)
            p.setPen(fg)
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
            self.labels[(al, i)] = text
            self.label_boxes.append(box)

    def _draw_unknown(self, p: QPainter, lay: Layout, al: int, r: float) -> None:
        """A layer the current phase has not computed yet: "?" in its nodes (beside them when
        they are small), so no node is blank and no made-up value is shown."""
        s = self._scale
        px = max(readable_px(s), min(1.1 * r, 19.0 * s))
        fm = self._text.metrics(px)
        x = float(lay.xs[al])
        inside = fm.height() <= 2 * r
        p.setFont(self._text.font(px))
        p.setPen(qcolor(self._palette.muted))
        w = fm.horizontalAdvance("?") + 6 * s
        for i, y in enumerate(lay.ys[al].tolist()):
            box = QRectF(x - r, y - r, 2 * r, 2 * r) if inside else \
                QRectF(x + r + 3 * s, y - fm.height() / 2, w, fm.height())
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, "?")
            self.labels[(al, i)] = "?"

    def _bias_centres(self, lay: Layout, data: NetworkData,
                      li: int) -> tuple[np.ndarray, np.ndarray, float]:
        key = ("bias_centres", li)
        hit = lay.derived.get(key)
        if hit is None:
            rects = layout.bias_rects(lay, data, self._scale, li)
            hit = lay.derived[key] = (np.array([r.center().x() for r in rects]),
                                      np.array([r.center().y() for r in rects]),
                                      rects[0].width() if rects else 0.0)
        return hit

    @staticmethod
    def _bias_cells(data: NetworkData, li: int, mode: str, value_scale: float) -> np.ndarray:
        """Bias atlas cell of each bias square of weight layer ``li``."""
        b = data.biases[li]
        if mode == "gradient":
            # dE/db is not passed to the view; keep the bias visible but neutral
            return np.full(b.size, ATLAS_BAD + 1, dtype=np.intp)
        return fill_cells(b, value_scale)

    def _draw_column(self, p: QPainter, lay: Layout, n: int, al: int, vals: np.ndarray | None,
                     scale: float, ring: QColor | None, light: bool) -> None:
        """A layer too wide for circles: a bar in which node i owns the horizontal slice i."""
        x = float(lay.xs[al])
        rect = QRectF(x - lay.bar_w / 2, lay.top, lay.bar_w, lay.bottom - lay.top)
        if vals is not None:
            rgb = self.sprites.fill_rgb(vals, scale)
            # built at device pixel size so drawing it is a plain blit, not a scaled draw
            dpr = self._dpr
            w_px = max(1, round(rect.width() * dpr))
            h_px = max(1, round(rect.height() * dpr))
            rows = np.minimum((np.arange(h_px) + 0.5) * n / h_px, n - 1).astype(np.intp)
            bgra = np.empty((h_px, 4), dtype=np.uint8)  # byte order of Format_ARGB32
            bgra[:, 0] = rgb[rows, 2]
            bgra[:, 1] = rgb[rows, 1]
            bgra[:, 2] = rgb[rows, 0]
            bgra[:, 3] = 255
            pixels = np.ascontiguousarray(np.broadcast_to(bgra[:, None, :], (h_px, w_px, 4)))
            strip = QImage(pixels.tobytes(), w_px, h_px, 4 * w_px,
                           QImage.Format.Format_ARGB32).copy()
            strip.setDevicePixelRatio(dpr)
            p.drawImage(rect.topLeft(), strip)
        else:
            p.fillRect(rect, self.sprites.unset_fill(0.15))
        pen = QPen(ring if ring is not None else qcolor(self._palette.node_outline),
                   (3.0 if ring is not None else 1.2) * self._scale)
        if light:
            pen = QPen(qcolor(self._palette.emphasis), 2.0 * self._scale, Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(rect)

    def _draw_side_labels(self, p: QPainter, lay: Layout, data: NetworkData, al: int) -> None:
        last = len(data.sizes) - 1
        if al not in (0, last) or lay.compressed[al]:
            return
        px = lay.label_px[0 if al == 0 else 1]
        if px <= 0:
            return
        p.setFont(self._text.font(px))
        p.setPen(qcolor(self._palette.text))
        for at, text in self._side_labels(lay, data, al, px):
            p.drawStaticText(at, text)

    def _side_labels(self, lay: Layout, data: NetworkData, al: int,
                     px: float) -> list[tuple[QPointF, QStaticText]]:
        """Names beside the input (right-aligned) or output nodes, laid out once per layout."""
        key = ("side_labels", al)
        hit = lay.derived.get(key)
        if hit is not None:
            return hit
        font = self._text.font(px)
        r = lay.radius[al]
        x = float(lay.xs[al])
        out = []
        for i, y in enumerate(lay.ys[al].tolist()):
            text = QStaticText(data.node_name(al, i))
            text.setTextFormat(Qt.TextFormat.PlainText)
            text.prepare(QTransform(), font)
            size = text.size()
            left = x - r - lay.label_gap - size.width() if al == 0 else x + r + lay.label_gap
            out.append((QPointF(left, y - size.height() / 2), text))
        lay.derived[key] = out
        return out
