"""`nnviz desktop-install` / `desktop-uninstall` into a throwaway XDG data folder."""

from __future__ import annotations

import configparser
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from nnviz.cli import main
from nnviz.commands import desktop


@pytest.fixture
def xdg(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


def read_entry(path: Path) -> dict[str, str]:
    parser = configparser.RawConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in desktop files
    parser.read(path, encoding="utf-8")
    assert parser.sections() == ["Desktop Entry"]
    return dict(parser["Desktop Entry"])


def test_install_writes_entry_icons_and_mime_type(xdg, capsys):
    assert main(["desktop-install"]) == 0
    out = capsys.readouterr().out
    assert f"under {xdg}" in out

    entry_path = xdg / "applications" / "nnviz.desktop"
    entry = read_entry(entry_path)
    assert entry["Type"] == "Application"
    assert entry["Name"] == "nnviz"
    assert entry["Icon"] == "nnviz"
    assert entry["Terminal"] == "false"
    assert entry["MimeType"] == "application/x-nnviz-session;"
    assert entry["Categories"].startswith("Education;")
    assert entry["Exec"].endswith(" %f")  # a double-clicked file arrives as the argument
    program = entry["Exec"].split(" ")[0]
    assert Path(program).is_file() or program == sys.executable
    assert entry["TryExec"] == program
    if shutil.which("desktop-file-validate"):
        done = subprocess.run(["desktop-file-validate", str(entry_path)], capture_output=True,
                              text=True, check=False)
        assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr

    for size in desktop.ICON_SIZES:
        folder = xdg / "icons" / "hicolor" / f"{size}x{size}"
        assert png_size(folder / "apps" / "nnviz.png") == (size, size)
        assert png_size(folder / "mimetypes" / "application-x-nnviz-session.png") == (size, size)
    svg = xdg / "icons" / "hicolor" / "scalable" / "apps" / "nnviz.svg"
    assert ET.parse(svg).getroot().tag.endswith("svg")

    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    mime = ET.parse(xdg / "mime" / "packages" / "nnviz.xml").getroot()
    kind = mime.find("m:mime-type", ns)
    assert kind.get("type") == "application/x-nnviz-session"
    assert [g.get("pattern") for g in kind.findall("m:glob", ns)] == ["*.nnviz"]
    assert kind.find("m:icon", ns).get("name") == "application-x-nnviz-session"
    if shutil.which("update-mime-database"):  # the cache tool ran: the desktop knows the type
        assert "update-mime-database: updated" in out
        globs = (xdg / "mime" / "globs2").read_text()
        assert "application/x-nnviz-session:*.nnviz" in globs


def test_uninstall_removes_exactly_what_install_wrote(xdg, capsys):
    assert main(["desktop-install"]) == 0
    written = [t.path for t in desktop.targets(xdg, Path("."), ["nnviz"])]
    assert all(p.is_file() for p in written)
    mine = xdg / "applications" / "other.desktop"
    mine.write_text("[Desktop Entry]\n")  # someone else's entry stays
    capsys.readouterr()
    assert main(["desktop-uninstall"]) == 0
    assert f"removed {len(written)} files" in capsys.readouterr().out
    assert not any(p.exists() for p in written)
    assert mine.exists()
    assert main(["desktop-uninstall"]) == 0
    assert "nothing was installed" in capsys.readouterr().out


def test_dry_run_writes_nothing(xdg, capsys):
    assert main(["desktop-install", "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert str(xdg / "applications" / "nnviz.desktop") in lines
    assert not xdg.exists()


def test_xdg_data_home_falls_back_to_local_share(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert desktop.data_home({}) == tmp_path / ".local" / "share"
    # The spec ignores a relative XDG_DATA_HOME.
    assert desktop.data_home({"XDG_DATA_HOME": "rel/share"}) == tmp_path / ".local" / "share"
    assert desktop.data_home({"XDG_DATA_HOME": "/abs/share"}) == Path("/abs/share")


def test_unwritable_folder_is_reported_not_raised(xdg, capsys):
    xdg.mkdir(parents=True)
    (xdg / "applications").write_text("a file where the folder should be")
    assert main(["desktop-install"]) == 1
    err = capsys.readouterr().err
    assert "cannot write" in err and "applications" in err


def test_missing_icons_leave_nothing_half_installed(xdg, tmp_path):
    with pytest.raises(desktop.DesktopError, match="icon files missing"):
        desktop.install(xdg, icons=tmp_path / "no-icons", command=["nnviz"])
    assert not xdg.exists()


def test_cache_tools_are_optional(xdg, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(xdg.parent / "empty-bin"))
    assert main(["desktop-install"]) == 0
    out = capsys.readouterr().out
    assert "update-" not in out and "gtk-update" not in out
    assert (xdg / "applications" / "nnviz.desktop").is_file()


@pytest.mark.parametrize(("arg", "field"), [
    ("/usr/bin/nnviz", "/usr/bin/nnviz"),
    ("/home/a b/venv/bin/nnviz", '"/home/a b/venv/bin/nnviz"'),
    ("/opt/100%/nnviz", "/opt/100%%/nnviz"),
    ('/x/"q"$/nnviz', '"/x/\\\\"q\\\\"\\\\$/nnviz"'),
])
def test_exec_arguments_are_quoted_per_the_spec(arg, field):
    assert desktop.exec_quote(arg) == field
