"""`load` raises SessionError and nothing else, whatever the damage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from nnviz.core.session import SessionError, load
from tests.core.session.helpers import (
    members,
    set_field,
    write_members,
)

# --------------------------------------------------------------------------------------------
# Robustness: nothing but SessionError, whatever the damage


def test_random_byte_damage_raises_only_session_error(good: Path) -> None:
    data = good.read_bytes()
    rng = np.random.default_rng(1)
    outcomes = set()
    for _ in range(150):
        damaged = bytearray(data)
        for pos in rng.integers(0, len(data), size=rng.integers(1, 4)):
            damaged[pos] = int(rng.integers(0, 256))
        good.write_bytes(bytes(damaged))
        try:
            load(good)
            outcomes.add("loaded")
        except SessionError:
            outcomes.add("rejected")
    assert "rejected" in outcomes


_ODD_VALUES = [None, -1, 0, 2**70, 1.5, "", "x", True, [], [None], {}, {"a": None}]


def _leaves(node: Any, prefix: str = "") -> list[str]:
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list):
        items = ((str(i), v) for i, v in enumerate(node))
    else:
        return [prefix[:-1]]
    out = [prefix[:-1]] if prefix else []
    for k, v in items:
        out += _leaves(v, f"{prefix}{k}.")
    return out


def test_every_field_replaced_by_odd_values_raises_only_session_error(good: Path) -> None:
    doc = json.loads(members(good)["session.json"])
    doc["training"]["rng_state"] = None  # its 128-bit integers would only add noise here
    doc["history"]["columns"] = {"epoch": doc["history"]["columns"]["epoch"]}
    base = members(good)
    base["session.json"] = json.dumps(doc).encode()
    write_members(good, base)
    fields = [f for f in _leaves(doc) if f]
    assert len(fields) > 40
    for f in fields:
        for value in _ODD_VALUES:
            content = dict(base)
            d = json.loads(base["session.json"])
            set_field(f, value)(d)
            content["session.json"] = json.dumps(d).encode()
            write_members(good, content)
            try:
                s = load(good)
            except SessionError as exc:
                assert str(exc).startswith("lesson.nnviz: ")
                continue
            s.validate()  # anything accepted is a valid session
            s.build_network()
