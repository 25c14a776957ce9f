"""The CSV dialog on large files: read once on a thread of its own, never on the GUI thread,
a preview of at most PREVIEW_COLUMNS columns (README: Limits and failures).

Counters and thread names are checked, not timings: the figures are in the README.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnviz.core import datasets
from nnviz.gui import csv_dialog
from nnviz.gui.csv_dialog import CsvDialog


@pytest.fixture
def calls(monkeypatch):
    """Counts read_table and load_csv calls and the threads they ran on."""
    seen = {"read": [], "load": []}
    read, load = datasets.read_table, datasets.load_csv

    def counting_read(path):
        seen["read"].append(threading.current_thread())
        return read(path)

    def counting_load(path, **kwargs):
        seen["load"].append(threading.current_thread())
        return load(path, **kwargs)

    monkeypatch.setattr(datasets, "read_table", counting_read)
    monkeypatch.setattr(datasets, "load_csv", counting_load)
    return seen


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
    read = datasets.read_table
    threads = []

    def held_read(p):
        threads.append(threading.current_thread())
        assert release.wait(30)
        return read(p)

    monkeypatch.setattr(datasets, "read_table", held_read)
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
    assert dlg.table.columnCount() == csv_dialog.PREVIEW_COLUMNS
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
    assert len(calls["read"]) == 1
    assert all(t is not threading.main_thread() for t in calls["read"] + calls["load"])


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
    assert len(calls["read"]) == 1
    assert all(t is not threading.main_thread() for t in calls["read"] + calls["load"])


def test_only_the_newest_choice_is_built(qtbot, tall, calls):
    dlg = CsvDialog(tall)
    qtbot.addWidget(dlg)
    dlg.settle()
    before = len(calls["load"])
    for features in (["x1"], ["x2"], ["x1", "x2"], ["x2"]):  # quick clicks
        dlg.set_features(features)
    assert dlg.dataset().feature_names == ("x2",)
    assert len(calls["load"]) - before < 4  # the intermediate choices were dropped
