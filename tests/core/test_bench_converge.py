"""`nnviz bench converge`: a smoke test of measure/report (no timing assertions)."""

from __future__ import annotations

import json

from nnviz.bench import converge


def test_measure_and_report_smoke() -> None:
    result = converge.measure(0.05)
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
