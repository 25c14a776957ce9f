"""The current phase drawn on the network view (README, "Single-step backpropagation").

While stepping, the view shows the phase: the active layer highlighted, the current sample's
activations computed so far, its deltas in the backward phases, dE/dw on the edges in the
gradients phase and the new weights in the update phase. Every number comes from the stepper's
records, and only the revealed ones: under "Predict, then reveal" the newest phase's outputs (and
after a hidden update the new weights) stay off the view.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from nnviz.core.explain import Selection
from nnviz.core.network import Network
from nnviz.core.stepper import PhaseRecord
from nnviz.gui.network import HIDES_VALUE, MAX_CIRCLE_NODES, NetworkView
from nnviz.gui.theme import Theme


class StepOverlay:
    """Puts a phase on ``view`` and takes it off again; owns the "?" node images."""

    def __init__(self, view: NetworkView) -> None:
        self.view = view
        self._takes_none: bool | None = None  # does view.set_activations accept None layers?
        self._question_cache: dict[str, QImage] = {}

    def show(self, revealed: Sequence[PhaseRecord], current: PhaseRecord | None, x: np.ndarray,
             net: Network, edge_mode: str, hidden: bool, selection: Selection | None,
             theme: Theme, font: QFont) -> None:
        """The phase on the view: ``revealed`` are the records shown so far (the current one
        unless hidden), ``x`` the sample's input, ``net`` the weights on screen."""
        view = self.view
        L = net.n_layers
        a: list[np.ndarray | None] = [x] + [None] * L
        z: list[np.ndarray | None] = [None] * L
        delta: list[np.ndarray | None] = [None] * L
        grads = None
        for r in revealed:
            if r.kind == "forward":
                a[r.layer] = r.values["a"]
                z[r.layer - 1] = r.values["z"]
            elif r.kind in ("output_delta", "backward"):
                delta[r.layer - 1] = r.values["delta"]
            elif r.kind == "gradients":
                grads = [r.values[f"dW_{l}"] for l in range(1, L + 1)]  # noqa: E741
        if current is not None and current.kind == "gradients" and not hidden:
            edge_mode = "gradient"
        view.set_edge_mode(edge_mode)
        view.set_params(net.weights, net.biases, grads)
        # Node maps would hide the numbers inside the circles: none while stepping, except the
        # "?" of nodes whose values are not computed (or not revealed) yet.
        view.set_node_images(self._set_activations(a, z, net.sizes, theme, font) or None)
        view.set_deltas(delta if any(d is not None for d in delta) else None)
        if current is None:
            view.set_highlight(None)
        else:
            view.set_highlight(_highlight_layer(current, L, selection), current.kind)

    def clear(self, edge_mode: str) -> None:
        """The normal view again: no highlight, no deltas, no "?" marks."""
        view = self.view
        view.set_highlight(None)
        view.set_deltas(None)
        view.set_node_images(None)  # the "?" marks; 2-D data gets its node maps back later
        view.set_edge_mode(edge_mode)

    def _set_activations(self, a: list, z: list, sizes: Sequence[int], theme: Theme,
                         font: QFont) -> dict:
        """Give the view the values computed so far; returns node images marking the rest."""
        view = self.view
        if all(v is not None for v in a) and all(v is not None for v in z):
            view.set_activations(a, z)
            return {}
        if self._takes_none is not False:
            try:
                view.set_activations(a, z)
                self._takes_none = True
                return {}
            except (ValueError, TypeError):
                self._takes_none = False
        # This view wants every layer: fill the missing ones with 0 and cover their circles
        # with a "?" (a node image hides the node's number), so no made-up value is shown.
        a0 = [v if v is not None else np.zeros(sizes[k]) for k, v in enumerate(a)]
        z0 = [v if v is not None else np.zeros(sizes[k + 1]) for k, v in enumerate(z)]
        view.set_activations(a0, z0)
        img = self._question_image(theme, font)
        missing = [al for al, v in enumerate(a) if v is None and sizes[al] <= MAX_CIRCLE_NODES]
        return {(al, i): img for al in missing for i in range(sizes[al])}

    def _question_image(self, theme: Theme, font: QFont) -> QImage:
        img = self._question_cache.get(theme.name)
        if img is None:
            img = QImage(64, 64, QImage.Format.Format_ARGB32_Premultiplied)
            img.fill(Qt.GlobalColor.transparent)
            p = QPainter(img)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            f = QFont(font)
            f.setPixelSize(40)
            f.setBold(True)
            p.setFont(f)
            p.setPen(QColor(theme.muted))
            p.drawText(img.rect(), Qt.AlignmentFlag.AlignCenter, "?")
            p.end()
            img.setText(HIDES_VALUE, "1")  # the view must not write a value beside it
            self._question_cache[theme.name] = img
        return img


def _highlight_layer(rec: PhaseRecord, L: int, selection: Selection | None) -> int:
    """The view's 0-based weights index for a phase (``NetworkView.set_highlight``)."""
    if rec.layer is not None:
        return rec.layer - 1
    if rec.kind in ("gradients", "update") and selection is not None:
        layer = selection[1]
        if 1 <= layer <= L:
            return layer - 1
    return L - 1
