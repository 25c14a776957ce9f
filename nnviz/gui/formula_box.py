"""The Step panel's formula box: equations broken at operators by the program, never wrapped.

A word-wrapped continuation such as ``delta^(2)_k = 0.2500 * (0.0956 * 0.1414) = 0.0034`` reads
as an equation of its own. So the box never wraps; a line wider than the box is broken before
an operator (``=`` first, then ``+ -``, then ``* /``) and each continuation is indented under
the line it continues (README "Single-step backpropagation").
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QFontMetricsF, QResizeEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget

#: Break points, loosest binding first: a line is split at the first level that has any.
OPERATOR_LEVELS: tuple[tuple[str, ...], ...] = ((" = ", " <- ", " -> "), (" + ", " - "),
                                                (" * ", " / "), (" ",))
HANG = 4  # extra indent of continuation lines, in characters


def _split_at(text: str, ops: tuple[str, ...], nested: bool) -> list[str]:
    """``text`` cut before every occurrence of ``ops`` (outside parentheses unless ``nested``);
    the operator starts the next piece."""
    pieces, start, depth, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif (depth == 0 or nested) and i > start:
            op = next((o for o in ops if text.startswith(o, i)), None)
            if op is not None:
                pieces.append(text[start:i])
                start = i + 1  # the space before the operator goes; the operator stays
                i += len(op)
                continue
        i += 1
    pieces.append(text[start:])
    return [p for p in pieces if p]


def _pieces(text: str, width: int, level: int = 0, nested: bool = False) -> list[str]:
    """``text`` as pieces no wider than ``width`` where possible: split at the loosest
    operators first, inside parentheses only when nothing outside them is left."""
    if len(text) <= width:
        return [text]
    if level >= len(OPERATOR_LEVELS):
        return [text] if nested else _pieces(text, width, 0, True)
    parts = _split_at(text, OPERATOR_LEVELS[level], nested)
    if len(parts) == 1:
        return _pieces(text, width, level + 1, nested)
    out: list[str] = []
    for part in parts:
        out.extend(_pieces(part, width, level + 1, nested))
    return out


def break_line(line: str, width: int) -> list[str]:
    """One line of text as lines of at most ``width`` characters where an operator allows,
    continuations indented by HANG more than the line."""
    if len(line) <= width or width < 8:
        return [line]
    indent = len(line) - len(line.lstrip(" "))
    hang = " " * (indent + HANG)
    body = line[indent:]
    first_width = width - indent
    rest_width = width - len(hang)
    pieces = _pieces(body, min(first_width, rest_width))
    lines: list[str] = []
    current = ""
    for piece in pieces:
        limit = first_width if not lines else rest_width
        candidate = f"{current} {piece}" if current else piece
        # after the first, every "= ..." starts its own line: each step reads on its own
        step = piece.startswith(("= ", "<- ", "-> ")) and (bool(lines) or "= " in current)
        if current and (len(candidate) > limit or step):
            lines.append(current)
            current = piece
        else:
            current = candidate
    if current:
        lines.append(current)
    return [" " * indent + lines[0]] + [hang + ln for ln in lines[1:]]


def break_formula(text: str, width: int) -> str:
    """Every line of ``text`` that is wider than ``width`` characters broken by
    :func:`break_line`."""
    return "\n".join(out for line in text.split("\n") for out in break_line(line, width))


class FormulaBox(QPlainTextEdit):
    """A read-only, never-wrapping text box that re-breaks its formula to its width."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self._formula = ""
        self._columns = 0

    def set_formula(self, text: str) -> None:
        self._formula = text
        self._columns = 0
        self._relayout()

    def formula(self) -> str:
        """The text as the program wrote it, before breaking."""
        return self._formula

    def columns(self) -> int:
        """Characters of the box's font that fit in one line of the visible area."""
        fm = QFontMetricsF(self.font())
        char = max(1.0, fm.horizontalAdvance("0"))
        margin = 2 * self.document().documentMargin() + 2
        return max(8, int((self.viewport().width() - margin) // char))

    def visible_lines(self) -> int:
        """Whole text lines the visible area shows at once."""
        fm = QFontMetricsF(self.font())
        margin = 2 * self.document().documentMargin()
        return int((self.viewport().height() - margin) // fm.lineSpacing())

    def _relayout(self) -> None:
        cols = self.columns()
        if cols == self._columns and self.toPlainText():
            return
        self._columns = cols
        bar = self.verticalScrollBar()
        at = bar.value()
        self.setPlainText(break_formula(self._formula, cols))
        bar.setValue(at)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._relayout()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and getattr(self, "_formula", ""):
            self._columns = 0
            self._relayout()
