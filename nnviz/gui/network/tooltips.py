"""Hover texts of the network view: a node's z, a, bias and delta, an edge's weight and
dE/dw, a bias and its mode, always read from the arrays last set (so they keep updating while
training runs) and written to the digits setting."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QToolTip, QWidget

from nnviz.core import notation
from nnviz.gui.network.data import NetworkData


def _tip(title: str, rows: list[tuple[str, str]], scale: float, hint: str | None = None) -> str:
    pt = 11 * scale
    body = "".join(f"<tr><td>{k}</td><td>&nbsp;=&nbsp;</td><td>{v}</td></tr>" for k, v in rows)
    html = (f"<div style='font-size:{pt:.0f}pt'><b>{title}</b>"
            f"<table cellspacing='0'>{body}</table>")
    if hint:
        html += f"<i>{hint}</i>"
    return html + "</div>"


def node_text(data: NetworkData, a_layer: int, i: int, digits: int, scale: float) -> str:
    def num(x: float) -> str:
        return notation.number(float(x), digits)

    rows: list[tuple[str, str]] = []
    if a_layer > 0 and data.z is not None and data.z[a_layer - 1] is not None:
        rows.append(("z", num(data.z[a_layer - 1][i])))
    if data.a is not None and data.a[a_layer] is not None:
        rows.append(("a" if a_layer else "x", num(data.a[a_layer][i])))
    if a_layer > 0 and data.bias_mode(a_layer - 1) != "none":
        rows.append(("bias", num(data.biases[a_layer - 1][i])))
        if data.delta is not None and data.delta[a_layer - 1] is not None:
            rows.append(("δ", num(data.delta[a_layer - 1][i])))
    if not rows:
        rows.append(("value", "not computed yet"))
    return _tip(data.node_title(a_layer, i), rows, scale)


def edge_text(data: NetworkData, li: int, i: int, j: int, digits: int, scale: float) -> str:
    rows = [("weight", notation.number(float(data.weights[li][i, j]), digits))]
    if data.grads is not None:
        rows.append(("dE/dw", notation.number(float(data.grads[li][i, j]), digits)))
    title = f"{data.node_name(li, i)} → {data.node_name(li + 1, j)}  " \
            f"({notation.weight(li, i, j)})"
    return _tip(title, rows, scale, "click to edit")


def bias_text(data: NetworkData, li: int, j: int, digits: int, scale: float) -> str:
    title = f"Bias of {data.node_name(li + 1, j)}  ({notation.bias(li, j)})"
    rows = [("bias", notation.number(float(data.biases[li][j]), digits))]
    if data.bias_mode(li) == "frozen":
        rows.append(("mode", "frozen (training keeps it)"))
    return _tip(title, rows, scale, "click to edit")


class HoverTip:
    """The tooltip over a widget and the point it was shown for, so that a visible tooltip can
    be re-read while the values under it change (training)."""

    def __init__(self, widget: QWidget) -> None:
        self._widget = widget
        self.pos: QPoint | None = None

    def show(self, pos: QPoint, global_pos: QPoint, text: str | None) -> bool:
        """Show ``text`` for ``pos`` (None or "": hide the tooltip); whether one is shown."""
        if text:
            self.pos = QPoint(pos)
            QToolTip.showText(global_pos, text, self._widget)
            return True
        self.pos = None
        QToolTip.hideText()
        return False

    def refresh(self, text_at: Callable[[QPoint], str | None]) -> None:
        """Re-read a visible tooltip: ``text_at(pos)`` gives its new text."""
        if self.pos is not None and QToolTip.isVisible():
            text = text_at(self.pos)
            if text:
                QToolTip.showText(self._widget.mapToGlobal(self.pos), text, self._widget)
