import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor

from nnviz.gui.boundary_view import (
    BoundaryView,
    grid_points,
    output_to_image,
    output_to_rgb,
)

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def _colours(img) -> set[tuple[int, int, int]]:
    return {img.pixelColor(x, y).getRgb()[:3] for y in range(img.height())
            for x in range(img.width())}


def _is_orange(c: QColor) -> bool:
    return c.red() > c.blue() + 60


def _is_blue(c: QColor) -> bool:
    return c.blue() > c.red() + 60


# ---- Qt-free helpers -----------------------------------------------------------------------


def test_grid_points_is_row_major_from_the_top_left():
    pts = grid_points((0.0, 4.0), (-2.0, 2.0), resolution=4)
    assert pts.shape == (16, 2)
    # pixel centres: x = 0.5, 1.5, 2.5, 3.5 along a row; y from the top (1.5) down (-1.5)
    np.testing.assert_allclose(pts[:4], [[0.5, 1.5], [1.5, 1.5], [2.5, 1.5], [3.5, 1.5]])
    np.testing.assert_allclose(pts[4:8, 1], 0.5)
    np.testing.assert_allclose(pts[-1], [3.5, -1.5])
    grid = pts.reshape(4, 4, 2)
    assert np.all(np.diff(grid[:, :, 0], axis=1) > 0)
    assert np.all(np.diff(grid[:, :, 1], axis=0) < 0)
    assert grid_points((0, 1), (0, 1)).shape == (100 * 100, 2)


@pytest.mark.parametrize(
    ("xlim", "ylim", "res", "match"),
    [
        ((1, 0), (0, 1), 10, "xlim"),
        ((0, 1), (0, np.nan), 10, "ylim"),
        ((0, 1), (0, 1), 1, "resolution"),
    ],
)
def test_grid_points_rejects_bad_arguments(xlim, ylim, res, match):
    with pytest.raises(ValueError, match=match):
        grid_points(xlim, ylim, res)


def test_output_to_image_size_and_diverging_colours():
    res = 20
    pts = grid_points((-1, 1), (-1, 1), res)
    values = (pts[:, 1] + 1) / 2  # 0 at the bottom, 1 at the top
    img = output_to_image(values, res)
    assert (img.width(), img.height()) == (res, res)
    top, bottom = img.pixelColor(5, 0), img.pixelColor(5, res - 1)
    assert _is_blue(top), top.getRgb()  # high output = class 1 = blue, drawn at the top
    assert _is_orange(bottom), bottom.getRgb()
    # near 0.5 the map is a neutral light grey
    mid = output_to_rgb(np.full(res * res, 0.5), res)[0, 0].astype(int)
    assert mid.max() - mid.min() < 8 and mid.min() > 200
    # dark mode uses a dark neutral
    assert output_to_rgb(np.full(res * res, 0.5), res, dark=True)[0, 0].max() < 90


def test_output_to_image_range_nan_and_validation():
    res = 4
    low = output_to_rgb(np.full(16, -1.0), res, vmin=-1, vmax=1)
    high = output_to_rgb(np.full(16, 1.0), res, vmin=-1, vmax=1)
    assert not np.array_equal(low, high)
    nan = output_to_rgb(np.full(16, np.nan), res)
    np.testing.assert_array_equal(nan, output_to_rgb(np.full(16, 0.5), res))
    with pytest.raises(ValueError, match="16 rows"):
        output_to_rgb(np.zeros(15), res)
    with pytest.raises(ValueError, match="vmin"):
        output_to_rgb(np.zeros(16), res, vmin=1, vmax=1)


def test_discretize_gives_two_colours():
    res = 30
    values = np.linspace(0, 1, res * res)
    assert len(_colours(output_to_image(values, res))) > 10
    colours = _colours(output_to_image(values, res, discretize=True))
    assert len(colours) == 2


def test_two_class_columns_match_the_single_output_map():
    res = 10
    p1 = np.linspace(0.05, 0.95, res * res)
    two = np.column_stack([1 - p1, p1])
    np.testing.assert_array_equal(output_to_rgb(two, res), output_to_rgb(p1, res))


def test_several_classes_colour_by_argmax_with_confidence():
    res = 3
    n = res * res
    scores = np.full((n, 3), 0.05)
    scores[:3, 0] = 0.9
    scores[3:6, 1] = 0.9
    scores[6:, 2] = 0.9
    rgb = output_to_rgb(scores, res).reshape(n, 3).astype(int)
    assert len({tuple(c) for c in rgb}) == 3  # one colour per winning class
    assert rgb[0, 0] > rgb[0, 2]  # class 0 orange
    assert rgb[3, 2] > rgb[3, 0]  # class 1 blue
    unsure = np.full((n, 3), 1 / 3)
    grey = output_to_rgb(unsure, res)[0, 0].astype(int)
    assert grey.max() - grey.min() < 8  # no confidence: neutral
    # raw scores outside [0, 1] go through a softmax
    logits = np.tile([-3.0, 0.0, 9.0], (n, 1))
    sure = np.tile([0.0, 0.0, 1.0], (n, 1))
    np.testing.assert_allclose(output_to_rgb(logits, res), output_to_rgb(sure, res), atol=1)


# ---- BoundaryView --------------------------------------------------------------------------


@pytest.fixture
def view(qtbot):
    w = BoundaryView()
    qtbot.addWidget(w)
    w.resize(420, 440)
    w.show()
    qtbot.waitExposed(w)
    return w


def _xor_output(pts: np.ndarray) -> np.ndarray:
    return ((pts[:, 0] > 0.5) ^ (pts[:, 1] > 0.5)).astype(float) * 0.9 + 0.05


def test_xor_view_shows_map_and_points(view, qtbot):
    view.set_data(XOR_X, XOR_Y, XOR_X + 0.1, XOR_Y)
    x0, x1 = view.xlim
    y0, y1 = view.ylim
    assert x0 < 0 and x1 > 1.1 and y0 < 0 and y1 > 1.1  # a margin around every point
    pts = view.plane_points()
    assert pts.shape == (10_000, 2) and view.resolution >= 100
    assert not pts.flags.writeable
    assert pts[:, 0].min() > x0 and pts[:, 0].max() < x1
    view.set_output(_xor_output(pts))
    assert view.image_item.image is not None
    assert len(view.train_scatter.data) == 4 and len(view.test_scatter.data) == 4
    assert view.test_scatter.opts["symbol"] != view.train_scatter.opts["symbol"]
    brushes = [b.color().getRgb() for b in view.train_scatter.data["brush"]]
    assert brushes[1] == brushes[2] != brushes[0] == brushes[3]  # class from Y > 0.5
    assert view.key_label.text() == "● train    ◆ test"

    # the picture itself: top-left of the plane (x small, y large) is class 1 (blue), bottom-
    # left class 0 (orange) -- checks the image is not upside down on screen
    shot = view.plot_widget.grab().toImage()
    vb = view.plot_item.getViewBox()

    def colour_at(x: float, y: float) -> QColor:
        p = view.plot_widget.mapFromScene(vb.mapViewToScene(QPointF(x, y)))
        dpr = shot.devicePixelRatio()
        return shot.pixelColor(int(p.x() * dpr), int(p.y() * dpr))

    assert _is_blue(colour_at(0.2, 0.85))
    assert _is_orange(colour_at(0.2, 0.2))
    assert _is_blue(colour_at(0.85, 0.2))
    assert not view.grab().isNull()


def test_set_data_validates(view):
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        view.set_data(np.zeros((4, 3)), XOR_Y)
    with pytest.raises(ValueError, match="one row per point"):
        view.set_data(XOR_X, XOR_Y[:3])
    with pytest.raises(ValueError, match="both X_test and Y_test"):
        view.set_data(XOR_X, XOR_Y, XOR_X)
    view.set_data(XOR_X, XOR_Y)
    with pytest.raises(ValueError, match="one row per plane point"):
        view.set_output(np.zeros(99))


def test_classes_from_several_columns(view):
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    Y = np.eye(3)
    view.set_data(X, Y)
    colours = {b.color().getRgb() for b in view.train_scatter.data["brush"]}
    assert len(colours) == 3
    out = np.zeros((view.resolution**2, 3))
    out[:, 2] = 1.0
    view.set_output(out)
    assert view.key_label.text() == "● train"


def test_discretize_checkbox_and_method(view):
    view.set_data(XOR_X, XOR_Y)
    pts = view.plane_points()
    view.set_output(1 / (1 + np.exp(-4 * (pts[:, 0] - 0.5))))
    assert len(np.unique(view.image_item.image.reshape(-1, 3), axis=0)) > 10
    view.discretize_checkbox.setChecked(True)
    assert view.discretize
    assert len(np.unique(view.image_item.image.reshape(-1, 3), axis=0)) == 2
    view.set_discretize(False)
    assert not view.discretize_checkbox.isChecked()
    assert len(np.unique(view.image_item.image.reshape(-1, 3), axis=0)) > 10


def test_new_data_clears_the_stale_map(view):
    view.set_data(XOR_X, XOR_Y)
    view.set_output(_xor_output(view.plane_points()))
    view.set_data(XOR_X * 5, XOR_Y)
    assert view.image_item.image is None
    assert view.plane_points()[:, 0].max() > 4


def test_neuron_images_one_per_hidden_neuron(view):
    view.set_data(XOR_X, XOR_Y)
    pts = view.plane_points()
    h1 = np.tanh(pts @ np.array([[1.0, -1.0, 2.0, 0.5], [1.0, 1.0, -1.0, 0.5]]) - 1.0)
    h2 = 1 / (1 + np.exp(-(h1 @ np.ones((4, 3)))))
    images = view.neuron_images([h1, h2], size=32)
    assert set(images) == {(1, 0), (1, 1), (1, 2), (1, 3), (2, 0), (2, 1), (2, 2)}
    for img in images.values():
        assert (img.width(), img.height()) == (32, 32)
    # neuron (1, 0) = tanh(x1 + x2 - 1): low at the bottom-left, high at the top-right
    img = images[(1, 0)]
    assert _is_orange(img.pixelColor(0, 31)) and _is_blue(img.pixelColor(31, 0))
    with pytest.raises(ValueError, match="hidden layer 1"):
        view.neuron_images([h1[:50]])
    with pytest.raises(ValueError, match="ranges"):
        view.neuron_images([h1], ranges=[None, None])
    relu = np.maximum(0.0, pts @ np.array([[3.0], [3.0]]))
    img = view.neuron_images([relu], size=8, ranges=[(0.0, 6.0)])[(1, 0)]
    assert _is_orange(img.pixelColor(0, 7)) and _is_blue(img.pixelColor(7, 0))


def test_scale_and_palette(view):
    view.set_data(XOR_X, XOR_Y)
    view.set_output(_xor_output(view.plane_points()))
    light_map = view.image_item.image.copy()
    view.set_scale(2.0)
    # text scale times the plot's own size
    assert view.train_scatter.opts["size"] == pytest.approx(20.0 * view.view_factor())
    view.set_palette_mode(True)
    assert view.plot_widget.backgroundBrush().color().lightness() < 80
    assert not np.array_equal(view.image_item.image, light_map)
    assert not view.grab().isNull()
    with pytest.raises(ValueError, match="scale factor"):
        view.set_scale(-1)


def test_neuron_range_leaves_nan_and_inf_out():
    from nnviz.gui.boundary_view import BoundaryView

    rng = BoundaryView._neuron_range  # noqa: SLF001
    assert rng(np.array([[0.2], [0.9]]), None) == (0.0, 1.0)  # sigmoid-like
    assert rng(np.array([[-0.5], [0.9]]), None) == (-1.0, 1.0)  # tanh-like
    assert rng(np.array([[np.nan], [3.0], [-1.0]]), None) == (-3.0, 3.0)
    assert rng(np.array([[np.inf], [0.5]]), None) == (0.0, 1.0)
    assert rng(np.array([[np.nan], [np.nan]]), None) == (-1.0, 1.0)
    assert rng(np.empty((0, 1)), None) == (-1.0, 1.0)


def test_neuron_maps_from_picked_rows_equal_maps_from_the_whole_plane(view):
    view.set_data(XOR_X, XOR_Y)
    pts = view.plane_points()
    relu = np.maximum(0.0, pts @ np.array([[3.0, -1.0], [3.0, 2.0]]) - 0.5)
    full = view.neuron_images([relu])
    rows = view.neuron_rows()
    assert rows.shape == (32 * 32,)
    picked = view.neuron_images([relu[rows]], picked=True)
    assert set(full) == set(picked) == {(1, 0), (1, 1)}
    for key in full:
        assert full[key] == picked[key]
    with pytest.raises(ValueError, match="hidden layer 1"):
        view.neuron_images([relu], picked=True)  # whole-plane rows are not the picked ones


def test_a_huge_data_set_draws_an_even_spread_of_its_points_and_says_so(view):
    from nnviz.gui.boundary_view import MAX_DRAWN_POINTS

    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(3 * MAX_DRAWN_POINTS, 2))
    Y = (X[:, :1] > 0).astype(float)
    view.set_data(X, Y, X[:10], Y[:10])
    assert len(view.train_scatter.getData()[0]) == MAX_DRAWN_POINTS
    assert len(view.test_scatter.getData()[0]) == 10
    assert f"({MAX_DRAWN_POINTS + 10:,} of {3 * MAX_DRAWN_POINTS + 10:,} shown)" in \
        view.key_label.text()
    view.set_data(X[:50], Y[:50])
    assert len(view.train_scatter.getData()[0]) == 50 and "shown" not in view.key_label.text()


def test_markers_scale_with_the_view(qtbot):
    view = BoundaryView()
    qtbot.addWidget(view)
    view.set_data(XOR_X, XOR_Y)
    view.resize(300, 300)
    view.show()
    qtbot.waitExposed(view)
    small = view.train_scatter.opts["size"]
    view.resize(800, 800)
    qtbot.waitUntil(lambda: view.train_scatter.opts["size"] > 1.5 * small)
    assert view.view_factor() <= 2.0
