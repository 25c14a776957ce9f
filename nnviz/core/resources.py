"""Where the shipped data files live, in a checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def resource_dir() -> Path:
    """The `resources/` folder: inside the package when installed, beside it in a checkout."""
    for candidate in (_PACKAGE_DIR / "resources", _PACKAGE_DIR.parent / "resources"):
        if (candidate / "datasets").is_dir():
            return candidate
    raise FileNotFoundError(
        "nnviz resources not found; reinstall nnviz (pip install .) from a full checkout"
    )


def resource_path(*parts: str) -> Path:
    return resource_dir().joinpath(*parts)
