"""File > Open CSV: preview your own table, choose the target and the feature columns, load it.

The dialog reads the file once, on a thread of its own (`nnviz.gui.csv_reader`): its first rows
are previewed at once, then the whole file is read, and the data set for every choice is built
with the core loader (`nnviz.core.datasets.load_csv`) from that one reading, also off the GUI
thread; so the class counts it shows and the errors it reports (with the file's line numbers,
which the preview shows as row labels) are exactly those of the data that would be loaded, and
a large file never freezes the window. It says what the reader decided about the first line
(`header_note`). The preview (`nnviz.gui.csv_preview`) shows the first PREVIEW_ROWS rows and
PREVIEW_COLUMNS columns. An error stays inside the dialog; OK loads only data that parsed. The
network's input and output layers then follow the data (the hidden layers stay); the output
activation and loss change only when they cannot fit the target (e.g. softmax for two classes,
or a class target for a regression column). See README, "Export and your own data" and
"Limits and failures".

Tests drive it without a modal loop: ``dlg = CsvDialog(path)``, ``dlg.set_target("label")``,
``dlg.set_features([0, 2])``, ``dlg.class_counts()``, ``dlg.dataset()`` (raises DatasetError),
``dlg.error_text()``, ``dlg.accept()``; these wait for the reader's answer, and ``dlg.settle()``
does so before a test reads the widgets. The app opens it with the non-blocking ``dlg.open()``.
"""
from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.csv_table import Table
from nnviz.core.datasets import Dataset, DatasetError
from nnviz.core.metrics import default_output
from nnviz.gui import theme
from nnviz.gui.accessibility import untrap_tables
from nnviz.gui.csv_columns import FeatureColumns
from nnviz.gui.csv_preview import RIGHT, CsvPreview
from nnviz.gui.csv_reader import TableReader

if TYPE_CHECKING:
    from nnviz.gui.main_window import MainWindow

DEBOUNCE_MS = 150  # a new choice is sent to the reader after this long without another
POLL_MS = 25  # how often the dialog looks for the reader's results while it works
SETTLE_SECONDS = 120.0  # settle() gives up after this (a test's file is read in well under)
CSV_FILTER = "Data files (*.csv *.txt *.data *.tsv);;All files (*)"
LAST_DIR_KEY = "csv/last_dir"
ERROR_STYLE = theme.CSV_ERROR_STYLE
_LINE = re.compile(r"\blines? (\d+)")

__all__ = ["CsvDialog", "CsvOpener", "ask_csv_path", "fit_output", "install", "load_into"]


def ask_csv_path(parent: QWidget | None, directory: str = "") -> str | None:
    """The file to preview (module level so tests can replace it)."""
    path, _ = QFileDialog.getOpenFileName(parent, "Open CSV data", directory, CSV_FILTER)
    return path or None


def fit_output(data: Dataset, output: str, loss: str) -> tuple[str, str]:
    """An output activation and loss that fit the data's target, keeping the current ones when
    they already do."""
    if data.class_names and data.n_outputs > 1:  # one-hot classes
        if output == "softmax":
            return output, loss if loss in ("cross_entropy", "mse") else "cross_entropy"
        return "softmax", "cross_entropy"
    if data.class_names:  # two classes in one 0/1 column
        if output == "sigmoid":
            return output, loss if loss in ("mse", "bce") else "bce"
        return "sigmoid", "mse"
    return default_output(data)  # numbers: linear, or sigmoid when all lie inside (0, 1)


class CsvDialog(QDialog):
    """Preview a table, choose target and features, see class counts and parse errors."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        parent: QWidget | None = None,
        *,
        loader: Callable[[Dataset], str | None] | None = None,
        test_ratio: float = 0.0,
        seed: int = 0,
        hidden: Sequence[int] | None = None,
    ) -> None:
        super().__init__(parent)
        self.path = Path(os.fspath(path))
        self.loader = loader
        self.seed = int(seed)
        self.hidden = None if hidden is None else tuple(hidden)
        self.loaded: Dataset | None = None
        self._data: Dataset | None = None
        self._error = ""
        self._read_error = ""
        self._table: Table | None = None  # what the preview shows: the first rows, then all
        self._updating = False
        self._was_target = -1
        self._table_taken = False
        self._request = 0  # number of the newest data set asked of the reader
        self._shown = 0  # number of the one shown
        self.setObjectName("csvDialog")
        self.setWindowTitle(f"Open CSV data — {self.path.name}")
        self._build_ui(test_ratio)
        self.ok_button.setEnabled(False)
        self.preview_label.setText(f"Reading {self.path.name}…")
        self.resize(1000, 620)
        self._poller = QTimer(self)
        self._poller.setInterval(POLL_MS)
        self._poller.timeout.connect(self._poll)
        self._poller.start()
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._send_request)
        # Closed in done() (Load, Cancel, closing the window); a dialog dropped unclosed leaves
        # an idle daemon thread, never a running one.
        self.reader = TableReader(self.path)

    # ---- construction -----------------------------------------------------------------------
    def _build_ui(self, test_ratio: float) -> None:
        outer = QVBoxLayout(self)
        self.path_label = QLabel(str(self.path))
        self.path_label.setObjectName("csvPath")
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.path_label)

        body = QHBoxLayout()
        left = QVBoxLayout()
        self.preview_label = QLabel("Preview")
        left.addWidget(self.preview_label)
        self.table = CsvPreview()
        left.addWidget(self.table, 1)
        body.addLayout(left, 3)

        right = QVBoxLayout()
        cols = QGroupBox("Columns")
        form = QFormLayout(cols)
        self.header_box = QCheckBox("First row holds the column names")
        self.header_box.setObjectName("csvHeader")
        form.addRow(self.header_box)
        self.header_note = QLabel("")
        self.header_note.setObjectName("csvHeaderNote")
        self.header_note.setWordWrap(True)
        self.header_note.setToolTip("What the reader decided about the first line")
        form.addRow(self.header_note)
        self.target_combo = QComboBox()
        self.target_combo.setObjectName("csvTarget")
        self.target_combo.setToolTip("The column the network learns to predict")
        form.addRow("Target", self.target_combo)
        self.task_combo = QComboBox()
        self.task_combo.setObjectName("csvTask")
        for label, task in (("inferred from the target", None), ("classify", "classify"),
                            ("regress (numbers)", "regress")):
            self.task_combo.addItem(label, task)
        self.task_combo.setToolTip("Classes or numbers to predict; inferred: integers with few "
                                   "distinct values and text are classes, other numbers are "
                                   "predicted as numbers")
        form.addRow("Task", self.task_combo)
        self.more_targets = QLineEdit()
        self.more_targets.setObjectName("csvMoreTargets")
        self.more_targets.setPlaceholderText("other numeric columns, e.g. t2,t3")
        self.more_targets.setToolTip("Further target columns (names as in the preview): the "
                                     "network then predicts several numbers (regression)")
        form.addRow("More targets", self.more_targets)
        self.features = FeatureColumns(self)
        self.features_list = QListView()
        self.features_list.setModel(self.features)
        self.features_list.setUniformItemSizes(True)  # no per-row size query over 10,000 rows
        self.features_list.setObjectName("csvFeatures")
        self.features_list.setAccessibleName("Feature columns")
        self.features_list.setToolTip("The input columns (numbers only)")
        feats = QVBoxLayout()
        feats.addWidget(self.features_list, 1)
        row = QHBoxLayout()
        all_button, none_button = QPushButton("All"), QPushButton("None")
        all_button.setAccessibleName("Tick every feature column")
        none_button.setAccessibleName("Untick every feature column")
        all_button.clicked.connect(functools.partial(self._check_all, True))
        none_button.clicked.connect(functools.partial(self._check_all, False))
        row.addWidget(all_button)
        row.addWidget(none_button)
        row.addStretch(1)
        feats.addLayout(row)
        form.addRow("Features", feats)
        self.test_ratio = QDoubleSpinBox(decimals=2, minimum=0.0, maximum=0.9, singleStep=0.05)
        self.test_ratio.setObjectName("csvTestRatio")
        self.test_ratio.setValue(float(test_ratio))
        self.test_ratio.setToolTip("Fraction of the rows held out as a test set (stratified)")
        form.addRow("Test ratio", self.test_ratio)
        self.standardize_box = QCheckBox("Standardize inputs (mean 0, std 1)")
        self.standardize_box.setObjectName("csvStandardize")
        self.standardize_box.setChecked(True)
        form.addRow(self.standardize_box)
        right.addWidget(cols, 3)

        target = QGroupBox("Target")
        tl = QVBoxLayout(target)
        self.counts_table = QTableWidget(0, 3)
        self.counts_table.setObjectName("csvClassCounts")
        self.counts_table.setAccessibleName("Rows per class")
        self.counts_table.setHorizontalHeaderLabels(["class", "rows", "test"])
        self.counts_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.counts_table.verticalHeader().hide()
        self.counts_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch)
        tl.addWidget(self.counts_table)
        self.target_note = QLabel("")
        self.target_note.setObjectName("csvTargetNote")
        self.target_note.setWordWrap(True)
        tl.addWidget(self.target_note)
        right.addWidget(target, 2)
        body.addLayout(right, 2)
        outer.addLayout(body, 1)

        self.summary = QLabel("")
        self.summary.setObjectName("csvSummary")
        self.summary.setWordWrap(True)
        outer.addWidget(self.summary)
        self.error_label = QLabel("")
        self.error_label.setObjectName("csvError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        outer.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Load")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)

        self.header_box.toggled.connect(self._on_header)
        self.target_combo.currentIndexChanged.connect(self._on_target)
        self.features.toggled.connect(self._on_features)
        self.test_ratio.valueChanged.connect(self.update_result)
        self.standardize_box.toggled.connect(self.update_result)
        self.task_combo.currentIndexChanged.connect(self.update_result)
        self.more_targets.editingFinished.connect(self.update_result)
        untrap_tables(self)

    # ---- reading ----------------------------------------------------------------------------
    def _short(self, message: str) -> str:
        # The loader names the file by its full path; the dialog already shows it.
        return message.replace(f"{self.path}: ", f"{self.path.name}: ")

    @Slot()
    def _poll(self) -> None:
        """Show what the reader has finished (the timer runs only while it works)."""
        if self.reader.read_done.is_set():
            self._take_table()
        elif self.reader.head_done.is_set():
            self._take_head()
        if self._request and self._shown != self._request and self.reader.ready(self._request):
            self._take_result()
        if self._table_taken and self._shown == self._request:
            self._poller.stop()

    def _take_head(self) -> None:
        """Preview the file's first rows while the reader reads the rest (once)."""
        if self._table is not None or self.reader.head is None:
            return
        self._table = self.reader.head
        self._set_header(self._table.header, self._table.header_note)
        self._fill_preview()

    def _take_table(self) -> None:
        """Show the table the reader has read (once)."""
        if self._table_taken:
            return
        self._table_taken = True
        self._read_file()
        self._fill_columns(target=-1)
        self.update_result()

    def _take_result(self) -> None:
        data, error = self.reader.result(self._request, timeout=SETTLE_SECONDS)
        self._shown = self._request
        self._data, self._error = data, self._short(error)
        self._show_result()

    def _wait_for_table(self) -> None:
        if not self.reader.read_done.wait(SETTLE_SECONDS):
            raise TimeoutError(f"{self.path.name}: still reading")
        self._take_table()

    def settle(self) -> None:
        """Wait for the reading and the data set of the current choices, and show them (the
        app gets them by signal; tests and Load call this)."""
        self._wait_for_table()
        if self._debounce.isActive():
            self._send_request()
        if self._request and self._shown != self._request:
            self._take_result()

    def done(self, result: int) -> None:  # noqa: D102 (QDialog override: also stop the reader)
        self.reader.close()
        super().done(result)

    def _read_file(self) -> None:
        # The core's own reader and header rule, so the preview splits the cells exactly as
        # the loader will.
        self._table = table = self.reader.table
        if table is None:
            self._read_error = self._short(self.reader.read_error)
            self._set_header(False, "")
        else:
            self._set_header(table.header, table.header_note)

    def _set_header(self, on: bool, note: str) -> None:
        """The reader's decision about the first line, and why (the box stays the user's)."""
        self.header_box.blockSignals(True)
        self.header_box.setChecked(on)
        self.header_box.blockSignals(False)
        self.header_note.setText(f"Read as: {note}." if note else "")

    def column_names(self) -> list[str]:
        t = self._table
        if t is None:
            return []
        if self.header_box.isChecked():
            return [c or f"column {j + 1}" for j, c in enumerate(t.first)]
        return [f"column {j + 1}" for j in range(t.width)]

    def _fill_columns(self, target: int, features: Sequence[int] | None = None) -> None:
        """Target combo and feature list for the current header choice."""
        names = self.column_names()
        self._updating = True
        try:
            self.target_combo.clear()
            self.target_combo.addItems(names)
            t = target % len(names) if names else -1
            self.target_combo.setCurrentIndex(t)
            checked = np.ones(len(names), bool)
            if features is not None:
                checked[:] = False
                checked[[j for j in features if 0 <= j < len(names)]] = True
            self.features.set_columns(names, checked, t)
        finally:
            self._updating = False
        self._fill_preview()

    def _fill_preview(self) -> None:
        t = self._table
        header = self.header_box.isChecked()
        rows = [] if t is None else t.head[1:] if header else t.head
        shown, full = self.table.show_rows(rows, self.column_names())
        width = self.table.columnCount()
        count = 0 if t is None else max(0, len(t) - header)
        if t is not None and not t.complete:
            more = f"first {shown} rows; reading the rest of the file…"
        else:
            more = f"first {shown} of {count:,} rows" if count > shown else f"{count} rows"
        if full > width:
            more += f", first {width} of {full:,} columns"
        self.preview_label.setText(f"Preview ({more}; row labels are line numbers)")
        self._style_preview()

    def _style_preview(self) -> None:
        # Until the whole file is read nothing is chosen yet: no column is shown as unused.
        features = (set(self.feature_indices()) if self._table_taken
                    else set(range(self.table.columnCount())))
        self.table.restyle(self.target_combo.currentIndex(), features, self._error_line())

    def _error_line(self) -> int | None:
        match = _LINE.search(self._error)
        return int(match.group(1)) if match else None

    # ---- choices ----------------------------------------------------------------------------
    def target_index(self) -> int:
        return self.target_combo.currentIndex()

    def target_name(self) -> str:
        return self.target_combo.currentText()

    def more_target_indices(self) -> list[int]:
        """The further target columns typed in "More targets" (DatasetError naming a bad one)."""
        out = []
        for part in self.more_targets.text().split(","):
            if part.strip():
                try:
                    j = self._index(part.strip(), "target")
                except ValueError as exc:
                    raise DatasetError(f"{self.path.name}: more targets: {exc}") from None
                if j != self.target_index() and j not in out:
                    out.append(j)
        return out

    def feature_indices(self) -> list[int]:
        return self.features.features()

    def _index(self, column: str | int, role: str) -> int:
        names = self.column_names()
        if isinstance(column, str):
            if column not in names:
                raise ValueError(f"no {role} column {column!r}; columns: {', '.join(names)}")
            return names.index(column)
        if isinstance(column, bool) or not -len(names) <= int(column) < len(names):
            raise ValueError(f"{role} column index {column!r} is out of range for "
                             f"{len(names)} columns")
        return int(column) % len(names)

    def set_header(self, on: bool) -> None:
        self._wait_for_table()
        self.header_box.setChecked(bool(on))

    def set_target(self, column: str | int) -> None:
        """Choose the target by column name or index (negative counts from the end)."""
        self._wait_for_table()
        self.target_combo.setCurrentIndex(self._index(column, "target"))

    def set_features(self, columns: Sequence[str | int]) -> None:
        """Use exactly these columns (names or indices) as inputs."""
        self._wait_for_table()
        checked = np.zeros(len(self.features.names), bool)
        checked[[self._index(c, "feature") for c in columns]] = True
        self.features.set_checked(checked)
        self.update_result()

    def set_test_ratio(self, ratio: float) -> None:
        self.test_ratio.setValue(float(ratio))

    def _check_all(self, on: bool) -> None:
        self.set_features(range(len(self.features.names)) if on else [])

    @Slot(bool)
    def _on_header(self, _on: bool) -> None:
        # Same column positions, new names; keep the choices made so far.
        self._fill_columns(self.target_index(), self.feature_indices())
        self.update_result()

    @Slot(int)
    def _on_target(self, _index: int) -> None:
        if self._updating:
            return
        previous, new = self._was_target, self.target_index()
        # The column that stops being the target becomes a feature again.
        if previous != new and 0 <= previous < len(self.features.names):
            self.features.checked[previous] = True
        self.features.set_target(new)
        self._was_target = new
        self.update_result()

    @Slot()
    def _on_features(self) -> None:
        if not self._updating:
            self.update_result()

    # ---- result -----------------------------------------------------------------------------
    def dataset(self) -> Dataset:
        """The data set for the current choices; raises DatasetError naming the line."""
        self.settle()
        if self._data is None:
            raise DatasetError(self._error or f"{self.path.name}: nothing to load")
        return self._data

    def error_text(self) -> str:
        self.settle()
        return self._error

    def class_counts(self) -> dict[str, int]:
        """Rows per class of the chosen target ({} for a regression target or an error)."""
        self.settle()
        return {name: total for name, total, _ in self._counts()}

    def _read_problem(self) -> str:
        if self._read_error:
            return self._read_error
        if self._table is None or self._table.width == 0:
            return f"{self.path.name}: line 1: file is empty (no data rows)"
        return ""

    def _counts(self) -> list[tuple[str, int, int]]:
        d = self._data
        if d is None or not d.class_names:
            return []
        def per_class(Y: np.ndarray) -> list[int]:  # noqa: N803 (maths name)
            if Y.shape[1] == 1:
                return [int(np.sum(Y[:, 0] == 0)), int(np.sum(Y[:, 0] == 1))]
            return [int(v) for v in Y.sum(axis=0)]
        train, test = per_class(d.Y_train), per_class(d.Y_test)
        return [(name, a + b, b) for name, a, b in zip(d.class_names, train, test, strict=True)]

    @Slot()
    def update_result(self, *_args: object) -> None:
        """Ask the reader for the data set of the current choices (counts, summary or the
        error follow when it answers); OK waits for that answer."""
        if self._updating or not self._table_taken:
            return
        problem = self._read_problem()
        if problem:
            self._data, self._error = None, problem
            self._show_result()
            return
        self.ok_button.setEnabled(False)
        if self._request:
            # Wait for a pause in the clicking: the reader's work competes with the window
            # for Python's lock, and a tick of a box should repaint at once.
            self._debounce.start()
        else:
            self._send_request()

    def _send_request(self) -> None:
        self._debounce.stop()
        try:
            extra = self.more_target_indices()
        except DatasetError as exc:
            self._data, self._error = None, self._short(str(exc))
            self._show_result()
            return
        self._request = self.reader.request(
            target=[self.target_index(), *extra] if extra else self.target_index(),
            header=self.header_box.isChecked(),
            features=[j for j in self.feature_indices() if j not in extra],
            test_ratio=self.test_ratio.value(),
            seed=self.seed, standardize=self.standardize_box.isChecked(),
            task=self.task_combo.currentData(),
        )
        self._poller.start()

    def _show_result(self) -> None:
        d = self._data
        counts = self._counts()
        self.counts_table.setRowCount(len(counts))
        for r, (name, total, test) in enumerate(counts):
            for c, text in enumerate((name, str(total), str(test))):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(RIGHT)
                self.counts_table.setItem(r, c, item)
        self.counts_table.setVisible(bool(counts))
        if d is None:
            self.target_note.setText("Nothing to count until the table reads without errors.")
            self.summary.setText("")
        else:
            n = len(d.X_train) + len(d.X_test)
            how = "inferred" if self.task_combo.currentData() is None else "chosen"
            if d.class_names:
                kind = f"{len(d.class_names)} classes"
                self.target_note.setText(
                    f"{self.target_name()!r}: {kind} (classification, {how}), "
                    + ("one 0/1 output (1 = " + repr(d.class_names[1]) + ")"
                       if d.n_outputs == 1 else f"{d.n_outputs} one-hot outputs"))
            elif d.n_outputs > 1:
                kind = f"{d.n_outputs} numeric targets (regression)"
                self.target_note.setText(
                    f"{d.n_outputs} numbers to predict (regression, {how}), one output each")
            else:
                y = np.concatenate([d.Y_train[:, 0], d.Y_test[:, 0]])
                kind = "a numeric target (regression)"
                self.target_note.setText(
                    f"{self.target_name()!r} is a number to predict (regression, {how}): "
                    f"{y.min():.4g} to {y.max():.4g}, mean {y.mean():.4g}")
            middle = ["…"] if self.hidden is None else list(self.hidden)
            sizes = "-".join(map(str, [d.n_inputs, *middle, d.n_outputs]))
            self.summary.setText(
                f"{n} rows ({len(d.X_train)} train, {len(d.X_test)} test), {d.n_inputs} inputs, "
                f"{kind}  →  network {sizes}")
        self.error_label.setText(self._error)
        self.error_label.setVisible(bool(self._error))
        self.ok_button.setEnabled(d is not None)
        self._was_target = self.target_index()
        self._style_preview()

    def accept(self) -> None:
        """Load the data (through the loader); on an error stay open and show it."""
        try:
            data = self.dataset()
        except DatasetError:
            return  # the error is on show
        if self.loader is not None:
            error = self.loader(data)
            if error:
                self._error = error
                self._show_result()
                self.ok_button.setEnabled(True)  # the data itself is fine; settings may change
                return
        self.loaded = data
        super().accept()


# ---------------------------------------------------------------------------------------------
# The window side


def load_into(window: MainWindow, data: Dataset, path: str | os.PathLike[str] = "") -> str | None:
    """Train on `data`: input and output layers follow it; None on success, else the reason
    (the window is then unchanged). The window's `CsvOpener` then tells its listeners which
    file the data came from (`loaded`)."""
    c = window.controller
    output, loss = fit_output(data, c.settings.output, c.settings.loss)
    before = c.settings
    # load_csv_dataset rebuilds from the current settings, so hand it the fitting output too.
    c.settings = replace(before, output=output, loss=loss)
    error = c.load_csv_dataset(data)
    if error:
        c.settings = before
        return error
    opener = window.findChild(CsvOpener, "csvOpener")
    if opener is not None and path:
        opener.loaded.emit(data, os.fspath(path))
    window.controls.sync_from_controller()
    note = "" if (output, loss) == (before.output, before.loss) else \
        f"; output {output}, loss {loss} to fit the target"
    window.show_message(f"Loaded {data.description}{note}")
    return None


class CsvOpener(QObject):
    """Owns the window's CSV dialog; File > Open CSV and the data set combo lead here."""

    #: CSV data was loaded into the window: the data set and the file it came from (the
    #: session keeps the file's name with the data it embeds).
    loaded = Signal(object, str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("csvOpener")
        self.window = window
        self.dialog: CsvDialog | None = None

    @Slot()
    def open_from_menu(self) -> None:
        self.open()

    def open(self, path: str | None = None) -> CsvDialog | None:
        """Ask for a file (unless given) and show the dialog, without blocking."""
        if not path:
            s = QSettings("nnviz", "nnviz")
            last = str(s.value(LAST_DIR_KEY, "") or "")
            path = ask_csv_path(self.window, last if os.path.isdir(last) else "")
            if not path:
                return None
            s.setValue(LAST_DIR_KEY, os.path.dirname(os.path.abspath(path)))
        c = self.window.controller
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        self.dialog = CsvDialog(
            path, self.window, loader=functools.partial(load_into, self.window, path=path),
            test_ratio=c.settings.test_ratio, seed=c.settings.data_seed,
            hidden=c.settings.hidden,
        )
        self.dialog.open()
        return self.dialog


def install(window: MainWindow) -> CsvOpener:
    """Route File > Open CSV and the controls' "Open CSV..." entry to the dialog."""
    opener = CsvOpener(window)
    action = window.actions_by_name.get("actionOpenCsv")
    if action is not None:
        try:
            action.triggered.disconnect(window.open_csv)
        except (RuntimeError, TypeError):
            pass
        action.triggered.connect(opener.open_from_menu)
    signal = window.controls.openCsvRequested
    try:
        signal.disconnect(window.open_csv)
    except (RuntimeError, TypeError):
        pass
    signal.connect(opener.open_from_menu)
    return opener
