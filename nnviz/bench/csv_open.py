"""The CSV rows of `nnviz bench gui`: reading a large numeric CSV file, and opening it in the
CSV dialog (README, "Speed" and "Limits and failures").

A file of `rows` rows (three numeric columns and a 0/1 label, written here) is read with
`csv_table.read_table`, then opened in the dialog as File > Open CSV does: the times until the
preview shows, until Load is ready (the data set of the default choices built), and from a new
choice of target and features until Load is ready again (no new reading). A reading is a fixed
amount of work, so, as with the redraws, the quickest of a few runs is reported.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROWS = 1_000_000


def write_file(path: Path, rows: int) -> int:
    """A numeric table of `rows` rows (x1, x2, x3 with 4 decimals, label 0/1); its size."""
    rng = np.random.default_rng(0)
    with open(path, "w", encoding="utf-8") as f:
        f.write("x1,x2,x3,label\n")
        for start in range(0, rows, 100_000):
            x = rng.normal(size=(min(100_000, rows - start), 3))
            label = (x[:, 0] + x[:, 1] > 0).astype(int)
            f.write("".join(f"{a:.4f},{b:.4f},{c:.4f},{y}\n"
                            for (a, b, c), y in zip(x.tolist(), label.tolist(), strict=True)))
    return path.stat().st_size


def _wait_until(done: Callable[[], bool], limit: float = 300.0) -> None:
    """Run the event loop until `done()` (checked every 5 ms), as a user's window would idle."""
    from PySide6.QtCore import QEventLoop, QTimer

    if done():
        return
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(5)
    start = time.perf_counter()
    timer.timeout.connect(lambda: (done() or time.perf_counter() - start > limit) and loop.quit())
    timer.start()
    loop.exec()
    timer.stop()
    if not done():
        raise TimeoutError(f"not done within {limit:.0f} s")


def _read_seconds(path: Path) -> float:
    from nnviz.core import csv_table

    start = time.perf_counter()
    csv_table.read_table(path)
    return time.perf_counter() - start


def _dialog_seconds(path: Path) -> tuple[float, float, float]:
    """(preview shown, Load ready, a new target until Load is ready again), in seconds."""
    from nnviz.gui.csv_dialog import CsvDialog

    start = time.perf_counter()
    dlg = CsvDialog(path)
    dlg.show()
    try:
        _wait_until(lambda: dlg.table.rowCount() > 0)
        preview = time.perf_counter() - start
        _wait_until(dlg.ok_button.isEnabled)
        ready = time.perf_counter() - start
        start = time.perf_counter()
        dlg.set_target("x1")
        dlg.set_features(["x2", "x3"])
        _wait_until(dlg.ok_button.isEnabled)
        change = time.perf_counter() - start
    finally:
        dlg.close()
        dlg.deleteLater()
    return preview, ready, change


def measure(rows: int = ROWS, runs: int = 3) -> dict:
    """Read and open a `rows`-row CSV `runs` times each; the quickest run of each figure."""
    with tempfile.TemporaryDirectory(prefix="nnviz-bench-csv-") as folder:
        path = Path(folder) / "rows.csv"
        size = write_file(path, rows)
        reads = [_read_seconds(path) for _ in range(runs)]
        dialogs = [_dialog_seconds(path) for _ in range(runs)]
    return {
        "csv_rows": rows,
        "csv_megabytes": size / 1e6,
        "csv_read_s": min(reads),
        "csv_preview_s": min(d[0] for d in dialogs),
        "csv_ready_s": min(d[1] for d in dialogs),
        "csv_target_change_s": min(d[2] for d in dialogs),
        "csv_ranges_s": {
            "read": (min(reads), max(reads)),
            "preview": (min(d[0] for d in dialogs), max(d[0] for d in dialogs)),
            "ready": (min(d[1] for d in dialogs), max(d[1] for d in dialogs)),
        },
    }
