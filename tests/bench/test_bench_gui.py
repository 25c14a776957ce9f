"""`nnviz bench gui` runs end to end (figures are for the README, not asserted here)."""

from nnviz.bench import gui


def test_bench_gui_measures_everything(qtbot):
    result = gui.measure(0.05, rounds=2, csv_rows=2_000)
    for key in ("headless_epochs_per_s", "fraction_live", "fraction_idle", "redraw_small_ms",
                "redraw_large_ms", "startup_s", "csv_read_s", "csv_preview_s", "csv_ready_s",
                "csv_target_change_s"):
        assert result[key] > 0, key
    for key in ("timer_p99_ms", "timer_max_ms", "stop_ms", "snapshots_per_s"):
        assert result["live"][key] >= 0, key
    result["machine"] = {"python": "3", "numpy": "2", "machine": "x"}
    text = gui.report(result)
    assert "redraw 784-128-64-10" in text and ("PASS" in text or "MISS" in text)
    assert "CSV 2,000 rows: dialog preview shown" in text
    assert "median of 2 rounds" in text
