"""The controls dock: data set, network shape, hyper-parameters, speed and view options.

Every field applies itself through the controller. A value the core rejects marks the field
(red frame, the reason in its tooltip and the status bar) and leaves the running network as it
was.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnviz.core import activations, datasets, losses
from nnviz.core.features import parse_features
from nnviz.core.network import INITS
from nnviz.gui.controller import Controller, parse_hidden
from nnviz.gui.theme import ERROR
from nnviz.gui.view_state import ViewState

OPEN_CSV = "Open CSV..."
#: Epochs per second; the slowest is one epoch per frame (the worker sends 30 frames a second).
SPEEDS: list[tuple[str, float | None]] = [
    ("max", None), ("10,000 / s", 10_000.0), ("3,000 / s", 3_000.0), ("1,000 / s", 1_000.0),
    ("300 / s", 300.0), ("100 / s", 100.0), ("1 epoch / frame", 30.0),
]
INVALID_STYLE = f"border: 2px solid {ERROR};"


def _mark(widget: QWidget, error: str | None, tip: str = "") -> None:
    """Mark a field invalid (red frame, the reason as its tooltip) or valid again (its own
    tooltip back)."""
    if not widget.property("invalid") and widget.property("baseTip") is None:
        widget.setProperty("baseTip", widget.toolTip())
    widget.setStyleSheet(INVALID_STYLE if error else "")
    widget.setToolTip(error or tip or widget.property("baseTip") or "")
    widget.setProperty("invalid", bool(error))


class ControlsPanel(QWidget):
    openCsvRequested = Signal()

    def __init__(self, controller: Controller, view_state: ViewState,
                 parent: QWidget | None = None) -> None:
        """view_state: the window's view options, which the View group shows and changes."""
        super().__init__(parent)
        self.c = controller
        self.view_state = view_state
        s = controller.settings
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)

        # ---- data
        data = QGroupBox("Data")
        f = QFormLayout(data)
        self.dataset = QComboBox()
        self.dataset.setObjectName("datasetCombo")
        self.dataset.addItems(list(datasets.names()) + [OPEN_CSV])
        self.dataset.setCurrentText(s.dataset)
        self.dataset.setToolTip("Generated 2-D sets and real UCI data sets")
        f.addRow("Data set", self.dataset)
        self.noise = QDoubleSpinBox(decimals=2, minimum=0.0, maximum=0.5, singleStep=0.05)
        self.noise.setValue(s.noise)
        self.noise.setToolTip("Noise of generated sets (label flips or jitter)")
        f.addRow("Noise", self.noise)
        self.test_ratio = QDoubleSpinBox(decimals=2, minimum=0.0, maximum=0.9, singleStep=0.1)
        self.test_ratio.setValue(s.test_ratio)
        self.test_ratio.setToolTip("Fraction of the data held out as a test set")
        f.addRow("Test ratio", self.test_ratio)
        self.features = QLineEdit(",".join(s.features))
        self.features.setObjectName("inputFeaturesEdit")
        self.features.setPlaceholderText("x1,x2 (raw)")
        self._features_tip = ("Input features of 2-D data, comma separated: x1, x2, x1^2, x2^2, "
                              "x1x2, sinx1, sinx2; empty feeds the raw inputs")
        self.features.setToolTip(self._features_tip)
        f.addRow("Features", self.features)
        # The one-line notice after a data set switch applied its recommended setup.
        notice = QHBoxLayout()
        self.setup_notice = QLabel()
        self.setup_notice.setObjectName("setupNotice")
        self.setup_notice.setWordWrap(True)
        self.undo_setup = QToolButton()
        self.undo_setup.setObjectName("undoSetupButton")
        self.undo_setup.setText("Undo")
        self.undo_setup.setAccessibleName("Undo the recommended setup")
        self.undo_setup.setToolTip("Back to the network and training settings you had")
        self.undo_setup.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        notice.addWidget(self.setup_notice, 1)
        notice.addWidget(self.undo_setup)
        f.addRow(notice)
        self._notice_row = (f, f.rowCount() - 1)
        self._show_notice("")
        outer.addWidget(data)

        # ---- network
        netbox = QGroupBox("Network")
        f = QFormLayout(netbox)
        self.hidden = QLineEdit(",".join(map(str, s.hidden)))
        self.hidden.setObjectName("hiddenLayersEdit")
        self.hidden.setPlaceholderText("e.g. 4 or 8,8")
        self._hidden_tip = "Hidden layer sizes, comma separated; input and output follow the data"
        self.hidden.setToolTip(self._hidden_tip)
        f.addRow("Hidden layers", self.hidden)
        self.bias = QLineEdit(s.bias)
        self.bias.setObjectName("biasModesEdit")
        self.bias.setPlaceholderText("trained, or e.g. trained,none")
        self._bias_tip = ("Bias of each weight layer: trained, frozen (kept at its value) or "
                          "none (no bias); one mode for all layers or one per layer, comma "
                          "separated")
        self.bias.setToolTip(self._bias_tip)
        f.addRow("Biases", self.bias)
        self.activation = QComboBox()
        self.activation.addItems(list(activations.HIDDEN_ACTIVATIONS))
        self.activation.setCurrentText(s.activation)
        f.addRow("Activation", self.activation)
        self.output = QComboBox()
        self.output.addItems(list(activations.OUTPUT_ACTIVATIONS))
        self.output.setCurrentText(s.output)
        f.addRow("Output", self.output)
        self.loss = QComboBox()
        self.loss.addItems(list(losses.LOSSES))
        self.loss.setCurrentText(s.loss)
        f.addRow("Loss", self.loss)
        self.init = QComboBox()
        self.init.addItems(list(INITS))
        self.init.setCurrentText(s.init)
        f.addRow("Init", self.init)
        self.seed = QSpinBox(minimum=0, maximum=2**31 - 1)
        self.seed.setValue(s.seed)
        self.seed.setToolTip("Seed of the initial weights and the sample order")
        f.addRow("Seed", self.seed)
        outer.addWidget(netbox)

        # ---- training
        train = QGroupBox("Training")
        f = QFormLayout(train)
        self.lr = QDoubleSpinBox(decimals=5, minimum=0.00001, maximum=1000.0, singleStep=0.05)
        self.lr.setObjectName("learningRateSpin")
        self.lr.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
        self.lr.setValue(s.lr)
        self.lr.setToolTip("Learning rate; takes effect at once, even while training")
        f.addRow("Learning rate", self.lr)
        row = QHBoxLayout()
        self.batch_mode = QComboBox()
        self.batch_mode.addItems(["full batch", "mini-batch", "online"])
        self.batch_size = QSpinBox(minimum=1, maximum=100_000)
        self.batch_size.setValue(s.batch_size or 16)
        mode = "full batch" if s.batch_size is None else "online" if s.batch_size == 1 \
            else "mini-batch"
        self.batch_mode.setCurrentText(mode)
        self.batch_size.setEnabled(mode == "mini-batch")
        self.batch_mode.setAccessibleName("Batch mode")
        self.batch_size.setAccessibleName("Mini-batch size")
        row.addWidget(self.batch_mode, 2)
        row.addWidget(self.batch_size, 1)
        f.addRow("Batch", row)
        self.momentum = QDoubleSpinBox(decimals=3, minimum=0.0, maximum=0.999, singleStep=0.1)
        self.momentum.setValue(s.momentum)
        f.addRow("Momentum", self.momentum)
        self.l2 = QDoubleSpinBox(decimals=5, minimum=0.0, maximum=10.0, singleStep=0.001)
        self.l2.setValue(s.l2)
        f.addRow("L2", self.l2)
        self.l1 = QDoubleSpinBox(decimals=5, minimum=0.0, maximum=10.0, singleStep=0.001)
        self.l1.setObjectName("l1Spin")
        self.l1.setValue(s.l1)
        self.l1.setToolTip("L1 penalty: adds l1 * sign(w) to every weight's gradient")
        f.addRow("L1", self.l1)
        self.speed = QComboBox()
        self.speed.setObjectName("speedCombo")
        for label, rate in SPEEDS:
            self.speed.addItem(label, rate)
        self.speed.setToolTip("Epochs per second while playing, up to as fast as possible")
        f.addRow("Speed (epochs)", self.speed)
        rule = controller.stop_rule
        self.auto_stop = QCheckBox("Stop when converged")
        self.auto_stop.setObjectName("autoStopCheck")
        self.auto_stop.setAccessibleName("Stop when converged")
        self.auto_stop.setChecked(rule.enabled)
        self.auto_stop.setToolTip("Play stops at the first epoch with the accuracy reached and "
                                  "the loss under the threshold")
        f.addRow(self.auto_stop)
        self.stop_accuracy = QDoubleSpinBox(decimals=1, minimum=1.0, maximum=100.0,
                                            singleStep=1.0, suffix=" %")
        self.stop_accuracy.setObjectName("stopAccuracySpin")
        self.stop_accuracy.setToolTip("Training accuracy auto-stop waits for (100 %: every "
                                      "point correct), with the loss below")
        f.addRow("Stop at", self.stop_accuracy)
        self.stop_loss = QDoubleSpinBox(decimals=4, minimum=0.0001, maximum=100.0,
                                        singleStep=0.01)
        self.stop_loss.setObjectName("stopLossSpin")
        self.stop_loss.setToolTip("Auto-stop also waits for the training loss to be at most this")
        f.addRow("and loss ≤", self.stop_loss)
        outer.addWidget(train)

        # ---- buttons (bound to the window's actions later)
        self.buttons = QHBoxLayout()
        self._last_button: QToolButton | None = None
        outer.addLayout(self.buttons)

        # ---- view
        view = QGroupBox("View")
        f = QFormLayout(view)
        self.edge_mode = QComboBox()
        self.edge_mode.addItem("weight", "weight")
        self.edge_mode.addItem("gradient dE/dw", "gradient")
        self.edge_mode.setCurrentIndex(self.edge_mode.findData(view_state.edge_mode))
        f.addRow("Edges show", self.edge_mode)
        self.colour_scale = QDoubleSpinBox(decimals=3, minimum=0.0, maximum=1e4, singleStep=0.1)
        self.colour_scale.setObjectName("colourScaleSpin")
        self.colour_scale.setSpecialValueText("auto")  # 0: rescale every frame
        self.colour_scale.setPrefix("± ")
        self.colour_scale.setToolTip(
            "Weights of this size or more are drawn at full colour (larger ones saturate and "
            "the legend counts them). Fixed at the initial weights' largest by default, so "
            "growing weights look it; 0 = auto, rescaled every frame")
        f.addRow("Colour scale", self.colour_scale)
        self.min_mag = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=100)
        self.min_mag.setValue(round(view_state.min_magnitude * 100))
        self.min_mag.setToolTip("Hide edges whose magnitude is below this fraction of the scale")
        f.addRow("Hide small", self.min_mag)
        self.sample = QSpinBox(minimum=1, maximum=1)
        self.sample.setToolTip("The sample whose activations the nodes show, and the one "
                                "single-stepping takes next (as the Step dock's sample list)")
        f.addRow("Sample", self.sample)
        self.show_test = QCheckBox("Show test data")
        self.show_test.setObjectName("showTestCheck")
        self.show_test.setAccessibleName("Show test data")
        self.show_test.setChecked(view_state.show_test)
        self.show_test.setToolTip("Test points on the decision boundary and the test loss "
                                  "curve (with a test ratio above 0)")
        f.addRow(self.show_test)
        outer.addWidget(view)
        outer.addStretch(1)

        self._connect()
        self.sync_from_controller()

    def add_action_button(self, action) -> QToolButton:
        b = QToolButton()
        b.setDefaultAction(action)
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.buttons.addWidget(b)
        # Tab reaches the buttons where they sit, after the training fields, not last
        QWidget.setTabOrder(self._last_button or self.stop_loss, b)
        self._last_button = b
        return b

    def _connect(self) -> None:
        self.dataset.activated.connect(self._on_dataset)
        self.noise.editingFinished.connect(self._on_data_option)
        self.test_ratio.editingFinished.connect(self._on_data_option)
        self.hidden.editingFinished.connect(self._on_hidden)
        self.bias.editingFinished.connect(self._on_bias)
        self.features.editingFinished.connect(self._on_features)
        for combo, key in ((self.activation, "activation"), (self.output, "output"),
                           (self.loss, "loss"), (self.init, "init")):
            combo.activated.connect(lambda _i, c=combo, k=key: self._on_structure(k, c))
        self.seed.editingFinished.connect(self._on_seed)
        self.lr.valueChanged.connect(self._on_lr)
        self.batch_mode.activated.connect(self._on_batch)
        self.batch_size.editingFinished.connect(self._on_batch)
        self.momentum.valueChanged.connect(self._on_optimizer)
        self.l2.valueChanged.connect(self._on_optimizer)
        self.l1.valueChanged.connect(self._on_optimizer)
        self.speed.activated.connect(self._on_speed)
        self.auto_stop.toggled.connect(lambda on: self.c.set_stop_rule(enabled=on))
        self.stop_accuracy.valueChanged.connect(self._on_stop_rule)
        self.stop_loss.valueChanged.connect(self._on_stop_rule)
        self.undo_setup.clicked.connect(self._on_undo_setup)
        vs = self.view_state
        self.show_test.toggled.connect(vs.set_show_test)
        vs.showTestChanged.connect(self.show_test.setChecked)
        self.edge_mode.activated.connect(
            lambda _i: vs.set_edge_mode(self.edge_mode.currentData()))
        vs.edgeModeChanged.connect(
            lambda mode: self.edge_mode.setCurrentIndex(self.edge_mode.findData(mode)))
        self.min_mag.valueChanged.connect(lambda v: vs.set_min_magnitude(v / 100.0))
        vs.minMagnitudeChanged.connect(self._show_min_magnitude)
        self.colour_scale.editingFinished.connect(self._on_colour_scale)
        self.sample.valueChanged.connect(lambda v: self.c.select_sample(v - 1))
        self.c.networkRebuilt.connect(self.sync_from_controller)
        self.c.sampleSelected.connect(self._show_sample)

    @Slot()
    def sync_from_controller(self) -> None:
        """Show the controller's settings (after a rebuild, a loaded session or run)."""
        s = self.c.settings
        n = len(self.c.dataset.X_train)
        fields = (self.dataset, self.noise, self.test_ratio, self.features, self.hidden, self.bias,
                  self.activation,
                  self.output, self.loss, self.init, self.seed, self.lr, self.batch_mode,
                  self.batch_size, self.momentum, self.l2, self.l1, self.speed, self.sample,
                  self.auto_stop, self.stop_accuracy, self.stop_loss, self.colour_scale)
        blocked = [w.blockSignals(True) for w in fields]  # showing values must not re-apply them
        try:
            self.sample.setMaximum(max(1, n))
            self.sample.setValue(self.c.selected_sample + 1)
            label = s.dataset if s.dataset != "csv" else "csv"
            if self.dataset.findText(label) < 0:
                self.dataset.insertItem(self.dataset.count() - 1, label)
            self.dataset.setCurrentText(label)
            self.noise.setValue(s.noise)
            self.test_ratio.setValue(s.test_ratio)
            self.hidden.setText(",".join(map(str, s.hidden)))
            self.bias.setText(s.bias)
            self.features.setText(",".join(s.features))
            self.activation.setCurrentText(s.activation)
            self.output.setCurrentText(s.output)
            self.loss.setCurrentText(s.loss)
            self.init.setCurrentText(s.init)
            self.seed.setValue(s.seed)
            self.lr.setValue(s.lr)
            mode = "full batch" if s.batch_size is None else "online" if s.batch_size == 1 \
                else "mini-batch"
            self.batch_mode.setCurrentText(mode)
            if s.batch_size and s.batch_size > 1:
                self.batch_size.setValue(s.batch_size)
            self.batch_size.setEnabled(mode == "mini-batch")
            self.momentum.setValue(s.momentum)
            self.l2.setValue(s.l2)
            self.l1.setValue(s.l1)
            index = self.speed.findData(s.max_rate)
            self.speed.setCurrentIndex(max(0, index))
            self.colour_scale.setValue(
                0.0 if self.c.colour_mode == "auto" else self.c.colour_scale)
            rule = self.c.stop_rule
            self.auto_stop.setChecked(rule.enabled)
            self.stop_accuracy.setValue(100 * rule.accuracy)
            self.stop_loss.setValue(rule.loss_threshold)
        finally:
            for w, was in zip(fields, blocked, strict=True):
                w.blockSignals(was)
        for w in (self.hidden, self.bias, self.features, self.activation, self.output,
                  self.loss, self.init, self.dataset, self.seed, self.noise, self.test_ratio,
                  self.lr, self.batch_mode):
            _mark(w, None)  # earlier rejections no longer apply
        self.hidden.setToolTip(self._hidden_tip)
        self.bias.setToolTip(self._bias_tip)
        self.features.setToolTip(self._features_tip)

    @Slot(int)
    def _show_sample(self, row: int) -> None:
        if self.sample.value() != row + 1:
            blocked = self.sample.blockSignals(True)
            self.sample.setValue(row + 1)
            self.sample.blockSignals(blocked)

    # ---- handlers ---------------------------------------------------------------------------
    def _apply(self, widget: QWidget, **changes) -> None:
        error = self.c.apply_settings(**changes)
        _mark(widget, error)

    def _on_dataset(self, _index: int) -> None:
        name = self.dataset.currentText()
        if name == OPEN_CSV:
            self.dataset.setCurrentText(self.c.settings.dataset)
            self.openCsvRequested.emit()
            return
        if name == self.c.settings.dataset:
            return
        error = self.c.choose_dataset(name)
        _mark(self.dataset, error)
        if error is None:
            self._show_notice(self.c.setup_notice())

    def _show_notice(self, text: str) -> None:
        self.setup_notice.setText(text)
        form, row = self._notice_row
        form.setRowVisible(row, bool(text))  # a hidden row, so an empty group can hide

    def _on_undo_setup(self) -> None:
        error = self.c.undo_setup()
        self._show_notice(error and f"Not undone: {error}" or "")

    def _on_data_option(self) -> None:
        self._apply(self.noise, noise=self.noise.value(), test_ratio=self.test_ratio.value())

    def _on_hidden(self) -> None:
        try:
            hidden = parse_hidden(self.hidden.text())
        except ValueError as exc:
            _mark(self.hidden, str(exc))
            self.c.statusChanged.emit(f"Not applied: {exc}")
            return
        if hidden == self.c.settings.hidden:
            _mark(self.hidden, None, self._hidden_tip)
            return
        self._apply(self.hidden, hidden=hidden)
        if not self.hidden.property("invalid"):
            self.hidden.setToolTip(self._hidden_tip)

    def _on_features(self) -> None:
        text = self.features.text().strip()
        try:
            feats = parse_features(text) if text else ()
        except ValueError as exc:
            _mark(self.features, str(exc))
            self.c.statusChanged.emit(f"Not applied: {exc}")
            return
        if feats == self.c.settings.features:
            _mark(self.features, None, self._features_tip)
            return
        self._apply(self.features, features=feats)
        if not self.features.property("invalid"):
            self.features.setToolTip(self._features_tip)

    def _on_bias(self) -> None:
        spec = self.bias.text().strip().lower().replace(" ", "") or "trained"
        if spec == self.c.settings.bias:
            _mark(self.bias, None, self._bias_tip)
            return
        self._apply(self.bias, bias=spec)
        if not self.bias.property("invalid"):
            self.bias.setToolTip(self._bias_tip)

    def _on_structure(self, key: str, combo: QComboBox) -> None:
        self._apply(combo, **{key: combo.currentText()})

    def _on_seed(self) -> None:
        if self.seed.value() != self.c.settings.seed:
            self._apply(self.seed, seed=self.seed.value())

    def _on_lr(self, value: float) -> None:
        _mark(self.lr, self.c.set_lr(value), "Learning rate; takes effect at once")

    def _on_batch(self) -> None:
        mode = self.batch_mode.currentText()
        self.batch_size.setEnabled(mode == "mini-batch")
        batch = None if mode == "full batch" else 1 if mode == "online" else self.batch_size.value()
        _mark(self.batch_mode, self.c.set_batch_size(batch))

    def _on_optimizer(self) -> None:
        self.c.set_optimizer(momentum=self.momentum.value(), l2=self.l2.value(),
                             l1=self.l1.value())

    def _on_stop_rule(self) -> None:
        self.c.set_stop_rule(accuracy=self.stop_accuracy.value() / 100,
                             loss_threshold=self.stop_loss.value())

    def _on_speed(self, index: int) -> None:
        self.c.set_max_rate(self.speed.itemData(index))

    def _on_colour_scale(self) -> None:
        value = self.colour_scale.value()
        if value == 0.0:
            self.c.set_colour_scale(None)
        elif value != self.c.colour_scale or self.c.colour_mode == "auto":
            self.c.set_colour_scale(value)

    @Slot(float)
    def _show_min_magnitude(self, value: float) -> None:
        # A value between the slider's steps (a session's 0.125) stays the ViewState's: the
        # slider shows the nearest step without sending it back.
        blocked = self.min_mag.blockSignals(True)
        self.min_mag.setValue(round(value * 100))
        self.min_mag.blockSignals(blocked)
