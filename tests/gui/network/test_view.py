"""NetworkView: painting, setters and their checks, phases, themes and scale, hover, exports
at other pixel ratios (headless)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QImage

from nnviz.gui.network import NetworkView
from tests.gui.network.common import (
    image,
    make_params,
    pixels,
    setup,
)


@pytest.mark.parametrize("sizes", [[2, 4, 1], [2, 16, 16, 1], [784, 128, 64, 10]])
def test_paints_without_error(view, sizes):
    setup(view, sizes)
    img = image(view)
    assert not img.isNull()
    assert view.redraw_ms() > 0
    # something besides the background was drawn
    colours = {img.pixel(x, y) for x in range(0, img.width(), 17)
               for y in range(0, img.height(), 13)}
    assert len(colours) > 5


def test_set_params_changes_the_picture(view):
    sizes = [2, 16, 16, 1]
    weights, biases = setup(view, sizes)
    before = image(view)
    view.set_params([-w for w in weights], biases)
    after = image(view)
    assert before != after


def test_redraw_ms_is_measured_for_2_16_16_1(view):
    setup(view, [2, 16, 16, 1])
    image(view)
    assert view.redraw_ms() > 0
    assert view.scene_ms() > 0


def test_highlight_phases_paint_and_validate(view):
    sizes = [2, 4, 3, 1]
    weights, biases = setup(view, sizes)
    view.set_deltas([np.ones(4) * 0.1, np.ones(3) * -0.2, np.ones(1) * 0.05])
    view.set_params(weights, biases, [w * 0.1 for w in weights])
    plain = image(view)
    for kind in ("forward", "loss", "output_delta", "backward", "gradients", "update"):
        view.set_highlight(1, kind)
        assert image(view) != plain, kind
    view.set_highlight(None)
    assert image(view) == plain
    with pytest.raises(ValueError, match="highlight kind"):
        view.set_highlight(0, "sideways")
    with pytest.raises(ValueError, match="out of range"):
        view.set_highlight(3, "forward")


def test_palette_and_scale(view):
    setup(view, [2, 4, 1])
    assert QColor(image(view).pixel(2, 2)) == QColor(255, 255, 255)
    view.set_palette_mode(True)
    assert QColor(image(view).pixel(2, 2)).lightness() < 60
    view.set_palette_mode(False)
    r_before = view.node_pos(1, 0)
    view.resize(1600, 1000)
    view.set_scale(1.5)
    image(view)
    assert view.node_pos(1, 0) != r_before  # layout follows size and scale
    with pytest.raises(ValueError, match="scale factor"):
        view.set_scale(0)


def test_non_finite_values_do_not_break_painting(view):
    weights, biases = setup(view, [2, 4, 1])
    weights[0][0, 0] = np.nan
    weights[1][2, 0] = np.inf
    view.set_params(weights, biases)
    image(view)
    assert "nan" in view.tooltip_text_at(view.edge_point(0, 0, 0, 0.3))


def test_bad_input_is_rejected_with_clear_errors(view):
    with pytest.raises(RuntimeError, match="set_network"):
        view.set_params([np.zeros((2, 1))], [np.zeros(1)])
    with pytest.raises(ValueError, match=r"weights\[0\] has shape"):
        view.set_network([2, 3], [np.zeros((3, 2))], [np.zeros(3)])
    with pytest.raises(ValueError, match="at least one node"):
        view.set_network([2, 0], [np.zeros((2, 0))], [np.zeros(0)])
    setup(view, [2, 4, 1])
    with pytest.raises(ValueError, match="need 2 weight"):
        view.set_params([np.zeros((2, 4))], [np.zeros(4)])
    with pytest.raises(ValueError, match=r"a\[1\] has shape \(5, 4\)"):
        view.set_activations([np.zeros(2), np.zeros((5, 4)), np.zeros(1)])
    with pytest.raises(ValueError, match=r"grads\[1\]"):
        w, b = make_params([2, 4, 1])
        view.set_params(w, b, [np.zeros((2, 4)), np.zeros((1, 4))])
    with pytest.raises(ValueError, match="max_edges"):
        view.set_max_edges(0)


def test_hover_paints_overlay_and_mouse_move_sets_hover(view, qtbot):
    setup(view, [2, 4, 1])
    view.show()
    qtbot.waitExposed(view)
    plain = image(view)
    qtbot.mouseMove(view, view.edge_point(0, 1, 1, 0.3).toPoint())
    qtbot.waitUntil(lambda: image(view) != plain, timeout=10_000)
    qtbot.mouseMove(view, QPoint(3, 3))
    qtbot.waitUntil(lambda: image(view) == plain, timeout=10_000)


def test_png_export_at_3x_is_rendered_at_3x_not_upscaled(view, tmp_path):
    from nnviz.gui.export import export_widget_png

    view.resize(500, 350)
    setup(view, [2, 4, 1])
    one = pixels(export_widget_png(view, tmp_path / "one.png", scale=1))
    img3 = export_widget_png(view, tmp_path / "three.png", scale=3)
    assert QImage(str(tmp_path / "three.png")).size() == img3.size()
    three = pixels(img3)
    assert three.shape == (3 * 350, 3 * 500, 3)
    # the same picture: averaging each 3x3 block gives back (nearly) the 1x export
    blocks = three.reshape(350, 3, 500, 3, 3).astype(float)
    assert np.abs(blocks.mean(axis=(1, 3)) - one).mean() < 6
    # ... but drawn with 3x the detail: an upscaled 1x scene has uniform 3x3 blocks and no
    # colours of its own (anti-aliased text and circle rims at device resolution have both)
    uniform = (blocks.max(axis=(1, 3)) == blocks.min(axis=(1, 3))).all(axis=-1)
    assert (~uniform).mean() > 0.02
    nearest = np.repeat(np.repeat(one, 3, axis=0), 3, axis=1)

    def n_colours(a: np.ndarray) -> int:
        return len(np.unique(a.reshape(-1, 3), axis=0))

    # around the input circle's rim: an edge of the drawing
    c = view.node_pos(0, 0)
    y, x = 3 * int(c.y()), 3 * int(c.x())
    crop = (slice(y - 150, y + 150), slice(x - 150, x + 150))
    assert n_colours(three[crop]) > 1.3 * n_colours(nearest[crop])


def test_export_at_another_ratio_repaints_once_then_reuses_the_cache(view, monkeypatch, tmp_path):
    from nnviz.gui.export import export_widget_png, widget_image

    setup(view, [2, 4, 1])
    renders: list[float] = []
    real = NetworkView._render_scene

    def counting(self):
        img = real(self)
        renders.append(img.devicePixelRatio())
        return img

    monkeypatch.setattr(NetworkView, "_render_scene", counting)
    image(view)
    image(view)
    screen = view.devicePixelRatioF()
    assert renders == [screen]  # painting the same device again is a blit of the cache
    export_widget_png(view, tmp_path / "a.png", scale=3)
    widget_image(view, 3)
    assert renders == [screen, 3.0]
    image(view)
    image(view)
    assert renders == [screen, 3.0, screen]


def test_svg_export_embeds_a_2x_picture(view, tmp_path):
    import base64
    import re

    from nnviz.gui.export import export_widget_svg

    view.resize(400, 300)
    setup(view, [2, 4, 1])
    export_widget_svg(view, tmp_path / "n.svg")
    text = (tmp_path / "n.svg").read_text()
    m = re.search(r'<image [^>]*width="400" height="300"[^>]*base64,([^"]+)"', text)
    assert m is not None
    embedded = QImage.fromData(base64.b64decode(m.group(1)))
    assert (embedded.width(), embedded.height()) == (800, 600)
