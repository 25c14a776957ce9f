"""Lessons shipped with nnviz: ready-made sessions in ``resources/lessons/*.nnviz``.

Each lesson is an ordinary session file whose ``title`` names it and whose ``notes`` are its short
text (what to do and what to see). ``tools/make_lessons.py`` writes them, so they can be
regenerated; README "Lessons" lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nnviz.core import session as core_session
from nnviz.core.resources import resource_path

SUFFIX = ".nnviz"


class LessonError(ValueError):
    """No such lesson; the message lists the ones there are."""


@dataclass(frozen=True)
class LessonInfo:
    name: str
    title: str
    summary: str  # the first line of the lesson's text
    path: Path


def lesson_dir() -> Path:
    return resource_path("lessons")


def names() -> list[str]:
    """The shipped lessons' names, sorted."""
    folder = lesson_dir()
    if not folder.is_dir():
        return []
    return sorted(p.name[: -len(SUFFIX)] for p in folder.glob(f"*{SUFFIX}"))


def path(name: str) -> Path:
    """The file of lesson ``name`` (LessonError naming the shipped ones if there is none)."""
    key = name.strip().lower()
    if key.endswith(SUFFIX):
        key = key[: -len(SUFFIX)]
    if key not in names():
        raise LessonError(f"no lesson {name!r}; the lessons are: {', '.join(names())}")
    return lesson_dir() / f"{key}{SUFFIX}"


def load(name: str) -> core_session.Session:
    return core_session.load(path(name))


def catalogue() -> list[LessonInfo]:
    """Name, title and first line of every shipped lesson (reads each file's session.json)."""
    out = []
    for n in names():
        s = load(n)
        summary = s.notes.strip().splitlines()[0] if s.notes.strip() else ""
        out.append(LessonInfo(n, s.title, summary, path(n)))
    return out
