"""High DPI: the window at device pixel ratio 1 and 2 (QT_SCALE_FACTOR=2 in a subprocess, on
an offscreen screen of the same logical size), and renders into ratio-2 images in process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from PySide6.QtWidgets import QApplication

from nnviz.gui.export import screen_png_scale, widget_image

PROBE = r"""
import json, sys
from PySide6.QtWidgets import QApplication, QLabel
from nnviz.gui.app import create_main_window
from nnviz.gui.export import screenshot_main, widget_image

w = create_main_window(["--dataset", "circles"], restore_layout=False)
w.resize(1200, 800)
for _ in range(3):
    QApplication.processEvents()
v = w.network_view
img = widget_image(v, v.devicePixelRatioF())
cells = {repr(k): cell for k, (_pix, cell) in v._nodes.sprites.atlases.items()}
clipped = []
for lab in w.findChildren(QLabel):
    text = lab.text()
    if lab.isVisible() and text and not lab.wordWrap() and lab.textFormat().name != "RichText" \
            and "<" not in text:
        need = lab.fontMetrics().horizontalAdvance(text)
        if need > lab.contentsRect().width() + 1:
            clipped.append(f"{lab.objectName()} {text!r}: needs {need}, has {lab.width()}")
result = {"dpr": w.devicePixelRatioF(), "view": [v.width(), v.height()],
          "image": [img.width(), img.height()], "cells": cells, "clipped": clipped,
          "png_scale": w.features["export"].png_scale,
          "icon_sizes": sorted(s.width() for s in QApplication.windowIcon().availableSizes())}
w.controller.close()
w.hide()
code = screenshot_main(["--screenshot", sys.argv[1], "--size", "1200x800", "--dataset", "xor"])
result["screenshot_code"] = code
print("PROBE " + json.dumps(result))
"""


def probe(tmp_path, factor: int) -> dict:
    """Run PROBE on an offscreen screen of 1600x1000 logical pixels at ratio ``factor``."""
    config = tmp_path / f"screen{factor}.json"
    config.write_text(json.dumps({"screens": [{
        "name": "probe", "x": 0, "y": 0, "width": 1600 * factor, "height": 1000 * factor,
        "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}",
               QT_SCALE_FACTOR=str(factor), XDG_CONFIG_HOME=str(tmp_path / f"config{factor}"))
    shot = tmp_path / f"shot{factor}.png"
    done = subprocess.run([sys.executable, "-c", PROBE, str(shot)], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("PROBE ")]
    assert done.returncode == 0 and lines, done.stdout + done.stderr
    result = json.loads(lines[-1][len("PROBE "):])
    from PySide6.QtGui import QImage

    picture = QImage(str(shot))
    result["shot"] = [picture.width(), picture.height()]
    return result


def test_ratio_2_window_is_drawn_at_twice_the_pixels(tmp_path):
    one, two = probe(tmp_path, 1), probe(tmp_path, 2)
    assert (one["dpr"], two["dpr"]) == (1.0, 2.0)
    # Same logical layout, so any difference below is the ratio's.
    assert one["view"] == two["view"]
    assert two["image"] == [2 * n for n in one["image"]]
    # Node sprites, maps and bias squares are built at device pixels: twice as many per cell
    # (rounded up from the same logical size), not a ratio-1 atlas stretched.
    assert one["cells"].keys() == two["cells"].keys() and one["cells"]
    for key, cell in one["cells"].items():
        assert 2 * cell - 1 <= two["cells"][key] <= 2 * cell, key
    assert not one["clipped"] and not two["clipped"], one["clipped"] + two["clipped"]
    # Exports offer the screen's ratio; the headless screenshot takes it too.
    assert (one["png_scale"], two["png_scale"]) == (1.0, 2.0)
    assert one["screenshot_code"] == two["screenshot_code"] == 0
    assert one["shot"] == [1200, 800] and two["shot"] == [2400, 1600]
    assert {16, 32, 48, 256} <= set(one["icon_sizes"])


@pytest.mark.parametrize("ratio", [1.0, 2.0, 3.0])
def test_network_view_renders_at_the_image_ratio(make_window, ratio):
    """In process: a render into a ratio-N image has N times the pixels, and the view's sprite
    atlases are rebuilt at that ratio."""
    w = make_window("--dataset", "circles")
    QApplication.processEvents()
    v = w.network_view
    base = widget_image(v, 1.0)
    cells1 = {k: c for k, (_p, c) in v._nodes.sprites.atlases.items()}
    img = widget_image(v, ratio)
    assert (img.width(), img.height()) == (round(base.width() * ratio),
                                           round(base.height() * ratio))
    assert img.devicePixelRatio() == ratio
    cells = {k: c for k, (_p, c) in v._nodes.sprites.atlases.items()}
    assert cells.keys() == cells1.keys() and cells
    for key, cell in cells1.items():
        assert ratio * cell - ratio <= cells[key] <= ratio * cell, key


def test_png_scale_offered_is_the_screens_ratio_rounded_up(make_window, monkeypatch):
    w = make_window()
    view = w.network_view
    for ratio, expected in ((1.0, 1.0), (1.25, 2.0), (1.5, 2.0), (2.0, 2.0), (2.5, 3.0),
                            (4.0, 3.0)):
        monkeypatch.setattr(view, "devicePixelRatioF", lambda r=ratio: r)
        assert screen_png_scale(view) == expected, ratio
