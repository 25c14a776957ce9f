"""NetworkView: painting, edge budget, hit testing, tooltips, editing, modes (headless)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QLineF, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QInputDialog

from nnviz.gui import network_view as nv
from nnviz.gui.network_view import NetworkView


def make_params(sizes: list[int], seed: int = 0, scale: float = 1.0):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0.0, scale, (sizes[k], sizes[k + 1])) for k in range(len(sizes) - 1)]
    biases = [rng.normal(0.0, 0.5, sizes[k + 1]) for k in range(len(sizes) - 1)]
    return weights, biases


def forward(sizes, weights, biases, seed: int = 1):
    rng = np.random.default_rng(seed)
    a = [rng.uniform(-1, 1, sizes[0])]
    z = []
    for w, b in zip(weights, biases, strict=True):
        z.append(a[-1] @ w + b)
        a.append(np.tanh(z[-1]))
    return a, z


@pytest.fixture
def view(qtbot):
    v = NetworkView()
    qtbot.addWidget(v)
    v.resize(1000, 700)
    return v


def setup(view: NetworkView, sizes: list[int], seed: int = 0, activations: bool = True):
    weights, biases = make_params(sizes, seed)
    view.set_network(sizes, weights, biases)
    if activations:
        view.set_activations(*forward(sizes, weights, biases))
    return weights, biases


def image(view: NetworkView) -> QImage:
    return view.grab().toImage()


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


def test_big_network_draws_at_most_max_edges_and_says_so(view, monkeypatch):
    drawn_lines: list[int] = []
    real_draw_lines = QPainter.drawLines

    def counting(painter, first, count):
        # the (const QLineF *, count) overload, not a QPolygonF: PySide6 re-takes the GIL every
        # few lines of a QPolygonF, so a frame would wait for the training thread again and again
        assert isinstance(first, QLineF)
        drawn_lines.append(count)
        return real_draw_lines(painter, first, count)

    monkeypatch.setattr(QPainter, "drawLines", counting)
    setup(view, [784, 128, 64, 10])
    image(view)
    assert view.max_edges() == 5000
    assert view.total_edge_count() == 784 * 128 + 128 * 64 + 64 * 10
    assert sum(drawn_lines) == view.drawn_edge_count() == 5000
    # one drawLines call per colour bucket, not per edge
    assert len(drawn_lines) < 200
    assert "showing 5,000 of 109,184 edges" in view.legend_text()


def test_small_network_draws_every_edge(view):
    setup(view, [2, 16, 16, 1])
    assert view.drawn_edge_count() == view.total_edge_count() == 2 * 16 + 16 * 16 + 16
    assert "304 edges" in view.legend_text()
    assert "showing" not in view.legend_text()


def test_budget_keeps_the_strongest_edges(view):
    w = np.arange(1.0, 25.0).reshape(4, 6) * np.where(np.arange(24) % 2, 1, -1).reshape(4, 6)
    view.set_max_edges(5)
    view.set_network([4, 6], [w], [np.zeros(6)])
    drawn = {(i, j) for _, i, j in view.drawn_edges()}
    strongest = {divmod(int(k), 6) for k in np.argsort(-np.abs(w).ravel())[:5]}
    assert drawn == strongest


def test_budget_is_shared_so_small_layers_keep_all_edges(view):
    view.set_max_edges(300)
    setup(view, [50, 40, 3])
    per_layer = np.bincount([li for li, _, _ in view.drawn_edges()], minlength=2)
    assert per_layer[1] == 40 * 3  # fits its fair share (150): kept whole
    assert per_layer[0] == 300 - 120


def test_node_and_edge_hit_testing(view):
    sizes = [2, 4, 1]
    setup(view, sizes)
    image(view)
    for layer, n in enumerate(sizes):
        for i in range(n):
            assert view.node_at(view.node_pos(layer, i)) == (layer, i)
    for layer in range(2):
        for i in range(sizes[layer]):
            for j in range(sizes[layer + 1]):
                assert view.edge_at(view.edge_point(layer, i, j, 0.3)) == (layer, i, j)
    for layer in range(2):
        for j in range(sizes[layer + 1]):
            rect = view.bias_rect(layer, j)
            assert rect is not None
            assert view.bias_at(rect.center()) == (layer, j)
    assert view.node_at(QPointF(3, 3)) is None
    assert view.edge_at(QPointF(3, 3)) is None
    assert view.tooltip_text_at(QPointF(3, 3)) is None


def test_hit_testing_in_compressed_columns(view):
    setup(view, [784, 128, 64, 10])
    image(view)
    for layer, i in [(0, 0), (0, 400), (0, 783), (1, 77), (2, 63), (3, 9)]:
        assert view.node_at(view.node_pos(layer, i)) == (layer, i)
    layer, i, j = view.drawn_edges()[123]
    hit = view.edge_at(view.edge_point(layer, i, j, 0.5))
    assert hit is not None and hit[0] == layer
    # an edge that is not drawn cannot be hovered
    drawn = set(view.drawn_edges())
    hidden = next((0, i, j) for i in range(784) for j in range(128) if (0, i, j) not in drawn)
    hit = view.edge_at(view.edge_point(*hidden, 0.5))
    assert hit != hidden


def test_tooltips_show_current_values_with_the_digits_setting(view):
    from nnviz.core import notation

    sizes = [2, 4, 1]
    weights, biases = make_params(sizes)
    weights[0][1, 2] = 0.123456789
    biases[0][2] = -0.987654321
    view.set_network(sizes, weights, biases)
    a, z = forward(sizes, weights, biases)
    view.set_activations(a, z)
    view.set_deltas([np.array([0.1, -0.2, 0.0312, 0.4]), np.array([-0.0228])])
    image(view)
    text = view.tooltip_text_at(view.edge_point(0, 1, 2, 0.3))
    assert text is not None and "0.1235" in text and "x2" in text
    assert "w^(1)_23" in text  # one notation: layer and units 1-based, as in the formulas
    node = view.tooltip_text_at(view.node_pos(1, 2))
    assert node is not None
    for value in (z[0][2], a[1][2]):
        assert notation.number(value, 4) in node
    assert "-0.9877" in node and "0.0312" in node
    view.set_digits(9)
    text = view.tooltip_text_at(view.edge_point(0, 1, 2, 0.3))
    assert "0.123456789" in text
    assert "-0.987654321" in view.tooltip_text_at(view.node_pos(1, 2))
    # the tooltip follows the arrays last set (it stays current while training)
    weights[0] = weights[0].copy()
    weights[0][1, 2] = -2.5
    view.set_params(weights, biases)
    assert "-2.500000000" in view.tooltip_text_at(view.edge_point(0, 1, 2, 0.3))


def test_tooltip_shows_float32_values_without_noise_digits(view):
    w = [np.array([[0.1, -0.7]], dtype=np.float32)]
    view.set_network([1, 2], w, [np.zeros(2, dtype=np.float32)])
    view.set_digits(10)
    image(view)
    text = view.tooltip_text_at(view.edge_point(0, 0, 0, 0.5))
    assert "0.1000000015" in text  # what a float32 0.1 is, to the digits asked for


def test_set_params_changes_the_picture(view):
    sizes = [2, 16, 16, 1]
    weights, biases = setup(view, sizes)
    before = image(view)
    view.set_params([-w for w in weights], biases)
    after = image(view)
    assert before != after


def test_gradient_mode_colours_and_selects_by_gradient(view):
    w = np.full((4, 6), 0.5)
    g = np.zeros((4, 6))
    g[3, 5], g[0, 1] = -2.0, 1.5
    view.set_max_edges(2)
    view.set_network([4, 6], [w], [np.zeros(6)])
    view.set_params([w], [np.zeros(6)], [g])
    before = image(view)
    assert "edges: weight" in view.legend_text()
    view.set_edge_mode("gradient")
    assert set(view.drawn_edges()) == {(0, 3, 5), (0, 0, 1)}
    assert "dE/dw" in view.legend_text()
    assert image(view) != before
    tip = view.tooltip_text_at(view.edge_point(0, 3, 5, 0.5))
    assert "dE/dw" in tip and "-2" in tip and "0.5" in tip
    with pytest.raises(ValueError, match="edge mode"):
        view.set_edge_mode("gradients")


def test_gradient_mode_without_gradients_says_so(view):
    setup(view, [2, 4, 1])
    view.set_edge_mode("gradient")
    image(view)
    assert "no gradient yet" in view.legend_text()


def test_min_magnitude_hides_weak_edges(view):
    weights, _ = setup(view, [2, 16, 16, 1])
    view.set_min_magnitude(0.8)
    image(view)
    drawn = view.drawn_edges()
    assert drawn and all(abs(weights[li][i, j]) >= 0.8 for li, i, j in drawn)
    expected = sum(int((np.abs(w) >= 0.8).sum()) for w in weights)
    assert len(drawn) == expected
    assert f"showing {expected} of 304 edges" in view.legend_text()
    with pytest.raises(ValueError, match="minimum magnitude"):
        view.set_min_magnitude(-1)


def test_click_on_edge_edits_weight_through_dialog(view, qtbot, monkeypatch):
    weights, _ = setup(view, [2, 4, 1])
    image(view)
    asked = []

    def fake_get_double(parent, title, label, value, *args):
        asked.append((title, value))
        return 1.25, True

    monkeypatch.setattr(QInputDialog, "getDouble", staticmethod(fake_get_double))
    pos = view.edge_point(0, 1, 3, 0.3).toPoint()
    with qtbot.waitSignal(view.weightEdited) as sig:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=pos)
    assert sig.args == [0, 1, 3, 1.25]
    assert asked == [("Edit weight", float(weights[0][1, 3]))]
    # the view never edits the arrays itself: the controller applies the edit
    assert weights[0][1, 3] != 1.25


def test_cancelled_dialog_emits_nothing(view, qtbot, monkeypatch):
    setup(view, [2, 4, 1])
    image(view)
    monkeypatch.setattr(QInputDialog, "getDouble", staticmethod(lambda *a: (0.0, False)))
    with qtbot.assertNotEmitted(view.weightEdited):
        view.click_at(view.edge_point(0, 0, 0, 0.3))


def test_click_on_bias_edits_bias(view, qtbot, monkeypatch):
    from nnviz.gui import bias_dialog

    setup(view, [2, 4, 1])
    image(view)
    monkeypatch.setattr(bias_dialog, "ask_bias", lambda *a: (-0.75, "trained"))
    rect = view.bias_rect(1, 0)
    with qtbot.waitSignal(view.biasEdited) as sig:
        view.click_at(rect.center())
    assert sig.args == [1, 0, -0.75]


def test_bias_dialog_changes_the_layers_mode_and_none_draws_no_square(view, qtbot, monkeypatch):
    from nnviz.gui import bias_dialog

    setup(view, [2, 4, 1])
    image(view)
    monkeypatch.setattr(bias_dialog, "ask_bias", lambda *a: (0.0, "none"))
    with qtbot.waitSignal(view.biasModeChanged) as sig, qtbot.assertNotEmitted(view.biasEdited):
        view.click_at(view.bias_rect(1, 0).center())
    assert sig.args == [1, "none"]
    view.set_bias_modes(["trained", "none"])
    image(view)
    assert view.bias_rect(1, 0) is None and view.bias_rect(0, 0) is not None
    assert "frozen" not in view.tooltip_text_at(view.bias_rect(0, 0).center())


def test_bias_dialog_offers_the_three_modes(qtbot):
    from nnviz.gui.bias_dialog import BiasDialog

    d = BiasDialog(None, "Bias of h1", 0.35, "frozen")
    qtbot.addWidget(d)
    assert [d.mode.itemData(i) for i in range(d.mode.count())] == ["trained", "frozen", "none"]
    assert d.result_pair() == (0.35, "frozen")
    d.mode.setCurrentIndex(2)
    assert not d.value.isEnabled()


def test_click_on_node_selects_it(view, qtbot):
    setup(view, [2, 4, 1])
    image(view)
    with qtbot.waitSignal(view.nodeSelected) as sig:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=view.node_pos(1, 2).toPoint())
    assert sig.args == [1, 2]
    assert view.selected_node() == (1, 2)


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


def test_node_images_are_drawn(view):
    setup(view, [2, 4, 1])
    plain = image(view)
    tile = QImage(8, 8, QImage.Format.Format_ARGB32)
    tile.fill(QColor(200, 30, 160))
    view.set_node_images({(1, 0): tile, (1, 3): tile})
    magenta = image(view)
    assert magenta != plain
    centre = view.node_pos(1, 0).toPoint()
    assert QColor(magenta.pixel(centre)) == QColor(200, 30, 160)
    # new maps (a new dict of images) replace the cached ones, also at the same nodes
    green = QImage(8, 8, QImage.Format.Format_ARGB32)
    green.fill(QColor(20, 180, 60))
    view.set_node_images({(1, 0): green, (1, 3): tile})
    assert QColor(image(view).pixel(centre)) == QColor(20, 180, 60)
    view.set_node_images(None)
    assert image(view) == plain
    setup(view, [2, 4, 1])  # a new network starts without maps
    assert image(view) == plain


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


def test_live_updates_thin_big_networks_until_they_settle(qtbot, monkeypatch):
    # an impossible frame budget forces the minimum live edge count, independent of speed; a
    # long settle time keeps a loaded machine from ending the "live" stream early
    monkeypatch.setattr(nv, "LIVE_EDGE_BUDGET_MS", 1e-6)
    monkeypatch.setattr(nv, "LIVE_SETTLE_MS", 1500)
    view = NetworkView()
    qtbot.addWidget(view)
    view.resize(1000, 700)
    sizes = [784, 128, 64, 10]
    weights, biases = setup(view, sizes, activations=False)
    # several setters before one frame are one update, not a stream
    view.set_params(weights, biases)
    view.set_activations(*forward(sizes, weights, biases))
    view.set_deltas([np.zeros(n) for n in sizes[1:]])
    image(view)  # a normal frame; it also measures the cost of an edge
    assert view.drawn_edge_count() == 5000
    assert "thinned" not in view.legend_text()
    view.set_params(weights, biases)  # the next update after a frame: a live stream
    image(view)
    assert view.drawn_edge_count() == nv.MIN_LIVE_EDGES
    assert "thinned while updating" in view.legend_text()
    qtbot.waitUntil(lambda: view.drawn_edge_count() == 5000, timeout=10000)
    assert "thinned" not in view.legend_text()


def test_hover_paints_overlay_and_mouse_move_sets_hover(view, qtbot):
    setup(view, [2, 4, 1])
    view.show()
    qtbot.waitExposed(view)
    plain = image(view)
    qtbot.mouseMove(view, view.edge_point(0, 1, 1, 0.3).toPoint())
    qtbot.waitUntil(lambda: image(view) != plain, timeout=10_000)
    qtbot.mouseMove(view, QPoint(3, 3))
    qtbot.waitUntil(lambda: image(view) == plain, timeout=10_000)


# ---------------------------------------------------------------- exports at 2x / 3x
def pixels(img: QImage) -> np.ndarray:
    """(h, w, 3) RGB array of an image."""
    img = img.convertToFormat(QImage.Format.Format_RGB32)
    a = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    return a[:, : img.width(), 2::-1].copy()


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


# ---------------------------------------------------------------- layout at small sizes
def spy_node_texts(monkeypatch) -> list[tuple[int, float | None]]:
    """Records (activation layer, font px or None when the values were left out) per layer."""
    seen: list[tuple[int, float | None]] = []
    real = NetworkView._node_texts

    def spy(self, al, *args):
        out = real(self, al, *args)
        seen.append((al, None if out is None else out[1]))
        return out

    monkeypatch.setattr(NetworkView, "_node_texts", spy)
    return seen


def test_short_presentation_view_gives_the_nodes_the_height(view, monkeypatch):
    # 1080p presentation with the step panel docked below: about 1340x630 at scale 2.25
    seen = spy_node_texts(monkeypatch)
    view.resize(1340, 630)
    view.set_scale(2.25)
    setup(view, [2, 4, 1])
    image(view)
    lay = view._ensure_layout()
    # one line of titles and one of legend: together well under a quarter of the height
    assert lay.legend_rows == 1
    assert lay.top + (lay.height - lay.bottom) < 0.25 * 630
    # hidden circles were 24 px with the two-line titles and legend; now about twice that
    c = view.node_pos(1, 0)
    assert view.node_at(c + QPointF(44, 0)) == (1, 0)
    hidden = [px for al, px in seen if al == 1]
    assert hidden and hidden[-1] is not None and hidden[-1] >= 10 * 2.25


@pytest.mark.parametrize("scale", [1.0, 1.6, 2.25])
def test_node_values_are_never_smaller_than_the_readable_size(view, monkeypatch, scale):
    seen = spy_node_texts(monkeypatch)
    view.set_scale(scale)
    for size in [(1000, 700), (1000, 420), (700, 330), (1480, 400)]:
        view.resize(*size)
        setup(view, [2, 4, 1])
        image(view)
    drawn = [px for _, px in seen if px is not None]
    assert drawn, "values were written at some size"
    assert min(drawn) >= 10 * scale - 1e-9
    # too small for readable values at this scale: they are left out, not shrunk
    seen.clear()
    view.resize(700, 160)
    image(view)
    assert [px for al, px in seen if al == 1] == [None]


@pytest.mark.parametrize("sizes", [[2, 4, 1], [2, 16, 16, 1], [784, 128, 64, 10]])
@pytest.mark.parametrize("width", [60, 120, 200, 320, 500])
def test_narrow_views_never_overlap_layers(view, sizes, width):
    view.resize(width, 400)
    setup(view, sizes)
    img = image(view)
    assert img.width() == width
    lay = view._ensure_layout()
    half = [lay.bar_w / 2 if lay.compressed[al] else lay.radius[al] for al in range(len(sizes))]
    for al in range(len(sizes)):
        x = float(lay.xs[al])
        assert 0 <= x - half[al] and x + half[al] <= width
        if al:
            assert float(lay.xs[al - 1]) + half[al - 1] < x - half[al]
    # every node is still found where it is drawn
    for al, n in enumerate(sizes):
        for i in (0, n - 1):
            assert view.node_at(view.node_pos(al, i)) == (al, i)


def test_margins_follow_the_width_and_side_labels_go_when_there_is_no_room(view):
    setup(view, [2, 4, 1])
    view.resize(1000, 700)
    wide = view._ensure_layout()
    assert wide.label_px[0] > 0 and wide.label_px[1] > 0
    view.resize(120, 700)
    narrow = view._ensure_layout()
    assert narrow.label_px == (0.0, 0.0)
    # the first circle starts closer to the edge than the old fixed margin (14 + "x10" + 14 px)
    assert narrow.xs[0] - narrow.radius[0] < 5


def test_edge_numbers_of_a_cramped_phase_never_overprint(view):
    view.resize(900, 420)
    view.set_scale(1.6)
    weights, _ = setup(view, [2, 8, 8, 1])
    view.set_highlight(0, "forward")
    image(view)
    lay = view._ensure_layout()
    labels = view._edge_labels(lay, view._ensure_edges())
    assert 0 < len(labels) < 16  # too many to fit: some are left out ...
    for a in range(len(labels)):
        for b in range(a + 1, len(labels)):
            inner = labels[a][1].adjusted(1, 1, -1, -1)
            assert not inner.intersects(labels[b][1])  # ... and the others do not overlap
    strongest = float(weights[0].flat[np.argmax(np.abs(weights[0]))])
    assert strongest in [v for v, _, _ in labels]
    # with room, every edge of the phase gets its number
    view.resize(1340, 630)
    view.set_scale(2.25)
    setup(view, [2, 4, 1])
    view.set_highlight(0, "forward")
    image(view)
    assert len(view._edge_labels(view._ensure_layout(), view._ensure_edges())) == 8


def test_layers_not_computed_yet_show_no_made_up_values(view):
    """While stepping, later layers have no values yet: None, and their tooltips say so."""
    weights, biases = setup(view, [2, 3, 1], activations=False)
    a, z = forward([2, 3, 1], weights, biases)
    view.set_activations([a[0], a[1], None], [z[0], None])
    view.grab()
    hidden = view.tooltip_text_at(view.node_pos(1, 0))
    output = view.tooltip_text_at(view.node_pos(2, 0))
    assert "<td>z</td>" in hidden and "<td>a</td>" in hidden
    assert "<td>z</td>" not in output and "<td>a</td>" not in output  # no value, not a 0
    assert "<td>bias</td>" in output
    with pytest.raises(ValueError):
        view.set_activations([a[0], a[1]], None)  # still one entry per layer
