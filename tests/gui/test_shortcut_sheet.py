"""The shortcut sheet (nnviz.gui.shortcut_sheet), opened with F1 from the window."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

from nnviz.gui.shortcut_sheet import ShortcutsDialog


def test_cheat_sheet_lists_every_shortcut(make_window):
    w = make_window()
    # an action added after install (as later features do) shows up too
    w.add_action("actionLateFeature", "Late feature", "Ctrl+Shift+K", lambda: None)
    w.actions_by_name["actionShortcuts"].trigger()
    dialog = w.findChild(ShortcutsDialog)
    assert dialog.isVisible() and not dialog.isModal()
    lines = dialog.rows_text()
    native = QKeySequence.SequenceFormat.NativeText
    for name, text in (("actionPlay", "Play"), ("actionStepEpoch", "Step epoch"),
                       ("actionReset", "Reset"), ("actionLateFeature", "Late feature")):
        shortcut = w.actions_by_name[name].shortcut().toString(native)
        assert shortcut
        assert any(f"| {shortcut} | {text}" in line for line in lines), (name, lines)
    assert "Train | Space | Play" in lines
    assert "View \u203a Zoom | Ctrl+=, Ctrl++ | Zoom in" in lines
    assert any(line.startswith("Other | ") and "Late feature" in line for line in lines)
    # every registered action is listed exactly once
    assert len([ln for ln in lines if not ln.startswith("Mouse")]) == len(w.actions_by_name)
    dialog.close()
