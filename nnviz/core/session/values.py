"""Reading fields of `session.json` and checking plain JSON values; every problem is a
`SessionError` naming the field (see README, "The `.nnviz` session file")."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nnviz.core.session.format import INT_MAX, MAX_PLAIN_DEPTH, MAX_PLAIN_ITEMS, SessionError


def get_field(d: Mapping[str, Any], key: str, where: str) -> Any:
    if not isinstance(d, Mapping):
        raise SessionError(f"{where} must be an object, got {type_name(d)}")
    try:
        return d[key]
    except KeyError:
        raise SessionError(f"{where}: missing field {key!r}") from None


def get_object(d: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = get_field(d, key, where)
    if not isinstance(value, dict):
        raise SessionError(f"{key} must be an object, got {type_name(value)}")
    return value


def get_list(d: Mapping[str, Any], key: str, where: str, n: int) -> list[Any]:
    value = get_field(d, key, where)
    if not isinstance(value, list):
        raise SessionError(f"{where}.{key} must be a list, got {type_name(value)}")
    if len(value) != n:
        raise SessionError(
            f"{where}.{key} has {len(value)} arrays, expected {n} (one per weight layer)"
        )
    return value


def whole(value: Any, where: str, *, low: int | None = None) -> int:
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise SessionError(f"{where} must be a whole number, got {value!r}")
    if low is not None and value < low:
        raise SessionError(f"{where} must be >= {low}, got {value}")
    # Counts and seeds end up in int64 arrays and NumPy calls; JSON integers are unbounded.
    if value > INT_MAX:
        raise SessionError(f"{where} is {value}, too large (at most {INT_MAX})")
    return int(value)


def number(value: Any, where: str) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(
        value, int | float | np.integer | np.floating
    ):
        raise SessionError(f"{where} must be a number, got {value!r}")
    if not math.isfinite(float(value)):
        raise SessionError(f"{where} must be finite, got {value!r}")
    return float(value)


def check_plain(value: Any, where: str, depth: int = 0) -> None:
    """Only JSON data: null, booleans, finite numbers, text, lists and string-keyed objects."""
    if depth > MAX_PLAIN_DEPTH:
        raise SessionError(f"{where} is nested more than {MAX_PLAIN_DEPTH} levels deep")
    if value is None or isinstance(value, bool | str | int | np.bool_ | np.integer):
        return
    if isinstance(value, float | np.floating):
        if not math.isfinite(float(value)):
            raise SessionError(f"{where} is {value}, not a finite number")
        return
    if isinstance(value, list | tuple | dict):
        if len(value) > MAX_PLAIN_ITEMS:
            raise SessionError(f"{where} has {len(value):,} items, more than {MAX_PLAIN_ITEMS:,}")
        if isinstance(value, dict):
            for k, v in value.items():
                if not isinstance(k, str):
                    raise SessionError(f"{where} has a non-text key {k!r}")
                check_plain(v, f"{where}.{k}", depth + 1)
        else:
            for i, v in enumerate(value):
                check_plain(v, f"{where}[{i}]", depth + 1)
        return
    raise SessionError(f"{where} is a {type_name(value)}, not a plain JSON value")


def plain_copy(value: Any) -> Any:
    """A deep copy with NumPy scalars turned into Python ones and tuples into lists."""
    if isinstance(value, dict):
        return {k: plain_copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_copy(v) for v in value]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def count_params(sizes: Sequence[int]) -> int:
    return sum((i + 1) * o for i, o in zip(sizes[:-1], sizes[1:], strict=True))


def layers_text(sizes: Sequence[int]) -> str:
    return "-".join(map(str, sizes))


def type_name(value: Any) -> str:
    names = {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def spec_kind(spec: Mapping[str, Any]) -> str:
    return str(spec.get("kind", "embedded" if "arrays" in spec else "builtin"))

