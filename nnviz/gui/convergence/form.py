"""The convergence explorer's form: the configurations to train (architectures x inits x learning
rates) and how long, read from its fields; the rest of the training setting comes from the main
window. See README, "Convergence explorer"."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from nnviz.core import activations
from nnviz.core.convergence import ConvergenceConfig
from nnviz.core.network import INITS
from nnviz.gui.convergence.colours import ERROR_COLOUR
from nnviz.gui.convergence.text import arch_text, parse_architectures, parse_rates

#: At most this many configurations per job: each gets its own colour.
MAX_CONFIGS = 8

#: One-click setups. "symmetric start": small init on XOR never converges (symmetric hidden
#: units), the same networks with xavier init do.
PRESETS: dict[str, dict] = {
    "symmetric start": {
        "dataset": "xor", "layers": "2,2,1; 2,4,1", "inits": ("small", "xavier"),
        "activation": "sigmoid", "lr": "0.5", "runs": 200, "epochs": 5000, "threshold": 0.05,
    },
}


class ConvergenceForm(QWidget):
    """The fields (layers, inits, activation, learning rates, runs, epochs, seed, loss threshold)
    and a preview of what they describe. ``window`` is the main window: its data set, output,
    loss, momentum and batch size complete every configuration."""

    def __init__(self, window: QWidget | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_ = window
        g = QGridLayout(self)
        g.setContentsMargins(0, 0, 0, 0)
        g.setHorizontalSpacing(6)
        g.setVerticalSpacing(3)
        g.setColumnStretch(1, 1)
        g.setColumnStretch(3, 1)
        self.layers_edit = QLineEdit()
        self.layers_edit.setObjectName("convergenceLayers")
        self.layers_edit.setToolTip(
            "Architectures, separated by ';': whole networks (2,2,1; 2,4,1) or hidden sizes "
            "(2; 4; 8,8). Input and output sizes follow the data set.")
        layers_label = QLabel("Layers")
        layers_label.setBuddy(self.layers_edit)  # screen readers say the label
        g.addWidget(layers_label, 0, 0)
        g.addWidget(self.layers_edit, 0, 1, 1, 3)
        self.preview = QLabel()
        self.preview.setObjectName("convergencePreview")
        self.preview.setWordWrap(True)
        g.addWidget(self.preview, 1, 0, 1, 4)
        inits = QWidget()
        row = QHBoxLayout(inits)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        self.init_boxes: dict[str, QCheckBox] = {}
        for name in INITS:
            box = QCheckBox(name)
            box.setObjectName(f"convergenceInit_{name}")
            box.setToolTip("Compare initialisers: every one ticked is a configuration")
            box.toggled.connect(self.update_preview)
            row.addWidget(box)
            self.init_boxes[name] = box
        row.addStretch(1)
        g.addWidget(QLabel("Init"), 2, 0)
        g.addWidget(inits, 2, 1, 1, 3)
        self.activation = QComboBox()
        self.activation.setObjectName("convergenceActivation")
        self.activation.addItems(list(activations.HIDDEN_ACTIVATIONS))
        self.lr_edit = QLineEdit()
        self.lr_edit.setObjectName("convergenceLr")
        self.lr_edit.setToolTip("Learning rate; several separated by ';' are compared")
        self.runs_spin = QSpinBox()
        self.runs_spin.setObjectName("convergenceRuns")
        self.runs_spin.setRange(1, 100_000)
        self.runs_spin.setValue(200)
        self.runs_spin.setGroupSeparatorShown(True)
        self.runs_spin.setToolTip("Random starts per configuration (seeds seed .. seed+runs-1)")
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setObjectName("convergenceEpochs")
        self.epochs_spin.setRange(1, 10_000_000)
        self.epochs_spin.setValue(5000)
        self.epochs_spin.setSingleStep(1000)
        self.epochs_spin.setGroupSeparatorShown(True)
        self.epochs_spin.setToolTip("Maximum epochs per run")
        self.seed_spin = QSpinBox()
        self.seed_spin.setObjectName("convergenceSeed")
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip("Run r starts from the weights of seed + r")
        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setObjectName("convergenceThreshold")
        self.threshold_spin.setDecimals(4)
        self.threshold_spin.setRange(0.0001, 100.0)
        self.threshold_spin.setSingleStep(0.01)
        self.threshold_spin.setValue(0.05)
        self.threshold_spin.setToolTip("A run converges at the first epoch whose loss is below "
                                       "this (and, if ticked, every point is classified right)")
        pairs = (("Activation", self.activation, "lr", self.lr_edit),
                 ("Runs", self.runs_spin, "Epochs", self.epochs_spin),
                 ("Seed", self.seed_spin, "Loss <", self.threshold_spin))
        for r, (l1, w1, l2, w2) in enumerate(pairs, start=3):
            label1, label2 = QLabel(l1), QLabel(l2)
            label1.setBuddy(w1)
            label2.setBuddy(w2)
            g.addWidget(label1, r, 0)
            g.addWidget(w1, r, 1)
            g.addWidget(label2, r, 2, Qt.AlignmentFlag.AlignRight)
            g.addWidget(w2, r, 3)
        self.all_correct = QCheckBox("converged also needs every point classified right")
        self.all_correct.setObjectName("convergenceAllCorrect")
        self.all_correct.setChecked(True)
        g.addWidget(self.all_correct, 6, 0, 1, 4)
        for w in (self.layers_edit, self.lr_edit):
            w.textChanged.connect(self.update_preview)

    # ---- reading the form ---------------------------------------------------------------------
    def data(self) -> tuple[np.ndarray, np.ndarray, str]:
        """The main window's training inputs, targets and data set name."""
        c = self.window_.controller if self.window_ is not None else None
        if c is None:
            raise ValueError("no main window to take the data set from")
        d = c.dataset
        name = d.name if c.settings.dataset != "csv" else "CSV data"
        return d.X_train, d.Y_train, name

    def selected_inits(self) -> list[str]:
        return [name for name, box in self.init_boxes.items() if box.isChecked()]

    def configs(self) -> list[ConvergenceConfig]:
        """The configurations the form describes (architectures x inits x learning rates), or
        ValueError naming the problem."""
        X, Y, _ = self.data()
        archs = parse_architectures(self.layers_edit.text(), X.shape[1], Y.shape[1])
        inits = self.selected_inits()
        if not inits:
            raise ValueError("tick at least one initialiser")
        rates = parse_rates(self.lr_edit.text())
        n = len(archs) * len(inits) * len(rates)
        if n > MAX_CONFIGS:
            raise ValueError(f"{n} configurations ({len(archs)} architectures x {len(inits)} "
                             f"inits x {len(rates)} learning rates); at most {MAX_CONFIGS}")
        s = self.window_.controller.settings
        out = []
        for arch in archs:
            for lr in rates:
                for init in inits:
                    out.append(ConvergenceConfig(
                        arch, activation=self.activation.currentText(), output=s.output,
                        loss=s.loss, init=init, lr=lr, momentum=s.momentum,
                        batch_size=s.batch_size, epochs=self.epochs_spin.value(),
                        runs=self.runs_spin.value(), seed=self.seed_spin.value(),
                        loss_threshold=self.threshold_spin.value(),
                        require_all_correct=self.all_correct.isChecked(),
                    ))
        return out

    @Slot()
    def update_preview(self) -> None:
        """Say what the fields describe (or what is wrong with them) under the layers."""
        try:
            X, Y, name = self.data()
            archs = parse_architectures(self.layers_edit.text(), X.shape[1], Y.shape[1])
            rates = parse_rates(self.lr_edit.text())
        except ValueError as exc:
            self.preview.setText(f"<span style='color:{ERROR_COLOUR}'>{exc}</span>")
            return
        s = self.window_.controller.settings
        n = len(archs) * max(1, len(self.selected_inits())) * len(rates)
        batch = "full batch" if s.batch_size is None else \
            "online" if s.batch_size == 1 else f"batch {s.batch_size}"
        extra = f", momentum {s.momentum:g}" if s.momentum else ""
        self.preview.setText(
            f"→ {', '.join(arch_text(a) for a in archs)} on {name} ({len(X)} points); "
            f"{s.output} output, {s.loss}, {batch}{extra}. {n} configuration"
            f"{'s' if n != 1 else ''}.")

    # ---- filling the form ---------------------------------------------------------------------
    @Slot()
    def prefill_from_window(self) -> None:
        """Copy the main window's architecture, init, activation, lr and seed into the form."""
        c = self.window_.controller
        s = c.settings
        self.layers_edit.setText(",".join(map(str, c.net.sizes)))
        for name, box in self.init_boxes.items():
            box.setChecked(name == s.init)
        self.activation.setCurrentText(s.activation)
        self.lr_edit.setText(f"{s.lr:g}")
        self.seed_spin.setValue(int(s.seed))
        self.update_preview()

    def fill(self, preset: dict) -> None:
        """The fields of one of PRESETS (its data set is the caller's business)."""
        self.layers_edit.setText(preset["layers"])
        for init, box in self.init_boxes.items():
            box.setChecked(init in preset["inits"])
        self.activation.setCurrentText(preset["activation"])
        self.lr_edit.setText(preset["lr"])
        self.runs_spin.setValue(preset["runs"])
        self.epochs_spin.setValue(preset["epochs"])
        self.threshold_spin.setValue(preset["threshold"])
        self.all_correct.setChecked(True)
        self.update_preview()
