"""`nnviz bench converge`: a smoke test of measure/report (no timing assertions)."""

from __future__ import annotations

import json

import pytest

from nnviz.bench import converge


def test_measure_and_report_smoke() -> None:
    result = converge.measure(0.05, workers=2)
    assert result["runs"] == 1000 and result["epochs"] == 10_000
    for key in ("batched_network_epochs_per_s", "sequential_network_epochs_per_s", "speedup",
                "full_seconds"):
        assert result[key] > 0
    assert result["speedup"] == result["batched_network_epochs_per_s"] / result[
        "sequential_network_epochs_per_s"]
    # 0.05 s cannot hold 1,000 x 10,000 epochs: extrapolated, and the report says so
    assert result["full_measured"] is False and result["run_convergence"] is None
    assert isinstance(result["speedup_pass"], bool) and isinstance(result["full_pass"], bool)
    json.dumps(result, allow_nan=False)
    text = converge.report(result)
    lines = text.splitlines()
    assert lines[0].startswith("nnviz bench converge: XOR 2-2-1")
    assert any("speed-up" in line and ("PASS" in line or "MISS" in line) for line in lines)
    assert any("extrapolated" in line and ("PASS" in line or "MISS" in line) for line in lines)
    assert "run_convergence on that workload: not run" in text
    # the checkerboard rows: every layers x runs pair, ratios against the same serial figure
    rows = result["checkerboard"]
    assert [(r["layers"], r["runs"]) for r in rows] == [
        ([2, 8, 8, 1], 20), ([2, 8, 8, 1], 100), ([2, 16, 16, 1], 20), ([2, 16, 16, 1], 100)]
    for r in rows:
        assert r["workers"] == 2 and r["processes_target"] == 1.8
        assert r["one_core_ratio"] == pytest.approx(
            r["serial_us_per_run_epoch"] / r["batched_us_per_run_epoch"])
        assert r["processes_pass"] == (r["processes_ratio"] >= 1.8)
        assert r["processes_cpu_us_per_run_epoch"] > 0
    table = text[text.index("checkerboard 512 points"):].splitlines()
    assert len([line for line in table if line.startswith("  2-")]) == 4
    assert all(line.count("PASS") + line.count("MISS") == 2
               for line in table if line.startswith("  2-"))


@pytest.mark.parametrize(("argv", "message"), [
    (["bench", "core", "--workers", "2"], "--workers must be >= 1 and applies to converge only"),
    (["bench", "converge", "--workers", "0"], "--workers must be >= 1"),
    (["bench", "gui", "--cpu-time"], "--cpu-time applies to core and converge only"),
])
def test_bench_options_out_of_place_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    from nnviz import cli

    assert cli.main(argv) == 2
    assert message in capsys.readouterr().err
