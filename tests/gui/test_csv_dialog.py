"""File > Open CSV: the preview dialog on good and bad files, and loading through it."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QDialog, QFileDialog

from nnviz.core import resources
from nnviz.core.datasets import DatasetError
from nnviz.gui import csv_dialog, csv_preview
from nnviz.gui.csv_dialog import CsvDialog

IRIS_CLASSES = {"Iris-setosa": 50, "Iris-versicolor": 50, "Iris-virginica": 50}


@pytest.fixture
def iris(tmp_path: Path) -> Path:
    path = tmp_path / "iris.csv"
    shutil.copy(resources.resource_path("datasets", "iris.data"), path)
    return path


@pytest.fixture
def scores(tmp_path: Path) -> Path:
    """A table with a header, a text column and a two-class numeric target."""
    rng = np.random.default_rng(0)
    lines = ["hours;name;sleep;passed"]
    for i in range(30):
        h, s = rng.uniform(0, 10), rng.uniform(4, 9)
        lines.append(f"{h:.2f};student{i};{s:.1f};{int(h + s > 11)}".replace(".", ","))
    path = tmp_path / "scores.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def dialog(qtbot, path, **kwargs) -> CsvDialog:
    dlg = CsvDialog(path, **kwargs)
    qtbot.addWidget(dlg)
    dlg.settle()
    return dlg


def test_iris_preview_target_class_counts_and_features(qtbot, iris):
    dlg = dialog(qtbot, iris)
    assert not dlg.header_box.isChecked()  # detected: the first row is data
    assert "read as data: it is shaped like the rows below it" in dlg.header_note.text()
    assert dlg.column_names() == [f"column {j}" for j in range(1, 6)]
    assert dlg.target_name() == "column 5" and dlg.feature_indices() == [0, 1, 2, 3]
    assert dlg.class_counts() == IRIS_CLASSES
    assert dlg.error_text() == "" and dlg.ok_button.isEnabled()
    t = dlg.table
    assert t.rowCount() == csv_preview.PREVIEW_ROWS and t.columnCount() == 5
    assert t.verticalHeaderItem(0).text() == "1"  # row labels are the file's line numbers
    assert t.item(0, 4).text() == "Iris-setosa"
    assert "first 50 of 150 rows" in dlg.preview_label.text()
    counts = dlg.counts_table
    assert [counts.item(r, 0).text() for r in range(3)] == list(IRIS_CLASSES)
    assert "4 inputs" in dlg.summary.text() and "3 classes" in dlg.summary.text()
    data = dlg.dataset()
    assert (data.n_inputs, data.n_outputs) == (4, 3)

    dlg.set_features([0, "column 3"])
    assert dlg.feature_indices() == [0, 2]
    assert dlg.dataset().feature_names == ("column 1", "column 3")
    assert "2 inputs" in dlg.summary.text()

    dlg.set_test_ratio(0.2)
    qtbot.waitUntil(lambda: counts.item(0, 2).text() != "0")  # the reader's answer, by signal
    rows = {counts.item(r, 0).text(): int(counts.item(r, 2).text()) for r in range(3)}
    assert rows == dict.fromkeys(IRIS_CLASSES, 10)  # stratified test part
    assert len(dlg.dataset().X_test) == 30


def test_switching_the_target_to_a_number_column(qtbot, iris):
    dlg = dialog(qtbot, iris)
    dlg.set_target(0)
    # The old target (text labels) is a feature again, and is not a number: the error names
    # the line and the column, and OK is off.
    assert dlg.feature_indices() == [1, 2, 3, 4]
    assert "line 1 column 5" in dlg.error_text()
    assert "'Iris-setosa' is not a number" in dlg.error_text()
    assert dlg.error_text().startswith("iris.csv: ")  # the short name, not the whole path
    assert dlg.error_label.isVisibleTo(dlg) and not dlg.ok_button.isEnabled()
    with pytest.raises(DatasetError, match="line 1"):
        dlg.dataset()
    dlg.set_features([1, 2, 3])
    assert dlg.error_text() == ""
    assert dlg.class_counts() == {}  # sepal length is a regression target
    assert "regression" in dlg.target_note.text()
    assert dlg.dataset().n_outputs == 1


def test_header_semicolons_and_decimal_commas(qtbot, scores):
    dlg = dialog(qtbot, scores)
    assert dlg.header_box.isChecked()
    assert dlg.column_names() == ["hours", "name", "sleep", "passed"]
    assert dlg.target_name() == "passed"
    assert "line 2 column 2 ('name')" in dlg.error_text()  # text column as a feature
    dlg.set_features(["hours", "sleep"])
    assert dlg.error_text() == ""
    counts = dlg.class_counts()
    assert sorted(counts) == ["0", "1"] and sum(counts.values()) == 30
    assert dlg.dataset().feature_names == ("hours", "sleep")
    assert dlg.table.verticalHeaderItem(0).text() == "2"  # line 1 is the header
    assert dlg.header_note.text() == (
        "Read as: the first row is a header: column 1 has the text 'hours' above numbers.")
    dlg.set_header(False)  # names become data: the target column is now text
    assert dlg.column_names()[0] == "column 1"
    assert dlg.feature_indices() == [0, 2]  # choices kept by position
    assert "line 1" in dlg.error_text()


@pytest.mark.parametrize(("content", "fragment", "line"), [
    (b"1,2,0\n3,4,1\n5,6,1\n7,8\n9,10,0\n", "line 4 has 2 fields, expected 3", 4),
    (b"a,b,y\n1,2,0\n3,oops,1\n5,6,1\n", "line 3 column 2 ('b'): 'oops' is not a number", 3),
    (b"1,2,0\n3,nan,1\n5,6,1\n", "line 2 column 2: 'nan' is not a finite number", 2),
    (b"1,2,0\n\xff\xfe,4,1\n", "line 2: not UTF-8", None),
    (b"", "line 1: file is empty", None),
    (b"1,2,7\n3,4,7\n", "only one class", None),
])
def test_bad_files_report_the_line_and_stay_open(qtbot, tmp_path, content, fragment, line):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    loaded = []
    dlg = dialog(qtbot, path, loader=lambda data: loaded.append(data))
    dlg.open()
    assert fragment in dlg.error_text()
    assert dlg.error_label.isVisible() and dlg.error_label.text() == dlg.error_text()
    assert not dlg.ok_button.isEnabled()
    dlg.accept()  # e.g. Enter: refused, the dialog stays with the message
    assert dlg.isVisible() and loaded == [] and dlg.loaded is None
    assert dlg.result() != QDialog.DialogCode.Accepted
    if line is not None:  # the offending row is marked in the preview
        rows = [r for r in range(dlg.table.rowCount())
                if dlg.table.verticalHeaderItem(r).text() == str(line)]
        assert len(rows) == 1
        assert dlg.table.item(rows[0], 0).background().color() == csv_preview.ERROR_TINT
    dlg.reject()


def test_loader_refusal_keeps_the_dialog_open(qtbot, iris):
    dlg = dialog(qtbot, iris, loader=lambda data: "the network says no")
    dlg.open()
    dlg.accept()
    assert dlg.isVisible() and dlg.error_text() == "the network says no"
    dlg.reject()


def test_open_csv_action_uses_the_dialog_and_sizes_follow_the_data(
        qtbot, make_window, iris, scores, monkeypatch):
    w = make_window()  # xor: 2-4-1, sigmoid output
    c = w.controller
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *a, **k: pytest.fail("the old file-only handler ran"))
    monkeypatch.setattr(csv_dialog, "ask_csv_path", lambda parent, d="": str(iris))
    w.actions_by_name["actionOpenCsv"].trigger()
    opener = w.features["sessions"].csv_opener
    dlg = opener.dialog
    assert dlg is not None and dlg.isVisible() and dlg.path == iris
    qtbot.waitUntil(lambda: "network 4-4-3" in dlg.summary.text())  # read in the background
    dlg.accept()
    assert not dlg.isVisible() and dlg.result() == QDialog.DialogCode.Accepted
    assert c.settings.dataset == "csv" and c.net.sizes == (4, 4, 3)
    # Three classes need a softmax output; the controls show it.
    assert (c.settings.output, c.settings.loss) == ("softmax", "cross_entropy")
    assert w.controls.output.currentText() == "softmax"
    assert w.controls.dataset.currentText() == "csv"
    assert c.dataset.class_names == tuple(IRIS_CLASSES)

    # The data set combo's "Open CSV..." entry leads to the same dialog.
    monkeypatch.setattr(csv_dialog, "ask_csv_path", lambda parent, d="": str(scores))
    w.controls.openCsvRequested.emit()
    dlg = opener.dialog
    assert dlg.path == scores
    dlg.set_features(["hours", "sleep"])
    dlg.accept()
    assert c.net.sizes == (2, 4, 1)
    assert c.settings.output == "sigmoid"  # softmax cannot have one output
    assert w.controls.output.currentText() == "sigmoid"
    assert c.dataset.feature_names == ("hours", "sleep")


def test_cancelled_file_choice_opens_nothing(make_window, monkeypatch):
    w = make_window()
    monkeypatch.setattr(csv_dialog, "ask_csv_path", lambda parent, d="": None)
    w.actions_by_name["actionOpenCsv"].trigger()
    assert w.features["sessions"].csv_opener.dialog is None
    assert w.controller.settings.dataset == "xor"


@pytest.mark.parametrize(("classes", "output", "loss", "expected"), [
    (("a", "b", "c"), "sigmoid", "mse", ("softmax", "cross_entropy")),
    (("a", "b", "c"), "softmax", "mse", ("softmax", "mse")),
    (("a", "b"), "softmax", "cross_entropy", ("sigmoid", "mse")),
    (("a", "b"), "sigmoid", "cross_entropy", ("sigmoid", "bce")),
    (("a", "b"), "sigmoid", "bce", ("sigmoid", "bce")),
    ((), "sigmoid", "bce", ("linear", "mse")),
])
def test_fit_output(classes, output, loss, expected):
    from nnviz.core.datasets import Dataset

    k = len(classes) if len(classes) > 2 else 1
    data = Dataset("d", np.zeros((3, 2)), np.zeros((3, k)), np.zeros((0, 2)), np.zeros((0, k)),
                   ("x", "y"), classes, "")
    assert csv_dialog.fit_output(data, output, loss) == expected


def test_task_choice_is_stated_and_passed_to_the_loader(qtbot, tmp_path):
    path = tmp_path / "ints.csv"
    path.write_text("x,y\n1,0\n2,1\n3,2\n4,1\n5,0\n6,2\n")
    dlg = dialog(qtbot, path)
    assert "3 classes (classification, inferred)" in dlg.target_note.text()
    dlg.task_combo.setCurrentIndex(dlg.task_combo.findData("regress"))
    dlg.settle()
    assert "number to predict (regression, chosen)" in dlg.target_note.text()
    assert dlg.dataset().class_names == ()


def test_more_targets_predict_several_numbers(qtbot, tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("i1,i2,t1,t2\n0.05,0.10,0.01,0.99\n0.5,0.2,0.3,0.6\n0.9,0.4,0.7,0.2\n")
    dlg = dialog(qtbot, path)
    dlg.set_target("t1")
    dlg.more_targets.setText("t2")
    dlg.more_targets.editingFinished.emit()
    dlg.settle()
    d = dlg.dataset()
    assert d.n_outputs == 2 and d.n_inputs == 2 and d.class_names == ()
    assert "2 numbers to predict (regression, inferred)" in dlg.target_note.text()
    dlg.more_targets.setText("t9")
    dlg.more_targets.editingFinished.emit()
    dlg.settle()
    assert "more targets: no target column 't9'" in dlg.error_text()
    assert not dlg.ok_button.isEnabled()
