"""The CSV dialog's preview table: what it shows, and restyling only what changed."""

from __future__ import annotations

from PySide6.QtGui import QBrush

from nnviz.gui.csv_preview import ERROR_TINT, PREVIEW_COLUMNS, PREVIEW_ROWS, TARGET_TINT, CsvPreview


def test_shows_at_most_the_preview_rows_and_columns(qtbot):
    preview = CsvPreview()
    qtbot.addWidget(preview)
    rows = [(i + 2, [str(i * 1000 + j) for j in range(300)]) for i in range(80)]
    shown, full = preview.show_rows(rows, [f"c{j}" for j in range(300)])
    assert (shown, full) == (PREVIEW_ROWS, 300)
    assert (preview.rowCount(), preview.columnCount()) == (PREVIEW_ROWS, PREVIEW_COLUMNS)
    assert preview.verticalHeaderItem(0).text() == "2"  # row labels are line numbers
    assert preview.horizontalHeaderItem(5).text() == "c5" and preview.item(1, 5).text() == "1005"


def test_short_names_and_ragged_rows_get_column_numbers(qtbot):
    preview = CsvPreview()
    qtbot.addWidget(preview)
    shown, full = preview.show_rows([(1, ["1", "2"]), (2, ["3", "4", "x"])], ["a", "b"])
    assert (shown, full) == (2, 3)
    assert [preview.horizontalHeaderItem(j).text() for j in range(3)] == ["a", "b", "column 3"]


def test_restyle_tints_the_target_and_the_error_line_and_changes_only_new_roles(qtbot):
    preview = CsvPreview()
    qtbot.addWidget(preview)
    preview.show_rows([(1, ["1", "2", "0"]), (2, ["3", "4", "1"])], ["a", "b", "y"])
    preview.restyle(2, {0, 1}, None)
    assert preview.item(0, 2).background().color() == TARGET_TINT
    assert preview.horizontalHeaderItem(2).toolTip() == "target"
    marker = QBrush(ERROR_TINT.darker())
    preview.item(0, 0).setBackground(marker)  # a column whose role stays is left alone
    preview.restyle(2, {0}, None)
    assert preview.item(0, 0).background() == marker
    assert preview.horizontalHeaderItem(1).toolTip() == "not used"
    preview.restyle(2, {0}, 2)  # an error on line 2: every cell restyled
    assert preview.item(1, 0).background().color() == ERROR_TINT
    assert preview.item(0, 0).background() != marker
