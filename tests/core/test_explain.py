"""The step panel's text (nnviz.core.explain): formulas with the numbers, the values table of a
phase, the masked "predict" text. Expected numbers come from hand computations and from the
published figures of the textbook worked example (lesson "worked-example")."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.core import Network, lessons
from nnviz.core.explain import (
    MAX_TABLE_ROWS,
    explain,
    fmt,
    gradient_check_rows,
    masked_text,
    next_sample_text,
    phase_rows,
    phase_title,
    plan_text,
    selection_name,
)
from nnviz.core.network import gradient_check_detail
from nnviz.core.stepper import Stepper
from tests.core.test_stepper import CASES, data, known_221


def worked_example() -> tuple[Network, dict, np.ndarray, np.ndarray]:
    """The classic 2-2-2 example's first sample, stepped through every phase."""
    s = lessons.load("worked-example")
    net, d = s.build_network(), s.load_dataset()
    st = Stepper(net, d.X_train, d.Y_train, lr=s.hyper["lr"], shuffle=False)
    recs = {(r.kind, r.layer): r for r in st.finish_sample()}
    return net, recs, d.X_train, d.Y_train


def test_the_worked_example_reads_as_published() -> None:
    net, recs, _X, _Y = worked_example()
    nine = {"precision": 9}
    # net_h1 = 0.3775, out_h1 = 0.593269992 (the biases are frozen: still a + b term)
    assert explain(recs["forward", 1], net, node=(0,), **nine) == (
        "z^(1)_1 = sum_i a^(0)_i w^(1)_i1 + b^(1)_1 = 0.050000000 * 0.150000000 + "
        "0.100000000 * 0.200000000 + 0.350000000 = 0.377500000\n"
        "a^(1)_1 = sigmoid(z^(1)_1) = 1/(1+e^-0.377500000) = 0.593269992"
    )
    # out_o1 = 0.75136507, out_o2 = 0.772928465
    fwd2 = explain(recs["forward", 2], net, **nine)
    assert "= 0.751365070" in fwd2 and "= 0.772928465" in fwd2
    # E_total = 0.298371109
    assert explain(recs["loss", None], net, **nine) == (
        "E = 1/2 * sum_k (a_k - t_k)^2 = 1/2 * ((0.751365070 - 0.010000000)^2 + "
        "(0.772928465 - 0.990000000)^2) = 0.298371109"
    )
    # w5+ = 0.35891648, w1+ = 0.149780716
    upd = recs["update", None]
    assert explain(upd, net, edge=(2, 0, 0), **nine) == (
        "w^(2)_11 <- w - lr * a^(1)_1 * delta^(2)_1 = 0.400000000 - 0.5 * "
        "(0.593269992 * 0.138498562) = 0.358916480"
    )
    assert explain(upd, net, edge=(1, 0, 0), **nine).endswith("= 0.149780716")
    # frozen biases say so instead of showing an update
    summary = explain(upd, net, **nine)
    assert "layer 1: biases frozen (kept, not learnt)" in summary
    assert "layer 2: largest change w^(2)_21: 0.450000000 -> 0.408666186" in summary
    assert explain(upd, net, node=(2, 0), **nine).splitlines()[0] == (
        "b^(2)_1 = 0.600000000 is frozen: not learnt, so no gradient and no update")


def test_phase_rows_of_the_worked_example() -> None:
    net, recs, _X, _Y = worked_example()
    rows = phase_rows(recs["forward", 1], net)
    assert [(r.where, r.what, r.new) for r in rows[:4]] == [
        ("x_1", "input", False), ("x_2", "input", False),
        ("z^(1)_1", "z = sum a w + b", True), ("a^(1)_1", "a = f(z)", True)]
    assert rows[2].value == pytest.approx(0.3775, abs=1e-15)
    assert rows[3].sel == ("node", 1, 0)
    assert [r.where for r in rows[-2:]] == ["b^(1)_1", "b^(1)_2"]
    # update rows: old -> new, trained biases only (these are frozen)
    upd = phase_rows(recs["update", None], net)
    assert len(upd) == 8 and all(r.what == "weight old → new" for r in upd)
    w5 = next(r for r in upd if r.where == "w^(2)_11")
    assert (w5.old, f"{w5.value:.8f}") == (0.40, "0.35891648")
    assert w5.sel == ("edge", 2, 0, 0)


def test_phase_rows_stop_at_the_table_limit_and_say_how_many_more() -> None:
    X, Y = data(1, 30, 30)
    net = Network([30, 30], seed=0)
    rec = Stepper(net, X, Y, lr=0.1).step()  # forward: 30 inputs, 60 z/a, 900 weights, 30 b
    rows = phase_rows(rec, net)
    assert len(rows) == MAX_TABLE_ROWS + 1
    assert rows[-1].value is None and rows[-1].text == ""
    assert rows[-1].what == f"{30 + 60 + 900 + 30 - MAX_TABLE_ROWS} more (see the ledger export)"


def test_masked_text_shows_the_known_inputs_and_hides_the_results() -> None:
    net, recs, _X, _Y = worked_example()
    text = masked_text(recs["forward", 1], net, None, 9)
    assert "z^(1)_1 = 0.050000000 * 0.150000000 + 0.100000000 * 0.200000000 + " \
           "0.350000000 = ?" in text
    assert "a^(1)_1 = sigmoid(z^(1)_1) = ?" in text
    assert "0.377500000" not in text and "0.593269992" not in text
    assert text.endswith("Press N (or Reveal) to show the numbers.")
    one = masked_text(recs["forward", 1], net, ("node", 1, 1), 9)  # one unit selected
    assert "z^(1)_2 = " in one and "z^(1)_1 = " not in one
    upd = masked_text(recs["update", None], net, ("edge", 2, 0, 0), 9)
    assert "w^(2)_11 <- 0.400000000 - 0.5 * (0.082167041) = ?" in upd
    assert "0.358916480" not in upd


def test_titles_names_and_intro_texts() -> None:
    net, recs, X, Y = worked_example()
    assert phase_title(recs["forward", 2]) == "forward, layer 2"
    assert phase_title(recs["output_delta", 2]) == "output delta"
    assert selection_name(("node", 1, 0)) == "unit 1 of layer 1"
    assert selection_name(("node", 0, 1)) == "x_2"
    assert selection_name(("edge", 2, 0, 1)) == "w^(2)_12"
    plan = plan_text(2)
    assert "  1. forward, layer 1\n  2. forward, layer 2\n  3. loss\n" in plan
    assert "  7. update\n" in plan
    nxt = next_sample_text(net, 0, X[0], Y[0], 4)
    assert nxt.startswith("Next: sample 1\n  x = [0.0500, 0.1000]\n  t = [0.0100, 0.9900]")


def test_gradient_check_rows_name_every_trained_parameter() -> None:
    net, X, Y = known_221()
    gc = gradient_check_detail(net, X[0], Y[0])
    rows = gradient_check_rows(gc, net.bias_modes)
    assert len(rows) == net.params.size == 9
    assert [r[0] for r in rows[:3]] == ["w^(1)_11", "w^(1)_12", "w^(1)_21"]
    assert rows[4][0] == "b^(1)_1"
    for _name, backprop, numeric in rows:
        assert backprop == pytest.approx(numeric, rel=1e-6, abs=1e-9)
    frozen = Network([2, 2, 1], seed=0, bias="frozen")
    assert len(gradient_check_rows(gradient_check_detail(frozen, X[0], Y[0]),
                                   frozen.bias_modes)) == 6


def sig(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def f4(x: float) -> str:
    return f"{x:.4f}"


def p4(x: float) -> str:
    return f"({x:.4f})" if x < 0 else f"{x:.4f}"


def test_explain_texts_for_a_known_2_2_1_example() -> None:
    net, X, Y = known_221()
    # by hand: w1[i][j] from input i to hidden j
    x, t = [0.05, 0.10], 0.01
    w1, b1, w2, b2 = [[0.15, 0.25], [0.20, 0.30]], [0.35, 0.35], [0.40, 0.45], 0.60
    z1 = [x[0] * w1[0][j] + x[1] * w1[1][j] + b1[j] for j in range(2)]
    a1 = [sig(z) for z in z1]
    z2 = a1[0] * w2[0] + a1[1] * w2[1] + b2
    a2 = sig(z2)
    E = 0.5 * (a2 - t) ** 2
    fp2 = a2 * (1 - a2)
    d2 = (a2 - t) * fp2
    fp1 = [a * (1 - a) for a in a1]
    d1 = [fp1[j] * w2[j] * d2 for j in range(2)]
    lr = 0.5

    s = Stepper(net, X, Y, lr=lr)
    recs = {(r.kind, r.layer): r for r in s.finish_sample()}

    fwd1 = recs["forward", 1]
    assert explain(fwd1, net, node=(0,)) == (
        f"z^(1)_1 = sum_i a^(0)_i w^(1)_i1 + b^(1)_1 = 0.0500 * 0.1500 + 0.1000 * 0.2000 + "
        f"0.3500 = {f4(z1[0])}\n"
        f"a^(1)_1 = sigmoid(z^(1)_1) = 1/(1+e^-{f4(z1[0])}) = {f4(a1[0])}"
    )
    assert explain(fwd1, net, node=(1, 0)) == explain(fwd1, net, node=(0,))
    assert explain(fwd1, net, edge=(1, 0)) == (
        f"a^(0)_2 * w^(1)_21 = 0.1000 * 0.2000 = 0.0200   (one term of z^(1)_1 = {f4(z1[0])})"
    )
    fwd2 = recs["forward", 2]
    assert explain(fwd2, net, node=(0,)).splitlines()[0] == (
        f"z^(2)_1 = sum_i a^(1)_i w^(2)_i1 + b^(2)_1 = {f4(a1[0])} * 0.4000 + {f4(a1[1])} * "
        f"0.4500 + 0.6000 = {f4(z2)}"
    )
    assert explain(recs["loss", None], net) == (
        f"E = 1/2 * sum_k (a_k - t_k)^2 = 1/2 * (({f4(a2)} - 0.0100)^2) = {f4(E)}"
    )
    assert explain(recs["loss", None], net, node=(0,)) == (
        f"E_1 = 1/2 * (a^(2)_1 - t_1)^2 = 1/2 * ({f4(a2)} - 0.0100)^2 = {f4(E)}   (of E = {f4(E)})"
    )
    assert explain(recs["output_delta", 2], net, node=(0,)) == (
        f"delta^(2)_1 = (a^(2)_1 - t_1) * f'(z^(2)_1) = ({f4(a2)} - 0.0100) * {f4(fp2)} = "
        f"{f4(d2)}\n"
        f"f'(z^(2)_1) = a(1-a) = {f4(a2)} * (1 - {f4(a2)}) = {f4(fp2)}"
    )
    back = recs["backward", 1]
    assert explain(back, net, node=(1,)) == (
        f"delta^(1)_2 = f'(z^(1)_2) * sum_k w^(2)_2k delta^(2)_k = {f4(fp1[1])} * "
        f"(0.4500 * {f4(d2)}) = {f4(d1[1])}\n"
        f"f'(z^(1)_2) = a(1-a) = {f4(a1[1])} * (1 - {f4(a1[1])}) = {f4(fp1[1])}"
    )
    assert explain(back, net, edge=(1, 0)) == (
        f"w^(2)_21 * delta^(2)_1 = 0.4500 * {f4(d2)} = {f4(0.45 * d2)}"
        f"   (one term of the sum for delta^(1)_2 = {f4(d1[1])})"
    )
    grads = recs["gradients", None]
    assert explain(grads, net, edge=(2, 1, 0)) == (
        f"dE/dw^(2)_21 = a^(1)_2 * delta^(2)_1 = {f4(a1[1])} * {f4(d2)} = {f4(a1[1] * d2)}"
    )
    assert explain(grads, net, edge=(1, 0, 1)) == (
        f"dE/dw^(1)_12 = a^(0)_1 * delta^(1)_2 = 0.0500 * {f4(d1[1])} = {f4(0.05 * d1[1])}"
    )
    # a node: its bias and the a * delta product of every weight into it, with the numbers
    assert explain(grads, net, node=(1, 0)) == (
        f"dE/db^(1)_1 = delta^(1)_1 = {f4(d1[0])}\n"
        f"dE/dw^(1)_11 = a^(0)_1 * delta^(1)_1 = 0.0500 * {f4(d1[0])} = {f4(0.05 * d1[0])}\n"
        f"dE/dw^(1)_21 = a^(0)_2 * delta^(1)_1 = 0.1000 * {f4(d1[0])} = {f4(0.1 * d1[0])}"
    )
    upd = recs["update", None]
    assert explain(upd, net, edge=(2, 0, 0)) == (
        f"w^(2)_11 <- w - lr * a^(1)_1 * delta^(2)_1 = 0.4000 - 0.5 * ({f4(a1[0])} * {f4(d2)}) "
        f"= {f4(0.40 - lr * a1[0] * d2)}"
    )
    assert explain(upd, net, node=(2, 0)).splitlines()[0] == (
        f"b^(2)_1 <- b - lr * delta^(2)_1 = 0.6000 - 0.5 * ({f4(d2)}) = {f4(0.60 - lr * d2)}"
    )
    # precision is adjustable
    assert explain(fwd1, net, edge=(1, 0), precision=2) == (
        f"a^(0)_2 * w^(1)_21 = 0.10 * 0.20 = 0.02   (one term of z^(1)_1 = {z1[0]:.2f})"
    )


def test_explain_update_with_momentum_and_penalties() -> None:
    net, X, Y = known_221()
    s = Stepper(net, X, Y, lr=0.5, momentum=0.9, l2=0.01)
    first = s.finish_sample()[-1]
    second = s.finish_sample()[-1]
    v = second.values
    w_old, w_new = float(v["W_old_2"][0, 0]), float(v["W_new_2"][0, 0])
    vo, vn = float(v["vW_old_2"][0, 0]), float(v["vW_new_2"][0, 0])
    a, d = float(v["a_1"][0]), float(v["delta_2"][0])
    assert vo == float(first.values["vW_new_2"][0, 0]) != 0.0
    assert math.isclose(vn, 0.9 * vo - 0.5 * (a * d + 0.01 * w_old), rel_tol=1e-12)
    assert math.isclose(w_new, w_old + vn, rel_tol=1e-12)
    assert explain(second, net, edge=(2, 0, 0)) == (
        f"v <- mu * v - lr * (a^(1)_1 * delta^(2)_1 + l2 * w) = 0.9 * {p4(vo)} - 0.5 * "
        f"({f4(a)} * {f4(d)} + 0.01 * {f4(w_old)}) = {f4(vn)}\n"
        f"w^(2)_11 <- w + v = {f4(w_old)} + {p4(vn)} = {f4(w_new)}"
    )
    # biases carry no penalty
    bo, bn = float(v["b_old_2"][0]), float(v["b_new_2"][0])
    vbo, vbn = float(v["vb_old_2"][0]), float(v["vb_new_2"][0])
    assert explain(second, net, node=(2, 0)).split("\nv <- ")[0] == (
        f"v <- mu * v - lr * delta^(2)_1 = 0.9 * {p4(vbo)} - 0.5 * ({f4(d)}) = {f4(vbn)}\n"
        f"b^(2)_1 <- b + v = {f4(bo)} + {p4(vbn)} = {f4(bn)}"
    )
    assert explain(second, net).startswith("V <- mu V - lr * (dE/dW^(l) + l2 W^(l))")


@pytest.mark.parametrize(("sizes", "hidden", "output", "loss", "onehot"), CASES)
def test_explain_covers_every_kind_and_selection(sizes, hidden, output, loss, onehot) -> None:
    X, Y = data(2, sizes[0], sizes[-1], onehot)
    net = Network(sizes, hidden, output, loss, seed=0)
    s = Stepper(net, X, Y, lr=0.1, momentum=0.5, l1=0.001)
    L = net.n_layers
    for r in s.finish_sample():
        whole = explain(r, net)
        assert whole and "nan" not in whole
        if r.kind in ("forward", "backward", "output_delta", "loss"):
            own = L if r.layer is None else r.layer
            for j in range(net.sizes[own]):
                text = explain(r, net, node=(j,))
                assert "nan" not in text
                last = text.splitlines()[0].split("   (")[0].rsplit("= ", 1)[1]
                key = {"forward": "z", "loss": "terms"}.get(r.kind, "delta")
                assert last == fmt(r.values[key][j]), (r.kind, text)
            if r.kind in ("forward", "backward"):
                wl = r.layer if r.kind == "forward" else r.layer + 1
                assert "one term" in explain(r, net, edge=(0, 0))
                assert "not computed" in explain(r, net, edge=(wl % L + 1, 0, 0)) or L == 1
            assert "not computed" in explain(r, net, node=(0, 0))
        else:
            for l in range(1, L + 1):  # noqa: E741
                new_w = explain(r, net, edge=(l, 0, 0)).rsplit("= ", 1)[1]
                new_b = explain(r, net, node=(l, 0)).splitlines()[0].rsplit("= ", 1)[1]
                if r.kind == "update":
                    assert new_w == fmt(r.values[f"W_new_{l}"][0, 0])
                    assert new_b == fmt(r.values[f"b_new_{l}"][0])
                else:
                    assert new_w == fmt(r.values[f"dW_{l}"][0, 0])
            with pytest.raises(ValueError, match=r"\(layer, i, j\)"):
                explain(r, net, edge=(0, 0))
    with pytest.raises(ValueError, match="out of range"):
        explain(r, net, edge=(1, 99, 0))
    with pytest.raises(ValueError, match="not both"):
        explain(r, net, node=(1, 0), edge=(1, 0, 0))


def test_fmt_and_long_sums() -> None:
    assert fmt(0.5) == "0.5000" and fmt(-0.0) == "0.0000" and fmt(1.234e-7) == "1.234e-07"
    assert fmt(12.3456789, 2) == "12.35" and fmt(float("nan")) == "nan"
    X, Y = data(2, 12, 1)
    net = Network([12, 1], seed=0)
    r = Stepper(net, X, Y, lr=0.1).step()
    text = explain(r, net, node=(0,), max_terms=3)
    assert "+ ... (9 more)" in text and text.count(" * ") == 3


def test_a_weight_whose_input_is_0_says_no_change_instead_of_x_to_x() -> None:
    # XOR's first sample (0, 0): every layer-1 gradient is 0
    X = np.array([[0.0, 0.0], [0.0, 1.0]])
    Y = np.array([[0.0], [1.0]])
    net = Network([2, 2, 1], seed=0)
    s = Stepper(net, X, Y, lr=0.5)
    recs = {r.kind: r for r in s.finish_sample()}
    upd, grads = recs["update"], recs["gradients"]
    w = float(upd.values["W_old_1"][0, 1])
    assert explain(upd, net, edge=(1, 0, 1)) == (
        f"w^(1)_12 = {fmt(w)}: no change (its input a^(0)_1 is 0, so dE/dw^(1)_12 = 0)"
    )
    summary = explain(upd, net)
    assert "layer 1: no change (its inputs are 0)" in summary
    assert "layer 1: every dE/dw is 0 (its inputs are 0)" in explain(grads, net)
    assert "->" not in summary.splitlines()[1]


