"""Editing a weight or a bias by clicking it: the dialogs, worded with the node names and the
notation of the formulas (README "The window", "Bias modes")."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QWidget

from nnviz.core import notation
from nnviz.gui.network.data import NetworkData
from nnviz.gui.network.text import fmt


def ask_weight(parent: QWidget, data: NetworkData, li: int, i: int, j: int) -> float | None:
    """The new value of weights[li][i, j], or None if cancelled."""
    cur = float(data.weights[li][i, j])
    label = (f"Weight from {data.node_name(li, i)} to {data.node_name(li + 1, j)}\n"
             f"({notation.weight(li, i, j)}, now {fmt(data.weights[li][i, j])}):")
    value, ok = QInputDialog.getDouble(parent, "Edit weight", label, cur, -1e9, 1e9, 6)
    return float(value) if ok else None


def ask_bias(parent: QWidget, data: NetworkData, li: int,
             j: int) -> tuple[str | None, float | None]:
    """What the bias dialog for bias j of weight layer ``li`` changed: the layer's new bias
    mode and the bias's new value (None for either: unchanged, or cancelled)."""
    cur = float(data.biases[li][j])
    label = (f"Bias of {data.node_name(li + 1, j)}\n"
             f"({notation.bias(li, j)}, now {fmt(data.biases[li][j])}):")
    from nnviz.gui import bias_dialog

    answer = bias_dialog.ask_bias(parent, label, cur, data.bias_mode(li))
    if answer is None:
        return None, None
    value, mode = answer
    return (mode if mode != data.bias_mode(li) else None,
            float(value) if mode != "none" and value != cur else None)
