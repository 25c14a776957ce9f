"""Pinned runs: keep a run's loss curves in the loss plot while you change the setup and train
again, each labelled with what differs from the setup now ("lr 0.5 -> 2").

Up to MAX_PINS pins; each keeps at most PIN_POINTS points of its history (evenly spaced, the last
epoch always kept), so sessions stay small. README: "Pinned runs".
"""

from __future__ import annotations

import csv
import functools
import io
import math
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QMenu

MAX_PINS = 8
PIN_POINTS = 2000
#: Settings a label compares, with the names people know them by.
COMPARED: tuple[tuple[str, str], ...] = (
    ("dataset", "data"), ("noise", "noise"), ("n_points", "points"), ("test_ratio", "test"),
    ("data_seed", "data seed"), ("hidden", "hidden"), ("activation", "act"),
    ("output", "output"), ("loss", "loss"), ("init", "init"), ("seed", "seed"), ("lr", "lr"),
    ("batch_size", "batch"), ("momentum", "momentum"), ("l2", "L2"), ("l1", "L1"),
)


def _plain(value: object) -> object:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _text(key: str, value: object) -> str:
    if value is None:
        return "full" if key == "batch_size" else "-"
    if key == "hidden":
        return ",".join(str(v) for v in value) or "none"  # type: ignore[union-attr]
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def setup_of(settings: object) -> dict:
    """The compared settings as plain JSON values."""
    d = asdict(settings)  # type: ignore[call-overload]
    return {key: _plain(d.get(key)) for key, _ in COMPARED}


def difference(pinned: dict, now: dict) -> str:
    """What differs between a pinned setup and the setup now, e.g. "lr 0.5 -> 2, seed 0 -> 3"."""
    parts = [f"{name} {_text(key, pinned.get(key))} -> {_text(key, now.get(key))}"
             for key, name in COMPARED if _plain(pinned.get(key)) != _plain(now.get(key))]
    return ", ".join(parts) if parts else "same setup"


def thin(epochs: np.ndarray, *columns: np.ndarray, points: int = PIN_POINTS) -> list[np.ndarray]:
    """At most ``points`` rows, evenly spaced, the first and the last always kept."""
    n = len(epochs)
    if n <= points:
        keep = np.arange(n)
    else:
        keep = np.unique(np.linspace(0, n - 1, points).round().astype(int))
    return [np.asarray(epochs)[keep], *(np.asarray(c)[keep] for c in columns)]


@dataclass
class Pin:
    """One pinned run: its setup, its (thinned) history and its curves."""

    number: int
    setup: dict
    epochs: np.ndarray
    train: np.ndarray
    test: np.ndarray  # NaN where the run had no test split
    train_item: pg.PlotDataItem | None = None
    test_item: pg.PlotDataItem | None = None
    label: str = ""

    def as_json(self) -> dict:
        return {
            "number": self.number, "setup": self.setup,
            "epoch": [int(e) for e in self.epochs],
            "train_loss": [_plain(float(v)) for v in self.train],
            "test_loss": [_plain(float(v)) for v in self.test],
        }

    @classmethod
    def from_json(cls, doc: object) -> Pin:
        if not isinstance(doc, dict):
            raise ValueError("a pin must be an object")
        epochs = np.asarray(doc.get("epoch", []), dtype=float)
        train = np.asarray([np.nan if v is None else v for v in doc.get("train_loss", [])],
                           dtype=float)
        test = np.asarray([np.nan if v is None else v for v in doc.get("test_loss", [])],
                          dtype=float)
        if not (epochs.ndim == train.ndim == test.ndim == 1
                and len(epochs) == len(train) == len(test)):
            raise ValueError("a pin's epoch, train_loss and test_loss differ in length")
        setup = doc.get("setup")
        if not isinstance(setup, dict):
            raise ValueError("a pin has no setup")
        return cls(int(doc.get("number", 0)), setup, epochs, train, test)


class PinnedRuns:
    """The pins of one window: actions, menu, curves in the loss plot, sessions and CSV."""

    def __init__(self, window) -> None:  # noqa: ANN001 (MainWindow)
        self.window = window
        self.pins: list[Pin] = []
        self._counter = 0
        w = window
        self.action = w.add_action("actionPinRun", "Pin this run", "Ctrl+Shift+P", self.pin,
                                   tip="Keep this run's loss curves in the plot while you "
                                       "change the setup")
        self.clear_action = w.add_action("actionClearPins", "Remove all pins", None,
                                         self.clear, tip="Remove every pinned run")
        self.export_action = w.add_action("actionExportPinsCsv", "Pinned runs as CSV\u2026", None,
                                          self.export_dialog,
                                          tip="Save every pinned run's losses as one CSV")
        self.menu = QMenu("&Pinned runs", w)
        self.menu.setObjectName("menuPinnedRuns")
        self.menu.aboutToShow.connect(self._fill_menu)
        view = w.menus.get("view")
        if view is not None:
            view.addMenu(self.menu)
        export = w.menus.get("export")
        if export is not None:
            export.addAction(self.export_action)
        c = w.controller
        c.networkRebuilt.connect(self.relabel)
        c.metricsChanged.connect(self.relabel)
        self._fill_menu()

    @property
    def plot(self):  # noqa: ANN201 (LossPlot or None)
        return self.window.loss_plot

    # ---- pinning --------------------------------------------------------------------------
    @Slot()
    def pin(self) -> str | None:
        """Pin the current run; returns an error message (also shown) or None."""
        c = self.window.controller
        if len(self.pins) >= MAX_PINS:
            return self._say(f"At most {MAX_PINS} pinned runs: remove one first "
                             "(View > Pinned runs)")
        with c.worker.lock:
            h = c.trainer.history
            if not len(h):
                return self._say("Nothing to pin yet: train first")
            cols = thin(h.epoch, h.train_loss, h.test_loss)
        self._counter += 1
        self._add(Pin(self._counter, setup_of(c.settings), *cols))
        self.window.show_message(f"Pinned run {self._counter} ({len(h):,} epochs)")
        return None

    def _say(self, text: str) -> str:
        self.window.show_message(text)
        return text

    def _add(self, pin: Pin) -> None:
        plot = self.plot
        colour = pg.intColor(pin.number - 1, hues=MAX_PINS, values=1, maxValue=200)
        pin.train_item = pg.PlotDataItem(pin.epochs, pin.train,
                                         pen=pg.mkPen(colour, width=1.5), antialias=True)
        pin.test_item = pg.PlotDataItem(pin.epochs, pin.test, antialias=True, connect="finite",
                                        pen=pg.mkPen(colour, width=1.5,
                                                     style=Qt.PenStyle.DotLine))
        self.pins.append(pin)
        if plot is not None:
            plot.plot_item.addItem(pin.train_item)
            if np.isfinite(pin.test).any():
                plot.plot_item.addItem(pin.test_item)
            plot.legend.addItem(pin.train_item, "")
        self.relabel()

    def remove(self, number: int) -> None:
        for pin in list(self.pins):
            if pin.number == number:
                self.pins.remove(pin)
                plot = self.plot
                if plot is not None:
                    plot.legend.removeItem(pin.train_item)
                    for item in (pin.train_item, pin.test_item):
                        if item is not None and item.scene() is not None:
                            plot.plot_item.removeItem(item)
        self._mark_dirty()

    @Slot()
    def clear(self) -> None:
        for pin in list(self.pins):
            self.remove(pin.number)

    @Slot()
    def relabel(self, *_args: object) -> None:
        """Labels say what differs from the setup now; they change as the setup does."""
        if not self.pins:
            return
        now = setup_of(self.window.controller.settings)
        plot = self.plot
        for pin in self.pins:
            text = f"pin {pin.number}: {difference(pin.setup, now)}"
            if text == pin.label:
                continue
            pin.label = text
            if plot is not None:
                for sample, label in plot.legend.items:
                    if sample.item is pin.train_item:
                        label.setText(text)

    def _mark_dirty(self) -> None:
        manager = self.window.features.get("sessions")
        if manager is not None:
            manager.check_dirty()

    def _fill_menu(self) -> None:
        m = self.menu
        m.clear()
        m.addAction(self.action)
        m.addSeparator()
        for pin in self.pins:
            a = m.addAction(f"Remove {pin.label or f'pin {pin.number}'}")
            a.triggered.connect(functools.partial(self.remove, pin.number))
        if self.pins:
            m.addSeparator()
        m.addAction(self.clear_action)
        self.clear_action.setEnabled(bool(self.pins))
        self.export_action.setEnabled(bool(self.pins))

    # ---- sessions and CSV -----------------------------------------------------------------
    def view_state(self) -> dict:
        """The pins, for the Feature contract (nnviz.gui.features)."""
        return {"pins": [p.as_json() for p in self.pins]} if self.pins else {}

    def restore(self, state: Mapping[str, Any]) -> None:
        docs = state.get("pins")
        self.clear()
        if not isinstance(docs, list):
            return
        loaded = [Pin.from_json(d) for d in docs[:MAX_PINS]]
        for pin in loaded:
            self._add(pin)
        self._counter = max([self._counter, *(p.number for p in loaded)])

    def csv_text(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["pin", "label", "epoch", "train_loss", "test_loss"])
        for pin in self.pins:
            for e, tr, te in zip(pin.epochs, pin.train, pin.test, strict=True):
                writer.writerow([pin.number, pin.label, int(e), repr(float(tr)),
                                 "" if not math.isfinite(te) else repr(float(te))])
        return out.getvalue()

    def export_csv(self, path: str | os.PathLike[str]) -> int:
        """Write every pin's losses as one CSV (long format); returns the rows written."""
        from nnviz.gui.export import _write_bytes

        text = self.csv_text()
        _write_bytes(path, text.encode("utf-8"))
        return text.count("\n") - 1

    @Slot()
    def export_dialog(self) -> str | None:
        w = self.window
        if not self.pins:
            return self._say("No pinned runs to export")
        exporter = w.features.get("export")
        path = exporter._ask_path("pinned-runs", "csv") if exporter is not None else None
        if not path:
            return None
        try:
            rows = self.export_csv(path)
        except OSError as exc:
            return self._say(f"Export failed: {exc}")
        w.show_message(f"Saved {path} ({rows} rows)")
        return path


def install(window) -> PinnedRuns:  # noqa: ANN001 (MainWindow; imported lazily by it)
    return PinnedRuns(window)
