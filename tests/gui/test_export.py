"""Exports (nnviz.gui.export): PNG at a scale, SVG, loss CSV/PNG, File > Export, --screenshot."""

from __future__ import annotations

import csv
import math

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QFileDialog

from nnviz.gui import export


@pytest.fixture
def window(settings_snapshot, make_window):
    return make_window("--layers", "4")


@pytest.fixture
def save_as(monkeypatch):
    """QFileDialog.getSaveFileName answers with the next queued path ("" = cancelled)."""
    answers: list[str] = []
    asked: list[str] = []

    def fake(parent, caption, directory, filters):
        asked.append(caption)
        return (answers.pop(0), filters)

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
    return answers, asked


def message(window) -> str:
    return window.statusBar().currentMessage()


def scaled(widget, scale):
    return (math.ceil(widget.width() * scale), math.ceil(widget.height() * scale))


@pytest.mark.parametrize("scale", [1.0, 2.0, 3.0])
def test_network_png_at_scale(window, tmp_path, scale):
    path = tmp_path / "net.png"
    export.export_widget_png(window.network_view, path, scale)
    img = QImage(str(path))
    assert not img.isNull()
    assert (img.width(), img.height()) == scaled(window.network_view, scale)
    # a picture, not an empty canvas: more than a handful of distinct colours
    colours = {img.pixel(x, y) for x in range(0, img.width(), 7) for y in range(0, img.height(), 7)}
    assert len(colours) > 20


def test_boundary_png_and_svg(window, tmp_path):
    png, svg = tmp_path / "b.png", tmp_path / "b.svg"
    export.export_widget_png(window.boundary_view, png, 2.0)
    img = QImage(str(png))
    assert not img.isNull() and (img.width(), img.height()) == scaled(window.boundary_view, 2)
    export.export_widget_svg(window.boundary_view, svg)
    text = svg.read_text("utf-8")
    assert text.startswith("<?xml") and "<svg" in text
    renderer = QSvgRenderer(str(svg))
    assert renderer.isValid()
    assert renderer.defaultSize() == window.boundary_view.size()
    assert "<text" in text or "<path" in text  # the axes come out as vectors


def test_network_svg_is_valid(window, tmp_path):
    path = tmp_path / "net.svg"
    export.export_widget_svg(window.network_view, path, title="my net")
    text = path.read_text("utf-8")
    assert text.startswith("<?xml") and "<svg" in text and "my net" in text
    assert QSvgRenderer(str(path)).isValid()


def test_bad_scale_and_unwritable_path(window, tmp_path):
    with pytest.raises(ValueError, match="scale"):
        export.export_widget_png(window.network_view, tmp_path / "x.png", 0.0)
    with pytest.raises(ValueError, match="scale"):
        export.export_widget_png(window.network_view, tmp_path / "x.png", float("nan"))
    with pytest.raises(OSError, match="cannot write"):
        export.export_widget_png(window.network_view, tmp_path / "missing" / "x.png")
    with pytest.raises(OSError, match="folder"):
        export.export_widget_svg(window.network_view, tmp_path)
    with pytest.raises(OSError, match="cannot write"):
        export.export_loss_csv(window.controller, tmp_path / "missing" / "x.csv")


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def test_loss_csv_matches_history(window, tmp_path):
    assert export.train_epochs(window, 37) is None
    path = tmp_path / "loss.csv"
    assert export.export_loss_csv(window.controller, path) == 37
    rows = read_csv(path)
    assert rows[0] == ["epoch", "train_loss", "test_loss", "accuracy", "test_accuracy"]
    h = window.controller.trainer.history
    assert len(rows) - 1 == len(h) == 37
    assert [int(r[0]) for r in rows[1:]] == list(range(1, 38))
    # written exactly: parsing gives back the same floats
    assert [float(r[1]) for r in rows[1:]] == h.train_loss.tolist()
    assert [float(r[3]) for r in rows[1:]] == h.accuracy.tolist()
    assert all(r[2] == "" and r[4] == "" for r in rows[1:])  # no test set: empty cells


def test_loss_csv_with_test_set(settings_snapshot, make_window, tmp_path):
    w = make_window("--dataset", "circles", "--test-ratio", "0.3", "--layers", "4")
    export.train_epochs(w, 5)
    path = tmp_path / "loss.csv"
    assert export.export_loss_csv(w.controller, path) == 5
    rows = read_csv(path)[1:]
    h = w.controller.trainer.history
    assert [float(r[2]) for r in rows] == h.test_loss.tolist()
    assert all(0.0 <= float(r[4]) <= 1.0 for r in rows)


def test_loss_csv_before_training_has_only_the_header(window, tmp_path):
    path = tmp_path / "loss.csv"
    assert export.export_loss_csv(window.controller, path) == 0
    assert read_csv(path) == [list(export.LOSS_COLUMNS)]


def test_loss_png(window, tmp_path):
    export.train_epochs(window, 50)
    path = tmp_path / "loss.png"
    img = export.export_loss_png(window, path, 2.0)
    saved = QImage(str(path))
    assert not saved.isNull() and saved.size() == img.size()
    assert (saved.width(), saved.height()) == scaled(window.loss_plot.plot_widget, 2)


def test_train_epochs_updates_views(window):
    export.train_epochs(window, 12)
    assert window.controller.trainer.epoch == 12
    assert len(window.loss_plot.buffer) == 12
    assert "Epoch 12" in window.status_label.text()
    assert not window.controller.playing


def test_export_menu_actions(window, tmp_path, save_as):
    answers, asked = save_as
    a = window.actions_by_name
    menu = window.menus["export"]
    assert menu.menuAction() in window.menus["file"].actions()
    names = ("actionExportNetworkPng", "actionExportNetworkSvg", "actionExportBoundaryPng",
             "actionExportBoundarySvg", "actionExportLossCsv", "actionExportLossPng")
    for name in names:
        assert a[name] in menu.actions()

    a["actionExportScale3"].trigger()
    answers.append(str(tmp_path / "net"))  # no extension: .png is added
    a["actionExportNetworkPng"].trigger()
    img = QImage(str(tmp_path / "net.png"))
    assert not img.isNull() and (img.width(), img.height()) == scaled(window.network_view, 3)
    assert "Saved" in message(window) and "net.png" in message(window)

    answers.append(str(tmp_path / "b.svg"))
    a["actionExportBoundarySvg"].trigger()
    assert QSvgRenderer(str(tmp_path / "b.svg")).isValid()

    answers.append(str(tmp_path / "b.png"))
    a["actionExportBoundaryPng"].trigger()
    assert not QImage(str(tmp_path / "b.png")).isNull()

    answers.append(str(tmp_path / "n.svg"))
    a["actionExportNetworkSvg"].trigger()
    assert QSvgRenderer(str(tmp_path / "n.svg")).isValid()

    export.train_epochs(window, 3)
    answers.append(str(tmp_path / "l.csv"))
    a["actionExportLossCsv"].trigger()
    assert len(read_csv(tmp_path / "l.csv")) == 4
    assert "3 epochs" in message(window)

    answers.append(str(tmp_path / "l.png"))
    a["actionExportLossPng"].trigger()
    assert not QImage(str(tmp_path / "l.png")).isNull()
    assert len(asked) == 6


def test_png_scale_is_remembered(settings_snapshot, make_window):
    w = make_window()
    w.actions_by_name["actionExportScale1"].trigger()
    assert w.features["export"].png_scale == 1.0
    w2 = make_window()
    assert w2.features["export"].png_scale == 1.0
    assert w2.actions_by_name["actionExportScale1"].isChecked()
    assert not w2.actions_by_name["actionExportScale2"].isChecked()


def test_export_errors_and_cancel_never_raise(window, tmp_path, save_as):
    answers, _ = save_as
    answers.append("")  # cancelled
    window.actions_by_name["actionExportNetworkPng"].trigger()
    assert list(tmp_path.iterdir()) == []

    answers.append(str(tmp_path / "nowhere" / "net.png"))
    window.actions_by_name["actionExportNetworkPng"].trigger()
    assert message(window).startswith("Export failed: cannot write")

    answers.append(str(tmp_path / "nowhere" / "loss.csv"))
    window.actions_by_name["actionExportLossCsv"].trigger()
    assert message(window).startswith("Export failed: cannot write")


def test_boundary_export_needs_2d_data(settings_snapshot, make_window, save_as):
    answers, asked = save_as
    w = make_window("--dataset", "iris")
    w.actions_by_name["actionExportBoundaryPng"].trigger()
    assert asked == []  # no dialog at all
    assert "2-D" in message(w)


# ---- screenshot -----------------------------------------------------------------------------
def test_screenshot_writes_png(settings_snapshot, tmp_path, capsys):
    out = tmp_path / "shot.png"
    code = export.screenshot_main(["--screenshot", str(out), "--size", "1100x850",
                                   "--epochs", "40", "--layers", "3", "--theme", "dark"])
    assert code == 0
    img = QImage(str(out))
    assert not img.isNull()
    assert (img.width(), img.height()) == (1100, 850)
    assert "wrote" in capsys.readouterr().out
    # a dark picture: the window background is the dark theme's
    assert QImage(str(out)).pixelColor(img.width() - 3, img.height() // 2).lightness() < 100


def test_screenshot_scale_and_presentation_leave_settings_alone(settings_snapshot, tmp_path):
    s = QSettings("nnviz", "nnviz")
    s.setValue("classroom/zoom", 1.1)
    s.sync()
    out = tmp_path / "shot.png"
    code = export.screenshot_main(["--screenshot", str(out), "--size", "1200x900", "--scale",
                                   "2", "--presentation", "--zoom", "1.25"])
    assert code == 0
    img = QImage(str(out))
    assert (img.width(), img.height()) == (2400, 1800)
    s = QSettings("nnviz", "nnviz")
    assert float(s.value("classroom/zoom")) == 1.1
    assert str(s.value("classroom/presentation", "false")) == "false"


@pytest.mark.parametrize("argv, needle", [
    (["--size", "big"], "WIDTHxHEIGHT"),
    (["--size", "10x10"], "at least|between"),
    (["--epochs", "-1"], "--epochs"),
    (["--scale", "0"], "--scale"),
    (["--zoom", "9"], "--zoom"),
    (["--play"], "--play"),
    (["--dataset", "nope"], "unknown data set"),
])
def test_screenshot_bad_arguments(settings_snapshot, tmp_path, capsys, argv, needle):
    import re

    code = export.screenshot_main(["--screenshot", str(tmp_path / "x.png"), *argv])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and re.search(needle, err), err
    assert not (tmp_path / "x.png").exists()


def test_screenshot_smaller_than_the_window_allows(settings_snapshot, tmp_path, capsys):
    out = tmp_path / "small.png"
    assert export.screenshot_main(["--screenshot", str(out), "--size", "400x300"]) == 0
    img = QImage(str(out))
    assert img.width() >= 400 and img.height() > 300  # the controls need more height
    assert "needs at least" in capsys.readouterr().err


def test_screenshot_needs_png_name_and_writable_path(settings_snapshot, tmp_path, capsys):
    assert export.screenshot_main(["--screenshot", str(tmp_path / "x.jpg")]) == 2
    assert export.screenshot_main([]) == 2
    capsys.readouterr()
    assert export.screenshot_main(["--screenshot", str(tmp_path / "no" / "x.png"),
                                   "--size", "640x480"]) == 1
    assert "cannot write" in capsys.readouterr().err


def test_screenshot_in_a_fresh_process_without_display(tmp_path):
    """The real CLI situation: no QApplication yet, no display, no QT_QPA_PLATFORM."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(export.__file__))))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    out = tmp_path / "cli.png"
    code = ("import sys; from nnviz.gui.export import screenshot_main; "
            "sys.exit(screenshot_main(sys.argv[1:]))")
    proc = subprocess.run(
        [sys.executable, "-c", code, "--screenshot", str(out), "--size", "1000x800",
         "--epochs", "10", "--dataset", "circles"],
        env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1000, 800)
