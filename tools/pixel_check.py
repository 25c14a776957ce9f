"""Render fixed scenes of the views to PNG files, or compare two such sets pixel by pixel.

    python tools/pixel_check.py render OUT_DIR
    python tools/pixel_check.py compare BEFORE_DIR AFTER_DIR

A refactoring that should not change the picture renders once on the old code (e.g. with
``PYTHONPATH`` pointing at a checkout of it) and once on the new, then compares. Scenes: the
network view alone (XOR 2-4-1 with seed, every stepping phase, gradient colouring, hover,
selection, node maps, a compressed 784-128-64-10 network, presentation scale) and the boundary
view and loss plot alone, each in the three themes, and the whole window (XOR stepping,
checkerboard after training). Headless; the user's settings are not read or written.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("XDG_CONFIG_HOME", tempfile.mkdtemp(prefix="nnviz-pixels-"))


def _network_view_class():  # noqa: ANN202
    try:
        from nnviz.gui.network import NetworkView
    except ImportError:  # the code before the network view became a package
        from nnviz.gui.network_view import NetworkView
    return NetworkView


def _grab(widget):  # noqa: ANN001, ANN202
    from PySide6.QtGui import QImage

    img = QImage(widget.size(), QImage.Format.Format_ARGB32_Premultiplied)
    widget.render(img)
    return img


def _network_scenes(out: Path) -> None:
    import numpy as np
    from PySide6.QtGui import QColor, QImage

    from nnviz.core import Network
    from nnviz.gui import theme

    cls = _network_view_class()
    for t in theme.THEMES.values():
        view = cls()
        view.resize(900, 600)
        view.set_theme(t)
        net = Network([2, 4, 1], seed=3)
        trace = net.forward(np.array([[0.25, -0.75]]))
        a = [v[0] for v in trace.a]
        z = [v[0] for v in trace.z]
        view.set_network(net.sizes, net.weights, net.biases)
        view.set_activations(a, z)
        _save(out, f"net-{t.name}-plain", _grab(view))
        grads = [0.3 * w[::-1, :] for w in net.weights]
        view.set_params(net.weights, net.biases, grads)
        view.set_deltas([np.array([0.1, -0.2, 0.05, 0.3]), np.array([-0.4])])
        for layer, kind in ((0, "forward"), (1, "loss"), (1, "output_delta"), (0, "backward"),
                            (0, "gradients"), (1, "update")):
            view.set_highlight(layer, kind)
            _save(out, f"net-{t.name}-{kind}", _grab(view))
        view.set_highlight(None)
        view.set_edge_mode("gradient")
        _save(out, f"net-{t.name}-gradient", _grab(view))
        view.set_params(net.weights, net.biases)
        _save(out, f"net-{t.name}-gradient-none", _grab(view))
        view.set_edge_mode("weight")
        view.set_value_scale(0.5)
        view.set_min_magnitude(0.2)
        _save(out, f"net-{t.name}-fixed-scale", _grab(view))
        view.set_value_scale(None)
        view.set_min_magnitude(0.0)
        view.set_hovered(("edge", (0, 1, 2)))
        view.set_selected_node((1, 1))
        _save(out, f"net-{t.name}-hover-edge", _grab(view))
        view.set_hovered(("bias", (0, 3)))
        _save(out, f"net-{t.name}-hover-bias", _grab(view))
        view.set_hovered(("node", (0, 1)))
        _save(out, f"net-{t.name}-hover-node", _grab(view))
        view.set_hovered(None)
        view.set_selected_node(None)
        tile = QImage(8, 8, QImage.Format.Format_ARGB32)
        tile.fill(QColor(200, 30, 160))
        view.set_node_images({(1, 0): tile, (1, 2): tile})
        _save(out, f"net-{t.name}-maps", _grab(view))
        view.set_node_images(None)
        view.set_activations([a[0], None, None], [None, None])
        _save(out, f"net-{t.name}-unknown", _grab(view))
        view.set_activations([a[0], a[1] * np.nan, a[2]], z)
        _save(out, f"net-{t.name}-nan", _grab(view))
        view.set_activations(a, z)
        view.set_scale(1.6)
        view.resize(1024, 500)
        _save(out, f"net-{t.name}-presentation", _grab(view))
        view.set_scale(1.0)
        view.resize(300, 220)
        _save(out, f"net-{t.name}-small", _grab(view))
        view.deleteLater()

        big = cls()
        big.resize(1000, 700)
        big.set_theme(t)
        net = Network([784, 128, 64, 10], seed=0)
        trace = net.forward(np.random.default_rng(0).random((1, 784)))
        big.set_network(net.sizes, net.weights, net.biases)
        big.set_activations([v[0] for v in trace.a], [v[0] for v in trace.z])
        _save(out, f"net-{t.name}-784", _grab(big))
        big.set_highlight(1, "forward")
        _save(out, f"net-{t.name}-784-forward", _grab(big))
        big.set_hovered(("node", (0, 300)))
        big.set_selected_node((2, 5))
        _save(out, f"net-{t.name}-784-hover", _grab(big))
        big.deleteLater()


def _plot_scenes(out: Path) -> None:
    import numpy as np

    from nnviz.gui.boundary_view import BoundaryView
    from nnviz.gui.loss_plot import LossPlot

    rng = np.random.default_rng(5)
    X = rng.uniform(-1, 1, (60, 2))
    Y = (X[:, 0] * X[:, 1] > 0).astype(float)
    X3 = rng.uniform(-1, 1, (90, 2))
    Y3 = np.eye(3)[rng.integers(0, 3, 90)]
    for dark in (False, True):
        name = "dark" if dark else "light"
        bview = BoundaryView()
        bview.resize(500, 500)
        bview.set_palette_mode(dark)
        bview.set_data(X, Y, X[:10], Y[:10])
        pts = bview.plane_points()
        bview.set_output(1 / (1 + np.exp(-4 * pts[:, 0] * pts[:, 1])))
        _save(out, f"boundary-{name}-binary", _grab(bview))
        bview.set_discretize(True)
        _save(out, f"boundary-{name}-discrete", _grab(bview))
        bview.set_discretize(False)
        bview.set_data(X3, Y3)
        pts = bview.plane_points()
        scores = np.stack([pts[:, 0], pts[:, 1], -pts[:, 0] - pts[:, 1]], axis=1)
        bview.set_output(scores)
        _save(out, f"boundary-{name}-3class", _grab(bview))
        images = bview.neuron_images([np.tanh(pts @ rng.normal(size=(2, 3)))])
        for (layer, j), img in sorted(images.items()):
            _save(out, f"boundary-{name}-map-{layer}-{j}", img)
        bview.deleteLater()

        plot = LossPlot()
        plot.resize(600, 300)
        plot.set_palette_mode(dark)
        epochs = np.arange(1, 201, dtype=float)
        plot.set_history(epochs, 1 / epochs, 1.2 / epochs)
        plot.refresh(force=True)
        _save(out, f"loss-{name}", _grab(plot))
        plot.deleteLater()


def _window_scenes(out: Path) -> None:
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from nnviz.gui.app import create_main_window
    from nnviz.gui.export import render_window_png, train_epochs

    def settle() -> None:
        for _ in range(4):
            QApplication.processEvents()

    for theme_name in ("light", "dark", "high-contrast"):
        for mode in ("stepping", "training"):
            args = ["--dataset", "xor", "--seed", "2"] if mode == "stepping" else \
                ["--dataset", "checkerboard", "--layers", "16,16", "--lr", "0.3", "--seed", "1"]
            window = create_main_window(args, restore_layout=False)
            try:
                classroom = window.features["classroom"]
                classroom.persistent = False
                classroom.set_theme(theme_name)
                window.resize(1400, 900)
                settle()
                if mode == "stepping":
                    panel = window.features["step_panel"]
                    while panel.next_phase().kind != "backward":
                        pass
                    panel.select(node=(1, 0))
                else:
                    train_epochs(window, 400)
                # past the network view's live-stream window: its settled (antialiased) picture
                QTest.qWait(2 * LIVE_SETTLE_MS)
                settle()
                path = out / f"window-{theme_name}-{mode}.png"
                render_window_png(window, path, (1400, 900))
            finally:
                window.features["classroom"].set_theme("light")
                window.controller.close()
                window.hide()
                window.deleteLater()
            settle()


#: the network view's live-stream window (ms), as in nnviz.gui.network.live
LIVE_SETTLE_MS = 300


def _save(out: Path, name: str, img) -> None:  # noqa: ANN001
    if not img.save(str(out / f"{name}.png")):
        raise OSError(f"could not write {name}.png")


def render(out: Path) -> int:
    from nnviz.gui.app import application

    application()
    out.mkdir(parents=True, exist_ok=True)
    _network_scenes(out)
    _plot_scenes(out)
    _window_scenes(out)
    print(f"wrote {len(list(out.glob('*.png')))} pictures to {out}")
    return 0


def compare(a: Path, b: Path) -> int:
    import numpy as np
    from PySide6.QtGui import QImage

    def pixels(path: Path) -> np.ndarray:
        img = QImage(str(path)).convertToFormat(QImage.Format.Format_RGBA8888)
        arr = np.frombuffer(img.constBits(), np.uint8)
        return arr.reshape(img.height(), img.bytesPerLine() // 4, 4)[:, : img.width()].copy()

    names = sorted({p.name for p in a.glob("*.png")} | {p.name for p in b.glob("*.png")})
    differ = 0
    for name in names:
        pa, pb = a / name, b / name
        if not (pa.exists() and pb.exists()):
            print(f"{name}: only in {'the first' if pa.exists() else 'the second'} set")
            differ += 1
            continue
        x, y = pixels(pa), pixels(pb)
        if x.shape != y.shape:
            print(f"{name}: sizes differ {x.shape[:2]} vs {y.shape[:2]}")
            differ += 1
            continue
        d = np.abs(x.astype(int) - y.astype(int))
        changed = int(np.count_nonzero(d.max(axis=2)))
        if changed:
            differ += 1
            print(f"{name}: {changed} of {x.shape[0] * x.shape[1]} pixels differ, "
                  f"largest channel difference {int(d.max())}")
    print(f"{len(names) - differ} of {len(names)} pictures identical")
    return 1 if differ else 0


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "render":
        return render(Path(argv[1]))
    if len(argv) == 3 and argv[0] == "compare":
        return compare(Path(argv[1]), Path(argv[2]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
