"""The ledger: every number of one sample's phases as rows, for the table and for handouts.

A row is (phase, kind, layer, quantity, index, value): ``phase`` is the record's index within its
sample, ``layer`` the 1-based l of the formulas (0 for the inputs a_0 = x, empty where a number
belongs to no layer: target, loss, hyper-parameters), ``index`` the 1-based unit ("3") or edge
("1,3" = from unit 1 of layer l-1 to unit 3 of layer l), empty for single numbers.

By default each phase lists only what it adds, so nothing appears twice:
forward l: W, b, z, a (and the input a_0 in phase 0); loss: t, E_k (per output), E;
output_delta: error (a - t), fprime or s, delta; backward l: backprop (sum_k w_jk delta_k),
fprime, delta; gradients: dW, db per layer; update: W_new, b_new per layer (vW, vb with
momentum) and the non-zero hyper-parameters. ``full=True`` lists every value of every record.

``bias_modes`` (the network's, one per weight layer) leaves out what a layer's bias mode makes
meaningless: every bias number of a layer without bias (mode none), and the gradient and the
"new" value of a frozen bias (README "Bias modes").
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from nnviz.core.explain import fmt
from nnviz.core.stepper import PhaseRecord

LEDGER_COLUMNS: tuple[str, ...] = ("phase", "kind", "layer", "quantity", "index", "value")

_PER_LAYER = re.compile(r"^(.*)_(\d+)$")


@dataclass(frozen=True)
class LedgerRow:
    phase: int
    kind: str
    layer: int | None
    quantity: str
    index: str
    value: float

    def as_tuple(self) -> tuple[int, str, int | None, str, str, float]:
        return (self.phase, self.kind, self.layer, self.quantity, self.index, self.value)


def _own_quantities(rec: PhaseRecord) -> Iterator[tuple[str, int | None, np.ndarray]]:
    v, l = rec.values, rec.layer  # noqa: E741
    if rec.kind == "forward":
        if l == 1:
            yield "a", 0, v["a_prev"]
        for q in ("W", "b", "z", "a"):
            yield q, l, v[q]
    elif rec.kind == "loss":
        yield "t", None, v["t"]
        yield "E_k", None, v["terms"]
        yield "E", None, v["E"]
    elif rec.kind in ("output_delta", "backward"):
        for q in ("error", "backprop", "fprime", "s", "delta"):
            if q in v:
                yield q, l, v[q]
    elif rec.kind == "gradients":
        for key, arr in v.items():
            q, layer = _split(key)
            if q in ("dW", "db"):
                yield q, layer, arr
    elif rec.kind == "update":
        for key, arr in v.items():
            q, layer = _split(key)
            if q in ("W_new", "b_new", "vW_new", "vb_new"):
                yield q.removesuffix("_new"), layer, arr
        for q in ("lr", "momentum", "l2", "l1"):
            if q == "lr" or float(v[q]):
                yield q, None, v[q]
    else:
        raise ValueError(f"unknown phase kind {rec.kind!r}")


def _split(key: str) -> tuple[str, int | None]:
    m = _PER_LAYER.match(key)
    return (m.group(1), int(m.group(2))) if m else (key, None)


def _all_quantities(rec: PhaseRecord) -> Iterator[tuple[str, int | None, np.ndarray]]:
    l = rec.layer  # noqa: E741
    for key, arr in rec.values.items():
        if rec.kind in ("gradients", "update"):
            q, layer = _split(key)
        elif key == "a_prev":
            q, layer = "a", l - 1
        elif key in ("W_next", "delta_next"):
            q, layer = key.removesuffix("_next"), l + 1
        else:
            q, layer = key, l
        yield q, layer, arr


def _index(idx: tuple[int, ...]) -> str:
    return ",".join(str(i + 1) for i in idx)


_BIAS_QUANTITIES = ("b", "b_old", "b_new", "db", "vb", "vb_old", "vb_new")
_LEARNT_BIAS_QUANTITIES = ("b_new", "db", "vb", "vb_old", "vb_new")


def _hidden_by_bias_mode(q: str, layer: int | None, bias_modes: Sequence[str]) -> bool:
    if layer is None or not 1 <= layer <= len(bias_modes):
        return False
    mode = bias_modes[layer - 1]
    if mode == "none":
        return q in _BIAS_QUANTITIES
    return mode == "frozen" and q in _LEARNT_BIAS_QUANTITIES


def ledger_rows(
    records: Iterable[PhaseRecord], full: bool = False, bias_modes: Sequence[str] = ()
) -> list[LedgerRow]:
    """One row per number of the records (normally ``stepper.sample_records()``)."""
    rows = []
    for rec in records:
        quantities = _all_quantities(rec) if full else _own_quantities(rec)
        for q, layer, arr in quantities:
            if _hidden_by_bias_mode(q, layer, bias_modes):
                continue
            arr = np.asarray(arr)
            for idx in np.ndindex(arr.shape):
                rows.append(
                    LedgerRow(rec.index, rec.kind, layer, q, _index(idx), float(arr[idx]))
                )
    return rows


def ledger_csv(
    records: Iterable[PhaseRecord], full: bool = False, bias_modes: Sequence[str] = ()
) -> str:
    """The ledger as CSV with a header; values at full precision (they round-trip)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(LEDGER_COLUMNS)
    for r in ledger_rows(records, full, bias_modes):
        w.writerow(
            [r.phase, r.kind, "" if r.layer is None else r.layer, r.quantity, r.index,
             repr(r.value)]
        )
    return buf.getvalue()


def ledger_markdown(
    records: Iterable[PhaseRecord], precision: int = 4, full: bool = False,
    bias_modes: Sequence[str] = (),
) -> str:
    """The ledger as a Markdown table, numbers with ``precision`` decimals (as the panel)."""
    lines = [
        "| " + " | ".join(LEDGER_COLUMNS) + " |",
        "|" + "|".join(["---:", "---", "---:", "---", "---", "---:"]) + "|",
    ]
    for r in ledger_rows(records, full, bias_modes):
        layer = "" if r.layer is None else str(r.layer)
        lines.append(
            f"| {r.phase} | {r.kind} | {layer} | {r.quantity} | {r.index} | "
            f"{fmt(r.value, precision)} |"
        )
    return "\n".join(lines) + "\n"
