"""Keyboard-only use and screen readers (README, "Keyboard" and "Screen readers").

- Every interactive widget needs a name a screen reader can say: its own accessible name, a
  button's text, or a QLabel buddy (QFormLayout rows have one). `name_tab_pages` names tables
  that are tab pages by their tab; `unnamed_widgets` lists what is still nameless (the tests
  fail on it).
- `untrap_tables` lets Tab leave tables (arrow keys move between cells), and `ControlKeys`
  keeps Space and the arrows for the focused control instead of the one-key shortcuts.
- `FocusRing` draws a frame in the theme's highlight colour around whatever has keyboard
  focus, so focus stays visible in every theme and on widgets whose style draws none (plots,
  the network view). `WindowRings` gives every other window focus goes to (dialogs, message
  boxes, floating docks) a ring of its own.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, Slot
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from nnviz.gui.features import NoViewState

#: Width of the focus frame in logical pixels (device pixels follow the screen's ratio).
RING_WIDTH = 2


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").strip()


def takes_tab_focus(widget: QWidget) -> bool:
    """A widget a keyboard user reaches with Tab, not counting the inner editors of spin and
    combo boxes (focus goes to the box)."""
    if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
        return False
    if widget.focusProxy() is not None:
        return False
    parent = widget.parentWidget()
    return not isinstance(parent, (QAbstractSpinBox, QComboBox))


def interactive_widgets(root: QWidget) -> list[QWidget]:
    """Widgets under ``root`` shown with it that take keyboard focus by Tab."""
    return [w for w in root.findChildren(QWidget)
            if takes_tab_focus(w) and w.isVisibleTo(root) and not isinstance(w, QLabel)]


def _key(widget: QWidget) -> int:
    """The C++ object's address: Python wrappers come and go (and their ids are reused)."""
    return shiboken6.getCppPointer(widget)[0]


def buddy_labels(root: QWidget) -> dict[int, QLabel]:
    """_key(field) -> the QLabel whose buddy it is."""
    out: dict[int, QLabel] = {}
    for label in root.findChildren(QLabel):
        buddy = label.buddy()
        if buddy is not None:
            out[_key(buddy)] = label
    return out


def accessible_name(widget: QWidget, buddies: dict[int, QLabel] | None = None) -> str:
    """The name a screen reader says for ``widget`` ("" if it has none)."""
    if widget.accessibleName().strip():
        return widget.accessibleName().strip()
    label = (buddies if buddies is not None else buddy_labels(widget.window())).get(_key(widget))
    if label is not None and _plain(label.text()):
        return _plain(label.text())
    if isinstance(widget, QAbstractButton) and _plain(widget.text()):
        return _plain(widget.text())
    if isinstance(widget, QTabBar) and widget.count():  # says the current tab, like Qt does
        return _plain(widget.tabText(max(0, widget.currentIndex())))
    return ""


def unnamed_widgets(root: QWidget) -> list[str]:
    """'Class objectName (in parent path)' of every interactive widget without a name."""
    buddies = buddy_labels(root)
    out = []
    for w in interactive_widgets(root):
        if not accessible_name(w, buddies):
            out.append(describe(w, root))
    return out


def describe(widget: QWidget, root: QWidget | None = None) -> str:
    path = []
    p = widget.parentWidget()
    while p is not None and p is not root:
        if p.objectName() and not p.objectName().startswith("qt_"):
            path.append(p.objectName())
        p = p.parentWidget()
    where = "/".join(reversed(path))
    return f"{type(widget).__name__} '{widget.objectName()}' in {where or 'the window'}"


def name_tab_pages(root: QWidget) -> int:
    """Name a tab page that is itself a field (a table) by its tab title, as a sighted user
    reads it; returns how many were named."""
    count = 0
    buddies = buddy_labels(root)
    for tabs in root.findChildren(QTabWidget):
        for i in range(tabs.count()):
            page = tabs.widget(i)
            if takes_tab_focus(page) and not accessible_name(page, buddies):
                page.setAccessibleName(_plain(tabs.tabText(i)))
                count += 1
    return count


def untrap_tables(root: QWidget) -> int:
    """Tab leaves tables and lists instead of walking every cell (arrow keys still do); a
    ledger of a thousand rows would otherwise hold keyboard focus. Returns how many changed."""
    count = 0
    for view in root.findChildren(QAbstractItemView):
        if view.tabKeyNavigation():
            view.setTabKeyNavigation(False)
            count += 1
    return count


class FocusRing(QWidget):
    """A frame around the widget with keyboard focus, drawn over the window's other widgets and
    never taking mouse clicks."""

    def __init__(self, window: QWidget) -> None:
        """Follows focus inside ``window`` only (a dialog or floating dock has its own ring,
        see `WindowRings`): the ring never leaves its window, so it dies with it."""
        super().__init__(window)
        self.setObjectName("focusRing")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.target: QWidget | None = None
        self._watched: list[QWidget] = []
        self.hide()
        QApplication.instance().focusChanged.connect(self._on_focus)

    def _unwatch(self) -> None:
        for w in self._watched:
            try:
                w.removeEventFilter(self)
            except RuntimeError:  # deleted since
                pass
        self._watched = []

    @Slot(QWidget, QWidget)
    def _on_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        self._unwatch()
        self.target = None
        host = self.parentWidget()
        if new is None or new is self or new is host or new.window() is not host:
            self.hide()
            return
        self.target = new
        # The widget and every ancestor: scrolling or a dock moving moves the widget on screen
        # without a Move event of its own.
        w = new
        while w is not None and w is not host:
            w.installEventFilter(self)
            self._watched.append(w)
            w = w.parentWidget()
        host.installEventFilter(self)
        self._watched.append(host)
        self.place()

    def place(self) -> None:
        """Follow the focus widget's visible part (it may sit in a scrolled area)."""
        t, host = self.target, self.parentWidget()
        if t is None or host is None or not t.isVisible():
            self.hide()
            return
        # The part its ancestors do not clip (visibleRegion would also drop the part covered by
        # the widget's own children, all of a plot's area).
        visible = QRect(t.mapTo(host, QPoint(0, 0)), t.size())
        p = t.parentWidget()
        while p is not None and p is not host:
            visible = visible.intersected(QRect(p.mapTo(host, QPoint(0, 0)), p.size()))
            p = p.parentWidget()
        if visible.isEmpty():
            self.hide()
            return
        m = RING_WIDTH
        self.setGeometry(visible.adjusted(-m, -m, m, m).intersected(host.rect()))
        self.raise_()
        self.show()
        self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if "target" not in self.__dict__:
            # A ring whose window is being destroyed can be handed an event through a fresh
            # Python wrapper that never ran __init__ (PySide lost the first one): it is going
            # away with its window and has nothing to place.
            return False
        if event.type() == QEvent.Type.Close and watched is self.parentWidget():
            # Hold no Python wrappers of the closing window's widgets: wrappers that outlive
            # their C++ objects can be handed out again for new objects at the same address.
            self._unwatch()
            self.target = None
            self.hide()
            return False
        if self.target is not None and event.type() in (
                QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide):
            self.place()
        return False

    def colour(self):
        return self.palette().color(QPalette.ColorRole.Highlight)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        pen = QPen(self.colour(), RING_WIDTH)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        p.setPen(pen)
        half = RING_WIDTH / 2
        p.drawRect(self.rect().toRectF().adjusted(half, half, -half, -half))
        p.end()


class WindowRings(QObject):
    """Puts a `FocusRing` into each window that gets keyboard focus and has none yet (dialogs,
    message boxes, floating docks); popups (menus, combo lists) show their own highlight."""

    def __init__(self, main: QWidget) -> None:
        super().__init__(main)
        self.created = 0
        QApplication.instance().focusChanged.connect(self._on_focus)

    @Slot(QWidget, QWidget)
    def _on_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None:
            return
        window = new.window()
        if window.windowType() in (Qt.WindowType.Popup, Qt.WindowType.ToolTip):
            return
        if ring_of(window) is not None:
            return
        ring = FocusRing(window)
        self.created += 1
        # The new ring's own connection may miss the signal being delivered now.
        ring._on_focus(None, new)


def ring_of(window: QWidget) -> FocusRing | None:
    """The focus ring drawn in ``window`` (None before focus first went there)."""
    return window.findChild(FocusRing, "focusRing", Qt.FindChildOption.FindDirectChildrenOnly)


#: Keys a focused control needs for itself, which the window's one-key shortcuts (Space plays,
#: Left/Right step) would otherwise take: Space presses a button or ticks a box, arrows move a
#: slider, switch tabs, move in a table or the cursor in read-only text.
_SPACE = (QAbstractButton, QComboBox, QAbstractItemView)
_ARROWS = (QAbstractSlider, QTabBar, QAbstractItemView, QPlainTextEdit, QTextEdit)
OWN_KEYS: dict[int, tuple[type, ...]] = {
    Qt.Key.Key_Space: _SPACE, Qt.Key.Key_Left: _ARROWS, Qt.Key.Key_Right: _ARROWS,
}


class ControlKeys(QObject):
    """Gives a focused control its own keys back from the window's shortcuts (Qt asks the focus
    widget first with a ShortcutOverride event; accepting it keeps the key for the widget)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        kinds = tuple({k for kinds in OWN_KEYS.values() for k in kinds})
        self.watched = 0
        for w in window.findChildren(QWidget):
            if isinstance(w, kinds):
                w.installEventFilter(self)
                self.watched += 1

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() != QEvent.Type.ShortcutOverride:
            return False
        if event.modifiers() != Qt.KeyboardModifier.NoModifier:
            return False
        kinds = OWN_KEYS.get(event.key())
        if kinds is not None and isinstance(watched, kinds):
            event.accept()
            return True
        return False


class Accessibility(NoViewState):
    """What `install` set up on a window: the focus ring, and how many tab pages it named."""

    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.pages_named = name_tab_pages(window)
        self.tables_untrapped = untrap_tables(window)
        self.focus_ring = FocusRing(window)
        self.control_keys = ControlKeys(window)
        self.window_rings = WindowRings(window)
        focused = QApplication.focusWidget()
        if focused is not None:
            self.focus_ring._on_focus(None, focused)


def install(window: QMainWindow) -> Accessibility:
    """Tab pages named, tables Tab can leave, controls' own keys, and the focus ring; installed
    after the other features, so their widgets are there."""
    return Accessibility(window)
