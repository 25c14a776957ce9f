"""The dialog a click on a bias square opens: the bias value and its layer's bias mode.

Bias modes (trained, frozen, none) are explained in README "Bias modes".
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.network import BIAS_MODES

_MODE_TEXT = {
    "trained": "trained (learnt)",
    "frozen": "frozen (kept at its value)",
    "none": "none (the layer has no bias)",
}


class BiasDialog(QDialog):
    """Value of one bias and the mode of its whole layer."""

    def __init__(self, parent: QWidget | None, label: str, value: float, mode: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit bias")
        outer = QVBoxLayout(self)
        text = QLabel(label)
        text.setWordWrap(True)
        outer.addWidget(text)
        form = QFormLayout()
        self.value = QDoubleSpinBox(decimals=6, minimum=-1e9, maximum=1e9)
        self.value.setObjectName("biasValueSpin")
        self.value.setValue(value)
        self.value.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        form.addRow("Value", self.value)
        self.mode = QComboBox()
        self.mode.setObjectName("biasModeCombo")
        for m in BIAS_MODES:
            self.mode.addItem(_MODE_TEXT[m], m)
        self.mode.setCurrentIndex(BIAS_MODES.index(mode))
        self.mode.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.mode.setToolTip("Applies to every bias of this layer")
        form.addRow("Layer's biases", self.mode)
        outer.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        self.mode.currentIndexChanged.connect(self._on_mode)
        self._on_mode()

    def _on_mode(self) -> None:
        self.value.setEnabled(self.mode.currentData() != "none")

    def result_pair(self) -> tuple[float, str]:
        return float(self.value.value()), str(self.mode.currentData())


def ask_bias(parent: QWidget | None, label: str, value: float, mode: str
             ) -> tuple[float, str] | None:
    """(value, mode) after OK, None after Cancel."""
    dialog = BiasDialog(parent, label, value, mode)
    try:
        return dialog.result_pair() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()
