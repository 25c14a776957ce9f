"""Presentation mode at projector sizes, checked from widget geometry and fonts: the stage
layout, numbers on every node, formulas broken by the program, type size, whole tabs, tables
without sideways scrolling, plot sizes (README "Classroom")."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontInfo, QFontMetricsF
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QHeaderView,
    QLabel,
    QTabBar,
    QTableView,
    QTableWidget,
    QWidget,
)

from nnviz.gui.formula_box import break_formula, break_line
from nnviz.gui.network import MAX_LABELLED_NODES
from nnviz.gui.stage import FOCUS_DOCKS

SIZES = ((1024, 768), (1280, 720), (1920, 1080))
MIN_TEXT_SHARE = 0.02   # of the screen height
MIN_PLOT_SHARE = 0.22   # of the screen width and height


@pytest.fixture
def no_thread_left_running():
    """One window per size serves every test of this module; it stops its thread itself."""
    yield


@pytest.fixture(scope="module", params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def stage_window(request, qapp):
    from nnviz.gui.app import create_main_window

    size = request.param
    window = create_main_window(["--dataset", "checkerboard", "--layers", "16,16", "--seed", "1"],
                                restore_layout=False)
    classroom = window.features["classroom"]
    classroom.persistent = False
    # the window set to the screen size, as a full-screen window would be
    window.resize(*size)
    classroom.set_presentation(True, full_screen=False)
    settle(window, size, resize=True)
    yield window, size
    window.controller.close()
    window.hide()
    window.deleteLater()
    # Destroyed now, not in the event loop of whichever test comes next (a half-destroyed
    # window's event filters then ran inside that test).
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def settle(window, size, *, resize: bool = False) -> None:
    """Let layouts settle; the window keeps the screen size (a full-screen window cannot
    grow, so nothing may need more)."""
    if resize:
        window.resize(*size)
    for _ in range(4):
        QApplication.processEvents()
    assert (window.width(), window.height()) == size


def visible(widget: QWidget, window: QWidget) -> bool:
    return widget.isVisibleTo(window) and widget.width() > 0 and widget.height() > 0


def texts_of(window: QWidget) -> list[tuple[QWidget, str]]:
    out = []
    for w in window.findChildren(QWidget):
        if not visible(w, window):
            continue
        if isinstance(w, QLabel) and w.text().strip() and w.pixmap().isNull():
            out.append((w, w.text()))
        elif isinstance(w, QAbstractButton) and w.text().strip():
            out.append((w, w.text()))
    return out


def check_type_size(window, size) -> None:
    least = MIN_TEXT_SHARE * size[1]
    small = []
    for w, text in texts_of(window):
        px = QFontInfo(w.font()).pixelSize()
        if px < least:
            small.append(f"{type(w).__name__} {w.objectName()!r} {text[:30]!r}: {px}px")
    for w in window.findChildren(QWidget):
        if isinstance(w, QTabBar | QTableWidget) and visible(w, window):
            px = QFontInfo(w.font()).pixelSize()
            if px < least:
                small.append(f"{type(w).__name__} {w.objectName()!r}: {px}px")
    for plot in (window.loss_plot, window.boundary_view):
        if visible(plot, window):
            for name in ("bottom", "left"):
                font = plot.plot_item.getAxis(name).style["tickFont"]
                if QFontInfo(font).pixelSize() < least:
                    small.append(f"{plot.objectName()} {name} ticks")
    if window.network_view.readable_px() < least:
        small.append(f"network view text: {window.network_view.readable_px()}px")
    assert not small, f"text under {least:.1f}px: {small}"


def check_texts_fit(window) -> None:
    cut = []
    for w, text in texts_of(window):
        if isinstance(w, QLabel) and (w.wordWrap() or w.textFormat() == Qt.TextFormat.RichText
                                      or "<" in text):
            continue
        fm = QFontMetricsF(w.font())
        need = max(fm.horizontalAdvance(line) for line in text.replace("&", "").split("\n"))
        room = w.contentsRect().width()
        if isinstance(w, QAbstractButton):
            room = w.width()
        if need > room + 1:
            cut.append(f"{type(w).__name__} {w.objectName()!r} {text!r}: {need:.0f} > {room}")
    assert not cut, f"texts wider than their widgets: {cut}"


def check_tabs_whole(window) -> None:
    for bar in window.findChildren(QTabBar):
        if not visible(bar, window):
            continue
        fm = QFontMetricsF(bar.font())
        for i in range(bar.count()):
            rect = bar.tabRect(i)
            assert rect.right() <= bar.width(), f"tab {bar.tabText(i)!r} outside its bar"
            assert rect.width() >= fm.horizontalAdvance(bar.tabText(i)), bar.tabText(i)


def check_tables(window) -> None:
    for t in window.findChildren(QTableView):
        columns = t.horizontalHeader().count()
        if not visible(t, window) or columns == 0:
            continue
        assert t.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff \
            or t.horizontalScrollBar().maximum() == 0, t.objectName()
        widths = sum(t.columnWidth(c) for c in range(columns))
        assert widths <= t.viewport().width() + 1, t.objectName()
        for c in t.property("nnvizNumberColumns") or []:
            assert t.columnWidth(c) >= t.sizeHintForColumn(c), (t.objectName(), c)


def check_labels(window, known: bool = True) -> None:
    """Every node of a layer up to MAX_LABELLED_NODES wide has a drawn label; ``known``:
    a number, not the "?" of a layer the phase has not reached yet."""
    view = window.network_view
    drawn = view.drawn_labels()
    sizes = window.controller.net.sizes
    missing = [(al, i) for al, n in enumerate(sizes) if n <= MAX_LABELLED_NODES
               for i in range(n) if not drawn.get((al, i))
               or (known and not any(ch.isdigit() for ch in drawn[(al, i)]))]
    assert not missing, f"nodes without a drawn value: {missing}"


def test_stage_in_every_step_phase(stage_window):
    window, size = stage_window
    panel = window.features["step_panel"]
    stage = window.features["stage"]
    phases = panel.ensure_stepper().phases_per_sample
    seen = set()
    for _ in range(phases):
        record = panel.next_phase()
        seen.add(record.kind)
        settle(window, size)
        assert stage.focus == "step"
        assert window.docks["step"].isVisible()
        assert not window.docks["loss"].isVisible()
        # the network view stays large
        assert window.network_view.width() >= 0.45 * size[0]
        check_labels(window, known=record.kind != "forward")
        view = window.network_view
        if view.edge_labels_moved():
            # numbers left off the edges are named by a marker and listed in the panel
            assert "Step panel" in view.moved_marker()
            assert panel.values.rowCount() >= view.edge_labels_moved()
        box = panel.formula
        assert box.lineWrapMode() == box.LineWrapMode.NoWrap
        assert box.visible_lines() >= 4
        lines = box.toPlainText().split("\n")
        cols = box.columns()
        assert all(len(line) <= cols for line in lines if " " in line.strip()), \
            [line for line in lines if len(line) > cols]
        check_tables(window)
        check_tabs_whole(window)
        check_texts_fit(window)
        check_type_size(window, size)
    assert {"forward", "backward", "gradients", "update"} <= seen
    panel.leave()


def test_stage_while_training(stage_window, qtbot):
    window, size = stage_window
    stage = window.features["stage"]
    c = window.controller
    with qtbot.waitSignal(c.metricsChanged, timeout=10000):
        c.play()
    qtbot.waitUntil(lambda: stage.focus == "training")
    try:
        qtbot.waitUntil(lambda: window.loss_plot.buffer.last_epoch is not None
                        and window.loss_plot.buffer.last_epoch > 5, timeout=10000)
        settle(window, size)
        for key in FOCUS_DOCKS["training"]:
            assert window.docks[key].isVisible()
        assert not window.docks["step"].isVisible()
        for plot in (window.loss_plot, window.boundary_view):
            area = plot.plot_item.getViewBox().sceneBoundingRect()
            assert area.width() >= MIN_PLOT_SHARE * size[0], plot.objectName()
            assert area.height() >= MIN_PLOT_SHARE * size[1], plot.objectName()
        # the loss key never covers the curves: it is outside the plot area
        key = window.loss_plot.legend.sceneBoundingRect()
        area = window.loss_plot.plot_item.getViewBox().sceneBoundingRect()
        assert key.width() > 0 and (key.left() >= area.right() - 1
                                    or key.top() >= area.bottom() - 1)
        assert key.right() <= window.loss_plot.plot_widget.width()
        check_labels(window)
        check_texts_fit(window)
        check_type_size(window, size)
    finally:
        with qtbot.waitSignal(c.playingChanged, timeout=10000):
            c.pause()


def test_f6_cycles_the_panel(stage_window):
    window, size = stage_window
    stage = window.features["stage"]
    window.features["step_panel"].leave()
    stage.set_focus("training")
    window.actions_by_name["actionStageNext"].trigger()
    assert stage.focus == "explorer" and window.docks["convergence"].isVisible()
    assert not window.docks["loss"].isVisible()
    settle(window, size)
    import pyqtgraph as pg

    plots = window.docks["convergence"].findChildren(pg.PlotWidget)
    assert plots
    for plot in plots:
        area = plot.getPlotItem().getViewBox().sceneBoundingRect()
        assert area.width() >= MIN_PLOT_SHARE * size[0], area
        assert area.height() >= MIN_PLOT_SHARE * size[1], area
    check_explorer(window, size)
    check_tables(window)
    check_texts_fit(window)
    check_type_size(window, size)
    window.actions_by_name["actionStageNext"].trigger()
    assert stage.focus == "step" and window.docks["step"].isVisible()
    stage.set_focus("training")
    settle(window, size)
    assert not window.docks["convergence"].isVisible()


def check_explorer(window, size=None) -> None:
    """The explorer's plots: readable axes, whole titles (type size kept in presentation);
    its runs table: room for more than one row."""
    import pyqtgraph as pg

    from nnviz.gui.plot_axes import ReadableAxis

    panel = window.docks["convergence"].widget()
    for plot in window.docks["convergence"].findChildren(pg.PlotWidget):
        item = plot.getPlotItem()
        for name in ("bottom", "left"):
            assert isinstance(item.getAxis(name), ReadableAxis), (plot.objectName(), name)
        label = item.titleLabel
        text = label.item.boundingRect()
        assert label.text, plot.objectName()
        assert text.width() <= plot.width(), (plot.objectName(), text.width(), plot.width())
        assert text.height() <= label.boundingRect().height() + 0.5, plot.objectName()
        if size is not None:
            assert text.height() >= MIN_TEXT_SHARE * size[1], plot.objectName()
    table = panel.table
    row = max(table.verticalHeader().defaultSectionSize(), table.fontMetrics().height())
    assert table.viewport().height() >= 2 * row, (table.viewport().height(), row)


def test_explorer_titles_whole_in_a_normal_window(make_window, qtbot):
    window = make_window()
    window.resize(1280, 720)
    window.actions_by_name["actionConvergence"].trigger()
    dock = window.docks["convergence"]
    qtbot.waitUntil(dock.isVisible)
    for _ in range(4):
        QApplication.processEvents()
    check_explorer(window)


def test_formula_breaks_at_operators_with_a_hanging_indent():
    line = ("delta^(1)_1 = f'(z^(1)_1) * sum_k w^(2)_1k delta^(2)_k "
            "= 0.2500 * (0.0956 * 0.1414) = 0.0034")
    assert break_line(line, 200) == [line]
    lines = break_line(line, 40)
    assert lines == ["delta^(1)_1 = f'(z^(1)_1)",
                     "    * sum_k w^(2)_1k delta^(2)_k",
                     "    = 0.2500 * (0.0956 * 0.1414)",
                     "    = 0.0034"]
    # a continuation never starts like an equation of its own
    assert all(ln.startswith("    ") for ln in lines[1:])
    text = "a = 1\n  b = 2 + 3 + 4 + 5 + 6 + 7 + 8"
    assert break_formula(text, 15).split("\n") == ["a = 1", "  b = 2 + 3 + 4",
                                                    "      + 5 + 6", "      + 7 + 8"]


def test_boundary_svg_has_vector_points_and_no_widgets(make_window, tmp_path):
    w = make_window("--dataset", "xor")
    path = tmp_path / "b.svg"
    w.features["export"].export_to("boundary", "svg", str(path))
    svg = path.read_text()
    assert "discretize" not in svg
    # four XOR points, each a vector circle (a path of Bezier arcs), not a squashed atlas
    assert svg.count(" C") >= 4 * 4
    assert svg.count("<image") <= 2  # the map, and pyqtgraph's cached background


def test_the_checks_catch_a_normal_window(make_window):
    """The same checks fail on the normal window at 1280x720 (small type, values beside
    nothing): they measure, they do not pass by construction."""
    w = make_window("--dataset", "xor")
    w.features["classroom"].persistent = False
    settle(w, (1280, 720), resize=True)
    assert len(texts_of(w)) > 5
    with pytest.raises(AssertionError, match="text under"):
        check_type_size(w, (1280, 720))


def test_normal_docks_keep_plots_usable_at_720p(make_window):
    from nnviz.gui.stage import MIN_PLOT_SIZE

    w = make_window("--dataset", "xor")
    w.features["classroom"].persistent = False
    settle(w, (1280, 720), resize=True)
    w.features["step_panel"].next_phase()
    settle(w, (1280, 720))
    assert w.docks["step"].isVisible()
    for plot in (w.loss_plot, w.boundary_view):
        assert plot.isVisible()
        assert plot.plot_widget.width() >= MIN_PLOT_SIZE[0]
        assert plot.plot_widget.height() >= MIN_PLOT_SIZE[1]


@pytest.mark.parametrize("width", [150, 300, 900])
@pytest.mark.parametrize("point_size", [9.0, 24.0])
def test_axis_tick_labels_never_collide(qtbot, width, point_size):
    import numpy as np
    from PySide6.QtGui import QFont

    from nnviz.gui.loss_plot import LossPlot

    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(width + 120, 260)
    plot.show()
    epochs = np.arange(1, 30001, dtype=float)
    plot.set_history(epochs, 1.0 / epochs, None)
    font = QFont()
    font.setPointSizeF(point_size)
    axis = plot.plot_item.getAxis("bottom")
    axis.setStyle(tickFont=font)
    QApplication.processEvents()
    lo, hi = plot.plot_item.getViewBox().viewRange()[0]
    size = axis.geometry().width()
    fm = QFontMetricsF(font)
    boxes = []
    for spacing, values in axis.tickValues(lo, hi, size):
        for v, text in zip(values, axis.tickStrings(values, axis.scale, spacing), strict=True):
            if text and lo <= v <= hi:
                x = (v - lo) / (hi - lo) * size
                half = fm.horizontalAdvance(text) / 2
                boxes.append((x - half, x + half, text))
    boxes.sort()
    assert boxes
    for (_, right, a), (left, _, b) in zip(boxes, boxes[1:], strict=False):
        assert left > right, f"{a!r} and {b!r} overlap"


def test_remembered_geometry_larger_than_the_screen_is_fitted(make_window, qtbot):
    w = make_window("--dataset", "xor")
    avail = w.screen().availableGeometry()
    w.resize(avail.width() + 900, avail.height() + 600)  # saved on a larger screen
    w.save_layout()
    w2 = make_window("--dataset", "xor")
    qtbot.waitUntil(lambda: w2.geometry_restored)
    frame = w2.frameGeometry()
    least = w2.minimumSizeHint()  # this test's screen may be smaller than the window can be
    assert w2.width() <= max(avail.width(), least.width())
    assert w2.height() <= max(avail.height(), least.height())
    assert w2.width() < avail.width() + 900 and w2.height() < avail.height() + 600
    assert avail.contains(frame.topLeft())


def test_open_landscape_and_weights_join_the_training_panel_as_tabs(stage_window):
    window, size = stage_window
    stage = window.features["stage"]
    window.features["step_panel"].leave()
    stage.set_focus("step")
    window.actions_by_name["actionWeightMatrix"].trigger()
    settle(window, size)
    assert stage.focus == "training"  # opening it follows the work
    weights, boundary = window.docks["weights"], window.docks["boundary"]
    assert weights in window.tabifiedDockWidgets(boundary)
    assert not window.docks["step"].isVisible()
    stage.set_focus("step")
    settle(window, size)
    assert not weights.isVisible() and not weights.toggleViewAction().isChecked()
    stage.set_focus("training")


def test_squeezed_table_keeps_its_numbers_whole(qtbot):
    from PySide6.QtWidgets import QTableWidgetItem

    from nnviz.gui.table_fit import squeeze_columns

    table = QTableWidget(3, 5)
    qtbot.addWidget(table)
    table.setHorizontalHeaderLabels(["Configuration", "Converged at", "Diagnosis",
                                     "Final loss", "Accuracy"])
    table.setProperty("nnvizNumberColumns", [1, 3, 4])
    table.resize(380, 200)
    table.show()
    for r in range(3):
        for c, text in enumerate(["2-16-16-1 tanh xavier lr 0.3", "123,456",
                                  "symmetric hidden units", "0.0049951", "100%"]):
            table.setItem(r, c, QTableWidgetItem(text))
    squeeze_columns(table, True)
    QApplication.processEvents()
    total = sum(table.columnWidth(c) for c in range(5))
    assert total <= table.viewport().width() + 1
    for c in (1, 3, 4):  # numbers whole; the headers give way first
        assert table.columnWidth(c) >= table.sizeHintForColumn(c), c
    assert table.columnWidth(0) < table.sizeHintForColumn(0)  # the text is what shrinks
    table.setItem(0, 3, QTableWidgetItem("0.000123456789"))  # new contents are measured again
    qtbot.waitUntil(lambda: table.columnWidth(3) >= table.sizeHintForColumn(3))
    squeeze_columns(table, False)
    assert table.horizontalHeader().sectionResizeMode(0) == QHeaderView.ResizeMode.Interactive


@pytest.mark.parametrize(("orientation", "span", "length"),
                         [("bottom", (0.0, 5000.0), 230), ("left", (0.0, 100.0), 142),
                          ("bottom", (0.0, 1.0), 200)])
def test_a_short_axis_still_labels_two_ticks(qtbot, orientation, span, length):
    """The roomiest spacing can put its only ticks at the ends (0 and 5000), where pyqtgraph
    hides their labels; the axis then takes a tighter spacing that still reads."""
    from PySide6.QtGui import QFont

    from nnviz.gui.plot_axes import ReadableAxis

    axis = ReadableAxis(orientation)
    font = QFont()
    font.setPixelSize(16)
    axis.setStyle(tickFont=font)
    lo, hi = span[0] - 0.01 * (span[1] - span[0]), span[1] + 0.01 * (span[1] - span[0])
    fm = QFontMetricsF(font)
    inside = []
    for spacing, values in axis.tickValues(lo, hi, length):
        for v, text in zip(values, axis.tickStrings(values, 1.0, spacing), strict=True):
            half = (fm.horizontalAdvance(text) if orientation == "bottom" else fm.height()) / 2
            x = (v - lo) / (hi - lo) * length
            if half <= x <= length - half:
                inside.append((x, half))
    inside.sort()
    assert len(inside) >= 2, inside
    for (a, half_a), (b, half_b) in zip(inside, inside[1:], strict=False):
        assert b - half_b > a + half_a, "labels overlap"


def test_check_box_indicators_grow_with_presentation_text(stage_window):
    """A 13 px box beside 22 px text is a speck on a projector: in presentation mode every
    visible check box's indicator grows with its text; ordinary text keeps the style's box."""
    from PySide6.QtWidgets import QCheckBox, QStyle

    from nnviz.gui.indicator_style import INDICATOR_PER_LINE

    w, size = stage_window
    style = QApplication.style()
    metric = QStyle.PixelMetric.PM_IndicatorWidth
    boxes = [b for b in w.findChildren(QCheckBox) if visible(b, w)]
    assert boxes
    for box in boxes:
        want = round(box.fontMetrics().height() * INDICATOR_PER_LINE)
        assert style.pixelMetric(metric, None, box) >= want, box.text()
    plain = QCheckBox("plain")
    font = plain.font()
    font.setPointSizeF(9.0)  # ordinary desktop text (presentation scales the application's)
    plain.setFont(font)
    assert style.pixelMetric(metric, None, plain) == style.pixelMetric(metric, None, None)
