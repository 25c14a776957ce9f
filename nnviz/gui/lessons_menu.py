"""File > Lessons: open a shipped lesson (README "Lessons") and show its short text.

A lesson opens like a session file, except that the window keeps no path for it: Save asks
where to write, so the shipped file is never overwritten.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QMenu,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from nnviz.core import lessons

if TYPE_CHECKING:
    from nnviz.gui.main_window import MainWindow


class LessonText(QWidget):
    """The lesson's title and text, in a dock beside the controls (the class goes on working)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lessonText")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        outer.addWidget(self.heading)
        self.text = QPlainTextEdit()
        self.text.setObjectName("lessonTextEdit")
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Lesson text")
        self.text.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        outer.addWidget(self.text)

    def show_lesson(self, title: str, notes: str) -> None:
        self.heading.setText(title)
        self.text.setPlainText(notes)


def _lesson_dock(window: MainWindow) -> LessonText:
    dock = window.docks.get("lesson")
    if dock is None:
        dock = window.add_dock("lesson", "Lesson", LessonText(),
                               Qt.DockWidgetArea.LeftDockWidgetArea)
        window.menus["view"].addAction(dock.toggleViewAction())
    dock.show()
    dock.raise_()
    return dock.widget()


def open_lesson(window: MainWindow, name: str) -> str | None:
    """Open shipped lesson ``name`` in ``window``; None on success, else the message (shown)."""
    try:
        session = lessons.load(name)
    except (lessons.LessonError, ValueError) as exc:
        window.show_message(f"Could not open the lesson: {exc}")
        return str(exc)
    key = lessons.path(name).stem
    error = window.features["sessions"].open_lesson(session, f"lesson {key}")
    if error is not None:
        return error
    _lesson_dock(window).show_lesson(session.title or key, session.notes)
    window.show_message(f"Lesson {key}: {session.title}")
    return None


def build_menu(window: MainWindow, ask_first) -> QMenu:  # noqa: ANN001 (() -> bool)
    """The Lessons submenu; ``ask_first`` offers to save unsaved changes (False = cancel)."""
    menu = QMenu("Lessons", window)
    menu.setObjectName("menuLessons")
    for info in lessons.catalogue():
        action = menu.addAction(f"{info.name}: {info.title}")
        action.setObjectName(f"actionLesson_{info.name}")
        action.setData(info.name)
        action.setStatusTip(info.summary)
        action.setToolTip(info.summary)

        def run(_checked: bool = False, name: str = info.name) -> None:
            if ask_first():
                open_lesson(window, name)

        action.triggered.connect(functools.partial(run))
    if menu.isEmpty():
        menu.addAction("No lessons installed").setEnabled(False)
    return menu
