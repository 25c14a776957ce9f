"""The Step panel's text: each phase's formula with its real numbers, its table of values and
the masked formula of "Predict, then reveal" (README, "Single-step backpropagation").

Everything here is a pure function of a ``PhaseRecord`` (``nnviz.core.stepper``) and the network,
written in the one notation of ``nnviz.core.notation`` (layers as in the formulas, units and
samples from 1) with the one number format (``fmt``). The GUI only lays these strings out; the
ledger (every number of a sample as rows, CSV and Markdown) is ``nnviz.core.ledger``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nnviz.core import activations as act
from nnviz.core import losses, notation
from nnviz.core.network import GradientCheck, Network
from nnviz.core.stepper import KINDS, PhaseRecord, phase_plan

Array = np.ndarray

#: Rows of a phase table (a 784-128 layer has 100k weights; the ledger export has them all).
MAX_TABLE_ROWS = 600

#: A table row's or a click's selection: ("node", layer, unit) or ("edge", layer, i, j), layers
#: as in the formulas (0 = the inputs), units 0-based.
Selection = tuple

PHASE_TITLES = {
    "forward": "forward, layer {l}",
    "loss": "loss",
    "output_delta": "output delta",
    "backward": "backward, layer {l}",
    "gradients": "gradients",
    "update": "update",
}

_sub, _sym = notation.sub, notation.sym  # short names for the f-strings below


def phase_title(record: PhaseRecord) -> str:
    """"forward, layer 2", "loss", ...: the phase as the header names it."""
    return PHASE_TITLES[record.kind].format(l=record.layer)


def fmt(x: float, precision: int = 4) -> str:
    """A number for the panel (``notation.number``: the one format of every shown number)."""
    return notation.number(x, precision)


def vector_text(x: Array, p: int, limit: int = 8) -> str:
    """``[0.1000, 0.2000, … (3 more)]``: a vector with ``p`` decimals, at most ``limit`` items."""
    x = np.ravel(x)
    items = [fmt(v, p) for v in x[:limit]]
    if x.size > limit:
        items.append(f"… ({x.size - limit} more)")
    return "[" + ", ".join(items) + "]"


def selection_name(sel: Selection) -> str:
    """What a selection is called in the formula's title: "unit 2 of layer 1", "w^(2)_11"."""
    if sel[0] == "node":
        l, j = sel[1], sel[2]  # noqa: E741
        return f"x_{_sub(j)}" if l == 0 else f"unit {j + 1} of layer {l}"
    return _sym("w", sel[1], sel[2], sel[3])


def plan_text(n_layers: int) -> str:
    """Before the first step: the phases every sample goes through."""
    return ("Each sample goes through these phases, every one with its numbers:\n"
            + "\n".join(f"  {i + 1}. {PHASE_TITLES[k].format(l=layer)}" for i, (k, layer)
                        in enumerate(phase_plan(n_layers)))
            + "\n\nPredict, then reveal (P) hides each new phase's numbers until N "
              "is pressed again.")


def next_sample_text(net: Network, row: int, x: Array, t: Array, p: int) -> str:
    """Between samples: the next sample's input and target, and what N computes first."""
    return (f"Next: {notation.sample(row)}\n  x = {vector_text(x, p)}\n"
            f"  t = {vector_text(t, p)}\n\n"
            f"N computes z^(1) = x W^(1) + b^(1) and a^(1) = "
            f"{net.layer_activation(0).name}(z^(1)).")


def gradient_check_rows(gc: GradientCheck,
                        bias_modes: Sequence[str]) -> list[tuple[str, float, float]]:
    """(parameter, backprop, finite difference) of every weight and trained bias."""
    rows = []
    for l in range(len(gc.dW)):  # noqa: E741
        dW, nW = gc.dW[l], gc.numeric_dW[l]
        for i, j in np.ndindex(dW.shape):
            rows.append((_sym("w", l + 1, i, j), float(dW[i, j]), float(nW[i, j])))
        for j in range(gc.db[l].size if bias_modes[l] == "trained" else 0):
            rows.append((_sym("b", l + 1, j), float(gc.db[l][j]), float(gc.numeric_db[l][j])))
    return rows


# ---- the formula of a phase -----------------------------------------------------------------


def _paren(s: str) -> str:
    return f"({s})" if s.startswith("-") else s


def _hyper(x: Array) -> str:
    return f"{float(x):g}"


def _join_terms(terms: list[str], max_terms: int, ellipsis: str = "...") -> str:
    if len(terms) > max_terms:
        return " + ".join(terms[:max_terms]) + f" + {ellipsis} ({len(terms) - max_terms} more)"
    return " + ".join(terms)


def _activation_expr(name: str, z: float, zs: list[float] | None, k: int, p: int) -> str:
    zf = fmt(z, p)
    if name == "sigmoid":
        return f"1/(1+e^-{_paren(zf)})"
    if name == "tanh":
        return f"tanh({zf})"
    if name == "relu":
        return f"max(0, {zf})"
    if name == "leaky_relu":
        return f"max({act.LEAKY_SLOPE:g} * {zf}, {zf})"
    if name == "softmax":
        den = " + ".join(f"e^{_paren(fmt(v, p))}" for v in zs)
        return f"e^{_paren(zf)} / ({den})"
    return zf


def _fprime_line(name: str, sym_z: str, z: float, a: float, fp: float, p: int) -> str:
    formula = act.get(name).derivative_formula
    if name in ("sigmoid", "softmax"):
        expr = f"{fmt(a, p)} * (1 - {fmt(a, p)}) = "
    elif name == "tanh":
        expr = f"1 - {_paren(fmt(a, p))}^2 = "
    elif name == "linear":
        expr = ""
    else:
        expr = f"[z = {fmt(z, p)}] "
    return f"f'({sym_z}) = {formula} = {expr}{fmt(fp, p)}"


def explain(
    record: PhaseRecord,
    net: Network,
    node: tuple[int, ...] | None = None,
    edge: tuple[int, ...] | None = None,
    precision: int = 4,
    max_terms: int = 8,
) -> str:
    """The step panel's text for ``record``: its formula with the real numbers filled in.

    Selection (unit indices 0-based, as in the arrays; the text prints them 1-based; layers are
    the 1-based l of the formulas, layer 0 being the inputs):

    - ``node=(j,)`` or ``(l, j)``: unit j of layer l. For forward/backward/output_delta/loss the
      short form means the phase's own layer (the output layer for loss). For gradients and
      update the long form is required and means the bias of that unit (dE/db, b <- ...).
    - ``edge=(i, j)`` or ``(l, i, j)``: the weight w^(l)_ij from unit i of layer l-1 to unit j of
      layer l. The short form means the weights of the phase: W_l for forward, W_{l+1} (the
      edges delta flows back over) for backward. Gradients and update need the long form.
    - neither: the phase's vector formula and the line of every unit (up to ``max_terms``).

    A node or edge that the phase does not compute gives a one-line note saying so; malformed or
    out-of-range indices raise ValueError. Sums longer than ``max_terms`` terms are elided.
    """
    if node is not None and edge is not None:
        raise ValueError("give a node or an edge, not both")
    p = int(precision)
    if p < 0:
        raise ValueError(f"precision must be >= 0, got {precision}")
    kind = record.kind
    if kind not in KINDS:
        raise ValueError(f"unknown phase kind {kind!r}")
    L = net.n_layers
    ex = _Explainer(record, net, p, max(1, int(max_terms)))
    if kind in ("gradients", "update"):
        if node is not None:
            l, j = _long(node, 2, "node", "(layer, unit)")  # noqa: E741
            ex.check_unit(l, j, first=1)
            return ex.node_parameters(l, j)
        if edge is not None:
            l, i, j = _long(edge, 3, "edge", "(layer, i, j)")  # noqa: E741
            ex.check_edge(l, i, j)
            return ex.weight(l, i, j)
        return ex.summary()
    own = L if kind in ("loss", "output_delta") else record.layer
    if node is not None:
        l, j = _short(node, own, "node")  # noqa: E741
        ex.check_unit(l, j, first=0)
        if l != own:
            return ex.not_here(_sym("a", l, j))
        return ex.unit(j)
    if edge is not None:
        wl = own + 1 if kind == "backward" else own
        l, i, j = _short(edge, wl, "edge", n=3)  # noqa: E741
        ex.check_edge(l, i, j)
        if kind not in ("forward", "backward") or l != wl:
            return ex.not_here(_sym("w", l, i, j))
        return ex.edge(i, j)
    return ex.summary()


def explain_selection(record: PhaseRecord, net: Network, selection: Selection | None,
                      precision: int = 4) -> str:
    """The panel's formula: ``explain`` for the selected node or edge, followed by the phase's
    own text when the selection is not computed in this phase (or does not fit the network)."""
    if selection is None:
        return explain(record, net, precision=precision)
    try:
        if selection[0] == "node":
            text = explain(record, net, node=selection[1:], precision=precision)
        else:
            text = explain(record, net, edge=selection[1:], precision=precision)
    except ValueError as exc:
        return (f"({selection_name(selection)}: {exc})\n\n"
                + explain(record, net, precision=precision))
    if "is not computed in this phase" in text:
        return text + "\n\nThis phase:\n" + explain(record, net, precision=precision)
    return text


def _long(sel: tuple[int, ...], n: int, what: str, form: str) -> tuple[int, ...]:
    sel = tuple(int(s) for s in sel)
    if len(sel) != n:
        raise ValueError(f"for this phase the {what} must be given as {form}, got {sel}")
    return sel


def _short(sel: tuple[int, ...], own: int, what: str, n: int = 2) -> tuple[int, ...]:
    sel = tuple(int(s) for s in sel)
    if len(sel) == n - 1:
        return (own, *sel)
    if len(sel) != n:
        raise ValueError(f"{what} must have {n - 1} or {n} indices, got {sel}")
    return sel


_BIAS_NOTE = {"frozen": "biases frozen (kept, not learnt)", "none": "no bias"}


class _Explainer:
    def __init__(self, rec: PhaseRecord, net: Network, p: int, max_terms: int) -> None:
        self.rec, self.net, self.p, self.max_terms = rec, net, p, max_terms
        self.v = rec.values
        self.L = net.n_layers

    def n(self, x: float) -> str:
        return fmt(x, self.p)

    def check_unit(self, l: int, j: int, first: int) -> None:  # noqa: E741
        if not first <= l <= self.L:
            raise ValueError(f"layer {l} is out of range {first}..{self.L}")
        if not 0 <= j < self.net.sizes[l]:
            raise ValueError(
                f"unit {j} is out of range: layer {l} has units 0..{self.net.sizes[l] - 1}"
            )

    def check_edge(self, l: int, i: int, j: int) -> None:  # noqa: E741
        if not 1 <= l <= self.L:
            raise ValueError(f"weight layer {l} is out of range 1..{self.L}")
        if not (0 <= i < self.net.sizes[l - 1] and 0 <= j < self.net.sizes[l]):
            raise ValueError(
                f"edge ({i}, {j}) is out of range: W_{l} has shape "
                f"({self.net.sizes[l - 1]}, {self.net.sizes[l]})"
            )

    def not_here(self, sym: str) -> str:
        rec = self.rec
        where = rec.kind if rec.layer is None else f"{rec.kind}, layer {rec.layer}"
        return f"{sym} is not computed in this phase ({where})"

    def _cap(self, lines_per_unit: list[str]) -> list[str]:
        if len(lines_per_unit) > self.max_terms:
            extra = len(lines_per_unit) - self.max_terms
            return lines_per_unit[: self.max_terms] + [f"... ({extra} more units)"]
        return lines_per_unit

    # ---- per kind ----------------------------------------------------------------------------
    def unit(self, j: int) -> str:
        return getattr(self, f"_unit_{self.rec.kind}")(j)

    def edge(self, i: int, j: int) -> str:
        v, n, l = self.v, self.n, self.rec.layer  # noqa: E741
        if self.rec.kind == "forward":
            a, w = float(v["a_prev"][i]), float(v["W"][i, j])
            return (
                f"{_sym('a', l - 1, i)} * {_sym('w', l, i, j)} = {n(a)} * {n(w)} = {n(a * w)}"
                f"   (one term of {_sym('z', l, j)} = {n(v['z'][j])})"
            )
        w, d = float(v["W_next"][i, j]), float(v["delta_next"][j])
        return (
            f"{_sym('w', l + 1, i, j)} * {_sym('delta', l + 1, j)} = {n(w)} * {n(d)} = "
            f"{n(w * d)}   (one term of the sum for {_sym('delta', l, i)} = {n(v['delta'][i])})"
        )

    def _unit_forward(self, j: int) -> str:
        v, n, l = self.v, self.n, self.rec.layer  # noqa: E741
        terms = [
            f"{n(a)} * {n(w)}" for a, w in zip(v["a_prev"], v["W"][:, j], strict=True)
        ]
        if self.net.has_bias(l - 1):
            z_line = (
                f"{_sym('z', l, j)} = sum_i {_sym('a', l - 1)}_i {_sym('w', l)}_i{_sub(j)} + "
                f"{_sym('b', l, j)} = {_join_terms(terms, self.max_terms)} + {n(v['b'][j])} = "
                f"{n(v['z'][j])}"
            )
        else:  # a layer without bias has no b term at all
            z_line = (
                f"{_sym('z', l, j)} = sum_i {_sym('a', l - 1)}_i {_sym('w', l)}_i{_sub(j)} = "
                f"{_join_terms(terms, self.max_terms)} = {n(v['z'][j])}"
            )
        name = self.net.layer_activation(l - 1).name
        expr = _activation_expr(name, float(v["z"][j]), list(v["z"]), j, self.p)
        a_line = f"{_sym('a', l, j)} = {name}({_sym('z', l, j)}) = {expr} = {n(v['a'][j])}"
        return z_line + "\n" + a_line

    def _unit_loss(self, k: int) -> str:
        v, n, L = self.v, self.n, self.L
        a, t, term = float(v["a"][k]), float(v["t"][k]), float(v["terms"][k])
        ak, tk = _sym("a", L, k), _sym("t", None, k)
        loss = self.net.loss_name
        if loss == "mse":
            body = f"1/2 * ({ak} - {tk})^2 = 1/2 * ({n(a)} - {n(t)})^2"
        elif loss == "bce":
            body = (
                f"-[{tk} ln {ak} + (1 - {tk}) ln(1 - {ak})] = "
                f"-[{n(t)} * ln {n(a)} + {n(1 - t)} * ln {n(1 - a)}]"
            )
        else:
            body = f"-{tk} ln {ak} = -{n(t)} * ln {n(a)}"
        return f"E_{_sub(k)} = {body} = {n(term)}   (of E = {n(v['E'])})"

    def _loss_summary(self) -> str:
        v, n = self.v, self.n
        a, t = v["a"], v["t"]
        loss = self.net.loss_name
        info = losses.describe(loss, self.net.output)
        if loss == "mse":
            terms = [f"({n(x)} - {n(y)})^2" for x, y in zip(a, t, strict=True)]
            body = f"1/2 * ({_join_terms(terms, self.max_terms)})"
        elif loss == "bce":
            terms = [
                f"{n(y)} * ln {n(x)} + {n(1 - y)} * ln {n(1 - x)}"
                for x, y in zip(a, t, strict=True)
            ]
            body = f"-[{_join_terms(terms, self.max_terms)}]"
        else:
            terms = [f"{n(y)} * ln {n(x)}" for x, y in zip(a, t, strict=True)]
            body = f"-({_join_terms(terms, self.max_terms)})"
        return f"{info.formula} = {body} = {n(v['E'])}"

    def _unit_output_delta(self, k: int) -> str:
        v, n, L = self.v, self.n, self.L
        a, t, d = float(v["a"][k]), float(v["t"][k]), float(v["delta"][k])
        dk, ak, tk, zk = _sym("delta", L, k), _sym("a", L, k), _sym("t", None, k), _sym("z", L, k)
        out = self.net.output
        if self.net.loss_name != "mse":
            return f"{dk} = {ak} - {tk} = {n(a)} - {n(t)} = {n(d)}"
        if out == "linear":
            return f"{dk} = {ak} - {tk} = {n(a)} - {n(t)} = {n(d)}"
        if out == "softmax":
            s = float(v["s"])
            terms = [f"({n(x)} - {n(y)}) * {n(x)}" for x, y in zip(v["a"], v["t"], strict=True)]
            return (
                f"{dk} = {ak} * (({ak} - {tk}) - s) = "
                f"{n(a)} * (({n(a)} - {n(t)}) - {_paren(n(s))}) = {n(d)}\n"
                f"s = sum_j (a_j - t_j) a_j = {_join_terms(terms, self.max_terms)} = {n(s)}"
            )
        fp = float(v["fprime"][k])
        return (
            f"{dk} = ({ak} - {tk}) * f'({zk}) = ({n(a)} - {n(t)}) * {n(fp)} = {n(d)}\n"
            + _fprime_line(out, zk, float(v["z"][k]), a, fp, self.p)
        )

    def _unit_backward(self, j: int) -> str:
        v, n, l = self.v, self.n, self.rec.layer  # noqa: E741
        fp = float(v["fprime"][j])
        terms = [
            f"{n(w)} * {n(d)}" for w, d in zip(v["W_next"][j], v["delta_next"], strict=True)
        ]
        zj = _sym("z", l, j)
        line = (
            f"{_sym('delta', l, j)} = f'({zj}) * sum_k {_sym('w', l + 1)}_{_sub(j)}k "
            f"{_sym('delta', l + 1)}_k = {n(fp)} * ({_join_terms(terms, self.max_terms)}) = "
            f"{n(v['delta'][j])}"
        )
        name = self.net.layer_activation(l - 1).name
        return line + "\n" + _fprime_line(
            name, zj, float(v["z"][j]), float(v["a"][j]), fp, self.p
        )

    def summary(self) -> str:
        kind, l, n = self.rec.kind, self.rec.layer, self.n  # noqa: E741
        if kind == "loss":
            return self._loss_summary()
        if kind == "forward":
            name = self.net.layer_activation(l - 1).name
            plus_b = f" + b^({l})" if self.net.has_bias(l - 1) else ""
            head = f"z^({l}) = a^({l - 1}) W^({l}){plus_b},  a^({l}) = {name}(z^({l}))"
            units = range(self.net.sizes[l])
        elif kind == "output_delta":
            rule = losses.describe(self.net.loss_name, self.net.output).delta_formula
            head = f"delta^({self.L}): {rule}"
            units = range(self.net.sizes[self.L])
        elif kind == "backward":
            head = f"delta^({l}) = (delta^({l + 1}) W^({l + 1})^T) * f'(z^({l}))"
            units = range(self.net.sizes[l])
        elif kind == "gradients":
            lines = ["dE/dW^(l) = a^(l-1)^T delta^(l),  dE/db^(l) = delta^(l)"]
            for k in range(1, self.L + 1):
                dW, db = self.v[f"dW_{k}"], self.v[f"db_{k}"]
                i, j = np.unravel_index(int(np.argmax(np.abs(dW))), dW.shape)
                jb = int(np.argmax(np.abs(db)))
                mode = self.net.bias_modes[k - 1]
                tail = (
                    f"largest |dE/db| = {n(abs(db[jb]))} at {_sym('b', k, jb)}"
                    if mode == "trained" else _BIAS_NOTE[mode]
                )
                if not dW[i, j]:
                    why = " (its inputs are 0)" if not np.any(self.v[f"a_{k - 1}"]) else ""
                    lines.append(f"layer {k}: every dE/dw is 0{why}, " + tail)
                    continue
                lines.append(
                    f"layer {k}: largest |dE/dw| = {n(abs(dW[i, j]))} at {_sym('w', k, i, j)}, "
                    + tail
                )
            return "\n".join(lines)
        else:
            return self._update_summary()
        return "\n".join([head, *self._cap([self.unit(j) for j in units])])

    # ---- gradients / update of one parameter --------------------------------------------------
    def weight(self, l: int, i: int, j: int) -> str:  # noqa: E741
        v, n = self.v, self.n
        a, d = float(v[f"a_{l - 1}"][i]), float(v[f"delta_{l}"][j])
        grad = float(v[f"dW_{l}"][i, j])
        sym = _sym("w", l, i, j)
        product = f"{_sym('a', l - 1, i)} * {_sym('delta', l, j)}"
        numbers = f"{n(a)} * {n(d)}"
        if self.rec.kind == "gradients":
            return f"dE/d{sym} = {product} = {numbers} = {n(grad)}"
        old, new = float(v[f"W_old_{l}"][i, j]), float(v[f"W_new_{l}"][i, j])
        if old == new and a == 0.0:
            # "w <- 0.2739 - 0.5 * 0 = 0.2739" reads like a change; say what happened instead
            return (f"{sym} = {n(old)}: no change (its input {_sym('a', l - 1, i)} is 0, so "
                    f"dE/d{sym} = 0)")
        vel = None
        if f"vW_old_{l}" in v:
            vel = (float(v[f"vW_old_{l}"][i, j]), float(v[f"vW_new_{l}"][i, j]))
        return self._rule(sym, product, numbers, old, new, vel, penalised=True)

    def node_parameters(self, l: int, j: int) -> str:  # noqa: E741
        """Unit j of layer l in the gradients / update phase: its bias and every weight into it
        (a * delta for each, with the numbers)."""
        lines = [self.bias(l, j)]
        lines += self._cap([self.weight(l, i, j) for i in range(self.net.sizes[l - 1])])
        return "\n".join(lines)

    def bias(self, l: int, j: int) -> str:  # noqa: E741
        v, n = self.v, self.n
        d = float(v[f"delta_{l}"][j])
        sym = _sym("b", l, j)
        mode = self.net.bias_modes[l - 1]
        if mode == "none":
            return f"layer {l} has no bias: there is no {sym}"
        if mode == "frozen":
            kept = f" = {n(v[f'b_old_{l}'][j])}" if f"b_old_{l}" in v else ""
            return f"{sym}{kept} is frozen: not learnt, so no gradient and no update"
        if self.rec.kind == "gradients":
            return f"dE/d{sym} = {_sym('delta', l, j)} = {n(v[f'db_{l}'][j])}"
        old, new = float(v[f"b_old_{l}"][j]), float(v[f"b_new_{l}"][j])
        vel = None
        if f"vb_old_{l}" in v:
            vel = (float(v[f"vb_old_{l}"][j]), float(v[f"vb_new_{l}"][j]))
        return self._rule(sym, _sym("delta", l, j), n(d), old, new, vel, penalised=False)

    def _rule(
        self, sym: str, grad_sym: str, grad_num: str, old: float, new: float,
        vel: tuple[float, float] | None, penalised: bool,
    ) -> str:
        """w <- w - lr * g' (or the momentum pair), penalties only on weights, as SGD does."""
        v, n = self.v, self.n
        lr, mu, l2, l1 = (_hyper(v[k]) for k in ("lr", "momentum", "l2", "l1"))
        g_sym, g_num = [grad_sym], [grad_num]
        if penalised and float(v["l2"]):
            g_sym.append("l2 * w")
            g_num.append(f"{l2} * {n(old)}")
        if penalised and float(v["l1"]):
            g_sym.append("l1 * sign(w)")
            g_num.append(f"{l1} * {int(np.sign(old))}")
        if len(g_sym) == 1:
            g_sym_s, g_num_s = grad_sym, f"({grad_num})"
        else:
            g_sym_s, g_num_s = f"({' + '.join(g_sym)})", f"({' + '.join(g_num)})"
        if vel is None or not float(v["momentum"]):
            return f"{sym} <- {sym[0]} - lr * {g_sym_s} = {n(old)} - {lr} * {g_num_s} = {n(new)}"
        v_old, v_new = vel
        return (
            f"v <- mu * v - lr * {g_sym_s} = {mu} * {_paren(n(v_old))} - {lr} * {g_num_s} = "
            f"{n(v_new)}\n{sym} <- {sym[0]} + v = {n(old)} + {_paren(n(v_new))} = {n(new)}"
        )

    def _update_summary(self) -> str:
        v, n = self.v, self.n
        extra = "".join(
            f", {k} = {_hyper(v[k])}" for k in ("momentum", "l2", "l1") if float(v[k])
        )
        g = "dE/dW^(l)"
        if float(v["l2"]) or float(v["l1"]):
            g = "(dE/dW^(l)" + " + l2 W^(l)" * bool(float(v["l2"]))
            g += " + l1 sign(W^(l))" * bool(float(v["l1"])) + ")"
        if float(v["momentum"]):
            rule = f"V <- mu V - lr * {g},  W^(l) <- W^(l) + V"
        else:
            rule = f"W^(l) <- W^(l) - lr * {g}"
        lines = [f"{rule}  (biases alike, without penalties; lr = {_hyper(v['lr'])}{extra})"]
        lines += [
            f"layer {k}: {_BIAS_NOTE[m]}" for k, m in enumerate(self.net.bias_modes, 1)
            if m != "trained"
        ]
        for k in range(1, self.L + 1):
            change = np.abs(v[f"W_new_{k}"] - v[f"W_old_{k}"])
            i, j = np.unravel_index(int(np.argmax(change)), change.shape)
            if not change[i, j]:
                why = "its inputs are 0" if not np.any(v[f"a_{k - 1}"]) else \
                    f"dE/dW^({k}) is 0"
                lines.append(f"layer {k}: no change ({why})")
                continue
            lines.append(
                f"layer {k}: largest change {_sym('w', k, i, j)}: {n(v[f'W_old_{k}'][i, j])} -> "
                f"{n(v[f'W_new_{k}'][i, j])}"
            )
        return "\n".join(lines)


# ---- the table of a phase and the masked formula ---------------------------------------------


@dataclass(frozen=True)
class PhaseRow:
    """One row of a phase's table of values."""

    where: str
    what: str
    value: float | None  # None: text only (the "... more" row)
    text: str | None
    sel: Selection | None
    new: bool  # computed by this phase: hidden while predicting
    old: float | None = None  # update rows: the value before the update


def phase_rows(rec: PhaseRecord, net: Network) -> list[PhaseRow]:
    """The values table of one phase: (where, quantity, value, selection, computed here)."""
    v, l, L = rec.values, rec.layer, net.n_layers  # noqa: E741
    rows: list[PhaseRow] = []
    extra = 0

    def full() -> bool:
        nonlocal extra
        if len(rows) >= MAX_TABLE_ROWS:
            extra += 1  # counted, not formatted: a wide layer has 100k weights
            return True
        return False

    def add(where: str, what: str, value: float, sel: Selection | None, new: bool) -> None:
        if not full():
            rows.append(PhaseRow(where, what, float(value), None, sel, new))

    if rec.kind == "forward":
        for i, x in enumerate(v["a_prev"]):
            add(_sym("a", l - 1, i) if l > 1 else f"x_{_sub(i)}", "input", x,
                ("node", l - 1, i), False)
        for j in range(v["z"].size):
            add(_sym("z", l, j), "z = sum a w + b", v["z"][j], ("node", l, j), True)
            add(_sym("a", l, j), "a = f(z)", v["a"][j], ("node", l, j), True)
        W = v["W"]
        for i, j in np.ndindex(W.shape):
            add(_sym("w", l, i, j), "weight", W[i, j], ("edge", l, i, j), False)
        for j in range(v["b"].size if net.has_bias(l - 1) else 0):
            add(_sym("b", l, j), "bias", v["b"][j], ("node", l, j), False)
    elif rec.kind == "loss":
        for k in range(v["a"].size):
            add(_sym("a", L, k), "output", v["a"][k], ("node", L, k), False)
            add(_sym("t", None, k), "target", v["t"][k], ("node", L, k), False)
            add(f"E_{_sub(k)}", "loss term", v["terms"][k], ("node", L, k), True)
        add("E", "loss of the sample", v["E"], None, True)
    elif rec.kind == "output_delta":
        for k in range(v["a"].size):
            add(_sym("a", L, k) + " - " + _sym("t", None, k), "error", v["error"][k],
                ("node", L, k), True)
            if "fprime" in v:
                add(f"f'({_sym('z', L, k)})", "slope", v["fprime"][k], ("node", L, k), True)
            add(_sym("delta", L, k), "delta = dE/dz", v["delta"][k], ("node", L, k), True)
        if "s" in v:
            add("s", "sum_j (a_j - t_j) a_j", v["s"], None, True)
    elif rec.kind == "backward":
        for j in range(v["delta"].size):
            add(f"sum_k {_sym('w', l + 1)}_{_sub(j)}k {_sym('delta', l + 1)}_k",
                "error sent back", v["backprop"][j], ("node", l, j), True)
            add(f"f'({_sym('z', l, j)})", "slope", v["fprime"][j], ("node", l, j), True)
            add(_sym("delta", l, j), "delta = dE/dz", v["delta"][j], ("node", l, j), True)
        for k in range(v["delta_next"].size):
            add(_sym("delta", l + 1, k), "delta of next layer", v["delta_next"][k],
                ("node", l + 1, k), False)
        Wn = v["W_next"]
        for i, j in np.ndindex(Wn.shape):
            add(_sym("w", l + 1, i, j), "weight", Wn[i, j], ("edge", l + 1, i, j), False)
    elif rec.kind == "gradients":
        for k in range(1, L + 1):
            dW, db = v[f"dW_{k}"], v[f"db_{k}"]
            for i, j in np.ndindex(dW.shape):
                add(f"dE/d{_sym('w', k, i, j)}", "a * delta", dW[i, j], ("edge", k, i, j), True)
            for j in range(db.size if net.bias_modes[k - 1] == "trained" else 0):
                add(f"dE/d{_sym('b', k, j)}", "delta", db[j], ("node", k, j), True)
    elif rec.kind == "update":
        for k in range(1, L + 1):
            Wo, Wn = v[f"W_old_{k}"], v[f"W_new_{k}"]
            bo, bn = v[f"b_old_{k}"], v[f"b_new_{k}"]
            for i, j in np.ndindex(Wo.shape):
                if not full():
                    rows.append(PhaseRow(_sym("w", k, i, j), "weight old → new",
                                         float(Wn[i, j]), None, ("edge", k, i, j), True,
                                         float(Wo[i, j])))
            for j in range(bo.size if net.bias_modes[k - 1] == "trained" else 0):
                if not full():
                    rows.append(PhaseRow(_sym("b", k, j), "bias old → new", float(bn[j]),
                                         None, ("node", k, j), True, float(bo[j])))
    if extra:
        rows.append(PhaseRow("…", f"{extra} more (see the ledger export)", None, "", None, False))
    return rows


_QUESTIONS = {
    "forward": "What are z^({l}) and a^({l})? Which units will be most active?",
    "loss": "How large is the loss E of this sample?",
    "output_delta": "What is the sign of each output delta? (Is the output too high or too low?)",
    "backward": "What is the sign of each delta^({l})_j? Which unit gets the most blame?",
    "gradients": "Which weights get a positive dE/dw, which a negative one?",
    "update": "Which weights go up, which go down, and which change most?",
}


def masked_text(rec: PhaseRecord, net: Network, sel: Selection | None, p: int,
                max_units: int = 8) -> str:
    """The phase's formula with the known inputs filled in and "?" for everything it computes.

    Only values that earlier phases (or the data and the weights) already showed appear, so the
    text gives nothing of the hidden phase away.
    """
    v, l, L = rec.values, rec.layer, net.n_layers  # noqa: E741
    n = lambda x: fmt(x, p)  # noqa: E731
    join = lambda terms: _join_terms(terms, 8, "…")  # noqa: E731
    kind = rec.kind
    lines: list[str] = []
    if kind == "forward":
        name = net.layer_activation(l - 1).name
        lines.append(f"z^({l}) = a^({l - 1}) W^({l}) + b^({l}),  a^({l}) = {name}(z^({l}))")
        lines.append(f"known: a^({l - 1}) = {vector_text(v['a_prev'], p)}")
        units = _sel_units(sel, l, v["z"].size, max_units)
        for j in units:
            terms = [f"{n(x)} * {n(w)}" for x, w in zip(v["a_prev"], v["W"][:, j], strict=True)]
            lines.append(f"{_sym('z', l, j)} = {join(terms)} + {n(v['b'][j])} = ?")
            lines.append(f"{_sym('a', l, j)} = {name}({_sym('z', l, j)}) = ?")
    elif kind == "loss":
        info = losses.describe(net.loss_name, net.output)
        lines.append(f"{info.formula} = ?")
        lines.append(f"known: a^({L}) = {vector_text(v['a'], p)},  t = {vector_text(v['t'], p)}")
    elif kind == "output_delta":
        info = losses.describe(net.loss_name, net.output)
        lines.append(f"delta^({L}): {info.delta_formula}")
        for k in _sel_units(sel, L, v["a"].size, max_units):
            lines.append(f"{_sym('delta', L, k)} = ?   with {_sym('a', L, k)} = {n(v['a'][k])},"
                         f" {_sym('t', None, k)} = {n(v['t'][k])}, {_sym('z', L, k)} = "
                         f"{n(v['z'][k])}")
    elif kind == "backward":
        lines.append(f"delta^({l}) = (delta^({l + 1}) W^({l + 1})^T) * f'(z^({l}))")
        lines.append(f"known: delta^({l + 1}) = {vector_text(v['delta_next'], p)}")
        for j in _sel_units(sel, l, v["delta"].size, max_units):
            terms = [f"{n(w)} * {n(d)}" for w, d in zip(v["W_next"][j], v["delta_next"],
                                                       strict=True)]
            lines.append(f"{_sym('delta', l, j)} = f'({n(v['z'][j])}) * ({join(terms)}) = ?"
                         f"   (a = {n(v['a'][j])})")
    elif kind == "gradients":
        lines.append("dE/dW^(l) = a^(l-1)^T delta^(l),  dE/db^(l) = delta^(l)")
        if sel is not None and sel[0] == "edge":
            k, i, j = sel[1:]
            lines.append(f"dE/d{_sym('w', k, i, j)} = {_sym('a', k - 1, i)} * "
                         f"{_sym('delta', k, j)} = {n(v[f'a_{k - 1}'][i])} * "
                         f"{n(v[f'delta_{k}'][j])} = ?")
        else:
            for k in range(1, L + 1):
                lines.append(f"layer {k}: a^({k - 1}) = {vector_text(v[f'a_{k - 1}'], p)},  "
                             f"delta^({k}) = {vector_text(v[f'delta_{k}'], p)}")
    elif kind == "update":
        lr = float(v["lr"])
        extra = "".join(f", {h} = {float(v[h]):g}" for h in ("momentum", "l2", "l1")
                        if float(v[h]))
        lines.append(f"W^(l) <- W^(l) - lr * dE/dW^(l)   (lr = {lr:g}{extra})")
        if sel is not None and sel[0] == "edge":
            k, i, j = sel[1:]
            old, g = float(v[f"W_old_{k}"][i, j]), float(v[f"dW_{k}"][i, j])
            lines.append(f"{_sym('w', k, i, j)} <- {n(old)} - {lr:g} * ({n(g)}) = ?")
        elif sel is not None and sel[0] == "node" and 1 <= sel[1] <= L:
            k, j = sel[1:]
            old, g = float(v[f"b_old_{k}"][j]), float(v[f"db_{k}"][j])
            lines.append(f"{_sym('b', k, j)} <- {n(old)} - {lr:g} * ({n(g)}) = ?")
        else:
            lines.append("known: every dE/dw from the gradients phase (click an edge row)")
    lines.append("")
    lines.append("Predict: " + _QUESTIONS[kind].format(l=l))
    lines.append("Press N (or Reveal) to show the numbers.")
    return "\n".join(lines)


def _sel_units(sel: Selection | None, layer: int, n: int, max_units: int) -> list[int]:
    if sel is not None and sel[0] == "node" and sel[1] == layer and 0 <= sel[2] < n:
        return [sel[2]]
    return list(range(min(n, max_units)))
