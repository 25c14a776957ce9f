"""One notation: every text a class sees (tooltips, formulas, ledger, headers, status) numbers
layers as the formulas do and units, edges and samples from 1 (nnviz.core.notation)."""

from __future__ import annotations

import csv
import io
import re

from nnviz.core import notation
from nnviz.core.ledger import ledger_csv, ledger_markdown

# Texts that give away a 0-based index: w[0][..], b[0][..], h1.1 (the old node names), a
# subscript holding a 0 (units run together while all are < 10, as here), a weight, bias, delta
# or hidden layer 0 (layer 0 is the input), "row 0", "sample 0", "epoch 0" in a header.
ZERO_BASED = [
    re.compile(r"\b[wb]\[\d"),
    re.compile(r"\bh\d+\.\d"),
    re.compile(r"_[1-9]*0(?![.\d])"),
    re.compile(r"\b(w|b|z|delta|h|dW|db)\^\(0\)"),
    re.compile(r"\b(row|sample) 0\b", re.IGNORECASE),
]


def _offending(text: str) -> list[str]:
    return [m.group(0) for rx in ZERO_BASED for m in rx.finditer(text)]


def test_the_one_format_of_every_index() -> None:
    assert notation.weight(0, 0, 1) == "w^(1)_12"
    assert notation.bias(1, 0) == "b^(2)_1"
    assert notation.unit(1, 1, 2) == "h^(1)_2"
    assert notation.sym("delta", 1, 0) == "delta^(1)_1"
    assert notation.sample(0) == "sample 1" and notation.epoch(0) == "epoch 1"
    assert notation.sub(0, 11) == "1,12"
    assert notation.number(0.03371, 4) == "0.0337" and notation.number(1e-9, 4) == "1.000e-09"


def test_no_text_shows_a_0_based_index(make_window):
    w = make_window()
    p, view = w.features["step_panel"], w.network_view
    sizes = w.controller.net.sizes
    texts: list[tuple[str, str]] = []
    for _ in range(14):  # two whole samples of the 2-4-1 network (7 phases each)
        rec = p.next_phase()
        texts.append(("header", p.header_text()))
        texts.append(("status", w.status_label.text()))
        texts.append(("formula", p.formula_text()))
        for layer in range(1, len(sizes)):
            for j in range(sizes[layer]):
                p.select(node=(layer, j))
                texts.append(("formula", p.formula_text()))
                for i in range(sizes[layer - 1]):
                    p.select(edge=(layer, i, j))
                    texts.append(("formula", p.formula_text()))
        p.select(None)
        for al, n in enumerate(sizes):
            for j in range(n):
                texts.append(("tooltip", view.tooltip_text_at(view.node_pos(al, j)) or ""))
        for li in range(len(sizes) - 1):
            for i in range(sizes[li]):
                for j in range(sizes[li + 1]):
                    texts.append(("tooltip",
                                  view.tooltip_text_at(view.edge_point(li, i, j, 0.4)) or ""))
            for j in range(sizes[li + 1]):
                box = view.bias_rect(li, j)
                if box is not None:
                    texts.append(("tooltip", view.tooltip_text_at(box.center()) or ""))
        assert rec is not None
    records = p.ledger_records()
    texts.append(("ledger", ledger_markdown(records)))
    bad = [(where, text, _offending(text)) for where, text in texts if _offending(text)]
    assert not bad, bad[:3]
    # the ledger's index column counts from 1 (layer 0 is the input a^(0) = x, as in formulas)
    rows = list(csv.DictReader(io.StringIO(ledger_csv(records))))
    for row in rows:
        for part in filter(None, row["index"].split(",")):
            assert int(part) >= 1, row
    # samples in the Step dock's list are numbered from 1 too
    p.tabs.setCurrentIndex(2)
    assert [p.samples.item(r, 1).text() for r in range(p.samples.rowCount())] == \
        ["1", "2", "3", "4"]


def test_node_labels_follow_the_digits_setting(make_window):
    view = make_window().network_view
    vals = [0.0337123, -0.5]
    for digits in (4, 3, 2):
        view.set_digits(digits)
        got = view._nodes.node_texts(1, vals, 60.0, None, True, digits)
        assert got is not None
        assert got[0] == [f"δ {notation.number(v, digits)}" for v in vals]
