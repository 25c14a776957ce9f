"""`nnviz` without a display, and the window's option errors, as a newcomer meets them."""

import os
import subprocess
import sys


def run_nnviz(*args: str, display: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    if display:
        env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run([sys.executable, "-m", "nnviz", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def test_no_display_says_so_in_one_line_and_points_to_headless_commands():
    result = run_nnviz(display=False)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "no display" in lines[0] and "nnviz train" in lines[0]
    assert "Traceback" not in result.stderr and "Aborted" not in result.stderr


def test_bad_window_options_exit_2_with_one_line():
    for args in (["--layers", "4,,x"], ["--dataset", "nope"], ["--lr", "-1"]):
        result = run_nnviz(*args, display=True)
        assert result.returncode == 2, (args, result.stderr)
        lines = [ln for ln in result.stderr.strip().splitlines() if "propagateSizeHints" not in ln]
        assert len(lines) == 1 and "error" in lines[0], (args, result.stderr)


def test_layers_mean_hidden_sizes_or_the_whole_network_in_the_window_too():
    import argparse

    from nnviz.gui.app import build_parser, settings_from_args

    parser = build_parser()
    for spec, hidden in (("16,16", (16, 16)), ("2,16,16,1", (16, 16)), ("0", ())):
        args = parser.parse_args(["--dataset", "xor", "--layers", spec])
        assert settings_from_args(args, parser).hidden == hidden
    errors = []

    class Catch(argparse.ArgumentParser):
        def error(self, message: str) -> None:  # type: ignore[override]
            errors.append(message)
            raise SystemExit(2)

    args = parser.parse_args(["--dataset", "xor", "--layers", "3,16,1"])
    try:
        settings_from_args(args, Catch())
    except SystemExit:
        pass
    assert errors and "first size 3 is not the 2 inputs of data set 'xor'" in errors[0]
