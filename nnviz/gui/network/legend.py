"""The legend under the nodes: edge colouring, colour bar with its ±scale, edge count, node
key. Its words and bar are a cached image keyed by what they show; the scale labels, which
change with every training update, are drawn into slots beside it on every frame."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QImage, QPainter

from nnviz.gui.network.drawing import new_image
from nnviz.gui.network.edges import MIN_LIVE_EDGES, N_BINS, EdgePainter, EdgeSelection, EdgeSet
from nnviz.gui.network.layout import Layout
from nnviz.gui.network.text import Fonts, scale_text
from nnviz.gui.palette import Palette, qcolor

NODE_KEY = "nodes: activation  ·  ■ bias"


def flow(widths: Sequence[float], avail: float, gap: float, max_rows: int) -> list[list[int]]:
    """Greedy rows of item indices, in order; items after the last row that fits are left out.
    Narrower items never need more rows, so rows reserved for the widest case suffice."""
    rows: list[list[int]] = [[]]
    x = 0.0
    for i, w in enumerate(widths):
        if rows[-1] and x + gap + w > avail:
            if len(rows) >= max_rows:
                break
            rows.append([])
            x = 0.0
        x += (gap if rows[-1] else 0.0) + w
        rows[-1].append(i)
    return rows


def legend_lines(edges: list[EdgeSet], selection: EdgeSelection, mode: str, min_mag: float,
                 fixed_scale: float | None, max_edges: int) -> list[str]:
    """The legend's words: edge colouring, edge count, node key."""
    grey = any(e.grey for e in edges)
    what = "dE/dw" if mode == "gradient" else "weight"
    drawn = sum(int(e.sel.size) for e in edges)
    total = sum(e.total for e in edges)
    fixed = fixed_scale is not None and mode != "gradient"
    first = "edges: dE/dw (no gradient yet)" if grey else \
        f"edges: {what}, {'fixed' if fixed else 'auto'} scale"
    if drawn < total:
        count = f"showing {drawn:,} of {total:,} edges"
        if min_mag > 0:
            count += f" (|{what}| ≥ {scale_text(min_mag)})"
        elif selection.budget_used < max_edges:
            count += " (strongest; thinned while updating)"
        elif drawn >= max_edges:
            count += " (strongest)"
    else:
        count = f"{total:,} edges"
    if fixed and selection.saturated:
        count += f", {selection.saturated:,} beyond ±{scale_text(selection.value_scale)} " \
                 "(saturated)"
    return [first, count, NODE_KEY]


def worst_lines(total: int, max_edges: int, min_mag: float,
                fixed_scale: float | None) -> tuple[str, list[str], str]:
    """The widest legend words this network can show, so the legend's height (and with it
    the node layout) stays put while counts and modes change."""
    counts = [f"{total:,} edges"]
    if total > min(max_edges, MIN_LIVE_EDGES) or min_mag > 0:
        counts.append(f"showing {total:,} of {total:,} edges (strongest; thinned while "
                      "updating)")
        if min_mag > 0:
            counts.append(f"showing {total:,} of {total:,} edges (|dE/dw| ≥ 0.888)")
    if fixed_scale is not None:
        counts.append(f"showing {total:,} of {total:,} edges (strongest), {total:,} beyond "
                      "±0.888 (saturated)")
    return "edges: dE/dw (no gradient yet)", counts, NODE_KEY


class LegendPainter:
    """Measures and draws the legend; owns its cached image and where its scale slots are."""

    def __init__(self, fonts: Fonts, palette: Palette, scale: float) -> None:
        self._text = fonts
        self._palette = palette
        self._scale = scale
        self._image: QImage | None = None
        self._key: tuple | None = None
        # where the legend image left room for its scale labels: x of the left and right
        # slots, row top (relative to the legend's top), row height, slot width (None: no
        # colour bar drawn)
        self._scale_at: tuple[float, float, float, float, float] | None = None

    def set_style(self, palette: Palette, scale: float) -> None:
        self._palette, self._scale = palette, scale

    def clear(self) -> None:
        """Forget the image (a new pixel ratio, or new fonts)."""
        self._image = None
        self._key = None

    # ---- measures --------------------------------------------------------------------------
    def fonts(self, compact: bool) -> tuple[QFont, QFont]:
        s = self._scale
        if compact:
            return self._text.font(12 * s), self._text.font(11 * s)
        return self._text.font(15 * s), self._text.font(13 * s)

    def line_height(self, compact: bool) -> float:
        return QFontMetricsF(self.fonts(compact)[0]).height()

    def gap(self, compact: bool) -> float:
        return (14.0 if compact else 24.0) * self._scale

    def bar_width(self, compact: bool = False) -> float:
        """Width of one half (one sign) of the colour bar."""
        return (48.0 if compact else 72.0) * self._scale

    def slot(self, compact: bool, scale_label: str | None = None) -> float:
        """Width kept for each scale label beside the colour bar: that of a typical value, or
        more when ``scale_label`` needs it."""
        sfm = QFontMetricsF(self.fonts(compact)[1])
        w = sfm.horizontalAdvance("−0.888")
        if scale_label is not None:
            w = max(w, sfm.horizontalAdvance(f"−{scale_label}"),
                    sfm.horizontalAdvance(f"+{scale_label}"))
        return math.ceil(w)

    def widths(self, compact: bool, first: str, counts: Sequence[str], key: str,
               slot: float) -> list[float]:
        """Widths of the items: edge label, colour bar with its scale, count, node key."""
        fm = QFontMetricsF(self.fonts(compact)[0])
        bar = 2 * slot + 2 * self.bar_width(compact) + 12 * self._scale
        return [fm.horizontalAdvance(first), bar, max(fm.horizontalAdvance(c) for c in counts),
                fm.horizontalAdvance(key)]

    def rows_needed(self, avail: float, compact: bool, max_rows: int,
                    worst: tuple[str, list[str], str]) -> int:
        """Rows the widest words take in ``avail`` pixels (at most ``max_rows``)."""
        first, counts, key = worst
        widths = self.widths(compact, first, counts, key, self.slot(compact))
        return len(flow(widths, avail, self.gap(compact), max_rows))

    # ---- drawing ---------------------------------------------------------------------------
    def image(self, lay: Layout, lines: list[str], value_scale: float, edges: EdgePainter,
              dpr: float) -> QImage:
        """The legend band (without its scale labels), rebuilt when what it shows changes."""
        slot = self.slot(lay.compact, scale_text(value_scale))
        key = (lay.width, lay.compact, self._scale, self._palette, dpr,
               lay.height - lay.legend_top, lay.legend_rows, tuple(lines), slot)
        if self._image is not None and self._key == key:
            return self._image
        img = new_image(lay.width, lay.height - lay.legend_top, dpr)
        img.fill(qcolor(self._palette.background))
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        try:
            p.translate(0, -lay.legend_top)
            self._draw(p, lay, lines, slot, edges)
        finally:
            p.end()
        self._image, self._key = img, key
        return img

    def _draw(self, p: QPainter, lay: Layout, lines: list[str], slot: float,
              edges: EdgePainter) -> None:
        """Items left to right, wrapping into the rows the layout reserved; items that do not
        fit there are left out (the node key first)."""
        self._scale_at = None
        if lay.legend_rows <= 0:
            return
        pal = self._palette
        compact = lay.compact
        f, _ = self.fonts(compact)
        fm = QFontMetricsF(f)
        widths = self.widths(compact, lines[0], [lines[1]], lines[2], slot)
        avail = lay.width - 2 * lay.pad_x
        rows = flow(widths, avail, self.gap(compact), lay.legend_rows)
        lh = fm.height()
        fg, muted = qcolor(pal.text), qcolor(pal.muted)
        texts = {0: (lines[0], fg), 2: (lines[1], fg), 3: (lines[2], muted)}
        grey = "no gradient" in lines[0]
        y = lay.legend_top + lay.legend_pad
        for row in rows:
            x = lay.pad_x
            for k in row:
                if k == 1:
                    self._draw_bar(p, lay, x, y, lh, slot, grey, compact, avail, edges)
                else:
                    text, colour = texts[k]
                    if widths[k] > avail:
                        text = fm.elidedText(text, Qt.TextElideMode.ElideRight, avail)
                    p.setFont(f)
                    p.setPen(colour)
                    p.drawText(QPointF(x, y + fm.ascent()), text)
                x += widths[k] + self.gap(compact)
            y += lh

    def _draw_bar(self, p: QPainter, lay: Layout, x: float, y: float, lh: float, slot: float,
                  grey: bool, compact: bool, max_w: float, edges: EdgePainter) -> None:
        """[−scale] colour bar [+scale] on one text row; the bar shows the very bucket colours
        and widths used for edges. A narrow widget gets a shorter bar, not smaller text."""
        gap = 6 * self._scale
        bar_w = min(self.bar_width(compact), (max_w - 2 * slot - 2 * gap) / 2)
        if bar_w < N_BINS:
            return  # not even a pixel per colour
        bx = x + slot + gap
        cell = bar_w / N_BINS
        for k in range(2 * N_BINS):
            sign = -1 if k < N_BINS else 1
            b = N_BINS - 1 - k if sign < 0 else k - N_BINS
            col = edges.bucket_colour(sign, b, False, grey)
            hgt = min(float(edges.bin_width(b, 1)) * 1.6, lh * 0.8)
            p.fillRect(QRectF(bx + k * cell, y + lh / 2 - hgt / 2, cell + 0.5, hgt), col)
        # y relative to the legend's top: the cached legend image is reused when only the
        # height of the view (and with it where the legend starts) changed
        self._scale_at = (x, bx + 2 * bar_w + gap, y - lay.legend_top, lh, slot)

    def draw_scale(self, p: QPainter, lay: Layout, value_scale: float) -> None:
        """The colour scale's −/+ labels, into the slots beside the cached image's bar."""
        at = self._scale_at
        if at is None or lay.legend_rows <= 0:
            return
        x_left, x_right, y, lh, slot = at
        y += lay.legend_top
        sc = scale_text(value_scale)
        small = self.fonts(lay.compact)[1]
        p.setFont(small)
        p.setPen(qcolor(self._palette.muted))
        left = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        p.drawText(QRectF(x_left, y, slot, lh), left, f"−{sc}")
        right = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        p.drawText(QRectF(x_right, y, slot, lh), right, f"+{sc}")
