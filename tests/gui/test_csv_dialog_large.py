"""The CSV dialog on large files: read once on a thread of its own, never on the GUI thread,
the first rows previewed before the rest is read, a preview of at most PREVIEW_COLUMNS columns
(README: Limits and failures).

Counters and thread names are checked, not timings: the figures are in the README.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnviz.core import csv_table, datasets
from nnviz.gui import csv_preview
from nnviz.gui.csv_dialog import CsvDialog


@pytest.fixture
def calls(monkeypatch):
    """Counts reads of the file (its head, the whole) and load_csv calls, and their threads."""
    seen = {"head": [], "read": [], "load": []}
    head, read, load = csv_table.read_head, csv_table.read_table, datasets.load_csv

    def counting_head(path):
        seen["head"].append(threading.current_thread())
        return head(path)

    def counting_read(path):
        seen["read"].append(threading.current_thread())
        return read(path)

    def counting_load(path, **kwargs):
        seen["load"].append(threading.current_thread())
        return load(path, **kwargs)

    monkeypatch.setattr(csv_table, "read_head", counting_head)
    monkeypatch.setattr(csv_table, "read_table", counting_read)
    monkeypatch.setattr(datasets, "load_csv", counting_load)
    return seen


def read_once(calls) -> bool:
    """The head was read once, and the whole file at most once (not when the head was all)."""
    return len(calls["head"]) == 1 and len(calls["read"]) <= 1


def off_the_gui_thread(calls) -> bool:
    return all(t is not threading.main_thread()
               for t in calls["head"] + calls["read"] + calls["load"])


@pytest.fixture
def wide(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    cols = 10_000
    lines = [",".join(f"c{j}" for j in range(cols))]
    lines += [",".join(f"{v:.3f}" for v in rng.normal(size=cols - 1)) + f",{i % 2}"
              for i in range(20)]
    path = tmp_path / "wide.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def tall(tmp_path: Path) -> Path:
    rng = np.random.default_rng(1)
    n = 20_000
    x = rng.normal(size=(n, 2)).round(3)
    label = np.where(x[:, 0] > 0, "yes", "no")
    size = np.where(x[:, 1] > 0, "big", "small")
    lines = ["x1,x2,label,size"] + [f"{a},{b},{c},{d}" for (a, b), c, d
                                    in zip(x.tolist(), label, size, strict=True)]
    path = tmp_path / "tall.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_file_is_read_on_another_thread_while_the_dialog_is_up(
        qtbot, tmp_path, monkeypatch):
    path = tmp_path / "t.csv"
    path.write_text("a,b,y\n1,2,0\n3,4,1\n5,6,1\n")
    release = threading.Event()
    read = csv_table.read_head
    threads = []

    def held_read(p):
        threads.append(threading.current_thread())
        assert release.wait(30)
        return read(p)

    monkeypatch.setattr(csv_table, "read_head", held_read)
    dlg = CsvDialog(path)  # returns while the file is still being read
    qtbot.addWidget(dlg)
    assert not dlg.ok_button.isEnabled() and "Reading" in dlg.preview_label.text()
    release.set()
    qtbot.waitUntil(lambda: dlg.ok_button.isEnabled(), timeout=10_000)  # shown by the timer
    assert threads and threads[0] is not threading.main_thread()
    assert dlg.column_names() == ["a", "b", "y"]


def test_a_10000_column_file_previews_200_columns_and_lists_them_all(qtbot, wide, calls):
    dlg = CsvDialog(wide)
    qtbot.addWidget(dlg)
    dlg.settle()
    assert dlg.table.columnCount() == csv_preview.PREVIEW_COLUMNS
    assert "first 200 of 10,000 columns" in dlg.preview_label.text()
    assert dlg.features.rowCount() == 10_000
    assert len(dlg.feature_indices()) == 9_999 and dlg.target_name() == "c9999"
    assert dlg.class_counts() == {"0": 10, "1": 10}

    # Ticking a box does no parsing on the GUI thread: the reader builds the data set.
    loads = len(calls["load"])
    model = dlg.features
    model.setData(model.index(5), Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    assert 5 not in dlg.feature_indices()
    assert model.data(model.index(5), Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert len(calls["load"]) == loads and not dlg.ok_button.isEnabled()
    qtbot.waitUntil(lambda: dlg.ok_button.isEnabled(), timeout=30_000)
    assert len(dlg.dataset().feature_names) == 9_998
    assert read_once(calls) and off_the_gui_thread(calls)


def test_changing_the_target_never_reads_the_file_again(qtbot, tall, calls):
    dlg = CsvDialog(tall)
    qtbot.addWidget(dlg)
    dlg.settle()
    assert dlg.target_name() == "size" and "'yes' is not a number" in dlg.error_text()
    dlg.set_features(["x1", "x2"])
    assert sorted(dlg.class_counts()) == ["big", "small"]
    assert sum(dlg.class_counts().values()) == 20_000
    for target, features in (("label", ["x1", "x2"]), ("x1", ["x2"]), ("size", ["x1"])):
        dlg.set_target(target)
        dlg.set_features(features)
        assert dlg.error_text() == ""
    assert dlg.dataset().feature_names == ("x1",)
    assert len(calls["head"]) == len(calls["read"]) == 1  # 20,000 rows: more than the head
    assert off_the_gui_thread(calls)


def test_only_the_newest_choice_is_built(qtbot, tall, calls):
    dlg = CsvDialog(tall)
    qtbot.addWidget(dlg)
    dlg.settle()
    before = len(calls["load"])
    for features in (["x1"], ["x2"], ["x1", "x2"], ["x2"]):  # quick clicks
        dlg.set_features(features)
    assert dlg.dataset().feature_names == ("x2",)
    assert len(calls["load"]) - before < 4  # the intermediate choices were dropped


def test_the_first_rows_are_previewed_while_the_rest_is_read(qtbot, tall, monkeypatch):
    release = threading.Event()
    read = csv_table.read_table

    def held_read(p):
        assert release.wait(30)
        return read(p)

    monkeypatch.setattr(csv_table, "read_table", held_read)
    dlg = CsvDialog(tall)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.table.rowCount() == csv_preview.PREVIEW_ROWS, timeout=10_000)
    assert "reading the rest of the file" in dlg.preview_label.text()
    assert dlg.table.horizontalHeaderItem(2).text() == "label"
    assert "column 1 has the text 'x1' above numbers" in dlg.header_note.text()
    assert not dlg.ok_button.isEnabled() and dlg.target_combo.count() == 0
    release.set()
    dlg.settle()
    assert "first 50 of 20,000 rows" in dlg.preview_label.text()
    assert dlg.target_name() == "size" and dlg.features.rowCount() == 4
