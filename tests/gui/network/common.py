"""Helpers shared by the network view tests: parameters, a forward pass, pictures."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

from nnviz.gui.network import NetworkView
from nnviz.gui.network.nodes import NodePainter


def make_params(sizes: list[int], seed: int = 0, scale: float = 1.0):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0.0, scale, (sizes[k], sizes[k + 1])) for k in range(len(sizes) - 1)]
    biases = [rng.normal(0.0, 0.5, sizes[k + 1]) for k in range(len(sizes) - 1)]
    return weights, biases


def forward(sizes, weights, biases, seed: int = 1):
    rng = np.random.default_rng(seed)
    a = [rng.uniform(-1, 1, sizes[0])]
    z = []
    for w, b in zip(weights, biases, strict=True):
        z.append(a[-1] @ w + b)
        a.append(np.tanh(z[-1]))
    return a, z


def setup(view: NetworkView, sizes: list[int], seed: int = 0, activations: bool = True):
    weights, biases = make_params(sizes, seed)
    view.set_network(sizes, weights, biases)
    if activations:
        view.set_activations(*forward(sizes, weights, biases))
    return weights, biases


def image(view: NetworkView) -> QImage:
    return view.grab().toImage()


def pixels(img: QImage) -> np.ndarray:
    """(h, w, 3) RGB array of an image."""
    img = img.convertToFormat(QImage.Format.Format_RGB32)
    a = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    return a[:, : img.width(), 2::-1].copy()


def spy_node_texts(monkeypatch) -> list[tuple[int, float | None]]:
    """Records (activation layer, font px or None when the values were left out) per layer."""
    seen: list[tuple[int, float | None]] = []
    real = NodePainter.node_texts

    def spy(self, al, *args):
        out = real(self, al, *args)
        seen.append((al, None if out is None else out[1]))
        return out

    monkeypatch.setattr(NodePainter, "node_texts", spy)
    return seen
