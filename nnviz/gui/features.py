"""The contract between the main window and its features (README, "Sessions").

A feature is a module listed in ``main_window.FEATURES``. Its ``install(window)`` adds docks,
actions and menus to the window and returns the object that owns them, which the window keeps
as ``window.features[name]``. That object is a :class:`Feature`: it hands a session the view
options it keeps (``view_state()``, merged into the session file's "view" mapping) and takes
them back when a session opens (``restore(state)``, given the whole mapping). A feature that
shows nothing a lesson needs returns ``{}`` and ignores ``restore``.

The options common to the whole window (edge colouring, log axis, theme, ...) are not any
feature's: the window's :class:`~nnviz.gui.view_state.ViewState` owns them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol, runtime_checkable

from PySide6.QtWidgets import QMainWindow


@runtime_checkable
class Feature(Protocol):
    """What ``install(window)`` returns."""

    def view_state(self) -> dict[str, Any]:
        """This feature's entries of a session's "view" mapping: plain JSON values under keys
        no other feature uses ({} when it keeps none)."""
        ...

    def restore(self, state: Mapping[str, Any]) -> None:
        """Show a session's "view" mapping: read this feature's keys, ignore the rest (other
        features', newer versions'), skip odd values. Raising leaves a message, not a failed
        open."""
        ...


class FeatureModule(Protocol):
    """A module named in ``main_window.FEATURES``."""

    def install(self, window: QMainWindow) -> Feature:
        """Add the feature to ``window`` (its features installed earlier are in
        ``window.features``) and return the object that owns it."""
        ...


def session_features(features: Mapping[str, object]) -> Iterator[tuple[str, Feature]]:
    """The installed features that keep view options, in installation order.

    Every feature module implements the Protocol; the few still being ported are skipped
    rather than guessed at.
    """
    for name, feature in features.items():
        if isinstance(feature, Feature):
            yield name, feature


class NoViewState:
    """The :class:`Feature` methods of a feature that shows nothing a lesson keeps."""

    def view_state(self) -> dict[str, Any]:
        return {}

    def restore(self, state: Mapping[str, Any]) -> None:
        """Nothing of this feature is in a session."""
