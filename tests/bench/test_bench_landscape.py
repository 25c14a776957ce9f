"""`nnviz bench landscape`: the figures are measured and reported with their targets."""

from __future__ import annotations

import json

from nnviz import cli


def test_landscape_bench_reports_both_workloads(capsys, monkeypatch) -> None:
    from nnviz.bench import landscape

    monkeypatch.setattr(landscape, "WORKLOADS", (
        ("xor", "XOR 2-4-1", "xor", None, (2, 4, 1), 0.2),
        ("checkerboard", "checkerboard 64 2-16-16-1", "checkerboard", 64, (2, 16, 16, 1), 2.0),
    ))
    assert cli.main(["bench", "landscape", "--seconds", "0.01", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["suite"] == "landscape" and doc["grid"] == 51
    for key in ("xor", "checkerboard"):
        row = doc["workloads"][key]
        assert row["runs"] >= 3 and 0 < row["seconds"] <= row["median_seconds"]
        assert row["pass"] == (row["seconds"] < row["target_seconds"])
    assert doc["xor_per_point_loop_seconds"] > 0
    text = landscape.report(doc)
    assert "target < 0.2 s" in text and "per-point loop" in text
