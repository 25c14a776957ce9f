import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication

from nnviz.gui.loss_history import DISPLAY_POINTS
from nnviz.gui.loss_plot import LossPlot

# ---- LossPlot ------------------------------------------------------------------------------


@pytest.fixture
def plot(qtbot):
    w = LossPlot()
    qtbot.addWidget(w)
    w.resize(640, 360)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_append_does_not_draw_until_refresh(plot):
    e = np.arange(1, 101, dtype=float)
    plot.append(e, 1.0 / e)
    assert plot.train_curve.xData is None
    plot.refresh()
    assert len(plot.train_curve.xData) == 100
    plot.append(np.arange(101, 151, dtype=float), np.full(50, 0.01))
    assert len(plot.train_curve.xData) == 100
    plot.refresh()
    np.testing.assert_array_equal(plot.train_curve.xData, np.arange(1, 151))
    assert plot.train_curve.yData[-1] == 0.01


def test_the_curves_are_persistent_items(plot):
    items_before = list(plot.plot_item.items)
    curve = plot.train_curve
    for k in range(5):
        plot.append([k + 1.0], [1.0 / (k + 1)], [2.0 / (k + 1)])
        plot.refresh()
    assert plot.train_curve is curve
    assert plot.plot_item.items == items_before


def test_test_curve_hidden_without_test_data(plot):
    e = np.arange(1, 11, dtype=float)
    plot.append(e, 1.0 / e)
    plot.refresh()
    assert not plot.test_curve.isVisible()
    assert [label.text for _, label in plot.legend.items] == ["train"]
    plot.append(e + 10, 1.0 / (e + 10), np.full(10, np.nan))
    plot.refresh()
    assert not plot.test_curve.isVisible()
    plot.append(e + 20, 1.0 / (e + 20), 2.0 / (e + 20))
    plot.refresh()
    assert plot.test_curve.isVisible()
    assert [label.text for _, label in plot.legend.items] == ["train", "test"]
    assert len(plot.test_curve.xData) == 30
    plot.clear()
    assert not plot.test_curve.isVisible()
    assert plot.test_curve.xData is None


def test_clear_empties_curves_and_buffer(plot):
    plot.append([1, 2, 3], [3.0, 2.0, 1.0])
    plot.refresh()
    plot.clear()
    assert len(plot.buffer) == 0
    assert plot.train_curve.xData is None
    plot.append([1, 2], [1.0, 0.5])  # a new run starts again at epoch 1
    plot.refresh()
    assert len(plot.train_curve.xData) == 2


def test_log_toggle_maps_the_curves_and_handles_zero(plot):
    plot.append([1, 2, 3, 4], [1.0, 0.1, 0.0, 0.001])
    plot.refresh()
    plot.set_log_y(True)
    assert plot.log_checkbox.isChecked()
    assert plot.plot_item.getAxis("left").logMode
    _, y = plot.train_curve.getData()
    assert np.all(np.isfinite(y)), "a zero loss must not leave a hole in log mode"
    np.testing.assert_allclose(y, np.log10([1.0, 0.1, 0.001, 0.001]))
    plot.log_checkbox.setChecked(False)  # the checkbox drives the same switch
    assert not plot.log_y
    _, y = plot.train_curve.getData()
    np.testing.assert_array_equal(y, [1.0, 0.1, 0.0, 0.001])


def test_set_history_replaces_everything(plot):
    plot.append([1, 2], [1.0, 0.5])
    plot.refresh()
    e = np.arange(1, 1001, dtype=float)
    plot.set_history(e, 1 / e, 2 / e)
    assert len(plot.buffer) == 1000
    np.testing.assert_array_equal(plot.train_curve.xData, e)
    assert plot.test_curve.isVisible()


def test_long_history_feeds_a_bounded_reduction_then_raw_when_zoomed(plot):
    n = 300_000
    e = np.arange(1, n + 1, dtype=float)
    train = 1.0 / np.sqrt(e)
    train[77_777] = 50.0
    plot.set_history(e, train)
    x = plot.train_curve.xData
    assert len(x) <= DISPLAY_POINTS + 64
    assert x[-1] == n  # the newest epoch is always drawn
    assert plot.train_curve.yData.max() == 50.0  # spikes survive the reduction
    plot.append([n + 1.0], [0.0001])
    plot.refresh()
    assert plot.train_curve.xData[-1] == n + 1
    # zooming in hands pyqtgraph the raw points for clip-to-view
    plot.plot_item.setXRange(1000, 2000, padding=0)
    assert len(plot.train_curve.xData) == n + 1
    # back to following the run: the bounded reduction again
    plot.plot_item.enableAutoRange()
    assert len(plot.train_curve.xData) <= DISPLAY_POINTS + 64


def test_hover_readout_names_the_nearest_point(plot, qtbot):
    e = np.arange(1, 20_001, dtype=float)
    train = 1.0 / e
    plot.set_history(e, train)
    assert plot.readout_at(12_345.3) == "epoch 12,345   loss 8.1e-05"
    assert plot.readout_at(-5) == "epoch 1   loss 1"
    assert plot.readout_at(1e9) == "epoch 20,000   loss 5e-05"
    qtbot.waitUntil(lambda: plot.plot_item.getViewBox().viewRange()[0][1] >= 20_000)
    vb = plot.plot_item.getViewBox()
    scene_pos = vb.mapViewToScene(vb.mapToView(vb.boundingRect().center()))
    plot.plot_widget.scene().sigMouseMoved.emit(scene_pos)
    x = vb.mapSceneToView(scene_pos).x()
    assert plot.readout.text() == plot.readout_at(x)
    assert plot.readout.text().startswith("epoch ")
    assert plot.hover_marker.isVisible()
    plot.plot_widget.scene().sigMouseMoved.emit(vb.sceneBoundingRect().topLeft() - vb.pos() * 2)
    assert plot.readout.text() == ""


def test_readout_shows_train_and_test(plot):
    plot.set_history([1, 2], [0.5, 0.25], [0.75, 0.5])
    assert plot.readout_at(2) == "epoch 2   train 0.25   test 0.5"
    assert LossPlot().readout_at(3) == ""


def test_scale_and_palette(plot):
    plot.set_history([1, 2, 3], [1.0, 0.5, 0.25])
    plot.set_scale(2.0)
    assert plot.train_curve.opts["pen"].widthF() == pytest.approx(4.0)
    assert plot.readout.font().pointSizeF() == pytest.approx(22.0)
    plot.set_palette_mode(True)
    dark_bg = plot.plot_widget.backgroundBrush().color().lightness()
    plot.set_palette_mode(False)
    assert plot.plot_widget.backgroundBrush().color().lightness() > dark_bg
    assert not plot.grab().isNull()
    with pytest.raises(ValueError, match="scale factor"):
        plot.set_scale(0)


class _Feeder(QObject):
    """Mimics the controller: new losses and a refresh every tick of a ~30 Hz timer."""

    def __init__(self, plot: LossPlot) -> None:
        super().__init__()
        self.plot = plot
        self.ticks = 0
        self.epoch = 0

    @Slot()
    def tick(self) -> None:
        e = np.arange(self.epoch + 1, self.epoch + 2001, dtype=float)
        self.epoch += 2000
        self.plot.append(e, 1 / np.sqrt(e), 1.2 / np.sqrt(e))
        self.plot.refresh()
        self.ticks += 1


def test_refresh_at_30_hz_for_two_seconds(qtbot):
    plot = LossPlot(max_points=20_000)  # small cap: decimation and reduction both run
    qtbot.addWidget(plot)
    plot.resize(640, 360)
    plot.show()
    qtbot.waitExposed(plot)
    items_before = list(plot.plot_item.items)
    feeder = _Feeder(plot)
    timer = QTimer()
    timer.setInterval(33)
    timer.timeout.connect(feeder.tick)
    timer.start()
    try:
        qtbot.waitUntil(lambda: feeder.ticks >= 60, timeout=15_000)
    finally:
        timer.stop()
    assert plot.buffer.decimations > 0
    assert len(plot.buffer) <= 20_000 and plot.buffer.capacity <= 20_000
    assert plot.buffer.last_epoch == feeder.epoch
    assert plot.train_curve.xData[-1] == feeder.epoch
    assert len(plot.train_curve.xData) <= DISPLAY_POINTS + 64
    assert plot.plot_item.items == items_before  # nothing added per frame
    assert not plot.grab().isNull()


class _PaintCounter(QObject):
    def __init__(self, widget) -> None:
        super().__init__()
        self.paints = 0
        widget.installEventFilter(self)

    def eventFilter(self, obj, event):  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def test_one_refresh_paints_the_plot_once(plot, qtbot):
    """Each repaint of the plot is Python time the trainer thread loses (the GIL): a refresh
    that moves the range must not queue a second and third paint of the whole plot."""
    counter = _PaintCounter(plot.plot_widget.viewport())
    epoch = 0
    for k in range(4):
        e = np.arange(epoch + 1, epoch + 201, dtype=float)
        epoch += 200
        plot.append(e, 1.0 / e)
        counter.paints = 0
        plot.refresh()  # the range follows the new points: x and y limits move every time
        qtbot.waitUntil(lambda: counter.paints >= 1, timeout=5000)
        for _ in range(5):
            QApplication.sendPostedEvents()
            QApplication.processEvents()
        if k > 0:  # the first refresh may also lay out the legend
            assert counter.paints == 1


def test_range_ceiling_and_floor_are_round():
    from nnviz.gui.loss_plot import range_ceiling, range_floor

    assert range_ceiling(3400) == 4000
    assert range_ceiling(4000) == 4000
    assert range_ceiling(4001) == 5000
    assert range_ceiling(81) == 100
    assert range_ceiling(0) == 1.0
    for x in (1, 7, 123, 9999, 1.5e6):
        assert x <= range_ceiling(x) <= 1.25 * x
    assert range_floor(0.0123, 0.25, log=False) == pytest.approx(0.0)
    assert range_floor(0.13, 0.9, log=False) == pytest.approx(0.1)
    assert range_floor(0.013, 1.0, log=True) == pytest.approx(10 ** -2)


def test_following_range_moves_only_at_round_values(plot):
    """Every range change regenerates both axes, most of a refresh's cost: while the plot
    follows a run the range stays put until the run passes a round epoch."""
    vb = plot.plot_item.getViewBox()
    for chunk in (np.arange(1, 3001, dtype=float), np.arange(3001, 3101, dtype=float)):
        plot.append(chunk, 1.0 / np.sqrt(chunk))
        plot.refresh()  # the second settles the pens' pixel padding at the new scale
    first = vb.viewRange()
    for start in (3101, 3401, 3701):
        e = np.arange(start, start + 300, dtype=float)
        plot.append(e, 1.0 / np.sqrt(e))
        plot.refresh()
        assert vb.viewRange() == first  # the run is still below 4,000
        assert first[0][1] >= plot.buffer.last_epoch  # and the newest point is in view
    e = np.arange(4001, 4301, dtype=float)
    plot.append(e, 1.0 / np.sqrt(e))
    plot.refresh()
    assert vb.viewRange()[0][1] > first[0][1] >= 4000
