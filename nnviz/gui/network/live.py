"""Telling a live stream of data (training) from single updates. A change arriving within
``LIVE_SETTLE_MS`` of the previous painted one makes the stream live: the view then paints
frames straight onto the widget, draws edges without antialiasing and may thin them (README
"Speed"); when changes stop for that long, one full render follows."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

LIVE_SETTLE_MS = 300     # data changes closer together than this count as a live stream


class LiveStream:
    """Whether the data arrives live. ``changed()`` on every data update, ``painted`` set by
    every frame; ``started()`` runs when a stream begins, ``settled()`` when it pauses."""

    def __init__(self, parent: QObject, started: Callable[[], None],
                 settled: Callable[[], None]) -> None:
        self.live = False
        #: a frame was painted since the last change
        self.painted = False
        self._last_change = -1.0
        self._started = started
        self._settled = settled
        self._timer = QTimer(parent)
        self._timer.setSingleShot(True)
        self._timer.setInterval(LIVE_SETTLE_MS)
        self._timer.timeout.connect(self._on_timeout)

    def _on_timeout(self) -> None:
        self.live = False
        self._settled()

    def changed(self) -> None:
        # Several setters called for one update (params, activations, deltas) count once: only
        # a change after a frame was painted can make the stream "live".
        now = time.monotonic()
        if self.painted:
            recent = self._last_change >= 0 and (now - self._last_change) * 1e3 < LIVE_SETTLE_MS
            if recent and not self.live:
                self.live = True
                self._started()
            self._last_change = now
            self.painted = False
        elif self._last_change < 0:
            self._last_change = now
        if self.live:
            self._timer.start()
