"""`nnviz desktop-install` / `nnviz desktop-uninstall`: the launcher entry, icon and file type.

    nnviz desktop-install [--dry-run]
    nnviz desktop-uninstall [--dry-run]

Writes (or removes) into the user's XDG data folder (``$XDG_DATA_HOME``, else
``~/.local/share``), following the freedesktop.org specifications:

- ``applications/nnviz.desktop``: the application menu entry; it opens ``*.nnviz`` files;
- ``icons/hicolor/<N>x<N>/apps/nnviz.png`` (and ``scalable/apps/nnviz.svg``): the icon, also as
  the file type's icon under ``mimetypes/application-x-nnviz-session``;
- ``mime/packages/nnviz.xml``: the MIME type application/x-nnviz-session for ``*.nnviz``.

Then it refreshes the desktop's caches with update-desktop-database, update-mime-database and
gtk-update-icon-cache, each only if it is installed (README, "Install as a desktop app").
Nothing here needs Qt, so it works where no display is. Exit status: 0 done, 1 a file could not
be written or removed (or not a freedesktop system), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

APP_ID = "nnviz"  # the desktop file's name; the window's desktopFileName matches it
MIME_TYPE = "application/x-nnviz-session"
MIME_ICON = MIME_TYPE.replace("/", "-")
SUFFIX = ".nnviz"
ICON_SIZES: tuple[int, ...] = (16, 22, 24, 32, 48, 64, 128, 256, 512)
CACHE_TOOL_TIMEOUT = 60.0  # s; a cache tool that hangs must not hang the command

MIME_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">
  <mime-type type="{MIME_TYPE}">
    <comment>nnviz session</comment>
    <icon name="{MIME_ICON}"/>
    <glob pattern="*{SUFFIX}"/>
    <sub-class-of type="application/zip"/>
  </mime-type>
</mime-info>
"""

# Characters that force quoting of an Exec argument (Desktop Entry Specification, "The Exec
# key"); inside double quotes, these four need a backslash.
_EXEC_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")
_EXEC_ESCAPED = '"`$\\'


class DesktopError(Exception):
    """A file could not be written or removed; the message names it."""


@dataclass(frozen=True)
class Target:
    """One file the install writes: where it goes and where its bytes come from (or the text)."""

    path: Path
    source: Path | None = None
    text: str | None = None


def data_home(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_DATA_HOME`` if set to an absolute path (the spec ignores relative ones), else
    ``~/.local/share``."""
    env = os.environ if environ is None else environ
    value = env.get("XDG_DATA_HOME", "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / ".local" / "share"


def launcher_command() -> list[str]:
    """How the menu entry starts this installation: the `nnviz` script beside this Python (a
    venv or pipx), else this Python with ``-m nnviz``."""
    script = Path(sys.executable).parent / ("nnviz.exe" if os.name == "nt" else "nnviz")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "nnviz"]


def exec_quote(arg: str) -> str:
    """One Exec argument, quoted as the Desktop Entry Specification asks, then escaped as a
    desktop-file string value (backslashes doubled, ``%`` doubled)."""
    if any(ch in _EXEC_RESERVED for ch in arg):
        arg = '"' + "".join("\\" + ch if ch in _EXEC_ESCAPED else ch for ch in arg) + '"'
    return arg.replace("\\", "\\\\").replace("%", "%%")


def desktop_entry(command: list[str] | None = None) -> str:
    """The text of nnviz.desktop."""
    command = command or launcher_command()
    exec_line = " ".join(exec_quote(a) for a in command)
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.4",
        "Name=nnviz",
        "GenericName=Neural network visualiser",
        "Comment=Backpropagation made visible: step, watch and explore small neural networks",
        f"Exec={exec_line} %f",
        f"TryExec={exec_quote(command[0])}",
        f"Icon={APP_ID}",
        "Terminal=false",
        "StartupNotify=true",
        f"StartupWMClass={APP_ID}",
        "Categories=Education;ArtificialIntelligence;",
        f"MimeType={MIME_TYPE};",
        "Keywords=neural network;backpropagation;machine learning;gradient descent;teaching;",
        "",
    ])


def targets(home: Path, icons: Path, command: list[str] | None = None) -> list[Target]:
    """Every file the install writes under ``home`` (an XDG data folder), icons from ``icons``."""
    hicolor = home / "icons" / "hicolor"
    out = [
        Target(home / "applications" / f"{APP_ID}.desktop", text=desktop_entry(command)),
        Target(home / "mime" / "packages" / f"{APP_ID}.xml", text=MIME_XML),
    ]
    for size in ICON_SIZES:
        png = icons / f"{APP_ID}-{size}.png"
        folder = hicolor / f"{size}x{size}"
        out.append(Target(folder / "apps" / f"{APP_ID}.png", source=png))
        out.append(Target(folder / "mimetypes" / f"{MIME_ICON}.png", source=png))
    svg = icons / f"{APP_ID}.svg"
    out.append(Target(hicolor / "scalable" / "apps" / f"{APP_ID}.svg", source=svg))
    out.append(Target(hicolor / "scalable" / "mimetypes" / f"{MIME_ICON}.svg", source=svg))
    return out


def _icon_dir() -> Path:
    from nnviz.core.resources import resource_path

    try:
        return resource_path("icons")
    except FileNotFoundError as exc:
        raise DesktopError(str(exc)) from exc


def install(home: Path, icons: Path | None = None,
            command: list[str] | None = None) -> list[Path]:
    """Write every target; returns the paths written. Checks all sources first, so a missing
    icon leaves nothing half-installed."""
    icons = icons or _icon_dir()
    todo = targets(home, icons, command)
    missing = [str(t.source) for t in todo if t.source is not None and not t.source.is_file()]
    if missing:
        raise DesktopError(f"icon files missing (reinstall nnviz): {', '.join(missing)}")
    written = []
    for t in todo:
        try:
            t.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = t.path.with_name(t.path.name + ".tmp")
            if t.text is not None:
                tmp.write_text(t.text, encoding="utf-8")
            else:
                shutil.copyfile(t.source, tmp)
            os.replace(tmp, t.path)  # a desktop scanning the folder never sees half a file
        except OSError as exc:
            raise DesktopError(f"cannot write {t.path}: {exc.strerror or exc}") from exc
        written.append(t.path)
    return written


def uninstall(home: Path) -> list[Path]:
    """Remove the files `install` writes (nothing else); returns the paths removed."""
    removed = []
    for t in targets(home, Path("."), ["nnviz"]):
        try:
            t.path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise DesktopError(f"cannot remove {t.path}: {exc.strerror or exc}") from exc
        removed.append(t.path)
    return removed


def refresh_caches(home: Path) -> list[str]:
    """Run the cache tools that are installed; returns one line per tool run (or failed)."""
    jobs = (
        ("update-desktop-database", ["-q", str(home / "applications")]),
        ("update-mime-database", [str(home / "mime")]),
        # -t: a user's hicolor folder has no index.theme of its own
        ("gtk-update-icon-cache", ["-q", "-t", "-f", str(home / "icons" / "hicolor")]),
    )
    report = []
    for tool, args in jobs:
        exe = shutil.which(tool)
        if exe is None or not Path(args[-1]).is_dir():
            continue
        try:
            done = subprocess.run([exe, *args], capture_output=True, text=True,
                                  timeout=CACHE_TOOL_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            report.append(f"{tool}: failed ({exc})")
            continue
        if done.returncode == 0:
            report.append(f"{tool}: updated")
        else:
            why = (done.stderr or done.stdout).strip().splitlines()
            report.append(f"{tool}: exit {done.returncode}" + (f" ({why[-1]})" if why else ""))
    return report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true",
                        help="list the files without writing or removing anything")


def run(args: argparse.Namespace) -> int:
    removing = args.command == "desktop-uninstall"
    if sys.platform in ("win32", "darwin"):
        print(f"nnviz {args.command}: writes freedesktop.org entries (Linux, BSD); on macOS and "
              "Windows see the README, \"Install as a desktop app\"", file=sys.stderr)
        return 1
    home = data_home()
    if args.dry_run:
        for t in targets(home, Path("."), ["nnviz"]):  # where the files go, not their bytes
            print(t.path)
        return 0
    try:
        paths = uninstall(home) if removing else install(home)
    except DesktopError as exc:
        print(f"nnviz {args.command}: {exc}", file=sys.stderr)
        return 1
    verb = "removed" if removing else "wrote"
    print(f"{verb} {len(paths)} files under {home}")
    for line in refresh_caches(home):
        print(line)
    if not removing:
        print("nnviz is in the application menu (Education); .nnviz files open in it")
    elif not paths:
        print("nothing was installed")
    return 0
