"""Reading a CSV file for the CSV dialog on a thread of its own (README: Limits and failures).

The file's first rows come first (``csv_table.read_head``, for the preview), then the whole file
is read once (``csv_table.read_table``); every choice of target and features then builds its
data set from that table (``datasets.load_csv(table=...)``), also off the GUI thread. Only
the newest request is worked on: choices made while one is being built replace each other. A
thread never touches Qt at all: the dialog looks for its results on a timer while work is under
way. (A signal emitted from such a thread can race the application's exit, which crashed.)
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from nnviz.core import csv_table, datasets
from nnviz.core.csv_table import Table
from nnviz.core.datasets import Dataset, DatasetError


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class TableReader:
    """One file: read once in the background, then data sets for the requested options.

    Each piece of work runs on a short-lived daemon thread that ends with it, so no thread
    idles into interpreter shutdown (one blocked there crashed PySide's exit)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(os.fspath(path))
        self.head: Table | None = None  # the first rows, while the rest is read
        self.table: Table | None = None
        self.read_error = ""
        self.head_done = threading.Event()
        self.read_done = threading.Event()
        self._cond = threading.Condition()
        self._request: tuple[int, dict[str, Any]] | None = None
        self._result: tuple[int, Dataset | None, str] | None = None
        self._latest = 0
        self._busy = True  # a thread is working (it picks up the newest request when done)
        self._closed = False
        self._start()

    # ---- called from the GUI thread ----------------------------------------------------------
    def request(self, **options: Any) -> int:
        """Ask for the data set of these load_csv options; returns the request's number."""
        with self._cond:
            self._latest += 1
            self._request = (self._latest, options)
            start = not self._busy
            self._busy = True
            number = self._latest
        if start:
            self._start()
        return number

    def result(self, number: int, timeout: float | None = None) -> tuple[Dataset | None, str]:
        """(data set, "") or (None, error) of request `number`, waiting for it; raises
        TimeoutError after `timeout` seconds. Only the newest request is ever answered."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._result is not None
                                       and self._result[0] >= number, timeout):
                raise TimeoutError(f"{self.path.name}: still reading")
            found, data, error = self._result
        if found != number:
            raise LookupError(f"request {number} was replaced by request {found}")
        return data, error

    @property
    def busy(self) -> bool:
        """Whether work is under way (reading, or a data set being built)."""
        with self._cond:
            return self._busy

    def ready(self, number: int) -> bool:
        with self._cond:
            return self._result is not None and self._result[0] == number

    def close(self) -> None:
        """Drop requests not yet started; the work in hand ends by itself."""
        with self._cond:
            self._closed = True
            self._request = None

    # ---- the reader threads ------------------------------------------------------------------
    def _start(self) -> None:
        threading.Thread(target=self._work, name="nnviz-csv-reader", daemon=True).start()

    def _work(self) -> None:
        if not self.read_done.is_set():
            try:
                self.head = csv_table.read_head(self.path)
                self.head_done.set()
                self.table = self.head if self.head.complete else csv_table.read_table(self.path)
            except DatasetError as exc:
                self.read_error = str(exc)
            except Exception as exc:  # noqa: BLE001 (MemoryError and the like: told, not raised)
                self.read_error = f"{self.path}: cannot read the file: {_describe(exc)}"
            self.head_done.set()
            self.read_done.set()
        while True:
            with self._cond:
                if self._request is None or self._closed:
                    self._busy = False
                    return
                number, options = self._request
                self._request = None
            try:
                data, error = datasets.load_csv(self.path, table=self.table, **options), ""
            except DatasetError as exc:
                data, error = None, str(exc)
            except Exception as exc:  # noqa: BLE001
                data, error = None, f"{self.path}: {_describe(exc)}"
            with self._cond:
                self._result = (number, data, error)
                self._cond.notify_all()
