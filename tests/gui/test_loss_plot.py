import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication

from nnviz.gui.loss_plot import (
    DISPLAY_POINTS,
    LossHistoryBuffer,
    LossPlot,
    format_epoch,
)

# ---- LossHistoryBuffer (Qt-free) ----------------------------------------------------------


def test_buffer_grows_by_doubling_and_exposes_filled_views():
    buf = LossHistoryBuffer(max_points=1_000_000)
    start = buf.capacity
    n = 3 * start + 5
    e = np.arange(1, n + 1, dtype=float)
    for i in range(0, n, 1000):
        buf.append(e[i : i + 1000], 1.0 / e[i : i + 1000])
    assert len(buf) == n
    assert buf.capacity == 4 * start  # doubled twice, not grown to fit exactly
    np.testing.assert_array_equal(buf.epochs, e)
    np.testing.assert_array_equal(buf.train, 1.0 / e)
    assert np.isnan(buf.test).all() and not buf.has_test
    assert buf.epochs.dtype == np.float64
    assert buf.decimations == 0


def test_buffer_stores_test_loss_and_clear_forgets():
    buf = LossHistoryBuffer()
    buf.append([1, 2, 3], [0.5, 0.4, 0.3], [0.6, np.nan, 0.5])
    assert buf.has_test
    np.testing.assert_array_equal(buf.test[[0, 2]], [0.6, 0.5])
    buf.clear()
    assert len(buf) == 0 and not buf.has_test and buf.last_epoch is None
    buf.append([1], [0.1])  # epochs may restart after clear
    assert len(buf) == 1


def test_buffer_all_nan_test_counts_as_no_test():
    buf = LossHistoryBuffer()
    buf.append([1, 2], [0.5, 0.4], [np.nan, np.nan])
    assert not buf.has_test


@pytest.mark.parametrize(
    ("epochs", "train", "test", "match"),
    [
        ([1, 2, 3], [0.1, 0.2], None, "train loss has 2 values but epochs has 3"),
        ([1, 2], [0.1, 0.2], [0.3], "test loss has 1 values"),
        ([1, 3, 2], [0.1, 0.2, 0.3], None, "strictly increasing"),
        ([[1, 2]], [[0.1, 0.2]], None, "1-D"),
        ([1, np.nan], [0.1, 0.2], None, "finite"),
    ],
)
def test_buffer_rejects_bad_chunks(epochs, train, test, match):
    with pytest.raises(ValueError, match=match):
        LossHistoryBuffer().append(epochs, train, test)


def test_buffer_rejects_epochs_that_do_not_continue():
    buf = LossHistoryBuffer()
    buf.append([1, 2, 3], [0.3, 0.2, 0.1])
    with pytest.raises(ValueError, match="after the last stored epoch 3"):
        buf.append([3, 4], [0.1, 0.1])
    assert len(buf) == 3  # a rejected chunk changes nothing


def test_buffer_cap_must_be_sensible():
    with pytest.raises(ValueError, match="max_points"):
        LossHistoryBuffer(max_points=10)


def test_buffer_stays_bounded_over_ten_million_epochs():
    cap = 1_000_000
    buf = LossHistoryBuffer(max_points=cap)
    chunk = 100_000
    total = 10_000_000
    spike_epoch = 1_234_567.0
    for start in range(0, total, chunk):
        e = np.arange(start + 1, start + chunk + 1, dtype=float)
        train = 1.0 / np.sqrt(e)
        train[e == spike_epoch] = 100.0  # a divergence spike must survive decimation
        buf.append(e, train, 1.1 * train)
        assert len(buf) <= cap and buf.capacity <= cap
    assert buf.decimations > 0
    assert buf.last_epoch == total
    assert len(buf) > cap // 2  # decimation halves older points, it does not empty the buffer
    assert np.all(np.diff(buf.epochs) > 0)
    assert buf.train.max() == 100.0
    assert spike_epoch in buf.epochs
    # the start of the run is still there, and the older part is evenly sampled: the first
    # million epochs are not thinned more than later ones
    assert buf.epochs[0] == 1.0
    counts, _ = np.histogram(buf.epochs, bins=10, range=(0, total))
    assert counts[:9].max() <= 1.01 * counts[:9].min()
    assert counts[0] >= 0.9 * cap / 2 / 10
    # the newest quarter of the cap is never decimated: the last points are consecutive epochs
    newest = np.arange(total - cap // 4 + 1, total + 1)
    np.testing.assert_array_equal(buf.epochs[-cap // 4 :], newest)
    # train and test stay aligned with their epochs through decimation
    i = len(buf) // 3
    assert buf.test[i] == pytest.approx(1.1 * buf.train[i])


def test_buffer_splits_a_chunk_larger_than_the_cap():
    buf = LossHistoryBuffer(max_points=1000)
    e = np.arange(1, 10_001, dtype=float)
    buf.append(e, np.exp(-e / 3000))
    assert len(buf) <= 1000
    assert buf.last_epoch == 10_000
    assert buf.epochs[0] == 1  # the start of the run is still represented


def test_buffer_tiny_cap_survives_a_long_run():
    buf = LossHistoryBuffer(max_points=64)
    for start in range(0, 200_000, 16):
        e = np.arange(start + 1, start + 17, dtype=float)
        buf.append(e, np.full(16, 0.5))
    assert len(buf) <= 64
    assert buf.last_epoch == 200_000
    assert np.all(np.diff(buf.epochs) > 0)


def test_format_epoch():
    assert format_epoch(12345.0) == "12,345"
    assert format_epoch(2.5) == "2.50"


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
